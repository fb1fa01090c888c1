"""The JSON API under /api/ (docs/api.md), described by OpenAPI at
/api/openapi.json (browsable at /api/docs).

Authentication: `Authorization: Bearer <token>`, a token of one network
(`ApiToken`, managed on the consolidated pages). A request reads what the
token's creator reads (autodiag.permissions, the same layer as the pages
and exports), limited to the token's network. Outside that: 404, as if the
structure did not exist.

Figures are percentages with 4 decimals (as frozen at validation), or
null when not evaluated.
"""

from __future__ import annotations

import datetime
from decimal import Decimal
from fractions import Fraction

from django.conf import settings
from django.http import HttpRequest, HttpResponse, QueryDict
from django.shortcuts import get_object_or_404, render
from django.utils import timezone
from ninja import NinjaAPI, Path, Query, Schema
from ninja.errors import HttpError, Throttled, ValidationError
from ninja.openapi.docs import DocsBase
from ninja.security import HttpBearer
from ninja.throttling import SimpleRateThrottle
from pydantic import Field

from autodiag.api.docs import docs_context
from autodiag.api.models import ApiToken, hash_token
from autodiag.consolidation.exports import structure_lines
from autodiag.consolidation.figures import unpack
from autodiag.consolidation.filters import read_filters
from autodiag.consolidation.layout import layout_of
from autodiag.consolidation.statistics import consolidated_statistics, national_statistics
from autodiag.diagnostics.models import Diagnostic
from autodiag.permissions import api_token_holder, can_view_diagnostic, structures_in_scope
from autodiag.scoring.aggregate import Summary

MAX_PAGE_SIZE = 500
MAX_PAGE = 1_000_000  # bounds keep every number within the database's bigint (never a 500)
MAX_ID = 2**63 - 1
FOUR = Decimal("0.0001")


class NetworkToken(HttpBearer):
    def authenticate(self, request: HttpRequest, token: str):
        record = (
            ApiToken.objects.select_related("created_by", "network")
            .filter(key_hash=hash_token(token))
            .first()
        )
        user = api_token_holder(record)
        if user is None:
            return None
        ApiToken.objects.filter(pk=record.pk).update(last_used_at=timezone.now())
        request.api_user, request.api_network = user, record.network
        return record


class TokenRateThrottle(SimpleRateThrottle):
    """At most `API_RATE_LIMIT` requests per token (docs/api.md), counted
    in the shared cache so that every app server counts the same."""

    scope = "api-token"

    def __init__(self):
        super().__init__(settings.API_RATE_LIMIT)

    def allow_request(self, request: HttpRequest) -> bool:
        self.rate = (
            settings.API_RATE_LIMIT
        )  # read at each request: a setting, not an import-time value
        self.num_requests, self.duration = self.parse_rate(self.rate)
        return super().allow_request(request)

    def get_cache_key(self, request: HttpRequest) -> str | None:
        record = getattr(request, "auth", None)
        return None if record is None else f"throttle_api_token_{record.key_hash}"


class FrenchDocs(DocsBase):
    """/api/docs: the OpenAPI description as a DSFR page of the site, in
    French, readable without JavaScript (Swagger UI speaks English and
    leaves the site's header, footer and way back out)."""

    def render_page(self, request: HttpRequest, api: NinjaAPI, **kwargs) -> HttpResponse:
        return render(request, "api/docs.html", docs_context(api.get_openapi_schema(), request))


api = NinjaAPI(
    title="API de l’autodiagnostic Services Publics+",
    version="1",
    description=(
        "Structures, résultats des diagnostics validés et statistiques consolidées d’un réseau. "
        "Authentification : `Authorization: Bearer <jeton>` (un jeton par réseau, créé par la tête "
        "de réseau dans « Résultats consolidés › Accès à l’API »). Les taux sont des pourcentages "
        "à 4 décimales, `null` quand non évalués."
    ),
    auth=NetworkToken(),
    throttle=[TokenRateThrottle()],
    urls_namespace="api",
    docs=FrenchDocs(),
)


FIELD_WORDS = {
    "du": "date de début (AAAA-MM-JJ)",
    "au": "date de fin (AAAA-MM-JJ)",
    "page": f"numéro de page (entier de 1 à {MAX_PAGE})",
    "page_size": f"taille de page (entier de 1 à {MAX_PAGE_SIZE})",
    "tous": "« true » ou « false »",
    "diagnostic_id": "numéro de diagnostic (entier positif)",
    "code": "code de structure (64 caractères au plus)",
}


PERIOD_WORDS = {"s": "seconde", "m": "minute", "h": "heure", "d": "jour"}


def rate_in_words(rate: str) -> str:
    """« 120/m » → « 120 requêtes par minute »."""
    count, period = rate.split("/")
    return f"{count} requêtes par {PERIOD_WORDS.get(period[:1], period)}"


@api.exception_handler(Throttled)
def too_many_requests(request, exc: Throttled):
    response = api.create_response(
        request,
        {
            "detail": f"Trop de requêtes pour ce jeton : au plus {rate_in_words(settings.API_RATE_LIMIT)}. Réessayez dans quelques instants."
        },
        status=429,
    )
    if exc.wait:
        response["Retry-After"] = str(int(exc.wait))
    return response


@api.exception_handler(ValidationError)
def french_validation_error(request, exc: ValidationError):
    """Bad parameters: 400 with a French message naming each one."""
    names = []
    for error in exc.errors:
        name = str(error.get("loc", ["?"])[-1])
        names.append(f"« {name} » : {FIELD_WORDS.get(name, 'valeur invalide')}")
    return api.create_response(
        request, {"detail": "Paramètre invalide : " + " ; ".join(names) + "."}, status=400
    )


# -- schemas -------------------------------------------------------------------


class Error(Schema):
    detail: str


class Structure(Schema):
    code: str
    name: str
    network: str
    typology: str
    structure_type: str
    department: str
    region: str
    active: bool


class StructurePage(Schema):
    count: int
    page: int
    page_size: int
    items: list[Structure]


class Figure(Schema):
    key: str = Field(
        description="numéro d’engagement, identifiant de canal, « n:thématique » ou de question"
    )
    label: str
    score: float | None


class DiagnosticResult(Schema):
    diagnostic: int
    structure: str = Field(description="code Services Publics+ de la structure")
    version: str
    validated_at: datetime.datetime
    global_score: float | None
    commitments: list[Figure]
    channels: list[Figure]
    themes: list[Figure]
    national_questions: list[Figure]


class ResultPage(Schema):
    count: int
    page: int
    page_size: int
    items: list[DiagnosticResult]


class FigureSummary(Schema):
    key: str
    label: str
    count: int = Field(description="diagnostics où la valeur est évaluée")
    mean: float | None
    minimum: float | None
    maximum: float | None
    median: float | None
    previous_mean: float | None = Field(
        description="moyenne de la période précédente de même durée"
    )
    national_mean: float | None = Field(
        description="moyenne de toutes les structures, même période"
    )


class Statistics(Schema):
    version: str
    start: datetime.date
    end: datetime.date
    diagnostics: int = Field(
        description="diagnostics pris en compte : chaque structure une fois, son dernier diagnostic validé de la période"
    )
    consolidated_rate: float | None = Field(description="moyenne des moyennes par engagement")
    previous_consolidated_rate: float | None
    national_consolidated_rate: float | None
    total: FigureSummary = Field(description="notes globales")
    commitments: list[FigureSummary]
    channels: list[FigureSummary]
    themes: list[FigureSummary]
    national_questions: list[FigureSummary]
    distribution: list[int] = Field(
        description="notes globales par tranche de 10 points, de 0–10 % à 90–100 %"
    )


class Filters(Schema):
    version: str | None = Field(
        None,
        max_length=200,
        description="version du questionnaire (par défaut : la version en cours)",
    )
    du: datetime.date | None = Field(
        None,
        description="validés à partir de cette date (par défaut : il y a un an, ou le début "
        "des résultats d’une version plus ancienne)",
    )
    au: datetime.date | None = Field(
        None,
        description="validés jusqu’à cette date incluse (par défaut : aujourd’hui, ou la fin "
        "des résultats d’une version plus ancienne)",
    )
    region: str | None = Field(None, max_length=200, description="code INSEE de la région")
    departement: str | None = Field(None, max_length=200, description="code INSEE du département")
    type: str | None = Field(None, max_length=200, description="type de structure")


class Paging(Schema):
    page: int = Field(1, ge=1, le=MAX_PAGE, description="numéro de page, à partir de 1")
    page_size: int = Field(
        100, ge=1, le=MAX_PAGE_SIZE, description=f"taille de page, de 1 à {MAX_PAGE_SIZE}"
    )


# -- helpers -------------------------------------------------------------------


def _number(value: Fraction | None) -> float | None:
    if value is None:
        return None
    return float((Decimal(value.numerator * 100) / Decimal(value.denominator)).quantize(FOUR))


def _units(units: int) -> float | None:
    return None if units < 0 else units / 10_000


def _filters(request, filters: Filters):
    """The pages' filter reading, limited to the token's network."""
    query = QueryDict(mutable=True)
    for name, value in filters.dict().items():
        if value is not None:
            query[name] = value.isoformat() if hasattr(value, "isoformat") else str(value)
    query["reseau"] = str(request.api_network.pk)
    form = read_filters(request.api_user, query, with_choices=False)
    if not form.is_valid:
        raise HttpError(400, " ".join(form.errors.values()))
    return form.filters


def _structures(request):
    return structures_in_scope(request.api_user).filter(network=request.api_network)


def _structure(structure) -> dict:
    return {
        "code": structure.code,
        "name": structure.name,
        "network": structure.network.name,
        "typology": structure.typology,
        "structure_type": structure.structure_type,
        "department": structure.department_code,
        "region": structure.region_code,
        "active": structure.is_active,
    }


def _summary(figure, summary: Summary, previous: Summary | None, national: Summary | None) -> dict:
    return {
        "key": figure.key or "global",
        "label": figure.label,
        "count": summary.count,
        "mean": _number(summary.mean),
        "minimum": _number(summary.minimum),
        "maximum": _number(summary.maximum),
        "median": _number(summary.median),
        "previous_mean": _number(previous.mean) if previous else None,
        "national_mean": _number(national.mean) if national else None,
    }


# -- endpoints -----------------------------------------------------------------


@api.get(
    "/structures",
    response={200: StructurePage, 400: Error},
    summary="Structures du réseau",
    description="Les structures du réseau du jeton, dans le périmètre de la personne qui l’a "
    "créé, par code ; `region`, `departement` et `type` les filtrent.",
)
def list_structures(request, filters: Query[Filters], paging: Query[Paging]):
    """The structures of the token's network within its creator's scope,
    by code (`region`, `departement` and `type` filter them)."""
    structures = _structures(request).select_related("network").order_by("code")
    if filters.region:
        structures = structures.filter(region_code=filters.region)
    if filters.departement:
        structures = structures.filter(department_code=filters.departement)
    if filters.type:
        structures = structures.filter(structure_type=filters.type)
    start = (paging.page - 1) * paging.page_size
    return {
        "count": structures.count(),
        "page": paging.page,
        "page_size": paging.page_size,
        "items": [_structure(s) for s in structures[start : start + paging.page_size]],
    }


@api.get(
    "/structures/{code}",
    response={200: Structure, 400: Error, 404: Error},
    summary="Une structure",
    description="Une structure du réseau, par son code Services Publics+.",
)
def get_structure(request, code: str = Path(..., max_length=64)):
    structure = get_object_or_404(_structures(request).select_related("network"), code=code)
    return _structure(structure)


@api.get(
    "/results",
    response={200: ResultPage, 400: Error},
    summary="Résultats des diagnostics validés",
    description="Un élément par diagnostic : le dernier diagnostic validé de chaque structure "
    "dans la période (ceux que compte la vision consolidée) ou, avec `tous=true`, tous les "
    "diagnostics validés dans la période.",
)
def list_results(request, filters: Query[Filters], paging: Query[Paging], tous: bool = False):
    """One item per diagnostic: each structure's latest validated diagnostic
    of the period (as the consolidated view counts them), or with
    `tous=true` every diagnostic validated in the period."""
    chosen = _filters(request, filters)
    layout = layout_of(chosen.version.questionnaire())
    lines = structure_lines(request.api_user, chosen, tous).select_related("structure")
    lines = lines.order_by("structure__code", "validated_at")
    start = (paging.page - 1) * paging.page_size
    items = []
    for line in lines[start : start + paging.page_size]:
        values = unpack(line.figures)
        groups = {"commitment": [], "channel": [], "theme": [], "question": []}
        for position, figure in enumerate(layout.figures):
            if figure.kind in groups:
                groups[figure.kind].append(
                    {"key": figure.key, "label": figure.label, "score": _units(values[position])}
                )
        items.append(
            {
                "diagnostic": line.diagnostic_id,
                "structure": line.structure.code,
                "version": line.questionnaire_id,
                "validated_at": line.validated_at,
                "global_score": _units(values[layout.position("global")]),
                "commitments": groups["commitment"],
                "channels": groups["channel"],
                "themes": groups["theme"],
                "national_questions": groups["question"],
            }
        )
    return {
        "count": lines.count(),
        "page": paging.page,
        "page_size": paging.page_size,
        "items": items,
    }


@api.get(
    "/diagnostics/{diagnostic_id}/report",
    response={200: dict, 400: Error, 404: Error},
    summary="Rapport figé d’un diagnostic validé",
    description="Le rapport d’un diagnostic validé, tel que figé à la validation.",
)
def get_report(request, diagnostic_id: int = Path(..., ge=1, le=MAX_ID)):
    """The frozen report of a validated diagnostic, as docs/report-json.md
    describes it."""
    diagnostic = get_object_or_404(
        Diagnostic.objects.validated().select_related("structure", "result"),
        pk=diagnostic_id,
        structure__network=request.api_network,
    )
    if not can_view_diagnostic(request.api_user, diagnostic):
        raise HttpError(404, "Diagnostic introuvable")
    return diagnostic.result.report


@api.get(
    "/statistics",
    response={200: Statistics, 400: Error},
    summary="Statistiques consolidées",
    description="La vision consolidée du réseau, avec les mêmes filtres que la page : nombre de "
    "diagnostics et, par valeur, moyenne, minimum, maximum et médiane, la période précédente "
    "et les valeurs nationales.",
)
def get_statistics(request, filters: Query[Filters]):
    """The consolidated view of the network (with the same filters as the
    page): count, per figure mean, minimum, maximum and median, the
    previous period and the national figures."""
    chosen = _filters(request, filters)
    current = consolidated_statistics(request.api_user, chosen)
    previous = consolidated_statistics(request.api_user, chosen.previous_period())
    national = national_statistics(chosen)

    def summaries(kind):
        return [
            _summary(
                figure,
                summary,
                previous.summary(figure.kind, figure.key),
                national.summary(figure.kind, figure.key),
            )
            for figure, summary in getattr(current, kind)
        ]

    global_figure = current.layout.figures[current.layout.position("global")]
    return {
        "version": chosen.version.pk,
        "start": chosen.start,
        "end": chosen.end,
        "diagnostics": current.count,
        "consolidated_rate": _number(current.rate),
        "previous_consolidated_rate": _number(previous.rate),
        "national_consolidated_rate": _number(national.rate),
        "total": _summary(global_figure, current.total, previous.total, national.total),
        "commitments": summaries("commitments"),
        "channels": summaries("channels"),
        "themes": summaries("themes"),
        "national_questions": summaries("questions"),
        "distribution": list(current.distribution),
    }


# -- listening to users: testimonies (autodiag.testimonies.api) ------------------

from autodiag.testimonies.api import router as testimonies_router  # noqa: E402

api.add_router("/testimonies", testimonies_router)
