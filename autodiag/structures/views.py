"""The dashboard (my structures) and a structure's page with its history."""

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from autodiag.diagnostics.models import Diagnostic, DiagnosticError
from autodiag.permissions import can_start_diagnostic, require, structure_member, structures_for
from autodiag.questionnaires.models import QuestionnaireVersion


@login_required
def dashboard(request):
    return render(request, "structures/dashboard.html", {"title": "Mes structures", "nav": "dashboard",
                                                         "structures": structures_for(request.user)})  # fmt: skip


@structure_member
def structure_detail(request, structure):
    return render(
        request, "structures/detail.html", {"title": structure.name, "structure": structure}
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
        diagnostic = Diagnostic.objects.start(structure, by=request.user, questionnaire=version,
                                              prefill=request.POST.get("prefill") == "1")  # fmt: skip
    except DiagnosticError as exc:
        messages.error(request, str(exc))
        return redirect("structures:detail", code=structure.code)
    return redirect("diagnostics:overview", pk=diagnostic.pk)
