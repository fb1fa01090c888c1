"""The one way this domain sends e-mail: `send_email` enqueues a
django-tasks task (worker `autodiag db_worker`; the immediate backend sends
at once), so that a page never waits for the mail server and a shared mail
module can later take this function's place."""

from __future__ import annotations

from django.conf import settings
from django.core.mail import send_mail
from django_tasks import task


@task()
def deliver_email(to: str, subject: str, body: str) -> None:
    send_mail(subject, body, settings.DEFAULT_FROM_EMAIL, [to])


def send_email(to: str, subject: str, body: str) -> None:
    deliver_email.enqueue(to, subject, body)


def notify_author_of_answer(testimony, public_url: str) -> bool:
    """Tell the author the service answered, when they left an address.
    The e-mail carries no answer text (it may be private): a link to the
    public page when the testimony is published."""
    if not testimony.email:
        return False
    structure = testimony.structure.name
    lines = [
        f"Bonjour {testimony.pseudonym},",
        "",
        f"{structure} a répondu au témoignage que vous avez déposé le "
        f"{testimony.received_at:%d/%m/%Y}.",
        "",
    ]
    if testimony.is_published:
        lines += ["Vous pouvez lire la réponse du service à cette adresse :", public_url, ""]
    else:
        lines += [
            "Votre témoignage n’est pas publié ; le service l’a lu et en a tenu compte.",
            "",
        ]
    lines += [
        "Merci d’avoir pris le temps de témoigner.",
        "",
        "— Services Publics+ (message automatique, merci de ne pas y répondre)",
    ]
    send_email(testimony.email, f"Réponse de {structure} à votre témoignage", "\n".join(lines))
    testimony.record_author_notified()
    return True
