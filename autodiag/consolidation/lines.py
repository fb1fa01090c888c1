"""Building a diagnostic's row of figures (`ResultLine.figures`) from what
validation froze: the `Score` rows (global, commitments, channels, themes)
and the report's per-question points (questions "relevant du niveau
national"). One code path for validation, the import of earlier results
and the backfill of diagnostics validated before consolidation existed.

Pure Python: Score-like objects only need `kind`, `key` and `score`.
"""

from __future__ import annotations

from collections.abc import Iterable
from fractions import Fraction

from autodiag.consolidation.figures import NOT_EVALUATED, units_of_percent, units_of_ratio
from autodiag.consolidation.layout import QUESTION, Layout


def _exact(number) -> Fraction | None:
    """A report JSON number back to its exact value: points are multiples
    of a small unit (1/60 of a point in 2026), which limit_denominator
    recovers from the nearest float."""
    if number is None:
        return None
    return Fraction(number).limit_denominator(1_000_000)


def question_ratios(report_json: dict) -> dict[str, Fraction | None]:
    """Each scored question's points / maximum, None when not applicable."""
    ratios = {}
    for row in report_json.get("questions", []):
        maximum = _exact(row.get("max_points"))
        points = _exact(row.get("points"))
        ratios[row["id"]] = points / maximum if maximum and points is not None else None
    return ratios


def figures_row(layout: Layout, scores: Iterable, report_json: dict) -> list[int]:
    """The figures of one diagnostic in the layout's order (units, -1 where
    not evaluated or absent: a theme the profile hides has no Score row)."""
    row = [NOT_EVALUATED] * layout.width
    for score in scores:
        position = layout.position(score.kind, score.key)
        if position is not None:
            row[position] = units_of_percent(score.score)
    questions = [(i, f) for i, f in layout.of_kind(QUESTION)]
    if questions:
        ratios = question_ratios(report_json)
        for position, figure in questions:
            row[position] = units_of_ratio(ratios.get(figure.key))
    return row
