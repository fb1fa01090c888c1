"""The consolidated statistics ("vision consolidée", DOMAIN.md 4.5) of a
scope: which diagnostics count, and their figures.

- `Filters`: the version, the validation date range and the places,
  network and type of structure asked for;
- `lines_in_scope(user, filters)`: each structure of the user's scope
  (autodiag.permissions) matching the filters, once, with its latest
  validated diagnostic of the range on that version (`ResultLine`);
- `consolidate(queryset, version)`: the count; for every figure (global,
  commitments, channels, themes, national questions) the mean, minimum,
  maximum and median; the consolidated rate (the mean of the commitment
  means); the distribution of global scores; how national questions were
  answered. Exact, from the packed rows (`figures.py`);
- `direct_statistics(...)`: the same from the Score rows with
  `autodiag.scoring.aggregate`, the plain computation the fast one is
  tested against.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field, replace
from fractions import Fraction

import numpy as np
from django.core.cache import cache
from django.db import connections
from django.db.models import Max, Q
from django.utils import timezone

from autodiag.consolidation.figures import (
    AnswerSpread,
    answer_spread,
    distribution,
    matrix,
    summarize_column,
)
from autodiag.consolidation.layout import (
    CHANNEL,
    COMMITMENT,
    GLOBAL,
    QUESTION,
    THEME,
    Figure,
    Layout,
    layout_of,
)
from autodiag.consolidation.models import ResultLine
from autodiag.permissions import scope_structure_filter
from autodiag.questionnaires.models import QuestionnaireVersion
from autodiag.scoring.aggregate import Summary, consolidated_rate, summarize_figures
from autodiag.structures.models import Structure


@dataclass(frozen=True)
class Filters:
    version: QuestionnaireVersion
    start: datetime.date
    end: datetime.date  # included
    region: str = ""
    department: str = ""
    network_id: int | None = None
    structure_type: str = ""

    @property
    def places_or_kinds(self) -> bool:
        return bool(self.region or self.department or self.network_id or self.structure_type)

    def bounds(self) -> tuple[datetime.datetime, datetime.datetime]:
        """[start 00:00, day after end 00:00) in the site's time zone."""
        zone = timezone.get_current_timezone()
        start = datetime.datetime.combine(self.start, datetime.time.min, tzinfo=zone)
        end = datetime.datetime.combine(
            self.end + datetime.timedelta(days=1), datetime.time.min, tzinfo=zone
        )
        return start, end

    def previous_period(self) -> Filters:
        """The period of the same length just before."""
        length = self.end - self.start + datetime.timedelta(days=1)
        return replace(self, start=self.start - length, end=self.start - datetime.timedelta(days=1))

    def national(self) -> Filters:
        """The same period and version, every place, network and type."""
        return replace(self, region="", department="", network_id=None, structure_type="")

    def structure_q(self) -> Q:
        q = Q()
        if self.region:
            q &= Q(region_code=self.region)
        if self.department:
            q &= Q(department_code=self.department)
        if self.network_id:
            q &= Q(network_id=self.network_id)
        if self.structure_type:
            q &= Q(structure_type=self.structure_type)
        return q


def structures_filtered(user, filters: Filters, *, whole_country: bool = False):
    """The structures of the user's scope (or of the whole country) that
    the filters keep, as a queryset; None when nothing restricts them (the
    national scope unfiltered: no join at all)."""
    scope = None if whole_country else scope_structure_filter(user)
    if scope is None and not filters.places_or_kinds:
        return None
    q = filters.structure_q()
    if scope is not None:
        q &= scope
    return Structure.objects.filter(q)


def lines_in_scope(user, filters: Filters, *, whole_country: bool = False):
    start, end = filters.bounds()
    lines = ResultLine.objects.filter(questionnaire=filters.version).latest_between(start, end)
    structures = structures_filtered(user, filters, whole_country=whole_country)
    if structures is not None:
        lines = lines.filter(structure__in=structures.values("pk"))
    return lines


def fetch_figures(lines) -> tuple[int, bytes]:
    """(number of lines, their figures concatenated). On PostgreSQL the
    database concatenates them and sends the result in binary (one value
    of 20 MB for the whole country, not 100,000 rows nor 40 MB of hex)."""
    queryset = lines.order_by().values("figures")
    connection = connections[queryset.db]
    sql, params = queryset.query.sql_with_params()
    if connection.vendor == "postgresql":
        import psycopg

        connection.ensure_connection()
        # Django's cursors bind client-side, which cannot ask for binary results.
        with psycopg.Cursor(connection.connection) as cursor:
            cursor.execute(
                f"SELECT count(*), coalesce(string_agg(figures, ''::bytea), ''::bytea) FROM ({sql}) AS lines",
                params,
                binary=True,
            )
            count, data = cursor.fetchone()
        return count, bytes(data)
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        rows = [bytes(row[0]) for row in cursor.fetchall()]
    return len(rows), b"".join(rows)


@dataclass(frozen=True)
class Consolidated:
    """The consolidated figures of a set of diagnostics of one version."""

    layout: Layout
    count: int  # diagnostics taken into account (each structure once)
    summaries: tuple[Summary, ...]  # one per figure of the layout
    distribution: tuple[int, ...]  # global scores per tenth of 0–100 %
    spreads: dict[str, AnswerSpread] = field(default_factory=dict)  # national questions

    def _with(self, kind: str) -> list[tuple[Figure, Summary]]:
        return [(figure, self.summaries[i]) for i, figure in self.layout.of_kind(kind)]

    @property
    def total(self) -> Summary:
        return self.summaries[self.layout.position(GLOBAL)]

    @property
    def commitments(self) -> list[tuple[Figure, Summary]]:
        return self._with(COMMITMENT)

    @property
    def channels(self) -> list[tuple[Figure, Summary]]:
        return self._with(CHANNEL)

    @property
    def themes(self) -> list[tuple[Figure, Summary]]:
        return self._with(THEME)

    @property
    def questions(self) -> list[tuple[Figure, Summary]]:
        return self._with(QUESTION)

    @property
    def rate(self) -> Fraction | None:
        """The consolidated rate: the mean of the commitment means."""
        return consolidated_rate(summary.mean for _, summary in self.commitments)

    def summary(self, kind: str, key: str = "") -> Summary | None:
        position = self.layout.position(kind, key)
        return None if position is None else self.summaries[position]


def consolidate_data(layout: Layout, count: int, data: bytes) -> Consolidated:
    # One contiguous native array per figure, in a single copy.
    columns = np.ascontiguousarray(matrix(data, layout.width).T, dtype=np.int32)
    global_position = layout.position(GLOBAL)
    return Consolidated(
        layout=layout,
        count=count,
        summaries=tuple(summarize_column(column) for column in columns),
        distribution=tuple(distribution(columns[global_position])),
        spreads={figure.key: answer_spread(columns[i]) for i, figure in layout.of_kind(QUESTION)},
    )


def consolidate(lines, version: QuestionnaireVersion) -> Consolidated:
    layout = layout_of(version.questionnaire())
    count, data = fetch_figures(lines)
    return consolidate_data(layout, count, data)


def consolidated_statistics(user, filters: Filters, *, whole_country: bool = False) -> Consolidated:
    return consolidate(lines_in_scope(user, filters, whole_country=whole_country), filters.version)


NATIONAL_CACHE_SECONDS = 3600


def data_version() -> int:
    """Grows with every line written (validation, import): the newest
    line's id, read from the primary key's index."""
    return ResultLine.objects.aggregate(newest=Max("pk"))["newest"] or 0


def national_statistics(filters: Filters) -> Consolidated:
    """The whole country's figures for the filters' version and period,
    shared by every head (the "national figures beside"): cached, under a
    key that changes as soon as a diagnostic is validated or imported."""
    national = filters.national()
    key = (
        f"consolidation-national:{national.version.pk}:{national.start}:{national.end}:"
        f"{data_version()}"
    )
    cached = cache.get(key)
    if cached is None:
        cached = consolidate(lines_in_scope(None, national, whole_country=True), national.version)
        cache.set(key, cached, NATIONAL_CACHE_SECONDS)
    return cached


# -- the direct computation, for the tests ------------------------------------


def direct_statistics(diagnostic_ids, version: QuestionnaireVersion) -> dict[str, Summary]:
    """Every figure summarized straight from the Score rows of the given
    diagnostics with `scoring.aggregate` (the national questions are not
    Score rows: `consolidate` reads them from the reports)."""
    from autodiag.diagnostics.models import Score

    layout = layout_of(version.questionnaire())
    rows: dict[int, dict[str, Fraction | None]] = {pk: {} for pk in diagnostic_ids}
    for diagnostic_id, kind, key, score in Score.objects.filter(
        diagnostic_id__in=list(rows)
    ).values_list("diagnostic_id", "kind", "key", "score"):
        name = f"{kind}:{key}" if key else kind
        rows[diagnostic_id][name] = None if score is None else Fraction(score) / 100
    names = [f.name for f in layout.figures if f.kind != QUESTION]
    return summarize_figures(rows.values(), names)
