"""Signing in, in a real browser: each page axe-clean, a screenshot of each
kept under /tmp/screens to look at."""

import re

import pytest
from playwright.sync_api import expect

from .helpers import DEMO_AGENT, assert_accessible, screenshot, sign_in, url

pytestmark = pytest.mark.browser

CAF = "CAF du Rhône — agence de Lyon Part-Dieu"
PREFECTURE = "Préfecture du Rhône — accueil des étrangers"


def test_sign_in_page(page, live_server):
    page.goto(url(live_server, "/compte/connexion/"))
    expect(page).to_have_title("Connexion — Autodiagnostic Services Publics+")
    expect(page.get_by_role("heading", level=1)).to_have_text("Connexion")
    expect(page.get_by_label("Adresse électronique")).to_be_visible()
    expect(page.get_by_label("Mot de passe")).to_be_visible()
    screenshot(page, "connexion")
    assert_accessible(page)
    assert page.autodiag_errors == []


def test_a_wrong_password_is_refused_with_a_message(page, live_server, demo_data):
    sign_in(page, live_server, DEMO_AGENT, "pas-le-bon-mot-de-passe")
    assert page.url.startswith(url(live_server, "/compte/connexion/"))
    expect(page.get_by_text("Adresse électronique ou mot de passe incorrect.")).to_be_visible()
    # The address typed stays in the field; the password does not.
    expect(page.locator('input[name="username"]')).to_have_value(DEMO_AGENT)
    expect(page.locator('input[name="password"]')).to_have_value("")
    screenshot(page, "connexion-erreur")
    assert_accessible(page)
    assert page.autodiag_errors == []


def test_signing_in_leads_to_my_structures(page, live_server, demo_data):
    sign_in(page, live_server, DEMO_AGENT)
    assert page.url == url(live_server, "/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Mes structures")
    expect(page.get_by_text(CAF).first).to_be_visible()
    expect(page.get_by_text(PREFECTURE).first).to_be_visible()
    # Not a member of the third demo structure.
    expect(page.get_by_text("Sous-préfecture de Cognac")).to_have_count(0)
    expect(page.get_by_role("button", name="Se déconnecter")).to_be_visible()
    screenshot(page, "mes-structures")
    assert_accessible(page)
    assert page.autodiag_errors == []


def test_sign_in_page_with_proconnect_is_accessible(page, live_server):
    from django.test import override_settings

    with override_settings(PROCONNECT_ENABLED=True):
        page.goto(url(live_server, "/compte/connexion/"))
        assert page.get_by_role("button", name=re.compile("ProConnect")).is_visible()
        assert_accessible(page, context="connexion avec ProConnect")
        screenshot(page, "connexion-proconnect")


@pytest.mark.parametrize(
    ("link", "heading"),
    [
        ("Accessibilité : non conforme", "Déclaration d’accessibilité"),
        ("Mentions légales", "Mentions légales"),
        ("Données personnelles et cookies", "Données personnelles"),
    ],
)
def test_the_footer_leads_to_the_information_pages(page, live_server, link, heading):
    """Reachable signed out, from any page's footer."""
    page.goto(url(live_server, "/compte/connexion/"))
    page.get_by_role("contentinfo").get_by_role("link", name=link).click()
    expect(page.get_by_role("heading", level=1)).to_have_text(heading)
    screenshot(page, f"information-{heading}")
    assert_accessible(page)


def test_the_footer_opens_the_display_settings(page, live_server):
    """DSFR: « Paramètres d’affichage » from the footer, the theme applied."""
    page.goto(url(live_server, "/compte/connexion/"))
    footer = page.get_by_role("contentinfo")
    for site in ("info.gouv.fr", "service-public.fr", "legifrance.gouv.fr", "data.gouv.fr"):
        expect(footer.get_by_role("link", name=re.compile(re.escape(site)))).to_have_count(1)
    footer.get_by_role("button", name="Paramètres d’affichage").click()
    dialog = page.locator("#fr-theme-modal")
    expect(dialog).to_be_visible()
    assert_accessible(page, context="paramètres d’affichage")
    dialog.locator("label[for=fr-radios-theme-dark]").click()
    expect(page.locator("html")).to_have_attribute("data-fr-theme", "dark")
    screenshot(page, "parametres-affichage-sombre")
    dialog.locator("label[for=fr-radios-theme-light]").click()
    expect(page.locator("html")).to_have_attribute("data-fr-theme", "light")


def test_the_api_documentation_is_a_page_of_the_site(page, live_server):
    page.goto(url(live_server, "/api/docs"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Documentation de l’API")
    expect(page.get_by_role("link", name="Retour à l’accueil")).to_be_visible()
    screenshot(page, "api-docs")
    assert_accessible(page, context="documentation de l’API")


def test_results_and_plan_read_on_a_phone(page, live_server, demo_data):
    """375 px: the charts give way to their tables (no 8 px labels), the
    buttons' labels stay inside their borders, the timeline is not cut off."""
    sign_in(page, live_server, DEMO_AGENT)
    page.set_viewport_size({"width": 375, "height": 800})
    page.get_by_role("link", name=CAF).click()
    page.get_by_role("link", name=re.compile(r"^Résultats")).first.click()
    expect(page.locator("#graphique-engagements svg")).to_be_hidden()
    expect(page.locator("#graphique-engagements table")).to_be_visible()
    for button in page.locator(".autodiag-downloads .fr-btn").all():
        assert button.evaluate("b => b.scrollWidth <= b.clientWidth + 1"), button.inner_text()
    screenshot(page, "resultats-375")
    assert_accessible(page, context="résultats sur un téléphone")
    page.set_viewport_size({"width": 1280, "height": 900})
    expect(page.locator("#graphique-engagements svg")).to_be_visible()
    # Side by side on a wide screen: the channels to the right of the commitments.
    commitments = page.locator("#resultats-engagements").bounding_box()
    channels = page.locator("#resultats-canaux").bounding_box()
    assert channels["x"] > commitments["x"] + 300 and abs(channels["y"] - commitments["y"]) < 5
    screenshot(page, "resultats-1280")
    page.set_viewport_size({"width": 375, "height": 800})
    page.goto(page.url.split("/diagnostics/")[0] + "/")
    page.get_by_role("link", name=CAF).click()
    page.get_by_role("link", name="Plan d’actions").first.click()
    expect(page.locator(".autodiag-timeline__scroll")).to_be_hidden()
    expect(page.locator("table").first).to_be_visible()
    screenshot(page, "plan-375")
    assert_accessible(page, context="plan d’actions sur un téléphone")
