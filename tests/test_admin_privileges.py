"""A national administrator edits accounts in the admin, not privileges
(issue 12, finding 9): is_staff, is_superuser, groups and permissions stay
as they are, and a superuser's account is out of reach."""

import pytest

from autodiag.accounts.models import User
from autodiag.structures.enums import ScopeKind

from .conftest import client_for
from .consolidation_helpers import head

pytestmark = pytest.mark.django_db


def change(client, user, **fields):
    data = {
        "email": user.email,
        "first_name": "Nouveau",
        "last_name": user.last_name,
        "is_active": "on",
        "last_login_0": "",
        "last_login_1": "",
        "date_joined_0": "2026-01-01",
        "date_joined_1": "10:00:00",
        **fields,
    }
    return client.post(f"/admin/accounts/user/{user.pk}/change/", data)


def test_a_national_administrator_cannot_grant_superuser_or_staff(agent):
    national = head("admin@ditp.test", ScopeKind.NATIONAL)
    client = client_for(national)
    page = client.get(f"/admin/accounts/user/{agent.pk}/change/").content.decode()
    assert 'name="is_superuser"' not in page and 'name="is_staff"' not in page
    response = change(client, agent, is_superuser="on", is_staff="on")
    assert response.status_code == 302, response.content.decode()[:2000]
    agent.refresh_from_db()
    assert agent.first_name == "Nouveau"  # the rest of the account is theirs to edit
    assert not agent.is_superuser and not agent.is_staff
    change(client, national, is_superuser="on")
    national.refresh_from_db()
    assert not national.is_superuser


def test_a_superuser_account_is_out_of_a_national_administrators_reach():
    root = User.objects.create_superuser(email="root@autodiag.test", password="x" * 20)
    client = client_for(head("admin@ditp.test", ScopeKind.NATIONAL))
    assert client.get(f"/admin/accounts/user/{root.pk}/password/").status_code == 403
    assert change(client, root).status_code == 403


def test_a_superuser_still_grants_privileges(agent):
    root = User.objects.create_superuser(email="root@autodiag.test", password="x" * 20)
    change(client_for(root), agent, is_staff="on")
    agent.refresh_from_db()
    assert agent.is_staff
