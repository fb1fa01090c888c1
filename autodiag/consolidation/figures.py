"""A diagnostic's figures packed in one small binary row, and the exact
consolidated statistics of many such rows.

A figure is a percentage kept to 4 decimals, as `Score.score` keeps it,
stored as a whole number of ten-thousandths of a percent (`58.2143 %` is
582143); `NOT_EVALUATED` (-1) marks a figure with nothing applicable. A row
is the figures of one diagnostic, in the order of its version's layout
(`layout.py`), as big-endian 32-bit integers: 44 figures are 176 bytes.
Big-endian, so that the database orders a figure's 4 bytes as it orders
the numbers (sorting structures by a commitment's score is a SUBSTRING of
the row); "non évalué" (FFFFFFFF) sorts after every score.

The statistics are exact: sums are whole numbers, a mean is the Fraction
sum / count, a median the middle value (or the mean of the two middle
values). numpy does the counting, summing and selecting (`np.partition`
finds a median in linear time) over columns of 100,000 rows in
milliseconds; every result comes out as a Fraction of a ratio in [0, 1],
like `autodiag.scoring.aggregate`, which the tests compare it with.

Pure Python and numpy: no Django.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from decimal import Decimal
from fractions import Fraction

import numpy as np

from autodiag.scoring.aggregate import Summary

NOT_EVALUATED = -1
UNITS_PER_PERCENT = 10_000
UNITS_PER_RATIO = 100 * UNITS_PER_PERCENT  # a ratio of 1 is 1,000,000 units
DTYPE = np.dtype(">i4")
FOUR_PLACES = Decimal("0.0001")
BUCKETS = 10  # distribution of global scores: 0–10 %, 10–20 %, … 90–100 %


def units_of_percent(score: Decimal | None) -> int:
    """A Score row's percentage (4 decimals) as units."""
    if score is None:
        return NOT_EVALUATED
    return int(Decimal(score).quantize(FOUR_PLACES) * UNITS_PER_PERCENT)


def units_of_ratio(ratio: Fraction | None) -> int:
    """An exact ratio as units, rounded to 4 decimals of a percent exactly
    as validation rounds the Score rows (Decimal, half even)."""
    if ratio is None:
        return NOT_EVALUATED
    percent = Decimal(ratio.numerator * 100) / Decimal(ratio.denominator)
    return int(percent.quantize(FOUR_PLACES) * UNITS_PER_PERCENT)


def ratio_of_units(units: int) -> Fraction | None:
    return None if units < 0 else Fraction(int(units), UNITS_PER_RATIO)


def pack(values: Sequence[int]) -> bytes:
    return np.asarray(values, dtype=DTYPE).tobytes()


def unpack(row: bytes) -> list[int]:
    return np.frombuffer(bytes(row), dtype=DTYPE).tolist()


def byte_range(position: int) -> tuple[int, int]:
    """(1-based start, length) of a figure's bytes in a row, for SUBSTRING."""
    return position * DTYPE.itemsize + 1, DTYPE.itemsize


def matrix(rows: Iterable[bytes] | bytes, width: int) -> np.ndarray:
    """Rows (or their concatenation) as an (n, width) array. Rows shorter
    than `width` (none today: a layout never changes) would be refused."""
    data = rows if isinstance(rows, bytes | bytearray | memoryview) else b"".join(rows)
    array = np.frombuffer(data, dtype=DTYPE)
    if array.size % width:
        raise ValueError("des lignes de chiffres n’ont pas la largeur de leur version")
    return array.reshape(-1, width)  # big-endian: numpy converts when computing


def summarize_column(column: np.ndarray) -> Summary:
    """count, mean, minimum, maximum and median of one figure, exactly,
    leaving out the diagnostics where it was not evaluated."""
    values = column if column.size and column.min() >= 0 else column[column >= 0]
    count = int(values.size)
    if not count:
        return Summary(0, None, None, None, None)
    total = int(values.sum(dtype=np.int64))
    middle = count // 2
    if count % 2:
        median = Fraction(int(np.partition(values, middle)[middle]), UNITS_PER_RATIO)
    else:
        low, high = np.partition(values, (middle - 1, middle))[middle - 1 : middle + 1]
        median = Fraction(int(low) + int(high), 2 * UNITS_PER_RATIO)
    return Summary(
        count,
        Fraction(total, count * UNITS_PER_RATIO),
        Fraction(int(values.min()), UNITS_PER_RATIO),
        Fraction(int(values.max()), UNITS_PER_RATIO),
        median,
    )


def distribution(column: np.ndarray, buckets: int = BUCKETS) -> list[int]:
    """How many evaluated values fall in each of `buckets` equal slices of
    0–100 % (the last one includes 100 %)."""
    values = column[column >= 0]
    width = UNITS_PER_RATIO // buckets
    indexes = np.minimum(values // width, buckets - 1)
    return np.bincount(indexes, minlength=buckets).astype(int).tolist()


@dataclass(frozen=True, slots=True)
class AnswerSpread:
    """How a question was answered across diagnostics: not in place (0),
    partly (strictly between), fully (100 %), and not applicable."""

    none: int
    partly: int
    fully: int
    not_applicable: int


def answer_spread(column: np.ndarray) -> AnswerSpread:
    evaluated = column[column >= 0]
    none = int((evaluated == 0).sum())
    fully = int((evaluated == UNITS_PER_RATIO).sum())
    return AnswerSpread(
        none=none,
        partly=int(evaluated.size) - none - fully,
        fully=fully,
        not_applicable=int(column.size - evaluated.size),
    )
