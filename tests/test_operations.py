"""What an operator expects (issue 12): structured logs with a request id,
every 5xx logged with its path and traceback, a French 503 when the
database cannot be reached, the security headers, the settings refused in
production."""

import json
import logging

import pytest
from django.test import Client, override_settings

pytestmark = pytest.mark.django_db


@pytest.fixture
def failing():
    with override_settings(ROOT_URLCONF="tests.failing_urls", DEBUG=False):
        yield Client(raise_request_exception=False)


def test_the_database_out_of_reach_is_a_french_503(failing):
    response = failing.get("/echec/base/")
    assert response.status_code == 503
    assert response["Retry-After"]
    page = response.content.decode()
    assert "Service momentanément indisponible" in page and "conservé" in page
    api = failing.get("/api/echec/base/")
    assert api.status_code == 503 and "indisponible" in api.json()["detail"]


def test_a_bug_is_a_french_500_logged_with_its_path_and_traceback(failing, caplog):
    with caplog.at_level(logging.ERROR, logger="django.request"):
        response = failing.get("/echec/bogue/")
    assert response.status_code == 500
    assert "Une erreur inattendue" in response.content.decode()
    record = next(r for r in caplog.records if r.name == "django.request")
    assert "/echec/bogue/" in record.getMessage() and record.exc_info


def test_the_log_lines_are_json_with_the_request_id(failing, caplog):
    from autodiag.logs import JsonLines

    with caplog.at_level(logging.INFO):
        response = failing.get("/echec/bogue/", HTTP_X_REQUEST_ID="abcdef0123456789")
    assert response["X-Request-ID"] == "abcdef0123456789"
    lines = [json.loads(JsonLines().format(r)) for r in caplog.records]
    request_line = next(line for line in lines if line["logger"] == "autodiag.request")
    assert request_line["status"] == 500 and request_line["path"] == "/echec/bogue/"
    assert request_line["request_id"] == "abcdef0123456789"
    assert request_line["duration_ms"] >= 0 and "user_id" not in request_line  # signed out
    error_line = next(line for line in lines if line["logger"] == "django.request")
    assert "RuntimeError: un bogue" in error_line["traceback"]
    assert error_line["request_id"] == "abcdef0123456789"


def test_signed_in_pages_are_private_and_features_off(agent):
    from .conftest import client_for

    response = client_for(agent).get("/")
    assert "private" in response["Cache-Control"] and "no-store" in response["Cache-Control"]
    assert "camera=()" in response["Permissions-Policy"]
    signed_out = Client().get("/accessibilite/")
    assert "private" not in signed_out.get("Cache-Control", "")
    assert "geolocation=()" in signed_out["Permissions-Policy"]


def test_healthz_answers_200_when_database_and_cache_answer(client):
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json() == {"database": "ok", "cache": "ok"}


def test_healthz_answers_503_when_the_cache_is_gone(client, settings):
    settings.CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": "redis://127.0.0.1:1/0",  # nothing listens there
        }
    }
    response = client.get("/healthz")
    assert response.status_code == 503
    assert response.json()["cache"] == "indisponible"


def test_healthz_answers_503_when_the_database_is_gone(client, monkeypatch):
    from django.db import OperationalError

    def refused(*args, **kwargs):
        raise OperationalError("connection refused")

    monkeypatch.setattr("django.db.backends.utils.CursorWrapper.execute", refused)
    response = client.get("/healthz")
    assert response.status_code == 503
    assert response.json() == {"database": "indisponible", "cache": "ok"}
