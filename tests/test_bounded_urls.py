"""Addresses no database can answer are 400 or 404, never 500 (issue 12,
findings 4, 6 and 12): a structure code with `/`, NUL bytes, integers past
the database's bigint, and methods a page does not take."""

import pytest
from django.test import Client
from django.urls import reverse

from autodiag.api.models import ApiToken
from autodiag.structures.enums import ScopeKind
from autodiag.structures.models import Structure

from .conftest import client_for
from .consolidation_helpers import head
from .test_referential import LINES, faults

pytestmark = pytest.mark.django_db


def test_the_import_refuses_a_code_with_a_slash():
    found = faults([LINES[0], "ODD/SLASH;Odd;CNAF;etat;;;69;"])
    assert found == [
        (
            3,
            "code",
            "code « ODD/SLASH » invalide : seulement des lettres, des chiffres, « - », « _ » et « . » (pas de « / »)",
        )
    ]


def test_a_code_stored_with_a_slash_still_has_its_pages(structure, version):
    """A code imported before the check: pages listing it still answer, and
    its own page is reachable through the escaped address."""
    odd = Structure.objects.create(
        code="ODD/SLASH", name="Odd", network=structure.network, department_code="69"
    )
    national = head("national@ditp.test", ScopeKind.NATIONAL)
    client = client_for(national)
    assert client.get("/perimetre/").status_code == 200
    assert client.get("/perimetre/resultats/campagne/").status_code == 200
    url = reverse("structures:detail", args=[odd.code])
    assert "ODD/SLASH" not in url
    assert client.get(url).status_code == 200


NUL_AND_HUGE = [
    "/engagements/a%00b/",
    "/invitations/a%00b/",
    "/structures/a%00b/",
    "/diagnostics/9223372036854775808/",
    "/diagnostics/99999999999999999999999/",
    "/structures/CAF69TEST/?du=a%00b",
]


@pytest.mark.parametrize("path", NUL_AND_HUGE)
def test_nul_bytes_and_huge_numbers_are_not_found_signed_out(structure, path):
    assert Client(raise_request_exception=False).get(path).status_code in (400, 404)


@pytest.mark.parametrize("path", NUL_AND_HUGE)
def test_nul_bytes_and_huge_numbers_are_not_found_signed_in(structure, agent, path):
    client = client_for(agent)
    client.raise_request_exception = False
    assert client.get(path).status_code in (400, 404)


def test_a_nul_byte_in_a_form_is_refused_in_french(agent):
    client = client_for(agent)
    client.raise_request_exception = False
    response = client.post("/compte/connexion/", {"username": "a\x00b", "password": "x"})
    assert response.status_code == 400
    assert "caractère nul" in response.content.decode()


@pytest.mark.parametrize(
    "path",
    [
        "/api/structures?departement=a%00b",
        "/api/structures?page=9223372036854775808",
        "/api/structures?page_size=9223372036854775808",
        "/api/structures/a%00b",
        "/api/results?page=-1",
        "/api/diagnostics/9223372036854775808/report",
    ],
)
def test_the_api_answers_400_or_404(structure, path):
    network_head = head("tete@cnaf.test", ScopeKind.NETWORK, structure.network)
    _, token = ApiToken.issue(structure.network, "Entrepôt", network_head)
    client = Client(HTTP_AUTHORIZATION=f"Bearer {token}", raise_request_exception=False)
    response = client.get(path)
    assert response.status_code in (400, 404), response.content
    assert response.json()["detail"]


def every_page_path(structure, draft):
    from django.urls import URLPattern, URLResolver, get_resolver

    samples = {"code": structure.code, "pk": draft.pk, "section_id": "profil"}
    paths = []

    def walk(patterns, prefix=""):
        for entry in patterns:
            route = prefix + str(entry.pattern)
            if isinstance(entry, URLResolver):
                if not route.startswith(("admin/", "api/")):
                    walk(entry.url_patterns, route)
            elif isinstance(entry, URLPattern) and "(?P" not in route:
                import re

                filled = re.sub(r"<(\w+):(\w+)>", lambda m: str(samples.get(m.group(2), 1)), route)
                paths.append("/" + filled)

    walk(get_resolver().url_patterns)
    return paths


@pytest.mark.parametrize("method", ["put", "delete", "patch"])
def test_pages_refuse_other_methods(structure, draft, manager, method):
    """Issue 12, finding 12: never a 2xx for PUT, DELETE or PATCH."""
    client = client_for(manager)
    paths = every_page_path(structure, draft)
    assert len(paths) > 30
    for path in paths:
        response = getattr(client, method)(path)
        assert response.status_code == 405, path
        assert response["Allow"] == "GET, HEAD, POST"
