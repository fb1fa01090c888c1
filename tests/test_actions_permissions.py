"""Every page and export of the action plan × every role: the sheet's
author (member), a teammate, the manager, a network head in scope, an
outsider and an anonymous visitor. Members write, the manager alone
deletes and publishes, heads read, outsiders get 404 (nothing leaks),
anonymous visitors are sent to sign in — and the public page is public
only once published."""

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from autodiag.accounts.models import User
from autodiag.actions.enums import ActionStatus
from autodiag.actions.models import ActionPlan, ActionReview, ActionSheet
from autodiag.structures.enums import ScopeKind
from autodiag.structures.models import Network, Scope

from .conftest import PASSWORD, client_for, make_member

pytestmark = pytest.mark.django_db

READ, WRITE, MANAGE = "read", "write", "manage"


def new_sheet(structure, version, by):
    return ActionSheet.objects.create_for(
        structure,
        by=by,
        questionnaire=version,
        commitment=5,
        theme="clarte",
        title="Relire les courriers types",
        responsible=by,
        start_date=timezone.localdate() - datetime.timedelta(days=5),
        planned_end_date=timezone.localdate() + datetime.timedelta(days=60),
        problem="Des courriers obscurs.",
        objective="Des courriers clairs.",
        created_at=timezone.now() - datetime.timedelta(days=5),
    )


def sheet_data(responsible, **changes):
    today = timezone.localdate()
    data = {
        "engagement": "5:clarte",
        "title": "Une action",
        "responsible": str(responsible.pk),
        "start_date": today.isoformat(),
        "planned_end_date": (today + datetime.timedelta(days=30)).isoformat(),
        "problem": "Un problème.",
        "objective": "Un objectif.",
    }
    data.update(changes)
    return data


def urls(structure, sheet, author):
    """(name, kind of action, method, url, data)."""
    code, n = structure.code, sheet.number
    today = timezone.localdate().isoformat()
    review = {"reviewed_on": today, "status": "in_progress", "progress": "10", "note": ""}
    monthly = {"reviewed_on": today, "fiches": [str(n)], f"fiche-{n}-status": "in_progress",
               f"fiche-{n}-progress": "20", f"fiche-{n}-note": "Point mensuel."}  # fmt: skip
    return [
        ("plan", READ, "get", reverse("actions:plan", args=[code]), None),
        ("plan filtré", READ, "get", reverse("actions:plan", args=[code]), {"statut": "en-retard"}),
        ("fiche", READ, "get", reverse("actions:detail", args=[code, n]), None),
        ("affichage", READ, "get", reverse("actions:display", args=[code]), None),
        ("affiche A4", READ, "get", reverse("actions:poster", args=[code]), {"format": "A4"}),
        ("affiche A3", READ, "get", reverse("actions:poster", args=[code]), {"format": "A3"}),
        ("export XLSX", READ, "get", reverse("actions:export_xlsx", args=[code]), None),
        ("export PDF", READ, "get", reverse("actions:export_pdf", args=[code]), None),
        ("nouvelle fiche", WRITE, "get", reverse("actions:new", args=[code]), None),
        ("créer une fiche", WRITE, "post", reverse("actions:new", args=[code]), sheet_data(author)),
        ("modifier la fiche", WRITE, "get", reverse("actions:edit", args=[code, n]), None),
        ("enregistrer la fiche", WRITE, "post", reverse("actions:edit", args=[code, n]),
         sheet_data(author, title="Titre modifié")),
        ("point d’avancement", WRITE, "post", reverse("actions:point", args=[code, n]), review),
        ("revue mensuelle", WRITE, "get", reverse("actions:review", args=[code]), None),
        ("enregistrer la revue", WRITE, "post", reverse("actions:review", args=[code]), monthly),
        ("publier", MANAGE, "post", reverse("actions:display", args=[code]), {"public": "1"}),
        ("retirer", MANAGE, "post", reverse("actions:display", args=[code]), {"public": "0"}),
        ("page de suppression", MANAGE, "get", reverse("actions:delete", args=[code, n]), None),
        ("supprimer", MANAGE, "post", reverse("actions:delete", args=[code, n]), {}),
    ]  # fmt: skip


@pytest.fixture
def people(structure, other_structure, agent, manager, outsider):
    teammate = make_member("collegue@caf.test", structure, "agent", "Alex", "Durand")
    head = User.objects.create_user(email="tete@cnaf.test", password=PASSWORD)
    Scope.objects.create(user=head, kind=ScopeKind.NETWORK, network=structure.network)
    other_head = User.objects.create_user(email="tete@autre.test", password=PASSWORD)
    Scope.objects.create(
        user=other_head,
        kind=ScopeKind.NETWORK,
        network=Network.objects.create(name="Autre réseau"),
    )
    return {
        "member": agent,
        "teammate": teammate,
        "manager": manager,
        "head": head,
        "head of another network": other_head,
        "outsider": outsider,
    }


ALLOWED = {
    "member": {READ, WRITE},
    "teammate": {READ, WRITE},
    "manager": {READ, WRITE, MANAGE},
    "head": {READ},
}


def test_matrix(structure, version, people):
    author = people["member"]
    for role, user in people.items():
        allowed = ALLOWED.get(role, set())
        sheet = new_sheet(structure, version, author)
        before = (
            ActionSheet.objects.count(),
            ActionReview.objects.count(),
            ActionPlan.objects.filter(is_public=True).count(),
        )
        for name, action, method, url, data in urls(structure, sheet, author):
            response = getattr(client_for(user), method)(url, data)
            where = f"{role} → {name}"
            if action in allowed:
                assert response.status_code in (200, 302), f"{where}: {response.status_code}"
            elif allowed:  # sees the plan, may not do this
                assert response.status_code == 403, f"{where}: {response.status_code}"
            else:  # outside: as if the structure did not exist
                assert response.status_code == 404, f"{where}: {response.status_code}"
                assert structure.name.encode() not in response.content, where
                assert structure.code.encode() not in response.content, where
        if role not in ("member", "teammate", "manager"):
            after = (
                ActionSheet.objects.count(),
                ActionReview.objects.count(),
                ActionPlan.objects.filter(is_public=True).count(),
            )
            assert after == before, f"{role} changed something"
            sheet.refresh_from_db()
            assert sheet.title == "Relire les courriers types"


def test_members_writes_took_effect(structure, version, people):
    """The allowed writes of the matrix really happened (a 302 could hide
    a refusal): one role's pass, checked in the database."""
    author = people["teammate"]
    sheet = new_sheet(structure, version, people["member"])
    for name, action, method, url, data in urls(structure, sheet, author):
        if action == WRITE and method == "post":
            response = client_for(author).post(url, data)
            assert response.status_code == 302, name
    sheet.refresh_from_db()
    assert sheet.title == "Titre modifié"
    assert sheet.status == ActionStatus.IN_PROGRESS and sheet.progress == 20
    assert list(sheet.reviews.values_list("progress", flat=True)) == [20, 10]
    assert ActionSheet.objects.filter(structure=structure, title="Une action").exists()


def test_anonymous_visitors_are_sent_to_sign_in(structure, version, agent):
    sheet = new_sheet(structure, version, agent)
    for name, _, method, url, data in urls(structure, sheet, agent):
        response = getattr(client_for(None), method)(url, data)
        assert response.status_code == 302, name
        assert response["Location"].startswith(reverse("accounts:login")), name
    response = client_for(None).get(reverse("actions:scope"))
    assert response["Location"].startswith(reverse("accounts:login"))
    assert ActionSheet.objects.count() == 1 and not ActionReview.objects.exists()


def test_the_public_page_is_public_only_once_published(structure, version, people, manager):
    new_sheet(structure, version, people["member"])
    url = reverse("actions:public", args=[structure.code])
    visitors = {**people, "anonymous": None}
    preview = {"member", "teammate", "manager"}
    for role, user in visitors.items():
        response = client_for(user).get(url)
        assert response.status_code == (200 if role in preview else 404), role
        if role in preview:
            assert "Aperçu" in response.content.decode(), role
        else:
            assert structure.name.encode() not in response.content, role
    ActionPlan.objects.of(structure).publish(manager)
    for role, user in visitors.items():
        response = client_for(user).get(url)
        assert response.status_code == 200, role
        assert "Aperçu" not in response.content.decode(), role
    structure.is_active = False
    structure.save()
    assert client_for(None).get(url).status_code == 404  # an inactive structure shows nothing
    assert client_for(None).get(reverse("actions:public", args=["INCONNU"])).status_code == 404


def test_the_scope_page_is_for_heads(structure, people):
    for role, user in people.items():
        response = client_for(user).get(reverse("actions:scope"))
        expected = 200 if role.startswith("head") else 404
        assert response.status_code == expected, role


def test_a_sheet_of_another_structure_is_404(structure, other_structure, version, people):
    elsewhere = new_sheet(other_structure, version, people["outsider"])
    new_sheet(structure, version, people["member"])
    for url in (
        reverse("actions:detail", args=[structure.code, elsewhere.number + 5]),
        reverse("actions:detail", args=[structure.code, 99]),
    ):
        assert client_for(people["member"]).get(url).status_code == 404
