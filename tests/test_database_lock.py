"""The database's own lock of validated diagnostics, their frozen results
and lines of figures (issue 12, finding 1), tried by direct SQL as the
application's database user: each statement is refused and nothing moves."""

import pytest
from django.db import DatabaseError, connection, transaction

from autodiag.consolidation.models import ResultLine
from autodiag.diagnostics.models import Diagnostic, Result, Score

postgres_only = pytest.mark.skipif(
    connection.vendor != "postgresql", reason="SQLite keeps DELETE to the models (migrations)"
)


def refused(sql: str, params=()):
    with pytest.raises(DatabaseError), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(sql, params)


@pytest.fixture
def other_draft(other_structure, version, agent):
    return Diagnostic.objects.start(other_structure, by=agent, questionnaire=version)


def test_an_answer_cannot_be_moved_out_of_a_validated_diagnostic(validated, other_draft):
    answer = validated.answers.exclude(question_id__startswith="structure-").first()
    refused(
        "UPDATE diagnostics_answer SET diagnostic_id = %s WHERE id = %s",
        [other_draft.pk, answer.pk],
    )
    assert validated.answers.filter(pk=answer.pk).exists()


def test_a_validated_diagnostic_keeps_its_identity(validated, other_structure, agent):
    before = Diagnostic.objects.values().get(pk=validated.pk)
    refused(
        "UPDATE diagnostics_diagnostic SET structure_id = %s WHERE id = %s",
        [other_structure.pk, validated.pk],
    )
    refused(
        "UPDATE diagnostics_diagnostic SET validated_at = validated_at - interval '1 day' WHERE id = %s"
        if connection.vendor == "postgresql"
        else "UPDATE diagnostics_diagnostic SET validated_at = '2001-01-01 00:00:00' WHERE id = %s",
        [validated.pk],
    )
    refused(
        "UPDATE diagnostics_diagnostic SET validated_by_id = %s WHERE id = %s",
        [agent.pk, validated.pk],
    )
    refused(
        "UPDATE diagnostics_diagnostic SET validated_by_id = NULL WHERE id = %s", [validated.pk]
    )
    assert Diagnostic.objects.values().get(pk=validated.pk) == before


def test_a_validated_diagnostic_may_still_be_dated_back_at_its_start(validated):
    """created_at is not part of the lock: the demonstration dates starts."""
    with connection.cursor() as cursor:
        cursor.execute(
            "UPDATE diagnostics_diagnostic SET created_at = %s WHERE id = %s",
            ["2020-01-01T00:00:00+00:00", validated.pk],
        )


def test_results_and_scores_are_frozen(validated):
    before = sorted(Score.objects.filter(diagnostic=validated).values_list("key", "score"))
    refused(
        "UPDATE diagnostics_result SET global_score = 1.5 WHERE diagnostic_id = %s", [validated.pk]
    )
    refused("UPDATE diagnostics_score SET score = 1.5 WHERE diagnostic_id = %s", [validated.pk])
    assert Result.objects.get(diagnostic=validated).global_score != 1.5
    assert sorted(Score.objects.filter(diagnostic=validated).values_list("key", "score")) == before


def test_lines_of_figures_are_frozen_but_their_end(validated, other_structure):
    line = ResultLine.objects.get(pk=validated.pk)
    refused(
        "UPDATE consolidation_resultline SET structure_id = %s WHERE diagnostic_id = %s",
        [other_structure.pk, validated.pk],
    )
    refused(
        "UPDATE consolidation_resultline SET figures = %s WHERE diagnostic_id = %s",
        [b"\x00\x00\x00\x00", validated.pk],
    )
    ResultLine.objects.filter(pk=line.pk).update(superseded_at=line.validated_at)
    assert bytes(ResultLine.objects.get(pk=line.pk).figures) == bytes(line.figures)


@postgres_only
def test_deletions_are_refused(validated):
    answer = validated.answers.first()
    refused("DELETE FROM diagnostics_answer WHERE id = %s", [answer.pk])
    refused("DELETE FROM diagnostics_score WHERE diagnostic_id = %s", [validated.pk])
    refused("DELETE FROM diagnostics_result WHERE diagnostic_id = %s", [validated.pk])
    refused("DELETE FROM consolidation_resultline WHERE diagnostic_id = %s", [validated.pk])
    refused("DELETE FROM diagnostics_diagnostic WHERE id = %s", [validated.pk])
    assert Score.objects.filter(diagnostic=validated).exists()
    assert ResultLine.objects.filter(pk=validated.pk).exists()


def test_a_draft_stays_free(draft, other_structure):
    Diagnostic.objects.filter(pk=draft.pk).update(structure=other_structure)
    assert Diagnostic.objects.get(pk=draft.pk).structure_id == other_structure.pk
