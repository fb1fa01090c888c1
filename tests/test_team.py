"""Invitations by e-mail, accepting them, appointing a first manager,
removing members."""

import datetime
import re

import pytest
from django.core import mail
from django.urls import reverse
from django.utils import timezone

from autodiag.accounts.models import User
from autodiag.structures.enums import ScopeKind
from autodiag.structures.models import Invitation, Membership, Scope

from .conftest import PASSWORD, client_for

pytestmark = pytest.mark.django_db


def invite(client, structure, email, role="agent"):
    return client.post(
        reverse("structures:team", args=[structure.code]), {"email": email, "role": role}
    )


def link_in_last_mail():
    return re.search(r"https?://\S+/invitations/\S+/", mail.outbox[-1].body).group(0)


def test_manager_invites_and_a_new_agent_accepts_from_the_email(structure, manager):
    response = invite(client_for(manager), structure, "Nouvel.Agent@caf.test")
    assert response.status_code == 302
    assert mail.outbox[-1].to == ["nouvel.agent@caf.test"]
    assert "Dominique Bernard vous invite à rejoindre l’équipe" in mail.outbox[-1].body
    path = link_in_last_mail().split("8000", 1)[-1]
    visitor = client_for(None)
    page = visitor.get(path).content.decode()
    assert "Créez votre compte pour nouvel.agent@caf.test" in page
    response = visitor.post(path, {"first_name": "Léa", "last_name": "Durand", "password1": "un mot de passe solide",
                                   "password2": "un mot de passe solide"})  # fmt: skip
    assert response.status_code == 302
    user = User.objects.get(email="nouvel.agent@caf.test")
    assert Membership.objects.get(user=user, structure=structure).role == "agent"
    assert visitor.get(reverse("structures:dashboard")).content.decode().count(structure.name) >= 1
    assert visitor.get(path).status_code == 410  # used once


def test_bad_input_on_account_creation_says_what_is_wrong(structure, manager):
    invite(client_for(manager), structure, "agent2@caf.test")
    path = link_in_last_mail().split("8000", 1)[-1]
    response = client_for(None).post(path, {"first_name": "", "last_name": "X", "password1": "court",
                                            "password2": "autre"})  # fmt: skip
    page = response.content.decode()
    assert response.status_code == 400
    assert "Les deux mots de passe ne sont pas identiques" in page
    assert not User.objects.filter(email="agent2@caf.test").exists()


def test_an_existing_user_signs_in_to_accept(structure, manager, outsider):
    invite(client_for(manager), structure, outsider.email)
    path = link_in_last_mail().split("8000", 1)[-1]
    assert "Se connecter pour accepter" in client_for(None).get(path).content.decode()
    response = client_for(outsider).post(path)
    assert response.status_code == 302
    assert Membership.objects.filter(user=outsider, structure=structure).exists()


def test_an_invitation_for_someone_else(structure, manager, agent):
    invite(client_for(manager), structure, "quelquun@caf.test")
    path = link_in_last_mail().split("8000", 1)[-1]
    response = client_for(agent).get(path)
    assert (
        response.status_code == 403 and "adressée à quelquun@caf.test" in response.content.decode()
    )


def test_expired_invitation(structure, manager):
    invite(client_for(manager), structure, "tard@caf.test")
    Invitation.objects.update(expires_at=timezone.now() - datetime.timedelta(minutes=1))
    path = link_in_last_mail().split("8000", 1)[-1]
    response = client_for(None).get(path)
    assert response.status_code == 410 and "a expiré" in response.content.decode()


def test_only_managers_invite(structure, agent):
    assert invite(client_for(agent), structure, "x@caf.test").status_code == 403
    assert not Invitation.objects.exists()


def test_inviting_a_member_again_is_refused(structure, manager, agent):
    response = invite(client_for(manager), structure, agent.email)
    assert (
        response.status_code == 400 and "fait déjà partie de l’équipe" in response.content.decode()
    )


def test_bad_email_is_named(structure, manager):
    response = invite(client_for(manager), structure, "pas-une-adresse")
    assert (
        response.status_code == 400
        and "Saisissez une adresse de courriel valide" in response.content.decode()
    )


def test_a_head_appoints_the_first_manager(structure):
    head = User.objects.create_user(email="tete@cnaf.test", password=PASSWORD)
    Scope.objects.create(user=head, kind=ScopeKind.NETWORK, network=structure.network)
    client = client_for(head)
    page = client.get(reverse("structures:team", args=[structure.code])).content.decode()
    assert "Désigner le premier responsable" in page
    assert invite(client, structure, "chef@caf.test", role="manager").status_code == 302
    assert Invitation.objects.get().role == "manager"
    # An agent role cannot be given this way.
    assert invite(client, structure, "autre@caf.test", role="agent").status_code == 400


def test_a_head_cannot_manage_a_team_that_has_a_manager(structure, manager):
    head = User.objects.create_user(email="tete@cnaf.test", password=PASSWORD)
    Scope.objects.create(user=head, kind=ScopeKind.NETWORK, network=structure.network)
    assert invite(client_for(head), structure, "chef2@caf.test", role="manager").status_code == 403


def test_manager_removes_a_member_but_keeps_one_manager(structure, manager, agent):
    client = client_for(manager)
    agent_membership = Membership.objects.get(user=agent, structure=structure)
    client.post(reverse("structures:remove_member", args=[structure.code, agent_membership.pk]))
    assert not Membership.objects.filter(pk=agent_membership.pk).exists()
    own = Membership.objects.get(user=manager, structure=structure)
    response = client.post(
        reverse("structures:remove_member", args=[structure.code, own.pk]), follow=True
    )
    assert "doit garder au moins un responsable" in response.content.decode()
    assert Membership.objects.filter(pk=own.pk).exists()


def test_team_pages_for_outsiders_are_404(structure, manager, outsider):
    assert (
        client_for(outsider).get(reverse("structures:team", args=[structure.code])).status_code
        == 404
    )
    membership = Membership.objects.get(user=manager)
    url = reverse("structures:remove_member", args=[structure.code, membership.pk])
    assert client_for(outsider).post(url).status_code == 404
