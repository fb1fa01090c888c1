"""What the plan's pages, exports and displays show, built once for each:
the version a new sheet serves, the counts by state, the timeline, the
content shown to users (poster and public page), and the action part of a
diagnostic's results page."""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field

from django.conf import settings
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format

from autodiag.actions import timeline
from autodiag.actions.enums import ActionStatus
from autodiag.actions.models import ActionPlan, ActionSheet
from autodiag.diagnostics.models import Diagnostic
from autodiag.french import suffix
from autodiag.questionnaires.models import QuestionnaireVersion
from autodiag.reports.context import long_date
from autodiag.structures.models import Structure

POSTER_ACTIONS = 6  # actions on a one-page poster; the public page shows them all
MONTHLY = 31  # days after which the monthly review is due again


def latest_validated(structure: Structure) -> Diagnostic | None:
    return (
        Diagnostic.objects.filter(structure=structure)
        .validated()
        .select_related("result", "questionnaire", "validated_by")
        .order_by("-validated_at")
        .first()
    )


def version_for_new_sheet(structure: Structure) -> QuestionnaireVersion:
    """The version of the structure's latest validated diagnostic (its
    results are what the team acts on), else the current one."""
    last = latest_validated(structure)
    if last is not None:
        return last.questionnaire
    return QuestionnaireVersion.objects.get(pk=settings.CURRENT_QUESTIONNAIRE)


def month_year(day: datetime.date) -> str:
    """`juin 2026`."""
    return f"{date_format(day, 'F')}\u00a0{day.year}"


def days_words(days: int) -> str:
    return f"{days}\u00a0jour{suffix(days)}"


# -- the plan ---------------------------------------------------------------------


@dataclass
class Counts:
    by_status: dict[str, int] = field(default_factory=dict)
    late: int = 0

    @property
    def total(self) -> int:
        return sum(self.by_status.values())

    def items(self):
        return [(status, self.by_status.get(status.value, 0)) for status in ActionStatus]


def counts(sheets) -> Counts:
    """Counts by state, and of late actions, of sheets in memory."""
    result = Counts({status.value: 0 for status in ActionStatus})
    today = timezone.localdate()
    for sheet in sheets:
        result.by_status[sheet.status] += 1
        result.late += sheet.is_late(today)
    return result


def state_words(sheet: ActionSheet, today: datetime.date) -> str:
    """The state in a few words (the timeline's right column)."""
    if sheet.is_late(today):
        return (
            f"En retard · {sheet.progress}\u00a0%"
            if sheet.status == ActionStatus.IN_PROGRESS
            else "En retard (à lancer)"
        )
    if sheet.status == ActionStatus.IN_PROGRESS:
        return f"En cours · {sheet.progress}\u00a0%"
    return sheet.get_status_display()


def state_sentence(sheet: ActionSheet, today: datetime.date) -> str:
    """`En cours, 60 % ; en retard de 12 jours`, `Réalisée le 03/08/2026`."""
    words = sheet.get_status_display()
    if sheet.closed_on:
        words += f" le {sheet.closed_on.strftime('%d/%m/%Y')}"
    if sheet.status == ActionStatus.IN_PROGRESS:
        words += f", {sheet.progress}\u00a0%"
    late = lateness(sheet, today)
    return f"{words} ; {late}" if late else words


def lateness(sheet: ActionSheet, today: datetime.date) -> str:
    days = sheet.days_late(today)
    return f"en retard de {days_words(days)}" if days else ""


def plan_timeline(sheets, today: datetime.date | None = None, id="frise-actions"):
    """The timeline of `sheets` (in memory, in their order), or None."""
    today = today or timezone.localdate()
    if not sheets:
        return None
    items = []
    for sheet in sheets:
        state = sheet.get_status_display()
        progress = f", {sheet.progress}\u00a0%" if sheet.status == ActionStatus.IN_PROGRESS else ""
        late = lateness(sheet, today)
        items.append(
            timeline.Item(
                label=f"n°\u00a0{sheet.number} · {sheet.title}",
                start=sheet.start_date,
                end=sheet.planned_end_date,
                kind=sheet.status,
                state=state_words(sheet, today),
                late=bool(late),
                progress=sheet.progress,
                description=(
                    f"n° {sheet.number}, {sheet.title} : du {long_date(sheet.start_date)} au "
                    f"{long_date(sheet.planned_end_date)}, {state.lower()}{progress}"
                    f"{', ' + late if late else ''}"
                ),
                cells=(
                    f"{sheet.commitment}",
                    sheet.responsible.display_name if sheet.responsible else "—",
                    sheet.start_date.strftime("%d/%m/%Y"),
                    sheet.planned_end_date.strftime("%d/%m/%Y"),
                    state_sentence(sheet, today),
                ),
                url=reverse("actions:detail", args=[sheet.structure.code, sheet.number]),
            )
        )
    return timeline.timeline(
        id,
        "Frise chronologique des actions",
        items,
        today,
        caption="Calendrier des actions : période prévue, état, avancement et retard",
        label_header="Action",
        headers=("Engagement", "Responsable", "Démarrage", "Fin prévue", "État"),
    )


def review_due(open_sheets, today: datetime.date | None = None) -> datetime.date | None:
    """When the monthly review was last held, if it is due again (None:
    not due, or nothing to review). An open sheet never reviewed counts
    from its creation."""
    today = today or timezone.localdate()
    last_dates = [
        sheet.last_reviewed_on or timezone.localtime(sheet.created_at).date()
        for sheet in open_sheets
    ]
    if not last_dates:
        return None
    oldest = min(last_dates)
    return oldest if (today - oldest).days >= MONTHLY else None


# -- what users read: the poster and the public page ------------------------------


def public_url(structure: Structure) -> str:
    return settings.SITE_URL.rstrip("/") + reverse("actions:public", args=[structure.code])


def public_sheet(sheet: ActionSheet) -> dict:
    if sheet.status == ActionStatus.DONE:
        when = f"Réalisée en {month_year(sheet.closed_on)}" if sheet.closed_on else "Réalisée"
    elif sheet.is_late():
        # Its planned end has passed: said plainly, never hidden.
        when = f"En cours · fin prévue en {month_year(sheet.planned_end_date)}, dépassée"
    else:
        when = f"En cours · fin prévue en {month_year(sheet.planned_end_date)}"
    return {
        "number": sheet.number,
        "title": sheet.title,
        "commitment": sheet.commitment,
        "objective": sheet.objective,
        "done": sheet.status == ActionStatus.DONE,
        "when": when,
        "users_asked": sheet.users_asked,
    }


def display_context(structure: Structure, *, limit: int | None = None) -> dict:
    """The commitments, the latest results and the actions under way or
    done: what the poster and the public page show. Never a person's name,
    a review note or an action not yet started."""
    last = latest_validated(structure)
    report = last.result.report if last else None
    version = (
        last.version
        if last
        else QuestionnaireVersion.objects.get(pk=settings.CURRENT_QUESTIONNAIRE).questionnaire()
    )
    scores = {c["number"]: c["display"] for c in report["commitments"]} if report else {}
    commitments = [
        {"number": c.number, "title": c.title, "display": scores.get(c.number)}
        for c in version.commitments
    ]
    sheets = list(
        ActionSheet.objects.for_structure(structure)
        .public()
        .select_related("structure")
        .order_by("number")
    )
    under_way = sorted(
        (s for s in sheets if s.status == ActionStatus.IN_PROGRESS),
        key=lambda s: (s.planned_end_date, s.number),
    )
    done = sorted(
        (s for s in sheets if s.status == ActionStatus.DONE),
        key=lambda s: (s.closed_on or datetime.date.min, s.number),
        reverse=True,
    )
    shown_under_way, shown_done = under_way, done
    if limit is not None:
        shown_under_way = under_way[:limit]
        shown_done = done[: max(0, limit - len(shown_under_way))]
    hidden = len(under_way) + len(done) - len(shown_under_way) - len(shown_done)
    plan = ActionPlan.objects.filter(structure=structure).first()
    return {
        "structure": structure,
        "commitments": commitments,
        "last": last,
        "validated_on": long_date(last.validated_at) if last else "",
        "global_display": report["global"]["display"] if report else "",
        "global_evaluated": bool(report and report["global"]["score"] is not None),
        "under_way": [public_sheet(s) for s in shown_under_way],
        "done": [public_sheet(s) for s in shown_done],
        "hidden_count": hidden,
        "action_count": len(under_way) + len(done),
        "is_public": bool(plan and plan.is_public),
        "public_url": public_url(structure),
        "generated_on": long_date(timezone.localdate()),
    }


# -- the results page: proposals, and the actions done beside each change ----------


def done_since_previous(diagnostic: Diagnostic, previous: Diagnostic | None) -> dict:
    """The structure's actions done between the previous validated
    diagnostic and this one (a draft: until today), by commitment of this
    diagnostic's version; those of another version apart."""
    after = timezone.localtime(previous.validated_at).date() if previous else None
    until = timezone.localtime(diagnostic.validated_at).date() if diagnostic.validated_at else None
    sheets = (
        ActionSheet.objects.for_structure(diagnostic.structure)
        .done_between(after, until)
        .order_by("closed_on", "number")
    )
    by_commitment: dict[int, list[ActionSheet]] = {}
    other_version = []
    for sheet in sheets:
        if sheet.questionnaire_id == diagnostic.questionnaire_id:
            by_commitment.setdefault(sheet.commitment, []).append(sheet)
        else:
            other_version.append(sheet)
    return {"by_commitment": by_commitment, "other_version": other_version}
