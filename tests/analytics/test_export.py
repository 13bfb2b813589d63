"""GET /api/analytics/export/<table>.csv: every dashboard table as a CSV file after real page views
sent through POST /api/event, on both databases; the owner's only (unless DASHBOARD_PUBLIC), text
that starts like a formula defused, UTF-8 throughout."""

from __future__ import annotations

import csv
import io
import re
import time
from dataclasses import replace
from datetime import timedelta

import pytest
from starlette.testclient import TestClient

from accumulator.analytics import countries, export
from accumulator.analytics.actions import feed, ingestor
from accumulator.runtime import Services
from tests.analytics.test_event_api import SITE_ORIGIN, post, settle

URL = "/api/analytics/export/{}.csv"


@pytest.fixture
def services(services: Services) -> Services:
    services.settings = replace(
        services.settings, allowed_origins=(SITE_ORIGIN,), trusted_proxy_hops=1, dashboard_public=False
    )
    ingestor(services).flush_interval = 0.001
    countries.warm()
    deadline = time.monotonic() + 10
    while not countries.loaded(4) and time.monotonic() < deadline:
        time.sleep(0.05)
    return services


def send(client: TestClient, kind: str, path: str, tab: str, ip: str = "81.2.69.142", **fields) -> None:
    body = {"type": kind, "site": "blog", "path": path, "visitor": tab, **fields}
    answer = post(client, body, **{"X-Forwarded-For": ip})
    assert answer.status_code == 202, answer.text


def download(client: TestClient, table: str, range_key: str = "30") -> list[list[str]]:
    answer = client.get(URL.format(table), params={"range": range_key})
    assert answer.status_code == 200, answer.text
    assert answer.headers["content-type"] == "text/csv; charset=utf-8"
    assert answer.headers["cache-control"] == "no-store"
    disposition = f'attachment; filename="accumulator-{table}-{range_key}-\\d{{4}}-\\d\\d-\\d\\d\\.csv"'
    assert re.fullmatch(disposition, answer.headers["content-disposition"])
    assert answer.content.decode("utf-8").endswith("\r\n")
    return list(csv.reader(io.StringIO(answer.content.decode("utf-8"), newline="")))


@pytest.fixture
def visited(owner: TestClient, services: Services) -> TestClient:
    """Two readers of a post (one from a newsletter, one from a hostile referrer), a visit that
    goes on to another page, a signup goal, and a reader with a non-ASCII campaign."""
    send(owner, "pageview", "/post", "export-tab-1", q="?utm_source=newsletter&utm_medium=email&utm_campaign=winter")
    send(owner, "leave", "/post", "export-tab-1", e=40, p=0, s=100, ps=0)
    send(owner, "pageview", "/café/日本", "export-tab-1")
    send(owner, "pageview", "/post", "export-tab-2", ip="8.8.8.8", referrer="https://+evil.example/x",
         q="?utm_campaign=%3DHYPERLINK(%22https://evil.example%22)")  # fmt: skip
    send(owner, "event", "/post", "export-tab-2", ip="8.8.8.8", name="@Signup")
    send(owner, "pageview", "/=HYPERLINK(1)", "export-tab-3", ip="192.168.1.9", q="?utm_campaign=été")
    settle(services)
    return owner


def test_the_pages_table_is_every_page_with_readable_headings(visited: TestClient) -> None:
    header, *rows = download(visited, "pages")
    assert header == [*export.PAGE_HEADER, "Comments"]  # and one column per number another feature adds
    first_line = visited.get(URL.format("pages")).text.split("\r\n", 1)[0]
    assert first_line == (
        "Site,Path,Views,Likes,Viewing now,Views today,Average time (s),Median time (s),Read to 75% (%),Comments"
    )
    assert rows[0] == ["blog", "/post", "2", "0", "1", "2", "40", rows[0][7], "50", "0"]  # most viewed first
    assert 20 <= float(rows[0][7]) <= 60  # the median of one 40 s report lies inside its bucket
    by_path = {row[1]: row for row in rows}
    assert set(by_path) == {"/post", "/café/日本", "/=HYPERLINK(1)"}  # UTF-8 round trip
    assert by_path["/café/日本"][6:8] == ["", ""]  # no reading reported: empty, not -1
    # A path starts with "/", so no spreadsheet reads it as a formula: it is left as it is.
    assert by_path["/=HYPERLINK(1)"][1] == "/=HYPERLINK(1)"


def test_the_whole_pages_table_is_exported_not_only_the_rows_drawn(owner: TestClient, services: Services) -> None:
    for n in range(60):
        send(owner, "pageview", f"/page-{n}", f"many-pages-tab-{n}", ip=f"81.2.69.{100 + n}")  # 30/s per address
    settle(services)
    _header, *rows = download(owner, "pages", "all")
    assert len(rows) == 60


def test_the_chart_has_a_day_per_row_over_the_range(visited: TestClient, services: Services) -> None:
    today = feed(services).today()
    header, *rows = download(visited, "chart", "7")
    disposition = visited.get(URL.format("chart"), params={"range": "7"}).headers["content-disposition"]
    assert disposition == f'attachment; filename="accumulator-chart-7-{today.isoformat()}.csv"'
    assert header == ["Day", "Views", "Visitors"]
    assert [row[0] for row in rows] == [(today - timedelta(days=6 - n)).isoformat() for n in range(7)]
    assert rows[-1] == [today.isoformat(), "4", "3"] and rows[0][1:] == ["0", "0"]
    assert len(download(visited, "chart", "90")) == 91
    assert download(visited, "chart", "all")[1:] == [[today.isoformat(), "4", "3"]]  # from the first day counted


LISTED = [
    ("browsers", "Browser", None),
    ("systems", "Operating system", None),
    ("devices", "Device", None),
    ("referrers", "Referrer", {"(direct)": "3", "'+evil.example": "1"}),
    ("countries", "Country", {"🇬🇧 United Kingdom": "2", "🇺🇸 United States": "1", "Unknown": "1"}),
    ("sources", "Campaign source", {"newsletter": "1"}),
    ("mediums", "Campaign medium", {"email": "1"}),
    ("campaigns", "Campaign", {"winter": "1", "été": "1", '\'=HYPERLINK("https://evil.example")': "1"}),
    ("entries", "Entry page", {"/post": "2", "/=HYPERLINK(1)": "1"}),
    ("exits", "Exit page", {"/café/日本": "1", "/post": "1", "/=HYPERLINK(1)": "1"}),
]


@pytest.mark.parametrize(("table", "heading", "expected"), LISTED)
def test_each_list_of_the_range_is_a_value_its_views_and_its_share(
    visited: TestClient, table: str, heading: str, expected: dict[str, str] | None
) -> None:
    header, *rows = download(visited, table, "7")
    assert header == [heading, "Views", "Share (%)"]
    assert rows and sum(float(share) for *_rest, share in rows) == pytest.approx(100, abs=0.2)
    if expected is not None:
        assert {value: views for value, views, _share in rows} == expected


def test_goals_are_visitors_and_conversion(visited: TestClient) -> None:
    assert download(visited, "goals", "all") == [["Goal", "Visitors", "Conversion (%)"], ["'@Signup", "1", "33.3"]]


def test_reading_is_one_summary_row(visited: TestClient) -> None:
    header, row = download(visited, "reading", "90")
    assert header == list(export.READING_HEADER)
    reading = dict(zip(header, row, strict=True))
    assert 20 <= float(reading.pop("Median time (s)")) <= 60  # one 40 s report, placed inside its bucket
    assert reading == {
        "Average time (s)": "40", "Page views timed": "1", "Scrolled 25% (%)": "100", "Scrolled 50% (%)": "100",
        "Scrolled 75% (%)": "100", "Scrolled 100% (%)": "100",
    }  # fmt: skip


def test_an_empty_range_is_a_header_alone_and_nothing_reported_is_an_empty_cell(owner: TestClient) -> None:
    assert download(owner, "campaigns") == [["Campaign", "Views", "Share (%)"]]
    assert download(owner, "reading") == [list(export.READING_HEADER), ["", "", "0", "0", "0", "0", "0"]]
    assert download(owner, "pages") == [[*export.PAGE_HEADER, "Comments"]]


@pytest.mark.parametrize(
    ("address", "reason"),
    [(URL.format("visitors"), "Unknown table"), (URL.format("pages") + "?range=365", "Unknown range"),
     (URL.format("chart") + "?range=", "Unknown range"),
     (URL.format("countries") + "?range=2026-10-31..2026-10-01", "Unknown range"),
     (URL.format("countries") + "?range=2999-01-01..2999-01-02", "Unknown range")],
)  # fmt: skip
def test_an_unknown_table_or_range_is_a_400_saying_which(owner: TestClient, address: str, reason: str) -> None:
    answer = owner.get(address)
    assert answer.status_code == 400
    assert answer.json()["error"].startswith(reason) and "\n" not in answer.json()["error"]


def test_a_chosen_range_of_two_days_is_exported_too(visited: TestClient, services: Services) -> None:
    from accumulator.analytics.actions import feed

    today = feed(services).today().isoformat()
    chosen = f"{today}..{today}"
    assert download(visited, "sources", chosen)[1:] == [["newsletter", "1", "100.0"]]
    _header, *days = download(visited, "chart", chosen)
    assert len(days) == 1 and days[0][0] == today


def test_without_the_owners_session_it_is_not_found(client: TestClient) -> None:
    for table in ("pages", "referrers", "nonsense"):
        answer = client.get(URL.format(table), params={"range": "7"})
        assert answer.status_code == 404 and "csv" not in answer.headers.get("content-type", "")


def test_a_public_dashboard_exports_to_anyone_as_its_pages_table_is(client: TestClient, services: Services) -> None:
    services.settings = replace(services.settings, dashboard_public=True)
    send(client, "pageview", "/post", "public-tab-1")
    settle(services)
    assert download(client, "pages")[1][:3] == ["blog", "/post", "1"]
    assert client.get("/api/analytics/pages").status_code == 200  # the same rule


def test_text_that_starts_like_a_formula_is_defused_and_numbers_are_not() -> None:
    cells = ["=1+1", "+1", "-2", "@SUM(A1)", "\tx", "\rx", "/=x", "plain", "", -1, 2.5]
    text = export.write(["A"], [cells])
    assert text.endswith("\r\n")
    [_header, row] = list(csv.reader(io.StringIO(text, newline="")))
    assert row == ["'=1+1", "'+1", "'-2", "'@SUM(A1)", "'\tx", "'\rx", "/=x", "plain", "", "-1", "2.5"]


def filtered(client: TestClient, table: str, **params: str) -> list[list[str]]:
    answer = client.get(URL.format(table), params={"range": "30", **params})
    assert answer.status_code == 200, answer.text
    assert "-filtered-" in answer.headers["content-disposition"]
    return list(csv.reader(io.StringIO(answer.content.decode("utf-8"), newline="")))


def test_the_tables_follow_the_dashboards_filters(visited: TestClient) -> None:
    header, *rows = filtered(visited, "pages", utm_campaign="été")
    assert header[-1] == "Matching views" and [(row[1], row[-1]) for row in rows] == [("/=HYPERLINK(1)", "1")]
    _header, *rows = filtered(visited, "referrers", page="/post")
    assert {row[0]: row[1] for row in rows} == {"(direct)": "1", "'+evil.example": "1"}  # both readers of /post
    _header, *rows = filtered(visited, "campaigns", page="/post", referrer="+evil.example")  # AND
    assert [row[:2] for row in rows] == [['\'=HYPERLINK("https://evil.example")', "1"]]
    header, *rows = filtered(visited, "chart", referrer="+evil.example")
    assert header == ["Day", "Views"]  # distinct visitors cannot be split by a referrer: no column, no guess
    assert sum(int(row[1]) for row in rows) == 1


@pytest.mark.parametrize(
    "params",
    [{"referrer": "+evil.example", "table": "reading"}, {"referrer": "a\x00b"}, {"page": "no-slash"},
     {"referrer": "r" * 129}, {"browser": ["Firefox", "Chrome"]}],
)  # fmt: skip
def test_a_filter_that_cannot_apply_is_refused(visited: TestClient, params: dict) -> None:
    params = dict(params)  # the parameter is shared by both databases' runs
    table = params.pop("table", "browsers")
    answer = visited.get(URL.format(table), params={"range": "30", **params})
    assert answer.status_code == 400 and answer.json()["error"]
