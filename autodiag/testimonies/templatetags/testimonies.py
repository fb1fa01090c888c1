"""What users said, beside the results and the action proposals (the
results page and `actions/_results_actions.html` load this library; the
reports and actions apps import nothing of this one), and the links to
listening from a structure's pages."""

from __future__ import annotations

import datetime

from django import template
from django.utils import timezone

from autodiag.actions.enums import ActionStatus
from autodiag.permissions import can_read_testimonies
from autodiag.structures.models import Structure
from autodiag.testimonies.enums import COMMITMENT_WORDS
from autodiag.testimonies.models import Testimony
from autodiag.testimonies.statistics import dashboard

register = template.Library()
QUOTES_PER_COMMITMENT = 2
_CACHE_KEY = "testimonies-users-said"


def _period_of(diagnostic):
    """The twelve months up to the diagnostic's validation (or today)."""
    end = (
        timezone.localdate(diagnostic.validated_at)
        if diagnostic.validated_at
        else timezone.localdate()
    )
    return end - datetime.timedelta(days=365), end


def _figures(context, structure, start, end):
    cached = context.render_context.get(_CACHE_KEY)
    if cached is None:
        cached = dashboard(Structure.objects.filter(pk=structure.pk).values("pk"), start, end)
        context.render_context[_CACHE_KEY] = cached
    return cached


def _percent(value):
    return "—" if value is None else f"{value:.0f}\u00a0%"


@register.inclusion_tag("testimonies/_users_said.html", takes_context=True)
def users_said(context):
    """The results page's « Ce que disent les usagers »: per commitment,
    the count, the shares and the latest verbatims (masked text)."""
    diagnostic = context["diagnostic"]
    structure = diagnostic.structure
    user = context.request.user
    if not can_read_testimonies(user, structure):
        return {"shown": False}
    start, end = _period_of(diagnostic)
    figures = _figures(context, structure, start, end)
    latest = (
        Testimony.objects.for_structure(structure)
        .kept()
        .received_between(start, end)
        .exclude(commitments=0)
        .newest_first()[:200]
    )
    quotes: dict[int, list] = {}
    for testimony in latest:
        for number in testimony.commitment_numbers:
            if len(quotes.setdefault(number, [])) < QUOTES_PER_COMMITMENT:
                quotes[number].append(testimony)
    rows = [
        {
            "number": int(row.key),
            "words": COMMITMENT_WORDS[int(row.key)],
            "total": row.total,
            "satisfied": _percent(row.satisfied_share),
            "dissatisfied": _percent(row.dissatisfied_share),
            "quotes": quotes.get(int(row.key), []),
        }
        for row in figures.commitments
    ]
    return {
        "shown": True,
        "structure": structure,
        "rows": rows,
        "total": figures.total,
        "start": start,
        "end": end,
    }


@register.simple_tag(takes_context=True)
def users_said_about(context, structure, commitment) -> str:
    """One sentence for an action proposal: what users said of the commitment."""
    user = context.request.user
    if not can_read_testimonies(user, structure):
        return ""
    diagnostic = context.get("diagnostic")
    start, end = _period_of(diagnostic) if diagnostic else (None, timezone.localdate())
    if start is None:
        start = end - datetime.timedelta(days=365)
    figures = _figures(context, structure, start, end)
    row = next((r for r in figures.commitments if r.key == str(commitment)), None)
    if row is None or not row.total:
        return "Aucun témoignage d’usager sur cet engagement dans l’année."
    return (
        f"Ce qu’en disent les usagers : {row.total} témoignage{'s' if row.total > 1 else ''} "
        f"dans l’année, {_percent(row.satisfied_share)} de satisfaits, "
        f"{_percent(row.dissatisfied_share)} d’insatisfaits."
    )


PUBLIC_PAGE_TESTIMONIES = 5


@register.inclusion_tag("testimonies/_public_section.html", takes_context=True)
def public_testimonies(context, structure):
    """The structure's public page: its latest published testimonies with
    their answers, and the way to leave one."""
    from autodiag.permissions import can_leave_testimony
    from autodiag.testimonies.models import Listening

    listening = Listening.objects.filter(structure=structure).first()
    published = Testimony.objects.for_structure(structure).published().select_related("action")
    return {
        "structure": structure,
        "listening": listening,
        "open": listening is not None and can_leave_testimony(structure),
        "latest": list(published.newest_first()[:PUBLIC_PAGE_TESTIMONIES]),
        "loops": list(
            published.filter(action__status=ActionStatus.DONE).order_by(
                "-action__closed_on", "-pk"
            )[:PUBLIC_PAGE_TESTIMONIES]
        ),
        "count": published.count(),
        "marked": set(),
        "csrf_token": context.get("csrf_token"),
    }


@register.inclusion_tag("testimonies/_poster_banner.html")
def poster_banner(structure):
    """The poster's banner « Je donne mon avis avec Services Publics+ »
    (grid 7.1): the short link and its QR code, when testimonies are open."""
    import segno

    from autodiag.permissions import can_leave_testimony
    from autodiag.testimonies.models import Listening

    if not can_leave_testimony(structure):
        return {"shown": False}
    listening = Listening.objects.of(structure)
    code = segno.make(listening.short_url, error="m")
    return {
        "shown": True,
        "listening": listening,
        "qr_uri": code.svg_data_uri(scale=4, title="Code QR", omitsize=False),
    }
