"""E-mail through the background worker with retries (issue 12)."""

import smtplib

from django.core import mail

from autodiag.mail import send_later


def test_messages_are_sent_by_the_task(settings):
    send_later([("Objet", "Bonjour", ["a@x.test"]), ("Autre", "Texte", ["b@x.test"])])
    assert [m.to for m in mail.outbox] == [["a@x.test"], ["b@x.test"]]
    assert mail.outbox[0].from_email == settings.DEFAULT_FROM_EMAIL


def test_a_failed_delivery_is_tried_again_then_reported(settings, monkeypatch, caplog):
    settings.MAIL_MAX_ATTEMPTS = 3
    attempts = []

    def failing_send(self, messages):
        attempts.append(len(messages))
        raise smtplib.SMTPServerDisconnected("serveur parti")

    monkeypatch.setattr("django.core.mail.backends.locmem.EmailBackend.send_messages", failing_send)
    send_later([("Objet", "Bonjour", ["a@x.test"])])  # the worker records the task as failed
    assert attempts == [1, 1, 1]
    assert "not delivered after 3 attempts" in caplog.text


def test_a_delivery_that_succeeds_on_a_later_attempt(settings, monkeypatch):
    from django.core.mail.backends.locmem import EmailBackend

    original, calls = EmailBackend.send_messages, []

    def flaky(self, messages):
        calls.append(1)
        if len(calls) == 1:
            raise OSError("connexion refusée")
        return original(self, messages)

    monkeypatch.setattr(EmailBackend, "send_messages", flaky)
    send_later([("Objet", "Bonjour", ["a@x.test"])])
    assert len(calls) == 2 and len(mail.outbox) == 1


def test_smtp_comes_from_the_environment():
    import json
    import os
    import subprocess
    import sys

    from .conftest import ROOT

    code = (
        "import json; from autodiag import settings as s; "
        "print(json.dumps([s.EMAIL_BACKEND, s.EMAIL_HOST, s.EMAIL_PORT, s.EMAIL_USE_TLS]))"
    )
    env = os.environ | {"EMAIL_HOST": "smtp.example.gouv.fr", "EMAIL_PORT": "587"}
    done = subprocess.run(
        [sys.executable, "-c", code], env=env, cwd=ROOT, capture_output=True, text=True, check=True
    )
    assert json.loads(done.stdout) == [
        "django.core.mail.backends.smtp.EmailBackend",
        "smtp.example.gouv.fr",
        587,
        True,
    ]
