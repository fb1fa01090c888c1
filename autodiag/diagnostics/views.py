"""Filling in a diagnostic: sections, autosave, confirmation, validation."""

from django.http import HttpResponse

from autodiag.permissions import diagnostic_member


@diagnostic_member
def overview(request, diagnostic):
    return HttpResponse("todo")


section = save_answer = confirm_answer = validation = overview
