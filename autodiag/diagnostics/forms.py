"""The answers of a section as HTML form fields, and back.

Field names: `q-<question>` for a single value (radios, text, checkboxes of
the channels question), `q-<question>--<item>` for a row of a Yes/No list,
`q-<question>--na` for "Non applicable" on a list, and
`q-<question>--initial` holding the value the page was rendered with, so
that a form posted without JavaScript only writes the answers its author
changed and never overwrites a teammate's newer answer with a stale one.
"""

from __future__ import annotations

import json

from autodiag.questionnaires.schema import NOT_APPLICABLE, Question, QuestionType

LIST_TYPES = (QuestionType.YES_NO, QuestionType.CHANNEL_ROWS)


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
