"""Issue 4's journey in Chromium: the demo network head imports a
1,000-line referential with 3 deliberate faults, reads them, fixes the file
and imports it; a manager invites an agent who accepts from the e-mail."""

import re

import pytest
from django.core import mail

from .helpers import DEMO_MANAGER, assert_accessible, screenshot, sign_in, url

pytestmark = pytest.mark.browser

DEPARTMENTS = ["01", "13", "16", "2A", "33", "59", "69", "75", "971", "974"]


def referential(faulty: bool) -> str:
    lines = ["code;nom;reseau;typologie;departement;code_postal;courriel"]
    for n in range(1, 1001):
        department = DEPARTMENTS[n % len(DEPARTMENTS)]
        lines.append(f"CAFX{n:04d};CAF — point d’accueil n° {n};Caisse nationale des allocations familiales (CNAF);"
                     f"operateur;{department};;accueil{n}@caf.test")  # fmt: skip
    if faulty:
        lines[10] = (
            lines[10].replace(";01;", ";999;").replace(";13;", ";999;").replace(";16;", ";999;")
        )
        lines[20] = lines[20].replace("CAFX0020", "CAFX0019")  # a duplicated code
        lines[30] = lines[30].replace("accueil30@caf.test", "accueil30-at-caf.test")
    return "\n".join(lines) + "\n"


def test_import_a_referential_with_faults_then_fixed(page, live_server, demo_data, tmp_path):
    from autodiag.structures.models import Structure

    sign_in(page, live_server, "reseau@demo.autodiag.fr")
    page.get_by_role("link", name="Mon périmètre").first.click()
    assert_accessible(page, context="Mon périmètre")
    page.get_by_role("link", name="Importer un référentiel de structures").click()
    assert_accessible(page, context="import : dépôt")
    faulty = tmp_path / "referentiel-cnaf.csv"
    faulty.write_text(referential(faulty=True), encoding="utf-8")
    page.set_input_files("#file", str(faulty))
    page.get_by_role("button", name="Voir l’aperçu").click()
    rows = page.locator("table tbody tr")
    assert rows.count() == 3
    text = page.locator("table").inner_text()
    assert "999" in text and "CAFX0019" in text and "courriel" in text.lower()
    assert "rien n’a été enregistré" in page.content()
    assert_accessible(page, context="import : erreurs")
    screenshot(page, "import-faults")
    assert not Structure.objects.filter(code__startswith="CAFX").exists()

    fixed = tmp_path / "referentiel-cnaf-corrige.csv"
    fixed.write_text(referential(faulty=False), encoding="utf-8")
    page.get_by_role("link", name="Déposer un fichier corrigé").click()
    page.set_input_files("#file", str(fixed))
    page.get_by_role("button", name="Voir l’aperçu").click()
    assert "1000 structures créées" in page.content()
    assert_accessible(page, context="import : aperçu")
    page.get_by_role("button", name="Confirmer l’import").click()
    assert "importé : 1000\u00a0créées" in page.inner_text("body")
    assert Structure.objects.filter(code__startswith="CAFX", is_active=True).count() == 1000
    screenshot(page, "import-done")


def test_invite_an_agent_who_accepts_from_the_email(page, live_server, demo_data, browser):
    sign_in(page, live_server, DEMO_MANAGER)
    page.get_by_role("link", name="CAF du Rhône — agence de Lyon Part-Dieu").click()
    page.get_by_role("link", name="Équipe de la structure").click()
    assert_accessible(page, context="équipe")
    page.fill("#id_email", "nouvelle.agente@caf.test")
    page.get_by_role("button", name="Envoyer l’invitation").click()
    assert "Invitation envoyée à nouvelle.agente@caf.test" in page.content()
    link = re.search(r"https?://\S+/invitations/\S+/", mail.outbox[-1].body).group(0)
    path = "/invitations/" + link.split("/invitations/")[1]

    guest = browser.new_context(locale="fr-FR").new_page()
    guest.goto(url(live_server, path))
    assert_accessible(guest, context="invitation")
    guest.fill("#id_first_name", "Léa")
    guest.fill("#id_last_name", "Durand")
    guest.fill("#id_password1", "un mot de passe bien long")
    guest.fill("#id_password2", "un mot de passe bien long")
    guest.get_by_role("button", name="Créer mon compte et rejoindre l’équipe").click()
    assert "Vous avez rejoint l’équipe de CAF du Rhône" in guest.content()
    screenshot(guest, "invitation-accepted")
    guest.context.close()
