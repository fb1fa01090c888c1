"""Every URL × every role × inside and outside its scope: allowed, 403, 404
or sign-in, and nothing of a structure leaks to who may not see it."""

import json

import pytest
from django.urls import reverse

from autodiag.accounts.models import User
from autodiag.structures.enums import ScopeKind
from autodiag.structures.models import Network, Scope

from .conftest import PASSWORD, client_for

pytestmark = pytest.mark.django_db

READ, WRITE, VALIDATE = "read", "write", "validate"


def urls(structure, diagnostic):
    """(name, kind of action, method, url, data)."""
    pk, code = diagnostic.pk, structure.code
    return [
        ("page de la structure", READ, "get", reverse("structures:detail", args=[code]), None),
        ("commencer un diagnostic", WRITE, "post", reverse("structures:start", args=[code]), {}),
        ("reprendre", READ, "get", reverse("diagnostics:overview", args=[pk]), None),
        ("section", READ, "get", reverse("diagnostics:section", args=[pk, "profil"]), None),
        ("réponses de la section", READ, "get", reverse("diagnostics:section_answers", args=[pk, "profil"]), None),
        ("enregistrer la section", WRITE, "post", reverse("diagnostics:section", args=[pk, "profil"]),
         {"q-typologie": "etat", "q-typologie--initial": "null"}),
        ("enregistrement automatique", WRITE, "json", reverse("diagnostics:save_answer", args=[pk, "typologie"]),
         {"value": "etat"}),
        ("confirmer une réponse", WRITE, "post", reverse("diagnostics:confirm_answer", args=[pk, "typologie"]), {}),
        ("page de validation", READ, "get", reverse("diagnostics:validation", args=[pk]), None),
        ("valider", VALIDATE, "post", reverse("diagnostics:validation", args=[pk]), {"confirm": "1"}),
        ("résultats", READ, "get", reverse("reports:results", args=[pk]), None),
        ("résultats en PDF", READ, "get", reverse("reports:results_pdf", args=[pk]), None),
        ("questionnaire en PDF", READ, "get", reverse("reports:questionnaire_pdf", args=[pk]), None),
    ]  # fmt: skip


def call(client, method, url, data):
    if method == "json":
        return client.post(
            url, json.dumps(data), content_type="application/json", HTTP_ACCEPT="application/json"
        )
    return getattr(client, method)(url, data)


def head(email, kind, network=None, regions=(), departments=()):
    user = User.objects.create_user(email=email, password=PASSWORD)
    Scope.objects.create(
        user=user, kind=kind, network=network, regions=list(regions), departments=list(departments)
    )
    return user


@pytest.fixture
def people(structure, other_structure, agent, manager, outsider):
    """Every role, in and out of scope. The structure is a CNAF agency in
    department 69 (region 84)."""
    cnaf = structure.network
    other_network = Network.objects.create(name="Autre réseau")
    return {
        "agent": agent,
        "manager": manager,
        "outsider": outsider,
        "network head": head("tete@cnaf.test", ScopeKind.NETWORK, cnaf),
        "network head of 69": head("tete69@cnaf.test", ScopeKind.NETWORK, cnaf, departments=["69"]),
        "network head of region 84": head(
            "tete84@cnaf.test", ScopeKind.NETWORK, cnaf, regions=["84"]
        ),
        "network head of 16": head("tete16@cnaf.test", ScopeKind.NETWORK, cnaf, departments=["16"]),
        "head of another network": head("tete@autre.test", ScopeKind.NETWORK, other_network),
        "territory head of 69": head(
            "prefet69@territoire.test", ScopeKind.TERRITORY, departments=["69"]
        ),
        "territory head of region 84": head(
            "prefet84@territoire.test", ScopeKind.TERRITORY, regions=["84"]
        ),
        "territory head of 16": head(
            "prefet16@territoire.test", ScopeKind.TERRITORY, departments=["16"]
        ),
        "national administrator": head("admin@ditp.test", ScopeKind.NATIONAL),
    }


ALLOWED = {
    "agent": {READ, WRITE},
    "manager": {READ, WRITE, VALIDATE},
    "network head": {READ},
    "network head of 69": {READ},
    "network head of region 84": {READ},
    "territory head of 69": {READ},
    "territory head of region 84": {READ},
    "national administrator": {READ},
}
MEMBERS = {"agent", "manager"}


def test_matrix(structure, draft, people):
    for role, user in people.items():
        allowed = ALLOWED.get(role, set())
        before = sorted(draft.answers.values_list("question_id", "value", "updated_at"))
        for name, action, method, url, data in urls(structure, draft):
            client = client_for(user)
            response = call(client, method, url, data)
            where = f"{role} → {name}"
            if action in allowed:
                assert response.status_code in (200, 302, 400), where  # 400: allowed, form refused
            elif allowed:  # sees the structure, may not do this
                assert response.status_code in (403, 409), f"{where}: {response.status_code}"
            else:  # outside: as if the structure did not exist
                assert response.status_code == 404, f"{where}: {response.status_code}"
                assert structure.name.encode() not in response.content, where
                assert structure.code.encode() not in response.content, where
        # Heads and outsiders never changed anything.
        if role not in MEMBERS:
            assert (
                sorted(draft.answers.values_list("question_id", "value", "updated_at")) == before
            ), role


def test_anonymous_visitors_are_sent_to_sign_in(structure, draft):
    for name, _, method, url, data in urls(structure, draft):
        response = call(client_for(None), method, url, data)
        if method == "json":
            assert response.status_code == 401, name
        else:
            assert response.status_code == 302, name
            assert response["Location"].startswith(reverse("accounts:login")), name


def test_scope_page_lists_only_structures_in_scope(structure, other_structure, people):
    inside = client_for(people["network head"]).get(reverse("structures:scope")).content.decode()
    assert structure.name in inside and other_structure.name not in inside
    outside = (
        client_for(people["head of another network"])
        .get(reverse("structures:scope"))
        .content.decode()
    )
    assert structure.name not in outside and "0 structure" in outside
    territory = (
        client_for(people["territory head of 16"]).get(reverse("structures:scope")).content.decode()
    )
    assert structure.name not in territory
    national = (
        client_for(people["national administrator"])
        .get(reverse("structures:scope"))
        .content.decode()
    )
    assert structure.name in national and other_structure.name in national


def test_scope_page_is_for_heads_only(structure, people):
    assert client_for(people["agent"]).get(reverse("structures:scope")).status_code == 404
    assert client_for(None).get(reverse("structures:scope")).status_code == 302


def test_a_head_lands_on_its_scope_s_results(structure, people):
    response = client_for(people["network head"]).get(reverse("structures:dashboard"))
    assert response.status_code == 302
    assert response["Location"] == reverse("consolidation:report")


def test_an_auditor_lands_on_its_audits(structure, people):
    import datetime

    from django.utils import timezone

    from autodiag.accounts.models import User
    from autodiag.audits.models import Audit
    from autodiag.questionnaires.loader import load_questionnaire
    from autodiag.questionnaires.models import QuestionnaireVersion

    grid = QuestionnaireVersion.record(load_questionnaire("audit-label-2026"))[0]
    auditor = User.objects.create_user(email="auditrice@test.fr", password=PASSWORD)
    today = timezone.localdate()
    end = today + datetime.timedelta(days=30)
    Audit.objects.grant(structure, auditor, today, end, grid=grid)
    response = client_for(auditor).get(reverse("structures:dashboard"), follow=True)
    assert response.redirect_chain[-1][0] == reverse("audits:mine")
    assert "Vous n’êtes membre d’aucune structure" not in response.content.decode()


def test_a_member_of_two_structures_sees_both(structure, other_structure, agent):
    from autodiag.structures.models import Membership

    Membership.objects.create(user=agent, structure=other_structure, role="agent")
    page = client_for(agent).get(reverse("structures:dashboard")).content.decode()
    assert structure.name in page and other_structure.name in page


def test_new_member_of_nothing(db):
    lonely = User.objects.create_user(email="seul@test.fr", password=PASSWORD)
    page = client_for(lonely).get(reverse("structures:dashboard")).content.decode()
    assert "Vous n’êtes membre d’aucune structure" in page


def test_national_administrators_use_django_admin(people, structure):
    client = client_for(people["national administrator"])
    assert client.get("/admin/").status_code == 200
    assert client.get(f"/admin/structures/structure/{structure.pk}/change/").status_code == 200
    for role in ("network head", "territory head of 69", "agent", "manager"):
        response = client_for(people[role]).get("/admin/")
        assert response.status_code == 302, role  # to the admin's sign-in: not for them


# -- listening to users: testimonies (issue 15) -----------------------------------
# Every testimony URL × every role, in and out of scope. PUBLIC pages are for
# anyone, signed out too; READ for members and heads in scope; WRITE
# (moderate, answer, templates) for members; MANAGE (set-up) for managers;
# HEAD (the consolidated view) for heads only.

PUBLIC, MANAGE, HEAD = "public", "manage", "head"


@pytest.fixture
def testimony_world(structure, manager):
    from django.core.cache import cache

    from autodiag.actions.models import ActionPlan
    from autodiag.testimonies.models import AnswerTemplate, Listening, Testimony

    cache.clear()
    ActionPlan.objects.of(structure).publish(manager)
    listening = Listening.objects.of(structure)
    published = Testimony.objects.receive(
        structure, text="Accueil très agréable ce matin.", channel="accueil-physique",
        sentiment="satisfied", pseudonym="rugby 71",
    )  # fmt: skip
    published.publish(manager, public_title="", public_text=published.public_text)
    published.answer(manager, text="Merci rugby 71.", signature="L’équipe")
    private = Testimony.objects.receive(
        structure, text="SECRET-PRIVE : mon voisin de guichet.", channel="telephone",
        sentiment="dissatisfied", pseudonym="discret",
    )  # fmt: skip
    private.keep_private(manager)
    rejected = Testimony.objects.receive(
        structure, text="SECRET-REJETE : injures.", channel="courriel",
        sentiment="dissatisfied", pseudonym="grossier",
    )  # fmt: skip
    rejected.reject(manager, reason="abusive")
    template = AnswerTemplate.objects.create(
        structure=structure, title="Merci", body="Merci {pseudonyme}"
    )
    return listening, published, private, rejected, template


def urls_of_testimonies(structure, listening, testimony, template):
    code, pk = structure.code, testimony.pk
    base = f"/structures/{code}/temoignages/"
    return [
        ("témoigner", PUBLIC, "get", reverse("testimonies:leave", args=[listening.short_code]), None),
        ("merci", PUBLIC, "get", reverse("testimonies:thanks", args=[listening.short_code]), None),
        ("témoignages publiés", PUBLIC, "get", reverse("testimonies:public", args=[code]), None),
        ("utile", PUBLIC, "post", reverse("testimonies:useful", args=[code, pk]), {}),
        ("boîte de réception", READ, "get", reverse("testimonies:inbox", args=[code]), None),
        ("un témoignage", READ, "get", reverse("testimonies:detail", args=[code, pk]), None),
        ("tableau de bord", READ, "get", reverse("testimonies:dashboard", args=[code]), None),
        ("export CSV", READ, "get", reverse("testimonies:export_csv", args=[code]), None),
        ("export XLSX", READ, "get", reverse("testimonies:export_xlsx", args=[code]), None),
        ("export PDF", READ, "get", reverse("testimonies:export_pdf", args=[code]), None),
        ("réglages", READ, "get", reverse("testimonies:set_up", args=[code]), None),
        ("carte", READ, "get", reverse("testimonies:card", args=[code]), None),
        ("code QR", READ, "get", reverse("testimonies:qr", args=[code]), None),
        ("modérer", WRITE, "post", reverse("testimonies:moderate", args=[code, pk]),
         {"decision": "publish", "public_text": "Accueil très agréable ce matin."}),
        ("répondre", WRITE, "post", reverse("testimonies:answer", args=[code, pk]),
         {"text": "Merci encore.", "signature": "L’équipe"}),
        ("fiche action", WRITE, "post", reverse("testimonies:link_action", args=[code, pk]), {"action": ""}),
        ("nouveau modèle", WRITE, "get", reverse("testimonies:new_template", args=[code]), None),
        ("enregistrer un modèle", WRITE, "post", reverse("testimonies:new_template", args=[code]),
         {"title": "Autre", "body": "Bonjour"}),
        ("modifier un modèle", WRITE, "get", reverse("testimonies:edit_template", args=[code, template.pk]), None),
        ("supprimer un modèle", WRITE, "post", base + f"modeles/{template.pk + 1000}/supprimer", {}),
        ("changer les réglages", MANAGE, "post", reverse("testimonies:set_up", args=[code]),
         {"is_open": "on", "signature": "L’équipe"}),
        ("périmètre", HEAD, "get", reverse("testimonies:consolidated"), None),
        ("périmètre CSV", HEAD, "get", reverse("testimonies:consolidated_csv"), None),
        ("périmètre XLSX", HEAD, "get", reverse("testimonies:consolidated_xlsx"), None),
    ]  # fmt: skip


TESTIMONY_ALLOWED = {
    "agent": {PUBLIC, READ, WRITE},
    "manager": {PUBLIC, READ, WRITE, MANAGE},
    "network head": {PUBLIC, READ, HEAD},
    "network head of 69": {PUBLIC, READ, HEAD},
    "network head of region 84": {PUBLIC, READ, HEAD},
    "territory head of 69": {PUBLIC, READ, HEAD},
    "territory head of region 84": {PUBLIC, READ, HEAD},
    "national administrator": {PUBLIC, READ, HEAD},
    # Heads out of scope still have a consolidated view (of their own scope).
    "network head of 16": {PUBLIC, HEAD},
    "head of another network": {PUBLIC, HEAD},
    "territory head of 16": {PUBLIC, HEAD},
    "outsider": {PUBLIC},
}
SECRETS = (b"SECRET-PRIVE", b"SECRET-REJETE")


def test_testimony_matrix(structure, people, testimony_world):
    listening, published, _, _, template = testimony_world
    for role, user in people.items():
        allowed = TESTIMONY_ALLOWED[role]
        sees_structure = READ in allowed
        for name, action, method, url, data in urls_of_testimonies(
            structure, listening, published, template
        ):
            response = call(client_for(user), method, url, data)
            where = f"{role} → {name}"
            if action in allowed:
                assert response.status_code in (
                    200,
                    302,
                    400,
                    404 if name == "supprimer un modèle" else 200,
                ), f"{where}: {response.status_code}"
            elif action == HEAD:  # members without a scope: the page does not exist for them
                assert response.status_code == 404, f"{where}: {response.status_code}"
            elif sees_structure:
                assert response.status_code == 403, f"{where}: {response.status_code}"
            else:
                assert response.status_code == 404, f"{where}: {response.status_code}"
                assert structure.code.encode() not in response.content, where
            if not sees_structure:
                for secret in SECRETS:
                    assert secret not in response.content, f"{where} leaks {secret}"


def test_testimony_pages_send_anonymous_visitors_to_sign_in(structure, testimony_world):
    listening, published, _, _, template = testimony_world
    for name, action, method, url, data in urls_of_testimonies(
        structure, listening, published, template
    ):
        response = call(client_for(None), method, url, data)
        if action == PUBLIC:
            assert response.status_code in (200, 302), name
            if response.status_code == 302:
                assert not response["Location"].startswith(reverse("accounts:login")), name
            for secret in SECRETS:
                assert secret not in response.content, name
        else:
            assert response.status_code == 302, name
            assert response["Location"].startswith(reverse("accounts:login")), name


def test_private_and_rejected_testimonies_stay_inside(structure, people, testimony_world):
    """Heads out of scope never read them in their consolidated exports,
    and the public page never shows them."""
    public = client_for(None).get(reverse("testimonies:public", args=[structure.code])).content
    assert b"rugby 71" in public and not any(secret in public for secret in SECRETS)
    for role in ("network head of 16", "head of another network", "territory head of 16"):
        client = client_for(people[role])
        for url_name in ("testimonies:consolidated", "testimonies:consolidated_csv"):
            content = client.get(reverse(url_name)).content
            assert not any(secret in content for secret in SECRETS), role
            assert b"discret" not in content, role
    inside = client_for(people["network head"]).get(reverse("testimonies:consolidated_csv"))
    assert b"SECRET-PRIVE" in inside.content  # heads in scope read private ones
    assert b"SECRET-REJETE" not in inside.content  # rejected ones are not exported


def test_testimony_public_pages_follow_the_public_page(structure, manager, testimony_world):
    from autodiag.actions.models import ActionPlan

    ActionPlan.objects.of(structure).unpublish(manager)
    assert (
        client_for(None).get(reverse("testimonies:public", args=[structure.code])).status_code
        == 404
    )
    assert (
        client_for(manager).get(reverse("testimonies:public", args=[structure.code])).status_code
        == 200
    )
