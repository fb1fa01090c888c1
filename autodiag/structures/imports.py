"""Importing a referential of structures in the browser: upload, a preview
listing every faulty line, then confirmation. Nothing is written before the
confirmation; the uploaded file waits meanwhile in the shared file storage
(`imports/`, see settings.STORAGES: any app server can confirm it), and is
deleted after IMPORT_KEEP_HOURS if never confirmed. Reading is bounded
(size, rows, columns, unzipped size, time: `upload_limits`)."""

import datetime
import re
import secrets

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.files.storage import default_storage
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_http_methods

from autodiag.permissions import can_import_referential, networks_allowed_for
from autodiag.structures.referential import (
    ReferentialError,
    apply_referential,
    plan_referential,
    read_referential,
    upload_limits,
)

SHOWN_FAULTS = 300
SESSION_KEY = "referential_upload"
TOKEN = re.compile(r"^[A-Za-z0-9_-]{20,64}$")


UPLOADS = "imports"


def _upload_name(token: str, suffix: str) -> str:
    return f"{UPLOADS}/{token}{suffix}"


def purge_unconfirmed_uploads(now: datetime.datetime | None = None) -> int:
    """Delete the uploads older than IMPORT_KEEP_HOURS (never confirmed);
    returns how many. Run at each upload, so no scheduler is needed."""
    limit = (now or timezone.now()) - datetime.timedelta(hours=settings.IMPORT_KEEP_HOURS)
    try:
        _, names = default_storage.listdir(UPLOADS)
    except FileNotFoundError:
        return 0
    purged = 0
    for name in names:
        path = f"{UPLOADS}/{name}"
        if default_storage.get_modified_time(path) < limit:
            default_storage.delete(path)
            purged += 1
    return purged


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
    elif upload.size > settings.IMPORT_MAX_MB * 1024 * 1024:
        error = f"Le fichier dépasse {settings.IMPORT_MAX_MB} Mo : utilisez la commande « autodiag import-structures »."
    elif not upload.name.lower().endswith((".csv", ".xlsx", ".txt")):
        error = "Format non pris en charge : déposez un fichier .csv ou .xlsx."
    if error:
        return render(request, "structures/import.html", {"title": "Importer un référentiel", "nav": "scope",
                                                          "upload_error": error}, status=400)  # fmt: skip
    purge_unconfirmed_uploads()
    token = secrets.token_urlsafe(24)
    suffix = ".xlsx" if upload.name.lower().endswith(".xlsx") else ".csv"
    default_storage.save(_upload_name(token, suffix), upload)
    request.session[SESSION_KEY] = {"token": token, "suffix": suffix, "filename": upload.name}
    upload.seek(0)
    preview = read_referential(
        upload.read(),
        upload.name,
        networks_allowed=networks_allowed_for(request.user),
        limits=upload_limits(),
    )
    return _preview_page(request, preview, token, status=200 if preview.is_valid else 400)


def _confirm(request):
    pending = request.session.get(SESSION_KEY) or {}
    token = request.POST.get("token", "")
    if not TOKEN.match(token) or pending.get("token") != token:
        messages.error(request, "Ce dépôt n’est plus disponible : déposez à nouveau le fichier.")
        return redirect("structures:import")
    name = _upload_name(token, pending["suffix"])
    if not default_storage.exists(name):
        messages.error(request, "Ce dépôt n’est plus disponible : déposez à nouveau le fichier.")
        return redirect("structures:import")
    allowed = networks_allowed_for(request.user)
    with default_storage.open(name, "rb") as stored:
        data = stored.read()
    preview = read_referential(
        data, pending["filename"], networks_allowed=allowed, limits=upload_limits()
    )
    try:
        counts = apply_referential(preview, allowed)
    except ReferentialError:
        return _preview_page(request, preview, token, status=400)
    default_storage.delete(name)
    del request.session[SESSION_KEY]
    messages.success(request, f"Référentiel « {pending['filename']} » importé : {counts}.")
    return redirect("structures:scope")
