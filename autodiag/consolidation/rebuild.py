"""Rebuilding `ResultLine` and `SiteText` from the frozen results (the
Score rows and the report's per-question points and texts): the backfill
of diagnostics validated before consolidation existed (migration 0002)
and `autodiag consolidation rebuild`. Lines already there are frozen like
the results they come from (migration 0005): only missing lines are
written, and every line's `superseded_at` is made true again.

Takes the model classes as arguments so that the migration can pass its
historical models.
"""

from __future__ import annotations

from collections import defaultdict
from itertools import pairwise

from autodiag.consolidation.figures import pack
from autodiag.consolidation.layout import layout_of
from autodiag.consolidation.lines import figures_row
from autodiag.questionnaires.loader import build_questionnaire

BATCH = 2000
STRENGTHS, SUPPORT_NEEDS = "points-forts", "besoins-appui"


def rebuild(models: dict, still_latest) -> int:
    """models: Diagnostic, Result, Score, QuestionnaireVersion, ResultLine,
    SiteText. Returns the number of lines written."""
    Diagnostic, Result, Score = models["Diagnostic"], models["Result"], models["Score"]
    ResultLine, SiteText = models["ResultLine"], models["SiteText"]
    versions = {
        v.pk: build_questionnaire(v.document, file_name=v.pk)
        for v in models["QuestionnaireVersion"].objects.all()
    }
    SiteText.objects.all().delete()
    existing = dict(ResultLine.objects.values_list("pk", "superseded_at"))
    validated = list(
        Diagnostic.objects.filter(status="validated").values_list(
            "pk", "structure_id", "questionnaire_id", "validated_at"
        )
    )
    superseded = {}
    by_key = defaultdict(list)
    for pk, structure_id, version_id, moment in validated:
        by_key[(structure_id, version_id)].append((moment, pk))
    for rows in by_key.values():
        rows.sort()
        for (_, pk), (next_moment, _) in pairwise(rows):
            superseded[pk] = next_moment
    for pk, moment in existing.items():
        expected = superseded.get(pk, still_latest)
        if moment != expected:
            ResultLine.objects.filter(pk=pk).update(superseded_at=expected)
    written = 0
    for start in range(0, len(validated), BATCH):
        chunk = validated[start : start + BATCH]
        ids = [row[0] for row in chunk]
        scores = defaultdict(list)
        for score in Score.objects.filter(diagnostic_id__in=ids):
            scores[score.diagnostic_id].append(score)
        reports = dict(
            Result.objects.filter(diagnostic_id__in=ids).values_list("diagnostic_id", "report")
        )
        lines, texts = [], []
        for pk, structure_id, version_id, moment in chunk:
            version = versions[version_id]
            report = reports.get(pk) or {}
            if pk not in existing:
                lines.append(
                    ResultLine(
                        diagnostic_id=pk,
                        structure_id=structure_id,
                        questionnaire_id=version_id,
                        validated_at=moment,
                        superseded_at=superseded.get(pk, still_latest),
                        figures=pack(figures_row(layout_of(version), scores[pk], report)),
                    )
                )
            for question_id, text in report.get("texts", {}).items():
                question = version.question(question_id)
                if (
                    question
                    and question.purpose in (STRENGTHS, SUPPORT_NEEDS)
                    and str(text).strip()
                ):
                    texts.append(
                        SiteText(
                            diagnostic_id=pk,
                            section_id=question.section_id,
                            purpose=question.purpose,
                            text=str(text).strip(),
                        )
                    )
        ResultLine.objects.bulk_create(lines)
        SiteText.objects.bulk_create(texts)
        written += len(lines)
    return written
