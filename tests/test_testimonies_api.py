"""Testimonies in the JSON API: the same tokens and scopes; private ones for
heads in scope only, rejected ones on request, never an e-mail address."""

import pytest
from django.test import Client

from autodiag.api.models import ApiToken
from autodiag.structures.enums import ScopeKind
from autodiag.structures.models import Scope
from autodiag.testimonies import models

from .conftest import make_member, make_structure
from .test_permissions_matrix import head

pytestmark = pytest.mark.django_db


def call(token, path, **params):
    headers = {"HTTP_AUTHORIZATION": f"Bearer {token}"} if token else {}
    return Client().get(f"/api{path}", params, **headers)


@pytest.fixture
def world(db):
    from django.core.cache import cache

    cache.clear()
    caf = make_structure("CAF69API", "CAF du Rhône — agence API")
    caf16 = make_structure("CAF16API", "CAF de la Charente — agence API")
    caf16.department_code, caf16.region_code = "16", "75"
    caf16.save()
    prefecture = make_structure("PREF69API", "Préfecture du Rhône — accueil", "Intérieur")
    manager = make_member("resp@caf.test", caf, "manager")
    created = {}
    for structure, pseudonym, decision in (
        (caf, "publie", "publish"),
        (caf, "prive", "private"),
        (caf, "rejete", "reject"),
        (caf16, "charente", "private"),
        (prefecture, "prefecture", "publish"),
    ):
        t = models.Testimony.objects.receive(
            structure, text=f"Texte de {pseudonym}", channel="telephone", sentiment="neutral",
            pseudonym=pseudonym, email=f"{pseudonym}@exemple.fr", commitments=1 << 4,
        )  # fmt: skip
        if decision == "publish":
            t.publish(manager, public_title="", public_text=t.public_text)
        elif decision == "private":
            t.keep_private(manager)
        else:
            t.reject(manager, reason="spam")
        created[pseudonym] = t
    created["publie"].answer(manager, text="Merci", signature="L’équipe")
    cnaf = caf.network
    head69 = head("tete69@cnaf.test", ScopeKind.NETWORK, cnaf, departments=["69"])
    _, token = ApiToken.issue(cnaf, "Tableau", head69)
    return {"token": token, "head": head69, "created": created}


def pseudonyms(response):
    return {item["pseudonym"] for item in response.json()["items"]}


def test_testimonies_of_the_token_network_within_scope(world):
    token = world["token"]
    response = call(token, "/testimonies")
    assert response.status_code == 200
    assert pseudonyms(response) == {
        "publie",
        "prive",
    }  # not the Charente (scope), nor the préfecture (network)
    assert "exemple.fr" not in response.content.decode()
    assert pseudonyms(call(token, "/testimonies", etat="rejected")) == {"rejete"}
    assert pseudonyms(call(token, "/testimonies", engagement=4)) == {"publie", "prive"}
    assert pseudonyms(call(token, "/testimonies", engagement=5)) == set()
    assert call(token, "/testimonies", structure="CAF16API").json()["count"] == 0


def test_statistics(world):
    stats = call(world["token"], "/testimonies/statistics").json()
    assert stats["count"] == 2 and stats["rejected"] == 1
    assert stats["answered"] == 1 and stats["answered_share"] == 50
    assert stats["commitments"][3]["count"] == 2
    assert stats["structures_never_answering"] == 0


def test_bad_values_and_no_token(world):
    assert call(None, "/testimonies").status_code == 401
    response = call(world["token"], "/testimonies", du="hier")
    assert response.status_code == 400 and "du" in response.json()["detail"]
    response = call(world["token"], "/testimonies", engagement=9)
    assert response.status_code == 400


def test_a_token_stops_with_its_creator_scope(world):
    Scope.objects.filter(user=world["head"]).delete()
    assert call(world["token"], "/testimonies").status_code == 401
