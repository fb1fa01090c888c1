"""The site team's journey in Chromium: an agent fills in a whole diagnostic
through the pages (autosave on every click), reloads, the manager
validates, and everyone reads the results at once. Also: an answer entered
while the session has expired, or the network is lost, is not lost."""

import re

import pytest

from autodiag.cli import read_sheet

from .helpers import DEMO_AGENT, DEMO_MANAGER, assert_accessible, screenshot, sign_in, url

pytestmark = pytest.mark.browser

SCALE = ["0", "0.25", "0.75", "1"]
CAF = read_sheet("examples/caf-agence.yaml")["answers"]


def click(page, input_id):
    page.locator(f"label[for='{input_id}']").click()


def answer(page, question_id, value):
    """Answer one question as a person does: click its labels, type its text."""
    box = page.locator(f"#question-{question_id}")
    kind = box.get_attribute("data-type")
    if kind == "text":
        page.fill(f"#input-{question_id}", value)
        page.locator(f"#input-{question_id}").blur()
    elif value == "na":
        click(page, f"input-{question_id}-na")
    elif kind == "scale":
        click(page, f"input-{question_id}-{SCALE.index(str(value)) + 1}")
    elif kind == "channels":
        for channel in value:
            click(page, f"input-{question_id}-{channel}")
    elif kind in ("yes_no", "channel_rows"):
        for item, row in value.items():
            click(page, f"input-{question_id}-{item}-{row}")
    else:
        click(page, f"input-{question_id}-{value}")


def wait_saved(page, diagnostic_id):
    page.wait_for_function(
        f"() => !localStorage.getItem('autodiag:pending:{diagnostic_id}')", timeout=30_000
    )


def test_fill_reload_validate_and_read_results(page, live_server, demo_data):
    sign_in(page, live_server, DEMO_AGENT)
    page.get_by_role("link", name="CAF du Rhône — agence de Lyon Part-Dieu").click()
    # Last year's diagnostic was validated a year ago: a new one can start, here from scratch.
    page.get_by_text("Partir d’un questionnaire vierge").click()
    page.get_by_role("button", name="Commencer le diagnostic").click()
    diagnostic_id = re.search(r"/diagnostics/(\d+)/", page.url).group(1)
    assert page.get_by_role("heading", level=1).inner_text() == "Votre structure"
    assert_accessible(page, context="section « Votre structure »")

    seen = set()
    while True:
        for question_id, value in CAF.items():
            if value is None or question_id in seen or question_id.startswith("structure-"):
                continue
            box = page.locator(f"#question-{question_id}")
            if box.count() and box.is_visible():
                answer(page, question_id, value)
                seen.add(question_id)
        wait_saved(page, diagnostic_id)
        assert "Enregistré à" in page.locator("#autosave-status").inner_text()
        following = page.locator("a.fr-pagination__link--next")
        if not following.count() or "validation" in following.get_attribute("href"):
            break
        with page.expect_navigation():
            following.click()
    assert {q for q in CAF if not q.startswith("structure-")} - seen == set()

    # Everything is saved on the server: a reload shows the answers and who gave them.
    page.goto(url(live_server, f"/diagnostics/{diagnostic_id}/sections/accueil-bienveillant/"))
    assert page.locator("#input-controle-qualite-accueil-3").is_checked()
    assert (
        "Modifiée par Camille Martin" in page.locator("#meta-controle-qualite-accueil").inner_text()
    )
    assert_accessible(page, context="section après rechargement")
    screenshot(page, "journey-section")

    page.goto(url(live_server, f"/diagnostics/{diagnostic_id}/validation/"))
    assert "Seul un responsable de la structure peut valider" in page.content(), page.locator(
        "main"
    ).inner_text()

    # The manager validates.
    page.context.clear_cookies()
    sign_in(page, live_server, DEMO_MANAGER)
    page.goto(url(live_server, f"/diagnostics/{diagnostic_id}/validation/"))
    assert_accessible(page, context="validation")
    page.get_by_text("Je confirme que l’équipe a relu les réponses").click()
    page.get_by_role("button", name="Valider le diagnostic").click()

    # The results, at once.
    assert "/resultats/" in page.url
    assert "Diagnostic validé" in page.content()
    assert "76,4" in page.content()
    assert_accessible(page, context="résultats")
    screenshot(page, "journey-results")

    # The answers are locked now.
    page.goto(url(live_server, f"/diagnostics/{diagnostic_id}/sections/profil/"))
    assert page.locator("#input-typologie-operateur").is_disabled()


def open_draft_section(page, live_server, section="accueil-bienveillant"):
    sign_in(page, live_server, DEMO_AGENT)
    page.get_by_role("link", name="Préfecture du Rhône — accueil des étrangers").click()
    page.get_by_role("link", name="Reprendre le diagnostic").click()
    diagnostic_id = re.search(r"/diagnostics/(\d+)/", page.url).group(1)
    page.goto(url(live_server, f"/diagnostics/{diagnostic_id}/sections/{section}/"))
    return diagnostic_id


def stored_value(diagnostic_id, question_id):
    from autodiag.diagnostics.models import Answer

    answer = Answer.objects.filter(diagnostic_id=diagnostic_id, question_id=question_id).first()
    return answer.value if answer else None


def test_an_answer_entered_after_the_session_expired_is_not_lost(page, live_server, demo_data):
    diagnostic_id = open_draft_section(page, live_server)
    page.context.clear_cookies()  # the session expires while the page is open
    assert not page.locator("#input-controle-qualite-accueil-3").is_checked()
    click(page, "input-controle-qualite-accueil-3")
    status = page.locator("#autosave-status")
    status.get_by_text("Votre session a expiré").wait_for()
    assert "conservée sur cet appareil" in status.inner_text()
    assert stored_value(diagnostic_id, "controle-qualite-accueil") == "0.25"  # not saved yet

    # Signed in again in another tab: the first page saves the kept answer by itself.
    other = page.context.new_page()
    sign_in(other, live_server, DEMO_AGENT)
    other.close()
    wait_saved(page, diagnostic_id)
    assert stored_value(diagnostic_id, "controle-qualite-accueil") == "0.75"
    assert "Enregistré à" in status.inner_text()


def test_an_answer_entered_offline_is_saved_when_the_network_returns(page, live_server, demo_data):
    diagnostic_id = open_draft_section(page, live_server)
    page.context.set_offline(True)
    assert not page.locator("#input-controle-qualite-accueil-4").is_checked()
    click(page, "input-controle-qualite-accueil-4")
    page.locator("#autosave-status").get_by_text("Échec de l’enregistrement").wait_for()
    assert "Nouvel essai dans" in page.locator("#autosave-status").inner_text()
    page.context.set_offline(False)
    wait_saved(page, diagnostic_id)
    assert stored_value(diagnostic_id, "controle-qualite-accueil") == "1"


def test_an_unsaved_answer_survives_closing_the_page(page, live_server, demo_data):
    diagnostic_id = open_draft_section(page, live_server)
    address = page.url
    page.context.set_offline(True)
    assert not page.locator("#input-controle-qualite-accueil-1").is_checked()
    click(page, "input-controle-qualite-accueil-1")
    page.locator("#autosave-status").get_by_text("Échec de l’enregistrement").wait_for()
    context = page.context
    page.close()  # closed before the network came back
    context.set_offline(False)
    again = context.new_page()
    again.goto(address)  # the queue kept in the browser is shown and sent
    assert again.locator("#input-controle-qualite-accueil-1").is_checked()
    wait_saved(again, diagnostic_id)
    assert stored_value(diagnostic_id, "controle-qualite-accueil") == "0"


def test_questions_follow_the_profile_live(page, live_server, demo_data):
    open_draft_section(page, live_server, section="profil")
    svi = page.locator("#question-svi")
    telephone = page.locator("#input-canaux-telephone")
    if telephone.is_checked():
        click(page, "input-canaux-telephone")
    assert svi.is_hidden()
    assert page.locator(".fr-sidemenu__item[data-section='accueil-telephonique']").is_hidden()
    click(page, "input-canaux-telephone")
    assert svi.is_visible()
    assert page.locator(".fr-sidemenu__item[data-section='accueil-telephonique']").is_visible()
    assert_accessible(page, context="profil, SVI affiché")


def test_start_from_last_year_and_confirm_answers(page, live_server, demo_data):
    from autodiag.diagnostics.models import Answer

    sign_in(page, live_server, DEMO_AGENT)
    page.get_by_role("link", name="CAF du Rhône — agence de Lyon Part-Dieu").click()
    assert_accessible(page, context="page de la structure et historique")
    assert page.get_by_role("table").get_by_text("76,4").count() == 1
    page.fill("#du", "2001-01-01")
    page.fill("#au", "2001-12-31")
    page.get_by_role("button", name="Filtrer").click()
    assert "Aucun diagnostic validé entre ces dates" in page.content()
    page.get_by_role("link", name="Voir tout").click()

    page.get_by_text("Repartir des réponses du diagnostic validé").click()
    page.get_by_role("button", name="Commencer le diagnostic").click()
    assert "Les réponses du dernier diagnostic validé ont été reprises" in page.content()
    diagnostic_id = re.search(r"/diagnostics/(\d+)/", page.url).group(1)
    page.goto(url(live_server, f"/diagnostics/{diagnostic_id}/sections/profil/"))
    # Read from the referential: shown as text, not a field to tab through.
    assert "CAF du Rhône — agence de Lyon Part-Dieu" in (
        page.locator("#question-structure-nom").inner_text()
    )
    assert page.locator("#question-structure-nom input").count() == 0
    assert page.locator("#meta-typologie").get_by_text("À confirmer", exact=True).is_visible()
    # Where the answer comes from, not who clicked « Commencer ».
    assert "Reprise du diagnostic validé le" in page.locator("#meta-typologie").inner_text()
    assert_accessible(page, context="section avec réponses à confirmer")
    page.locator("#meta-typologie").get_by_role("button", name="Confirmer cette réponse").click()
    page.locator("#autosave-status").get_by_text("Réponse confirmée").wait_for()
    assert not Answer.objects.get(diagnostic_id=diagnostic_id, question_id="typologie").to_confirm
    assert Answer.objects.filter(diagnostic_id=diagnostic_id, to_confirm=True).count() > 100
    screenshot(page, "prefilled-profile")


def test_a_teammates_answer_appears_on_an_open_page(page, live_server, demo_data, browser):
    diagnostic_id = open_draft_section(page, live_server)
    assert not page.locator("#input-controle-qualite-accueil-4").is_checked()
    manager = browser.new_context(locale="fr-FR")
    other = manager.new_page()
    sign_in(other, live_server, DEMO_MANAGER)
    other.goto(url(live_server, f"/diagnostics/{diagnostic_id}/sections/accueil-bienveillant/"))
    click(other, "input-controle-qualite-accueil-4")
    wait_saved(other, diagnostic_id)
    manager.close()
    page.wait_for_function(
        "() => document.getElementById('input-controle-qualite-accueil-4').checked", timeout=20_000
    )
    assert (
        "Modifiée par Dominique Bernard"
        in page.locator("#meta-controle-qualite-accueil").inner_text()
    )
