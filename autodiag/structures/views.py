"""The dashboard (my structures) and a structure's page: its diagnostic in
progress, its history filtered by validation date, starting a new one."""

import datetime
from fractions import Fraction

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.db.models import Exists, OuterRef, Q, Subquery
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST

from autodiag.collation import by_name
from autodiag.diagnostics.enums import Status
from autodiag.diagnostics.models import Diagnostic, DiagnosticError
from autodiag.diagnostics.progress import diagnostic_counts
from autodiag.permissions import (
    audits_given_to,
    can_import_referential,
    can_start_diagnostic,
    can_view_consolidation,
    is_head,
    require,
    role_in,
    scopes_of,
    structure_member,
    structures_for,
    structures_in_scope,
)
from autodiag.questionnaires.models import QuestionnaireVersion
from autodiag.scoring.formatting import format_percent
from autodiag.structures.enums import Role


def _completion(diagnostic):
    return diagnostic_counts(diagnostic)


def _summary(structure, user) -> dict:
    diagnostics = structure.diagnostics.select_related("result", "validated_by")
    draft = next((d for d in diagnostics if d.is_draft), None)
    validated = sorted(
        (d for d in diagnostics if not d.is_draft), key=lambda d: d.validated_at, reverse=True
    )
    next_start = Diagnostic.objects.next_start_date(structure)
    return {
        "structure": structure,
        "role": role_in(user, structure),
        "draft": draft,
        "completion": _completion(draft) if draft else None,
        "last": validated[0] if validated else None,
        "last_display": format_percent(_ratio(validated[0])) if validated else None,
        "validated": validated,
        "next_start": timezone.localtime(next_start).date() if next_start else None,
    }


def _ratio(diagnostic):
    score = diagnostic.result.global_score
    return None if score is None else Fraction(score) / 100


@login_required
def dashboard(request):
    structures = list(structures_for(request.user).select_related("network"))
    if not structures:
        # Each role lands where its work is: an auditor on its audits, a
        # head on its scope's results; only a member lands here.
        if audits_given_to(request.user).exists():
            return redirect("audits:mine")
        if can_view_consolidation(request.user):
            return redirect("consolidation:report")
    return render(
        request,
        "structures/dashboard.html",
        {
            "title": "Mes structures",
            "nav": "dashboard",
            "summaries": [_summary(structure, request.user) for structure in structures],
        },
    )


def _parse_date(value):
    try:
        return datetime.date.fromisoformat(value) if value else None
    except ValueError:
        return "invalid"


SCOPE_PAGE_SIZE = 50


@login_required
def scope(request):
    """A head's structures: search, filter by department, the state of each
    one's diagnostics; paginated (a network may hold thousands)."""
    if not is_head(request.user):
        raise Http404("Aucun périmètre")
    structures = structures_in_scope(request.user).select_related("network")
    search = request.GET.get("q", "").strip()
    department = request.GET.get("departement", "").strip().upper()
    show_inactive = request.GET.get("inactives") == "1"
    if search:
        structures = structures.filter(Q(name__icontains=search) | Q(code__icontains=search))
    if department:
        structures = structures.filter(department_code=department)
    if not show_inactive:
        structures = structures.filter(is_active=True)
    last = Diagnostic.objects.filter(structure=OuterRef("pk"), status=Status.VALIDATED).order_by(
        "-validated_at"
    )
    structures = structures.annotate(
        last_validated_at=Subquery(last.values("validated_at")[:1]),
        last_score=Subquery(last.values("result__global_score")[:1]),
        has_draft=Exists(Diagnostic.objects.filter(structure=OuterRef("pk"), status=Status.DRAFT)),
    ).order_by(by_name("name"), "code")
    page = Paginator(structures, SCOPE_PAGE_SIZE).get_page(request.GET.get("page"))
    for structure in page:
        structure.last_display = (
            format_percent(Fraction(structure.last_score) / 100)
            if structure.last_score is not None
            else None
        )
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "structures/scope.html",
        {
            "title": "Mon périmètre",
            "nav": "scope",
            "scopes": scopes_of(request.user),
            "can_import": can_import_referential(request.user),
            "page": page,
            "filters": {"q": search, "departement": department, "inactives": show_inactive},
            "query": query.urlencode(),
        },
    )


@structure_member
def structure_detail(request, structure):
    summary = _summary(structure, request.user)
    start, end = _parse_date(request.GET.get("du")), _parse_date(request.GET.get("au"))
    filter_error = None
    if "invalid" in (start, end):
        filter_error = "Date invalide : utilisez le format JJ/MM/AAAA."
        start = end = None
    elif start and end and start > end:
        filter_error = "La date de début doit précéder la date de fin."
        start = end = None
    history = list(
        Diagnostic.objects.filter(structure=structure)
        .validated_between(start, end)
        .select_related("result", "validated_by")
        .order_by("-validated_at")
    )
    for diagnostic in history:
        diagnostic.global_display = format_percent(_ratio(diagnostic))
    return render(
        request,
        "structures/detail.html",
        {
            "title": structure.name,
            "nav": "dashboard",
            "structure": structure,
            "summary": summary,
            "history": history,
            "filter": {
                "du": request.GET.get("du", ""),
                "au": request.GET.get("au", ""),
                "error": filter_error,
                "active": bool(start or end),
            },
            "is_manager": summary["role"] == Role.MANAGER,
            "can_start": can_start_diagnostic(request.user, structure),
            "read_only": summary["role"] is None,
            "breadcrumb_data": {
                "links": [],
                "current": structure.name,
            },
        },
    )


@require_POST
@structure_member
def start_diagnostic(request, structure):
    require(
        can_start_diagnostic(request.user, structure),
        "Vous ne pouvez pas commencer de diagnostic ici.",
    )
    version = QuestionnaireVersion.objects.get(pk=settings.CURRENT_QUESTIONNAIRE)
    try:
        diagnostic = Diagnostic.objects.start(
            structure,
            by=request.user,
            questionnaire=version,
            prefill=request.POST.get("prefill") == "1",
        )
    except DiagnosticError as exc:
        messages.error(request, str(exc))
        return redirect("structures:detail", code=structure.code)
    if diagnostic.prefilled_from_id:
        messages.info(
            request,
            "Les réponses du dernier diagnostic validé ont été reprises : "
            "confirmez ou modifiez chacune d’elles (mention « à confirmer »).",
        )
    return redirect("diagnostics:overview", pk=diagnostic.pk)
