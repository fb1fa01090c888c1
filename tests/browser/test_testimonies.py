"""Listening to users in Chromium (issue 15): signed out, a scan-like visit
of the short link and a testimony left with the keyboard only; the manager
moderates it and answers with a template; signed out again, it is read on
the public page and marked useful; the network head finds it in the
consolidated dashboard. Every new page is axe-clean; screenshots under
/tmp/screens."""

import re

import pytest
from playwright.sync_api import expect

from .helpers import DEMO_MANAGER, assert_accessible, screenshot, sign_in, url

pytestmark = pytest.mark.browser

CODE = "CAF69LYO1"
NETWORK_HEAD = "reseau@demo.autodiag.fr"
TEXT = "Mon rendez-vous du matin a été avancé <script>alert(1)</script> et tout était clair."


def short_code():
    from autodiag.testimonies.models import Listening

    return Listening.objects.get(structure__code=CODE).short_code


def tab_to(page, locator, limit=150):
    """Press Tab until `locator` has the focus (keyboard only)."""
    for _ in range(limit):
        page.keyboard.press("Tab")
        if locator.evaluate("element => element === document.activeElement"):
            return
    raise AssertionError(f"not reached with Tab: {locator}")


def test_leave_moderate_answer_read_and_consolidate(page, live_server, demo_data):
    # Signed out, as after scanning the QR code of the card.
    page.goto(url(live_server, f"/t/{short_code()}"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Racontez-nous votre expérience")
    assert_accessible(page, context="formulaire de témoignage")
    screenshot(page, "temoignages-formulaire")

    # Keyboard only: Tab to each field, type, Space for radios and boxes.
    text = page.get_by_label("Racontez ce qui s’est passé")
    tab_to(page, text)
    page.keyboard.type(TEXT)
    tab_to(page, page.get_by_label("À l’accueil, sur place"))
    page.keyboard.press("Space")
    tab_to(page, page.get_by_label("Satisfait", exact=True))
    page.keyboard.press("Space")
    tab_to(page, page.get_by_label("Le délai de traitement de ma demande"))
    page.keyboard.press("Space")
    tab_to(page, page.get_by_label("Votre pseudonyme"))
    page.keyboard.type("clavier 69")
    tab_to(page, page.get_by_label(re.compile("J’accepte que mon témoignage")))
    page.keyboard.press("Space")
    tab_to(page, page.get_by_role("button", name="Envoyer mon témoignage"))
    with page.expect_navigation():
        page.keyboard.press("Enter")
    expect(page.get_by_role("heading", level=1)).to_have_text("Merci pour votre témoignage")
    assert_accessible(page, context="merci")

    # The manager moderates and answers with a template.
    sign_in(page, live_server, DEMO_MANAGER)
    page.goto(url(live_server, f"/structures/{CODE}/temoignages/"))
    assert_accessible(page, context="boîte de réception")
    screenshot(page, "temoignages-reception")
    page.get_by_role("link", name=re.compile("Mon rendez-vous du matin")).click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Témoignage de clavier 69")
    assert_accessible(page, context="un témoignage à modérer")
    page.locator("label[for=id_decision_0]").click()
    page.get_by_role("button", name="Enregistrer la décision").click()
    expect(page.get_by_text("Le témoignage est publié")).to_be_visible()
    page.get_by_label("Modèle de réponse").select_option(label="Remerciement (satisfaction)")
    page.get_by_role("button", name="Insérer le modèle").click()
    expect(page.get_by_label("Réponse du service")).to_have_value(re.compile("Bonjour clavier 69"))
    page.get_by_role("button", name="Enregistrer la réponse").click()
    expect(page.get_by_text("La réponse est enregistrée")).to_be_visible()
    assert_accessible(page, context="un témoignage répondu")
    screenshot(page, "temoignages-reponse")
    for path, name in [
        (f"/structures/{CODE}/temoignages/tableau-de-bord/", "temoignages-tableau-de-bord"),
        (f"/structures/{CODE}/temoignages/reglages/", "temoignages-reglages"),
        (f"/structures/{CODE}/temoignages/modeles/nouveau/", "temoignages-modele"),
        (
            f"/structures/{CODE}/temoignages/?onglet=tous&ressenti=dissatisfied",
            "temoignages-filtres",
        ),
    ]:
        page.goto(url(live_server, path))
        assert_accessible(page, context=path)
        screenshot(page, name)

    # Signed out again: the public page shows it, as text; « utile » once.
    page.context.clear_cookies()
    page.goto(url(live_server, f"/engagements/{CODE}/temoignages/"))
    card = page.locator(".autodiag-testimony", has_text="clavier 69")
    expect(card).to_contain_text("<script>alert(1)</script>")  # shown as text, never run
    expect(card).to_contain_text("Réponse du service")
    assert_accessible(page, context="témoignages publiés")
    screenshot(page, "temoignages-publics")
    card.get_by_role("button", name=re.compile("Cette réponse m’a été utile")).click()
    card = page.locator(".autodiag-testimony", has_text="clavier 69")
    expect(card).to_contain_text("1 personne a trouvé cette réponse utile")
    expect(card).to_contain_text("Vous avez trouvé cette réponse utile")
    page.goto(url(live_server, f"/engagements/{CODE}/"))
    expect(page.get_by_role("heading", name="Vos témoignages et nos réponses")).to_be_visible()
    expect(page.get_by_text("Vous nous l’avez dit, nous l’avons fait").first).to_be_visible()
    assert_accessible(page, context="page publique avec témoignages")

    # The network head sees it in the consolidated dashboard.
    sign_in(page, live_server, NETWORK_HEAD)
    page.goto(url(live_server, "/perimetre/temoignages/"))
    expect(page.get_by_role("heading", level=1)).to_have_text(
        "Témoignages des usagers de mon périmètre"
    )
    expect(page.get_by_text("Structures qui n’ont jamais répondu")).to_be_visible()
    assert_accessible(page, context="tableau de bord consolidé")
    screenshot(page, "temoignages-perimetre")
    csv = page.request.get(url(live_server, "/perimetre/temoignages/export.csv")).text()
    assert "clavier 69" in csv
    assert [e for e in page.autodiag_errors if "status of 4" not in e] == []
