"""The timeline of an action plan (a Gantt chart) as plain geometry, for
the SVG partial `actions/_timeline.html` that the plan page and the plan's
PDF share, like `reports/charts.py` for the bar charts.

Pure Python (no Django): every coordinate is computed here and tested
without a database. One row per action: its label (wrapped on up to two
lines) above, then the planned period as a bar on the months' grid, and
its state in words at the right end, so that the state never rests on
colour alone. Late actions get a red outline and their state in red bold;
a dashed line marks today.
"""

from __future__ import annotations

import datetime
import math
from dataclasses import dataclass

from autodiag.french import suffix
from autodiag.reports.charts import (
    FONT_FAMILY,
    GRID_COLOUR,
    MUTED_COLOUR,
    TEXT_COLOUR,
    wrap_label,
)

# DSFR colours: blue France, its light "975" tint, success green, the
# disabled grey, and the error red for lateness and today's mark.
BLUE = "#000091"
BLUE_LIGHT = "#e3e3fd"
GREEN = "#18753c"
GREY = "#929292"
GREY_LIGHT = "#eeeeee"
RED = "#ce0500"
WHITE = "#ffffff"

WIDTH = 720
STATE_COLUMN = 170  # the state in words, right of the plot
STATE_GAP = 10
FONT_SIZE = 14
LINE_HEIGHT = 19
BAR_HEIGHT = 16
LABEL_GAP = 5
ROW_GAP = 14
AXIS_FONT_SIZE = 12
AXIS_HEIGHT = 22  # month names above the rows
TODAY_LABEL_HEIGHT = 20  # "Aujourd’hui" under the rows
MAX_LABEL_LINES = 2
MARK_OVERSHOOT = 5
MAX_MONTH_LABELS = 12

MONTHS = (
    "janv.",
    "févr.",
    "mars",
    "avr.",
    "mai",
    "juin",
    "juil.",
    "août",
    "sept.",
    "oct.",
    "nov.",
    "déc.",
)

KINDS = ("to_start", "in_progress", "done", "abandoned")


@dataclass(frozen=True, slots=True)
class Item:
    """One action: `kind` one of KINDS; `state` its state in words (short:
    it sits in the state column); `description` the sentence of the SVG's
    <desc>; `cells` the data table's row after the label."""

    label: str
    start: datetime.date
    end: datetime.date
    kind: str
    state: str
    late: bool
    progress: int
    description: str
    cells: tuple[str, ...] = ()
    url: str = ""


@dataclass(frozen=True, slots=True)
class LabelLine:
    text: str
    y: float


@dataclass(frozen=True, slots=True)
class Row:
    item: Item
    lines: tuple[LabelLine, ...]
    bar_x: float
    bar_y: float
    bar_width: float
    progress_width: float  # the filled part of an action under way
    state_y: float
    fill: str
    stroke: str
    stroke_width: float
    state_colour: str
    state_weight: str
    mark_top: float  # the month marks and today's line, across the bar's band only
    mark_bottom: float

    @property
    def shows_progress(self) -> bool:
        return self.progress_width > 0


@dataclass(frozen=True, slots=True)
class Tick:
    """The start of a month: a mark across each bar's band (never across
    the labels), named above when there is room for its name."""

    x: float
    label: str  # "" when skipped


@dataclass(frozen=True, slots=True)
class Timeline:
    id: str
    title: str
    description: str
    caption: str
    label_header: str
    headers: tuple[str, ...]
    rows: tuple[Row, ...]
    ticks: tuple[Tick, ...]
    width: int
    height: float
    plot_x: float
    plot_width: float
    plot_top: float
    plot_bottom: float
    axis_y: float
    state_x: float
    bar_height: int
    today_x: float | None
    today_label_y: float
    today_anchor: str
    font_family: str = FONT_FAMILY
    font_size: int = FONT_SIZE
    axis_font_size: int = AXIS_FONT_SIZE
    text_colour: str = TEXT_COLOUR
    muted_colour: str = MUTED_COLOUR
    grid_colour: str = GRID_COLOUR
    today_colour: str = RED

    @property
    def title_id(self) -> str:
        return f"{self.id}-titre"

    @property
    def desc_id(self) -> str:
        return f"{self.id}-description"

    @property
    def plot_right(self) -> float:
        return _r(self.plot_x + self.plot_width)

    @property
    def axis_tick_top(self) -> float:
        return _r(self.plot_top - 5)

    @property
    def last_mark_bottom(self) -> float:
        return self.rows[-1].mark_bottom if self.rows else self.plot_top


def _month_start(day: datetime.date) -> datetime.date:
    return day.replace(day=1)


def _next_month(day: datetime.date) -> datetime.date:
    return (day.replace(day=28) + datetime.timedelta(days=4)).replace(day=1)


def months_between(first: datetime.date, last: datetime.date) -> list[datetime.date]:
    """The first day of every month from `first`'s to `last`'s, inclusive."""
    months, current = [], _month_start(first)
    while current <= last:
        months.append(current)
        current = _next_month(current)
    return months


def month_label(day: datetime.date, with_year: bool) -> str:
    return f"{MONTHS[day.month - 1]}\u00a0{day.year}" if with_year else MONTHS[day.month - 1]


def _r(value: float) -> float:
    return round(value, 1)


def _style(item: Item) -> tuple[str, str, float, str, str]:
    """(fill, stroke, stroke width, state colour, state weight)."""
    fill, stroke = {
        "to_start": (WHITE, BLUE),
        "in_progress": (BLUE_LIGHT, BLUE),
        "done": (GREEN, GREEN),
        "abandoned": (GREY_LIGHT, GREY),
    }[item.kind]
    if item.late:
        return fill, RED, 2.5, RED, "700"
    return fill, stroke, 1.0, TEXT_COLOUR if item.kind != "abandoned" else MUTED_COLOUR, "400"


def timeline(
    id: str,
    title: str,
    items: list[Item],
    today: datetime.date,
    *,
    caption: str,
    label_header: str,
    headers: tuple[str, ...],
    width: int = WIDTH,
) -> Timeline:
    """The geometry of the timeline of `items`, in their order, over whole
    months from the earliest start (or today) to the latest end (or today)."""
    first = min([today, *(item.start for item in items)])
    last = max([today, *(item.end for item in items)])
    months = months_between(first, last)
    range_start, range_end = months[0], _next_month(months[-1])
    total_days = (range_end - range_start).days
    plot_x = 1.0
    plot_width = width - STATE_COLUMN - plot_x

    def x_of(day: datetime.date) -> float:
        day = min(max(day, range_start), range_end)
        return plot_x + plot_width * (day - range_start).days / total_days

    step = max(1, math.ceil(len(months) / MAX_MONTH_LABELS))
    ticks = []
    for index, month in enumerate(months):
        named = index % step == 0
        with_year = index == 0 or month.month == 1 or (named and month.month <= step)
        ticks.append(Tick(_r(x_of(month)), month_label(month, with_year) if named else ""))

    rows = []
    y = AXIS_HEIGHT + 4.0
    for item in items:
        lines = []
        for text in wrap_label(item.label, width, FONT_SIZE)[:MAX_LABEL_LINES]:
            y += LINE_HEIGHT
            lines.append(LabelLine(text, _r(y - 4)))
        if len(wrap_label(item.label, width, FONT_SIZE)) > MAX_LABEL_LINES:
            last_line = lines[-1]
            lines[-1] = LabelLine(last_line.text.rstrip("…").rstrip(" ,;:") + "…", last_line.y)
        bar_y = y + LABEL_GAP
        start_x, end_x = x_of(item.start), x_of(item.end + datetime.timedelta(days=1))
        bar_width = max(3.0, end_x - start_x)  # a one-day action stays visible
        progress = max(0, min(100, item.progress))
        fill, stroke, stroke_width, state_colour, weight = _style(item)
        rows.append(
            Row(
                item=item,
                lines=tuple(lines),
                bar_x=_r(start_x),
                bar_y=_r(bar_y),
                bar_width=_r(bar_width),
                progress_width=_r(bar_width * progress / 100)
                if item.kind == "in_progress"
                else 0.0,
                state_y=_r(bar_y + BAR_HEIGHT / 2 + FONT_SIZE * 0.33),
                fill=fill,
                stroke=stroke,
                stroke_width=stroke_width,
                state_colour=state_colour,
                state_weight=weight,
                mark_top=_r(bar_y - MARK_OVERSHOOT),
                mark_bottom=_r(bar_y + BAR_HEIGHT + MARK_OVERSHOOT),
            )
        )
        y = bar_y + BAR_HEIGHT + ROW_GAP
    plot_bottom = _r(y - ROW_GAP + 6)
    today_x = _r(x_of(today) + plot_width / total_days / 2)  # the middle of today
    anchor = (
        "start"
        if today_x < plot_x + 60
        else "end"
        if today_x > plot_x + plot_width - 60
        else "middle"
    )
    figures = " ; ".join(item.description for item in items)
    description = (
        f"Frise chronologique de {len(items)} action{suffix(len(items))}, "
        f"de {month_label(range_start, True)} à {month_label(months[-1], True)} ; "
        f"une ligne pointillée rouge marque aujourd’hui. {figures}."
        " Les mêmes informations figurent dans le tableau qui suit."
    )
    return Timeline(
        id=id,
        title=title,
        description=description,
        caption=caption,
        label_header=label_header,
        headers=headers,
        rows=tuple(rows),
        ticks=tuple(ticks),
        width=width,
        height=_r(plot_bottom + TODAY_LABEL_HEIGHT),
        plot_x=plot_x,
        plot_width=_r(plot_width),
        plot_top=AXIS_HEIGHT,
        plot_bottom=plot_bottom,
        axis_y=AXIS_FONT_SIZE + 2,
        state_x=_r(plot_x + plot_width + STATE_GAP),
        bar_height=BAR_HEIGHT,
        today_x=today_x,
        today_label_y=_r(plot_bottom + AXIS_FONT_SIZE + 4),
        today_anchor=anchor,
    )
