"""Horizontal bar charts (0–100 %) as plain geometry, for the SVG partial
`reports/_bar_chart.html` that pages and PDFs share.

Pure Python (no Django): every coordinate is computed here and tested
without a database; the template only writes them out. Each bar takes a
full-width row: its label (wrapped on up to three lines) above, the bar
below on a grey track, the figure at the right end. Labels above the bars
keep the long commitment titles legible at any width, and the figures in
a column of their own never overlap a bar.
"""

from __future__ import annotations

import textwrap
from dataclasses import dataclass

# DSFR colours: blue France for the bars, the grey contrast background for
# the track, the default and "mention" greys for the text.
BAR_COLOUR = "#000091"
TRACK_COLOUR = "#eeeeee"
GRID_COLOUR = "#929292"
TEXT_COLOUR = "#161616"
MUTED_COLOUR = "#666666"
FONT_FAMILY = "Marianne, arial, sans-serif"

WIDTH = 560  # viewBox units: one CSS pixel each on a desktop page, scaled down on a phone
VALUE_COLUMN = 100  # room for "100 %" or "non évalué", just after the track
VALUE_GAP = 8
FONT_SIZE = 16  # the DSFR body size
LINE_HEIGHT = 21
BAR_HEIGHT = 18
MARK_OVERSHOOT = 4
LABEL_GAP = 6  # between the last label line and its bar
ROW_GAP = 14  # between a bar and the next row's label
AXIS_FONT_SIZE = 13
AXIS_HEIGHT = 24
MAX_LABEL_LINES = 3
# Marianne's average advance is about 0.49 em on our titles (0.55 at most);
# 0.56 em keeps every wrapped line inside the chart, in Arial too.
CHAR_WIDTH_EM = 0.56


@dataclass(frozen=True, slots=True)
class Datum:
    """One bar: `value` in percent (None: not evaluated, no bar), `display`
    its French rendering, `cells` any further table columns."""

    label: str
    value: float | None
    display: str
    cells: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class LabelLine:
    text: str
    y: float


@dataclass(frozen=True, slots=True)
class Row:
    datum: Datum
    lines: tuple[LabelLine, ...]
    bar_y: float
    bar_width: float  # 0 when there is no figure
    value_y: float  # baseline of the figure, centred on the bar
    mark_top: float  # the 0, 50 and 100 % marks overshoot the track a little
    mark_bottom: float

    @property
    def evaluated(self) -> bool:
        return self.datum.value is not None


@dataclass(frozen=True, slots=True)
class Gridline:
    """A mark at 0, 50 or 100 %, drawn across each bar's track (not across
    the labels, which stay clear) and named on the axis below."""

    x: float
    percent: int
    label: str
    anchor: str  # text-anchor of the axis label


@dataclass(frozen=True, slots=True)
class BarChart:
    id: str
    title: str  # the SVG <title>: the chart's accessible name (PDF "Alt" too)
    description: str  # the SVG <desc>: every figure in words
    caption: str  # the data table's caption
    label_header: str
    value_header: str
    extra_headers: tuple[str, ...]
    rows: tuple[Row, ...]
    gridlines: tuple[Gridline, ...]
    width: int
    height: float
    plot_x: float
    plot_width: float
    bar_height: int
    value_x: float  # start of the figures, just after the track
    axis_y: float  # baseline of the axis labels (0 %, 50 %, 100 %)
    font_family: str = FONT_FAMILY
    font_size: int = FONT_SIZE
    axis_font_size: int = AXIS_FONT_SIZE
    bar_colour: str = BAR_COLOUR
    track_colour: str = TRACK_COLOUR
    grid_colour: str = GRID_COLOUR
    text_colour: str = TEXT_COLOUR
    muted_colour: str = MUTED_COLOUR

    @property
    def title_id(self) -> str:
        return f"{self.id}-titre"

    @property
    def desc_id(self) -> str:
        return f"{self.id}-description"


def wrap_label(text: str, width: int = WIDTH, font_size: int = FONT_SIZE) -> tuple[str, ...]:
    """The label on as many lines as fit `width`, three at most (the last
    one shortened with an ellipsis; the table keeps the whole text)."""
    per_line = max(10, int(width / (font_size * CHAR_WIDTH_EM)))
    lines = textwrap.wrap(" ".join(text.split()), per_line, break_on_hyphens=False) or [""]
    if len(lines) > MAX_LABEL_LINES:
        kept = lines[:MAX_LABEL_LINES]
        last = kept[-1]
        if len(last) >= per_line:
            last = last[: per_line - 1].rstrip()
        kept[-1] = last.rstrip(" ,;:") + "…"
        lines = kept
    return tuple(lines)


def _clamp(value: float) -> float:
    return max(0.0, min(100.0, value))


def _r(value: float) -> float:
    """Coordinates to a tenth of a unit: short, stable markup."""
    return round(value, 1)


def bar_chart(
    id: str,
    title: str,
    data: list[Datum],
    *,
    caption: str,
    label_header: str,
    value_header: str = "Taux d’atteinte",
    extra_headers: tuple[str, ...] = (),
    summary: str = "",
    width: int = WIDTH,
) -> BarChart:
    """The geometry of a chart of `data`, one bar per datum, in order."""
    plot_x = 1.0  # half the gridline's stroke, so the 0 line is not clipped
    plot_width = width - VALUE_COLUMN - plot_x
    rows = []
    y = 0.0
    for datum in data:
        lines = []
        for text in wrap_label(datum.label, width):
            y += LINE_HEIGHT
            lines.append(LabelLine(text, _r(y - 4)))  # baseline a little above the line's bottom
        bar_y = y + LABEL_GAP
        bar_width = _r(plot_width * _clamp(datum.value) / 100) if datum.value is not None else 0.0
        rows.append(
            Row(
                datum=datum,
                lines=tuple(lines),
                bar_y=_r(bar_y),
                bar_width=bar_width,
                value_y=_r(bar_y + BAR_HEIGHT / 2 + FONT_SIZE * 0.3),
                mark_top=_r(bar_y - MARK_OVERSHOOT),
                mark_bottom=_r(bar_y + BAR_HEIGHT + MARK_OVERSHOOT),
            )
        )
        y = bar_y + BAR_HEIGHT + ROW_GAP
    plot_bottom = _r(y - ROW_GAP)
    gridlines = tuple(
        Gridline(_r(plot_x + plot_width * percent / 100), percent, f"{percent}\u00a0%", anchor)
        for percent, anchor in ((0, "start"), (50, "middle"), (100, "end"))
    )
    figures = "\u00a0; ".join(f"{d.label}\u00a0: {d.display}" for d in data)
    description = (
        f"{summary + ' ' if summary else ''}Barres horizontales de 0 à 100\u00a0%. {figures}."
        " Les mêmes valeurs figurent dans le tableau qui suit."
    )
    return BarChart(
        id=id,
        title=title,
        description=description,
        caption=caption,
        label_header=label_header,
        value_header=value_header,
        extra_headers=extra_headers,
        rows=tuple(rows),
        gridlines=gridlines,
        width=width,
        height=_r(plot_bottom + AXIS_HEIGHT),
        plot_x=plot_x,
        plot_width=_r(plot_width),
        bar_height=BAR_HEIGHT,
        value_x=_r(plot_x + plot_width + VALUE_GAP),
        axis_y=_r(plot_bottom + AXIS_FONT_SIZE + 6),
    )
