"""Template helpers of the audit pages, and the two hooks other templates
use: the header's menu entry and the block of a structure's page."""

from __future__ import annotations

import re

from django import template
from django.utils.html import escape, format_html_join
from django.utils.safestring import mark_safe

from autodiag.audits.context import anchor_of, audit_stage, period_text, risk_badge
from autodiag.audits.models import Audit
from autodiag.permissions import can_compare_audit, can_prepare_audit, shows_audits_menu

register = template.Library()


@register.filter
def rich_text(text: str):
    """A grid text as HTML: paragraphs separated by a blank line, lines
    starting with "- " as a list (docs/questionnaire-format.md)."""
    blocks = []
    for block in (text or "").split("\n\n"):
        lines = [line.strip() for line in block.strip().splitlines() if line.strip()]
        if not lines:
            continue
        items = [line[2:] for line in lines if line.startswith("- ")]
        prose = [line for line in lines if not line.startswith("- ")]
        if prose:
            blocks.append(f"<p>{escape(' '.join(prose))}</p>")
        if items:
            blocks.append(
                "<ul>"
                + str(format_html_join("", "<li>{}</li>", ((item,) for item in items)))
                + "</ul>"
            )
    return mark_safe(french_spacing("".join(blocks)))  # every piece escaped above


def french_spacing(html: str) -> str:
    """No line break before « ; : ! ? » nor after « (the grid's texts are
    typed with plain spaces)."""
    html = re.sub(r" ([;:!?»])", "\u00a0\\1", html)
    return html.replace("« ", "«\u00a0")


@register.filter
def point_slug(point: str) -> str:
    """`1.10` -> `1-10`, `OR.3` -> `or-3`: the id fragment of a point."""
    return anchor_of(point)


@register.filter
def badge_of(risk: str) -> str:
    return risk_badge(risk)


@register.simple_tag
def audits_menu_shown(user) -> bool:
    return shows_audits_menu(user)


@register.inclusion_tag("audits/_structure_block.html", takes_context=True)
def audit_block(context, structure):
    """The "Audit du label" block of a structure's page: the audit in
    progress or the latest validated one, and the preparation page."""
    user = context["request"].user
    audits = list(Audit.objects.filter(structure=structure).order_by("-created_at")[:5])
    current = next((a for a in audits if a.is_draft), None)
    validated = [a for a in audits if not a.is_draft]
    latest = validated[0] if validated else None
    return {
        "structure": structure,
        "current": current,
        "current_period": period_text(current) if current else "",
        # How far the audit has gone, for the structure (no score before validation).
        "stage": audit_stage(current or latest) if (current or latest) else None,
        "latest": latest,
        "can_compare": bool(latest and can_compare_audit(user, latest)),
        "can_prepare": can_prepare_audit(user, structure),
    }
