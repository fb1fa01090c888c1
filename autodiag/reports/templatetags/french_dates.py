"""French dates in every template (a builtin library, see settings):
`{{ moment|long_date }}` gives « 1er mars 2026 », `{{ moment|date_and_time }}`
« 1er mars 2026 à 14 h 05 », as the results and PDFs write them."""

from django import template

from autodiag.reports.context import date_and_time as _date_and_time
from autodiag.reports.context import long_date as _long_date

register = template.Library()
register.filter("long_date", _long_date)
register.filter("date_and_time", _date_and_time)
