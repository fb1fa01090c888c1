"""Who sees which audit page: every page × every role, for an audit in
progress and a validated one; auditors only during their period;
outsiders get 404, members lacking the right 403, anonymous visitors the
sign-in page. Nothing of a structure leaks to who may not see it."""

import datetime

import pytest
from django.urls import reverse

from autodiag.audits.models import Audit
from autodiag.structures.enums import ScopeKind
from autodiag.structures.models import Network, Scope

from ..conftest import client_for, make_structure
from .conftest import make_user, score_everything, today

pytestmark = pytest.mark.django_db

OK, GONE, NO, LOGIN, REDIRECT, BAD = 200, 404, 403, "login", 302, 400


def pages(audit):
    """(name, method, url, data) of every audit page."""
    pk, code = audit.pk, audit.structure.code
    return [
        ("aperçu", "get", reverse("audits:overview", args=[pk]), None),
        ("caractéristiques", "post", reverse("audits:overview", args=[pk]), {"controle-recouvrement": "oui"}),
        ("page de la grille", "get", reverse("audits:page", args=[pk, "1"]), None),
        ("noter", "post", reverse("audits:page", args=[pk, "1"]), {"note-1.1": "1"}),
        ("validation", "get", reverse("audits:validation", args=[pk]), None),
        ("valider", "post", reverse("audits:validation", args=[pk]), {"confirmation": "1"}),
        ("rapport", "get", reverse("audits:report", args=[pk]), None),
        ("rapport PDF", "get", reverse("audits:report_pdf", args=[pk]), None),
        ("comparaison", "get", reverse("audits:comparison", args=[pk]), None),
        ("préparation", "get", reverse("audits:preparation", args=[code]), None),
    ]  # fmt: skip


# Expected status per page, in the order of `pages`.
IN_PROGRESS = {
    "auditor": [OK, REDIRECT, OK, REDIRECT, OK, BAD, OK, OK, NO, GONE],
    "member": [NO, NO, NO, NO, NO, NO, NO, NO, NO, OK],
    "head in scope": [NO, NO, NO, NO, NO, NO, NO, NO, NO, OK],
    "outside": [GONE] * 10,
}
VALIDATED = {
    "auditor": [OK, NO, OK, NO, REDIRECT, REDIRECT, OK, OK, NO, GONE],
    "member": [REDIRECT, NO, NO, NO, NO, NO, OK, OK, OK, OK],
    "head in scope": [REDIRECT, NO, NO, NO, NO, NO, OK, OK, OK, OK],
    "outside": [GONE] * 10,
}


def head(email, kind, network=None, departments=()):
    user = make_user(email)
    Scope.objects.create(user=user, kind=kind, network=network, departments=list(departments))
    return user


@pytest.fixture
def people(structure, agent, manager, outsider, auditor, grid_version):
    other = make_structure("CAF16TEST", "CAF de la Charente — agence test")
    other_auditor = make_user("autre.auditeur@certification.test")
    Audit.objects.grant(other, other_auditor, today(), today(), grid=grid_version)
    return {
        "auditor": ("auditor", auditor),
        "agent": ("member", agent),
        "manager": ("member", manager),
        "network head": ("head in scope", head("tete@cnaf.test", ScopeKind.NETWORK, structure.network)),
        "territory head of 69": ("head in scope", head("prefet69@test.fr", ScopeKind.TERRITORY, departments=["69"])),
        "national administrator": ("head in scope", head("dg@ditp.test", ScopeKind.NATIONAL)),
        "head of another network": ("outside", head("tete@autre.test", ScopeKind.NETWORK, Network.objects.create(name="Autre"))),
        "territory head of 16": ("outside", head("prefet16@test.fr", ScopeKind.TERRITORY, departments=["16"])),
        "outsider": ("outside", outsider),
        "auditor of another structure": ("outside", other_auditor),
    }  # fmt: skip


def check(audit, people, expected):
    for role, (kind, user) in people.items():
        for (name, method, url, data), status in zip(pages(audit), expected[kind], strict=True):
            before = sorted(audit.answers.values_list("question_id", "value", "evidence"))
            response = getattr(client_for(user), method)(url, data)
            where = f"{role} → {name}"
            assert response.status_code == status, f"{where}: {response.status_code}"
            if status == GONE:
                assert audit.structure.name.encode() not in response.content, where
                assert audit.structure.code.encode() not in response.content, where
            if kind != "auditor":
                after = sorted(audit.answers.values_list("question_id", "value", "evidence"))
                assert after == before, f"{where} changed a score"


def test_an_audit_in_progress(audit, people):
    check(audit, people, IN_PROGRESS)


def test_a_validated_audit(audit, auditor, people):
    score_everything(audit, auditor)
    audit.validate(by=auditor)
    check(audit, people, VALIDATED)


@pytest.mark.parametrize(
    ("starts", "ends"),
    [(3, 30), (-30, -1)],
    ids=["before the period", "after the period"],
)
def test_auditors_are_refused_outside_their_period(audit, auditor, starts, ends):
    Audit.objects.filter(pk=audit.pk).update(
        starts_on=today() + datetime.timedelta(days=starts),
        ends_on=today() + datetime.timedelta(days=ends),
    )
    audit.refresh_from_db()
    client = client_for(auditor)
    for name, method, url, data in pages(audit):
        response = getattr(client, method)(url, data)
        assert response.status_code == GONE, name
        assert audit.structure.name.encode() not in response.content, name
    assert not audit.answers.filter(question_id="1.1").exists()


def test_a_validated_report_is_refused_to_its_auditor_after_the_period(audit, auditor):
    score_everything(audit, auditor)
    audit.validate(by=auditor)
    Audit.objects.filter(pk=audit.pk).update(ends_on=today() - datetime.timedelta(days=1))
    response = client_for(auditor).get(reverse("audits:report", args=[audit.pk]))
    assert response.status_code == GONE


def test_the_auditors_list_shows_running_and_coming_audits_only(audit, auditor, structure):
    page = client_for(auditor).get(reverse("audits:mine")).content.decode()
    assert structure.name in page and "Noter la grille" in page
    Audit.objects.filter(pk=audit.pk).update(
        starts_on=today() + datetime.timedelta(days=10),
        ends_on=today() + datetime.timedelta(days=20),
    )
    page = client_for(auditor).get(reverse("audits:mine")).content.decode()
    assert "Audits à venir" in page and structure.name in page
    assert reverse("audits:overview", args=[audit.pk]) not in page  # no way in before the period
    Audit.objects.filter(pk=audit.pk).update(
        starts_on=today() - datetime.timedelta(days=20),
        ends_on=today() - datetime.timedelta(days=10),
    )
    page = client_for(auditor).get(reverse("audits:mine")).content.decode()
    assert structure.name not in page


def test_the_menu_entry_is_for_auditors_and_heads(audit, auditor, agent, structure):
    menu = "Audits du label</a>"

    def landing(person):
        return client_for(person).get(reverse("structures:dashboard"), follow=True)

    assert menu in landing(auditor).content.decode()
    assert menu not in landing(agent).content.decode()
    network_head = head("tete@cnaf.test", ScopeKind.NETWORK, structure.network)
    assert menu in landing(network_head).content.decode()


def test_the_consolidated_view_is_for_heads(audit, agent, auditor):
    url = reverse("audits:consolidation")
    assert client_for(agent).get(url).status_code == GONE
    assert client_for(auditor).get(url).status_code == GONE
    response = client_for(None).get(url)
    assert response.status_code == 302 and response["Location"].startswith(
        reverse("accounts:login")
    )


def test_anonymous_visitors_are_sent_to_sign_in(audit):
    for name, method, url, data in [
        *pages(audit),
        ("mes audits", "get", reverse("audits:mine"), None),
    ]:
        response = getattr(client_for(None), method)(url, data)
        assert response.status_code == 302, name
        assert response["Location"].startswith(reverse("accounts:login")), name


def test_the_structure_page_shows_the_audit_to_its_members(audit, auditor, agent, structure):
    page = client_for(agent).get(reverse("structures:detail", args=[structure.code])).content
    page = page.decode()
    assert "Audit du label Services Publics+" in page and "Un audit est prévu" in page
    assert reverse("audits:preparation", args=[structure.code]) in page
    assert reverse("audits:report", args=[audit.pk]) not in page  # not before validation
    score_everything(audit, auditor)
    audit.validate(by=auditor)
    page = client_for(agent).get(reverse("structures:detail", args=[structure.code])).content
    page = page.decode()
    assert reverse("audits:report", args=[audit.pk]) in page
    assert reverse("audits:comparison", args=[audit.pk]) in page


def test_the_structure_follows_its_audit_s_progress(audit, auditor, agent, structure):
    """Before validation the structure sees how far the audit has gone and
    the visit's dates, never a score."""

    def block():
        page = client_for(agent).get(reverse("structures:detail", args=[structure.code]))
        text = " ".join(page.content.decode().split())
        return text[text.index('id="audit-label"') :]

    text = block()
    assert "Audit programmé" in text and "Étape 1 sur 3" in text
    assert "L’auditeur n’a encore noté aucun point de contrôle." in text
    assert "Accès de l’auditeur du " in text
    audit.save_point("1.1", "0.75", "Courriers relus.", "", auditor)
    audit.save_point("1.2", "1", "Observé à l’accueil.", "", auditor)
    text = block()
    assert "Notation en cours" in text and "Étape 2 sur 3" in text
    assert "2 points de contrôle notés sur" in text  # (split() turned the no-break space)
    assert "0,75" not in text and "Courriers relus." not in text  # no score, no evidence
    score_everything(audit, auditor)
    audit.validate(by=auditor)
    text = block()
    assert "Audit validé" in text and "Étape 3 sur 3" in text and "Validé le" in text


def test_a_head_without_audits_of_their_own_goes_to_the_scopes_audits(structure, agent):
    network_head = head("tete@cnaf.test", ScopeKind.NETWORK, structure.network)
    response = client_for(network_head).get(reverse("audits:mine"))
    assert response.status_code == 302 and response["Location"] == reverse("audits:consolidation")
    # A member with nothing to audit reads why.
    page = client_for(agent).get(reverse("audits:mine")).content.decode()
    assert "Aucun audit du label ne vous est confié" in page
