"""The one settings module: every setting reads the environment, with
defaults that run on a fresh clone (SQLite under the git-ignored var/)."""

import os
from pathlib import Path
from urllib.parse import unquote, urlsplit

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = Path(os.environ.get("AUTODIAG_VAR_DIR", BASE_DIR / "var"))


def env_bool(name: str, default: bool) -> bool:
    value = os.environ.get(name)
    if value is None:
        return default
    return value.strip().lower() in {"1", "true", "yes", "on", "oui"}


def database_from_url(url: str) -> dict:
    """Django's DATABASES entry for a `postgres://user:pass@host:port/name`
    or `sqlite:///path` URL (a dozen lines spare a dependency)."""
    parts = urlsplit(url)
    if parts.scheme == "sqlite":
        return {
            "ENGINE": "django.db.backends.sqlite3",
            "NAME": parts.path[1:] or ":memory:",
            # Several agents save at once: readers never wait for the writer
            # (WAL), and a writer takes the lock up front instead of failing.
            "OPTIONS": {
                "transaction_mode": "IMMEDIATE",
                "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
            },
        }
    if parts.scheme in {"postgres", "postgresql"}:
        return {
            "ENGINE": "django.db.backends.postgresql",
            "NAME": unquote(parts.path.lstrip("/")),
            "USER": unquote(parts.username or ""),
            "PASSWORD": unquote(parts.password or ""),
            "HOST": parts.hostname or "",
            "PORT": str(parts.port or ""),
            # A new connection per request costs 6x an open one (STACK-NOTES).
            "CONN_MAX_AGE": int(os.environ.get("DB_CONN_MAX_AGE", "60")),
        }
    raise ValueError(f"DATABASE_URL : schéma non pris en charge « {parts.scheme} »")


SECRET_KEY = os.environ.get("SECRET_KEY", "dev-only-secret-key-change-me-in-production")
DEBUG = env_bool("DEBUG", True)
ALLOWED_HOSTS = os.environ.get("ALLOWED_HOSTS", "127.0.0.1,localhost").split(",")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    # django-dsfr needs its apps before the project's own (STACK-NOTES).
    "widget_tweaks",
    "dsfr",
    "autodiag.accounts",
    "autodiag.questionnaires",
    "autodiag.structures",
    "autodiag.diagnostics",
    "autodiag.reports",
    "autodiag.consolidation",
    "autodiag.api",
    "ninja",  # serves the API's documentation page from its own static files, not a CDN
    "django_tasks",
    "django_tasks_db",
    "autodiag.actions",
    "autodiag.audits",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "csp.middleware.CSPMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
]

ROOT_URLCONF = "autodiag.urls"
WSGI_APPLICATION = "autodiag.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "autodiag" / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "dsfr.context_processors.site_config",
                "autodiag.structures.context_processors.navigation",
            ],
            # French dates (« 1er mars 2026 ») in every template without a {% load %}.
            "builtins": ["autodiag.reports.templatetags.french_dates"],
        },
    },
]

DATABASES = {
    "default": database_from_url(
        os.environ.get("DATABASE_URL", f"sqlite:///{VAR_DIR / 'autodiag.sqlite3'}")
    )
}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

LANGUAGE_CODE = "fr-fr"
TIME_ZONE = "Europe/Paris"
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = VAR_DIR / "static"
STATICFILES_DIRS = [BASE_DIR / "autodiag" / "static"]

AUTH_USER_MODEL = "accounts.User"
LOGIN_URL = "accounts:login"
LOGIN_REDIRECT_URL = "structures:dashboard"
LOGOUT_REDIRECT_URL = "accounts:login"
AUTHENTICATION_BACKENDS = [
    "autodiag.accounts.backends.LocalAccountBackend",
    "autodiag.accounts.backends.NationalAdministrationBackend",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {
        "NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
        "OPTIONS": {"min_length": 12},
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
]
# A shared cache (Redis, `CACHE_URL=redis://host:6379/0`) in production:
# sessions are then read from it (one database query fewer on every request,
# the autosave's included) and still written to the database. Without it, a
# per-process memory cache, which sessions must not use: a sign-out would not
# reach the other worker processes.
CACHE_URL = os.environ.get("CACHE_URL", "")
if CACHE_URL:
    CACHES = {
        "default": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": CACHE_URL}
    }
    SESSION_ENGINE = "django.contrib.sessions.backends.cached_db"
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}

# A working day of filling in without being signed out; the page keeps
# unsaved answers on the device anyway if the session expires.
SESSION_COOKIE_AGE = int(os.environ.get("SESSION_COOKIE_AGE", str(12 * 3600)))
SESSION_COOKIE_HTTPONLY = True
CSRF_COOKIE_HTTPONLY = False  # the autosave script reads it to sign its requests
SECURE_CONTENT_TYPE_NOSNIFF = True
# Behind a reverse proxy that ends TLS (production): trust its header, so
# that links built from the request (ProConnect's redirect URI) use https.
if env_bool("BEHIND_HTTPS_PROXY", False):
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SESSION_COOKIE_SECURE = CSRF_COOKIE_SECURE = True
X_FRAME_OPTIONS = "DENY"
SECURE_REFERRER_POLICY = "same-origin"


DSFR_MARK_OPTIONAL_FIELDS = True

# The questionnaire version new diagnostics use.
CURRENT_QUESTIONNAIRE = os.environ.get("CURRENT_QUESTIONNAIRE", "sp-plus-2026")

# The programme's rule: a diagnostic once a year, at most every six months.
DIAGNOSTIC_MIN_MONTHS = int(os.environ.get("DIAGNOSTIC_MIN_MONTHS", "6"))

# How long an invitation link stays valid.
INVITATION_VALID_DAYS = int(os.environ.get("INVITATION_VALID_DAYS", "14"))
# The address people reach the platform at, for links in e-mails.
SITE_URL = os.environ.get("SITE_URL", "http://127.0.0.1:8000")

# Who runs this instance, for the legal notice, the accessibility statement
# and the personal-data page (docs/deploy.md).
SITE_PUBLISHER = os.environ.get(
    "SITE_PUBLISHER", "Instance de démonstration de la plateforme autodiag"
)
SITE_PUBLICATION_DIRECTOR = os.environ.get("SITE_PUBLICATION_DIRECTOR", "")
SITE_HOSTING = os.environ.get("SITE_HOSTING", "")
CONTACT_EMAIL = os.environ.get("CONTACT_EMAIL", "contact@autodiag.local")
ACCESSIBILITY_STATEMENT_DATE = os.environ.get("ACCESSIBILITY_STATEMENT_DATE", "1er décembre 2026")

EMAIL_BACKEND = os.environ.get("EMAIL_BACKEND", "django.core.mail.backends.console.EmailBackend")
DEFAULT_FROM_EMAIL = os.environ.get(
    "DEFAULT_FROM_EMAIL", "autodiag <ne-pas-repondre@autodiag.local>"
)

# -- ProConnect (OpenID Connect for public agents), see docs/deploy.md ---------
# Enabled only when the three variables are set; local accounts stay either way.
PROCONNECT_CLIENT_ID = os.environ.get("PROCONNECT_CLIENT_ID", "")
PROCONNECT_CLIENT_SECRET = os.environ.get("PROCONNECT_CLIENT_SECRET", "")
PROCONNECT_DOMAIN = os.environ.get("PROCONNECT_DOMAIN", "")
PROCONNECT_ENABLED = bool(PROCONNECT_CLIENT_ID and PROCONNECT_CLIENT_SECRET and PROCONNECT_DOMAIN)
if PROCONNECT_ENABLED:
    AUTHENTICATION_BACKENDS.append("autodiag.accounts.proconnect.ProConnectBackend")


def proconnect_endpoint(name: str, path: str) -> str:
    """An endpoint derived from the domain, overridable one by one
    (mozilla-django-oidc does not read the discovery document)."""
    default = f"https://{PROCONNECT_DOMAIN}/api/v2/{path}" if PROCONNECT_DOMAIN else ""
    return os.environ.get(f"PROCONNECT_{name}_URL", default)


# mozilla-django-oidc's settings.
OIDC_RP_CLIENT_ID = PROCONNECT_CLIENT_ID
OIDC_RP_CLIENT_SECRET = PROCONNECT_CLIENT_SECRET
OIDC_OP_AUTHORIZATION_ENDPOINT = proconnect_endpoint("AUTHORIZE", "authorize")
OIDC_OP_TOKEN_ENDPOINT = proconnect_endpoint("TOKEN", "token")
OIDC_OP_USER_ENDPOINT = proconnect_endpoint("USERINFO", "userinfo")
OIDC_OP_JWKS_ENDPOINT = proconnect_endpoint("JWKS", "jwks")
OIDC_OP_LOGOUT_ENDPOINT = proconnect_endpoint("END_SESSION", "session/end")
OIDC_RP_SIGN_ALGO = "RS256"
OIDC_RP_SCOPES = "openid given_name usual_name email uid siret idp_id"
OIDC_STATE_SIZE = 32
OIDC_NONCE_SIZE = 32
OIDC_USE_NONCE = True
OIDC_STORE_ID_TOKEN = True  # for id_token_hint at sign-out
OIDC_AUTHENTICATION_CALLBACK_URL = "accounts:proconnect_callback"
OIDC_TIMEOUT = int(os.environ.get("PROCONNECT_TIMEOUT", "10"))

# Content-Security-Policy: every script, style, font and picture comes from
# this site (DSFR's files, the autosave script, the stylesheets); no inline
# script or style anywhere, charts are SVG with presentation attributes
# (STACK-NOTES). Forms may lead to ProConnect: sign-in and sign-out
# redirect there after a form is sent, which `form-action` governs.
_PROCONNECT_ORIGINS = {
    f"{parts.scheme}://{parts.netloc}"
    for parts in map(urlsplit, [OIDC_OP_AUTHORIZATION_ENDPOINT, OIDC_OP_LOGOUT_ENDPOINT])
    if PROCONNECT_ENABLED and parts.netloc
}
_FORM_TARGETS = ["'self'", *sorted(_PROCONNECT_ORIGINS)]
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'"],
        "img-src": ["'self'", "data:"],
        "font-src": ["'self'"],
        "connect-src": ["'self'"],
        "object-src": ["'none'"],
        "base-uri": ["'self'"],
        "frame-ancestors": ["'none'"],
        "form-action": _FORM_TARGETS,
    }
}
# -- consolidation (issue 5) -----------------------------------------------------
# Large exports are built in the background: `autodiag db_worker` runs the
# queue (STACK-NOTES). TASKS_BACKEND=django_tasks.backends.immediate.ImmediateBackend
# builds them in the request instead (no worker to run).
TASKS = {"default": {"BACKEND": os.environ.get("TASKS_BACKEND", "django_tasks_db.DatabaseBackend")}}
# -- The label's audit grid (docs/audits.md) --------------------------------------
# The grid version new audits are scored on (a questionnaire version of kind "audit").
CURRENT_AUDIT_GRID = os.environ.get("CURRENT_AUDIT_GRID", "audit-label-2026")
# -- Listening to users: testimonies (docs/testimonies.md) ------------------------
INSTALLED_APPS.append("autodiag.testimonies")
# What one address, and one structure, may send without an account: so many
# testimonies per window of so many seconds (the shared cache makes the
# limits hold across processes: CACHE_URL).
TESTIMONY_LIMIT_PER_ADDRESS = int(os.environ.get("TESTIMONY_LIMIT_PER_ADDRESS", "5"))
TESTIMONY_LIMIT_PER_STRUCTURE = int(os.environ.get("TESTIMONY_LIMIT_PER_STRUCTURE", "200"))
TESTIMONY_LIMIT_WINDOW = int(os.environ.get("TESTIMONY_LIMIT_WINDOW", "3600"))
