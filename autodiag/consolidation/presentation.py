"""What the consolidated pages, exports and API show of a `Consolidated`:
rows of French figures, the change since the previous period, the
distribution chart. Rounding happens in scoring.formatting only."""

from __future__ import annotations

from dataclasses import dataclass
from fractions import Fraction

from autodiag.consolidation.figures import BUCKETS
from autodiag.consolidation.layout import Figure
from autodiag.consolidation.statistics import Consolidated, Filters
from autodiag.french import suffix
from autodiag.reports.charts import Datum, bar_chart
from autodiag.reports.context import long_date
from autodiag.scoring.aggregate import Summary
from autodiag.scoring.formatting import NBSP, format_number, format_percent, round_half_up

MINUS = "\u2212"
DASH = "—"


def percent(value: Fraction | None) -> str:
    return DASH if value is None else format_percent(value)


def change(current: Fraction | None, previous: Fraction | None) -> dict:
    """The change of a ratio in percentage points, rounded once."""
    if current is None or previous is None:
        return {"text": DASH if current is None else "pas de période précédente", "kind": "none"}
    difference = (current - previous) * 100
    size = round_half_up(abs(difference))
    if size == 0:
        return {"text": f"0{NBSP}pt", "kind": "same"}
    unit = "pt" if size < 2 else "pts"
    sign = "+" if difference > 0 else MINUS
    return {
        "text": f"{sign}{format_number(size)}{NBSP}{unit}",
        "kind": "up" if difference > 0 else "down",
    }


def period_text(filters: Filters) -> str:
    return f"du {long_date(filters.start)} au {long_date(filters.end)}"


@dataclass(frozen=True)
class Row:
    figure: Figure
    summary: Summary
    previous: Summary | None
    national: Summary | None
    total: int

    @property
    def mean(self) -> str:
        return percent(self.summary.mean)

    @property
    def minimum(self) -> str:
        return percent(self.summary.minimum)

    @property
    def maximum(self) -> str:
        return percent(self.summary.maximum)

    @property
    def median(self) -> str:
        return percent(self.summary.median)

    @property
    def partial(self) -> bool:
        """Evaluated in fewer diagnostics than are taken into account."""
        return 0 < self.summary.count < self.total

    @property
    def change(self) -> dict:
        return change(self.summary.mean, self.previous.mean if self.previous else None)

    @property
    def national_mean(self) -> str:
        return percent(self.national.mean) if self.national else DASH


def rows(
    current: Consolidated,
    kind_rows: list[tuple[Figure, Summary]],
    previous: Consolidated | None,
    national: Consolidated | None,
) -> list[Row]:
    return [
        Row(
            figure,
            summary,
            previous.summary(figure.kind, figure.key) if previous else None,
            national.summary(figure.kind, figure.key) if national else None,
            current.count,
        )
        for figure, summary in kind_rows
    ]


def bucket_label(index: int) -> str:
    low, high = index * 100 // BUCKETS, (index + 1) * 100 // BUCKETS
    if index == BUCKETS - 1:
        return f"De {low} à {high}{NBSP}% inclus"
    return f"De {low} à moins de {high}{NBSP}%"


def distribution_chart(consolidated: Consolidated, chart_id: str = "repartition-notes"):
    evaluated = sum(consolidated.distribution)
    data = []
    for index, count in enumerate(consolidated.distribution):
        share = Fraction(count, evaluated) if evaluated else None
        data.append(
            Datum(
                bucket_label(index),
                float(share * 100) if share is not None else None,
                percent(share),
                (count_text(count),),
            )
        )
    return bar_chart(
        chart_id,
        "Répartition des notes globales",
        data,
        caption="Répartition des notes globales : part et nombre de diagnostics par tranche",
        label_header="Note globale",
        value_header="Part des diagnostics",
        extra_headers=("Nombre de diagnostics",),
        summary=f"{evaluated} diagnostic{suffix(evaluated)} réparti{suffix(evaluated)} par tranche de 10 points de note globale.",
    )


def count_text(count: int) -> str:
    """`12 345` with a narrow no-break space between thousands."""
    return f"{count:,}".replace(",", "\u202f")
