"""Issue 5's journey in Chromium, as the demo network head: read the
consolidated report, filter it, drill down to a structure's report, follow
the campaign and remind a site, read what sites ask for, export the files
and open them, create an API token and call the API with it; axe on every
page, screenshots under /tmp/screens."""

from __future__ import annotations

import io
import re
from pathlib import Path

import pytest
from django.core import mail
from openpyxl import load_workbook

from .helpers import assert_accessible, screenshot, sign_in, url

pytestmark = pytest.mark.browser

HEAD = "reseau@demo.autodiag.fr"


def test_network_head_reads_filters_drills_exports_and_calls_the_api(page, live_server, demo_data):
    sign_in(page, live_server, HEAD)
    page.get_by_role("link", name="Résultats consolidés").first.click()
    assert page.get_by_role("heading", name="Résultats consolidés", level=1).is_visible()
    content = page.content()
    assert "diagnostics pris en compte" in content
    assert "son dernier diagnostic validé pendant la période" in content
    assert "Taux d’atteinte consolidé" in content and "Répartition des notes globales" in content
    assert page.locator("svg[role=img]").count() >= 1
    assert_accessible(page, context="vision consolidée")
    screenshot(page, "consolidation-vision")

    # Filter: the Rhône only.
    page.select_option("#filtre-departement", "69")
    page.get_by_role("button", name="Appliquer les filtres").click()
    assert "departement=69" in page.url
    assert re.search(r"\b[12] diagnostics? pris en compte", page.content())
    assert_accessible(page, context="vision consolidée filtrée")
    screenshot(page, "consolidation-vision-69")

    # Drill down, sorted by the global score, then open a structure's report (read-only).
    page.get_by_role("link", name="Structures", exact=True).click()
    page.get_by_role("link", name=re.compile("^Note globale")).click()
    assert "tri=global" in page.url
    assert_accessible(page, context="structures")
    screenshot(page, "consolidation-structures")
    page.locator("table tbody th a").first.click()
    assert "/resultats/" in page.url
    assert page.get_by_role("heading", name="Résultats du diagnostic").is_visible()
    assert "Modifier" not in page.locator("main").inner_text()
    page.go_back()

    # Campaign follow-up: remind a site without a diagnostic this year.
    page.goto(url(live_server, "/perimetre/resultats/campagne/"))
    assert_accessible(page, context="suivi de campagne")
    screenshot(page, "consolidation-campagne")
    page.locator("input[name=structure]").first.check(force=True)  # DSFR draws the box on the label
    page.get_by_role("button", name="Relancer les structures cochées").click()
    assert "1\u00a0structure relancée" in page.inner_text("body")
    assert len(mail.outbox) == 1
    assert_accessible(page, context="suivi de campagne, relance faite")

    # What sites ask for.
    page.goto(url(live_server, "/perimetre/resultats/attentes/"))
    assert "Questions relevant du niveau national" in page.content()
    assert_accessible(page, context="ce que demandent les sites")
    screenshot(page, "consolidation-attentes")

    # Exports: XLSX of the structures' results, CSV of the consolidated table.
    page.goto(url(live_server, "/perimetre/resultats/exports/"))
    assert_accessible(page, context="exports")
    screenshot(page, "consolidation-exports")
    page.click("label[for=contenu-structures]")
    with page.expect_download() as download_info:
        page.get_by_role("button", name="Exporter").click()
    workbook = load_workbook(
        io.BytesIO(Path(download_info.value.path()).read_bytes()), read_only=True
    )
    rows = list(workbook.active.iter_rows(values_only=True))
    # For a spreadsheet by default: French headers.
    assert rows[0][0] == "Code Services Publics+" and "Note globale (%)" in rows[0]
    assert len(rows) > 2
    assert all(row[0].startswith("CAF") for row in rows[1:])  # the CNAF's only
    page.click("label[for=contenu-vision]")
    page.click("label[for=format-csv]")
    page.click("label[for=variante-technique]")
    with page.expect_download() as download_info:
        page.get_by_role("button", name="Exporter").click()
    text = Path(download_info.value.path()).read_text(encoding="utf-8-sig")
    assert text.startswith("nature;cle;libelle") and "taux consolidé" in text

    # An API token, then the API called with it.
    page.goto(url(live_server, "/perimetre/resultats/api/"))
    assert_accessible(page, context="accès à l’API")
    page.fill("#jeton-nom", "Tableau de bord régional")
    page.get_by_role("button", name="Créer le jeton").click()
    token = page.locator("code.autodiag-token").inner_text().strip()
    assert token.startswith("adg_")
    assert_accessible(page, context="jeton créé")
    screenshot(page, "consolidation-api")
    response = page.request.get(
        url(live_server, "/api/statistics"), headers={"Authorization": f"Bearer {token}"}
    )
    assert response.status == 200
    body = response.json()
    assert body["diagnostics"] >= 2 and body["consolidated_rate"] is not None
    structures = page.request.get(
        url(live_server, "/api/structures"), headers={"Authorization": f"Bearer {token}"}
    ).json()
    assert structures["count"] >= 10 and all(
        s["code"].startswith("CAF") for s in structures["items"]
    )
    assert page.request.get(url(live_server, "/api/structures")).status == 401

    # History (both versions when earlier results exist).
    page.goto(url(live_server, "/perimetre/resultats/historique/"))
    assert_accessible(page, context="historique")
    screenshot(page, "consolidation-historique")
    assert not page.autodiag_errors, page.autodiag_errors


def test_the_xlsx_export_is_read_back(page, live_server, demo_data):
    """The XLSX opens and its figures are numbers (not text)."""
    sign_in(page, live_server, HEAD)
    page.goto(url(live_server, "/perimetre/resultats/exports/"))
    with page.expect_download() as download_info:
        page.get_by_role("button", name="Exporter").click()
    data = Path(download_info.value.path()).read_bytes()
    rows = list(load_workbook(io.BytesIO(data), read_only=True).active.iter_rows(values_only=True))
    commitment = next(r for r in rows if r[0] == "engagement" and r[1] == "1")
    assert isinstance(commitment[5], float) and 0 <= commitment[5] <= 100
