"""The consolidated view ("vision consolidée") over several diagnostics:
for each commitment the count, mean, minimum, maximum and median of the
scores; a total row over the global scores; and the consolidated rate, the
mean of the commitment means. Exact Fractions in, exact Fractions out.

A diagnostic where a commitment was "non évalué" is left out of that
commitment's figures only (so each commitment has its own count).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from fractions import Fraction

from autodiag.scoring.report import mean


@dataclass(frozen=True, slots=True)
class Summary:
    count: int
    mean: Fraction | None
    minimum: Fraction | None
    maximum: Fraction | None
    median: Fraction | None


def median(values: list[Fraction]) -> Fraction | None:
    if not values:
        return None
    ordered = sorted(values)
    middle = len(ordered) // 2
    if len(ordered) % 2:
        return ordered[middle]
    return (ordered[middle - 1] + ordered[middle]) / 2


def summarize(values: Iterable[Fraction | None]) -> Summary:
    present = [value for value in values if value is not None]
    if not present:
        return Summary(0, None, None, None, None)
    return Summary(len(present), mean(present), min(present), max(present), median(present))


def global_score(commitment_scores: Iterable[Fraction | None]) -> Fraction | None:
    """A diagnostic's global score: the mean of its evaluated commitments."""
    return mean(score for score in commitment_scores if score is not None)


def consolidated_rate(commitment_means: Iterable[Fraction | None]) -> Fraction | None:
    """The consolidated rate: the mean of the commitment means."""
    return mean(value for value in commitment_means if value is not None)


@dataclass(frozen=True, slots=True)
class Consolidation:
    count: int  # diagnostics taken into account
    commitments: dict[int, Summary]
    total: Summary  # over the global scores
    rate: Fraction | None


def consolidate(
    diagnostics: Iterable[Mapping[int, Fraction | None]], commitments: Iterable[int]
) -> Consolidation:
    """`diagnostics`: each diagnostic's scores by commitment number (None
    when not evaluated)."""
    rows = list(diagnostics)
    numbers = list(commitments)
    per_commitment = {n: summarize(row.get(n) for row in rows) for n in numbers}
    totals = summarize(global_score(row.get(n) for n in numbers) for row in rows)
    rate = consolidated_rate(summary.mean for summary in per_commitment.values())
    return Consolidation(len(rows), per_commitment, totals, rate)


def summarize_figures(
    rows: Iterable[Mapping[str, Fraction | None]], names: Iterable[str]
) -> dict[str, Summary]:
    """Each named figure summarized over the rows (a row lacking a figure,
    or holding None, is left out of that figure only). The total row of a
    consolidated view is the summary of the FROZEN global scores: in the
    earlier 9-commitment version the global figure was not the mean of the
    commitments (DOMAIN.md 4.4), so it is never recomputed."""
    rows = list(rows)
    return {name: summarize(row.get(name) for row in rows) for name in names}
