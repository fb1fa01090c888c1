"""E-mail leaves through the background worker (django-tasks), never inside
a request: `send_later` queues the messages (the task row is written in
the caller's transaction, so a rolled-back change sends nothing), and the
worker delivers them through the configured backend (SMTP from the
environment, settings.EMAIL_*). A failed delivery (server down, refused)
is tried again later, MAIL_MAX_ATTEMPTS times in all, waiting longer each
time; the last failure is logged as an error (and reaches Sentry)."""

from __future__ import annotations

import datetime
import logging
import smtplib

from django.conf import settings
from django.core.mail import EmailMessage, get_connection
from django.utils import timezone
from django_tasks import task

logger = logging.getLogger("autodiag.mail")


def send_later(messages: list[tuple[str, str, list[str]]]) -> None:
    """Queue (subject, body, recipients) messages, from DEFAULT_FROM_EMAIL."""
    if messages:
        deliver.enqueue([list(message) for message in messages], 1)


@task()
def deliver(messages: list, attempt: int) -> int:
    """Send every message in one connection; returns how many were sent."""
    try:
        with get_connection() as connection:
            return connection.send_messages(
                [
                    EmailMessage(subject, body, settings.DEFAULT_FROM_EMAIL, list(recipients))
                    for subject, body, recipients in messages
                ]
            )
    except (smtplib.SMTPException, OSError) as error:
        if attempt >= settings.MAIL_MAX_ATTEMPTS:
            logger.error("mail not delivered after %s attempts: %s", attempt, error, exc_info=True)
            raise
        logger.warning("mail delivery failed (attempt %s), retrying: %s", attempt, error)
        retry = deliver
        if retry.get_backend().supports_defer:
            delay = settings.MAIL_RETRY_SECONDS * 2 ** (attempt - 1)
            retry = retry.using(run_after=timezone.now() + datetime.timedelta(seconds=delay))
        retry.enqueue(messages, attempt + 1)
        return 0
