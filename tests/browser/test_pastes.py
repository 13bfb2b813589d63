"""The paste bin in a real browser: write a paste with a file, share it, open the link in a fresh
browser and download the file; live edits; the list; burn after reading; refusals on the page."""

from __future__ import annotations

import os
import re
from pathlib import Path

import pytest
from playwright.sync_api import Browser, BrowserContext, Page, expect

from accumulator import routes
from tests.browser.conftest import UPLOAD_LIMIT_MB, LiveApp, log_in

pytestmark = pytest.mark.browser


def stored_files(live_app: LiveApp) -> set[Path]:
    return {path for path in (live_app.data_dir / "uploads").rglob("*") if path.is_file()}


def logged_in(browser: Browser, live_app: LiveApp) -> tuple[BrowserContext, Page]:
    context = browser.new_context(base_url=live_app.url, accept_downloads=True)
    context.set_default_timeout(15_000)
    tab = context.new_page()
    tab.goto(routes.PASTES)
    tab.wait_for_url("**/login?next=/bin")
    log_in(tab)
    expect(tab.get_by_role("heading", name="Pastes")).to_be_visible()
    return context, tab


def write_paste(tab: Page, *, title: str, content: str, shared: bool = False, burn: bool = False, files=()) -> str:
    """Fill the editor like a person and save; returns the new paste's id."""
    tab.goto(f"{routes.PASTES}/new")
    expect(tab.locator("#paste-content-field")).to_be_visible()
    tab.locator("#paste-title").fill(title)
    tab.locator("#paste-content-field").fill(content)
    if shared:
        tab.locator("#paste-shared").check()
    if burn:
        tab.locator("#paste-burn").check()
    if files:
        tab.locator("#paste-files").set_input_files(list(files))
    tab.locator("#paste-save").click()
    tab.wait_for_url(re.compile(r".*/bin/[A-Za-z0-9_-]{16}/?$"))
    expect(tab.get_by_role("heading", name=title)).to_be_visible()
    return tab.url.rstrip("/").rsplit("/", 1)[1]


def test_a_shared_paste_with_a_file_downloads_the_same_bytes_in_a_fresh_browser(
    browser: Browser, live_app: LiveApp, tmp_path
) -> None:
    data = os.urandom(300_000)
    attachment = tmp_path / "holiday photos.bin"
    attachment.write_bytes(data)
    owner, tab = logged_in(browser, live_app)
    stranger = browser.new_context(base_url=live_app.url, accept_downloads=True)
    try:
        write_paste(
            tab, title="Trip notes", content="import os\n\nprint(os.getcwd())\n", shared=True, files=[attachment]
        )
        expect(tab.locator("#paste-meta")).to_contain_text("shared")
        expect(tab.locator("#paste-meta")).to_contain_text("Python")
        expect(tab.locator("#paste-content .highlight")).to_contain_text("print(os.getcwd())")
        expect(tab.locator(".paste-file")).to_contain_text("holiday photos.bin")
        expect(tab.locator(".paste-file")).to_contain_text("293 KB")
        share_url = tab.get_by_role("link", name="Open shared page").get_attribute("href")
        assert share_url and share_url.startswith("/p/")

        reader = stranger.new_page()
        reader.goto(share_url)
        expect(reader.get_by_role("heading", name="Trip notes")).to_be_visible()
        expect(reader.locator(".highlight")).to_contain_text("print(os.getcwd())")
        with reader.expect_download() as download_info:
            reader.get_by_role("link", name="holiday photos.bin").click()
        download = download_info.value
        assert download.suggested_filename == "holiday photos.bin"
        assert Path(download.path()).read_bytes() == data
    finally:
        owner.close()
        stranger.close()


def test_an_edit_in_one_tab_shows_in_the_paste_open_in_another(browser: Browser, live_app: LiveApp) -> None:
    editing, editor = logged_in(browser, live_app)
    watching, viewer = logged_in(browser, live_app)
    try:
        paste_id = write_paste(editor, title="Shopping", content="eggs\nmilk\n")
        viewer.goto(f"{routes.PASTES}/{paste_id}")
        expect(viewer.locator("#paste-content")).to_contain_text("milk")
        viewer.evaluate("window.__notReloaded = true")

        editor.goto(f"{routes.PASTES}/{paste_id}/edit")
        field = editor.locator("#paste-content-field")
        expect(field).to_have_value("eggs\nmilk\n")
        field.fill("eggs\nmilk\nbasil seeds\n")
        editor.locator("#paste-save").click()
        editor.wait_for_url(re.compile(rf".*/bin/{paste_id}/?$"))

        expect(viewer.locator("#paste-content")).to_contain_text("basil seeds")
        assert viewer.evaluate("window.__notReloaded") is True
    finally:
        editing.close()
        watching.close()


def test_the_list_searches_titles_and_deletes_after_asking(browser: Browser, live_app: LiveApp) -> None:
    context, tab = logged_in(browser, live_app)
    try:
        write_paste(tab, title="Router config", content="interface eth0")
        write_paste(tab, title="Birthday ideas", content="a kite")
        tab.goto(routes.PASTES)
        rows = tab.locator(".paste-row")
        expect(rows.filter(has_text="Router config")).to_have_count(1)
        tab.locator("#paste-search").fill("birthday")
        expect(rows).to_have_count(1)
        expect(rows.first).to_contain_text("Birthday ideas")

        rows.first.get_by_role("button", name="Delete").click()
        dialog = tab.get_by_role("alertdialog")
        expect(dialog).to_contain_text("Delete this paste?")
        dialog.get_by_role("button", name="Delete").click()
        expect(tab.locator(".paste-row", has_text="Birthday ideas")).to_have_count(0)
        tab.locator("#paste-search").fill("")
        expect(rows.filter(has_text="Router config")).to_have_count(1)
    finally:
        context.close()


def test_burn_after_reading_asks_the_reader_first_and_then_is_gone(browser: Browser, live_app: LiveApp) -> None:
    owner, tab = logged_in(browser, live_app)
    stranger = browser.new_context(base_url=live_app.url)
    try:
        write_paste(tab, title="Wifi password", content="correct horse battery staple", shared=True, burn=True)
        share_url = tab.get_by_role("link", name="Open shared page").get_attribute("href")
        reader = stranger.new_page()
        reader.goto(share_url)
        expect(reader.locator("body")).to_contain_text("can be read once")
        expect(reader.locator("body")).not_to_contain_text("battery staple")
        reader.get_by_role("button", name="Show it and delete it").click()
        expect(reader.locator(".highlight")).to_contain_text("correct horse battery staple")
        reader.goto(share_url)
        expect(reader.get_by_role("heading", name="Paste not found")).to_be_visible()
    finally:
        owner.close()
        stranger.close()


def test_saving_nothing_says_what_is_missing_and_stays_on_the_page(browser: Browser, live_app: LiveApp) -> None:
    context, tab = logged_in(browser, live_app)
    try:
        tab.goto(f"{routes.PASTES}/new")
        tab.locator("#paste-save").click()
        expect(tab.locator("#paste-error")).to_have_text("Write something or attach a file.")
        assert tab.url.rstrip("/").endswith("/bin/new")
    finally:
        context.close()


def test_a_file_over_the_limit_is_refused_on_the_page_and_nothing_is_saved(
    browser: Browser, live_app: LiveApp, tmp_path
) -> None:
    too_big = tmp_path / "video.mp4"
    too_big.write_bytes(b"v" * (UPLOAD_LIMIT_MB * 1024 * 1024 + 1))
    context, tab = logged_in(browser, live_app)
    try:
        tab.goto(f"{routes.PASTES}/new")
        tab.locator("#paste-title").fill("Too big to keep")
        tab.locator("#paste-files").set_input_files([str(too_big)])
        expect(tab.locator("#paste-picked")).to_contain_text("video.mp4 (2.0 MB)")
        tab.locator("#paste-save").click()
        expect(tab.locator("#paste-error")).to_have_text(f"video.mp4 is larger than {UPLOAD_LIMIT_MB} MB.")
        tab.goto(routes.PASTES)
        expect(tab.get_by_role("heading", name="Pastes")).to_be_visible()
        expect(tab.locator(".paste-row", has_text="Too big to keep")).to_have_count(0)
        # The server holds the same line for anything that skips the page's own check.
        before = stored_files(live_app)
        refused = tab.request.post(
            "/api/pastes/uploads?name=video.mp4", data=too_big.read_bytes(), headers={"Origin": live_app.url}
        )
        assert refused.status == 413 and refused.json()["error"] == f"The file is larger than {UPLOAD_LIMIT_MB} MB."
        assert stored_files(live_app) == before
    finally:
        context.close()


def test_the_owner_page_shows_who_read_a_shared_paste_and_previews_apart(browser: Browser, live_app: LiveApp) -> None:
    owner, tab = logged_in(browser, live_app)
    # Headless Chromium says "HeadlessChrome", which receipts count as a crawler: the reader is a
    # person's browser, so it says what a desktop Chrome says.
    person = "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36"
    stranger = browser.new_context(base_url=live_app.url, user_agent=person)
    preview = browser.new_context(
        base_url=live_app.url, user_agent="Slackbot-LinkExpanding 1.0 (+https://api.slack.com/robots)"
    )
    try:
        paste_id = write_paste(tab, title="Meeting notes", content="agenda", shared=True)
        share_url = tab.get_by_role("link", name="Open shared page").get_attribute("href")
        expect(tab.locator("#paste-receipts")).to_contain_text("Not read by anyone yet")
        tab.context.new_page().goto(share_url)  # the owner's own look: no receipt
        preview.new_page().goto(share_url)
        reader = stranger.new_page()
        reader.goto(share_url)
        expect(reader.locator(".highlight")).to_contain_text("agenda")
        tab.goto(f"{routes.PASTES}/{paste_id}")
        expect(tab.locator("#paste-receipts")).to_contain_text("Read by people once, last at ")
        expect(tab.locator("#paste-receipts")).to_contain_text("(page 1)")
        expect(tab.locator("#paste-bots")).to_contain_text("Slack preview")
    finally:
        owner.close()
        stranger.close()
        preview.close()
