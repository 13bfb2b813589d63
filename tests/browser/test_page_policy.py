"""The Reflex pages run under a script policy (this origin and the build's own inline scripts only),
and every page still works under it: no violation is reported on any of them."""

from __future__ import annotations

import re

import httpx
import pytest
from playwright.sync_api import Page, expect

from tests.browser.conftest import LiveApp, log_in

pytestmark = pytest.mark.browser

PAGES = ["/dashboard", "/notes", "/bin", "/bin/new", "/plants", "/spotify", "/sessions"]


def test_every_reflex_page_carries_a_script_policy_without_unsafe_inline(live_app: LiveApp) -> None:
    for path in ["/login", *PAGES]:
        policy = httpx.get(live_app.url + path, follow_redirects=True).headers["content-security-policy"]
        script_src = next(part for part in policy.split(";") if part.strip().startswith("script-src"))
        assert "'self'" in script_src and "'unsafe-inline'" not in script_src, path
        assert "frame-ancestors 'none'" in policy


def test_no_page_reports_a_policy_violation(page: Page, live_app: LiveApp) -> None:
    violations: list[str] = []
    page.on(
        "console",
        lambda message: violations.append(message.text) if "Content Security Policy" in message.text else None,
    )
    page.goto("/login")
    log_in(page)
    expect(page).to_have_url(re.compile(r"/dashboard/?$"), timeout=15_000)
    for path in PAGES:
        page.goto(path)
        expect(page.get_by_role("navigation", name="Main").first).to_be_attached()
        page.wait_for_timeout(300)
    assert violations == []


def test_the_build_files_are_kept_by_browsers_and_pages_are_asked_for_again(live_app: LiveApp) -> None:
    page = httpx.get(live_app.url + "/dashboard/")
    assets = re.findall(r'"(/assets/[^"]+\.js)"', page.text)
    assert assets
    for asset in assets[:5]:  # named by their content: a new build brings new names
        answer = httpx.get(live_app.url + asset)
        assert answer.status_code == 200 and answer.headers["cache-control"] == "public, max-age=31536000, immutable"
    assert "immutable" not in page.headers.get("cache-control", "")
    missing = httpx.get(live_app.url + "/assets/no-such-file-12345678.js")
    assert "immutable" not in missing.headers.get("cache-control", "")
