"""The results page and the two PDFs of a diagnostic, for the members of
its structure (autodiag.permissions), validated or draft, at any time."""

from django.http import HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils.cache import add_never_cache_headers
from django.utils.http import content_disposition_header

from autodiag.permissions import diagnostic_member
from autodiag.reports.context import pdf_filename, questionnaire_context, results_context
from autodiag.reports.pdf import render_pdf


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
