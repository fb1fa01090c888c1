"""Sign-in and API limits (issue 12, finding 2): after a handful of wrong
passwords for one account or from one address, further tries, the right
password included, are refused for a while with a French page; the API
answers 429 past its rate. The limits are settings."""

import pytest
from django.test import Client, override_settings

from autodiag.api.models import ApiToken
from autodiag.structures.enums import ScopeKind
from autodiag.structures.models import Scope

from .conftest import PASSWORD

pytestmark = pytest.mark.django_db


def sign_in(client, email, password, url="/compte/connexion/"):
    return client.post(url, {"username": email, "password": password})


@override_settings(AXES_FAILURE_LIMIT=5)
def test_wrong_passwords_lock_the_account_even_for_the_right_one(agent):
    client = Client()
    for _ in range(4):
        assert sign_in(client, agent.email, "mauvais-mot-de-passe").status_code == 200
    refused = sign_in(client, agent.email, "mauvais-mot-de-passe")
    assert refused.status_code == 429
    page = refused.content.decode()
    assert "Connexion momentanément bloquée" in page and "même avec le bon mot de passe" in page
    assert sign_in(Client(), agent.email.upper(), PASSWORD).status_code == 429
    assert "_auth_user_id" not in client.session


@override_settings(AXES_FAILURE_LIMIT=3)
def test_one_address_trying_many_accounts_is_locked(agent, manager):
    client = Client(REMOTE_ADDR="203.0.113.7")
    for email in ("a@x.test", "b@x.test", "c@x.test"):
        sign_in(client, email, "mauvais-mot-de-passe")
    assert sign_in(client, manager.email, PASSWORD).status_code == 429
    other_address = Client(REMOTE_ADDR="203.0.113.8")
    assert sign_in(other_address, manager.email, PASSWORD).status_code == 302


@override_settings(AXES_FAILURE_LIMIT=3)
def test_a_success_resets_the_count(agent):
    client = Client()
    for _ in range(2):
        sign_in(client, agent.email, "mauvais-mot-de-passe")
    assert sign_in(client, agent.email, PASSWORD).status_code == 302
    client.logout()
    for _ in range(2):
        sign_in(client, agent.email, "mauvais-mot-de-passe")
    assert sign_in(client, agent.email, PASSWORD).status_code == 302


@override_settings(AXES_FAILURE_LIMIT=3)
def test_the_admin_sign_in_is_limited_too(agent):
    client = Client()
    for _ in range(3):
        sign_in(client, agent.email, "mauvais-mot-de-passe", url="/admin/login/")
    refused = sign_in(client, agent.email, PASSWORD, url="/admin/login/")
    assert refused.status_code == 429
    assert "Connexion momentanément bloquée" in refused.content.decode()


@override_settings(TRUSTED_PROXY_COUNT=1)
def test_behind_a_proxy_the_forwarded_address_counts(agent):
    from autodiag.accounts.limits import client_ip

    class Request:
        META = {"REMOTE_ADDR": "127.0.0.1", "HTTP_X_FORWARDED_FOR": "6.6.6.6, 198.51.100.4"}

    assert client_ip(Request()) == "198.51.100.4"  # the proxy's own record, not the client's claim


@override_settings(API_RATE_LIMIT="3/m")
def test_the_api_answers_429_past_its_rate(structure):
    from django.core.cache import cache

    from .consolidation_helpers import head

    cache.clear()
    network_head = head("tete@cnaf.test", ScopeKind.NETWORK, structure.network)
    assert Scope.objects.filter(user=network_head).exists()
    _, token = ApiToken.issue(structure.network, "Entrepôt", network_head)
    client = Client(HTTP_AUTHORIZATION=f"Bearer {token}")
    assert [client.get("/api/structures").status_code for _ in range(3)] == [200] * 3
    refused = client.get("/api/structures")
    assert refused.status_code == 429
    assert "Trop de requêtes" in refused.json()["detail"]
    assert "3 requêtes par minute" in refused.json()["detail"]
    assert int(refused["Retry-After"]) > 0
