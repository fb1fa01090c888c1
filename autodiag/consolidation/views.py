"""The consolidated pages of a head's scope: the report ("vision
consolidée"), the structures behind it (drill-down), the campaign's
follow-up, and what sites ask for. Access through autodiag.permissions
only (`consolidation_head`: heads of a network or territory, national
administrators)."""

from __future__ import annotations

import datetime
import io
from fractions import Fraction

from django.contrib import messages
from django.core.files.storage import default_storage
from django.core.paginator import Paginator
from django.db.models import Case, Count, IntegerField, Value, When
from django.db.models.functions import Substr
from django.http import FileResponse, Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.cache import add_never_cache_headers
from django.utils.http import content_disposition_header

from autodiag.collation import by_name
from autodiag.consolidation import exports, presentation
from autodiag.consolidation.campaign import (
    campaign_start,
    completion,
    drafts_in_progress,
    remind,
    without_diagnostic_this_year,
)
from autodiag.consolidation.figures import byte_range, ratio_of_units, unpack
from autodiag.consolidation.filters import read_filters
from autodiag.consolidation.history import apply_results, read_results
from autodiag.consolidation.layout import layout_of
from autodiag.consolidation.models import STRENGTHS, SUPPORT_NEEDS, Export, ResultLine, SiteText
from autodiag.consolidation.statistics import (
    consolidated_statistics,
    lines_in_scope,
    national_statistics,
    structures_filtered,
)
from autodiag.consolidation.tasks import build_export
from autodiag.french import count, suffix
from autodiag.permissions import (
    can_manage_api_tokens,
    can_remind,
    consolidation_head,
    is_national_admin,
    require,
    scopes_of,
    structures_in_scope,
)
from autodiag.questionnaires.models import QuestionnaireVersion
from autodiag.reports.charts import Datum, bar_chart
from autodiag.structures.models import Structure

# (page, label, URL name, carries the filters): the pages of the section.
PAGES = [
    ("report", "Vision consolidée", "consolidation:report", True),
    ("structures", "Structures", "consolidation:structures", True),
    ("campaign", "Suivi de campagne", "consolidation:campaign", True),
    ("needs", "Ce que demandent les sites", "consolidation:needs", True),
    ("exports", "Exports", "consolidation:exports", True),
    ("history", "Historique", "consolidation:history", True),
    ("tokens", "Accès à l’API", "consolidation:tokens", False),
]

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


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
    national = current if same_as_national else national_statistics(filters)
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
        code = "-structure__code" if descending else "structure__code"
        return lines.order_by(by_name("structure__name", descending), code)
    if key == "date":
        return lines.order_by(
            "-validated_at" if descending else "validated_at", by_name("structure__name")
        )
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
    return lines.order_by("sort_missing", value, by_name("structure__name"))


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


# -- campaign follow-up ----------------------------------------------------------

CAMPAIGN_PAGE_SIZE = 50
DRAFTS_PAGE_SIZE = 20
MAX_REMINDERS_AT_ONCE = 500


def _campaign_structures(request, form):
    structures = structures_filtered(request.user, form.filters)
    return Structure.objects.all() if structures is None else structures


@consolidation_head
def campaign(request):
    form = read_filters(request.user, request.GET if request.method == "GET" else request.POST)
    context = filter_context(request, form, "campaign")
    year = timezone.localdate().year
    context.update({"title": f"Suivi de la campagne {year}", "year": year, "places_only": True})
    if not form.is_valid:
        return render(request, "consolidation/campaign.html", context, status=400)
    structures = _campaign_structures(request, form)
    missing = without_diagnostic_this_year(structures)
    if request.method == "POST":
        return _send_reminders(request, missing, context["query"])
    page = Paginator(missing, CAMPAIGN_PAGE_SIZE).get_page(request.GET.get("page"))
    drafts_page = Paginator(drafts_in_progress(structures), DRAFTS_PAGE_SIZE).get_page(
        request.GET.get("brouillons")
    )
    drafts = [{"diagnostic": d, "completion": completion(d)} for d in drafts_page]
    context.update(
        {
            "page": page,
            "count": presentation.count_text(page.paginator.count),
            "drafts_page": drafts_page,
            "drafts": drafts,
            "drafts_count": presentation.count_text(drafts_page.paginator.count),
            "campaign_start": presentation.long_date(campaign_start().date()),
            "max_at_once": MAX_REMINDERS_AT_ONCE,
        }
    )
    return render(request, "consolidation/campaign.html", context)


def _send_reminders(request, missing, query: str):
    """POST: remind the chosen structures (or every structure of the list,
    up to MAX_REMINDERS_AT_ONCE), then say who was reminded."""
    if request.POST.get("toutes") == "1":
        chosen = list(missing[:MAX_REMINDERS_AT_ONCE])
    else:
        codes = request.POST.getlist("structure")
        chosen = list(missing.filter(code__in=codes)) if codes else []
    redirect_to = reverse("consolidation:campaign") + (f"?{query}" if query else "")
    if not chosen:
        messages.error(request, "Cochez au moins une structure à relancer.")
        return redirect(redirect_to)
    for structure in chosen:  # the permission layer decides, structure by structure
        require(
            can_remind(request.user, structure), "Cette structure n’est pas dans votre périmètre."
        )
    outcome = remind(chosen, request.user)
    if outcome.reminded:
        people = outcome.people
        messages.success(
            request,
            f"{count(len(outcome.reminded), 'structure relancée', 'structures relancées')} : "
            f"courriel envoyé à {count(len(people), 'responsable')} "
            f"({_first_names(people, 20)}).",
        )
    if outcome.already:
        messages.info(
            request,
            f"{count(len(outcome.already), 'structure déjà relancée', 'structures déjà relancées')}"
            f" depuis moins d’un jour, non relancée{suffix(len(outcome.already))} à nouveau : "
            f"{_first_names([s.name for s in outcome.already])}.",
        )
    if outcome.no_manager:
        messages.warning(
            request,
            f"{count(len(outcome.no_manager), 'structure')} sans responsable à qui écrire : "
            f"{_first_names([s.name for s in outcome.no_manager])}. "
            "Désignez leur responsable depuis la page de la structure.",
        )
    return redirect(redirect_to)


def _first_names(names: list[str], limit: int = 10) -> str:
    """The first names of a list, and how many more, for a message."""
    shown = ", ".join(names[:limit])
    more = len(names) - limit
    return shown + (f" et {count(more, 'autre')}" if more > 0 else "")


# -- what sites ask for ----------------------------------------------------------

TEXTS_PAGE_SIZE = 30


@consolidation_head
def needs(request):
    form = read_filters(request.user, request.GET)
    context = filter_context(request, form, "needs")
    context["title"] = "Ce que demandent les sites"
    if not form.is_valid:
        return render(request, "consolidation/needs.html", context, status=400)
    filters = form.filters
    version = filters.version.questionnaire()
    purpose = request.GET.get("nature", SUPPORT_NEEDS)
    purpose = purpose if purpose in (SUPPORT_NEEDS, STRENGTHS) else SUPPORT_NEEDS
    theme = request.GET.get("thematique", "")
    sections = {s.id: s.title for s in version.sections if not s.profile}
    theme = theme if theme in sections else ""
    lines = lines_in_scope(request.user, filters)
    texts = SiteText.objects.filter(diagnostic_id__in=lines.values("pk"), purpose=purpose)
    by_theme = dict(texts.order_by().values_list("section_id").annotate(n=Count("pk")))
    if theme:
        texts = texts.filter(section_id=theme)
    texts = texts.select_related("diagnostic__structure").order_by(
        "-diagnostic__validated_at", "pk"
    )
    page = Paginator(texts, TEXTS_PAGE_SIZE).get_page(request.GET.get("page"))
    current = consolidated_statistics(request.user, filters)
    questions = []
    for figure, summary in current.questions:
        spread = current.spreads[figure.key]
        answered = spread.none + spread.partly + spread.fully
        questions.append(
            {
                "figure": figure,
                "mean": presentation.percent(summary.mean),
                "none": presentation.percent(Fraction(spread.none, answered) if answered else None),
                "partly": presentation.percent(
                    Fraction(spread.partly, answered) if answered else None
                ),
                "fully": presentation.percent(
                    Fraction(spread.fully, answered) if answered else None
                ),
                "not_applicable": spread.not_applicable,
                "answered": answered,
            }
        )
    questions.sort(key=lambda q: q["figure"].commitment or 0)
    query = context["query"]
    context.update(
        {
            "filters": filters,
            "period": presentation.period_text(filters),
            "count": presentation.count_text(current.count),
            "total": current.count,
            "purpose": purpose,
            "purpose_label": "Besoins d’appui" if purpose == SUPPORT_NEEDS else "Points forts",
            "theme": theme,
            "themes": [
                {"id": sid, "title": title, "count": by_theme.get(sid, 0)}
                for sid, title in sections.items()
            ],
            "sections": sections,
            "page": page,
            "questions": questions,
            "sort_query": f"nature={purpose}" + (f"&thematique={theme}" if theme else ""),
            "base_query": query,
        }
    )
    return render(request, "consolidation/needs.html", context)


# -- exports ---------------------------------------------------------------------

KINDS = {"consolidated": "la vision consolidée", "structures": "les résultats par structure"}
FORMATS = {"csv": "text/csv; charset=utf-8", "xlsx": XLSX}


@consolidation_head
def exports_page(request):
    form = read_filters(request.user, request.GET if request.method == "GET" else request.POST)
    context = filter_context(request, form, "exports")
    context["title"] = "Exporter les résultats"
    if request.method == "POST":
        return _export(request, form, context)
    mine = list(Export.objects.filter(user=request.user)[:10])
    context.update(
        {
            "filters": form.filters,
            "period": presentation.period_text(form.filters) if form.is_valid else "",
            "exports": mine,
            "running": any(e.status in (Export.PENDING, Export.RUNNING) for e in mine),
            "sync_limit": presentation.count_text(exports.SYNC_LIMIT),
            "column_parts": _column_parts(form) if form.is_valid else [],
        }
    )
    return render(
        request, "consolidation/exports.html", context, status=200 if form.is_valid else 400
    )


def _column_parts(form) -> list[dict]:
    """The columns of both files, described on the page itself."""
    layout = layout_of(form.filters.version.questionnaire())
    return [
        {"id": "vision", "title": "La vision consolidée", "columns": exports.CONSOLIDATED},
        {
            "id": "structures",
            "title": f"Les résultats par structure ({form.filters.version.pk})",
            "columns": exports.structure_column_specs(layout),
        },
    ]


def _export(request, form, context):
    kind = request.POST.get("contenu", "")
    file_format = request.POST.get("format", "")
    every = request.POST.get("diagnostics") == "tous"
    technical = request.POST.get("variante") == "technique"
    problems = []
    if kind not in KINDS:
        problems.append("Choisissez le contenu de l’export.")
    if file_format not in FORMATS:
        problems.append("Choisissez le format de l’export (CSV ou XLSX).")
    if not form.is_valid or problems:
        for problem in problems:
            messages.error(request, problem)
        return redirect(
            reverse("consolidation:exports") + (f"?{context['query']}" if context["query"] else "")
        )
    filters = form.filters
    if (
        kind == "consolidated"
        or exports.structure_lines(request.user, filters, every).count() <= exports.SYNC_LIMIT
    ):
        buffer = io.BytesIO()
        exports.build(kind, file_format, request.user, filters, every, buffer, technical=technical)
        response = HttpResponse(buffer.getvalue(), content_type=FORMATS[file_format])
        response["Content-Disposition"] = content_disposition_header(
            as_attachment=True, filename=exports.filename(kind, file_format, filters, technical)
        )
        add_never_cache_headers(response)
        return response
    export = Export.objects.create(
        user=request.user,
        kind=kind,
        file_format=file_format,
        every=every,
        technical=technical,
        filters=form.values,
    )
    build_export.enqueue(export.pk)
    messages.info(
        request,
        "L’export est long : il se prépare en arrière-plan. Cette page montre son avancement ; "
        "le lien de téléchargement apparaît dès qu’il est prêt.",
    )
    return redirect(
        reverse("consolidation:exports") + (f"?{context['query']}" if context["query"] else "")
    )


@consolidation_head
def export_download(request, pk):
    export = Export.objects.filter(pk=pk, user=request.user, status=Export.DONE).first()
    if export is None or not default_storage.exists(export.path):
        raise Http404("Export introuvable")
    response = FileResponse(
        default_storage.open(export.path, "rb"),  # the shared storage (FileResponse closes it)
        as_attachment=True,
        filename=export.file_name,
        content_type=FORMATS[export.file_format],
    )
    add_never_cache_headers(response)
    return response


# -- API tokens --------------------------------------------------------------------


def _manageable_networks(user):
    from autodiag.permissions import networks_in_scope

    return [
        n
        for n in networks_in_scope(user).order_by(by_name("name"))
        if can_manage_api_tokens(user, n)
    ]


@consolidation_head
def tokens(request):
    from autodiag.api.models import ApiToken

    networks = _manageable_networks(request.user)
    context = {
        "title": "Accès à l’API",
        "nav": "consolidation",
        "scopes": scopes_of(request.user),
        "subnav_items": subnav("tokens", ""),
        "networks": networks,
        "api_docs": "/api/docs",
    }
    if request.method == "POST" and request.POST.get("action") == "revoke":
        token = (
            ApiToken.objects.filter(pk=request.POST.get("token")).select_related("network").first()
        )
        if token is None or not can_manage_api_tokens(request.user, token.network):
            raise Http404("Jeton introuvable")
        token.revoke()
        messages.success(
            request, f"Le jeton « {token.name} » est révoqué : il ne donne plus accès à l’API."
        )
        return redirect("consolidation:tokens")
    status = 200
    if request.method == "POST":
        name = request.POST.get("name", "").strip()
        network = next((n for n in networks if str(n.pk) == request.POST.get("network")), None)
        errors = {}
        if not name:
            errors["name"] = "Donnez un nom au jeton (par exemple, le programme qui l’utilise)."
        elif len(name) > 100:
            errors["name"] = "Le nom ne dépasse pas 100 caractères."
        if network is None:
            errors["network"] = "Choisissez un réseau que vous administrez."
        if errors:
            context.update({"errors": errors, "values": request.POST})
            status = 400
        else:
            record, clear = ApiToken.issue(network, name, request.user)
            context.update({"new_token": clear, "new_record": record})
    context["tokens"] = [
        t
        for t in ApiToken.objects.select_related("network", "created_by").order_by("-created_at")
        if can_manage_api_tokens(request.user, t.network)
    ][:100]
    return render(request, "consolidation/tokens.html", context, status=status)


# -- history and earlier results -------------------------------------------------------

MAX_HISTORY_UPLOAD = 20 * 1024 * 1024


def _year_filters(version, year, base):
    from dataclasses import replace

    return replace(
        base, version=version, start=datetime.date(year, 1, 1), end=datetime.date(year, 12, 31)
    )


@consolidation_head
def history(request):
    """Each year's consolidated rate, per questionnaire version; the
    commitments that keep the same promise across versions side by side;
    never the global figures of two versions compared."""
    form = read_filters(request.user, request.GET)
    context = filter_context(request, form, "history")
    context.update({"title": "Historique des résultats", "places_only": True})
    if not form.is_valid:
        return render(request, "consolidation/history.html", context, status=400)
    base = form.filters
    today = timezone.localdate()
    versions = []
    by_year: dict[int, dict] = {}
    for version in (
        QuestionnaireVersion.objects.of_self_diagnostics().defer("document").order_by("id")
    ):
        years = sorted(
            {
                moment.year
                for moment in ResultLine.objects.filter(questionnaire=version).dates(
                    "validated_at", "year"
                )
            }
        )
        rows = []
        for year in years:
            if year > today.year:
                continue
            current = consolidated_statistics(request.user, _year_filters(version, year, base))
            if not current.count:
                continue
            rows.append(
                {
                    "year": year,
                    "count": current.count,
                    "rate": current.rate,
                    "consolidated": current,
                }
            )
            by_year.setdefault(year, {})[version.pk] = current
        if rows:
            chart = bar_chart(
                f"historique-{version.pk}",
                f"Taux d’atteinte consolidé par année — {version.title}",
                [
                    Datum(str(r["year"]), float(r["rate"] * 100) if r["rate"] is not None else None,
                          presentation.percent(r["rate"]), (presentation.count_text(r["count"]),))
                    for r in rows
                ],
                caption=f"Taux d’atteinte consolidé et diagnostics pris en compte par année — {version.title}",
                label_header="Année",
                value_header="Taux consolidé",
                extra_headers=("Diagnostics pris en compte",),
            )  # fmt: skip
            versions.append({"version": version, "rows": rows, "chart": chart})
    context.update({"versions": versions, "comparisons": _comparisons(versions, by_year)})
    return render(request, "consolidation/history.html", context)


def _comparisons(versions, by_year) -> list[dict]:
    """For each commitment an older version declares comparable
    (`comparable_with` in its file), the mean of each year in either
    version, as one series."""
    comparisons = []
    for entry in versions:
        document = entry["version"].questionnaire().document
        comparable = document.get("comparable_with") or {}
        target = comparable.get("version")
        pairs = {int(k): int(v) for k, v in (comparable.get("commitments") or {}).items()}
        target_entry = next((e for e in versions if e["version"].pk == target), None)
        if not pairs or target_entry is None:
            continue
        old, new = entry["version"], target_entry["version"]
        new_titles = {c.number: c.title for c in new.questionnaire().commitments}
        for own, other in sorted(pairs.items(), key=lambda p: p[1]):
            data = []
            for year in sorted(by_year):
                for version, number in ((old, own), (new, other)):
                    current = by_year[year].get(version.pk)
                    summary = current.summary("commitment", str(number)) if current else None
                    if summary is None or summary.mean is None:
                        continue
                    label = f"{year} — engagement {number} ({'ancienne version' if version == old else 'version ' + version.pk})"
                    data.append(Datum(label, float(summary.mean * 100), presentation.percent(summary.mean),
                                      (presentation.count_text(summary.count),)))  # fmt: skip
            if data:
                comparisons.append(
                    {
                        "title": new_titles.get(other, ""),
                        "chart": bar_chart(
                            f"comparaison-{other}",
                            f"Engagement {other} ({new.pk}) et engagement {own} ({old.pk}) : moyenne par année",
                            data,
                            caption=f"Moyenne par année de l’engagement « {new_titles.get(other, '')} », dans les deux versions",
                            label_header="Année et version",
                            value_header="Moyenne",
                            extra_headers=("Diagnostics",),
                        ),
                    }
                )
    return comparisons


@consolidation_head
def history_import(request):
    context = {
        "title": "Importer des résultats antérieurs",
        "nav": "consolidation",
        "scopes": scopes_of(request.user),
        "subnav_items": subnav("history", ""),
    }
    if request.method != "POST":
        return render(request, "consolidation/history_import.html", context)
    upload = request.FILES.get("file")
    if upload is None:
        context["upload_error"] = "Choisissez un fichier CSV."
        return render(request, "consolidation/history_import.html", context, status=400)
    if upload.size > MAX_HISTORY_UPLOAD:
        context["upload_error"] = (
            "Le fichier dépasse 20 Mo : utilisez la commande « autodiag import-results »."
        )
        return render(request, "consolidation/history_import.html", context, status=400)
    preview = read_results(upload.read(), structures_in_scope(request.user))
    context.update(
        {
            "preview": preview,
            "faults": preview.faults[:300],
            "more": max(0, len(preview.faults) - 300),
        }
    )
    if preview.faults or request.POST.get("action") != "import":
        context["checked"] = True
        return render(
            request,
            "consolidation/history_import.html",
            context,
            status=400 if preview.faults else 200,
        )
    imported = apply_results(preview, request.user)
    messages.success(
        request,
        f"{count(imported, 'résultat antérieur importé', 'résultats antérieurs importés')}"
        " (version à 9 engagements).",
    )
    return redirect("consolidation:history")
