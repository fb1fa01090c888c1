"""Scoring one diagnostic: (questionnaire, answers) -> Report.

Exact arithmetic without paying for Fractions on the hot path: each
questionnaire is compiled once into a plan where every possible number of
points is an integer count of a common unit (1/UNITS of a point). Sums are
then plain integer additions, and Fractions appear only when a report
figure is read. See docs/scoring.md for the rules.
"""

from __future__ import annotations

from dataclasses import dataclass
from fractions import Fraction
from math import lcm

from autodiag.questionnaires.schema import (
    NOT_APPLICABLE,
    UNAVAILABLE,
    YES,
    Question,
    Questionnaire,
    QuestionType,
    conditions_hold,
)
from autodiag.scoring.answers import item_displayed, profile_of, used_channels
from autodiag.scoring.report import (
    ChannelScore,
    CommitmentScore,
    QuestionResult,
    Report,
    Status,
    ThemeScore,
)


@dataclass(slots=True)
class _QuestionPlan:
    question: Question
    max_units: int
    theme_slot: int
    channel_slots: tuple[int, ...]
    # scale/choice: option id or Fraction -> units; lists: table of units by
    # count of "Oui" (None when proportional)
    value_units: dict | None
    rule_units: tuple[int, ...] | None
    # per item: (item, channel slot or -1)
    items: tuple


@dataclass(slots=True)
class _Plan:
    questionnaire: Questionnaire
    units: int
    questions: list[_QuestionPlan]
    themes: list[tuple[int, str]]  # slot -> (commitment, section id)
    channels: list[str]  # slot -> channel id
    profile_ids: list[str]
    required_profile: list[Question]
    texts: list[Question]


_PLANS: dict[tuple[str, str], _Plan] = {}


def plan_for(questionnaire: Questionnaire) -> _Plan:
    key = (questionnaire.id, questionnaire.content_hash)
    plan = _PLANS.get(key)
    if plan is None or plan.questionnaire is not questionnaire:
        plan = _PLANS[key] = _compile(questionnaire)
    return plan


def _denominators(question: Question):
    """Every denominator a point count of `question` can have."""
    weight = question.weight
    yield weight.denominator
    if question.type is QuestionType.SCALE:
        yield from ((weight * v).denominator for v in (Fraction(1, 4), Fraction(3, 4)))
    elif question.type is QuestionType.CHOICE:
        yield from ((weight * option.value).denominator for option in question.options)
    elif question.rule is not None:
        yield from ((weight * value).denominator for value in question.rule)
    else:
        # Proportional: k of n applicable items, any n up to the item count.
        for n in range(1, len(question.items) + 1):
            yield (weight / n).denominator


def _compile(questionnaire: Questionnaire) -> _Plan:
    scored = [q for q in questionnaire.questions() if q.scored]
    units = lcm(1, *(d for q in scored for d in _denominators(q)))
    theme_slots: dict[tuple[int, str], int] = {}
    channel_slots = {channel.id: slot for slot, channel in enumerate(questionnaire.channels)}
    plans = []
    for question in scored:
        max_units = int(question.weight * units)
        theme = theme_slots.setdefault((question.commitment, question.section_id), len(theme_slots))
        value_units = rule_units = None
        if question.type is QuestionType.SCALE:
            value_units = {v: int(v * max_units) for v in (0, Fraction(1, 4), Fraction(3, 4), 1)}
        elif question.type is QuestionType.CHOICE:
            value_units = {o.id: int(o.value * max_units) for o in question.options}
        elif question.rule is not None:
            rule_units = tuple(int(value * max_units) for value in question.rule)
        plans.append(
            _QuestionPlan(
                question=question,
                max_units=max_units,
                theme_slot=theme,
                channel_slots=tuple(channel_slots[c] for c in question.channels),
                value_units=value_units,
                rule_units=rule_units,
                items=tuple((item, channel_slots.get(item.channel, -1)) for item in question.items),
            )
        )
    profile_questions = [q for q in questionnaire.questions() if q.is_profile]
    return _Plan(
        questionnaire=questionnaire,
        units=units,
        questions=plans,
        themes=list(theme_slots),
        channels=[channel.id for channel in questionnaire.channels],
        profile_ids=[q.id for q in profile_questions],
        required_profile=profile_questions,
        texts=[q for q in questionnaire.questions() if q.type is QuestionType.TEXT],
    )


def score(questionnaire: Questionnaire, answers: dict) -> Report:
    """The report of a diagnostic. `answers` holds normalised values (see
    scoring.answers); unanswered displayed questions are listed as missing
    and count neither in the points nor in the maximum."""
    plan = plan_for(questionnaire)
    profile = profile_of(questionnaire, answers)
    channels_used = used_channels(questionnaire, profile)
    theme_points = [0] * len(plan.themes)
    theme_max = [0] * len(plan.themes)
    channel_points = [0] * len(plan.channels)
    channel_max = [0] * len(plan.channels)
    results: dict[str, QuestionResult] = {}
    missing: list[str] = [
        q.id
        for q in plan.required_profile
        if q.id not in answers and conditions_hold(q.conditions, profile)
    ]

    for qp in plan.questions:
        question = qp.question
        if question.conditions and not conditions_hold(question.conditions, profile):
            results[question.id] = QuestionResult(question, Status.HIDDEN, 0, 0, plan.units)
            continue
        if qp.items and not any(item_displayed(i, profile, channels_used) for i, _ in qp.items):
            # Every row is about a channel or case the structure does not have:
            # nothing to ask, nothing to count.
            results[question.id] = QuestionResult(question, Status.NO_APPLICABLE_ROW, 0, 0, plan.units)
            continue
        answer = answers.get(question.id)
        if answer is None:
            missing.append(question.id)
            results[question.id] = QuestionResult(question, Status.MISSING, 0, qp.max_units, plan.units)
            continue
        if answer == NOT_APPLICABLE:
            results[question.id] = QuestionResult(question, Status.NOT_APPLICABLE, 0, 0, plan.units)
            continue
        if qp.value_units is not None:
            points = qp.value_units[answer]
            row_shares = None
        else:
            points, row_shares, status = _score_list(qp, answer, profile, channels_used)
            if status is not None:
                if status is Status.MISSING:
                    missing.append(question.id)
                results[question.id] = QuestionResult(question, status, 0, 0, plan.units)
                continue
        maximum = qp.max_units
        results[question.id] = QuestionResult(question, Status.SCORED, points, maximum, plan.units)
        theme_points[qp.theme_slot] += points
        theme_max[qp.theme_slot] += maximum
        for slot in qp.channel_slots:
            channel_points[slot] += points
            channel_max[slot] += maximum
        if row_shares:
            for slot, share, yes in row_shares:
                channel_max[slot] += share
                if yes:
                    channel_points[slot] += share

    return _report(plan, profile, answers, results, missing,
                   theme_points, theme_max, channel_points, channel_max)  # fmt: skip


def _score_list(qp: _QuestionPlan, rows: dict, profile: dict, channels_used: frozenset):
    """Points of a Yes/No list: (points, channel shares, None), or
    (0, None, status) when the question does not score."""
    applicable = []
    for item, slot in qp.items:
        if not item_displayed(item, profile, channels_used):
            continue
        row = rows.get(item.id)
        if row is None:
            return 0, None, Status.MISSING
        if row != UNAVAILABLE:
            applicable.append((slot, row == YES))
    count = len(applicable)
    if count == 0:
        return 0, None, Status.NO_APPLICABLE_ROW
    yes = sum(1 for _, is_yes in applicable if is_yes)
    if qp.rule_units is not None:
        points = qp.rule_units[yes]
    else:
        points = qp.max_units * yes // count
    share = qp.max_units // count
    shares = [(slot, share, is_yes) for slot, is_yes in applicable if slot >= 0]
    return points, shares, None


def _report(plan, profile, answers, results, missing, theme_points, theme_max,
            channel_points, channel_max) -> Report:  # fmt: skip
    questionnaire = plan.questionnaire
    units = plan.units
    themes_by_commitment: dict[int, list[ThemeScore]] = {c.number: [] for c in questionnaire.commitments}
    for slot, (commitment, section_id) in enumerate(plan.themes):
        if theme_max[slot] or _theme_displayed(plan, slot, results):
            section = questionnaire.section(section_id)
            themes_by_commitment[commitment].append(
                ThemeScore(section_id, section.title, theme_points[slot], theme_max[slot], units)
            )
    commitments = [
        CommitmentScore(
            c.number,
            c.title,
            sum(t.points_units for t in themes_by_commitment[c.number]),
            sum(t.max_units for t in themes_by_commitment[c.number]),
            units,
            tuple(themes_by_commitment[c.number]),
        )
        for c in questionnaire.commitments
    ]
    channels = [
        ChannelScore(channel.id, channel.label, channel_points[slot], channel_max[slot], units)
        for slot, channel in enumerate(questionnaire.channels)
        if channel_max[slot]
    ]
    texts = {q.id: answers[q.id] for q in plan.texts if answers.get(q.id)}
    return Report(
        questionnaire=questionnaire,
        profile=profile,
        questions=results,
        commitments=tuple(commitments),
        channels=tuple(channels),
        missing=tuple(missing),
        texts=texts,
    )


def _theme_displayed(plan, slot, results) -> bool:
    """A theme whose displayed questions are all N/A still shows (as not
    evaluated); a theme hidden by the profile does not."""
    return any(
        results[qp.question.id].status is not Status.HIDDEN
        for qp in plan.questions
        if qp.theme_slot == slot
    )
