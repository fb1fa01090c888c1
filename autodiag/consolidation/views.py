"""The consolidated pages of a head's scope: the report ("vision
consolidée"), the structures behind it (drill-down), the campaign's
follow-up, and what sites ask for. Access through autodiag.permissions
only (`consolidation_head`: heads of a network or territory, national
administrators)."""

from __future__ import annotations

from django.core.paginator import Paginator
from django.db.models import Case, IntegerField, Value, When
from django.db.models.functions import Substr
from django.shortcuts import render
from django.urls import reverse

from autodiag.consolidation import presentation
from autodiag.consolidation.figures import byte_range, ratio_of_units, unpack
from autodiag.consolidation.filters import read_filters
from autodiag.consolidation.layout import layout_of
from autodiag.consolidation.statistics import (
    consolidated_statistics,
    lines_in_scope,
    structures_filtered,
)
from autodiag.permissions import consolidation_head, is_national_admin, scopes_of
from autodiag.structures.models import Structure

# (page, label, URL name, carries the filters): the pages of the section.
PAGES = [
    ("report", "Vision consolidée", "consolidation:report", True),
    ("structures", "Structures", "consolidation:structures", True),
]


def subnav(page: str, query: str) -> list[dict]:
    items = []
    for name, label, url_name, filtered in PAGES:
        url = reverse(url_name)
        if filtered and query:
            url += f"?{query}"
        items.append({"label": label, "url": url, "current": name == page})
    return items


def filter_context(request, form, page: str) -> dict:
    query = request.GET.copy()
    for name in ("page", "tri", "ordre", "nature", "thematique"):
        query.pop(name, None)
    query = query.urlencode()
    return {
        "form": form,
        "scopes": scopes_of(request.user),
        "query": query,
        "subnav_items": subnav(page, query),
        "nav": "consolidation",
    }


def structures_count(user, filters) -> int:
    structures = structures_filtered(user, filters)
    structures = Structure.objects.all() if structures is None else structures
    return structures.filter(is_active=True).count()


@consolidation_head
def report(request):
    form = read_filters(request.user, request.GET)
    context = filter_context(request, form, "report")
    context["title"] = "Résultats consolidés"
    if not form.is_valid:
        return render(request, "consolidation/report.html", context, status=400)
    filters = form.filters
    current = consolidated_statistics(request.user, filters)
    previous_filters = filters.previous_period()
    previous = consolidated_statistics(request.user, previous_filters)
    same_as_national = is_national_admin(request.user) and not filters.places_or_kinds
    national = (
        current
        if same_as_national
        else consolidated_statistics(request.user, filters.national(), whole_country=True)
    )
    context.update(
        {
            "filters": filters,
            "version": filters.version,
            "period": presentation.period_text(filters),
            "previous_period": presentation.period_text(previous_filters),
            "current": current,
            "previous": previous,
            "national": national,
            "show_national": not same_as_national,
            "count": presentation.count_text(current.count),
            "previous_count": presentation.count_text(previous.count),
            "national_count": presentation.count_text(national.count),
            "structures": presentation.count_text(structures_count(request.user, filters)),
            "rate": presentation.percent(current.rate),
            "previous_rate": presentation.percent(previous.rate),
            "national_rate": presentation.percent(national.rate),
            "rate_change": presentation.change(current.rate, previous.rate),
            "commitments": presentation.rows(current, current.commitments, previous, national),
            "total": presentation.Row(
                current.layout.figures[current.layout.position("global")],
                current.total,
                previous.total,
                national.total,
                current.count,
            ),
            "channels": presentation.rows(current, current.channels, previous, national),
            "themes": presentation.rows(current, current.themes, previous, national),
            "chart": presentation.distribution_chart(current) if current.count else None,
        }
    )
    return render(request, "consolidation/report.html", context)


# -- drill-down ----------------------------------------------------------------

PAGE_SIZE = 50


def _sort_options(layout) -> dict[str, tuple[str, int | None]]:
    """tri value → (label, figure position or None for a structure field)."""
    options = {"nom": ("Structure", None), "date": ("Validé le", None)}
    options["global"] = ("Note globale", layout.position("global"))
    for position, figure in layout.of_kind("commitment"):
        options[f"engagement-{figure.key}"] = (f"Engagement {figure.key}", position)
    return options


def _ordered(lines, key: str, descending: bool, options):
    if key == "nom":
        fields = ["structure__name", "structure__code"]
        return lines.order_by(*(f"-{f}" if descending else f for f in fields))
    if key == "date":
        return lines.order_by("-validated_at" if descending else "validated_at", "structure__name")
    start, length = byte_range(options[key][1])
    lines = lines.annotate(
        sort_value=Substr("figures", start, length),
        sort_missing=Case(
            When(sort_value=Value(b"\xff\xff\xff\xff"), then=Value(1)),
            default=Value(0),
            output_field=IntegerField(),
        ),
    )
    value = "-sort_value" if descending else "sort_value"
    return lines.order_by("sort_missing", value, "structure__name")


@consolidation_head
def structures(request):
    form = read_filters(request.user, request.GET)
    context = filter_context(request, form, "structures")
    context["title"] = "Structures du périmètre et leurs résultats"
    if not form.is_valid:
        return render(request, "consolidation/structures.html", context, status=400)
    filters = form.filters
    layout = layout_of(filters.version.questionnaire())
    options = _sort_options(layout)
    key = request.GET.get("tri", "nom")
    key = key if key in options else "nom"
    descending = request.GET.get("ordre") == "desc"
    lines = lines_in_scope(request.user, filters).select_related("structure__network")
    page = Paginator(_ordered(lines, key, descending, options), PAGE_SIZE).get_page(
        request.GET.get("page")
    )
    commitments = layout.of_kind("commitment")
    global_position = layout.position("global")
    rows = []
    for line in page:
        values = unpack(line.figures)
        rows.append(
            {
                "line": line,
                "structure": line.structure,
                "global": presentation.percent(ratio_of_units(values[global_position])),
                "commitments": [
                    presentation.percent(ratio_of_units(values[position]))
                    for position, _ in commitments
                ],
            }
        )
    headers = []
    for name, (label, _) in options.items():
        current = name == key
        next_order = "desc" if current and not descending else "asc"
        headers.append(
            {
                "name": name,
                "label": label,
                "current": current,
                "aria_sort": ("descending" if descending else "ascending") if current else "",
                "url": f"?{context['query']}{'&' if context['query'] else ''}tri={name}&ordre={next_order}",
            }
        )
    context.update(
        {
            "filters": filters,
            "period": presentation.period_text(filters),
            "page": page,
            "rows": rows,
            "headers": headers,
            "commitments": [figure for _, figure in commitments],
            "sort_query": f"tri={key}&ordre={'desc' if descending else 'asc'}",
            "count": presentation.count_text(page.paginator.count),
        }
    )
    return render(request, "consolidation/structures.html", context)
