"""The report of one diagnostic, and its renderings (JSON, text).

Figures are kept as integer counts of the plan's unit and turned into exact
Fractions only when read; rounding happens only for display.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum
from fractions import Fraction
from functools import cached_property

from autodiag.french import count
from autodiag.questionnaires.schema import Question, Questionnaire, QuestionType
from autodiag.scoring.formatting import format_percent, format_points

# The version of the JSON layout below (docs/report-json.md).
REPORT_FORMAT = 1


class Status(StrEnum):
    SCORED = "scored"
    NOT_APPLICABLE = "not_applicable"  # answered "Non applicable"
    NO_APPLICABLE_ROW = "no_applicable_row"  # every row out (channel unavailable or unused)
    HIDDEN = "hidden"  # filtered out by the profile
    MISSING = "missing"  # displayed, not (fully) answered


STATUS_LABELS = {
    Status.SCORED: "notée",
    Status.NOT_APPLICABLE: "non applicable",
    Status.NO_APPLICABLE_ROW: "non applicable : aucun canal concerné",
    Status.HIDDEN: "masquée par le profil",
    Status.MISSING: "sans réponse",
}


class _Ratio:
    """Points over a maximum, both in plan units."""

    __slots__ = ()

    @property
    def points(self) -> Fraction:
        return Fraction(self.points_units, self.units)

    @property
    def maximum(self) -> Fraction:
        return Fraction(self.max_units, self.units)

    @property
    def ratio(self) -> Fraction | None:
        """Points / maximum in [0, 1]; None when nothing applies."""
        return Fraction(self.points_units, self.max_units) if self.max_units else None

    @property
    def evaluated(self) -> bool:
        return self.max_units > 0

    @property
    def display(self) -> str:
        return format_percent(self.ratio)


@dataclass(frozen=True, slots=True)
class QuestionResult(_Ratio):
    question: Question
    status: Status
    points_units: int
    max_units: int
    units: int

    @property
    def reason(self) -> str:
        return STATUS_LABELS[self.status]


@dataclass(frozen=True, slots=True)
class ThemeScore(_Ratio):
    section_id: str
    title: str
    points_units: int
    max_units: int
    units: int


@dataclass(frozen=True, slots=True)
class CommitmentScore(_Ratio):
    number: int
    title: str
    points_units: int
    max_units: int
    units: int
    themes: tuple[ThemeScore, ...]


@dataclass(frozen=True, slots=True)
class ChannelScore(_Ratio):
    channel_id: str
    label: str
    points_units: int
    max_units: int
    units: int


def mean(values) -> Fraction | None:
    values = list(values)
    return sum(values, Fraction(0)) / len(values) if values else None


@dataclass(frozen=True)
class Report:
    """What the engine computed, as integer totals per slot of the plan;
    the figures people read are built from them on first access."""

    questionnaire: Questionnaire
    plan: object = field(repr=False)  # scoring.engine.Plan
    profile: dict = field(repr=False)
    answers: dict = field(repr=False)
    outcomes: tuple[tuple[Status, int, int], ...] = field(repr=False)
    theme_totals: tuple[tuple[int, int], ...] = field(repr=False)
    channel_totals: tuple[tuple[int, int], ...] = field(repr=False)
    missing: tuple[str, ...] = ()

    @cached_property
    def questions(self) -> dict[str, QuestionResult]:
        units = self.plan.units
        return {
            qp.question.id: QuestionResult(qp.question, status, points, maximum, units)
            for qp, (status, points, maximum) in zip(
                self.plan.questions, self.outcomes, strict=True
            )
        }

    @cached_property
    def commitments(self) -> tuple[CommitmentScore, ...]:
        units = self.plan.units
        shown_themes = {
            qp.theme_slot
            for qp, (status, _, _) in zip(self.plan.questions, self.outcomes, strict=True)
            if status is not Status.HIDDEN
        }
        themes: dict[int, list[ThemeScore]] = {c.number: [] for c in self.questionnaire.commitments}
        for slot, (commitment, section_id) in enumerate(self.plan.themes):
            if commitment is None:
                continue  # a section scored apart (see `apart`)
            if slot in shown_themes:  # a theme the profile hides is not listed at all
                points, maximum = self.theme_totals[slot]
                title = self.questionnaire.section(section_id).title
                themes[commitment].append(ThemeScore(section_id, title, points, maximum, units))
        return tuple(
            CommitmentScore(
                c.number,
                c.title,
                sum(t.points_units for t in themes[c.number]),
                sum(t.max_units for t in themes[c.number]),
                units,
                tuple(themes[c.number]),
            )
            for c in self.questionnaire.commitments
        )

    @cached_property
    def apart(self) -> tuple[ThemeScore, ...]:
        """The sections scored apart (an audit grid's "OR" criteria): their
        own figures, in no commitment and not in the global score."""
        units = self.plan.units
        return tuple(
            ThemeScore(
                section_id, self.questionnaire.section(section_id).title, points, maximum, units
            )
            for (commitment, section_id), (points, maximum) in zip(
                self.plan.themes, self.theme_totals, strict=True
            )
            if commitment is None
        )

    @cached_property
    def channels(self) -> tuple[ChannelScore, ...]:
        """Channels with something to measure (a channel the structure does
        not use, or whose rows were all unavailable, gets no figure)."""
        return tuple(
            ChannelScore(channel.id, channel.label, points, maximum, self.plan.units)
            for channel, (points, maximum) in zip(
                self.questionnaire.channels, self.channel_totals, strict=True
            )
            if maximum
        )

    @cached_property
    def texts(self) -> dict[str, str]:
        """Free texts with content (strengths, support needs, identity)."""
        return {
            q.id: self.answers[q.id]
            for q in self.questionnaire.questions()
            if q.type is QuestionType.TEXT and self.answers.get(q.id)
        }

    @property
    def global_ratio(self) -> Fraction | None:
        """The mean of the evaluated commitments' scores, so that each
        commitment weighs the same whatever its number of questions."""
        return mean(c.ratio for c in self.commitments if c.evaluated)

    @property
    def not_evaluated(self) -> tuple[int, ...]:
        return tuple(c.number for c in self.commitments if not c.evaluated)

    @property
    def complete(self) -> bool:
        """Every displayed question answered: the diagnostic can be validated."""
        return not self.missing

    def to_json(self) -> dict:
        questionnaire = self.questionnaire
        return {
            "format": REPORT_FORMAT,
            "questionnaire": {
                "id": questionnaire.id,
                "title": questionnaire.title,
                "content_hash": questionnaire.content_hash,
            },
            "complete": self.complete,
            "missing": list(self.missing),
            "global": {
                "score": _percent_number(self.global_ratio),
                "display": format_percent(self.global_ratio),
                "commitments_not_evaluated": list(self.not_evaluated),
            },
            "commitments": [
                {
                    "number": c.number,
                    "title": c.title,
                    **_figures(c),
                    "themes": [
                        {"section": t.section_id, "title": t.title, **_figures(t)} for t in c.themes
                    ],
                }
                for c in self.commitments
            ],
            "channels": [
                {"channel": ch.channel_id, "label": ch.label, **_figures(ch)}
                for ch in self.channels
            ],
            "questions": [
                {
                    "id": r.question.id,
                    "commitment": r.question.commitment,
                    "section": r.question.section_id,
                    "status": r.status.value,
                    "points": _number(r.points) if r.status is not Status.MISSING else None,
                    "max_points": _number(r.maximum) if r.status is Status.SCORED else None,
                }
                for r in self.questions.values()
            ],
            "texts": dict(self.texts),
            # Only versions with sections scored apart (audit grids) have this key.
            **(
                {
                    "apart": [
                        {"section": t.section_id, "title": t.title, **_figures(t)}
                        for t in self.apart
                    ]
                }
                if self.apart
                else {}
            ),
        }


def _number(value: Fraction | None):
    """An exact Fraction as a JSON number: an int when whole, else a float
    from the exact value (no accumulated error)."""
    if value is None:
        return None
    return int(value) if value.denominator == 1 else float(value)


def _percent_number(ratio: Fraction | None):
    return None if ratio is None else _number(ratio * 100)


def _figures(score) -> dict:
    return {
        "score": _percent_number(score.ratio),
        "display": format_percent(score.ratio),
        "points": _number(score.points),
        "max_points": _number(score.maximum),
    }


def render_text(report: Report) -> str:
    """The report as a readable table for a terminal."""
    q = report.questionnaire
    lines = [q.title, "=" * len(q.title), ""]
    lines.append(
        f"Taux d'atteinte global (moyenne des engagements) : {format_percent(report.global_ratio)}"
    )
    if report.not_evaluated:
        numbers = ", ".join(str(n) for n in report.not_evaluated)
        lines.append(
            f"Engagements non évalués (aucune question applicable, hors moyenne) : {numbers}"
        )
    lines.append("")
    lines.append("Vision par engagement")
    for c in report.commitments:
        lines.append(f"  {c.number}. {_clip(c.title, 72):<72} {c.display:>9}  {_pts(c)}")
        for t in c.themes:
            lines.append(f"       {_clip(t.title, 70):<70} {t.display:>9}  {_pts(t)}")
    for theme in report.apart:
        lines.append("")
        lines.append(f"{_clip(theme.title, 75):<75} {theme.display:>9}  {_pts(theme)}")
        lines.append("  (à part : hors engagements et hors taux d'atteinte global)")
    if report.channels:
        lines.append("")
        lines.append("Vision par canal")
        for ch in report.channels:
            lines.append(f"  {ch.label:<75} {ch.display:>9}  {_pts(ch)}")
    if report.texts:
        lines.append("")
        lines.append("Points forts et besoins d'appui")
        for question_id, text in report.texts.items():
            question = q.question(question_id)
            if question.purpose in ("points-forts", "besoins-appui"):
                section = q.section(question.section_id)
                label = "Points forts" if question.purpose == "points-forts" else "Besoins d'appui"
                lines.append(f"  {section.title} — {label} : {text}")
    lines.append("")
    if report.complete:
        lines.append(
            "Toutes les questions affichées ont une réponse : le diagnostic peut être validé."
        )
    else:
        lines.append(
            f"Diagnostic incomplet : {count(len(report.missing), 'question affichée', 'questions affichées')}"
            " sans réponse ; "
            "il ne pourrait pas être validé en l'état."
        )
        for question_id in report.missing:
            question = q.question(question_id)
            lines.append(
                f"  - {question_id} ({q.section(question.section_id).title}) : {_clip(question.text, 70)}"
            )
    return "\n".join(lines) + "\n"


def _pts(score) -> str:
    if not score.evaluated:
        return "non évalué"
    return f"{format_points(score.points)} / {format_points(score.maximum)} pts"


def _clip(text: str, width: int) -> str:
    text = " ".join(text.split())
    return text if len(text) <= width else text[: width - 1] + "…"
