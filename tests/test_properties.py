"""Properties of the engine on random complete answer sheets (hypothesis),
on the test questionnaire and on the shipped 2026 version."""

from fractions import Fraction

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from autodiag.questionnaires.loader import load_questionnaire
from autodiag.questionnaires.schema import NO, NOT_APPLICABLE, SCALE_VALUES, YES, QuestionType
from autodiag.scoring.engine import score
from autodiag.scoring.report import Status

from .conftest import DATA
from .strategies import answer_sheets

QUESTIONNAIRES = {
    "mini": load_questionnaire(DATA / "mini.yaml"),
    "sp-plus-2026": load_questionnaire("sp-plus-2026"),
}

PROPERTY = settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])


def sheets():
    return st.sampled_from(sorted(QUESTIONNAIRES)).flatmap(
        lambda name: st.tuples(st.just(QUESTIONNAIRES[name]), answer_sheets(QUESTIONNAIRES[name]))
    )


def all_ratios(report):
    yield report.global_ratio
    for commitment in report.commitments:
        yield commitment.ratio
        yield from (theme.ratio for theme in commitment.themes)
    yield from (channel.ratio for channel in report.channels)


@PROPERTY
@given(sheets())
def test_scores_stay_within_0_and_100(case):
    questionnaire, answers = case
    report = score(questionnaire, answers)
    assert report.complete
    ratios = [ratio for ratio in all_ratios(report) if ratio is not None]
    assert all(isinstance(ratio, Fraction) and 0 <= ratio <= 1 for ratio in ratios)


def improved(question, answer):
    """A strictly better answer to the same question, or None."""
    if question.type is QuestionType.SCALE:
        better = [value for value in SCALE_VALUES if value > answer]
        return better[0] if better else None
    if question.type is QuestionType.CHOICE:
        current = question.option(answer).value
        better = [o for o in question.options if o.value > current]
        return better[0].id if better else None
    no_rows = [item_id for item_id, row in answer.items() if row == NO]
    return {**answer, no_rows[0]: YES} if no_rows else None


@PROPERTY
@given(sheets(), st.randoms(use_true_random=False))
def test_improving_one_answer_never_lowers_its_commitment(case, rnd):
    questionnaire, answers = case
    before = score(questionnaire, answers)
    candidates = [r.question for r in before.questions.values() if r.status is Status.SCORED]
    rnd.shuffle(candidates)
    for question in candidates:
        better = improved(question, answers[question.id])
        if better is None:
            continue
        after = score(questionnaire, {**answers, question.id: better})
        number = question.commitment
        ratio = {c.number: c.ratio for c in before.commitments}[number]
        assert {c.number: c.ratio for c in after.commitments}[number] >= ratio
        assert after.global_ratio >= before.global_ratio
        return


@PROPERTY
@given(sheets(), st.randoms(use_true_random=False))
def test_not_applicable_leaves_other_questions_unchanged(case, rnd):
    questionnaire, answers = case
    offered = [q for q in questionnaire.questions() if q.not_applicable and q.id in answers]
    if not offered:
        return
    question = rnd.choice(offered)
    before = score(questionnaire, answers)
    after = score(questionnaire, {**answers, question.id: NOT_APPLICABLE})
    assert after.questions[question.id].maximum == 0
    for question_id, result in before.questions.items():
        if question_id != question.id:
            assert after.questions[question_id].points == result.points
            assert after.questions[question_id].maximum == result.maximum


@PROPERTY
@given(sheets(), st.randoms(use_true_random=False))
def test_answer_order_does_not_matter(case, rnd):
    questionnaire, answers = case
    items = list(answers.items())
    rnd.shuffle(items)
    assert score(questionnaire, dict(items)).to_json() == score(questionnaire, answers).to_json()
