"""The owner's notes in a real browser: write, see it live in another tab, search, publish."""

from __future__ import annotations

import httpx
import pytest
from playwright.sync_api import Browser, Page, expect

from accumulator import routes
from tests.browser.conftest import LiveApp, log_in

pytestmark = pytest.mark.browser


def open_notes(page: Page) -> None:
    """A fresh browser: the notes page sends it to log in, and back."""
    page.goto(routes.NOTES)
    page.wait_for_url("**/login?next=/notes")
    log_in(page)
    expect(page.locator("#composer-text")).to_be_visible()


def test_a_note_sent_with_enter_appears_in_another_tab_without_reload(browser: Browser, live_app: LiveApp) -> None:
    first, second = (browser.new_context(base_url=live_app.url) for _ in range(2))
    try:
        writer, reader = first.new_page(), second.new_page()
        open_notes(writer)
        open_notes(reader)
        reader.evaluate("window.__notReloaded = true")
        writer.locator("#composer-text").fill("Buy **basil** seeds <img src=x onerror=window.__xss=1>")
        writer.locator("#composer-text").press("Enter")
        note = writer.locator(".note", has_text="Buy basil seeds")
        expect(note).to_be_visible()
        expect(note.locator("strong")).to_have_text("basil")
        expect(writer.locator("#composer-text")).to_have_value("")
        expect(reader.locator(".note", has_text="Buy basil seeds")).to_be_visible()
        assert reader.evaluate("window.__notReloaded") is True
        assert writer.evaluate("window.__xss") is None
        heading = writer.locator(".day-heading").last
        expect(heading).to_contain_text("(today)")
    finally:
        first.close()
        second.close()


def test_shift_enter_makes_a_new_line_instead_of_sending(page: Page) -> None:
    open_notes(page)
    composer = page.locator("#composer-text")
    composer.fill("first line")
    composer.press("Shift+Enter")
    composer.press_sequentially("second line")
    expect(composer).to_have_value("first line\nsecond line")
    page.locator("#composer-send").click()
    expect(page.locator(".note", has_text="second line")).to_be_visible()


def test_search_finds_a_note_by_a_word_prefix_and_jumps_to_it(page: Page) -> None:
    open_notes(page)
    page.locator("#composer-text").fill("Repotted the Monstera deliciosa today")
    page.locator("#composer-send").click()
    expect(page.locator(".note", has_text="Monstera")).to_be_visible()
    page.locator("#notes-search").fill("monst")
    page.locator("#notes-search").press("Enter")
    hit = page.locator(".search-hit").first
    expect(hit.locator("mark")).to_have_text("Monstera")
    hit.click()
    expect(page.locator(".search-hit")).to_have_count(0)
    expect(page.locator(".note", has_text="Monstera")).to_be_in_viewport()


def test_a_public_workspace_shows_on_its_page_and_a_private_one_is_404(page: Page, live_app: LiveApp) -> None:
    open_notes(page)
    page.get_by_role("button", name="New workspace").click()
    page.locator("#workspace-title").fill("Garden log")
    page.get_by_role("button", name="Create").click()
    expect(page.locator(".workspace-button", has_text="Garden log")).to_be_visible()
    page.locator("#composer-text").fill("Tomatoes are flowering")
    page.locator("#composer-send").click()
    expect(page.locator(".note", has_text="Tomatoes")).to_be_visible()

    page.get_by_role("button", name="Workspace settings").click()
    page.get_by_role("switch").click()
    public_link = page.get_by_role("link", name="Open public page")
    expect(public_link).to_be_visible()
    address = public_link.get_attribute("href")
    public_page = page.context.browser.new_context(base_url=live_app.url).new_page()  # a visitor, no session
    public_page.goto(address)
    expect(public_page.get_by_text("Tomatoes are flowering")).to_be_visible()
    public_page.evaluate("window.__notReloaded = true")

    page.keyboard.press("Escape")  # close the settings
    page.locator("#composer-text").fill("First fruit set")
    page.locator("#composer-send").click()
    expect(public_page.get_by_text("First fruit set")).to_be_visible()  # live, without a reload
    assert public_page.evaluate("window.__notReloaded") is True

    page.get_by_role("button", name="Workspace settings").click()

    page.get_by_role("switch").click()  # private again: the same link is a 404 at once
    expect(public_link).to_have_count(0)
    assert httpx.get(f"{live_app.url}{address}").status_code == 404


def test_the_preview_follows_the_typing(page: Page) -> None:
    open_notes(page)
    page.locator("#composer-text").fill("# Draft title")
    page.get_by_role("button", name="Preview").click()
    expect(page.locator(".note-preview h1")).to_have_text("Draft title")
    page.locator("#composer-text").fill("# Changed title")
    expect(page.locator(".note-preview h1")).to_have_text("Changed title")


def test_the_notes_page_fits_a_phone(browser: Browser, live_app: LiveApp) -> None:
    context = browser.new_context(base_url=live_app.url, viewport={"width": 375, "height": 740}, is_mobile=True)
    try:
        phone = context.new_page()
        open_notes(phone)
        phone.locator("#composer-text").fill("A note written on a phone, with a long-unbroken-word-" + "x" * 80)
        phone.locator("#composer-send").click()
        expect(phone.locator(".note", has_text="written on a phone")).to_be_visible()
        assert phone.evaluate("document.documentElement.scrollWidth") <= 375
    finally:
        context.close()
