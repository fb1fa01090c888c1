"""Volume over time as vertical columns, as plain geometry for the SVG
partial `testimonies/_column_chart.html` (pages and PDFs). Pure Python (no
Django). The shares by channel and by commitment use the horizontal bars
of `autodiag.reports.charts`."""

from __future__ import annotations

from dataclasses import dataclass

from autodiag.reports.charts import (
    AXIS_FONT_SIZE,
    BAR_COLOUR,
    FONT_FAMILY,
    GRID_COLOUR,
    MUTED_COLOUR,
    TEXT_COLOUR,
)

WIDTH = 560
PLOT_HEIGHT = 160
TOP = 24  # room for the figures above the columns
AXIS_HEIGHT = 40  # two lines: the month, and the year where it changes
GAP_RATIO = 0.3


@dataclass(frozen=True, slots=True)
class Column:
    label: str  # « janv. » (the axis; the table and the description name the month fully)
    year: str  # under the first column and each January, else ""
    value: int
    x: float
    y: float
    width: float
    height: float
    centre: float
    value_y: float  # baseline of the figure just above the column


@dataclass(frozen=True, slots=True)
class ColumnChart:
    id: str
    title: str
    description: str
    caption: str
    label_header: str
    value_header: str
    columns: tuple[Column, ...]
    width: int
    height: float
    baseline: float
    axis_y: float
    year_y: float
    value_font_size: int
    font_family: str = FONT_FAMILY
    bar_colour: str = BAR_COLOUR
    grid_colour: str = GRID_COLOUR
    text_colour: str = TEXT_COLOUR
    muted_colour: str = MUTED_COLOUR
    axis_font_size: int = AXIS_FONT_SIZE

    @property
    def title_id(self) -> str:
        return f"{self.id}-titre"

    @property
    def desc_id(self) -> str:
        return f"{self.id}-description"


def _r(value: float) -> float:
    return round(value, 1)


def column_chart(
    id: str,
    title: str,
    data: list[tuple[str, str, int]],
    *,
    caption: str,
    label_header: str = "Mois",
    value_header: str = "Témoignages",
    width: int = WIDTH,
) -> ColumnChart:
    """`data`: (month on the axis, year or "", count) per column."""
    top = max((value for _, _, value in data), default=0) or 1
    slot = width / max(len(data), 1)
    column_width = slot * (1 - GAP_RATIO)
    baseline = TOP + PLOT_HEIGHT
    columns = []
    for index, (label, year, value) in enumerate(data):
        height = PLOT_HEIGHT * value / top
        x = index * slot + (slot - column_width) / 2
        columns.append(
            Column(
                label=label,
                year=year,
                value=value,
                x=_r(x),
                y=_r(baseline - height),
                width=_r(column_width),
                height=_r(height),
                centre=_r(x + column_width / 2),
                value_y=_r(baseline - height - 4),
            )
        )
    figures = "\u00a0; ".join(
        f"{column.label} {column.year or ''}".strip() + f"\u00a0: {column.value}"
        for column in columns
    )
    return ColumnChart(
        id=id,
        title=title,
        description=f"Colonnes, une par mois. {figures}. Les mêmes valeurs figurent dans le tableau qui suit.",
        caption=caption,
        label_header=label_header,
        value_header=value_header,
        columns=tuple(columns),
        width=width,
        height=baseline + AXIS_HEIGHT,
        baseline=baseline,
        axis_y=baseline + AXIS_FONT_SIZE + 4,
        year_y=baseline + 2 * AXIS_FONT_SIZE + 8,
        value_font_size=11 if len(data) > 8 else AXIS_FONT_SIZE,
    )
