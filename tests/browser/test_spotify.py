"""Spotify in a real browser, against the fake Spotify: the owner connects through the consent page,
the page shows what plays with a moving progress bar, changes track live for a visitor, switches
ranges, and the owner disconnects."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Browser, expect

from accumulator import routes
from tests.browser.conftest import LiveApp, log_in

pytestmark = pytest.mark.browser

# The now-playing job runs every 10 s; a change must show within one run and the page's update.
JOB_PERIOD_MS = 10_000


def test_connect_follow_the_music_live_and_disconnect(browser: Browser, live_app: LiveApp) -> None:
    spotify = live_app.spotify
    spotify.play(
        name="Archangel", artists=("Burial",), album="Untrue", duration_ms=240_000, progress_ms=30_000, advancing=True
    )
    owner = browser.new_context(base_url=live_app.url)
    visitor = browser.new_context(base_url=live_app.url, viewport={"width": 375, "height": 800})  # a phone
    owner.set_default_timeout(15_000)
    visitor.set_default_timeout(15_000)
    try:
        tab = owner.new_page()
        tab.goto(routes.LOGIN)
        log_in(tab)
        tab.wait_for_url(re.compile(r".*/dashboard/?$"))
        tab.goto(routes.SPOTIFY)
        tab.locator("#spotify-connect").click()
        tab.wait_for_url(f"{spotify.url}/authorize?**")  # Spotify's (the fake's) consent page
        tab.locator("#agree").click()
        tab.wait_for_url(re.compile(r".*/spotify/?\?spotify=connected$"))
        expect(tab.locator("#spotify-notice")).to_contain_text("Spotify is connected.")
        expect(tab.locator("#np-name")).to_have_text("Archangel")
        expect(tab.locator("#np-artists")).to_have_text("Burial")
        expect(tab.locator("#top-tracks")).to_contain_text("Short Track 1")
        tab.get_by_role("radio", name="Last 6 months").click()
        expect(tab.locator("#top-tracks")).to_contain_text("Medium Track 1")
        expect(tab.locator("#top-artists")).to_contain_text("Medium Artist 1")

        reader = visitor.new_page()
        reader.goto(routes.SPOTIFY)  # public: no login
        expect(reader.locator("#np-name")).to_have_text("Archangel")
        expect(reader.locator("#spotify-connect")).to_have_count(0)
        expect(reader.locator("#top-artists")).to_contain_text("Short Artist 10")
        assert reader.evaluate("document.documentElement.scrollWidth") <= 375  # nothing sticks out sideways
        elapsed = reader.locator("#np-elapsed")
        expect(elapsed).not_to_have_text("")
        first = elapsed.inner_text()
        reader.wait_for_timeout(1500)
        assert elapsed.inner_text() != first  # the bar moves by itself between updates
        reader.evaluate("window.__notReloaded = true")

        spotify.play(name="Near Dark", artists=("Burial",), album="Untrue", duration_ms=230_000, progress_ms=0)
        expect(reader.locator("#np-name")).to_have_text("Near Dark", timeout=JOB_PERIOD_MS + 8_000)
        assert reader.evaluate("window.__notReloaded") is True

        tab.get_by_role("button", name="Disconnect").click()
        tab.get_by_role("alertdialog").get_by_role("button", name="Disconnect").click()
        expect(tab.locator("#spotify-connect")).to_be_visible()
        expect(tab.locator("#now-playing")).to_have_count(0)
        expect(reader.locator("#now-playing")).to_have_count(0)  # the visitor's page follows too
    finally:
        owner.close()
        visitor.close()
