"""The answers of a section as HTML form fields, and back.

Field names: `q-<question>` for a single value (radios, text, checkboxes of
the channels question), `q-<question>--<item>` for a row of a Yes/No list,
`q-<question>--na` for "Non applicable" on a list, and
`q-<question>--initial` holding the value the page was rendered with and
`q-<question>--rev` the revisions of its cells (diagnostics.cells), so
that a form posted without JavaScript only writes the cells its author
changed, with the revisions they saw: a teammate's newer answer is never
overwritten by a stale one, it comes back as a conflict.
"""

from __future__ import annotations

import json

from autodiag.questionnaires.schema import NOT_APPLICABLE, Question, QuestionType

LIST_TYPES = (QuestionType.YES_NO, QuestionType.CHANNEL_ROWS)
WHOLE = ""


def field_name(question: Question, suffix: str = "") -> str:
    return f"q-{question.id}--{suffix}" if suffix else f"q-{question.id}"


def initial_json(value) -> str:
    return json.dumps(value, sort_keys=True, ensure_ascii=False)


def value_from_post(question: Question, post):
    """The raw answer the form carries for `question` (None: no answer)."""
    name = field_name(question)
    if question.type is QuestionType.CHANNELS:
        values = post.getlist(name)
        return values or None
    if question.type in LIST_TYPES:
        if post.get(field_name(question, "na")):
            return NOT_APPLICABLE
        rows = {
            item.id: post[field_name(question, item.id)]
            for item in question.items
            if post.get(field_name(question, item.id))
        }
        return rows or None
    value = post.get(name)
    if question.type is QuestionType.TEXT:
        return value.strip() if value is not None else None
    return value or None


def changed_answers(questions, post) -> dict:
    """{question id: raw value} for the questions whose posted value differs
    from the one the page showed."""
    changes = {}
    for question in questions:
        if field_name(question, "initial") not in post:
            continue  # not on the posted page
        value = value_from_post(question, post)
        if question.type is QuestionType.TEXT and value is None:
            continue
        try:
            initial = json.loads(post[field_name(question, "initial")])
        except ValueError:
            initial = None
        if _same(value, initial):
            continue
        if value is None and question.type is not QuestionType.TEXT:
            continue  # a radio cannot be unset without JavaScript: nothing was changed
        changes[question.id] = value
    return changes


def _same(value, initial) -> bool:
    if isinstance(value, list) and isinstance(initial, list):
        return sorted(value) == sorted(initial)
    if value in (None, "") and initial in (None, ""):
        return True
    return value == initial


def _posted_json(post, name: str, default):
    try:
        return json.loads(post[name])
    except (KeyError, ValueError):
        return default


def changed_cells(question: Question, post) -> tuple[dict, dict] | None:
    """(changed cells, revisions the page showed) for one question of a
    posted section form, or None when its author changed nothing."""
    if field_name(question, "initial") not in post:
        return None  # not on the posted page
    initial = _posted_json(post, field_name(question, "initial"), None)
    base = _posted_json(post, field_name(question, "rev"), {})
    if not isinstance(base, dict):
        base = {}
    if question.type not in LIST_TYPES:
        changes = changed_answers([question], post)
        return ({WHOLE: changes[question.id]}, base) if question.id in changes else None
    was_na = initial == NOT_APPLICABLE
    rows_before = initial if isinstance(initial, dict) else {}
    changes = {}
    is_na = bool(post.get(field_name(question, "na")))
    if is_na != was_na:
        changes[WHOLE] = NOT_APPLICABLE if is_na else None
    if not is_na:
        for item in question.items:
            posted = post.get(field_name(question, item.id)) or None
            # A radio cannot be unset without JavaScript: no value, no change.
            if posted is not None and (was_na or posted != rows_before.get(item.id)):
                changes[item.id] = posted
    return (changes, base) if changes else None


def first_input_id(question: Question, version) -> str:
    """The id of a question's first field: where an error summary's link
    leads."""
    prefix = f"input-{question.id}"
    if question.type is QuestionType.SCALE:
        return f"{prefix}-1"
    if question.type in (QuestionType.CHOICE, QuestionType.PROFILE_CHOICE) and question.options:
        return f"{prefix}-{question.options[0].id}"
    if question.type is QuestionType.BOOLEAN:
        return f"{prefix}-oui"
    if question.type is QuestionType.CHANNELS and version.channels:
        return f"{prefix}-{version.channels[0].id}"
    if question.type in LIST_TYPES and question.items:
        return f"{prefix}-{question.items[0].id}-oui"
    return prefix
