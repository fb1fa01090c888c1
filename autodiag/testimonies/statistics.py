"""The figures of the dashboards (a structure's, and the consolidated one of
a scope), each from one aggregate query over the testimonies asked for.

Counted: every testimony not rejected (waiting for moderation, published,
kept private); rejected ones are off-topic or abuse and count apart. The
time to answer runs from receipt to the first answer (`answer_seconds`);
its median is exact (PostgreSQL's percentile_cont, numpy elsewhere).
"""

from __future__ import annotations

import datetime
import re
import unicodedata
from collections import Counter
from dataclasses import dataclass, field

import numpy as np
from django.db import connection
from django.db.models import Aggregate, Count, F, FloatField, Q
from django.db.models.functions import TruncMonth

from autodiag.testimonies.enums import COMMITMENT_WORDS, Channel, Sentiment, Status

MAX_NEVER_ANSWERING = 50
WORDS_SAMPLE = 2000  # the latest testimonies whose words are counted
WORDS_SHOWN = 15


class Median(Aggregate):
    """PostgreSQL's exact median."""

    function = "percentile_cont"
    template = "%(function)s(0.5) WITHIN GROUP (ORDER BY %(expressions)s)"
    output_field = FloatField()


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


def _sentiment_counts(prefix: str, condition: Q) -> dict:
    return {
        f"{prefix}_total": Count("pk", filter=condition),
        **{
            f"{prefix}_{sentiment.value}": Count("pk", filter=condition & Q(sentiment=sentiment))
            for sentiment in Sentiment
        },
    }


def _breakdown(key: str, label: str, row: dict, prefix: str) -> Breakdown:
    return Breakdown(
        key=key,
        label=label,
        total=row[f"{prefix}_total"],
        satisfied=row[f"{prefix}_{Sentiment.SATISFIED.value}"],
        neutral=row[f"{prefix}_{Sentiment.NEUTRAL.value}"],
        dissatisfied=row[f"{prefix}_{Sentiment.DISSATISFIED.value}"],
    )


def median_answer_seconds(testimonies) -> float | None:
    answered = testimonies.filter(answer_seconds__isnull=False)
    if connection.vendor == "postgresql":
        return answered.aggregate(median=Median("answer_seconds"))["median"]
    values = np.fromiter(answered.values_list("answer_seconds", flat=True), dtype=np.int64)
    return float(np.median(values)) if values.size else None


def month_starts(start: datetime.date, end: datetime.date) -> list[datetime.date]:
    months, day = [], start.replace(day=1)
    while day <= end:
        months.append(day)
        day = (day + datetime.timedelta(days=32)).replace(day=1)
    return months


def dashboard(testimonies, start: datetime.date, end: datetime.date) -> Dashboard:
    """The figures of `testimonies` (any queryset of one structure or a
    scope) received from `start` to `end` included."""
    testimonies = testimonies.received_between(start, end)
    counted = ~Q(status=Status.REJECTED)
    aliases = {f"_c{n}": F("commitments").bitand(1 << n) for n in COMMITMENT_WORDS}
    aggregates = {
        "to_moderate": Count("pk", filter=Q(status=Status.NEW)),
        "published": Count("pk", filter=Q(status=Status.PUBLISHED)),
        "private": Count("pk", filter=Q(status=Status.PRIVATE)),
        "rejected": Count("pk", filter=Q(status=Status.REJECTED)),
        "answered": Count(
            "pk",
            filter=Q(status__in=[Status.PUBLISHED, Status.PRIVATE], answered_at__isnull=False),
        ),
        **_sentiment_counts("all", counted),
    }
    for n in COMMITMENT_WORDS:
        aggregates.update(_sentiment_counts(f"c{n}", counted & Q(**{f"_c{n}": 1 << n})))
    row = testimonies.alias(**aliases).aggregate(**aggregates)

    by_channel = {
        item["channel"]: item
        for item in testimonies.filter(counted)
        .values("channel")
        .annotate(**_sentiment_counts("ch", Q()))
        .order_by()
    }
    channels = [
        _breakdown(channel.value, channel.label, by_channel[channel.value], "ch")
        for channel in Channel
        if channel.value in by_channel
    ]
    commitments = [
        _breakdown(str(n), f"{n}. {words}", row, f"c{n}") for n, words in COMMITMENT_WORDS.items()
    ]
    per_month = dict(
        testimonies.filter(counted)
        .annotate(month=TruncMonth("received_on"))
        .values_list("month")
        .annotate(n=Count("pk"))
        .order_by()
        .values_list("month", "n")
    )
    per_month = {
        (m.date() if isinstance(m, datetime.datetime) else m): n for m, n in per_month.items()
    }
    months = [(month, per_month.get(month, 0)) for month in month_starts(start, end)]
    kept = testimonies.filter(status__in=[Status.PUBLISHED, Status.PRIVATE])
    return Dashboard(
        total=row["all_total"],
        to_moderate=row["to_moderate"],
        published=row["published"],
        private=row["private"],
        rejected=row["rejected"],
        answered=row["answered"],
        median_answer_seconds=median_answer_seconds(kept),
        overall=_breakdown("tous", "Tous les témoignages", row, "all"),
        channels=channels,
        commitments=commitments,
        months=months,
    )


def never_answering(testimonies, start, end):
    """Structures with testimonies to answer in the period and not one
    answer: (first MAX_NEVER_ANSWERING structure ids with their count, total)."""
    rows = (
        testimonies.received_between(start, end)
        .filter(status__in=[Status.PUBLISHED, Status.PRIVATE])
        .values("structure_id")
        .annotate(kept=Count("pk"), answered=Count("answered_at"))
        .filter(answered=0)
        .order_by("-kept", "structure_id")
        .values_list("structure_id", "kept")
    )
    total = rows.count()
    return list(rows[:MAX_NEVER_ANSWERING]), total


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
