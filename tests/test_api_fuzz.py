"""The API under fuzzing (issue 12): schemathesis generates requests from
the served OpenAPI description (valid and invalid parameters, NUL bytes,
huge numbers, long strings) and no answer may be a server error. A short
run here (part of `make test`); the long one is bench/api_fuzz.py."""

import pytest
import schemathesis
from django.core.cache import cache
from django.test import override_settings
from hypothesis import HealthCheck, settings
from schemathesis.checks import not_a_server_error

from autodiag.api.models import ApiToken
from autodiag.structures.enums import ScopeKind
from autodiag.wsgi import application

from .consolidation_helpers import head

schema = schemathesis.openapi.from_wsgi("/api/openapi.json", application)


@pytest.fixture
def keep_the_test_connection():
    """The WSGI handler closes the database connection after each request;
    the test's transaction lives on it (Django's test client does the same)."""
    from django.core.signals import request_finished, request_started
    from django.db import close_old_connections

    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    yield
    request_started.connect(close_old_connections)
    request_finished.connect(close_old_connections)


@pytest.fixture
def token(structure, version, keep_the_test_connection):
    cache.clear()
    network_head = head("tete@cnaf.test", ScopeKind.NETWORK, structure.network)
    return ApiToken.issue(structure.network, "Fuzz", network_head)[1]


@schema.parametrize()
@settings(
    max_examples=20,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@override_settings(API_RATE_LIMIT="100000/m")
@pytest.mark.django_db
def test_no_server_error(case, token):
    case.call_and_validate(
        headers={"Authorization": f"Bearer {token}"}, checks=[not_a_server_error]
    )
