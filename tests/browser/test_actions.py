"""The action plan in Chromium, as the demo CAF's team would use it: two
sheets created from the proposals of last year's results, reviewed at the
monthly review, found on the printed poster and, once the manager
publishes it, on the public page read signed out. Every new page is
axe-clean; screenshots of each are kept under /tmp/screens."""

import datetime
import re

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from ..factories import pdf_pages_text
from .helpers import (
    DEMO_AGENT,
    DEMO_MANAGER,
    SCREENS,
    assert_accessible,
    screenshot,
    sign_in,
    url,
)

pytestmark = pytest.mark.browser

CAF = "CAF du Rhône — agence de Lyon Part-Dieu"
CODE = "CAF69LYO1"
CLARITY = "Clarté de l’information"


def open_last_results(page):
    page.get_by_role("link", name=CAF).click()
    page.get_by_role("link", name=re.compile(r"^Résultats")).first.click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Résultats du diagnostic")


def create_from_proposal(page, theme, commitment, title, end):
    page.get_by_role(
        "link",
        name=f"Créer une fiche action pour la thématique {theme} de l’engagement {commitment}",
    ).click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Nouvelle fiche action")
    problem = page.get_by_label("Problématique identifiée")
    expect(problem).to_have_value(re.compile(f"la thématique « {theme} » de l’engagement"))
    page.get_by_label("Libellé de l’action").fill(title)
    page.get_by_label("Responsable de l’action").select_option(label="Camille Martin")
    page.get_by_label("Fin prévue de l’action").fill(end.isoformat())
    page.locator("#id_objective").fill(f"Objectif : {title.lower()}.")
    return problem


def test_sheets_from_the_results_reviewed_then_on_the_poster_and_public_page(
    page, live_server, demo_data
):
    today = timezone.localdate()
    sign_in(page, live_server, DEMO_AGENT)
    open_last_results(page)
    proposals = page.locator("#pistes-action ~ .autodiag-proposal")
    expect(proposals).to_have_count(3)
    assert_accessible(page, context="résultats avec les pistes d’action")

    # First sheet: the clarity theme (the most at stake), answering users' proposals.
    create_from_proposal(
        page,
        CLARITY,
        5,
        "Écrire les consignes face aux incivilités au téléphone",
        today + datetime.timedelta(days=90),
    )
    page.locator("label[for=id_users_asked]").click()
    screenshot(page, "actions-fiche-depuis-piste")
    assert_accessible(page, context="fiche préremplie depuis une piste")
    page.get_by_role("button", name="Enregistrer la fiche").click()
    expect(page.get_by_text("La fiche action n° 4 est enregistrée.")).to_be_visible()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Fiche action n° 4")

    # Second sheet: back to the results, the eco-responsibility theme.
    page.goto(url(live_server, "/"))
    open_last_results(page)
    create_from_proposal(
        page,
        "Éco-responsabilité",
        8,
        "Sensibiliser l’équipe aux éco-gestes",
        today + datetime.timedelta(days=120),
    )
    page.get_by_role("button", name="Enregistrer la fiche").click()
    expect(page.get_by_text("La fiche action n° 5 est enregistrée.")).to_be_visible()
    assert_accessible(page, context="fiche action")
    screenshot(page, "actions-fiche")

    # The monthly review: every open action at once; a wrong line saves nothing.
    page.get_by_role("link", name="Plan d’actions").first.click()
    page.get_by_role("link", name="Revue mensuelle").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Revue mensuelle du plan d’actions")
    rows = page.locator("fieldset.autodiag-review-row")
    expect(rows).to_have_count(4)  # two from the demo still open, and the two new ones
    page.locator("#id_fiche-4-status").select_option(label="Abandonnée")
    page.locator("#id_fiche-5-status").select_option(label="En cours")
    page.locator("#id_fiche-5-progress").fill("20")
    page.get_by_role("button", name=re.compile("Enregistrer la revue")).click()
    expect(page.get_by_role("alert")).to_contain_text(
        "Indiquez dans la note pourquoi l’action est abandonnée."
    )
    assert_accessible(page, context="revue mensuelle en erreur")
    screenshot(page, "actions-revue-erreur")
    page.get_by_role("link", name=re.compile("Fiche n° 4 : Indiquez")).click()
    page.locator("#id_fiche-4-status").select_option(label="En cours")
    page.locator("#id_fiche-4-progress").fill("30")
    page.locator("#id_fiche-4-note").fill("Premier jet des consignes relu en équipe.")
    page.get_by_role("button", name=re.compile("Enregistrer la revue")).click()
    expect(page.get_by_text(re.compile(r"enregistrée pour 4 actions\."))).to_be_visible()
    expect(page.get_by_role("heading", level=1)).to_have_text("Plan d’actions")
    assert_accessible(page, context="plan d’actions")
    screenshot(page, "actions-plan")

    # The poster, printed from the display page.
    page.get_by_role("link", name="Affichage pour les usagers").click()
    assert_accessible(page, context="affichage pour les usagers (agent)")
    with page.expect_download() as download:
        page.get_by_role("link", name="Affiche A4 (PDF)").click()
    pdf = download.value.path().read_bytes()
    (SCREENS / "actions-affiche-a4.pdf").write_bytes(pdf)
    pages = pdf_pages_text(pdf)
    if pages is not None:
        text = " ".join(pages[0].split())
        assert len(pages) == 1
        assert "Écrire les consignes face aux incivilités au téléphone" in text
        assert "Sensibiliser l’équipe aux éco-gestes" in text
        assert "76,4" in text

    # The manager publishes the page; signed out, anyone reads it. (The demo
    # publishes it for the testimonies, issue 15: withdrawn here first.)
    from autodiag.actions.models import ActionPlan

    ActionPlan.objects.filter(structure__code=CODE).update(is_public=False)
    page.context.clear_cookies()
    sign_in(page, live_server, DEMO_MANAGER)
    page.goto(url(live_server, f"/structures/{CODE}/actions/affichage/"))
    page.get_by_role("button", name="Publier la page").click()
    expect(page.get_by_text("La page publique est en ligne.")).to_be_visible()
    screenshot(page, "actions-affichage-publiee")
    page.context.clear_cookies()
    page.goto(url(live_server, f"/engagements/{CODE}/"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Nos engagements et nos actions")
    for title in ("Écrire les consignes face aux incivilités au téléphone",
                  "Sensibiliser l’équipe aux éco-gestes"):  # fmt: skip
        expect(page.get_by_role("heading", name=title)).to_be_visible()
    expect(page.get_by_role("button", name="Se déconnecter")).to_have_count(0)
    assert_accessible(page, context="page publique, sans connexion")
    screenshot(page, "actions-page-publique")
    # Forms refused on purpose answer 400, which Chromium logs: nothing else.
    assert [e for e in page.autodiag_errors if "status of 400" not in e] == []


def test_every_action_page_is_accessible(page, live_server, demo_data):
    sign_in(page, live_server, DEMO_MANAGER)
    base = f"/structures/{CODE}/actions/"
    for path, name in [
        (base, "actions-plan-demo"),
        (f"{base}?statut=en-retard", "actions-plan-filtre"),
        (f"{base}1/", "actions-fiche-realisee"),
        (f"{base}3/", "actions-fiche-en-retard"),
        (f"{base}nouvelle/", "actions-nouvelle-fiche"),
        (f"{base}2/modifier/", "actions-modifier"),
        (f"{base}revue/", "actions-revue"),
        (f"{base}affichage/", "actions-affichage"),
        (f"/engagements/{CODE}/", "actions-apercu-page-publique"),
        (f"{base}3/supprimer/", "actions-supprimer"),
    ]:
        page.goto(url(live_server, path))
        assert_accessible(page, context=path)
        screenshot(page, name)
    # A sheet's form with errors, and a point refused.
    page.goto(url(live_server, f"{base}nouvelle/"))
    page.get_by_label("Fin prévue de l’action").fill("2001-01-01")
    page.get_by_role("button", name="Enregistrer la fiche").click()
    expect(page.get_by_role("alert")).to_contain_text("champs sont à corriger")
    assert_accessible(page, context="fiche en erreur")
    screenshot(page, "actions-fiche-erreurs")
    page.goto(url(live_server, f"{base}2/"))
    page.get_by_label("État").select_option(label="Abandonnée")
    page.get_by_role("button", name="Enregistrer le point").click()
    expect(
        page.get_by_text("Indiquez dans la note pourquoi l’action est abandonnée.")
    ).to_be_visible()
    assert_accessible(page, context="point refusé")
    # The head's view of the scope.
    page.context.clear_cookies()
    sign_in(page, live_server, "reseau@demo.autodiag.fr")
    page.get_by_role("navigation", name="Menu principal").get_by_role(
        "link", name="Mon périmètre"
    ).click()
    page.get_by_role("link", name=re.compile("Actions du périmètre")).click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Actions du périmètre")
    assert_accessible(page, context="actions du périmètre")
    screenshot(page, "actions-perimetre")
    page.goto(url(live_server, base))
    expect(page.get_by_text("lecture seule")).to_be_visible()
    assert_accessible(page, context="plan en lecture seule")
    # Forms refused on purpose answer 400, which Chromium logs: nothing else.
    assert [e for e in page.autodiag_errors if "status of 400" not in e] == []
