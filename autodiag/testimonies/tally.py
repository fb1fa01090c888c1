"""Monthly tallies of testimonies, so that a dashboard over a million
testimonies reads about a row per structure and month instead of every
testimony (docs/testimonies.md, "Dashboards").

A testimony contributes 1 to a few counters of its structure's month (the
month it was received): its status; unless rejected, its sentiment, its
channel × sentiment and each of its commitments × sentiment; once kept
(published or private) and answered, `answered`. Every state change of a
testimony (`Testimony` methods) takes its old contribution away and adds
the new one, in the same transaction; `rebuild` recomputes every tally from
the testimonies (after a bulk load)."""

from __future__ import annotations

import datetime

from django.db import models, transaction
from django.db.models import Count, F, Q
from django.db.models.functions import TruncMonth

from autodiag.testimonies.enums import COMMITMENT_WORDS, KEPT_STATUSES, Channel, Sentiment, Status

STATUS_COLUMNS = {status.value: status.value for status in Status}
SENTIMENTS = [sentiment.value for sentiment in Sentiment]
CHANNEL_NAMES = {channel.value: channel.name.lower() for channel in Channel}


def channel_column(channel: str, sentiment: str) -> str:
    return f"ch_{CHANNEL_NAMES[channel]}_{sentiment}"


def commitment_column(number: int, sentiment: str) -> str:
    return f"c{number}_{sentiment}"


COUNTER_COLUMNS = [
    *STATUS_COLUMNS.values(),
    "answered",
    *SENTIMENTS,
    *(channel_column(c, s) for c in CHANNEL_NAMES for s in SENTIMENTS),
    *(commitment_column(n, s) for n in COMMITMENT_WORDS for s in SENTIMENTS),
]


def month_of(day: datetime.date) -> datetime.date:
    return day.replace(day=1)


def contribution(testimony) -> list[str]:
    """The counters the testimony adds 1 to, as it stands."""
    columns = [STATUS_COLUMNS[testimony.status]]
    if testimony.status != Status.REJECTED:
        sentiment = testimony.sentiment
        columns.append(sentiment)
        columns.append(channel_column(testimony.channel, sentiment))
        columns += [commitment_column(n, sentiment) for n in testimony.commitment_numbers]
    if testimony.status in KEPT_STATUSES and testimony.answer_seconds is not None:
        columns.append("answered")
    return columns


def apply(structure_id: int, day: datetime.date, removed: list[str], added: list[str]) -> None:
    """Move a testimony's contribution in its month's tally."""
    changes: dict[str, int] = {}
    for column in removed:
        changes[column] = changes.get(column, 0) - 1
    for column in added:
        changes[column] = changes.get(column, 0) + 1
    changes = {column: delta for column, delta in changes.items() if delta}
    if not changes:
        return
    from autodiag.testimonies.models import MonthlyTally

    month = month_of(day)
    with transaction.atomic():
        MonthlyTally.objects.bulk_create(
            [MonthlyTally(structure_id=structure_id, month=month)], ignore_conflicts=True
        )
        MonthlyTally.objects.filter(structure_id=structure_id, month=month).update(
            **{column: F(column) + delta for column, delta in changes.items()}
        )


# -- counting straight from the testimonies (edges of a period, rebuild) --------------------


def _condition(column: str) -> Q:
    if column in STATUS_COLUMNS:
        return Q(status=column)
    if column == "answered":
        return Q(status__in=KEPT_STATUSES, answer_seconds__isnull=False)
    not_rejected = ~Q(status=Status.REJECTED)
    if column in SENTIMENTS:
        return not_rejected & Q(sentiment=column)
    if column.startswith("ch_"):
        _, name, sentiment = column.split("_", 2)
        channel = next(value for value, n in CHANNEL_NAMES.items() if n == name)
        return not_rejected & Q(channel=channel, sentiment=sentiment)
    number, sentiment = column[1:].split("_", 1)
    bit = 1 << int(number)
    return not_rejected & Q(sentiment=sentiment, **{f"_bit{number}": bit})


def _bits():
    return {f"_bit{n}": F("commitments").bitand(1 << n) for n in COMMITMENT_WORDS}


def counted(testimonies) -> dict[str, int]:
    """Every counter over `testimonies`, in one aggregate query."""
    return testimonies.alias(**_bits()).aggregate(
        **{column: Count("pk", filter=_condition(column)) for column in COUNTER_COLUMNS}
    )


def counted_by(testimonies, *fields) -> list[dict]:
    """Every counter over `testimonies`, grouped by `fields` (after `.values`)."""
    return list(
        testimonies.alias(**_bits())
        .values(*fields)
        .annotate(**{column: Count("pk", filter=_condition(column)) for column in COUNTER_COLUMNS})
        .order_by()
    )


@transaction.atomic
def rebuild(structure_ids=None) -> int:
    """Recompute the tallies (of some structures, or all) from the
    testimonies; the number of tallies written."""
    from autodiag.testimonies.models import MonthlyTally, Testimony

    tallies = MonthlyTally.objects.all()
    testimonies = Testimony.objects.all()
    if structure_ids is not None:
        tallies = tallies.filter(structure_id__in=structure_ids)
        testimonies = testimonies.filter(structure_id__in=structure_ids)
    tallies.delete()
    rows = counted_by(
        testimonies.annotate(tally_month=TruncMonth("received_on")), "structure_id", "tally_month"
    )
    created = MonthlyTally.objects.bulk_create(
        [
            MonthlyTally(
                structure_id=row["structure_id"],
                month=row["tally_month"].date()
                if isinstance(row["tally_month"], datetime.datetime)
                else row["tally_month"],
                **{column: row[column] for column in COUNTER_COLUMNS},
            )
            for row in rows
        ],
        batch_size=2000,
    )
    return len(created)


def add_counter_fields(model: type[models.Model]) -> None:
    for column in COUNTER_COLUMNS:
        model.add_to_class(column, models.IntegerField(default=0))
