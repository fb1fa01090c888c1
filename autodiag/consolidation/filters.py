"""Reading the filters of the consolidated pages (and of the API and
exports) from a query string: each bad value gets a French message naming
the field, and the choices offered are limited to the user's scope."""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field

from django.conf import settings
from django.core.cache import cache
from django.db.models import Max, Min
from django.utils import timezone

from autodiag import territories
from autodiag.collation import by_name
from autodiag.consolidation.models import ResultLine
from autodiag.consolidation.statistics import Filters
from autodiag.permissions import (
    is_national_admin,
    networks_in_scope,
    scopes_of,
    structures_in_scope,
)
from autodiag.questionnaires.models import QuestionnaireVersion
from autodiag.structures.enums import ScopeKind

CHOICES_CACHE_SECONDS = 300


@dataclass
class Choices:
    versions: list[tuple[str, str]]
    regions: list[tuple[str, str]]
    departments: list[tuple[str, str]]
    networks: list[tuple[int, str]]
    types: list[str]


@dataclass
class FilterForm:
    """The filters as typed (`values`), the `Filters` they make (None when
    a value is wrong) and one French message per wrong field."""

    values: dict[str, str]
    filters: Filters | None
    errors: dict[str, str] = field(default_factory=dict)
    choices: Choices | None = None

    @property
    def is_valid(self) -> bool:
        return self.filters is not None

    def error_list(self) -> list[tuple[str, str]]:
        return list(self.errors.items())


def default_period(today: datetime.date | None = None) -> tuple[datetime.date, datetime.date]:
    """The twelve months ending today."""
    today = today or timezone.localdate()
    try:
        a_year_ago = today.replace(year=today.year - 1)
    except ValueError:  # 29 February
        a_year_ago = today.replace(year=today.year - 1, day=28)
    return a_year_ago + datetime.timedelta(days=1), today


def default_period_of(version) -> tuple[datetime.date, datetime.date]:
    """The period a version's results are read in by default: the twelve
    months ending today, unless the version has results but none there
    (the 2021–2025 version), then the span of its validation dates."""
    start, end = default_period()
    if version is None:
        return start, end
    lines = ResultLine.objects.filter(questionnaire=version)
    recent_from = timezone.make_aware(datetime.datetime.combine(start, datetime.time.min))
    if lines.filter(validated_at__gte=recent_from).exists():
        return start, end
    span = lines.aggregate(first=Min("validated_at"), last=Max("validated_at"))
    if span["first"] is None:
        return start, end
    return timezone.localdate(span["first"]), timezone.localdate(span["last"])


def default_version() -> QuestionnaireVersion | None:
    return (
        QuestionnaireVersion.objects.filter(pk=settings.CURRENT_QUESTIONNAIRE)
        .defer("document")
        .first()
        or QuestionnaireVersion.objects.of_self_diagnostics()
        .defer("document")
        .order_by("-id")
        .first()
    )


def _places(user) -> tuple[list[territories.Region], list[territories.Department]]:
    """Regions and departments worth offering: all of them, unless every
    scope of the user is limited to places."""
    scopes = scopes_of(user)
    unlimited = is_national_admin(user) or any(
        scope.kind == ScopeKind.NETWORK and not (scope.regions or scope.departments)
        for scope in scopes
    )
    if unlimited:
        return list(territories.regions()), list(territories.departments())
    departments: dict[str, territories.Department] = {}
    for scope in scopes:
        for code in scope.regions:
            for department in territories.departments_of_region(code):
                departments[department.code] = department
        for code in scope.departments:
            department = territories.department(code)
            if department is not None:
                departments[department.code] = department
    regions = {d.region_code: d.region for d in departments.values()}
    for scope in scopes:
        for code in scope.regions:
            region = territories.region(code)
            if region is not None:
                regions[region.code] = region
    return (
        sorted(regions.values(), key=lambda r: r.code),
        sorted(departments.values(), key=lambda d: d.code),
    )


def choices_for(user) -> Choices:
    """What the filters offer this user (cached a few minutes: the list of
    types of structure reads the whole scope)."""
    key = f"consolidation-choices-{user.pk}"
    cached = cache.get(key)
    if cached is not None:
        return cached
    regions, departments = _places(user)
    types = sorted(
        t
        for t in structures_in_scope(user)
        .exclude(structure_type="")
        .values_list("structure_type", flat=True)
        .distinct()
        .order_by()
    )
    choices = Choices(
        versions=list(
            QuestionnaireVersion.objects.of_self_diagnostics()
            .order_by("-id")
            .values_list("id", "title")
        ),
        regions=[(r.code, r.name) for r in regions],
        departments=[(d.code, f"{d.code} — {d.name}") for d in departments],
        networks=list(networks_in_scope(user).order_by(by_name("name")).values_list("pk", "name")),
        types=types,
    )
    cache.set(key, choices, CHOICES_CACHE_SECONDS)
    return choices


def _date(value: str) -> datetime.date | None:
    value = value.strip()
    for pattern in ("%Y-%m-%d", "%d/%m/%Y"):
        try:
            return datetime.datetime.strptime(value, pattern).date()
        except ValueError:
            continue
    raise ValueError(value)


def _drop_dates_of_another_version(values: dict, query, version) -> None:
    """Choosing another version in the form sends the dates shown for the
    previous one (`periode_de`): left as that version's default period,
    they give way to the new version's own."""
    previous_id = str(query.get("periode_de", "")).strip()
    if version is None or not previous_id or previous_id == str(version.pk):
        return
    previous = QuestionnaireVersion.objects.defer("document").filter(pk=previous_id).first()
    if previous is None:
        return
    shown = tuple(d.isoformat() for d in default_period_of(previous))
    if (values["du"], values["au"]) in (shown, ("", "")):
        values["du"] = values["au"] = ""


def read_filters(user, query, *, with_choices: bool = True) -> FilterForm:
    """The filters of a query string (`version`, `du`, `au`, `region`,
    `departement`, `reseau`, `type`)."""
    values = {
        name: str(query.get(name, "")).strip()
        for name in ("version", "du", "au", "region", "departement", "reseau", "type")
    }
    choices = choices_for(user)
    errors: dict[str, str] = {}

    version = None
    if values["version"]:
        version = (
            QuestionnaireVersion.objects.of_self_diagnostics()
            .defer("document")
            .filter(pk=values["version"])
            .first()
        )
        if version is None:
            errors["version"] = f"Version du questionnaire inconnue : « {values['version']} »."
    else:
        version = default_version()
        if version is None:
            errors["version"] = "Aucune version du questionnaire n’est enregistrée."
        else:
            values["version"] = version.pk

    start, end = default_period_of(version)
    _drop_dates_of_another_version(values, query, version)
    for name, label in (("du", "début"), ("au", "fin")):
        if values[name]:
            try:
                parsed = _date(values[name])
            except ValueError:
                errors[name] = (
                    f"Date de {label} invalide : « {values[name]} » (format attendu JJ/MM/AAAA)."
                )
                continue
            if name == "du":
                start = parsed
            else:
                end = parsed
    if "du" not in errors and "au" not in errors and start > end:
        errors["au"] = "La date de fin doit suivre la date de début."
    values["du"], values["au"] = start.isoformat(), end.isoformat()

    region = values["region"]
    if region and region not in {code for code, _ in choices.regions}:
        errors["region"] = f"Région inconnue ou hors de votre périmètre : « {region} »."
    department = (
        territories.normalize_department_code(values["departement"])
        if values["departement"]
        else ""
    )
    if department and department not in {code for code, _ in choices.departments}:
        errors["departement"] = (
            f"Département inconnu ou hors de votre périmètre : « {values['departement']} »."
        )
    values["departement"] = department
    network_id = None
    if values["reseau"]:
        try:
            network_id = int(values["reseau"])
        except ValueError:
            network_id = -1
        if network_id not in {pk for pk, _ in choices.networks}:
            errors["reseau"] = "Réseau inconnu ou hors de votre périmètre."
    structure_type = values["type"]
    if structure_type and structure_type not in choices.types:
        errors["type"] = f"Type de structure inconnu dans votre périmètre : « {structure_type} »."

    filters = None
    if not errors:
        filters = Filters(
            version=version,
            start=start,
            end=end,
            region=region,
            department=department,
            network_id=network_id,
            structure_type=structure_type,
        )
    return FilterForm(
        values=values, filters=filters, errors=errors, choices=choices if with_choices else None
    )
