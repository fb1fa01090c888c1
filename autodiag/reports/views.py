"""Results pages and PDFs (placeholder signatures; built by the reports work)."""

from django.http import HttpResponse

from autodiag.permissions import diagnostic_member


@diagnostic_member
def results(request, diagnostic):
    return HttpResponse("Résultats")


@diagnostic_member
def results_pdf(request, diagnostic):
    return HttpResponse("PDF")


@diagnostic_member
def questionnaire_pdf(request, diagnostic):
    return HttpResponse("PDF")
