"""The label audit in Chromium, as the demo people live it: the manager
reads the points to prepare, the demo auditor scores the whole grid through
the pages (no JavaScript needed) and validates it, the manager reads the
comparison, the network head the consolidated view. Each page axe-clean,
each one screenshotted under /tmp/screens to look at."""

import re

import pytest
from playwright.sync_api import expect

from .helpers import DEMO_MANAGER, assert_accessible, screenshot, sign_in, url

pytestmark = pytest.mark.browser

CAF = "CAF du Rhône — agence de Lyon Part-Dieu"
DEMO_AUDITOR = "auditeur@demo.autodiag.fr"
DEMO_HEAD = "reseau@demo.autodiag.fr"
# The auditor's scores, point after point, round and round.
SCORES = ["1", "0.75", "0.25", "1", "0.75", "0", "1"]


def click(page, input_id):
    page.locator(f"label[for='{input_id}']").click()


def points_on_page(page) -> list[str]:
    """The id prefix of each point's radios (`note-1-10`)."""
    return page.evaluate(
        """() => [...new Set([...document.querySelectorAll('input[type=radio][name^="note-"]')]
            .map(input => input.id.replace(/-(\\d|na)$/, '')))]"""
    )


def test_prepare_score_validate_and_compare(page, live_server, demo_data):
    # The manager prepares the audit from last year's self-diagnostic.
    sign_in(page, live_server, DEMO_MANAGER)
    page.get_by_role("link", name=CAF).first.click()
    page.get_by_role("link", name="Préparer l’audit : points à préparer").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Préparer l’audit du label")
    table = page.locator("#tableau-a-preparer").locator("xpath=ancestor::table")
    expect(table.locator("tbody tr").first.locator("td").first).to_have_text("1")
    assert_accessible(page, context="points à préparer")
    screenshot(page, "audit-preparation")
    first = table.locator("tbody tr").first.locator("th a")
    point = first.inner_text()
    first.click()
    details = page.locator(f"#point-{point.lower().replace('.', '-')}")
    details.locator("summary").click()
    expect(details.get_by_text("Dans l’autodiagnostic")).to_be_visible()
    assert_accessible(page, context="points à préparer, un point ouvert")
    assert page.autodiag_errors == []

    # The auditor scores the whole grid, page after page, and validates.
    page.context.clear_cookies()
    sign_in(page, live_server, DEMO_AUDITOR)
    page.get_by_role("link", name="Audits du label").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Audits du label")
    assert_accessible(page, context="mes audits")
    screenshot(page, "audit-mes-audits")
    page.get_by_role("link", name=re.compile("Noter la grille")).click()
    audit_id = re.search(r"/audits/(\d+)/", page.url).group(1)
    expect(page.get_by_role("heading", level=1)).to_have_text(f"Audit de {CAF}")
    # Taken from the self-diagnostic, confirmed by the auditor.
    assert page.locator("#controle-oui").is_checked()
    page.get_by_role("button", name="Enregistrer").click()
    expect(page.get_by_text("Caractéristiques de la structure enregistrées.")).to_be_visible()
    assert_accessible(page, context="aperçu de l’audit")
    screenshot(page, "audit-apercu")
    page.get_by_role("link", name="Commencer la notation").click()

    scored = 0
    while "/grille/" in page.url:
        prefixes = points_on_page(page)
        for index, prefix in enumerate(prefixes):
            value = SCORES[(scored + index) % len(SCORES)]
            click(page, f"{prefix}-{['0', '0.25', '0.75', '1'].index(value) + 1}")
            if index == 0:
                page.fill(f"#{prefix.replace('note-', 'preuves-')}", "Procédure écrite consultée.")
                page.fill(f"#{prefix.replace('note-', 'commentaire-')}", "Appliquée par l’équipe.")
        scored += len(prefixes)
        if page.url.endswith("/grille/1/") or page.url.endswith("/grille/or/"):
            assert_accessible(page, context=f"notation {page.url}")
            screenshot(page, f"audit-notation-{page.url.rstrip('/').split('/')[-1]}")
        with page.expect_navigation():
            page.get_by_role("button", name="Enregistrer et continuer").click()
        expect(page.locator(".fr-alert--error")).to_have_count(0)
    assert scored == 96  # every point of the grid (1.10 and 1.11 apply: control activities)
    assert page.url.endswith(f"/audits/{audit_id}/validation/")
    expect(page.get_by_text("Tous les points de contrôle sont notés")).to_be_visible()
    assert_accessible(page, context="validation de l’audit")
    screenshot(page, "audit-validation")
    page.get_by_text("Je confirme avoir relu les notes").click()
    page.get_by_role("button", name="Valider l’audit").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Rapport de l’audit du label")
    expect(page.get_by_text("Audit validé : ses notes sont verrouillées")).to_be_visible()
    assert_accessible(page, context="rapport d’audit (auditeur)")
    screenshot(page, "audit-rapport")
    # Locked now.
    page.goto(url(live_server, f"/audits/{audit_id}/grille/1/"))
    assert page.locator("input[type=radio]").first.is_disabled()
    assert page.get_by_role("button", name="Enregistrer").count() == 0

    # The manager compares the self-diagnostic with the audit.
    page.context.clear_cookies()
    sign_in(page, live_server, DEMO_MANAGER)
    page.get_by_role("link", name=CAF).first.click()
    page.get_by_role("link", name="Autodiagnostic et audit").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Autodiagnostic et audit du label")
    expect(page.get_by_role("heading", name="Par point de contrôle")).to_be_visible()
    assert_accessible(page, context="comparaison")
    screenshot(page, "audit-comparaison")
    page.get_by_role("link", name="rapport d’audit").click()
    assert_accessible(page, context="rapport d’audit (responsable)")

    # The network head reads the audits of the network.
    page.context.clear_cookies()
    sign_in(page, live_server, DEMO_HEAD)
    page.get_by_role("link", name="Audits du label").click()  # straight to the scope's audits
    expect(page.get_by_text("1 audit pris en compte")).to_be_visible()
    assert_accessible(page, context="vision consolidée des audits")
    screenshot(page, "audit-consolidation")
    assert page.autodiag_errors == []


def test_a_refused_score_is_explained_next_to_its_point(page, live_server, demo_data):
    from autodiag.audits.models import Audit

    audit = Audit.objects.get()
    sign_in(page, live_server, DEMO_AUDITOR)
    page.goto(url(live_server, f"/audits/{audit.pk}/grille/1/"))
    # Tamper with a radio value, as a broken client would: the page says what is wrong.
    page.evaluate("() => { document.getElementById('note-1-1-1').value = '0.5'; }")
    click(page, "note-1-1-1")
    page.fill("#preuves-1-1", "Courriers types relus.")
    page.get_by_role("button", name="Enregistrer", exact=True).click()
    expect(page.locator("#error-1-1")).to_contain_text("note « 0.5 » inconnue")
    expect(page.locator("#preuves-1-1")).to_have_value("Courriers types relus.")
    assert_accessible(page, context="notation avec une erreur")
    screenshot(page, "audit-notation-erreur")
