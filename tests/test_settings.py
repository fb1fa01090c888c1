"""The settings read the environment: what production sets changes what it
should, and a fresh clone runs with nothing set."""

import json
import os
import subprocess
import sys

import pytest
from django.test import override_settings
from django.urls import reverse

from .conftest import PASSWORD, ROOT

REDIS_URL = os.environ.get("TEST_REDIS_URL", "redis://127.0.0.1:6379/13")


def settings_read_with(**environment) -> dict:
    code = (
        "import json; from autodiag import settings as s; "
        "print(json.dumps({'engine': getattr(s, 'SESSION_ENGINE', 'django.contrib.sessions.backends.db'), "
        "'cache': s.CACHES['default']['BACKEND']}))"
    )
    env = {k: v for k, v in os.environ.items() if k != "CACHE_URL"} | environment
    done = subprocess.run(
        [sys.executable, "-c", code], env=env, cwd=ROOT, capture_output=True, text=True, check=True
    )
    return json.loads(done.stdout)


def test_without_a_shared_cache_sessions_stay_in_the_database():
    assert settings_read_with() == {
        "engine": "django.contrib.sessions.backends.db",
        "cache": "django.core.cache.backends.locmem.LocMemCache",
    }


def test_a_shared_cache_serves_the_sessions():
    assert settings_read_with(CACHE_URL="redis://127.0.0.1:6379/0") == {
        "engine": "django.contrib.sessions.backends.cached_db",
        "cache": "django.core.cache.backends.redis.RedisCache",
    }


def redis_reachable() -> bool:
    import redis

    try:
        return bool(redis.Redis.from_url(REDIS_URL, socket_connect_timeout=1).ping())
    except redis.RedisError:
        return False


@pytest.mark.django_db
def test_with_sessions_in_redis_a_sign_out_ends_the_session(client, draft, agent):
    if not redis_reachable():
        pytest.skip(f"Redis injoignable ({REDIS_URL})")
    cache = {
        "default": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": REDIS_URL}
    }
    with override_settings(
        CACHES=cache, SESSION_ENGINE="django.contrib.sessions.backends.cached_db"
    ):
        client.post(reverse("accounts:login"), {"username": agent.email, "password": PASSWORD})
        url = reverse("diagnostics:save_answer", args=[draft.pk, "typologie"])
        save = lambda: client.post(  # noqa: E731
            url,
            '{"value": "etat"}',
            content_type="application/json",
            HTTP_ACCEPT="application/json",
        )
        assert save().status_code == 200
        stolen = client.cookies["sessionid"].value
        client.post(reverse("accounts:logout"))
        client.cookies["sessionid"] = stolen  # the old cookie, replayed
        assert save().status_code == 401


@pytest.mark.django_db
def test_every_page_forbids_inline_scripts_and_framing(client):
    policy = client.get(reverse("accounts:login"))["Content-Security-Policy"]
    directives = dict(part.strip().split(" ", 1) for part in policy.split(";"))
    assert directives["script-src"] == "'self'"
    assert directives["style-src"] == "'self'"
    assert directives["frame-ancestors"] == "'none'"
    assert directives["form-action"] == "'self'"


@pytest.mark.django_db
@pytest.mark.parametrize("name", ["accessibility", "legal_notice", "personal_data"])
def test_information_pages_name_who_runs_the_instance(client, settings, name):
    settings.SITE_PUBLISHER = "Direction interministérielle de la transformation publique"
    settings.CONTACT_EMAIL = "autodiag@modernisation.gouv.fr"
    page = client.get(reverse(f"information:{name}")).content.decode()
    assert "Direction interministérielle de la transformation publique" in page
    assert "autodiag@modernisation.gouv.fr" in page


# -- production (issue 12, finding 8) ----------------------------------------------

PRODUCTION = {
    "DEBUG": "0",
    "SECRET_KEY": "k" * 20 + "une-clé-de-production-assez-longue-et-aléatoire",
    "ALLOWED_HOSTS": "autodiag.example.gouv.fr",
    "BEHIND_HTTPS_PROXY": "1",
    "HSTS_PRELOAD": "1",
}


def autodiag_command(*args, **environment):
    # A fresh process as an operator starts it: without what the test run
    # itself sets (the browser tests allow Django's ORM in their event loop).
    ignored = ("CACHE_URL", "DEBUG", "DJANGO_ALLOW_ASYNC_UNSAFE")
    env = {k: v for k, v in os.environ.items() if k not in ignored} | environment
    return subprocess.run(
        [sys.executable, "-m", "autodiag", *args], env=env, cwd=ROOT, capture_output=True, text=True
    )


def test_check_deploy_with_the_production_variables_gives_no_warning(tmp_path):
    done = autodiag_command("check", "--deploy", **PRODUCTION, AUTODIAG_VAR_DIR=str(tmp_path))
    assert done.returncode == 0, done.stderr
    assert "System check identified no issues" in done.stdout + done.stderr


def test_the_default_secret_key_is_refused_with_debug_off(tmp_path):
    environment = {k: v for k, v in PRODUCTION.items() if k != "SECRET_KEY"}
    done = autodiag_command("check", **environment, AUTODIAG_VAR_DIR=str(tmp_path))
    assert done.returncode != 0
    assert "SECRET_KEY : avec DEBUG désactivé" in done.stderr


@override_settings(
    SECURE_HSTS_SECONDS=31536000,
    SECURE_HSTS_INCLUDE_SUBDOMAINS=True,
    SECURE_PROXY_SSL_HEADER=("HTTP_X_FORWARDED_PROTO", "https"),
)
def test_behind_the_https_proxy_answers_carry_hsts(client, db):
    response = client.get("/accessibilite/", HTTP_X_FORWARDED_PROTO="https")
    assert response["Strict-Transport-Security"] == "max-age=31536000; includeSubDomains"


def test_behind_the_https_proxy_the_settings_turn_hsts_on():
    code = (
        "import json; from autodiag import settings as s; "
        "print(json.dumps([s.SECURE_HSTS_SECONDS, s.SECURE_SSL_REDIRECT, s.SESSION_COOKIE_SECURE]))"
    )
    env = {k: v for k, v in os.environ.items() if k != "DEBUG"} | PRODUCTION
    done = subprocess.run(
        [sys.executable, "-c", code], env=env, cwd=ROOT, capture_output=True, text=True, check=True
    )
    assert json.loads(done.stdout) == [31536000, True, True]


def test_sentry_reports_errors_only_when_a_dsn_is_set():
    code = "import sentry_sdk; from autodiag import settings; print(sentry_sdk.get_client().is_active())"
    env = {k: v for k, v in os.environ.items() if k != "SENTRY_DSN"}
    for extra, expected in (({}, "False"), ({"SENTRY_DSN": "http://cle@127.0.0.1:8129/1"}, "True")):
        done = subprocess.run(
            [sys.executable, "-c", code], env=env | extra, cwd=ROOT, capture_output=True, text=True
        )
        assert done.stdout.strip() == expected, done.stderr
