"""Two people on one section of the préfecture's draft, in two browser
contexts (the demo agent and the demo manager): different rows of one
list, the same row with different values (the conflict is shown to the
second), a first answer seen by the other within one refresh, who is here,
and a form posted without JavaScript over a changed answer. Nothing is
lost. Also the keyboard: skip links, and the first answer ≤ 3 Tab presses
from the « Contenu » skip link."""

import pytest

from .helpers import DEMO_AGENT, DEMO_MANAGER, TIMEOUT_MS, screenshot, sign_in, url

pytestmark = pytest.mark.browser

LIST, SCALE = "proactivite-droits", "aller-vers"
REFRESH_MS = 5_000  # diagnostic.js asks every 5 s: "within one refresh" plus a margin


def _draft():
    from autodiag.diagnostics.models import Diagnostic

    return Diagnostic.objects.drafts().get(structure__code="PREF69ACC")


def _stored(question_id):
    answer = _draft().answers.filter(question_id=question_id).first()
    return answer.value if answer else None


def _person(browser, live_server, email, javascript=True):
    context = browser.new_context(
        locale="fr-FR", viewport={"width": 1280, "height": 900}, java_script_enabled=javascript
    )
    context.set_default_timeout(TIMEOUT_MS)
    page = context.new_page()
    sign_in(page, live_server, email)
    return page


def _open(page, live_server, diagnostic):
    page.goto(url(live_server, f"/diagnostics/{diagnostic.pk}/sections/proactivite/"))


def _click(page, input_id):
    page.locator(f"label[for='{input_id}']").click()


def _saved(page, diagnostic):
    page.wait_for_function(
        f"() => !localStorage.getItem('autodiag:pending:{diagnostic.pk}')", timeout=30_000
    )


def test_two_people_fill_one_section_and_nothing_is_lost(browser, live_server, demo_data):
    from autodiag.accounts.models import User

    diagnostic = _draft()
    agent_name = User.objects.get(email=DEMO_AGENT).display_name
    manager_name = User.objects.get(email=DEMO_MANAGER).display_name
    for question_id in (LIST, SCALE):  # both start from empty questions
        diagnostic.save_answer(question_id, None, None)

    agent = _person(browser, live_server, DEMO_AGENT)
    manager = _person(browser, live_server, DEMO_MANAGER)
    try:
        _open(agent, live_server, diagnostic)
        _open(manager, live_server, diagnostic)

        # 1. Two rows of one list, from two pages opened on the empty list.
        _click(agent, f"input-{LIST}-automatique-oui")
        _click(manager, f"input-{LIST}-consentement-non")
        _saved(agent, diagnostic)
        _saved(manager, diagnostic)
        assert _stored(LIST) == {"automatique": "oui", "consentement": "non"}

        # Who is here: each sees the other on this section within a refresh.
        agent.wait_for_function(
            f"() => document.querySelector('#teammates:not([hidden])')"
            f" && document.querySelector('#teammates').textContent.includes({manager_name!r})",
            timeout=REFRESH_MS + 2_000,
        )

        # 2. The same row, two values: the manager's page does not see the
        # agent's answer yet (its refresh is held back), so the manager
        # answers over it and is shown the conflict.
        manager.route("**/reponses.json*", lambda route: route.abort())
        _click(agent, f"input-{LIST}-ressources-oui")
        _saved(agent, diagnostic)
        _click(manager, f"input-{LIST}-ressources-non")
        conflict = manager.locator(f"#conflict-{LIST}")
        conflict.wait_for()
        assert agent_name in conflict.inner_text() and "Oui" in conflict.inner_text()
        screenshot(manager, "collaboration-conflit")
        assert _stored(LIST)["ressources"] == "oui"  # not overwritten silently
        conflict.get_by_role("button", name="Prendre la mienne").click()
        _saved(manager, diagnostic)
        assert _stored(LIST) == {"automatique": "oui", "consentement": "non", "ressources": "non"}
        manager.unroute("**/reponses.json*")

        # 3. A first answer on an empty question reaches the other page
        # within one refresh, with who gave it.
        _click(manager, f"input-{SCALE}-3")
        _saved(manager, diagnostic)
        agent.wait_for_function(
            f"() => document.getElementById('input-{SCALE}-3').checked", timeout=REFRESH_MS + 2_000
        )
        assert manager_name in agent.locator(f"#meta-{SCALE}").inner_text()
        # …and the agent's list shows the manager's row too.
        assert agent.locator(f"#input-{LIST}-ressources-non").is_checked()

        # 4. Without JavaScript: the page is opened, the manager changes the
        # answer meanwhile, the form is posted with another value.
        plain = _person(browser, live_server, DEMO_AGENT, javascript=False)
        try:
            _open(plain, live_server, diagnostic)
            _click(manager, f"input-{SCALE}-4")
            _saved(manager, diagnostic)
            _click(plain, f"input-{SCALE}-2")
            plain.get_by_role("button", name="Enregistrer", exact=True).click()
            box = plain.locator(f"#conflict-{SCALE}")
            assert manager_name in box.inner_text()
            assert plain.evaluate("() => document.activeElement.id") == "error-summary"
            screenshot(plain, "collaboration-conflit-sans-js")
            assert _stored(SCALE) == "1"  # the manager's answer is kept
            box.get_by_role("button", name="Prendre la mienne").click()
            assert _stored(SCALE) == "0.25"
        finally:
            plain.context.close()
    finally:
        agent.context.close()
        manager.context.close()


def test_skip_links_lead_to_the_first_answer_in_three_tabs(page, live_server, demo_data):
    sign_in(page, live_server, DEMO_AGENT)
    _open(page, live_server, _draft())
    page.keyboard.press("Tab")
    assert page.evaluate("() => document.activeElement.textContent.trim()") == "Contenu"
    links = page.locator(".fr-skiplinks a")
    assert [links.nth(i).inner_text() for i in range(links.count())] == [
        "Contenu",
        "Menu",
        "Pied de page",
    ]
    page.keyboard.press("Enter")
    on_an_answer = (
        "() => !!document.activeElement.closest('.autodiag-question')"
        " && document.activeElement.matches('input, textarea')"
    )
    presses = 0
    while presses < 3 and not page.evaluate(on_an_answer):
        page.keyboard.press("Tab")
        presses += 1
    assert page.evaluate(on_an_answer), "the first answer is more than 3 Tab presses away"
