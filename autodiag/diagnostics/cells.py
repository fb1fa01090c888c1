"""Answers as cells: what one person answers at a time, with a revision.

A question's answer is one cell (key ``""``), except a list (Yes/No list,
per-channel list), whose rows are cells of their own (key: the item id);
the whole-list cell ``""`` then only holds « Non applicable ».

`Answer.cells` records, per cell, its revision (``r``, 1 for the first
answer, +1 at each change), who changed it last (``by``, a user id) and
when (``at``, ISO). A save carries the changed cells and the revisions its
author last saw (`base`). `merge` applies each changed cell unless the
stored one moved on since (its revision is above the base) *and* holds a
different value: that is a conflict, left for the person to settle; the
same value from both is no conflict.

The PostgreSQL function `diagnostics_merge_cells` (migration 0003) is the
same algorithm, run inside the one upsert statement; tests run both.
"""

from __future__ import annotations

WHOLE = ""


def value_of(value, cell: str):
    """The stored value of one cell (None: unanswered). The whole-answer
    cell of a list holds only what is not a row (« Non applicable »)."""
    if cell == WHOLE:
        return None if isinstance(value, dict) else value
    return value.get(cell) if isinstance(value, dict) else None


def merge(value, cells: dict, changes: dict, base: dict | None, by_id, at: str):
    """(new value, new cells, number of cells applied). `changes` maps a
    cell to its new storable value (None: clear it). `base` None: a script
    writing blindly (last write wins), no conflict possible."""
    cells = dict(cells or {})
    whole_revision = cells.get(WHOLE, {}).get("r", 0)
    whole_seen = whole_revision if base is None else base.get(WHOLE, 0) or 0
    applied = 0
    # The whole-answer cell first, as jsonb_each does (shortest key first):
    # « Non applicable » then rows gives rows, the other order gives "na".
    for cell, new in sorted(changes.items(), key=lambda change: change[0] != WHOLE):
        revision = cells.get(cell, {}).get("r", 0)
        seen = revision if base is None else base.get(cell, 0) or 0
        if value_of(value, cell) == new:
            continue  # same value: nothing to write, no conflict
        if revision > seen:
            continue  # changed by someone else meanwhile: a conflict
        not_applicable_meanwhile = (
            cell != WHOLE and value is not None and not isinstance(value, dict)
        )
        if not_applicable_meanwhile and whole_revision > whole_seen:
            continue  # the list became « Non applicable » meanwhile
        if cell == WHOLE:
            value = new
        else:
            rows = dict(value) if isinstance(value, dict) else {}
            if new is None:
                rows.pop(cell, None)
            else:
                rows[cell] = new
            value = rows
        cells[cell] = {"r": revision + 1, "by": by_id, "at": at}
        applied += 1
    return value, cells, applied


def conflicts(stored_value, changes: dict) -> list[str]:
    """The changed cells whose stored value is not the one sent (after a
    merge: the ones not applied)."""
    return [cell for cell, new in changes.items() if value_of(stored_value, cell) != new]


def revisions(cells: dict | None) -> dict[str, int]:
    return {cell: meta.get("r", 0) for cell, meta in (cells or {}).items()}


# The same algorithm in PL/pgSQL, for the upsert statement (migration 0003).
POSTGRES_FUNCTION = """
CREATE OR REPLACE FUNCTION diagnostics_merge_cells(
    old_value jsonb, old_cells jsonb, changes jsonb, base jsonb, by_id bigint, at_text text,
    OUT value jsonb, OUT cells jsonb, OUT applied integer)
LANGUAGE plpgsql IMMUTABLE AS $$
DECLARE
    cell text; new jsonb; current jsonb; revision integer; seen integer;
    whole_revision integer; whole_seen integer;
BEGIN
    value := CASE WHEN jsonb_typeof(old_value) = 'null' THEN NULL ELSE old_value END;
    cells := coalesce(old_cells, '{}'::jsonb);
    applied := 0;
    whole_revision := coalesce((cells -> '' ->> 'r')::integer, 0);
    whole_seen := coalesce((base ->> '')::integer,
        CASE WHEN base IS NULL THEN whole_revision ELSE 0 END);
    FOR cell, new IN SELECT key, j.value FROM jsonb_each(changes) j LOOP
        IF jsonb_typeof(new) = 'null' THEN new := NULL; END IF;
        revision := coalesce((cells -> cell ->> 'r')::integer, 0);
        seen := coalesce((base ->> cell)::integer, CASE WHEN base IS NULL THEN revision ELSE 0 END);
        IF cell = '' THEN
            current := CASE WHEN jsonb_typeof(value) = 'object' THEN NULL ELSE value END;
        ELSIF jsonb_typeof(value) = 'object' THEN current := value -> cell;
        ELSE current := NULL;
        END IF;
        CONTINUE WHEN current IS NOT DISTINCT FROM new;
        CONTINUE WHEN revision > seen;
        CONTINUE WHEN cell <> '' AND value IS NOT NULL AND jsonb_typeof(value) <> 'object'
            AND whole_revision > whole_seen;
        IF cell = '' THEN
            value := new;
        ELSE
            IF value IS NULL OR jsonb_typeof(value) <> 'object' THEN value := '{}'::jsonb; END IF;
            IF new IS NULL THEN value := value - cell;
            ELSE value := jsonb_set(value, ARRAY[cell], new);
            END IF;
        END IF;
        cells := jsonb_set(cells, ARRAY[cell],
            jsonb_build_object('r', revision + 1, 'by', by_id, 'at', at_text));
        applied := applied + 1;
    END LOOP;
    value := coalesce(value, 'null'::jsonb);
END;
$$;
"""
POSTGRES_FUNCTION_REVERSE = (
    "DROP FUNCTION IF EXISTS diagnostics_merge_cells(jsonb, jsonb, jsonb, jsonb, bigint, text)"
)
