"""The diagnostic's rules, as model behaviour: one draft at a time, the
six-month rule, saving answers, validation, locking at every layer, and
starting again from last year's answers."""

import datetime
from decimal import Decimal

import pytest
from django.db import DatabaseError, IntegrityError, connection, transaction
from django.test import override_settings
from django.utils import timezone

from autodiag.diagnostics.models import (
    Answer,
    Diagnostic,
    DiagnosticError,
    LockedError,
    Score,
    TooEarlyError,
    add_months,
)
from autodiag.scoring.answers import AnswerValueError

from .conftest import example_answers, fill, validated_days_ago

pytestmark = pytest.mark.django_db


def test_one_draft_at_a_time(structure, version, agent, draft):
    with pytest.raises(DiagnosticError, match="déjà en cours"):
        Diagnostic.objects.start(structure, by=agent, questionnaire=version)


def test_the_database_refuses_a_second_draft(structure, version, agent, draft):
    with pytest.raises(IntegrityError), transaction.atomic():
        Diagnostic.objects.create(structure=structure, questionnaire=version, created_by=agent)


def test_a_new_diagnostic_waits_six_months_after_the_last_validation(
    structure, version, agent, validated
):
    with pytest.raises(TooEarlyError) as info:
        Diagnostic.objects.start(structure, by=agent, questionnaire=version)
    expected = timezone.localtime(add_months(validated.validated_at, 6)).date()
    assert info.value.next_date == expected
    assert expected.strftime("%d/%m/%Y") in str(info.value)


def test_six_months_later_a_new_diagnostic_can_start(structure, version, agent, manager, draft):
    validated_days_ago(draft, agent, manager, 213)
    assert Diagnostic.objects.start(structure, by=agent, questionnaire=version).is_draft


@override_settings(DIAGNOSTIC_MIN_MONTHS=1)
def test_the_waiting_time_is_a_setting(structure, version, agent, manager, draft):
    validated_days_ago(draft, agent, manager, 40)
    assert Diagnostic.objects.start(structure, by=agent, questionnaire=version).is_draft


@pytest.mark.parametrize(
    "start,months,expected",
    [
        ((2026, 8, 31), 6, (2027, 2, 28)),
        ((2026, 3, 13), 6, (2026, 9, 13)),
        ((2026, 10, 13), 1, (2026, 11, 13)),
        ((2027, 8, 31), 6, (2028, 2, 29)),
        ((2026, 12, 5), 1, (2027, 1, 5)),
    ],
)
def test_add_months(start, months, expected):
    assert add_months(datetime.datetime(*start, 10, 0), months) == datetime.datetime(
        *expected, 10, 0
    )


def test_saving_an_answer_records_who_and_when(draft, agent, manager):
    draft.save_answer("typologie", "operateur", agent)
    draft.save_answer("typologie", "etat", manager)  # the last write wins
    answer = draft.answers.get(question_id="typologie")
    assert answer.value == "etat" and answer.updated_by == manager


def test_saving_refuses_a_value_the_question_does_not_allow(draft, agent):
    with pytest.raises(AnswerValueError, match="hors de l'échelle"):
        draft.save_answer("controle-qualite-accueil", "0.5", agent)
    with pytest.raises(AnswerValueError, match="question inconnue"):
        draft.save_answer("question-fantome", "1", agent)
    assert not draft.answers.exclude(question_id__startswith="structure-").exists()


def test_saving_refuses_a_question_hidden_by_the_profile(draft, agent):
    draft.save_answer("canaux", ["accueil-physique"], agent)
    with pytest.raises(AnswerValueError, match="ne s’applique pas à votre structure"):
        draft.save_answer("svi-informations", {"coordonnees": "oui"}, agent)


def test_rows_of_unused_channels_are_dropped_on_save(draft, agent):
    draft.save_answer("canaux", ["accueil-physique"], agent)
    draft.save_answer("politesse-canaux", {"accueil": "oui", "telephone": "non"}, agent)
    assert draft.answers.get(question_id="politesse-canaux").value == {"accueil": "oui"}


def test_identity_comes_from_the_referential(draft, agent, structure):
    assert draft.answers.get(question_id="structure-code").value == structure.code
    with pytest.raises(AnswerValueError, match="référentiel des structures"):
        draft.save_answer("structure-nom", "Un autre nom", agent)


def test_blank_answer_clears_it_and_keeps_its_revision(draft, agent):
    draft.save_answer("accueil-bienveillant-points-forts", "Un accueil chaleureux", agent)
    draft.save_answer("accueil-bienveillant-points-forts", "", agent)
    assert "accueil-bienveillant-points-forts" not in draft.stored_answers()
    cleared = draft.answers.get(question_id="accueil-bienveillant-points-forts")
    assert cleared.value is None and cleared.cells[""]["r"] == 2


def test_validation_requires_every_displayed_answer(draft, agent, manager):
    fill(draft, agent, skip={"controle-qualite-accueil"})
    with pytest.raises(DiagnosticError, match="1\u00a0question sans réponse"):
        draft.validate(by=manager)
    assert Diagnostic.objects.get(pk=draft.pk).is_draft


def test_validation_freezes_the_report_at_once(validated):
    result = validated.result
    assert result.report["global"]["display"] == "76,4\u00a0%"
    assert result.global_score == Decimal("76.4334") or round(result.global_score, 1) == Decimal(
        "76.4"
    )
    assert result.questionnaire_hash == validated.questionnaire.content_hash
    commitment_rows = Score.objects.filter(diagnostic=validated, kind="commitment")
    assert commitment_rows.count() == 8
    assert Score.objects.filter(diagnostic=validated, kind="channel").count() == 5


def test_locked_answers_refused_by_the_model(validated, agent):
    with pytest.raises(LockedError):
        validated.save_answer("controle-qualite-accueil", "1", agent)
    answer = validated.answers.first()
    answer.value = "0"
    with pytest.raises(LockedError):
        answer.save()
    with pytest.raises(LockedError):
        answer.delete()


def test_locked_answers_refused_by_the_database(validated, agent):
    answer = validated.answers.first()
    with pytest.raises(DatabaseError), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("UPDATE diagnostics_answer SET value = %s WHERE id = %s", ['"0"', answer.pk])
    with pytest.raises(DatabaseError), transaction.atomic():
        Answer.objects.filter(pk=answer.pk).update(value="0")  # bypasses Answer.save
    with pytest.raises(DatabaseError), transaction.atomic():
        Answer.objects.bulk_create(
            [Answer(diagnostic=validated, question_id="nouvelle", value="1")]
        )
    assert Answer.objects.get(pk=answer.pk).value == answer.value


def test_a_validated_diagnostic_never_reopens(validated):
    with pytest.raises(DatabaseError), transaction.atomic():
        Diagnostic.objects.filter(pk=validated.pk).update(status="draft", validated_at=None)


def test_start_from_last_year_marks_answers_to_confirm(structure, version, agent, manager, draft):
    validated = validated_days_ago(draft, agent, manager, 365)
    new = Diagnostic.objects.start(structure, by=agent, questionnaire=version, prefill=True)
    assert new.prefilled_from_id == validated.pk
    assert new.answers.count() == validated.answers.count()
    assert new.answers.get(question_id="structure-nom").value == validated.structure.name
    assert all(a.to_confirm for a in new.answers.exclude(question_id__startswith="structure-"))
    assert new.report().complete  # every answer is there…
    with pytest.raises(DiagnosticError, match=r"réponses? reprises? à confirmer"):
        new.validate(by=manager)  # …but each must be confirmed


def test_confirming_or_changing_clears_to_confirm(structure, version, agent, manager, draft):
    validated_days_ago(draft, agent, manager, 365)
    new = Diagnostic.objects.start(structure, by=agent, questionnaire=version, prefill=True)
    new.confirm_answer("typologie", manager)
    new.save_answer("controle-qualite-accueil", "0.25", agent)
    remaining = set(new.to_confirm())
    assert "typologie" not in remaining and "controle-qualite-accueil" not in remaining
    for question_id in remaining:
        new.confirm_answer(question_id, agent)
    new.validate(by=manager)
    assert not Diagnostic.objects.get(pk=new.pk).is_draft


def test_prefill_needs_a_validated_diagnostic(structure, version, agent):
    with pytest.raises(DiagnosticError, match="Aucun diagnostic validé"):
        Diagnostic.objects.start(structure, by=agent, questionnaire=version, prefill=True)


def test_answers_to_hidden_questions_are_kept_but_not_counted(draft, agent):
    fill(draft, agent)
    before = draft.report()
    draft.save_answer("svi", "non", agent)  # the IVR questions disappear
    after = draft.report()
    assert draft.answers.filter(question_id="svi-informations").exists()
    assert after.questions["svi-informations"].status == "hidden"
    assert after.complete and before.complete
    draft.save_answer("svi", "oui", agent)  # and come back with their answers
    assert draft.report().questions["svi-informations"].status == "scored"


def test_example_sheet_is_complete_for_validation(draft, agent):
    fill(draft, agent, example_answers("caf-agence"))
    missing, to_confirm = draft.validation_problems()
    assert missing == [] and to_confirm == []


def test_a_free_text_answer_is_bounded(draft, agent):
    """Issue 12, finding 10: 10,000 characters at most, with a French message."""
    from autodiag.scoring.answers import MAX_TEXT_LENGTH

    fill(draft, agent)
    question_id = "accueil-physique-points-forts"
    draft.save_answer(question_id, "x" * MAX_TEXT_LENGTH, agent)
    with pytest.raises(
        AnswerValueError, match="texte trop long : 2000000 caractères, 10000 au plus"
    ):
        draft.save_answer(question_id, "y" * 2_000_000, agent)
    assert draft.answers.get(question_id=question_id).value == "x" * MAX_TEXT_LENGTH
