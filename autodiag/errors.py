"""The pages of a failure (issue 12, finding 7): when the database cannot
be reached (restarting, overloaded), a French "maintenance" page with 503
and `Retry-After`, which a load balancer and a person both understand;
any other unexpected fault, a French 500 page. Neither page reads the
database (no site configuration, no signed-in person): they are plain
templates. The API answers the same in JSON."""

from __future__ import annotations

import sys

from django.db import InterfaceError, OperationalError
from django.http import HttpResponse, JsonResponse
from django.template.loader import render_to_string

UNAVAILABLE = (
    "Le service est momentanément indisponible (maintenance ou redémarrage de la base de "
    "données). Réessayez dans quelques instants : ce que vous avez saisi et enregistré est conservé."
)
FAILED = "Une erreur inattendue s’est produite. L’équipe technique en est informée."
RETRY_AFTER_SECONDS = 10


def database_unavailable(error: BaseException | None) -> bool:
    """An error of reaching the database, not of a query: psycopg's and
    SQLite's OperationalError (connection refused, closed, server shutting
    down, database locked) and InterfaceError (connection already closed)."""
    while error is not None:
        if isinstance(error, OperationalError | InterfaceError):
            return True
        error = error.__cause__ or error.__context__
    return False


def unavailable_response(request) -> HttpResponse:
    if request.path.startswith("/api/"):
        response = JsonResponse({"detail": UNAVAILABLE}, status=503)
    else:
        response = HttpResponse(
            render_to_string("errors/unavailable.html", {"message": UNAVAILABLE}), status=503
        )
    response["Retry-After"] = str(RETRY_AFTER_SECONDS)
    return response


def server_error(request, *args, **kwargs) -> HttpResponse:
    """handler500: Django calls it inside its `except`, so the error is at hand."""
    if database_unavailable(sys.exc_info()[1]):
        return unavailable_response(request)
    if request.path.startswith("/api/"):
        return JsonResponse({"detail": FAILED}, status=500)
    return HttpResponse(
        render_to_string("errors/server_error.html", {"message": FAILED}), status=500
    )
