"""Request-wide guards and headers (issue 12):

- `RequestLog`: a request id (the proxy's `X-Request-ID` when sane, else a
  new one), one log line per request (method, path, status, duration, user
  id), the id sent back in `X-Request-ID`;
- `RefuseNulBytes`: a NUL byte in the query string or a form is a 400 with
  a French message (no database stores it: PostgreSQL refuses it);
- `AllowedMethods`: the pages take GET, HEAD and POST only (a 405
  otherwise, whatever a view would do); the API checks its own methods;
- `PrivatePages`: the pages of a signed-in person are `Cache-Control:
  private, no-store` (no shared cache keeps them), and every answer has a
  `Permissions-Policy` that turns off what the site never uses.
"""

from __future__ import annotations

import logging
import re
import time
import uuid

from django.http import HttpResponse, JsonResponse
from django.template.loader import render_to_string
from django.utils.cache import patch_cache_control

from autodiag.logs import request_id

logger = logging.getLogger("autodiag.request")
SANE_ID = re.compile(r"[A-Za-z0-9._-]{8,64}")
PERMISSIONS_POLICY = (
    "accelerometer=(), camera=(), geolocation=(), gyroscope=(), magnetometer=(), "
    "microphone=(), payment=(), usb=(), interest-cohort=()"
)


class RequestLog:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        given = request.headers.get("X-Request-ID", "")
        token = request_id.set(given if SANE_ID.fullmatch(given) else uuid.uuid4().hex)
        started = time.perf_counter()
        try:
            response = self.get_response(request)
            if request.path == "/healthz" and response.status_code == 200:
                return response  # the balancer's checks every few seconds: no line
            user = getattr(request, "user", None)
            logger.info(
                "%s %s %s",
                request.method,
                request.path,
                response.status_code,
                extra={
                    "method": request.method,
                    "path": request.path,
                    "status": response.status_code,
                    "duration_ms": round((time.perf_counter() - started) * 1000, 1),
                    "user_id": user.pk if user is not None and user.is_authenticated else None,
                },
            )
            response["X-Request-ID"] = request_id.get()
            return response
        finally:
            request_id.reset(token)


NUL_MESSAGE = "La requête contient un caractère nul (\\0) : corrigez le texte saisi ou l’adresse."


class RefuseNulBytes:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if self._has_nul(request):
            if request.path.startswith("/api/"):
                return JsonResponse({"detail": NUL_MESSAGE}, status=400)
            page = render_to_string("errors/bad_request.html", {"message": NUL_MESSAGE})
            return HttpResponse(page, status=400)
        return self.get_response(request)

    @staticmethod
    def _has_nul(request) -> bool:
        if "\x00" in request.path or "%00" in request.META.get("QUERY_STRING", ""):
            return True
        if request.method not in ("POST", "PUT", "PATCH"):
            return False
        if request.content_type in ("multipart/form-data", "application/x-www-form-urlencoded"):
            # Files may hold NUL bytes (an XLSX does); the typed fields may not.
            return any("\x00" in value for values in request.POST.lists() for value in values[1])
        body = request.body  # JSON (the autosave); bounded by DATA_UPLOAD_MAX_MEMORY_SIZE
        return b"\x00" in body or b"\\u0000" in body


class AllowedMethods:
    ALLOWED = ("GET", "HEAD", "POST")

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if request.method not in self.ALLOWED and not request.path.startswith("/api/"):
            response = HttpResponse(
                "Méthode non autorisée : ce site accepte GET, HEAD et POST.",
                status=405,
                content_type="text/plain; charset=utf-8",
            )
            response["Allow"] = ", ".join(self.ALLOWED)
            return response
        return self.get_response(request)


class PrivatePages:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        response.setdefault("Permissions-Policy", PERMISSIONS_POLICY)
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated:
            patch_cache_control(response, private=True, no_store=True)
        return response
