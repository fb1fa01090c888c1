"""Self-diagnostic and audit, point by point (pure Python, no Django).

The 2026 questions name the control points they prepare (`audit_points`);
a point's self-diagnostic figure is the points its scored questions got
over their maximum (a question preparing several points counts fully in
each). From it come the points to prepare before an audit, most at risk
first, and after the audit the gaps with the auditor's scores, largest
first, per commitment and per point.

Everything reads report JSONs (docs/report-json.md): the frozen one of a
validated diagnostic or audit, the live one of a draft. Figures are exact
Fractions; rounding is for display only (scoring.formatting).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from fractions import Fraction

from autodiag.questionnaires.schema import Question, Questionnaire, conditions_hold
from autodiag.scoring.aggregate import Summary, summarize
from autodiag.scoring.report import mean

SCORED = "scored"
HIGH, CONSOLIDATE, IN_PLACE, UNMEASURED = "high", "consolidate", "in-place", "unmeasured"
RISK_LABELS = {
    HIGH: "Priorité élevée",
    CONSOLIDATE: "À consolider",
    IN_PLACE: "En place",
    UNMEASURED: "Non mesuré",
}
# Below half of the points, a point is likely to score 0 or 0.25 at the audit.
HIGH_RISK_BELOW = Fraction(1, 2)


def exact(number) -> Fraction | None:
    """A JSON figure back to the exact value it was converted from (the
    report's numbers are the nearest floats of small fractions)."""
    if number is None:
        return None
    value = Fraction(number)
    nearest = value.limit_denominator(100_000)
    return nearest if abs(nearest - value) < Fraction(1, 10**9) else value


def percent(number) -> Fraction | None:
    """A report's percentage (`score`) as a ratio in [0, 1]."""
    value = exact(number)
    return None if value is None else value / 100


@dataclass(frozen=True, slots=True)
class PointFigure:
    """The self-diagnostic on one control point: `questions` prepare it,
    `scored` of them counted (the others were non applicable, hidden by the
    profile or unanswered)."""

    point: str
    questions: tuple[str, ...]
    scored: tuple[str, ...]
    points: Fraction
    maximum: Fraction

    @property
    def ratio(self) -> Fraction | None:
        return self.points / self.maximum if self.maximum else None

    @property
    def risk(self) -> str:
        ratio = self.ratio
        if ratio is None:
            return UNMEASURED
        if ratio < HIGH_RISK_BELOW:
            return HIGH
        return CONSOLIDATE if ratio < 1 else IN_PLACE


def self_assessment_by_point(version: Questionnaire, report: dict) -> dict[str, PointFigure]:
    """Each control point a question of `version` prepares -> its figure in
    the diagnostic whose report JSON is `report`."""
    rows = {row["id"]: row for row in report.get("questions", [])}
    mapped: dict[str, list[str]] = {}
    for question in version.questions():
        for point in question.audit_points:
            mapped.setdefault(point, []).append(question.id)
    figures = {}
    for point, question_ids in mapped.items():
        scored = [qid for qid in question_ids if rows.get(qid, {}).get("status") == SCORED]
        figures[point] = PointFigure(
            point=point,
            questions=tuple(question_ids),
            scored=tuple(scored),
            points=sum((exact(rows[qid]["points"]) for qid in scored), Fraction(0)),
            maximum=sum((exact(rows[qid]["max_points"]) for qid in scored), Fraction(0)),
        )
    return figures


# -- before the audit: the points to prepare --------------------------------------


@dataclass(frozen=True, slots=True)
class PointToPrepare:
    question: Question  # the control point, in the audit grid
    figure: PointFigure | None  # None: no question of the self-diagnostic prepares it
    applies: bool  # False: the grid says it does not apply to the structure

    @property
    def ratio(self) -> Fraction | None:
        return self.figure.ratio if self.figure else None

    @property
    def risk(self) -> str:
        return self.figure.risk if self.figure else UNMEASURED


def preparation(
    grid: Questionnaire, figures: dict[str, PointFigure], profile: dict
) -> list[PointToPrepare]:
    """Every control point of the grid with the self-diagnostic's figure,
    in the grid's order. `profile`: the structure's answers to the grid's
    profile questions (its category, its control activities), which say
    whether a point applies."""
    return [
        PointToPrepare(
            question=question,
            figure=figures.get(question.id),
            applies=conditions_hold(question.conditions, profile),
        )
        for question in grid.questions()
        if question.scored
    ]


def most_at_risk_first(points: Iterable[PointToPrepare]) -> list[PointToPrepare]:
    """The measured points not fully in place, weakest first; at equal
    figures, the one with more points at stake in the self-diagnostic, then
    the grid's order."""
    points = list(points)
    order = {id(p): index for index, p in enumerate(points)}
    weak = [p for p in points if p.applies and p.ratio is not None and p.ratio < 1]
    return sorted(weak, key=lambda p: (p.ratio, -p.figure.maximum, order[id(p)]))


# -- after the audit: the gaps ----------------------------------------------------


def audit_point_ratios(audit_report: dict) -> dict[str, Fraction | None]:
    """Each control point's score in [0, 1]; None when it did not count
    (non applicable, not applying to the structure)."""
    ratios = {}
    for row in audit_report.get("questions", []):
        if row["status"] == SCORED and row["max_points"]:
            ratios[row["id"]] = exact(row["points"]) / exact(row["max_points"])
        else:
            ratios[row["id"]] = None
    return ratios


@dataclass(frozen=True, slots=True)
class Gap:
    """The self-diagnostic against the audit on one commitment or point;
    `gap` > 0: the self-diagnostic was more favourable than the audit."""

    key: str
    self_ratio: Fraction | None
    audit_ratio: Fraction | None

    @property
    def gap(self) -> Fraction | None:
        if self.self_ratio is None or self.audit_ratio is None:
            return None
        return self.self_ratio - self.audit_ratio


def largest_first(gaps: Iterable[Gap]) -> list[Gap]:
    """Largest gaps first (either way), then those that cannot be compared,
    each group in its given order."""
    gaps = list(gaps)
    order = {id(g): index for index, g in enumerate(gaps)}
    return sorted(
        gaps,
        key=lambda g: (g.gap is None, -abs(g.gap) if g.gap is not None else 0, order[id(g)]),
    )


def commitment_gaps(diagnostic_report: dict, audit_report: dict) -> list[Gap]:
    """Per commitment, in the audit's order (sort with `largest_first`)."""
    diagnostic = {c["number"]: percent(c["score"]) for c in diagnostic_report["commitments"]}
    return [
        Gap(str(c["number"]), diagnostic.get(c["number"]), percent(c["score"]))
        for c in audit_report["commitments"]
    ]


def point_gaps(figures: dict[str, PointFigure], audit_report: dict, grid: Questionnaire):
    """Per control point of the grid's commitments (the "OR" criteria have
    no self-diagnostic counterpart), in the grid's order."""
    ratios = audit_point_ratios(audit_report)
    return [
        Gap(q.id, figures[q.id].ratio if q.id in figures else None, ratios.get(q.id))
        for q in grid.questions()
        if q.scored and q.commitment is not None
    ]


# -- in a head's scope: audits and gaps consolidated -------------------------------


@dataclass(frozen=True, slots=True)
class AuditPair:
    """One structure's validated audit and the self-diagnostic it is
    compared with (None when there is none)."""

    audit_report: dict
    diagnostic_report: dict | None
    figures: dict[str, PointFigure] | None  # the self-diagnostic by point


@dataclass(frozen=True, slots=True)
class CommitmentLine:
    number: int
    title: str
    audit: Summary
    compared: int  # structures with both figures
    mean_gap: Fraction | None
    mean_absolute_gap: Fraction | None


@dataclass(frozen=True, slots=True)
class PointLine:
    point: str
    title: str
    audit_mean: Fraction | None
    compared: int
    mean_gap: Fraction | None


@dataclass(frozen=True, slots=True)
class Consolidation:
    count: int
    compared: int  # audits with a self-diagnostic to compare with
    global_audit: Summary
    global_mean_gap: Fraction | None
    commitments: list[CommitmentLine]
    apart: list[tuple[str, Summary]]  # (title, summary) of each group scored apart
    points: list[PointLine]  # largest mean gaps first


def consolidate(pairs: list[AuditPair], grid: Questionnaire) -> Consolidation:
    commitments = []
    for commitment in grid.commitments:
        audit_scores, gaps = [], []
        for pair in pairs:
            audit_ratio = _commitment_ratio(pair.audit_report, commitment.number)
            audit_scores.append(audit_ratio)
            if pair.diagnostic_report is not None:
                self_ratio = _commitment_ratio(pair.diagnostic_report, commitment.number)
                if self_ratio is not None and audit_ratio is not None:
                    gaps.append(self_ratio - audit_ratio)
        commitments.append(
            CommitmentLine(
                number=commitment.number,
                title=commitment.title,
                audit=summarize(audit_scores),
                compared=len(gaps),
                mean_gap=mean(gaps),
                mean_absolute_gap=mean(abs(g) for g in gaps),
            )
        )
    global_gaps = []
    for pair in pairs:
        if pair.diagnostic_report is None:
            continue
        self_global = percent(pair.diagnostic_report["global"]["score"])
        audit_global = percent(pair.audit_report["global"]["score"])
        if self_global is not None and audit_global is not None:
            global_gaps.append(self_global - audit_global)
    apart_titles = {s.id: s.title for s in grid.sections if s.apart}
    apart = [
        (title, summarize(_apart_ratio(p.audit_report, section_id) for p in pairs))
        for section_id, title in apart_titles.items()
    ]
    return Consolidation(
        count=len(pairs),
        compared=sum(1 for p in pairs if p.diagnostic_report is not None),
        global_audit=summarize(percent(p.audit_report["global"]["score"]) for p in pairs),
        global_mean_gap=mean(global_gaps),
        commitments=commitments,
        apart=apart,
        points=_point_lines(pairs, grid),
    )


def _apart_ratio(report: dict, section_id: str) -> Fraction | None:
    scores = (a["score"] for a in report.get("apart", []) if a["section"] == section_id)
    return percent(next(scores, None))


def _commitment_ratio(report: dict, number: int) -> Fraction | None:
    return next((percent(c["score"]) for c in report["commitments"] if c["number"] == number), None)


def _point_lines(pairs: list[AuditPair], grid: Questionnaire) -> list[PointLine]:
    lines = []
    audit_ratios = [audit_point_ratios(p.audit_report) for p in pairs]
    for question in grid.questions():
        if not question.scored or question.commitment is None:
            continue
        scores = [ratios.get(question.id) for ratios in audit_ratios]
        gaps = []
        for pair, ratios in zip(pairs, audit_ratios, strict=True):
            figure = (pair.figures or {}).get(question.id)
            audit_ratio = ratios.get(question.id)
            if figure is not None and figure.ratio is not None and audit_ratio is not None:
                gaps.append(figure.ratio - audit_ratio)
        lines.append(
            PointLine(
                point=question.id,
                title=question.title,
                audit_mean=mean(s for s in scores if s is not None),
                compared=len(gaps),
                mean_gap=mean(gaps),
            )
        )
    order = {line.point: index for index, line in enumerate(lines)}
    return sorted(
        lines,
        key=lambda line: (
            line.mean_gap is None,
            -abs(line.mean_gap) if line.mean_gap is not None else 0,
            order[line.point],
        ),
    )
