"""Importing a referential in the browser: preview first (every faulty line
and why), nothing written until confirmed, and only within one's networks."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import override_settings
from django.urls import reverse

from autodiag.accounts.models import User
from autodiag.structures.enums import ScopeKind
from autodiag.structures.models import Scope, Structure

from .conftest import PASSWORD, client_for

pytestmark = pytest.mark.django_db

HEADER = "code;nom;reseau;typologie;departement;code_postal;courriel\n"
GOOD = HEADER + (
    "CNAF001;CAF de l’Ain — Bourg-en-Bresse;CNAF;operateur;01;01000;contact@caf01.fr\n"
    "CNAF002;CAF du Rhône — Vénissieux;CNAF;operateur;69;69200;\n"
)
FAULTY = HEADER + (
    "CNAF001;CAF de l’Ain;CNAF;operateur;999;01000;contact@caf01.fr\n"
    "CNAF001;;CNAF;operateur;69;69200;pas-un-courriel\n"
)


def local_storage(folder):
    from django.conf import settings

    storages = {
        **settings.STORAGES,
        "default": {
            "BACKEND": "django.core.files.storage.FileSystemStorage",
            "OPTIONS": {"location": str(folder)},
        },
    }
    return override_settings(VAR_DIR=folder, STORAGES=storages)


@pytest.fixture(autouse=True)
def uploads(tmp_path):
    with local_storage(tmp_path):
        yield


@pytest.fixture
def network_head(structure):
    user = User.objects.create_user(email="tete@cnaf.test", password=PASSWORD)
    Scope.objects.create(user=user, kind=ScopeKind.NETWORK, network=structure.network)
    return user


def upload(client, text, name="referentiel.csv"):
    file = SimpleUploadedFile(name, text.encode("utf-8"), content_type="text/csv")
    return client.post(reverse("structures:import"), {"file": file})


def test_faults_are_listed_and_nothing_is_written(network_head):
    response = upload(client_for(network_head), FAULTY)
    page = response.content.decode()
    assert response.status_code == 400
    assert "rien n’a été enregistré" in page
    assert "999" in page and "en double" in page and "courriel" in page.lower()
    assert not Structure.objects.filter(code="CNAF001").exists()


def test_preview_then_confirm(network_head, structure):
    client = client_for(network_head)
    response = upload(client, GOOD)
    page = response.content.decode()
    assert response.status_code == 200
    assert "2 structures créées" in page
    assert "1 désactivée" in page  # the network's structure missing from the file
    assert not Structure.objects.filter(code="CNAF001").exists()  # nothing before confirming
    token = page.split('name="token" value="')[1].split('"')[0]
    response = client.post(reverse("structures:import"), {"token": token}, follow=True)
    assert "importé : 2\u00a0créées" in response.content.decode()
    assert Structure.objects.get(code="CNAF002").department_code == "69"
    structure.refresh_from_db()
    assert not structure.is_active


def test_a_confirmation_token_works_once(network_head):
    client = client_for(network_head)
    page = upload(client, GOOD).content.decode()
    token = page.split('name="token" value="')[1].split('"')[0]
    client.post(reverse("structures:import"), {"token": token})
    response = client.post(reverse("structures:import"), {"token": token}, follow=True)
    assert "plus disponible" in response.content.decode()


def test_a_network_head_imports_only_their_network(network_head):
    text = HEADER + "INT001;Préfecture de l’Ain;Intérieur;etat;01;01000;\n"
    response = upload(client_for(network_head), text)
    assert response.status_code == 400 and "périmètre" in response.content.decode()
    assert not Structure.objects.filter(code="INT001").exists()


def test_import_is_for_heads_only(agent):
    assert client_for(agent).get(reverse("structures:import")).status_code == 404
    assert client_for(None).get(reverse("structures:import")).status_code == 302


def test_no_file_or_wrong_format(network_head):
    client = client_for(network_head)
    response = client.post(reverse("structures:import"), {})
    assert response.status_code == 400 and "Choisissez un fichier" in response.content.decode()
    response = upload(client, "x", name="referentiel.pdf")
    assert response.status_code == 400 and "Format non pris en charge" in response.content.decode()
