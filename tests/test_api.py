"""The JSON API: token per network (hashed, revocable), the same scope as
the pages, a valid OpenAPI description that every answer follows."""

from __future__ import annotations

import json
from decimal import Decimal

import pytest
from django.test import Client
from django.urls import reverse
from openapi_schema_validator import OAS31Validator
from openapi_spec_validator import validate

from autodiag.api.models import ApiToken, hash_token
from autodiag.structures.enums import ScopeKind
from autodiag.structures.models import Network

from .conftest import client_for
from .consolidation_helpers import (
    clear_choices_cache,
    days_ago,
    diagnostic_with_figures,
    figure_names,
    head,
    structure,
)

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _fresh_cache():
    clear_choices_cache()


@pytest.fixture
def world(version):
    names = figure_names(version)
    inside = diagnostic_with_figures(
        structure("CAF1"), version, days_ago(5), dict.fromkeys(names, Decimal(60))
    )
    outside = diagnostic_with_figures(
        structure("PREF16", network="Intérieur", department="16", region="75"),
        version,
        days_ago(5),
        dict.fromkeys(names, Decimal(20)),
    )
    cnaf = Network.objects.get(name="CNAF")
    network_head = head("tete@cnaf.test", ScopeKind.NETWORK, cnaf)
    record, token = ApiToken.issue(cnaf, "Entrepôt", network_head)
    return {
        "inside": inside,
        "outside": outside,
        "token": token,
        "record": record,
        "head": network_head,
    }


def call(token, path, **params):
    client = Client()
    headers = {"HTTP_AUTHORIZATION": f"Bearer {token}"} if token else {}
    return client.get(f"/api{path}", params, **headers)


def test_tokens_are_stored_hashed(world):
    record = world["record"]
    assert world["token"].startswith("adg_") and world["token"] not in record.key_hash
    assert record.key_hash == hash_token(world["token"])


def test_no_or_bad_or_revoked_token_is_refused(world):
    assert call(None, "/structures").status_code == 401
    assert call("adg_faux", "/structures").status_code == 401
    world["record"].revoke()
    assert call(world["token"], "/structures").status_code == 401


def test_a_token_stops_when_its_creator_leaves_the_network(world):
    world["head"].scopes.all().delete()
    assert call(world["token"], "/structures").status_code == 401


def test_the_api_never_shows_outside_the_token_network(world):
    structures = call(world["token"], "/structures").json()
    assert [s["code"] for s in structures["items"]] == ["CAF1"]
    assert call(world["token"], "/structures/PREF16").status_code == 404
    results = call(world["token"], "/results").json()
    assert [r["structure"] for r in results["items"]] == ["CAF1"]
    assert call(world["token"], f"/diagnostics/{world['outside'].pk}/report").status_code == 404
    assert call(world["token"], f"/diagnostics/{world['inside'].pk}/report").status_code == 200
    stats = call(world["token"], "/statistics").json()
    assert stats["diagnostics"] == 1
    assert stats["total"]["mean"] == 60.0
    assert stats["commitments"][0]["national_mean"] == 40.0  # the whole country beside


def test_bad_filters_get_a_french_message(world):
    response = call(world["token"], "/statistics", version="inconnue")
    assert response.status_code == 400
    assert "Version du questionnaire inconnue" in response.json()["detail"]


def openapi():
    response = Client().get("/api/openapi.json")
    assert response.status_code == 200
    return response.json()


def test_the_openapi_description_is_valid():
    document = openapi()
    validate(document)
    assert {"/api/structures", "/api/results", "/api/statistics"} <= set(document["paths"])


def check_against_schema(document, path, method, response):
    operation = document["paths"][path][method]
    content = operation["responses"][str(response.status_code)]["content"]["application/json"]
    schema = {**content["schema"], "components": document["components"]}
    OAS31Validator(schema).validate(response.json())


def test_every_endpoint_answers_as_described(world):
    document = openapi()
    token = world["token"]
    inside = world["inside"]
    calls = {
        "/api/structures": call(token, "/structures", page=1, page_size=10),
        "/api/structures/{code}": call(token, "/structures/CAF1"),
        "/api/results": call(token, "/results", tous="true"),
        "/api/diagnostics/{diagnostic_id}/report": call(token, f"/diagnostics/{inside.pk}/report"),
        "/api/statistics": call(token, "/statistics", departement="69"),
        # Listening to users (issue 15; tests/test_testimonies_api.py).
        "/api/testimonies": call(token, "/testimonies", page_size=10),
        "/api/testimonies/statistics": call(token, "/testimonies/statistics"),
    }
    assert set(calls) == set(document["paths"]), "every endpoint is tested"
    for path, response in calls.items():
        assert response.status_code == 200, (path, response.content)
        check_against_schema(document, path, "get", response)
    check_against_schema(
        document, "/api/structures/{code}", "get", call(token, "/structures/PREF16")
    )
    check_against_schema(document, "/api/statistics", "get", call(token, "/statistics", du="hier"))


def test_heads_create_and_revoke_tokens_on_the_page(world):
    client = client_for(world["head"])
    cnaf = Network.objects.get(name="CNAF")
    response = client.post(
        reverse("consolidation:tokens"), {"name": "Tableau de bord", "network": cnaf.pk}
    )
    html = response.content.decode()
    created = ApiToken.objects.get(name="Tableau de bord")
    clear = html.split('<code class="autodiag-token">')[1].split("</code>")[0]
    assert hash_token(clear) == created.key_hash
    assert call(clear, "/structures").status_code == 200
    client.post(reverse("consolidation:tokens"), {"action": "revoke", "token": created.pk})
    assert call(clear, "/structures").status_code == 401
    # A network outside the head's scope cannot get a token.
    other = Network.objects.get(name="Intérieur")
    response = client.post(reverse("consolidation:tokens"), {"name": "X", "network": other.pk})
    assert response.status_code == 400 and not ApiToken.objects.filter(name="X").exists()
    # A territory head manages no network token.
    territory = head("prefet@test.fr", ScopeKind.TERRITORY, departments=["69"])
    page = client_for(territory).get(reverse("consolidation:tokens")).content.decode()
    assert "réservés aux têtes de réseau" in page and "Entrepôt" not in page


def test_api_answers_are_json(world):
    response = call(world["token"], "/results")
    assert response["Content-Type"].startswith("application/json")
    json.loads(response.content)


def test_national_administrators_list_tokens_in_the_admin(world):
    admin_user = head("admin@ditp.test", ScopeKind.NATIONAL)
    client = client_for(admin_user)
    page = client.get("/admin/api/apitoken/")
    assert page.status_code == 200 and "Entrepôt" in page.content.decode()
    assert world["token"] not in page.content.decode()
    client.post(
        "/admin/api/apitoken/",
        {"action": "revoke", "_selected_action": [world["record"].pk]},
    )
    assert call(world["token"], "/structures").status_code == 401
    assert client.get("/admin/consolidation/reminder/").status_code == 200
    assert client.get("/admin/consolidation/export/").status_code == 200


def test_the_api_documentation_page_is_a_french_page_of_the_site(db):
    response = Client().get("/api/docs")
    assert response.status_code == 200
    page = response.content.decode()
    assert "cdn." not in page and "<script src" not in page.split("dsfr.module")[0]
    assert 'class="fr-header"' in page and 'class="fr-footer"' in page  # the site's DSFR layout
    assert "<h1>Documentation de l’API</h1>" in page
    assert "Retour à l’accueil" in page  # a way back
    assert "Statistiques consolidées" in page and "Paramètres de" in page
    assert "Try it out" not in page and "Authorize" not in page  # no English UI left
    assert 'href="/api/openapi.json"' in page
