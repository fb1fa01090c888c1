"""`GET /healthz`, for load balancers: 200 when the database and the cache
answer, 503 otherwise (which one failed, in JSON). Reads no session and
is exempt from the https redirect (settings)."""

from django.core.cache import cache
from django.db import connection
from django.http import JsonResponse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_safe


def _database() -> bool:
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            return cursor.fetchone() == (1,)
    except Exception:
        connection.close_if_unusable_or_obsolete()
        return False


def _cache() -> bool:
    try:
        cache.set("healthz", "ok", 10)
        return cache.get("healthz") == "ok"
    except Exception:
        return False


@never_cache
@require_safe
def healthz(request):
    checks = {"database": _database(), "cache": _cache()}
    body = {name: "ok" if ok else "indisponible" for name, ok in checks.items()}
    return JsonResponse(body, status=200 if all(checks.values()) else 503)
