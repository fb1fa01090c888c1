"""Importing a referential of structures in the browser: upload, a preview
listing every faulty line, then confirmation. Nothing is written before the
confirmation; the uploaded file waits under VAR_DIR/imports meanwhile."""

import re
import secrets
from pathlib import Path

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods

from autodiag.permissions import can_import_referential, networks_allowed_for
from autodiag.structures.referential import (
    ReferentialError,
    apply_referential,
    plan_referential,
    read_referential,
)

MAX_UPLOAD = 30 * 1024 * 1024
SHOWN_FAULTS = 300
SESSION_KEY = "referential_upload"
TOKEN = re.compile(r"^[A-Za-z0-9_-]{20,64}$")


def _upload_dir() -> Path:
    path = Path(settings.VAR_DIR) / "imports"
    path.mkdir(parents=True, exist_ok=True)
    return path


def _preview_page(request, preview, token, status=200):
    plan = None
    if preview.is_valid:
        plan = plan_referential(preview, networks_allowed_for(request.user))
    return render(
        request,
        "structures/import.html",
        {
            "title": "Importer un référentiel",
            "nav": "scope",
            "preview": preview,
            "faults": preview.faults[:SHOWN_FAULTS],
            "more_faults": max(0, len(preview.faults) - SHOWN_FAULTS),
            "plan": plan,
            "token": token,
        },
        status=status,
    )


@login_required
@require_http_methods(["GET", "POST"])
def import_referential(request):
    if not can_import_referential(request.user):
        raise Http404("Import réservé aux têtes de réseau")
    if request.method == "GET":
        return render(
            request, "structures/import.html", {"title": "Importer un référentiel", "nav": "scope"}
        )
    if "token" in request.POST:
        return _confirm(request)
    upload = request.FILES.get("file")
    error = None
    if upload is None:
        error = "Choisissez un fichier CSV ou XLSX."
    elif upload.size > MAX_UPLOAD:
        error = f"Le fichier dépasse {MAX_UPLOAD // (1024 * 1024)} Mo : utilisez la commande « autodiag import-structures »."
    elif not upload.name.lower().endswith((".csv", ".xlsx", ".txt")):
        error = "Format non pris en charge : déposez un fichier .csv ou .xlsx."
    if error:
        return render(request, "structures/import.html", {"title": "Importer un référentiel", "nav": "scope",
                                                          "upload_error": error}, status=400)  # fmt: skip
    token = secrets.token_urlsafe(24)
    suffix = ".xlsx" if upload.name.lower().endswith(".xlsx") else ".csv"
    path = _upload_dir() / f"{token}{suffix}"
    with path.open("wb") as out:
        for chunk in upload.chunks():
            out.write(chunk)
    request.session[SESSION_KEY] = {"token": token, "suffix": suffix, "filename": upload.name}
    preview = read_referential(
        path, upload.name, networks_allowed=networks_allowed_for(request.user)
    )
    return _preview_page(request, preview, token, status=200 if preview.is_valid else 400)


def _confirm(request):
    pending = request.session.get(SESSION_KEY) or {}
    token = request.POST.get("token", "")
    if not TOKEN.match(token) or pending.get("token") != token:
        messages.error(request, "Ce dépôt n’est plus disponible : déposez à nouveau le fichier.")
        return redirect("structures:import")
    path = _upload_dir() / f"{token}{pending['suffix']}"
    if not path.exists():
        messages.error(request, "Ce dépôt n’est plus disponible : déposez à nouveau le fichier.")
        return redirect("structures:import")
    allowed = networks_allowed_for(request.user)
    preview = read_referential(path, pending["filename"], networks_allowed=allowed)
    try:
        counts = apply_referential(preview, allowed)
    except ReferentialError:
        return _preview_page(request, preview, token, status=400)
    path.unlink(missing_ok=True)
    del request.session[SESSION_KEY]
    messages.success(request, f"Référentiel « {pending['filename']} » importé : {counts}.")
    return redirect("structures:scope")
