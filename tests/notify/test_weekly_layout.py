"""The weekly digest's HTML at a phone's width in a real browser (Chromium): nothing wider than
375 px however long a page path or track name, and nothing fetched from elsewhere."""

from __future__ import annotations

from datetime import date

import pytest
from playwright.sync_api import Browser

from accumulator.analytics.summaries import PageWeek, WeekTraffic
from accumulator.comments.week import CommentsWeek
from accumulator.notify import weekly_mail
from accumulator.plants.due import DuePlant
from accumulator.plants.week import PlantsWeek
from accumulator.spotify.stats import Ranked

pytestmark = pytest.mark.browser
LONG = "/" + "a-very-long-slug-without-spaces" * 6


def digest() -> weekly_mail.Digest:
    traffic = WeekTraffic(
        views=12345,
        views_before=9000,
        visitors=4000,
        top_pages=[PageWeek("blog", LONG, 900, 300), PageWeek("blog", "/", 500, 0)],
        reading_avg_seconds=75,
        reading_median_seconds=40,
        timed=800,
        new_referrers=[("news.ycombinator.com", 300)],
    )
    plants = PlantsWeek(5, 3, [DuePlant(1, "Monstera deliciosa", "Hall", date(2026, 11, 28), 4, False)])
    return weekly_mail.Digest(
        first=date(2026, 11, 25),
        last=date(2026, 12, 1),
        traffic=traffic,
        comments=CommentsWeek(4, 1, [("blog", LONG, 3)]),
        notes=7,
        plants=plants,
        tracks=[Ranked("A track with a name far longer than any phone is wide " * 2, "Band", 12, 1)],
    )


def test_it_fits_a_phone_and_fetches_nothing(browser: Browser) -> None:
    page_html = weekly_mail.html_part(digest(), link="https://hub.example.com/dashboard")
    context = browser.new_context(viewport={"width": 375, "height": 700})
    try:
        tab = context.new_page()
        fetched: list[str] = []
        tab.on("request", lambda request: fetched.append(request.url))
        tab.set_content(page_html)
        assert tab.evaluate("document.documentElement.scrollWidth") <= 375
        assert "Top pages" in tab.inner_text("body") and "Monstera deliciosa" in tab.inner_text("body")
        tab.set_viewport_size({"width": 1200, "height": 700})
        card = tab.evaluate("Math.max(...[...document.querySelectorAll('table')].map(t => t.offsetWidth))")
        assert card == 1200  # the outer background table; the card itself stops at 600
        widths = tab.evaluate("[...document.querySelectorAll('table')].map(t => t.offsetWidth)")
        assert 600 in widths
        assert fetched == []
    finally:
        context.close()
