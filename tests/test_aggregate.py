"""The figures of DOMAIN.md 4.4 and the consolidated aggregates."""

import statistics
from fractions import Fraction as F

from hypothesis import given
from hypothesis import strategies as st

from autodiag.scoring.aggregate import (
    consolidate,
    consolidated_rate,
    global_score,
    median,
    summarize,
)
from autodiag.scoring.formatting import format_percent


def percents(*values):
    return [F(str(value)) / 100 for value in values]


def test_single_structure_global_score_of_seed_000():
    commitments = percents(67.5, 52.9, 50, 75, 67.9, 45, 26.9, 80.6)
    assert format_percent(global_score(commitments)) == "58,2\u00a0%"


def test_consolidated_rate_of_seed_000():
    means = percents(80.6, 63.5, 70.2, 62.3, 73.3, 70.8, 56.9, 63.8)
    assert format_percent(consolidated_rate(means)) == "67,7\u00a0%"


def test_not_evaluated_commitments_are_left_out_of_the_global_score():
    assert global_score([F(1, 2), None, F(1)]) == F(3, 4)
    assert global_score([None, None]) is None


def test_median_of_even_and_odd_counts():
    assert median([F(3), F(1), F(2)]) == 2
    assert median([F(4), F(1), F(2), F(3)]) == F(5, 2)
    assert median([]) is None


def test_consolidation_counts_each_commitment_over_its_evaluated_diagnostics():
    rows = [{1: F(1, 2), 2: F(1)}, {1: F(1), 2: None}, {1: F(0), 2: F(1, 2)}]
    result = consolidate(rows, [1, 2])
    assert result.count == 3
    assert result.commitments[1] == summarize([F(1, 2), F(1), F(0)])
    assert result.commitments[2].count == 2 and result.commitments[2].mean == F(3, 4)
    assert (
        result.total.minimum == F(1, 4) and result.total.maximum == 1
    )  # global scores 3/4, 1, 1/4
    assert result.rate == (F(1, 2) + F(3, 4)) / 2


scores = st.fractions(min_value=0, max_value=1, max_denominator=1000)
rows = st.lists(
    st.dictionaries(st.integers(1, 8), st.one_of(st.none(), scores), min_size=8, max_size=8),
    min_size=1,
    max_size=40,
)


@given(rows)
def test_consolidation_equals_a_direct_computation(rows):
    result = consolidate(rows, range(1, 9))
    for number in range(1, 9):
        values = [row[number] for row in rows if row.get(number) is not None]
        summary = result.commitments[number]
        assert summary.count == len(values)
        if values:
            assert summary.mean == statistics.mean(values)
            assert summary.median == statistics.median(values)
            assert (summary.minimum, summary.maximum) == (min(values), max(values))
    globals_ = [
        statistics.mean(v for v in row.values() if v is not None)
        for row in rows
        if any(v is not None for v in row.values())
    ]
    if globals_:
        assert result.total.median == statistics.median(globals_)
