"""Browser tests: Debian's Chromium driven by Playwright against pytest-django's
`live_server` (STACK-NOTES, "Browser tests and accessibility").

Every fixture of the browser tests lives here and only here: importing them
into several modules nests Playwright's event loops. Without
/usr/bin/chromium every browser test is skipped with one clear message
(`.ci/run` installs it; never `playwright install`).

The helpers the tests call (`sign_in`, `assert_accessible`, `screenshot`)
are plain functions in `helpers.py`.
"""

from __future__ import annotations

import os

import pytest

from .helpers import CHROMIUM, CHROMIUM_ARGS, TIMEOUT_MS

# Playwright's sync API runs an event loop in the test thread, which Django
# takes for async code (SynchronousOnlyOperation) without this.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")


@pytest.fixture(scope="session")
def browser():
    if not CHROMIUM.exists():
        pytest.skip(f"Chromium absent ({CHROMIUM}) : tests navigateur ignorés")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(
            executable_path=str(CHROMIUM), headless=True, args=CHROMIUM_ARGS
        )
        try:
            yield chromium
        finally:
            chromium.close()


@pytest.fixture
def page(browser, live_server, django_db_serialized_rollback):
    """A fresh page in a new context (no cookies) per test, in French.

    live_server means a transactional database, emptied after each test;
    the serialized rollback puts back first what the migrations created (the
    DSFR site configuration row the layout reads).

    The console errors and uncaught exceptions of the page are collected in
    `page.autodiag_errors` (a strict CSP reports its refusals there)."""
    context = browser.new_context(locale="fr-FR", viewport={"width": 1280, "height": 900})
    context.set_default_timeout(TIMEOUT_MS)
    page = context.new_page()
    errors: list[str] = []
    page.on(
        "console", lambda message: errors.append(message.text) if message.type == "error" else None
    )
    page.on("pageerror", lambda error: errors.append(str(error)))
    page.autodiag_errors = errors
    try:
        yield page
    finally:
        context.close()
    # Whatever the test looked at, nothing was refused by the site's
    # Content-Security-Policy (an inline script or style would be).
    refused = [error for error in errors if "Content Security Policy" in error]
    assert not refused, f"refusé par la Content-Security-Policy : {refused}"


@pytest.fixture
def demo_data(live_server, django_db_serialized_rollback):
    """The demonstration data (`autodiag demo`, which records the 2026
    questionnaire itself) in the test database, committed, so visible to the
    live server: 3 structures, agent@, responsable@ and reseau@demo.autodiag.fr
    (password `helpers.DEMO_PASSWORD`), a validated diagnostic last year for
    the CAF, a half-filled draft for the préfecture."""
    from django.core.management import call_command

    with open(os.devnull, "w") as quiet:
        call_command("demo", stdout=quiet)
