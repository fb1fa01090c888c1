"""The action part of a diagnostic's results page (`reports/results.html`
includes it with one tag): sheets proposed for the weakest themes, and each
commitment's change since the previous diagnostic beside the actions done
on it. The reports app imports nothing of this app: its template loads this
library, which reads what `reports.context.results_context` computed."""

from django import template
from django.urls import reverse
from django.utils import timezone

from autodiag.actions.models import ActionSheet
from autodiag.actions.plan import done_since_previous
from autodiag.actions.proposals import weakest_themes
from autodiag.actions.themes import theme_key
from autodiag.permissions import can_edit_action_plan
from autodiag.reports.context import long_date

register = template.Library()


@register.inclusion_tag("actions/_results_actions.html", takes_context=True)
def results_actions(context):
    diagnostic = context["diagnostic"]
    structure = diagnostic.structure
    user = context["request"].user
    previous = context.get("previous")
    can_edit = can_edit_action_plan(user, structure)

    existing: dict[tuple[int, str], list[ActionSheet]] = {}
    for sheet in ActionSheet.objects.for_structure(structure).filter(
        questionnaire_id=diagnostic.questionnaire_id
    ):
        existing.setdefault((sheet.commitment, sheet.theme), []).append(sheet)

    proposals = []
    if not diagnostic.is_draft:
        new_url = reverse("actions:new", args=[structure.code])
        for proposal in weakest_themes(
            diagnostic.result.report, diagnostic.version, diagnostic.normalized_answers()
        ):
            key = theme_key(proposal.commitment, proposal.section_id)
            proposals.append(
                {
                    "proposal": proposal,
                    "existing": existing.get((proposal.commitment, proposal.section_id), []),
                    "url": f"{new_url}?diagnostic={diagnostic.pk}&engagement={key}",
                    "id": f"piste-{proposal.commitment}-{proposal.section_id}",
                }
            )

    done = done_since_previous(diagnostic, previous)
    rows = [
        {"commitment": c, "done": done["by_commitment"].get(c["number"], [])}
        for c in context["commitments"]
    ]
    if previous:
        window = f"depuis le diagnostic validé le {long_date(previous.validated_at)}"
    else:
        window = "avant ce diagnostic" if not diagnostic.is_draft else "à ce jour"
    return {
        "diagnostic": diagnostic,
        "structure": structure,
        "is_draft": diagnostic.is_draft,
        "can_edit": can_edit,
        "proposals": proposals,
        "rows": rows,
        "other_version": done["other_version"],
        "done_count": sum(len(row["done"]) for row in rows) + len(done["other_version"]),
        "previous": previous,
        "previous_date": long_date(previous.validated_at) if previous else "",
        "change_header": context.get("change_header", "Évolution"),
        "window": window,
        "until": long_date(diagnostic.validated_at)
        if diagnostic.validated_at
        else long_date(timezone.localdate()),
        "has_sheets": bool(existing) or ActionSheet.objects.for_structure(structure).exists(),
    }
