"""What the filling pages show about a diagnostic: which sections and
questions are displayed for the structure's profile, and how far each
section is answered."""

from __future__ import annotations

from dataclasses import dataclass

from autodiag.questionnaires.schema import Question, QuestionType, Section, conditions_hold
from autodiag.scoring.report import Report, Status


@dataclass(frozen=True)
class SectionProgress:
    section: Section
    displayed: bool
    total: int  # displayed questions that need an answer
    answered: int
    to_confirm: int

    @property
    def done(self) -> bool:
        return self.answered == self.total and not self.to_confirm


def needs_answer(question: Question) -> bool:
    return question.type is not QuestionType.TEXT


def question_displayed(question: Question, report: Report) -> bool:
    if question.scored:
        return report.questions[question.id].status not in (Status.HIDDEN, Status.NO_APPLICABLE_ROW)
    return conditions_hold(question.conditions, report.profile)


def sections_progress(report: Report, to_confirm: set[str]) -> list[SectionProgress]:
    missing = set(report.missing)
    progress = []
    for section in report.questionnaire.sections:
        shown = [q for q in section.questions if question_displayed(q, report)]
        required = [q for q in shown if needs_answer(q)]
        progress.append(
            SectionProgress(
                section=section,
                displayed=bool(shown) and conditions_hold(section.conditions, report.profile),
                total=len(required),
                answered=sum(1 for q in required if q.id not in missing),
                to_confirm=sum(1 for q in shown if q.id in to_confirm),
            )
        )
    return progress
