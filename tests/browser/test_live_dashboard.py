"""The dashboard changes live while a reader visits the owner's blog, which includes the real tracker."""

from __future__ import annotations

import time

import pytest
from playwright.sync_api import Browser, Page, expect

from accumulator import routes
from tests.browser.conftest import LiveApp

pytestmark = pytest.mark.browser


def number(page: Page, element_id: str) -> int:
    return int(page.locator(f"#{element_id}").inner_text())


def test_a_visit_and_its_end_show_on_an_open_dashboard_without_reload(
    page: Page, browser: Browser, live_app: LiveApp
) -> None:
    page.goto(routes.DASHBOARD)
    expect(page.get_by_role("heading", name="Dashboard")).to_be_visible()
    page.wait_for_selector("#pages-table:not([data-version='-1'])", state="attached")  # loaded: the numbers are real
    views, viewing = number(page, "total-views"), number(page, "viewing-now")
    page.evaluate("window.__notReloaded = true")

    reader = browser.new_context()
    try:
        post = reader.new_page()
        post.goto(f"{live_app.site_url}/posts/live-test")
        expect(page.locator("#total-views")).to_have_text(str(views + 1))
        expect(page.locator("#viewing-now")).to_have_text(str(viewing + 1))
        row = page.locator(".page-row[data-path='/posts/live-test']")
        expect(row.locator(".cell-views")).to_have_text("1")
        expect(row.locator(".cell-viewing")).to_have_text("1")

        post.locator("#like").click()
        expect(row.locator("td").nth(3)).to_have_text("1")

        post.close(run_before_unload=True)  # the tracker's leave beacon
        expect(page.locator("#viewing-now")).to_have_text(str(viewing))
        expect(row.locator(".cell-viewing")).to_have_text("0")
    finally:
        reader.close()
    assert page.evaluate("window.__notReloaded") is True


def test_the_pages_table_sorts_and_filters(page: Page, live_app: LiveApp, browser: Browser) -> None:
    reader = browser.new_context()
    try:
        visit = reader.new_page()
        for path in ("/zebra", "/apple", "/apple"):
            visit.goto(f"{live_app.site_url}{path}")
    finally:
        reader.close()
    page.goto(routes.DASHBOARD)
    rows = page.locator(".page-row")
    expect(page.locator(".page-row[data-path='/apple'] .cell-views")).to_have_text("2")

    page.locator(".sort-path").click()  # text: A first
    expect(page.locator(".sort-path")).to_have_attribute("aria-sort", "ascending")
    paths = rows.evaluate_all("rows => rows.map(row => row.dataset.path)")
    assert paths == sorted(paths, key=str.lower)
    page.locator(".sort-path").click()  # again: Z first
    expect(page.locator(".sort-path")).to_have_attribute("aria-sort", "descending")
    assert rows.evaluate_all("rows => rows.map(row => row.dataset.path)") == sorted(paths, key=str.lower, reverse=True)
    page.locator(".sort-views").click()  # a number column starts with the biggest
    expect(page.locator(".sort-views")).to_have_attribute("aria-sort", "descending")
    counts = [int(text) for text in page.locator(".page-row .cell-views").all_inner_texts()]
    assert counts == sorted(counts, reverse=True)

    page.locator("#page-filter").fill("zeb")
    expect(rows).to_have_count(1)
    expect(rows.first).to_have_attribute("data-path", "/zebra")


def test_a_long_pages_table_shows_the_top_fifty_and_the_rest_on_request(page: Page, live_app: LiveApp) -> None:
    reader = {"User-Agent": "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/130.0"}
    for n in range(60):
        event = {"type": "pageview", "site": "blog", "path": f"/many/{n:02d}", "visitor": f"many-reader-{n:02d}"}
        answer = page.request.post(f"{live_app.url}/api/event", data=event, headers=reader)
        assert answer.status == 202, answer.text()
        time.sleep(0.05)  # one reader's address: under the rate limit
    page.goto(routes.DASHBOARD)
    rows = page.locator(".page-row")
    expect(rows).to_have_count(50)
    show_all = page.get_by_role("button", name="Show all")
    total = int(show_all.inner_text().split()[-1])
    assert total >= 60
    page.locator(".pages-more button").first.click()  # "Show 10 more of 10"
    expect(rows).to_have_count(min(100, total))
    if total > 100:
        show_all.click()
    expect(rows).to_have_count(total)
    expect(show_all).to_have_count(0)
    page.locator("#page-filter").fill("/many/0")  # filtering searches every row, drawn or not
    expect(rows).to_have_count(10)


def test_the_dashboard_shows_how_people_read_where_they_come_from_and_goals(page: Page, live_app: LiveApp) -> None:
    agent = {"User-Agent": "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/130.0"}

    def send(body: dict) -> None:
        answer = page.request.post(f"{live_app.url}/api/event", data={"site": "blog", **body}, headers=agent)
        assert answer.status == 202, answer.text()
        time.sleep(0.05)  # one reader's address: under the rate limit

    tab = "depth-reader-tab"
    campaign = "?utm_source=newsletter&utm_campaign=fall"
    send({"type": "pageview", "path": "/depth/landing", "visitor": tab, "q": campaign})
    send({"type": "leave", "path": "/depth/landing", "visitor": tab, "e": 95, "p": 0, "s": 80, "ps": 0})
    send({"type": "pageview", "path": "/depth/pricing", "visitor": tab})
    for n in range(5):  # more visits that enter and leave here than other tests' pages have
        send({"type": "pageview", "path": "/depth/landing", "visitor": f"depth-other-tab-{n}"})
        send({"type": "pageview", "path": "/depth/pricing", "visitor": f"depth-other-tab-{n}"})
    send({"type": "event", "path": "/depth/pricing", "visitor": tab, "name": "Signup", "props": {"plan": "pro"}})

    page.set_viewport_size({"width": 375, "height": 800})
    page.goto(routes.DASHBOARD)
    page.locator("#page-filter").fill("/depth/")  # other tests' pages may fill the top fifty
    landing = page.locator(".page-row[data-path='/depth/landing']")
    expect(landing.locator(".cell-time")).to_have_text("1m 35s")  # the one view that reported
    expect(landing.locator(".cell-scroll")).to_have_text("17%")  # 1 of its 6 views read to three quarters
    page.get_by_role("radio", name="All time").click()
    expect(page.locator("#goals")).to_contain_text("Signup")
    expect(page.locator("#campaign-sources")).to_contain_text("newsletter")
    expect(page.locator("#campaigns")).to_contain_text("fall")
    expect(page.locator("#entry-pages")).to_contain_text("/depth/landing")
    expect(page.locator("#exit-pages")).to_contain_text("/depth/pricing")
    expect(page.locator("#countries")).to_contain_text("Unknown")  # a loopback address has no country
    expect(page.locator("#reading-average")).not_to_have_text("–")
    expect(page.locator("#minutes-card .chart-bar").first).to_be_attached()  # this minute's views
    expect(page.locator("#export-goals")).to_have_attribute("href", "/api/analytics/export/goals.csv?range=all")
    # Any two days: today alone, compared with yesterday.
    today = page.evaluate("new Date().toLocaleDateString('en-CA')")
    page.locator("#range-from").fill(today)
    page.locator("#range-to").fill(today)
    page.locator("#range-apply").click()
    expect(page.locator("#range-summary")).to_contain_text("on the period before")
    expect(page.locator("#export-goals")).to_have_attribute(
        "href", f"/api/analytics/export/goals.csv?range={today}..{today}"
    )
    expect(page.locator("#goals")).to_contain_text("Signup")
    csv_answer = page.request.get(f"{live_app.url}/api/analytics/export/goals.csv?range={today}..{today}")
    assert csv_answer.status == 200 and "Signup" in csv_answer.text()
    # Readable on a phone: the sections wrap, nothing but the pages table scrolls sideways.
    assert page.evaluate("document.documentElement.scrollWidth") <= 375
    page.screenshot(path=str(live_app.data_dir / "dashboard-depth.png"), full_page=True)


def test_the_breakdowns_move_on_an_open_dashboard_without_reload(page: Page, live_app: LiveApp) -> None:
    agent = {"User-Agent": "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/130.0"}

    def send(visitor: str, referrer: str) -> None:
        body = {"type": "pageview", "site": "blog", "path": "/shares/live", "visitor": visitor, "referrer": referrer}
        answer = page.request.post(f"{live_app.url}/api/event", data=body, headers=agent)
        assert answer.status == 202, answer.text()
        time.sleep(0.05)  # one reader's address: under the rate limit

    for n in range(3):
        send(f"shares-before-{n}", "https://before.example/a")
    page.goto(routes.DASHBOARD)
    page.wait_for_selector("#pages-table:not([data-version='-1'])", state="attached")
    referrers = page.locator("#referrers .filter-value")
    expect(page.locator("#referrers")).to_contain_text("before.example")
    page.evaluate("window.__notReloaded = true")
    # A new referrer, then more of it than of the first: each refresh brings the rows that moved.
    send("shares-after-0", "https://after.example/b")
    expect(page.locator("#referrers")).to_contain_text("after.example", timeout=15_000)
    for n in range(1, 5):
        send(f"shares-after-{n}", "https://after.example/b")
    after = page.locator("#referrers .share-row", has=page.locator(".filter-value", has_text="after.example"))
    expect(after.locator(".share-views")).to_have_text("5", timeout=15_000)
    names = referrers.all_inner_texts()
    assert names.index("after.example") < names.index("before.example")  # ranked again, in place
    assert page.evaluate("window.__notReloaded") is True
    referrers.filter(has_text="after.example").click()  # a patched row filters as a drawn one did
    expect(page.locator(".filter-chip")).to_contain_text("after.example")


def test_the_charts_draw_the_numbers_and_move_without_reload(page: Page, live_app: LiveApp) -> None:
    agent = {"User-Agent": "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/130.0"}
    page.goto(routes.DASHBOARD)
    page.wait_for_selector("#pages-table:not([data-version='-1'])", state="attached")
    bars = page.locator("#minutes-card .chart-bar")
    expect(bars.first).to_be_attached()
    minute, before = page.evaluate(LAST_BAR)
    page.evaluate("window.__notReloaded = true")

    body = {"type": "pageview", "site": "blog", "path": "/charts/live", "visitor": "charts-reader"}
    assert page.request.post(f"{live_app.url}/api/event", data=body, headers=agent).status == 202
    # This minute's bar grows by one (or, if the minute turned meanwhile, the new minute has it).
    page.wait_for_function(
        f"() => {{ const [m, v] = ({LAST_BAR})(); return m === {minute!r} ? v === {before + 1} : v >= 1; }}",
        timeout=15_000,
    )
    assert page.evaluate("window.__notReloaded") is True

    # Hovering the 30-day chart's right end shows today's numbers.
    chart = page.locator("#days-card .live-chart svg")
    box = chart.bounding_box()
    assert box is not None
    page.mouse.move(box["x"] + box["width"] - 12, box["y"] + box["height"] / 2)
    tooltip = page.locator("#days-card .chart-tooltip")
    expect(tooltip).to_contain_text("Views:")
    views_today = int(tooltip.inner_text().split("Views: ")[1].split()[0])
    assert views_today >= 1

    # What keeps the dashboard quick to open: a handful of script files, not one per icon (nor
    # lucide's map of every icon, which a var-named icon would bring).
    scripts = page.evaluate(
        "performance.getEntriesByType('resource').map((r) => r.name).filter((n) => n.includes('/assets/'))"
        ".filter((n) => n.endsWith('.js'))"
    )
    assert 0 < len(scripts) <= 12, scripts


# The last bar of the minutes chart: [its minute, its views], read from its <title> ("21:04: 3 views").
LAST_BAR = (
    "() => { const bars = document.querySelectorAll('#minutes-card .chart-bar');"
    " const text = bars[bars.length - 1].querySelector('title').textContent;"
    " const [, m, v] = text.match(/^(.*): (\\d+) views$/); return [m, Number(v)]; }"
)
