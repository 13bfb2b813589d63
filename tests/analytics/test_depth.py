"""How people read, end to end through POST /api/event on both databases: reading time counted once
per page view at its latest report, scroll marks, entries and exits of visits, countries from the
address (then forgotten), campaigns from the query string, and goals with their conversion rate."""

from __future__ import annotations

import ipaddress
import random
import time
from dataclasses import replace
from datetime import timedelta

import pytest
from sqlmodel import Session, select
from starlette.testclient import TestClient

from accumulator.analytics import countries, depth, service
from accumulator.analytics.actions import feed, ingestor
from accumulator.analytics.depth_models import DailySiteDepth, PageDepthTotal, VisitState
from accumulator.analytics.range_view import range_view
from accumulator.db import utcnow
from accumulator.runtime import Services
from tests.analytics.test_event_api import SITE_ORIGIN, post, settle


@pytest.fixture
def country_table() -> None:
    countries.warm()
    deadline = time.monotonic() + 10
    while not countries.loaded(4) and time.monotonic() < deadline:
        time.sleep(0.05)
    assert countries.loaded(4)


@pytest.fixture
def services(services: Services, country_table: None) -> Services:
    services.settings = replace(services.settings, allowed_origins=(SITE_ORIGIN,), trusted_proxy_hops=1)
    ingestor(services).flush_interval = 0.001
    return services


def send(client: TestClient, kind: str, path: str, tab: str, ip: str = "81.2.69.142", **fields) -> None:
    body = {"type": kind, "site": "blog", "path": path, "visitor": tab, **fields}
    answer = post(client, body, **{"X-Forwarded-For": ip})
    assert answer.status_code == 202, answer.text


def view(services: Services) -> dict:
    return range_view(services.engine, None)


def test_reading_time_counts_each_page_view_once_at_its_latest_report(client: TestClient, services: Services) -> None:
    send(client, "pageview", "/post", "reader-one-tab")
    send(client, "leave", "/post", "reader-one-tab", e=20, p=0, s=40, ps=0)  # tab hidden after 20 s
    send(client, "leave", "/post", "reader-one-tab", e=70, p=20, s=100, ps=40)  # back, read on, closed
    send(client, "pageview", "/post", "reader-two-tab")
    send(client, "leave", "/post", "reader-two-tab", e=4, p=0, s=30, ps=0)
    send(client, "leave", "/post", "reader-two-tab", e=4, p=4, s=30, ps=30)  # nothing new: not counted
    settle(services)
    with Session(services.engine) as session:
        total = session.get(PageDepthTotal, ("blog", "/post"))
    assert (total.timed, total.seconds) == (2, 74)  # two page views, 70 + 4 seconds
    assert (total.t1, total.t5, total.t0) == (0, 1, 1)  # 70 s in [60, 120), 4 s in [0, 5): once each
    assert (total.scroll25, total.scroll50, total.scroll75, total.scroll100) == (2, 1, 1, 1)
    reading = view(services)["reading"][0]
    assert reading["time_avg"] == 37 and reading["timed"] == 2
    assert 0 <= reading["time_median"] <= 60  # the median of {4, 70} lies between the buckets' bounds
    assert reading["scroll100"] == 50
    [row] = feed(services).snapshot().pages
    assert (row["time_avg"], row["scroll75"]) == (37, 50)


def test_the_chart_shows_each_day_s_average_reading_time(client: TestClient, services: Services) -> None:
    """Today's point of the 30-day chart carries the average engaged seconds of today's page views
    (every page, or the page chosen); days without a report have none (no line, not a zero)."""
    send(client, "pageview", "/post", "reader-tab-one")
    send(client, "leave", "/post", "reader-tab-one", e=30, p=0, s=50, ps=0)
    send(client, "pageview", "/post", "reader-tab-two")
    send(client, "leave", "/post", "reader-tab-two", e=90, p=0, s=50, ps=0)
    send(client, "pageview", "/other", "reader-tab-three")
    send(client, "leave", "/other", "reader-tab-three", e=6, p=0, s=10, ps=0)
    settle(services)
    everything = feed(services).chart()
    assert everything[-1]["reading"] == 42  # (30 + 90 + 6) / 3
    assert [point["reading"] for point in everything[:-1]] == [None] * 29
    assert feed(services).chart("blog", "/post")[-1]["reading"] == 60
    assert feed(services).chart("blog", "/never-read")[-1]["reading"] is None


def test_a_report_that_goes_backwards_or_out_of_range_is_refused(client: TestClient, services: Services) -> None:
    for fields in ({"e": 5, "p": 9}, {"e": -1}, {"s": 101}, {"e": "10"}, {"e": True}, {"e": 10**9}):
        body = {"type": "leave", "site": "blog", "path": "/post", "visitor": "reader-bad-tab", **fields}
        answer = post(client, body)
        assert answer.status_code == 400 and answer.json()["error"], fields
    settle(services)
    with Session(services.engine) as session:
        assert session.exec(select(PageDepthTotal)).all() == []


def test_a_visit_enters_on_its_first_page_and_exits_on_its_last(client: TestClient, services: Services) -> None:
    for path in ("/home", "/post", "/about"):
        send(client, "pageview", path, "visitor-tab-a")
    send(client, "pageview", "/post", "visitor-tab-b")
    settle(services)
    found = view(services)
    assert found["entry"] == [
        {"value": "/home", "key": "/home", "views": 1, "share": 50.0},
        {"value": "/post", "key": "/post", "views": 1, "share": 50.0},
    ]  # fmt: skip
    assert {row["value"]: row["views"] for row in found["exit"]} == {"/about": 1, "/post": 1}
    with Session(services.engine) as session:
        [state_a] = [s for s in session.exec(select(VisitState)).all() if s.path == "/about"]
        assert len(state_a.tab_hash) == 32 and "visitor-tab-a" not in state_a.tab_hash  # only its hash is kept


def test_thirty_minutes_of_silence_start_a_new_visit(services: Services, session: Session) -> None:
    start = utcnow()
    day = service.local_day(start, services.settings.zone)

    def counted(path: str, minutes: int) -> service.CountedEvent:
        seen = int((start + timedelta(minutes=minutes)).timestamp())
        return service.CountedEvent(
            kind="pageview", site="blog", path=path, day=day, visitor_hash="h" * 32, tab="t" * 32, seen=seen
        )

    service.record_events(session=session, events=[counted("/a", 0), counted("/b", 29)])
    service.record_events(session=session, events=[counted("/c", 29 + 31)])
    session.commit()
    rows = {row.path: (row.entries, row.exits) for row in session.exec(select(PageDepthTotal))}
    assert rows == {"/a": (1, 0), "/b": (0, 1), "/c": (1, 1)}
    assert depth.VISIT_SILENCE == 30 * 60


def test_countries_come_from_the_address_and_private_ones_are_unknown(client: TestClient, services: Services) -> None:
    send(client, "pageview", "/post", "country-tab-1", ip="81.2.69.142")  # a UK address
    send(client, "pageview", "/post", "country-tab-2", ip="8.8.8.8")
    send(client, "pageview", "/post", "country-tab-3", ip="192.168.1.20")
    settle(services)
    shown = {row["value"]: row["views"] for row in view(services)["country"]}
    assert shown == {"🇬🇧 United Kingdom": 1, "🇺🇸 United States": 1, "Unknown": 1}


@pytest.mark.parametrize(
    "ip",
    ["10.1.2.3", "100.64.0.1", "127.0.0.1", "169.254.1.1", "172.16.0.1", "192.0.2.7", "198.18.0.1",
     "203.0.113.9", "224.0.0.1", "255.255.255.255", "::1", "fe80::1", "2001:db8::1", "::ffff:10.0.0.1",
     "1.2.3", "01.2.3.4", "8.8.8.8 ", "not an address", ""],
)  # fmt: skip
def test_addresses_that_are_not_global_or_not_addresses_have_no_country(ip: str, country_table: None) -> None:
    assert countries.country(ip) == ""


def test_the_quick_reading_of_ipv4_addresses_agrees_with_ipaddress_on_which_are_global() -> None:
    numbers = random.Random(14)
    for first in range(256):
        for _ in range(200):
            ip = f"{first}.{numbers.randrange(256)}.{numbers.randrange(256)}.{numbers.randrange(256)}"
            assert (countries._address(ip) is not None) == ipaddress.ip_address(ip).is_global, ip


def test_a_global_address_written_as_ipv6_has_its_country(country_table: None) -> None:
    assert countries.country("::ffff:8.8.8.8") == countries.country("8.8.8.8") == "US"


def test_campaign_tags_are_counted_and_the_rest_of_the_query_is_not(client: TestClient, services: Services) -> None:
    send(client, "pageview", "/post", "campaign-tab-1", q="?utm_source=newsletter&utm_medium=email&utm_campaign=winter"
         "&email=someone@example.com")  # fmt: skip
    send(client, "pageview", "/post", "campaign-tab-2", q="?ref=producthunt")
    send(client, "pageview", "/post", "campaign-tab-3", q="?utm_source=%E2%80%AEevil")  # an invisible override
    settle(services)
    found = view(services)
    assert {row["value"] for row in found["utm_source"]} == {"newsletter", "producthunt"}
    assert [row["value"] for row in found["utm_medium"]] == ["email"]
    assert [row["value"] for row in found["utm_campaign"]] == ["winter"]
    assert "someone@example.com" not in str(found)


def test_goals_count_distinct_visitors_and_their_conversion(client: TestClient, services: Services) -> None:
    for n in range(4):
        send(client, "pageview", "/pricing", f"goal-tab-{n}", ip=f"81.2.69.{140 + n}")
    for _ in range(2):  # one visitor signs up twice: one conversion
        send(client, "event", "/pricing", "goal-tab-0", ip="81.2.69.140", name="Signup", props={"plan": "pro"})
    send(client, "event", "/pricing", "goal-tab-1", ip="81.2.69.141", name="Signup", props={"plan": "free"})
    settle(services)
    [goal] = view(services)["goal"]
    assert goal == {"value": "Signup", "key": "Signup", "views": 2, "share": 50.0}  # 2 of the 4 visitors
    with Session(services.engine) as session:
        rows = session.exec(select(DailySiteDepth)).all()
    assert sum(row.entries for row in rows) == 4  # goals are not page views: the visits are unchanged


@pytest.mark.parametrize(
    "fields",
    [{"name": ""}, {"name": "x" * 65}, {"name": "ok", "props": {"n": 5}}, {"name": "ok", "props": [1]},
     {"name": "ok", "props": {f"k{n}": "v" for n in range(9)}}, {"name": "bad\u202e"}, {}],
)  # fmt: skip
def test_a_custom_event_that_is_not_a_small_set_of_strings_is_refused(client: TestClient, fields: dict) -> None:
    answer = post(client, {"type": "event", "site": "blog", "path": "/p", "visitor": "event-bad-tab", **fields})
    assert answer.status_code == 400 and answer.json()["error"]
