"""Monthly tallies of testimonies, so that a dashboard over a million
testimonies reads about a row per structure and month instead of every
testimony (docs/testimonies.md, "Dashboards").

A moderated testimony contributes 1 to a few counters of its structure's
month (the month it was received): its status; unless rejected, its sentiment, its
channel × sentiment and each of its commitments × sentiment; once kept
(published or private) and answered, `answered`. Every state change of a
testimony (`Testimony` methods) takes its old contribution away and adds
the new one, in the same transaction; `rebuild` recomputes every tally from
the testimonies (after a bulk load). Testimonies waiting for moderation
are not tallied: a post never waits for its month's row, and the
dashboards count the few waiting ones from the testimonies."""

from __future__ import annotations

import datetime

from django.db import connection, models, transaction
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


def columns_of(status, sentiment, channel, commitments: int, answered: bool) -> list[str]:
    """The counters a testimony like this counts in."""
    columns = [STATUS_COLUMNS[status]]
    if status != Status.REJECTED:
        columns.append(sentiment)
        columns.append(channel_column(channel, sentiment))
        columns += [
            commitment_column(n, sentiment) for n in COMMITMENT_WORDS if commitments & (1 << n)
        ]
    if status in KEPT_STATUSES and answered:
        columns.append("answered")
    return columns


def contribution(testimony) -> list[str]:
    """The counters the testimony adds 1 to in its month's tally: none
    while it waits for moderation (the dashboards count those few from the
    testimonies, so that receiving one never waits for its month's row)."""
    if testimony.status == Status.NEW:
        return []
    return columns_of(
        testimony.status,
        testimony.sentiment,
        testimony.channel,
        testimony.commitments,
        testimony.answer_seconds is not None,
    )


def counted_in_groups(testimonies, *fields) -> list[dict]:
    """Every counter over `testimonies` grouped by `fields`, from one plain
    GROUP BY on the columns that decide them (a few thousand groups at
    most), the counters then added up here: much less work for the
    database than one filtered count per counter."""
    groups = (
        testimonies.values(*fields, "status", "sentiment", "channel", "commitments")
        .annotate(n=Count("received_on"), answered_n=Count("answer_seconds"))
        .order_by()
    )
    result: dict[tuple, dict] = {}
    for group in groups:
        key = tuple(group[name] for name in fields)
        counts = result.get(key)
        if counts is None:
            counts = result[key] = {
                **{name: group[name] for name in fields},
                **dict.fromkeys(COUNTER_COLUMNS, 0),
            }
        status, sentiment, channel, mask = (
            group["status"], group["sentiment"], group["channel"], group["commitments"]
        )  # fmt: skip
        for column in columns_of(status, sentiment, channel, mask, False):
            counts[column] += group["n"]
        if status in KEPT_STATUSES:
            counts["answered"] += group["answered_n"]
    return list(result.values())


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

    # One statement, one round trip, on SQLite and PostgreSQL: the row of
    # the month is created or moved (the column names are ours, never typed).
    table = connection.ops.quote_name(MonthlyTally._meta.db_table)
    names = [connection.ops.quote_name(column) for column in changes]
    others = [
        connection.ops.quote_name(column) for column in COUNTER_COLUMNS if column not in changes
    ]
    sql = (
        f"INSERT INTO {table} (structure_id, month, {', '.join(names + others)})"
        f" VALUES (%s, %s, {', '.join(['%s'] * len(names) + ['0'] * len(others))})"
        f" ON CONFLICT (structure_id, month) DO UPDATE SET "
        + ", ".join(f"{name} = {table}.{name} + %s" for name in names)
    )
    deltas = list(changes.values())
    with connection.cursor() as cursor:
        cursor.execute(sql, [structure_id, month_of(day), *deltas, *deltas])


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
    """Every counter over `testimonies`, in one aggregate query (counting a
    column the indexes hold, so that PostgreSQL may read them alone)."""
    return testimonies.alias(**_bits()).aggregate(
        **{column: Count("received_on", filter=_condition(column)) for column in COUNTER_COLUMNS}
    )


def counted_by(testimonies, *fields) -> list[dict]:
    """Every counter over `testimonies`, grouped by `fields` (after `.values`)."""
    return list(
        testimonies.alias(**_bits())
        .values(*fields)
        .annotate(
            **{
                column: Count("received_on", filter=_condition(column))
                for column in COUNTER_COLUMNS
            }
        )
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
    testimonies = testimonies.exclude(status=Status.NEW)
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


def remove(structure_id: int, day: datetime.date, columns: list[str]) -> None:
    """Take a deleted testimony's contribution away (only from a tally that
    still exists: a deleted structure takes its tallies with it)."""
    from autodiag.testimonies.models import MonthlyTally

    if columns:
        MonthlyTally.objects.filter(structure_id=structure_id, month=month_of(day)).update(
            **{column: F(column) - 1 for column in columns}
        )
