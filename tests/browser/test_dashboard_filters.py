"""Filters on the live dashboard: clicking a referrer narrows the whole dashboard to it, shows a
removable chip and puts the filter in the URL, so the filtered view opens again from the address."""

from __future__ import annotations

import re
import time

import pytest
from playwright.sync_api import Page, expect

from accumulator import routes
from tests.browser.conftest import LiveApp

pytestmark = pytest.mark.browser
AGENT = {"User-Agent": "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/130.0"}


def test_a_referrer_clicked_filters_the_dashboard_and_stays_in_the_url(page: Page, live_app: LiveApp) -> None:
    def send(path: str, visitor: str, referrer: str = "") -> None:
        body = {"type": "pageview", "site": "blog", "path": path, "visitor": visitor, "referrer": referrer}
        answer = page.request.post(f"{live_app.url}/api/event", data=body, headers=AGENT)
        assert answer.status == 202, answer.text()
        time.sleep(0.05)  # one reader's address: under the rate limit

    for n in range(3):
        send("/filters/from-hn", f"filters-hn-tab-{n}", "https://news.ycombinator.com/item?id=1")
    send("/filters/direct", "filters-direct-tab")

    page.goto(routes.DASHBOARD)
    page.wait_for_selector("#pages-table:not([data-version='-1'])", state="attached")
    page.locator("#page-filter").fill("/filters/")  # other tests' pages may fill the top fifty
    direct = page.locator(".page-row[data-path='/filters/direct']")
    from_hn = page.locator(".page-row[data-path='/filters/from-hn']")
    expect(direct).to_have_count(1)

    page.locator("#referrers .filter-value", has_text="news.ycombinator.com").click()
    chip = page.locator(".filter-chip")
    expect(chip).to_have_count(1)
    expect(chip).to_contain_text("Referrer")
    expect(chip).to_contain_text("news.ycombinator.com")
    expect(page).to_have_url(re.compile(r"[?&]referrer=news\.ycombinator\.com"))
    expect(direct).to_have_count(0)  # the pages table narrowed to the pages read from there
    expect(from_hn.locator(".cell-matching")).to_have_text("3")
    expect(page.locator("#range-summary")).to_contain_text("3 views")
    expect(page.locator("#reading-card .not-filtered")).to_be_visible()  # reading cannot be split by referrer

    page.reload()  # the address alone brings the filtered view back (a bookmark)
    page.wait_for_selector("#pages-table:not([data-version='-1'])", state="attached")
    expect(page.locator(".filter-chip")).to_contain_text("news.ycombinator.com")
    page.locator("#page-filter").fill("/filters/")
    expect(from_hn.locator(".cell-matching")).to_have_text("3")
    expect(direct).to_have_count(0)

    page.locator(".filter-chip .remove-filter").click()
    expect(page.locator(".filter-chip")).to_have_count(0)
    expect(page).not_to_have_url(re.compile("referrer="))
    expect(direct).to_have_count(1)
    expect(page.locator(".cell-matching")).to_have_count(0)
