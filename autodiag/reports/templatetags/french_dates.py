"""French dates and counts in every template (a builtin library, see
settings): `{{ moment|long_date }}` gives « 1er mars 2026 »,
`{{ moment|date_and_time }}` « 1er mars 2026 à 14 h 05 », as the results
and PDFs write them; `{{ n|pluriel }}` is Django's `pluralize` with the
French rule (0 and 1 singular; `"x"`, `"a,ont"` as arguments);
`{{ n|nombre:"structure relancée|structures relancées" }}` gives
« 0 structure relancée », « 10 000 structures relancées »;
`{{ n|chiffres }}` groups digits (« 10 000 »)."""

from django import template

from autodiag import french
from autodiag.reports.context import date_and_time as _date_and_time
from autodiag.reports.context import long_date as _long_date

register = template.Library()
register.filter("long_date", _long_date)
register.filter("date_and_time", _date_and_time)


@register.filter
def pluriel(value, forms="s"):
    try:
        return french.suffix(value, forms)
    except (TypeError, ValueError):
        return ""


@register.filter
def nombre(value, forms):
    return french.count_words(value if value is not None else 0, forms)


@register.filter
def chiffres(value):
    return french.group_digits(value)
