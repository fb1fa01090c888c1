"""Fixed-window rate limits in the cache, for forms anyone may send without
an account (testimonies). With the shared cache of production (Redis,
CACHE_URL) a limit holds across processes; with the default per-process
memory cache it holds per process.

`allow(key, limit, window)` counts one attempt and says whether it stays
within `limit` attempts per `window` seconds."""

from __future__ import annotations

import hashlib
import time

from django.core.cache import cache


def _bucket(key: str, window: int) -> str:
    slot = int(time.time()) // window
    digest = hashlib.sha256(key.encode("utf-8")).hexdigest()[:32]  # no address kept in clear
    return f"ratelimit:{digest}:{window}:{slot}"


def allow(key: str, limit: int, window: int) -> bool:
    bucket = _bucket(key, window)
    if cache.add(bucket, 1, timeout=window + 1):
        return limit >= 1
    try:
        count = cache.incr(bucket)
    except ValueError:  # expired between add and incr
        cache.add(bucket, 1, timeout=window + 1)
        count = 1
    return count <= limit


def client_address(request) -> str:
    """The visitor's address. Behind the reverse proxy of production the
    proxy's own address is REMOTE_ADDR: with BEHIND_HTTPS_PROXY the last
    address the proxy appended to X-Forwarded-For is used instead."""
    from django.conf import settings

    if getattr(settings, "SECURE_PROXY_SSL_HEADER", None):
        forwarded = request.headers.get("X-Forwarded-For", "")
        if forwarded:
            return forwarded.split(",")[-1].strip()
    return request.META.get("REMOTE_ADDR", "")
