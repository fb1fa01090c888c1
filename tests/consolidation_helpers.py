"""Building consolidation data quickly in tests: validated diagnostics with
chosen figures (Score rows, a report with national questions and texts,
their line of figures), without answering a whole questionnaire."""

from __future__ import annotations

import datetime
from decimal import Decimal

from django.core.cache import cache
from django.utils import timezone

from autodiag.accounts.models import User
from autodiag.consolidation.layout import QUESTION, layout_of
from autodiag.consolidation.models import ResultLine
from autodiag.diagnostics.models import Diagnostic, Result, Score
from autodiag.structures.enums import ScopeKind
from autodiag.structures.models import Network, Scope, Structure

from .conftest import PASSWORD


def clear_choices_cache():
    cache.clear()


def owner() -> User:
    user = User.objects.filter(email="createur@test.fr").first()
    return user or User.objects.create_user(email="createur@test.fr", password=PASSWORD)


def structure(code, network="CNAF", department="69", region="84", kind="Agence d’accueil"):
    network_obj, _ = Network.objects.get_or_create(name=network)
    return Structure.objects.create(
        code=code,
        name=f"Structure {code}",
        network=network_obj,
        typology="operateur",
        structure_type=kind,
        department_code=department,
        region_code=region,
    )


def head(email, kind=ScopeKind.NETWORK, network=None, regions=(), departments=()):
    user = User.objects.create_user(email=email, password=PASSWORD)
    Scope.objects.create(
        user=user, kind=kind, network=network, regions=list(regions), departments=list(departments)
    )
    return user


def diagnostic_with_figures(
    structure, version, validated_at: datetime.datetime, figures: dict, questions=None, texts=None
) -> Diagnostic:
    """A validated diagnostic whose frozen figures are `figures` (name →
    Decimal percent or None, names as `Figure.name`; absent: no Score row)
    and national questions `questions` (id → (points, max) or None)."""
    diagnostic = Diagnostic.objects.create(
        structure=structure,
        questionnaire=version,
        created_by=owner(),
        status="validated",
        validated_at=validated_at,
        validated_by=owner(),
    )
    scores = []
    for name, value in figures.items():
        kind, _, key = name.partition(":")
        scores.append(Score(diagnostic=diagnostic, kind=kind, key=key, score=value))
    Score.objects.bulk_create(scores)
    report = {
        "format": 1,
        "questions": [
            {
                "id": qid,
                "status": "scored" if pair else "not_applicable",
                "points": pair[0] if pair else 0,
                "max_points": pair[1] if pair else None,
            }
            for qid, pair in (questions or {}).items()
        ],
        "texts": texts or {},
        "global": {"score": float(figures.get("global") or 0)},
    }
    Result.objects.create(
        diagnostic=diagnostic,
        questionnaire_hash=version.content_hash,
        global_score=figures.get("global"),
        report=report,
    )
    ResultLine.objects.record_result(diagnostic, scores, report)
    return diagnostic


def figure_names(version, with_questions=False):
    layout = layout_of(version.questionnaire())
    return [f.name for f in layout.figures if with_questions or f.kind != QUESTION]


def days_ago(days: int, hour: int = 12) -> datetime.datetime:
    moment = timezone.localtime() - datetime.timedelta(days=days)
    return moment.replace(hour=hour, minute=0, second=0, microsecond=0)


def percent(value) -> Decimal:
    return Decimal(str(value))
