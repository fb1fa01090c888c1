"""Proposed action sheets, drawn from a validated diagnostic's frozen report
(`Result.report`, docs/report-json.md): the themes where the most is at
stake, each with the questions that lost the most points and the team's
own "besoins d'appui", written as the sheet's "problématique identifiée"
for the team to edit.

What is at stake in a theme is what fixing it would add to the global
rate: the points it lost, over its commitment's maximum (the rise of the
commitment's rate), divided by the number of evaluated commitments (each
weighs the same in the global mean). A theme losing 0,75 point of a
22-point commitment counts for 0,4 point of global rate; one losing 5
points of a 14-point commitment, for 4,5: the latter comes first.
"""

from __future__ import annotations

from dataclasses import dataclass
from fractions import Fraction

from autodiag.french import suffix
from autodiag.questionnaires.schema import (
    NO,
    SCALE_VALUES,
    Question,
    Questionnaire,
    QuestionType,
)
from autodiag.reports.context import STRENGTHS, SUPPORT_NEEDS, exact
from autodiag.scoring.formatting import NBSP, format_number, format_points, round_half_up

PROPOSALS = 3  # themes proposed on a results page
QUESTIONS_PER_PROPOSAL = 3  # questions quoted in each


def points_words(points: Fraction) -> str:
    """`0,75 point`, `1,5 point`, `2 points` (French: plural from two)."""
    return f"{format_points(points)}{NBSP}point{suffix(points)}"


def answer_words(question: Question, value, version: Questionnaire) -> str:
    """What the team answered, in words, where it explains the lost points:
    the level chosen, or the propositions answered "Non"."""
    if value is None:
        return ""
    if question.type is QuestionType.SCALE and value in SCALE_VALUES:
        labels = question.scale_labels or version.scale_labels
        return f"réponse « {labels[SCALE_VALUES.index(value)]} »"
    if question.type is QuestionType.CHOICE:
        option = question.option(value)
        return f"réponse « {option.label} »" if option else ""
    if question.type in (QuestionType.YES_NO, QuestionType.CHANNEL_ROWS) and isinstance(
        value, dict
    ):
        refused = [item.text.rstrip(" .;:") for item in question.items if value.get(item.id) == NO]
        if refused:
            return "réponse « Non » pour : " + " ; ".join(refused)
    return ""


@dataclass(frozen=True, slots=True)
class LostQuestion:
    id: str
    text: str
    lost: Fraction
    max_points: Fraction
    answer: str = ""

    @property
    def words(self) -> str:
        """`1,5 point perdu sur 2`."""
        lost = points_words(self.lost)
        agreement = "perdus" if self.lost >= 2 else "perdu"
        return f"{lost} {agreement} sur {format_points(self.max_points)}"


@dataclass(frozen=True, slots=True)
class Proposal:
    commitment: int
    commitment_title: str
    section_id: str
    theme_title: str
    score: float
    display: str
    points: Fraction
    max_points: Fraction
    questions: tuple[LostQuestion, ...]
    support_needs: str = ""
    strengths: str = ""
    section_title: str = ""
    # What fixing the theme would add to the global rate, in percentage points.
    global_gain: Fraction = Fraction(0)
    commitment_display: str = ""
    commitment_max_points: Fraction = Fraction(0)

    @property
    def lost(self) -> Fraction:
        return self.max_points - self.points

    @property
    def points_text(self) -> str:
        return f"{format_points(self.points)} sur {points_words(self.max_points)}"

    @property
    def gain_text(self) -> str:
        """`4,5 points` of global rate (one decimal, as the results)."""
        gain = round_half_up(self.global_gain)
        return f"{format_number(gain)}{NBSP}point{suffix(gain)}"

    @property
    def reason(self) -> str:
        """Why this theme is proposed, in one sentence."""
        lost = points_words(self.lost)
        return (
            f"Proposée pour ce qui est en jeu : {lost} à gagner sur les "
            f"{points_words(self.commitment_max_points)} de l’engagement {self.commitment} "
            f"(à {self.commitment_display}), soit jusqu’à {self.gain_text} de taux d’atteinte "
            "global, chaque engagement comptant pour le même poids."
        )

    def title(self) -> str:
        return f"Progresser sur « {self.theme_title} » (engagement {self.commitment})"

    def problem(self, validated_on: str) -> str:
        """The sheet's "problématique identifiée", from the results."""
        lines = [
            f"Au diagnostic validé le {validated_on}, la thématique « {self.theme_title} » "
            f"de l’engagement {self.commitment} atteint {self.display} ({self.points_text}).",
            self.reason,
        ]
        if self.questions:
            lines += ["", "Questions qui ont perdu le plus de points :"]
            lines += [
                f"– {q.text.rstrip(' :.')} ({q.words}{' ; ' + q.answer if q.answer else ''})"
                for q in self.questions
            ]
        if self.support_needs:
            lines += [
                "",
                f"Besoins d’appui exprimés par l’équipe (« {self.section_title} ») : "
                f"{self.support_needs}",
            ]
        return "\n".join(lines)

    def indicators(self, validated_on: str) -> str:
        return (
            f"Taux d’atteinte de la thématique « {self.theme_title} » (engagement "
            f"{self.commitment}) au prochain autodiagnostic : {self.display} au diagnostic "
            f"validé le {validated_on}."
        )


def _texts_of_section(version: Questionnaire, section_id: str, texts: dict) -> tuple[str, str]:
    """(strengths, support needs) written for a section."""
    section = version.section(section_id)
    strengths = needs = ""
    for question in section.questions if section else ():
        if question.purpose == STRENGTHS:
            strengths = texts.get(question.id, "")
        elif question.purpose == SUPPORT_NEEDS:
            needs = texts.get(question.id, "")
    return strengths, needs


def weakest_themes(
    report: dict, version: Questionnaire, answers: dict | None = None, count: int = PROPOSALS
) -> list[Proposal]:
    """The `count` evaluated themes below 100 % where the most is at stake
    (what they would add to the global rate; the lower rate first among
    equals); each with the questions of that theme that lost the most
    points (and, given the diagnostic's normalised `answers`, what was
    answered to them)."""
    answers = answers or {}
    evaluated = [c for c in report["commitments"] if c["score"] is not None and c["max_points"]]
    candidates = []
    for order, commitment in enumerate(report["commitments"]):
        if commitment not in evaluated:
            continue
        for theme in commitment["themes"]:
            if theme["score"] is None or not theme["max_points"]:
                continue
            points, maximum = exact(theme["points"]), exact(theme["max_points"])
            if points >= maximum:
                continue
            gain = 100 * (maximum - points) / exact(commitment["max_points"]) / len(evaluated)
            candidates.append((-gain, exact(theme["score"]), order, commitment, theme, gain))
    candidates.sort(key=lambda c: c[:3])
    proposals = []
    for _, _, _, commitment, theme, gain in candidates[:count]:
        lost = []
        for position, row in enumerate(report.get("questions", [])):
            if (
                row["commitment"] != commitment["number"]
                or row["section"] != theme["section"]
                or row["status"] != "scored"
                or not row["max_points"]
            ):
                continue
            missed = exact(row["max_points"]) - exact(row["points"])
            if missed > 0:
                lost.append((-missed, position, row, missed))
        lost.sort(key=lambda entry: entry[:2])
        questions = []
        for _, _, row, missed in lost[:QUESTIONS_PER_PROPOSAL]:
            question = version.question(row["id"])
            questions.append(
                LostQuestion(
                    row["id"],
                    question.text if question else row["id"],
                    missed,
                    exact(row["max_points"]),
                    answer_words(question, answers.get(row["id"]), version) if question else "",
                )
            )
        strengths, needs = _texts_of_section(version, theme["section"], report.get("texts", {}))
        proposals.append(
            Proposal(
                commitment=commitment["number"],
                commitment_title=commitment["title"],
                section_id=theme["section"],
                theme_title=theme["title"],
                score=theme["score"],
                display=theme["display"],
                points=exact(theme["points"]),
                max_points=exact(theme["max_points"]),
                questions=tuple(questions),
                support_needs=needs,
                strengths=strengths,
                section_title=section.title
                if (section := version.section(theme["section"]))
                else "",
                global_gain=gain,
                commitment_display=commitment["display"],
                commitment_max_points=exact(commitment["max_points"]),
            )
        )
    return proposals


def proposal_for(
    report: dict, version: Questionnaire, commitment: int, section_id: str, answers=None
) -> Proposal | None:
    """The proposal of one theme (whatever its rank), or None if the report
    has no such evaluated theme below 100 %."""
    for proposal in weakest_themes(report, version, answers, count=10_000):
        if proposal.commitment == commitment and proposal.section_id == section_id:
            return proposal
    return None
