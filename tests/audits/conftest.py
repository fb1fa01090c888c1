"""Fixtures and helpers of the audit tests; the personas (structure,
agent, manager, outsider…) come from tests/conftest.py."""

from __future__ import annotations

import datetime

import pytest
from django.utils import timezone

from autodiag.questionnaires.loader import load_questionnaire

from ..conftest import PASSWORD

GRID = "audit-label-2026"


@pytest.fixture
def grid_version(db):
    from autodiag.questionnaires.models import QuestionnaireVersion

    return QuestionnaireVersion.record(load_questionnaire(GRID))[0]


def make_user(email, first_name="Prénom", last_name="Nom"):
    from autodiag.accounts.models import User

    return User.objects.create_user(
        email=email, password=PASSWORD, first_name=first_name, last_name=last_name
    )


@pytest.fixture
def auditor(db):
    return make_user("auditeur@certification.test", "Claude", "Moreau")


@pytest.fixture
def national(db):
    from autodiag.structures.enums import ScopeKind
    from autodiag.structures.models import Scope

    user = make_user("admin@ditp.test", "Sam", "Lefèvre")
    Scope.objects.create(user=user, kind=ScopeKind.NATIONAL)
    return user


def today():
    return timezone.localdate()


@pytest.fixture
def audit(structure, auditor, grid_version, national):
    """An audit of the CAF agency, open from a week ago to a month ahead."""
    from autodiag.audits.models import Audit

    return Audit.objects.grant(
        structure,
        auditor,
        today() - datetime.timedelta(days=7),
        today() + datetime.timedelta(days=30),
        by=national,
        grid=grid_version,
    )


def score_everything(audit, by, value="0.75", skip=()):
    """Score every point that applies (and answer the profile)."""
    if "controle-recouvrement" not in audit.stored_answers():
        audit.save_profile("controle-recouvrement", "oui", by)
    for question in audit.version.questions():
        if question.scored and question.id not in skip:
            audit.save_point(question.id, value, f"Preuve {question.id}", "", by)


@pytest.fixture
def validated_audit(audit, auditor):
    score_everything(audit, auditor)
    audit.validate(by=auditor)
    return audit
