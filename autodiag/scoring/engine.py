"""Scoring one diagnostic: (questionnaire, answers) -> Report.

Exact arithmetic without paying for Fractions on the hot path: each
questionnaire is compiled once into a plan where every possible number of
points is an integer count of a common unit (1/units of a point), and where
every distinct display rule (conditions, plus a channel for a row) is
numbered, so that a diagnostic evaluates each rule once. Sums are then
plain integer additions; Fractions appear only when a figure is read.
See docs/scoring.md for the rules.
"""

from __future__ import annotations

from dataclasses import dataclass
from fractions import Fraction
from math import lcm

from autodiag.questionnaires.schema import (
    UNAVAILABLE,
    YES,
    Condition,
    Question,
    Questionnaire,
    QuestionType,
    conditions_hold,
)
from autodiag.scoring.report import Report, Status

# A display rule: the conditions to hold, and the channel that must be used
# (None when the rule is about no channel).
_Rule = tuple[tuple[Condition, ...], str | None]


@dataclass(frozen=True, slots=True)
class QuestionPlan:
    question: Question
    kind: int  # _SCALE, _CHOICE or _LIST
    max_units: int
    rule: int  # index of the question's display rule
    theme_slot: int
    channel_slots: tuple[int, ...]
    # choice: option id -> units; None otherwise
    value_units: dict | None
    # lists: units by count of "Oui" (None when proportional)
    rule_units: tuple[int, ...] | None
    # lists: (item id, display rule index, channel slot or -1)
    items: tuple[tuple[str, int, int], ...]


@dataclass(frozen=True, slots=True)
class Plan:
    questionnaire: Questionnaire
    units: int
    questions: tuple[QuestionPlan, ...]
    # The same as plain tuples, in the field order of QuestionPlan minus the
    # question (its id instead): unpacking a tuple is the fastest read.
    rows: tuple[tuple, ...]
    rules: tuple[_Rule, ...]
    conditions: tuple[Condition, ...]  # every distinct condition of the rules
    themes: tuple[tuple[int, str], ...]  # slot -> (commitment, section id)
    profile_questions: tuple[Question, ...]
    channels_question_id: str | None


_PLANS: dict[tuple[str, str], Plan] = {}


def plan_for(questionnaire: Questionnaire) -> Plan:
    key = (questionnaire.id, questionnaire.content_hash)
    plan = _PLANS.get(key)
    if plan is None:
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
        # Proportional: k of n applicable items, for any n up to the item count.
        for n in range(1, len(question.items) + 1):
            yield (weight / n).denominator


def _compile(questionnaire: Questionnaire) -> Plan:
    scored = [q for q in questionnaire.questions() if q.scored]
    units = lcm(1, *(d for q in scored for d in _denominators(q)))
    rules: dict[_Rule, int] = {}
    themes: dict[tuple[int, str], int] = {}
    channel_slots = {channel.id: slot for slot, channel in enumerate(questionnaire.channels)}

    def rule_index(conditions, channel=None) -> int:
        return rules.setdefault((tuple(conditions), channel), len(rules))

    plans = []
    for question in scored:
        max_units = int(question.weight * units)
        value_units = rule_units = None
        if question.type is QuestionType.CHOICE:
            value_units = {o.id: int(o.value * max_units) for o in question.options}
        elif question.rule is not None:
            rule_units = tuple(int(value * max_units) for value in question.rule)
        items = tuple(
            (
                item.id,
                rule_index(item.conditions, item.channel),
                channel_slots.get(item.channel, -1),
            )
            for item in question.items
        )
        plans.append(
            QuestionPlan(
                question=question,
                kind=_KINDS[question.type],
                max_units=max_units,
                rule=rule_index(question.conditions),
                theme_slot=themes.setdefault(
                    (question.commitment, question.section_id), len(themes)
                ),
                channel_slots=tuple(channel_slots[c] for c in question.channels),
                value_units=value_units,
                rule_units=rule_units,
                items=items,
            )
        )
    channels_question = questionnaire.channels_question
    always = rules.get(((), None), -1)
    return Plan(
        questionnaire=questionnaire,
        units=units,
        questions=tuple(plans),
        rows=tuple(
            (
                p.question.id,
                p.kind,
                p.max_units,
                p.rule,
                p.theme_slot,
                p.channel_slots,
                p.value_units,
                p.rule_units,
                p.items,
                _simple_count(p, always),
            )
            for p in plans
        ),
        rules=tuple(rules),
        conditions=tuple({c: None for conditions, _ in rules for c in conditions}),
        themes=tuple(themes),
        profile_questions=tuple(q for q in questionnaire.questions() if q.is_profile),
        channels_question_id=channels_question.id if channels_question else None,
    )


_SCALE, _CHOICE, _LIST = 0, 1, 2
_KINDS = {
    QuestionType.SCALE: _SCALE,
    QuestionType.CHOICE: _CHOICE,
    QuestionType.YES_NO: _LIST,
    QuestionType.CHANNEL_ROWS: _LIST,
}
HIDDEN = (Status.HIDDEN, 0, 0)
NO_ROW = (Status.NO_APPLICABLE_ROW, 0, 0)
NOT_APPLICABLE_OUTCOME = (Status.NOT_APPLICABLE, 0, 0)
_INCOMPLETE = object()


def _list_rows(items, answer, shown: list[bool]):
    """For a Yes/No list: None when no row is displayed; _INCOMPLETE when a
    displayed row is unanswered; else (count of "Oui", count of rows that
    apply, [(channel slot, is "Oui")] for rows with a channel)."""
    displayed = yes = count = 0
    shares = []
    rows = answer if answer.__class__ is dict else None
    for item_id, rule, slot in items:
        if not shown[rule]:
            continue
        displayed += 1
        if rows is None:
            continue
        row = rows.get(item_id)
        if row is None:
            return _INCOMPLETE
        if row == UNAVAILABLE:
            continue
        count += 1
        is_yes = row == YES
        yes += is_yes
        if slot >= 0:
            shares.append((slot, is_yes))
    if not displayed:
        return None
    return yes, count, shares


def _simple_count(plan: QuestionPlan, always: int) -> int:
    """The item count of a list whose rows are always all displayed and
    cannot be unavailable (the fast path of `score`); 0 otherwise."""
    if plan.kind != _LIST or plan.question.type is QuestionType.CHANNEL_ROWS:
        return 0
    if any(rule != always or slot >= 0 for _, rule, slot in plan.items):
        return 0
    return len(plan.items)


def score(questionnaire: Questionnaire, answers: dict) -> Report:
    """The report of a diagnostic. `answers` holds normalised values (see
    scoring.answers); unanswered displayed questions are listed as missing
    and count neither in the points nor in the maximum."""
    plan = plan_for(questionnaire)
    profile = {q.id: answers[q.id] for q in plan.profile_questions if q.id in answers}
    channels_used = profile.get(plan.channels_question_id, frozenset())
    holds = {condition: condition.holds(profile) for condition in plan.conditions}
    shown = [
        (channel is None or channel in channels_used) and all(holds[c] for c in conditions)
        for conditions, channel in plan.rules
    ]
    theme_points = [0] * len(plan.themes)
    theme_max = [0] * len(plan.themes)
    channel_count = len(questionnaire.channels)
    channel_on = [channel.id in channels_used for channel in questionnaire.channels]
    channel_points = [0] * channel_count
    channel_max = [0] * channel_count
    # One (status, points, maximum) per scored question, in plan order.
    outcomes: list[tuple[Status, int, int]] = []
    SCORED = Status.SCORED
    missing = [
        q.id
        for q in plan.profile_questions
        if q.id not in answers and conditions_hold(q.conditions, profile)
    ]

    # The hot loop: plain local names, integer sums, no Fraction (see module doc).
    append = outcomes.append
    for (
        question_id,
        kind,
        maximum,
        rule,
        theme,
        channel_slots,
        value_units,
        rule_units,
        items,
        simple_count,
    ) in plan.rows:
        if not shown[rule]:
            append(HIDDEN)
            continue
        answer = answers.get(question_id)
        if kind == _LIST:
            if answer.__class__ is dict and len(answer) == simple_count:
                # Every row always displayed and answered, none can be
                # unavailable: count the "Oui" at C speed.
                yes = [*answer.values()].count(YES)
                points = rule_units[yes] if rule_units else maximum * yes // simple_count
                append((SCORED, points, maximum))
                theme_points[theme] += points
                theme_max[theme] += maximum
                for slot in channel_slots:
                    if channel_on[slot]:
                        channel_points[slot] += points
                        channel_max[slot] += maximum
                continue
            rows = _list_rows(items, answer, shown)
            if rows is None:  # no row applies
                append(NO_ROW)
                continue
            if answer is None or rows is _INCOMPLETE:
                missing.append(question_id)
                append((Status.MISSING, 0, maximum))
                continue
            if answer.__class__ is str:  # "Non applicable"
                append(NOT_APPLICABLE_OUTCOME)
                continue
            yes, count, shares = rows
            if not count:
                append(NO_ROW)
                continue
            points = rule_units[yes] if rule_units else maximum * yes // count
            if shares:
                share = maximum // count  # exact: the plan's unit divides by any count
                for slot, is_yes in shares:
                    channel_max[slot] += share
                    if is_yes:
                        channel_points[slot] += share
        elif answer is None:
            missing.append(question_id)
            append((Status.MISSING, 0, maximum))
            continue
        elif kind == _SCALE:
            if answer.__class__ is str:
                append(NOT_APPLICABLE_OUTCOME)
                continue
            points = maximum * answer.numerator // answer.denominator
        else:
            points = value_units.get(answer)
            if points is None:  # the only other value a choice takes
                append(NOT_APPLICABLE_OUTCOME)
                continue
        append((SCORED, points, maximum))
        theme_points[theme] += points
        theme_max[theme] += maximum
        for slot in channel_slots:
            if channel_on[slot]:  # a channel the structure does not use gets no figure
                channel_points[slot] += points
                channel_max[slot] += maximum

    return Report(
        questionnaire=questionnaire,
        plan=plan,
        profile=profile,
        answers=answers,
        outcomes=tuple(outcomes),
        theme_totals=tuple(zip(theme_points, theme_max, strict=True)),
        channel_totals=tuple(zip(channel_points, channel_max, strict=True)),
        missing=tuple(missing),
    )
