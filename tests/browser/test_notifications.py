"""The notifications page in Chromium: the owner adds an Apprise channel (a JSON webhook served on
loopback), sends it a test that arrives, sees the URL only masked, and a channel that refuses for
good shows its error."""

from __future__ import annotations

import time

import pytest
from playwright.sync_api import Page, expect

from accumulator import routes
from tests.browser.conftest import LiveApp, log_in
from tests.notify.servers import running_receiver

pytestmark = pytest.mark.browser


def test_an_apprise_channel_is_added_tested_and_its_failure_shown(page: Page, live_app: LiveApp) -> None:
    with running_receiver() as receiver:
        page.goto(routes.NOTIFICATIONS)
        page.wait_for_url("**/login?next=/notifications")  # no session: the login page, nothing of the page
        log_in(page)
        expect(page.get_by_role("heading", name="Notifications", exact=True)).to_be_visible()
        secret_path = "hook-secret-token"
        page.locator("input[name=name]").fill("Webhook")
        page.locator("#apprise-url").fill(f"json://127.0.0.1:{receiver.port}/{secret_path}")
        page.locator("#add-channel").click()
        channel = page.locator(".notify-channel", has_text="Webhook")
        expect(channel).to_have_count(1)
        expect(page.locator("body")).not_to_contain_text(secret_path)  # shown masked, never sent back

        channel.locator(".send-test").click()
        deadline = time.monotonic() + 15
        while not receiver.to(f"/{secret_path}") and time.monotonic() < deadline:
            time.sleep(0.1)
        [test] = receiver.to(f"/{secret_path}")
        assert "test" in (test.get("title", "") + test.get("message", "")).lower()

        receiver.answer(f"/{secret_path}", 404)  # the webhook is gone: a permanent failure
        channel.locator(".send-test").click()
        expect(channel.locator(".channel-error")).to_be_visible(timeout=15_000)


def test_the_spike_multiple_and_the_weekly_digest_are_set_and_a_preview_arrives(page: Page, live_app: LiveApp) -> None:
    with running_receiver() as receiver:
        page.goto(routes.NOTIFICATIONS)
        page.wait_for_url("**/login?next=/notifications")
        log_in(page)
        page.locator("input[name=name]").fill("Digest hook")
        page.locator("#apprise-url").fill(f"json://127.0.0.1:{receiver.port}/digest")
        page.locator("#add-channel").click()
        expect(page.locator(".notify-channel", has_text="Digest hook")).to_have_count(1)

        usual = page.locator("#spike-usual")
        usual.locator("input[name=factor]").fill("2.5")
        usual.locator("input[name=floor]").fill("30")
        usual.locator("select[name=days]").select_option("14")
        usual.get_by_role("button", name="Save").click()
        weekly = page.locator("#weekly-form")
        weekly.locator("input[name=on]").check()
        weekly.locator("select[name=weekday]").select_option("4")
        weekly.locator("input[name=time]").fill("18:30")
        weekly.get_by_role("button", name="Save").click()
        expect(page.get_by_text("Weekly digest saved.")).to_be_visible()

        page.reload()
        expect(page.locator("#spike-usual input[name=factor]")).to_have_value("2.5")
        expect(page.locator("#spike-usual input[name=floor]")).to_have_value("30")
        expect(page.locator("#spike-usual select[name=days]")).to_have_value("14")
        expect(page.locator("#weekly-form input[name=on]")).to_be_checked()
        expect(page.locator("#weekly-form select[name=weekday]")).to_have_value("4")
        expect(page.locator("#weekly-form input[name=time]")).to_have_value("18:30")

        page.locator("#weekly-now").click()
        deadline = time.monotonic() + 15
        while not receiver.to("/digest") and time.monotonic() < deadline:
            time.sleep(0.1)
        [digest] = receiver.to("/digest")
        assert digest["title"].startswith("Your week: ")
