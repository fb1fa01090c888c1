"""French display of exact figures: one decimal, rounded half up, decimal
comma, a no-break space before the percent sign (`58,2 %`). Rounding
happens here and nowhere else."""

from fractions import Fraction

NBSP = "\u00a0"
NOT_EVALUATED = "non évalué"


def round_half_up(value: Fraction, decimals: int = 1) -> Fraction:
    scale = 10**decimals
    # floor(x * scale + 1/2) in integers: exact for any Fraction.
    scaled = value * scale
    return Fraction((2 * scaled.numerator + scaled.denominator) // (2 * scaled.denominator), scale)


def format_number(value: Fraction, decimals: int = 1) -> str:
    """`58,2`, `50` (no trailing `,0`), `-3,4`."""
    rounded = round_half_up(abs(value), decimals)
    sign = "-" if value < 0 and rounded else ""
    whole, rest = divmod(rounded.numerator * 10**decimals // rounded.denominator, 10**decimals)
    if not rest:
        return f"{sign}{whole}"
    digits = f"{rest:0{decimals}d}".rstrip("0")
    return f"{sign}{whole},{digits}"


def format_percent(ratio: Fraction | None) -> str:
    """A ratio in [0, 1] as a French percentage; `non évalué` for None."""
    if ratio is None:
        return NOT_EVALUATED
    return f"{format_number(ratio * 100)}{NBSP}%"


def format_points(points: Fraction) -> str:
    return format_number(points, decimals=2)
