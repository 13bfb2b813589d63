"""The owner's first steps in a real browser: log in, find their way around, end sessions."""

from __future__ import annotations

import re
from urllib.parse import quote

import pytest
from playwright.sync_api import Browser, Page, expect

from accumulator import routes
from tests.browser.conftest import OWNER_EMAIL, LiveApp, log_in

pytestmark = pytest.mark.browser


def at(route: str) -> re.Pattern[str]:
    """The page's address, with or without the trailing slash the static server adds."""
    return re.compile(rf"^[^?]*{re.escape(route)}/?$")


# Pages with an id in their address are guarded whatever the id: an unknown one looks the same.
@pytest.mark.parametrize(
    "route", [*routes.OWNER_PAGES, "/bin/new", "/bin/AAAAAAAAAAAAAAAA", "/bin/AAAAAAAAAAAAAAAA/edit"]
)
def test_an_owner_page_sends_a_visitor_to_login_and_back_after_it(page: Page, route: str) -> None:
    page.goto(route)
    page.wait_for_url(f"**/login?next={quote(route, safe='/')}")
    expect(page.get_by_role("heading", name="Accumulator")).to_be_visible()
    log_in(page)
    page.wait_for_url(at(route))
    expect(page.get_by_role("heading", name=re.compile(".+")).first).to_be_visible()


def test_the_owner_logs_in_sees_the_shell_and_revoking_this_session_logs_out(page: Page) -> None:
    page.goto(routes.LOGIN)
    log_in(page)
    page.wait_for_url(at(routes.DASHBOARD))
    nav = page.get_by_role("navigation", name="Main").first
    for label in ("Dashboard", "Notes", "Pastes", "Spotify", "Plants", "Sessions", "Log out"):
        expect(nav.get_by_text(label, exact=True)).to_be_visible()
    expect(nav.get_by_text(OWNER_EMAIL)).to_be_visible()

    nav.get_by_text("Sessions", exact=True).click()
    page.wait_for_url(at(routes.SESSIONS))
    mine = page.locator(".session-row", has_text="this device")
    expect(mine).to_have_count(1)
    expect(mine).to_contain_text("127.0.0.1")
    expect(mine).to_contain_text("Chrome")

    mine.get_by_role("button", name="Revoke").click()
    page.get_by_role("alertdialog").get_by_role("button", name="Revoke").click()
    page.wait_for_url(at(routes.LOGIN))
    page.goto(routes.SESSIONS)
    page.wait_for_url("**/login?next=/sessions")


def test_a_session_revoked_elsewhere_is_refused_on_its_next_page(browser: Browser, live_app: LiveApp) -> None:
    laptop, phone = (browser.new_context(base_url=live_app.url) for _ in range(2))
    try:
        laptop_page, phone_page = laptop.new_page(), phone.new_page()
        for tab in (laptop_page, phone_page):
            tab.goto(routes.SESSIONS)
            log_in(tab)
            tab.wait_for_url(at(routes.SESSIONS))
        laptop_page.reload()  # the list is read on load; the phone logged in after it
        other = laptop_page.locator(".session-row", has_not_text="this device").first
        expect(other).to_be_visible()
        before = laptop_page.locator(".session-row").count()
        other.get_by_role("button", name="Revoke").click()
        laptop_page.get_by_role("alertdialog").get_by_role("button", name="Revoke").click()
        expect(laptop_page.locator(".session-row")).to_have_count(before - 1)

        # The phone still shows its page, but its next navigation finds the session gone.
        phone_page.get_by_role("navigation", name="Main").first.get_by_text("Plants", exact=True).click()
        phone_page.wait_for_url("**/login?next=/plants")
    finally:
        laptop.close()
        phone.close()


def test_a_wrong_password_is_explained_in_place(page: Page) -> None:
    page.goto(routes.LOGIN)
    log_in(page, password="not the password")
    expect(page.locator("#login-error")).to_have_text("Wrong e-mail or password.")
    assert page.url.endswith(routes.LOGIN) or "/login" in page.url
    expect(page.locator("#login-email")).to_have_value(OWNER_EMAIL)


def test_on_a_phone_the_menu_replaces_the_sidebar_and_nothing_overflows(browser: Browser, live_app: LiveApp) -> None:
    context = browser.new_context(base_url=live_app.url, viewport={"width": 375, "height": 740}, is_mobile=True)
    try:
        phone = context.new_page()
        phone.goto(routes.SESSIONS)
        log_in(phone)
        phone.wait_for_url(at(routes.SESSIONS))
        expect(phone.locator(".session-row").first).to_be_visible()
        assert phone.evaluate("document.documentElement.scrollWidth") <= 375
        menu = phone.get_by_role("button", name="Open menu")
        expect(menu).to_be_visible()
        menu.click()
        phone.get_by_role("menuitem", name="Plants").click()
        phone.wait_for_url(at(routes.PLANTS))
    finally:
        context.close()


def test_the_theme_switches_between_light_and_dark(page: Page) -> None:
    page.goto(routes.SESSIONS)
    log_in(page)
    expect(page.locator(".session-row").first).to_be_visible()  # the page is live, not just painted
    html = page.locator("html")
    start, other = ("dark", "light") if "dark" in (html.get_attribute("class") or "") else ("light", "dark")
    toggle = page.get_by_role("button", name="Switch light or dark theme").first
    toggle.click()
    expect(html).to_have_class(re.compile(other))
    toggle.click()
    expect(html).to_have_class(re.compile(start))


def test_an_unknown_address_shows_the_not_found_page(page: Page) -> None:
    page.goto("/no/such/page")
    expect(page.get_by_role("heading", name="Page not found")).to_be_visible()
    expect(page.get_by_role("link", name="Go to the dashboard")).to_be_visible()


def test_log_out_from_the_sidebar_ends_the_session(page: Page) -> None:
    page.goto(routes.LOGIN)
    log_in(page)
    page.wait_for_url(at(routes.DASHBOARD))
    page.get_by_role("navigation", name="Main").first.get_by_role("button", name="Log out").click()
    page.wait_for_url(at(routes.LOGIN))
    page.goto(routes.NOTES)
    page.wait_for_url(f"**/login?next={routes.NOTES}")
