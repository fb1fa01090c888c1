"""The results page and the two PDFs of a diagnostic, for the members of
its structure (autodiag.permissions), validated or draft, at any time."""

from django.conf import settings
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.utils.cache import add_never_cache_headers
from django.utils.http import content_disposition_header

from autodiag.diagnostics.models import Diagnostic
from autodiag.permissions import diagnostic_member, structure_member
from autodiag.questionnaires.models import QuestionnaireVersion
from autodiag.reports.context import (
    blank_context,
    pdf_filename,
    questionnaire_context,
    results_context,
)
from autodiag.reports.pdf import render_pdf
from autodiag.scoring.answers import profile_of


@diagnostic_member
def results(request, diagnostic):
    context = results_context(diagnostic)
    structure = diagnostic.structure
    context["title"] = context["document_title"]
    context["breadcrumb_data"] = {
        "links": [
            {"url": reverse("structures:detail", args=[structure.code]), "title": structure.name}
        ],
        "current": "Résultats provisoires" if diagnostic.is_draft else "Résultats",
    }
    response = render(request, "reports/results.html", context)
    if diagnostic.is_draft:
        add_never_cache_headers(response)  # provisional: the answers keep changing
    return response


def _pdf_response(diagnostic, pdf: bytes, kind: str) -> HttpResponse:
    response = HttpResponse(pdf, content_type="application/pdf")
    response["Content-Disposition"] = content_disposition_header(
        as_attachment=True, filename=pdf_filename(diagnostic, kind)
    )
    add_never_cache_headers(response)  # personal data, and a draft keeps changing
    return response


@diagnostic_member
def results_pdf(request, diagnostic):
    pdf = render_pdf("reports/pdf/results.html", results_context(diagnostic))
    return _pdf_response(diagnostic, pdf, "resultats")


@diagnostic_member
def questionnaire_pdf(request, diagnostic):
    pdf = render_pdf("reports/pdf/questionnaire.html", questionnaire_context(diagnostic))
    return _pdf_response(diagnostic, pdf, "questionnaire")


def _blank_pdf(context: dict, name: str) -> HttpResponse:
    response = HttpResponse(
        render_pdf("reports/pdf/blank.html", context), content_type="application/pdf"
    )
    response["Content-Disposition"] = content_disposition_header(as_attachment=True, filename=name)
    return response


def blank_questionnaire_pdf(request):
    """The whole questionnaire, to read before starting: for anyone, signed
    in or not (nothing personal in it)."""
    record = get_object_or_404(
        QuestionnaireVersion.objects.of_self_diagnostics(),
        pk=request.GET.get("version") or settings.CURRENT_QUESTIONNAIRE,
    )
    version = record.questionnaire()
    return _blank_pdf(blank_context(version), f"autodiag-questionnaire-{version.id}.pdf")


@structure_member
def structure_blank_questionnaire_pdf(request, structure):
    """The questions the structure will be asked, from the profile of its
    latest diagnostic of the current version; the whole questionnaire when
    none tells it yet."""
    record = get_object_or_404(QuestionnaireVersion, pk=settings.CURRENT_QUESTIONNAIRE)
    version = record.questionnaire()
    latest = (
        Diagnostic.objects.filter(structure=structure, questionnaire=record)
        .order_by("-created_at")
        .first()
    )
    profile = profile_of(version, latest.normalized_answers()) if latest else None
    name = f"autodiag-questionnaire-{version.id}-{structure.code}.pdf"
    return _blank_pdf(blank_context(version, profile or None, structure), name)
