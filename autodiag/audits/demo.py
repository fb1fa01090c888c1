"""The audit part of `autodiag demo`: the label's grid recorded, and a demo
auditor with access to the demo CAF from a week ago to two months ahead,
so that the whole journey can be tried at once (the team prepares, the
auditor scores and validates, the team compares)."""

from __future__ import annotations

import datetime

from django.utils import timezone

from autodiag.audits.models import Audit
from autodiag.questionnaires.loader import load_questionnaire
from autodiag.questionnaires.models import QuestionnaireVersion

AUDITOR = (
    "auditeur@demo.autodiag.fr",
    "Claude",
    "Moreau",
    "auditeur du label : audite la CAF du Rhône (« Audits du label »)",
)
OPEN_BEFORE = datetime.timedelta(days=7)
OPEN_AFTER = datetime.timedelta(days=60)


def demo_audit(structure, granted_by, person) -> list[tuple[str, str, str, str]]:
    """Record the grid, give the demo auditor access to `structure`, and
    return the account to print. `person(email, first, last)` is the demo
    command's way of getting a demo user. Idempotent: a demo audit still in
    progress whose period is over is reopened around today."""
    grid, _ = QuestionnaireVersion.record(load_questionnaire("audit-label-2026"))
    auditor = person(*AUDITOR[:3])
    today = timezone.localdate()
    audit = Audit.objects.filter(structure=structure, auditor=auditor).order_by("-pk").first()
    if audit is None:
        Audit.objects.grant(
            structure, auditor, today - OPEN_BEFORE, today + OPEN_AFTER, by=granted_by, grid=grid
        )
    elif audit.is_draft and not audit.period_open(today):
        audit.starts_on, audit.ends_on = today - OPEN_BEFORE, today + OPEN_AFTER
        audit.save(update_fields=["starts_on", "ends_on"])
    return [AUDITOR]
