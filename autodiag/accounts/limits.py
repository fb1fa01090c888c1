"""Who is trying to sign in, as the sign-in limits (django-axes) count them:
the e-mail address as typed, in one case, and the client's address, read
behind the trusted reverse proxies only (a client cannot choose its own
address by sending X-Forwarded-For)."""

from django.conf import settings


def client_ip(request) -> str:
    """The address `TRUSTED_PROXY_COUNT` proxies in front of us saw: the
    n-th address from the right of X-Forwarded-For, else REMOTE_ADDR."""
    count = settings.TRUSTED_PROXY_COUNT
    forwarded = [part.strip() for part in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",")]
    forwarded = [part for part in forwarded if part]
    if count and len(forwarded) >= count:
        return forwarded[-count]
    return request.META.get("REMOTE_ADDR", "")


def sign_in_name(request, credentials) -> str:
    """The address typed in the form (`username`), lowercased: « Agent@… »
    and « agent@… » are one account, so one count."""
    credentials = credentials or {}
    typed = credentials.get("username") or credentials.get("email") or ""
    if not typed and request is not None:
        typed = request.POST.get("username", "")
    return str(typed).strip().lower()


def locked_out(request, original_response=None, credentials=None):
    """The French page of a refused sign-in (429), for the site's form and
    the admin's alike."""
    from django.shortcuts import render

    context = {
        "failure_limit": settings.AXES_FAILURE_LIMIT,
        "lockout_minutes": int(settings.AXES_COOLOFF_TIME.total_seconds() // 60),
    }
    return render(request, "accounts/lockout.html", context, status=429)
