"""How far a diagnostic is filled in, counted in one place for every page
that says so (the filling pages' menu, the validation page, the
dashboard and a structure's page, the PDFs, the campaign follow-up).

Every displayed question that is not read from the referential is in
exactly one state:

- **à confirmer**: an answer carried over from the last diagnostic, not
  confirmed or changed yet;
- **sans réponse**: a question that needs an answer and has none (the
  engine's `missing`);
- **répondue**: the others that hold an answer, or need one (an optional
  text left empty is not counted at all).

The total is their sum, and "100 %" means nothing is missing or to
confirm: exactly when the diagnostic can be validated.
"""

from __future__ import annotations

from dataclasses import dataclass

from autodiag.questionnaires.schema import Question, QuestionType, Section, conditions_hold
from autodiag.scoring.report import Report, Status

ANSWERED, TO_CONFIRM, MISSING = "answered", "to_confirm", "missing"


@dataclass(frozen=True)
class Counts:
    answered: int = 0
    to_confirm: int = 0
    missing: int = 0

    @property
    def total(self) -> int:
        return self.answered + self.to_confirm + self.missing

    @property
    def complete(self) -> bool:
        """Nothing missing, nothing to confirm: validation is possible."""
        return not self.missing and not self.to_confirm

    @property
    def percent(self) -> int:
        # Rounded down: 99,6 % is not "100 %" while something is left.
        return 100 * self.answered // self.total if self.total else 100

    def __add__(self, other: Counts) -> Counts:
        return Counts(
            self.answered + other.answered,
            self.to_confirm + other.to_confirm,
            self.missing + other.missing,
        )


@dataclass(frozen=True)
class SectionProgress:
    section: Section
    displayed: bool
    counts: Counts

    @property
    def total(self) -> int:
        return self.counts.total

    @property
    def answered(self) -> int:
        return self.counts.answered

    @property
    def to_confirm(self) -> int:
        return self.counts.to_confirm

    @property
    def missing(self) -> int:
        return self.counts.missing

    @property
    def done(self) -> bool:
        return self.counts.complete


def needs_answer(question: Question) -> bool:
    return question.type is not QuestionType.TEXT


def question_displayed(question: Question, report: Report) -> bool:
    if question.scored:
        return report.questions[question.id].status not in (Status.HIDDEN, Status.NO_APPLICABLE_ROW)
    return conditions_hold(question.conditions, report.profile)


def to_confirm_ids(report: Report, stored: dict) -> list[str]:
    """The displayed questions whose answer is carried over and still to
    confirm, in questionnaire order."""
    return [
        question.id
        for question in report.questionnaire.questions()
        if question.id in stored
        and stored[question.id].to_confirm
        and not question.structure_field
        and question_displayed(question, report)
    ]


def question_state(
    question: Question, report: Report, stored: dict, to_confirm, missing
) -> str | None:
    """ANSWERED, TO_CONFIRM, MISSING, or None for a question not counted."""
    if question.structure_field or not question_displayed(question, report):
        return None
    if question.id in to_confirm:
        return TO_CONFIRM
    if question.id in missing:
        return MISSING
    if needs_answer(question) or question.id in stored:
        return ANSWERED
    return None


def sections_progress(report: Report, stored: dict, to_confirm=None) -> list[SectionProgress]:
    if to_confirm is None:
        to_confirm = set(to_confirm_ids(report, stored))
    missing = set(report.missing)
    progress = []
    for section in report.questionnaire.sections:
        states = [question_state(q, report, stored, to_confirm, missing) for q in section.questions]
        shown = any(question_displayed(q, report) for q in section.questions)
        progress.append(
            SectionProgress(
                section=section,
                displayed=shown and conditions_hold(section.conditions, report.profile),
                counts=Counts(
                    answered=states.count(ANSWERED),
                    to_confirm=states.count(TO_CONFIRM),
                    missing=states.count(MISSING),
                ),
            )
        )
    return progress


def overall(progress: list[SectionProgress]) -> Counts:
    # A hidden section's questions are hidden too (they inherit its
    # conditions): summing every section counts the displayed questions.
    total = Counts()
    for section in progress:
        total += section.counts
    return total


def diagnostic_counts(diagnostic) -> Counts:
    """The counts of a diagnostic's current answers (one read of them)."""
    stored = diagnostic.stored_answers()
    report = diagnostic.report(stored)
    return overall(sections_progress(report, stored))
