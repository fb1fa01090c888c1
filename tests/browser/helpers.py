"""Helpers of the browser tests (plain functions; the fixtures are in
conftest.py only)."""

from __future__ import annotations

import os
import re
from pathlib import Path

import pytest

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-dev-shm-usage",
    "--disable-quic",
    "--no-first-run",
    # Without these Chromium keeps trying hosts it cannot reach.
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
AXE_SOURCE = Path(__file__).parent / "vendor" / "axe.min.js"
AXE_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]
SCREENS = Path(os.environ.get("AUTODIAG_SCREENS_DIR", "/tmp/screens"))
TIMEOUT_MS = 15_000

DEMO_PASSWORD = "demo-autodiag-2026"
DEMO_AGENT = "agent@demo.autodiag.fr"
DEMO_MANAGER = "responsable@demo.autodiag.fr"


def url(live_server, path: str) -> str:
    return live_server.url + path


def sign_in(page, live_server, email: str, password: str = DEMO_PASSWORD) -> None:
    """Sign in through the sign-in page, as a person does; the page is left
    wherever the site leads after submitting (dashboard or form with errors)."""
    page.goto(url(live_server, "/compte/connexion/"))
    page.fill('input[name="username"]', email)
    page.fill('input[name="password"]', password)
    with page.expect_navigation():
        page.get_by_role("button", name="Se connecter").click()


def assert_accessible(page, *, context: str = "") -> None:
    """Run axe-core (WCAG 2.0/2.1 A and AA rules) on the page and fail with
    the list of violations. Injected with `evaluate`, which a strict
    Content-Security-Policy does not block (unlike a script tag). axe covers
    only part of RGAA: the manual checklist still applies."""
    if not page.evaluate("() => typeof window.axe !== 'undefined'"):
        page.evaluate(AXE_SOURCE.read_text(encoding="utf-8"))
    results = page.evaluate(
        """async (tags) => {
            const results = await axe.run(document, {runOnly: {type: 'tag', values: tags}});
            return results.violations.map(v => ({
                id: v.id, impact: v.impact, help: v.help, helpUrl: v.helpUrl,
                targets: v.nodes.map(n => n.target.join(' ')),
            }));
        }""",
        AXE_TAGS,
    )
    if results:
        lines = [f"axe : {len(results)} règle(s) WCAG non respectée(s) sur {context or page.url}"]
        for violation in results:
            lines.append(f"- {violation['id']} [{violation['impact']}] {violation['help']}")
            lines.extend(f"    {target}" for target in violation["targets"][:10])
            if len(violation["targets"]) > 10:
                lines.append(f"    … et {len(violation['targets']) - 10} autre(s)")
        pytest.fail("\n".join(lines), pytrace=False)


def screenshot(page, name: str) -> Path:
    """A full-page screenshot under /tmp/screens (AUTODIAG_SCREENS_DIR), to
    look at: layout problems are not what axe finds."""
    SCREENS.mkdir(parents=True, exist_ok=True)
    path = SCREENS / f"{re.sub(r'[^A-Za-z0-9_.-]+', '-', name)}.png"
    page.evaluate("() => document.fonts.ready.then(() => true)")  # Marianne drawn, not a fallback
    page.screenshot(path=str(path), full_page=True)
    return path
