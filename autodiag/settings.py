"""The one settings module: every setting reads the environment, with
defaults that run on a fresh clone (SQLite under the git-ignored var/)."""

import datetime
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
            # An open connection is checked before a request reuses it: after a
            # PostgreSQL restart the first request reconnects instead of failing.
            "CONN_HEALTH_CHECKS": True,
            "OPTIONS": {"connect_timeout": int(os.environ.get("DB_CONNECT_TIMEOUT", "5"))},
        }
    raise ValueError(f"DATABASE_URL : schéma non pris en charge « {parts.scheme} »")


DEV_SECRET_KEY = "dev-only-secret-key-change-me-in-production"
SECRET_KEY = os.environ.get("SECRET_KEY", DEV_SECRET_KEY)
DEBUG = env_bool("DEBUG", True)
if not DEBUG and (SECRET_KEY == DEV_SECRET_KEY or len(SECRET_KEY) < 50):
    from django.core.exceptions import ImproperlyConfigured

    raise ImproperlyConfigured(
        "SECRET_KEY : avec DEBUG désactivé, donnez une clé secrète d’au moins 50 caractères "
        '(par exemple : python -c "import secrets; print(secrets.token_urlsafe(50))").'
    )
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
    "autodiag.accounts.tasks_app.TasksDatabaseConfig",  # django_tasks_db with a French name
    "autodiag.actions",
    "autodiag.audits",
    "autodiag.testimonies",
    "axes",  # sign-in limits (below)
]

MIDDLEWARE = [
    "autodiag.middleware.RequestLog",  # first: its line covers the whole request
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "autodiag.middleware.AllowedMethods",
    "autodiag.middleware.RefuseNulBytes",
    "csp.middleware.CSPMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "autodiag.middleware.PrivatePages",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "axes.middleware.AxesMiddleware",  # last: turns a refused sign-in into the lockout page
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
# The project's own French wording, searched before Django's (admin titles, django-tasks-db).
LOCALE_PATHS = [BASE_DIR / "autodiag" / "locale"]
TIME_ZONE = "Europe/Paris"
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = VAR_DIR / "static"
STATICFILES_DIRS = [BASE_DIR / "autodiag" / "static"]

# -- Files: static files and the shared file storage ---------------------------
# Static files are served by the app servers themselves (whitenoise): with
# DEBUG off, `autodiag collectstatic` writes them compressed with hashed
# names into STATIC_ROOT, served with a year-long cache.
# Files shared between servers (exports built by the worker, referential
# uploads waiting for confirmation) go through Django's storage API: the
# local folder VAR_DIR/files by default (one machine, or a shared volume),
# an S3-compatible object store when STORAGE_S3_BUCKET is set
# (django-storages; `pip install autodiag[s3]`).
STORAGE_S3_BUCKET = os.environ.get("STORAGE_S3_BUCKET", "")
if STORAGE_S3_BUCKET:
    _default_storage = {
        "BACKEND": "storages.backends.s3.S3Storage",
        "OPTIONS": {
            "bucket_name": STORAGE_S3_BUCKET,
            "endpoint_url": os.environ.get("STORAGE_S3_ENDPOINT_URL") or None,
            "region_name": os.environ.get("STORAGE_S3_REGION") or None,
            "access_key": os.environ.get("STORAGE_S3_ACCESS_KEY_ID") or None,
            "secret_key": os.environ.get("STORAGE_S3_SECRET_ACCESS_KEY") or None,
            "location": os.environ.get("STORAGE_S3_PREFIX", "autodiag"),
            "default_acl": None,
            "querystring_auth": True,  # files are only ever read by the app (no public link)
            "file_overwrite": False,
        },
    }
else:
    _default_storage = {
        "BACKEND": "django.core.files.storage.FileSystemStorage",
        "OPTIONS": {"location": str(VAR_DIR / "files")},
    }
STORAGES = {
    "default": _default_storage,
    "staticfiles": {
        "BACKEND": (
            "django.contrib.staticfiles.storage.StaticFilesStorage"
            if DEBUG
            else "whitenoise.storage.CompressedManifestStaticFilesStorage"
        )
    },
}
WHITENOISE_MAX_AGE = 365 * 24 * 3600

# -- Uploads (referentials, earlier results): what one may cost ---------------
IMPORT_MAX_MB = int(os.environ.get("IMPORT_MAX_MB", "10"))
IMPORT_MAX_ROWS = int(os.environ.get("IMPORT_MAX_ROWS", "50000"))
IMPORT_MAX_SECONDS = float(os.environ.get("IMPORT_MAX_SECONDS", "20"))
IMPORT_MAX_XLSX_EXPANDED_MB = int(os.environ.get("IMPORT_MAX_XLSX_EXPANDED_MB", "100"))
IMPORT_KEEP_HOURS = int(os.environ.get("IMPORT_KEEP_HOURS", "24"))
# Django refuses larger requests before any view runs (413-like 400).
DATA_UPLOAD_MAX_MEMORY_SIZE = 3 * 1024 * 1024  # forms and JSON bodies (files excepted)
FILE_UPLOAD_MAX_MEMORY_SIZE = 2 * 1024 * 1024  # larger uploads stream to a temporary file

AUTH_USER_MODEL = "accounts.User"
LOGIN_URL = "accounts:login"
LOGIN_REDIRECT_URL = "structures:dashboard"
LOGOUT_REDIRECT_URL = "accounts:login"
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",  # first: refuses a locked-out sign-in before any check
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
    # Plain http is redirected to https, except the load balancer's health
    # check, which talks to the app servers directly.
    SECURE_SSL_REDIRECT = True
    SECURE_REDIRECT_EXEMPT = [r"^healthz$"]
    # Browsers then refuse plain http to this site for HSTS_SECONDS (one year).
    SECURE_HSTS_SECONDS = int(os.environ.get("HSTS_SECONDS", str(365 * 24 * 3600)))
    SECURE_HSTS_INCLUDE_SUBDOMAINS = env_bool("HSTS_INCLUDE_SUBDOMAINS", True)
    SECURE_HSTS_PRELOAD = env_bool("HSTS_PRELOAD", False)
X_FRAME_OPTIONS = "DENY"
SECURE_REFERRER_POLICY = "same-origin"


DSFR_MARK_OPTIONAL_FIELDS = True

# -- Logs: JSON lines on standard output (autodiag/logs.py) -------------------
# One line per request (autodiag.request: method, path, status, duration,
# user id, request id) and every 5xx with its traceback (django.request).
LOG_LEVEL = os.environ.get("LOG_LEVEL", "INFO")
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"json": {"()": "autodiag.logs.JsonLines"}},
    "handlers": {
        "stdout": {
            "class": "logging.StreamHandler",
            "stream": "ext://sys.stdout",
            "formatter": "json",
        }
    },
    "root": {"handlers": ["stdout"], "level": "WARNING"},
    "loggers": {
        "autodiag": {"handlers": ["stdout"], "level": LOG_LEVEL, "propagate": False},
        "django.request": {"handlers": ["stdout"], "level": "WARNING", "propagate": False},
        "django_tasks": {"handlers": ["stdout"], "level": LOG_LEVEL, "propagate": False},
    },
}

# -- Sign-in limits (django-axes): the site's form and the admin's ------------
# After SIGNIN_FAILURE_LIMIT wrong passwords for one account, or from one
# address, further tries are refused (even the right password) for
# SIGNIN_LOCKOUT_MINUTES, with a French page (429). Counted in the database,
# so every app server sees the same counts.
AXES_FAILURE_LIMIT = int(os.environ.get("SIGNIN_FAILURE_LIMIT", "5"))
AXES_COOLOFF_TIME = datetime.timedelta(minutes=int(os.environ.get("SIGNIN_LOCKOUT_MINUTES", "15")))
AXES_LOCKOUT_PARAMETERS = ["username", "ip_address"]
AXES_RESET_ON_SUCCESS = True
AXES_HANDLER = "axes.handlers.database.AxesDatabaseHandler"
AXES_USERNAME_FORM_FIELD = "username"
AXES_USERNAME_CALLABLE = "autodiag.accounts.limits.sign_in_name"
AXES_CLIENT_IP_CALLABLE = "autodiag.accounts.limits.client_ip"
AXES_LOCKOUT_CALLABLE = "autodiag.accounts.limits.locked_out"
AXES_VERBOSE = False
# The API's limit per token ("120/m": 120 requests a minute; s, m, h, d),
# counted in the cache: set CACHE_URL (Redis) with several app servers.
API_RATE_LIMIT = os.environ.get("API_RATE_LIMIT", "120/m")
# How many reverse proxies (TLS end, load balancer) put the client's address
# in X-Forwarded-For; 0: none, REMOTE_ADDR is the client.
TRUSTED_PROXY_COUNT = int(os.environ.get("TRUSTED_PROXY_COUNT", "0"))

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

# E-mail: SMTP when EMAIL_HOST is set, else printed on the console (a fresh
# clone). Messages leave through the background worker (autodiag/mail.py),
# tried MAIL_MAX_ATTEMPTS times, waiting MAIL_RETRY_SECONDS, then twice as
# long each time.
EMAIL_HOST = os.environ.get("EMAIL_HOST", "")
EMAIL_BACKEND = os.environ.get(
    "EMAIL_BACKEND",
    "django.core.mail.backends.smtp.EmailBackend"
    if EMAIL_HOST
    else "django.core.mail.backends.console.EmailBackend",
)
EMAIL_PORT = int(os.environ.get("EMAIL_PORT", "587"))
EMAIL_HOST_USER = os.environ.get("EMAIL_HOST_USER", "")
EMAIL_HOST_PASSWORD = os.environ.get("EMAIL_HOST_PASSWORD", "")
EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS", EMAIL_PORT == 587)
EMAIL_USE_SSL = env_bool("EMAIL_USE_SSL", EMAIL_PORT == 465)
EMAIL_TIMEOUT = int(os.environ.get("EMAIL_TIMEOUT", "20"))
MAIL_MAX_ATTEMPTS = int(os.environ.get("MAIL_MAX_ATTEMPTS", "5"))
MAIL_RETRY_SECONDS = int(os.environ.get("MAIL_RETRY_SECONDS", "60"))
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

# -- Error reporting: Sentry (or a compatible service) when SENTRY_DSN is set --
SENTRY_DSN = os.environ.get("SENTRY_DSN", "")
if SENTRY_DSN:
    import sentry_sdk

    sentry_sdk.init(
        dsn=SENTRY_DSN,
        environment=os.environ.get("SENTRY_ENVIRONMENT", "production"),
        send_default_pii=False,  # no e-mail addresses nor IPs leave the platform
        traces_sample_rate=float(os.environ.get("SENTRY_TRACES_SAMPLE_RATE", "0")),
    )

# -- Listening to users: testimonies (docs/testimonies.md) ------------------------
# What one address, and one structure, may send without an account: so many
# testimonies per window of so many seconds (the shared cache makes the
# limits hold across processes: CACHE_URL).
TESTIMONY_LIMIT_PER_ADDRESS = int(os.environ.get("TESTIMONY_LIMIT_PER_ADDRESS", "5"))
TESTIMONY_LIMIT_PER_STRUCTURE = int(os.environ.get("TESTIMONY_LIMIT_PER_STRUCTURE", "200"))
TESTIMONY_LIMIT_WINDOW = int(os.environ.get("TESTIMONY_LIMIT_WINDOW", "3600"))
