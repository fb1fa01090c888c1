"""Action sheets as objects: numbering per structure, state changes and
their rules, dated reviews, lateness, and the named queries."""

import datetime

import pytest
from django.db import IntegrityError, transaction
from django.utils import timezone

from autodiag.actions.enums import ActionStatus
from autodiag.actions.models import ActionError, ActionPlan, ActionReview, ActionSheet

pytestmark = pytest.mark.django_db


def days(n: int) -> datetime.date:
    return timezone.localdate() + datetime.timedelta(days=n)


def new_sheet(structure, version, by, **fields):
    values = {
        "questionnaire": version,
        "commitment": 5,
        "theme": "clarte",
        "title": "Relire les courriers types en langage clair",
        "responsible": by,
        "start_date": days(-10),
        "planned_end_date": days(60),
        "problem": "Des courriers que les usagers ne comprennent pas.",
        "objective": "Des courriers clairs.",
        # Written a month ago, so that reviews may be dated in the past.
        "created_at": timezone.now() - datetime.timedelta(days=30),
    }
    values.update(fields)
    return ActionSheet.objects.create_for(structure, by=by, **values)


# -- numbering -------------------------------------------------------------------


def test_numbers_are_sequential_per_structure(structure, other_structure, version, agent):
    first = new_sheet(structure, version, agent)
    second = new_sheet(structure, version, agent)
    elsewhere = new_sheet(other_structure, version, agent)
    assert (first.number, second.number, elsewhere.number) == (1, 2, 1)
    assert ActionPlan.objects.get(structure=structure).last_number == 2


def test_a_deleted_sheets_number_is_never_given_again(structure, version, agent):
    new_sheet(structure, version, agent)
    second = new_sheet(structure, version, agent)
    second.delete()
    assert new_sheet(structure, version, agent).number == 3


def test_the_database_refuses_two_sheets_with_one_number(structure, version, agent):
    sheet = new_sheet(structure, version, agent)
    with pytest.raises(IntegrityError), transaction.atomic():
        ActionSheet.objects.create(
            structure=structure,
            number=sheet.number,
            questionnaire=version,
            commitment=1,
            title="Doublon",
            start_date=days(0),
            planned_end_date=days(1),
            problem="p",
            objective="o",
        )


def test_the_database_refuses_an_end_before_the_start(structure, version, agent):
    with pytest.raises(IntegrityError), transaction.atomic():
        new_sheet(structure, version, agent, start_date=days(5), planned_end_date=days(4))


def test_contributors_are_recorded(structure, version, agent, manager):
    sheet = new_sheet(structure, version, agent, contributors=[agent, manager])
    assert set(sheet.contributors.all()) == {agent, manager}


def test_wording_comes_from_the_questionnaire_version(structure, version, agent):
    sheet = new_sheet(structure, version, agent, commitment=5, theme="clarte")
    assert sheet.commitment_title == "Vous disposez d’une information claire, simple et accessible"
    assert sheet.theme_title == "Clarté de l’information"
    whole = new_sheet(structure, version, agent, commitment=8, theme="")
    assert whole.theme_title == ""


# -- state changes ---------------------------------------------------------------


def test_a_new_sheet_is_to_start(structure, version, agent):
    sheet = new_sheet(structure, version, agent)
    assert sheet.status == ActionStatus.TO_START and sheet.progress == 0 and sheet.is_open


def test_start_complete_reopen_abandon(structure, version, agent):
    sheet = new_sheet(structure, version, agent)
    sheet.start()
    assert sheet.status == ActionStatus.IN_PROGRESS
    with pytest.raises(ActionError):
        sheet.start()  # already started
    sheet.complete(on=days(-1))
    assert (sheet.status, sheet.progress, sheet.closed_on) == (ActionStatus.DONE, 100, days(-1))
    assert not sheet.is_open
    sheet.reopen()
    assert sheet.status == ActionStatus.IN_PROGRESS and sheet.closed_on is None
    with pytest.raises(ActionError):
        sheet.reopen()  # open already
    sheet.abandon(on=days(0))
    assert sheet.status == ActionStatus.ABANDONED and sheet.closed_on == days(0)


def test_a_done_action_cannot_be_abandoned(structure, version, agent):
    sheet = new_sheet(structure, version, agent)
    sheet.complete()
    with pytest.raises(ActionError) as error:
        sheet.abandon()
    assert "réalisée" in str(error.value) and "abandonnée" in str(error.value)


# -- reviews ----------------------------------------------------------------------


def test_a_review_records_state_progress_and_note(structure, version, agent):
    sheet = new_sheet(structure, version, agent)
    review = sheet.record_review(
        by=agent, on=days(0), status=ActionStatus.IN_PROGRESS, progress=30, note="Lancée."
    )
    sheet.refresh_from_db()
    assert (sheet.status, sheet.progress, sheet.updated_by) == (ActionStatus.IN_PROGRESS, 30, agent)
    assert (review.status_before, review.status, review.progress, review.note) == (
        ActionStatus.TO_START,
        ActionStatus.IN_PROGRESS,
        30,
        "Lancée.",
    )
    assert review.status_changed and review.by == agent and review.reviewed_on == days(0)


def test_a_review_marking_done_sets_progress_to_100_and_the_date(structure, version, agent):
    sheet = new_sheet(structure, version, agent)
    sheet.record_review(by=agent, on=days(-2), status=ActionStatus.DONE, progress=60)
    sheet.refresh_from_db()
    assert (sheet.status, sheet.progress, sheet.closed_on) == (ActionStatus.DONE, 100, days(-2))


@pytest.mark.parametrize(
    ("status", "progress", "note", "field", "words"),
    [
        (ActionStatus.TO_START, 20, "", "progress", "à lancer n’a pas encore d’avancement"),
        (ActionStatus.ABANDONED, 0, "  ", "note", "pourquoi l’action est abandonnée"),
    ],
)
def test_review_rules(structure, version, agent, status, progress, note, field, words):
    sheet = new_sheet(structure, version, agent)
    problems = sheet.review_problems(on=days(0), status=status, progress=progress, note=note)
    assert list(problems) == [field] and words in problems[field]
    with pytest.raises(ActionError):
        sheet.record_review(by=agent, on=days(0), status=status, progress=progress, note=note)
    assert not ActionReview.objects.exists()


def test_a_review_cannot_be_in_the_future_nor_before_the_sheet(structure, version, agent):
    sheet = new_sheet(structure, version, agent)
    future = sheet.review_problems(on=days(1), status=sheet.status, progress=0, note="")
    assert "futur" in future["reviewed_on"]
    past = sheet.review_problems(on=days(-31), status=sheet.status, progress=0, note="")
    assert "précède la création" in past["reviewed_on"]


def test_a_closed_action_only_goes_back_to_in_progress(structure, version, agent):
    sheet = new_sheet(structure, version, agent)
    sheet.record_review(by=agent, on=days(0), status=ActionStatus.DONE, progress=100)
    problems = sheet.review_problems(
        on=days(0), status=ActionStatus.ABANDONED, progress=100, note="x"
    )
    assert "ne peut que reprendre" in problems["status"]
    sheet.record_review(by=agent, on=days(0), status=ActionStatus.IN_PROGRESS, progress=90)
    sheet.refresh_from_db()
    assert sheet.status == ActionStatus.IN_PROGRESS and sheet.closed_on is None


def test_abandoning_needs_a_note_only_when_it_happens(structure, version, agent):
    sheet = new_sheet(structure, version, agent)
    sheet.record_review(
        by=agent, on=days(0), status=ActionStatus.ABANDONED, progress=0, note="Plus utile."
    )
    # Reviewed again while abandoned: no new reason needed.
    assert not sheet.review_problems(on=days(0), status=ActionStatus.ABANDONED, progress=0, note="")


# -- lateness and queries -------------------------------------------------------------


def test_late_detection(structure, version, agent):
    on_time = new_sheet(structure, version, agent, planned_end_date=days(0))
    late = new_sheet(structure, version, agent, start_date=days(-30), planned_end_date=days(-3))
    done_late = new_sheet(
        structure, version, agent, start_date=days(-30), planned_end_date=days(-3)
    )
    done_late.record_review(by=agent, on=days(0), status=ActionStatus.DONE, progress=100)
    assert not on_time.is_late()  # due today: not late yet
    assert late.is_late() and late.days_late() == 3
    assert late.days_late(today=days(-3)) == 0  # on the planned end day itself
    done_late.refresh_from_db()
    assert not done_late.is_late() and done_late.days_late() == 0
    assert list(ActionSheet.objects.late()) == [late]
    assert list(ActionSheet.objects.late(today=days(10))) == [on_time, late]


def test_named_queries(structure, version, agent, manager):
    a = new_sheet(structure, version, agent, commitment=1, responsible=manager)
    b = new_sheet(structure, version, agent, commitment=5)
    c = new_sheet(structure, version, agent, commitment=5)
    b.record_review(by=agent, on=days(0), status=ActionStatus.IN_PROGRESS, progress=10)
    c.record_review(by=agent, on=days(-1), status=ActionStatus.DONE, progress=100)
    sheets = ActionSheet.objects.for_structure(structure)
    assert set(sheets.open()) == {a, b}
    assert set(sheets.closed()) == set(sheets.done()) == {c}
    assert set(sheets.public()) == {b, c}
    assert set(sheets.serving(5)) == {b, c}
    assert set(sheets.led_by(manager.pk)) == {a}
    assert set(sheets.with_status(ActionStatus.TO_START)) == {a}
    assert set(sheets.done_between(days(-2), days(0))) == {c}
    assert not sheets.done_between(days(-1), None).exists()  # strictly after
    assert set(sheets.done_between(None, days(-1))) == {c}
    shown = {s.number: s for s in sheets.for_display()}
    assert shown[b.number].last_reviewed_on == days(0)
    assert shown[a.number].last_reviewed_on is None


def test_publishing_the_plan(structure, manager):
    plan = ActionPlan.objects.of(structure)
    assert not plan.is_public
    plan.publish(manager)
    plan.refresh_from_db()
    assert plan.is_public and plan.public_changed_by == manager and plan.public_changed_at
    plan.unpublish(manager)
    plan.refresh_from_db()
    assert not plan.is_public
