"""The figures of the dashboards (a structure's, and the consolidated one of
a scope), each from one aggregate query over the testimonies asked for.

Counted: every testimony not rejected (waiting for moderation, published,
kept private); rejected ones are off-topic or abuse and count apart. The
time to answer runs from receipt to the first answer (`answer_seconds`);
its median is exact (PostgreSQL reads an index in order, numpy elsewhere).
Whole months come from the monthly tallies (`tally.py`), the days at the
edges of a period from the testimonies themselves.
"""

from __future__ import annotations

import datetime
import re
import unicodedata
from collections import Counter
from dataclasses import dataclass, field

import numpy as np
from django.db import connection
from django.db.models import Count, F, Q, Sum
from django.db.models.functions import TruncMonth
from django.utils import timezone

from autodiag.testimonies import tally
from autodiag.testimonies.enums import COMMITMENT_WORDS, KEPT_STATUSES, Channel, Sentiment, Status

MAX_NEVER_ANSWERING = 50
WORDS_SAMPLE = 2000  # the latest testimonies whose words are counted
WORDS_SHOWN = 15


@dataclass
class Breakdown:
    """Counts of one slice (a channel, a commitment, everything) by sentiment."""

    key: str
    label: str
    total: int = 0
    satisfied: int = 0
    neutral: int = 0
    dissatisfied: int = 0

    def share(self, count: int) -> float | None:
        return None if not self.total else 100 * count / self.total

    @property
    def satisfied_share(self) -> float | None:
        return self.share(self.satisfied)

    @property
    def dissatisfied_share(self) -> float | None:
        return self.share(self.dissatisfied)

    @property
    def neutral_share(self) -> float | None:
        return self.share(self.neutral)


@dataclass
class Dashboard:
    total: int  # not rejected
    to_moderate: int
    published: int
    private: int
    rejected: int
    answered: int  # among published and private
    median_answer_seconds: float | None
    overall: Breakdown
    channels: list[Breakdown]
    commitments: list[Breakdown]
    months: list[tuple[datetime.date, int]]
    words: list[tuple[str, int]] = field(default_factory=list)
    never_answering: list = field(default_factory=list)
    never_answering_count: int = 0
    structures: int = 0

    @property
    def kept(self) -> int:
        return self.published + self.private

    @property
    def answered_share(self) -> float | None:
        return None if not self.kept else 100 * self.answered / self.kept

    @property
    def median_answer_days(self) -> float | None:
        if self.median_answer_seconds is None:
            return None
        return self.median_answer_seconds / 86400


def default_period_start(today: datetime.date | None = None) -> datetime.date:
    """The first day of the month eleven months ago: with today, twelve
    calendar months, read whole from the tallies."""
    today = today or timezone.localdate()
    year, month = divmod(today.year * 12 + today.month - 1 - 11, 12)
    return datetime.date(year, month + 1, 1)


def month_starts(start: datetime.date, end: datetime.date) -> list[datetime.date]:
    months, day = [], start.replace(day=1)
    while day <= end:
        months.append(day)
        day = (day + datetime.timedelta(days=32)).replace(day=1)
    return months


def _month_end(month: datetime.date) -> datetime.date:
    return (month + datetime.timedelta(days=32)).replace(day=1) - datetime.timedelta(days=1)


def split_period(start, end, today=None):
    """The months wholly inside [start, end] (read from the tallies) and
    the days left at its edges (read from the testimonies): [(first, last)].
    The current month counts as whole when the period runs to today."""
    today = today or timezone.localdate()
    whole, edges = [], []
    for month in month_starts(start, end):
        last = _month_end(month)
        first_day, last_day = max(month, start), min(last, end)
        if first_day == month and (last_day == last or last_day >= today):
            whole.append(month)
        else:
            edges.append((first_day, last_day))
    return whole, edges


def _testimonies_of(structures):
    from autodiag.testimonies.models import Testimony

    testimonies = Testimony.objects.all()
    return testimonies if structures is None else testimonies.filter(structure__in=structures)


def _tallies_of(structures, months):
    from autodiag.testimonies.models import MonthlyTally

    tallies = MonthlyTally.objects.filter(month__in=months)
    return tallies if structures is None else tallies.filter(structure__in=structures)


def _edge_testimonies(structures, edges):
    condition = Q(pk__in=[])
    for first, last in edges:
        condition |= Q(received_on__gte=first, received_on__lte=last)
    return _testimonies_of(structures).filter(condition)


def _add(total: dict, row: dict) -> None:
    for column in tally.COUNTER_COLUMNS:
        total[column] = total.get(column, 0) + (row.get(column) or 0)


def _breakdown(key: str, label: str, counts: dict, column) -> Breakdown:
    values = {s: counts.get(column(s), 0) for s in tally.SENTIMENTS}
    return Breakdown(
        key=key,
        label=label,
        total=sum(values.values()),
        satisfied=values[Sentiment.SATISFIED.value],
        neutral=values[Sentiment.NEUTRAL.value],
        dissatisfied=values[Sentiment.DISSATISFIED.value],
    )


def median_answer_seconds(testimonies, count: int | None = None) -> float | None:
    """The exact median of the time to answer of kept, answered testimonies
    (PostgreSQL reads the `testimony_answer_delays` index in order up to
    the middle; elsewhere numpy)."""
    answered = testimonies.filter(answer_seconds__isnull=False, status__in=KEPT_STATUSES)
    if connection.vendor != "postgresql":
        values = np.fromiter(answered.values_list("answer_seconds", flat=True), dtype=np.int64)
        return float(np.median(values)) if values.size else None
    if count is None:
        count = answered.count()
    if not count:
        return None
    middle = answered.order_by("answer_seconds").values_list("answer_seconds", flat=True)
    if count % 2:
        return float(middle[count // 2])
    lower, upper = middle[count // 2 - 1 : count // 2 + 1]
    return (lower + upper) / 2


def dashboard(structures, start: datetime.date, end: datetime.date) -> Dashboard:
    """The figures of the testimonies of `structures` (a Structure
    queryset, or None for every structure) received from `start` to `end`
    included: whole months from the monthly tallies, the days at the edges
    from the testimonies, so that the figures are exact for any period."""
    whole, edges = split_period(start, end)
    counts: dict[str, int] = {}
    per_month: dict[datetime.date, int] = {}
    visible = [Status.NEW.value, Status.PUBLISHED.value, Status.PRIVATE.value]
    if whole:
        for row in (
            _tallies_of(structures, whole)
            .values("month")
            .annotate(**{column: Sum(column) for column in tally.COUNTER_COLUMNS})
            .order_by()
        ):
            _add(counts, row)
            per_month[row["month"]] = per_month.get(row["month"], 0) + sum(row[c] for c in visible)
    if edges:
        rows = tally.counted_by(
            _edge_testimonies(structures, edges).annotate(edge_month=TruncMonth("received_on")),
            "edge_month",
        )
        for row in rows:
            month = row["edge_month"]
            month = month.date() if isinstance(month, datetime.datetime) else month
            _add(counts, row)
            per_month[month] = per_month.get(month, 0) + sum(row[c] for c in visible)
    for column in tally.COUNTER_COLUMNS:
        counts.setdefault(column, 0)
    in_period = _testimonies_of(structures).received_between(start, end)
    channels = [
        _breakdown(
            channel.value,
            channel.label,
            counts,
            lambda s, channel=channel: tally.channel_column(channel.value, s),
        )
        for channel in Channel
    ]
    return Dashboard(
        total=sum(counts[s] for s in tally.SENTIMENTS),
        to_moderate=counts[Status.NEW.value],
        published=counts[Status.PUBLISHED.value],
        private=counts[Status.PRIVATE.value],
        rejected=counts[Status.REJECTED.value],
        answered=counts["answered"],
        median_answer_seconds=median_answer_seconds(in_period, counts["answered"]),
        overall=_breakdown("tous", "Tous les témoignages", counts, lambda s: s),
        channels=[row for row in channels if row.total],
        commitments=[
            _breakdown(
                str(n), f"{n}. {words}", counts, lambda s, n=n: tally.commitment_column(n, s)
            )
            for n, words in COMMITMENT_WORDS.items()
        ],
        months=[(month, per_month.get(month, 0)) for month in month_starts(start, end)],
    )


def never_answering(structures, start, end):
    """Structures with testimonies kept in the period and not one answer:
    (the first MAX_NEVER_ANSWERING structure ids with their count, total)."""
    whole, edges = split_period(start, end)
    kept: dict[int, int] = {}
    answered: dict[int, int] = {}

    def add(rows):
        for structure_id, n_kept, n_answered in rows:
            kept[structure_id] = kept.get(structure_id, 0) + n_kept
            answered[structure_id] = answered.get(structure_id, 0) + n_answered

    if whole:
        add(
            _tallies_of(structures, whole)
            .values("structure_id")
            .annotate(kept=Sum(F("published") + F("private")), done=Sum("answered"))
            .filter(kept__gt=0, done=0)
            .values_list("structure_id", "kept", "done")
            .order_by()
        )
    if edges:
        edge_rows = (
            _edge_testimonies(structures, edges)
            .filter(status__in=KEPT_STATUSES)
            .values("structure_id")
            .annotate(kept=Count("pk"), done=Count("answer_seconds"))
            .values_list("structure_id", "kept", "done")
            .order_by()
        )
        add(edge_rows)
        if whole:  # a structure that answered in the whole months counts too
            answering = set(
                _tallies_of(structures, whole)
                .filter(
                    structure_id__in=[row[0] for row in edge_rows if row[2] == 0], answered__gt=0
                )
                .values_list("structure_id", flat=True)
            )
            for structure_id in answering:
                answered[structure_id] = answered.get(structure_id, 0) + 1
    rows = sorted(
        (
            (structure_id, n)
            for structure_id, n in kept.items()
            if n and not answered.get(structure_id)
        ),
        key=lambda row: (-row[1], row[0]),
    )
    return rows[:MAX_NEVER_ANSWERING], len(rows)


# -- recurring words -------------------------------------------------------------------

_STOPWORDS_TEXT = """
    alors aussi autre autres avaient avais avait avant avec avoir ayant bien cela celle celui
    cette ceux chaque comme comment dans depuis des deux doit donc dont elle elles encore entre
    est étaient était étais été être fait faire fois font hors ici ils jamais leur leurs lors
    mais mes mêmes même moi mon nos notre nous ont où par parce pas pendant peu peut plus pour
    pourquoi quand que quel quelle quelles quels qui rien sans ses son sont sous suis sur tant
    tous tout toute toutes très trop une vers vos votre vous avons avez aurait aurais serait
    était merci bonjour ai as au aux ce ces de du en et il je la le les ma me ne on ou sa se si
    ta te tu un cet ceci celà chez afin ainsi après déjà enfin etc car puis quelque quelques
    lorsque jusqu tandis toujours beaucoup vraiment avions étions
"""
STOPWORDS = frozenset(_STOPWORDS_TEXT.split())
WORD = re.compile(r"[a-zà-öø-ÿœæ]{4,}", re.IGNORECASE)


def _plain(word: str) -> str:
    return word.lower()


def recurring_words(texts, shown: int = WORDS_SHOWN) -> list[tuple[str, int]]:
    """The words found in the most testimonies (each testimony counts a
    word once), common French words aside."""
    counts: Counter = Counter()
    for text in texts:
        words = {_plain(w) for w in WORD.findall(unicodedata.normalize("NFC", text))}
        counts.update(w for w in words if w not in STOPWORDS)
    return [(word, n) for word, n in counts.most_common(shown) if n > 1]


def words_of(testimonies, start, end) -> list[tuple[str, int]]:
    texts = (
        testimonies.received_between(start, end)
        .exclude(status=Status.REJECTED)
        .newest_first()
        .values_list("text", flat=True)[:WORDS_SAMPLE]
    )
    return recurring_words(texts)
