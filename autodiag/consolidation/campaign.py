"""The campaign's follow-up: which structures of a scope have not
validated a diagnostic this year, which drafts are in progress and how
far, and reminders e-mailed to their managers (at most one a day per
structure, whoever sends it)."""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field

from django.conf import settings
from django.db import transaction
from django.db.models import Exists, OuterRef, Subquery
from django.urls import reverse
from django.utils import timezone

from autodiag.collation import by_name
from autodiag.consolidation.models import Reminder
from autodiag.diagnostics.enums import Status
from autodiag.diagnostics.models import Diagnostic
from autodiag.diagnostics.progress import diagnostic_counts
from autodiag.mail import send_later
from autodiag.structures.enums import Role
from autodiag.structures.models import Membership, Structure

REMINDER_INTERVAL = datetime.timedelta(days=1)


def campaign_start(today: datetime.date | None = None) -> datetime.datetime:
    """1 January of this year, 00:00 in the site's time zone: a campaign
    is a calendar year (one diagnostic a year)."""
    today = today or timezone.localdate()
    return datetime.datetime(today.year, 1, 1, tzinfo=timezone.get_current_timezone())


def without_diagnostic_this_year(structures):
    """Active structures with no diagnostic validated since 1 January,
    with their last validation date, whether a draft is in progress and
    their last reminder."""
    validated = Diagnostic.objects.filter(structure=OuterRef("pk"), status=Status.VALIDATED)
    last_reminder = Reminder.objects.filter(structure=OuterRef("pk")).order_by("-sent_at")
    return (
        structures.filter(is_active=True)
        .exclude(Exists(validated.filter(validated_at__gte=campaign_start())))
        .annotate(
            last_validated_at=Subquery(
                validated.order_by("-validated_at").values("validated_at")[:1]
            ),
            has_draft=Exists(
                Diagnostic.objects.filter(structure=OuterRef("pk"), status=Status.DRAFT)
            ),
            last_reminded_at=Subquery(last_reminder.values("sent_at")[:1]),
            last_reminded_by=Subquery(last_reminder.values("sent_by__email")[:1]),
        )
        .select_related("network")
        .order_by(by_name("name"), "code")
    )


def drafts_in_progress(structures):
    return (
        Diagnostic.objects.drafts()
        .filter(structure__in=structures)
        .select_related("structure", "questionnaire")
        .defer("questionnaire__document")
        .order_by("created_at")
    )


def completion(diagnostic: Diagnostic):
    """The filling pages' count (diagnostics.progress): answered, to
    confirm, missing; "100 %" only when the draft can be validated."""
    return diagnostic_counts(diagnostic)


@dataclass
class ReminderOutcome:
    reminded: list[tuple[Structure, list[str]]] = field(default_factory=list)
    already: list[Structure] = field(default_factory=list)  # reminded less than a day ago
    no_manager: list[Structure] = field(default_factory=list)
    up_to_date: list[Structure] = field(default_factory=list)  # validated this year meanwhile

    @property
    def people(self) -> list[str]:
        return sorted({email for _, emails in self.reminded for email in emails})


def _message(structure: Structure, sender) -> tuple[str, str]:
    link = settings.SITE_URL.rstrip("/") + reverse("structures:detail", args=[structure.code])
    year = timezone.localdate().year
    subject = f"Autodiagnostic Services Publics+ {year} : {structure.name}"
    body = (
        "Bonjour,\n\n"
        f"La campagne d’autodiagnostic Services Publics+ {year} est en cours et la structure "
        f"« {structure.name} » (code {structure.code}) n’a pas encore validé son diagnostic "
        "cette année.\n\n"
        "Le diagnostic se remplit en équipe, en deux heures environ ; les réponses sont "
        "enregistrées au fur et à mesure et peuvent repartir de celles de l’an dernier.\n\n"
        f"Pour le commencer ou le reprendre : {link}\n\n"
        f"Ce message vous est envoyé par {sender.display_name} ({sender.email}), "
        "qui suit la campagne pour votre réseau ou votre territoire.\n"
    )
    return subject, body


@transaction.atomic
def remind(structures: list[Structure], sender) -> ReminderOutcome:
    """E-mail each structure's managers, once a day at most per structure
    (whoever sends it), and record who was reminded."""
    outcome = ReminderOutcome()
    since = timezone.now() - REMINDER_INTERVAL
    ids = [s.pk for s in structures]
    recent = set(
        Reminder.objects.filter(structure_id__in=ids, sent_at__gt=since).values_list(
            "structure_id", flat=True
        )
    )
    done = set(
        Diagnostic.objects.filter(
            structure_id__in=ids, status=Status.VALIDATED, validated_at__gte=campaign_start()
        ).values_list("structure_id", flat=True)
    )
    managers: dict[int, list[str]] = {}
    for structure_id, email in Membership.objects.filter(
        structure_id__in=ids, role=Role.MANAGER, user__is_active=True
    ).values_list("structure_id", "user__email"):
        managers.setdefault(structure_id, []).append(email)
    messages, reminders = [], []
    for structure in structures:
        if structure.pk in done:
            outcome.up_to_date.append(structure)
        elif structure.pk in recent:
            outcome.already.append(structure)
        elif not managers.get(structure.pk):
            outcome.no_manager.append(structure)
        else:
            emails = sorted(managers[structure.pk])
            subject, body = _message(structure, sender)
            messages.append((subject, body, emails))
            reminders.append(
                Reminder(structure=structure, sent_by=sender, recipients="\n".join(emails))
            )
            outcome.reminded.append((structure, emails))
    Reminder.objects.bulk_create(reminders)
    send_later(messages)  # by the worker, with retries
    return outcome
