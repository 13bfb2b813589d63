"""A filtered dashboard, from events written by the real writer on both databases: its totals,
breakdowns, pages and chart equal what the events add up to by hand, filters combine with AND,
the cards a filter cannot narrow say so, and hostile filter values are refused."""

from __future__ import annotations

import random
from collections import Counter
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy.engine import Engine

from accumulator.analytics import filters, service
from accumulator.analytics.filtered_view import filtered_view
from accumulator.analytics.range_view import range_view
from accumulator.analytics.service import CountedEvent
from accumulator.db import session_scope

TODAY = date(2026, 11, 30)
ZONE = ZoneInfo("UTC")


def made(count: int, seed: int = 7) -> list[CountedEvent]:
    rng = random.Random(seed)
    events = []
    for n in range(count):
        day = TODAY - timedelta(days=rng.randint(0, 9))
        events.append(CountedEvent(
            kind="pageview", site=rng.choice(["blog", "shop"]), path=f"/post-{rng.randint(1, 5)}", day=day,
            visitor_hash=f"{rng.randint(1, 30):032x}", browser=rng.choice(["Firefox", "Chrome"]),
            os=rng.choice(["Linux", "iOS"]), device=rng.choice(["Desktop", "Mobile"]),
            referrer=rng.choice(["(direct)", "news.ycombinator.com", "lobste.rs"]),
            hour=datetime.combine(day, time(rng.randint(0, 23))), country=rng.choice(["DE", "FR", ""]),
            utm_campaign=rng.choice(["", "winter"]), tab=f"tab-{n % 40}", seen=1_700_000_000 + n,
        ))  # fmt: skip
    return events


@pytest.fixture
def written(engine: Engine) -> list[CountedEvent]:
    events = made(400)
    for start in range(0, len(events), 32):  # in the writer's batches
        with session_scope(engine) as session:
            service.record_events(session=session, events=events[start : start + 32])
    return events


def view(engine: Engine, chosen: filters.Filters, days: int = 7) -> dict:
    since = TODAY - timedelta(days=days - 1)
    base = range_view(engine, since, TODAY)
    now = datetime.combine(TODAY, time(23, 30), tzinfo=UTC)
    return filtered_view(engine, filters=chosen, base=base, since=since, until=TODAY, today=TODAY, now=now,
                         zone=ZONE, limit=None)  # fmt: skip


def in_range(events: list[CountedEvent], days: int = 7, **wanted: str) -> list[CountedEvent]:
    first = TODAY - timedelta(days=days - 1)
    return [e for e in events if first <= e.day <= TODAY and all(getattr(e, k) == v for k, v in wanted.items())]


def test_a_referrer_filter_narrows_totals_breakdowns_pages_and_chart(engine: Engine, written) -> None:
    shown = view(engine, (("referrer", "news.ycombinator.com"),))
    matching = in_range(written, referrer="news.ycombinator.com")
    assert shown["shares"]["totals"][0]["views"] == len(matching)
    assert shown["shares"]["totals"][0]["visitors"] == -1  # not summable over segments: not shown as a number
    browsers = Counter(e.browser for e in matching)
    assert {row["key"]: row["views"] for row in shown["shares"]["browser"]} == dict(browsers)
    assert {row["key"]: row["views"] for row in shown["shares"]["referrer"]} == {"news.ycombinator.com": len(matching)}
    assert shown["pages"] == dict(Counter(f"{e.site}|{e.path}" for e in matching))
    chart = {point["day"]: point["views"] for point in shown["chart"]}
    assert chart[TODAY.strftime("%b %d")] == sum(1 for e in matching if e.day == TODAY)
    assert {"reading", "entries", "exits", "visitors", "goals", "minutes"} <= set(shown["unfiltered"])
    assert shown["since"] == min(e.day for e in written).isoformat()


def test_two_filters_combine_with_and(engine: Engine, written) -> None:
    chosen = filters.from_pairs([("referrer", "lobste.rs"), ("country", "DE"), ("range", "7")])
    shown = view(engine, chosen)
    matching = in_range(written, referrer="lobste.rs", country="DE")
    assert shown["shares"]["totals"][0]["views"] == len(matching) > 0
    assert {row["key"]: row["views"] for row in shown["shares"]["os"]} == dict(Counter(e.os for e in matching))
    assert [row["key"] for row in shown["shares"]["country"]] == ["DE"]  # shown by its flag and name


def test_a_page_filter_is_exact_with_visitors_and_covers_the_period_before(engine: Engine, written) -> None:
    shown = view(engine, (("page", "/post-2"), ("site", "blog")))
    matching = in_range(written, site="blog", path="/post-2")
    totals = shown["shares"]["totals"][0]
    assert totals["views"] == len(matching)
    assert totals["visitors"] == len({(e.day, e.visitor_hash) for e in matching})  # daily distinct, summed
    before = [e for e in written if e.site == "blog" and e.path == "/post-2" and TODAY - timedelta(days=13) <= e.day
              < TODAY - timedelta(days=6)]  # fmt: skip
    assert totals["views_before"] == len(before)
    assert shown["pages"] == {"blog|/post-2": len(matching)}
    assert "reading" not in shown["unfiltered"] and "visitors" not in shown["unfiltered"]


def test_a_goal_filter_narrows_only_the_goals(engine: Engine, written) -> None:
    shown = view(engine, (("goal", "signup"),))
    assert shown["pages"] is None and shown["chart"] is None
    assert shown["shares"]["goal"] == []


@pytest.mark.parametrize(
    ("dimension", "value"),
    [
        ("referrer", "x" * 129), ("page", "/" + "p" * 512), ("page", "no-slash"), ("referrer", "a\x00b"),
        ("referrer", "\ud800"), ("referrer", ""), ("referrer", "a\u202eb"),
        ("site", "bad site"), ("browser", 5), ("nonsense", "x"), ("path", "/"),
    ],
)  # fmt: skip
def test_hostile_filter_values_are_refused(dimension: object, value: object) -> None:
    with pytest.raises(filters.BadFilter):
        filters.check(dimension, value)


def test_a_url_query_keeps_one_value_per_dimension_and_ignores_other_names() -> None:
    assert filters.from_pairs([("range", "30"), ("utm", "x"), ("browser", "Firefox")]) == (("browser", "Firefox"),)
    assert filters.from_pairs([("browser", "Firefox"), ("browser", "Chrome")]) == ()  # ambiguous: neither
    with pytest.raises(filters.BadFilter):
        filters.from_pairs([("browser", "Firefox"), ("browser", "Chrome")], strict=True)
    assert filters.query("30", (("referrer", "a&b=c"),)) == "range=30&referrer=a%26b%3Dc"
