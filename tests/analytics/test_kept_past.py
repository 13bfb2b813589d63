"""A dashboard's range that ends today is read as the days before today (kept for a while) and
today: what it shows is what reading the whole range shows, on both databases, and a refresh reads
one day's rollups."""

from __future__ import annotations

from dataclasses import replace
from datetime import timedelta

from sqlalchemy.engine import Engine

from accumulator.analytics import service
from accumulator.analytics.range_view import PAST_KEPT, KeptPast, range_view
from accumulator.db import session_scope
from tests.analytics.test_dashboard_feed import QueryCounter
from tests.analytics.test_filters import TODAY, made


def write(engine: Engine, events: list) -> None:
    for start in range(0, len(events), 32):  # in the writer's batches
        with session_scope(engine) as session:
            service.record_events(session=session, events=events[start : start + 32])


def test_a_range_read_as_its_past_and_today_shows_what_the_whole_range_does(engine: Engine) -> None:
    events = made(400)
    write(engine, events)
    kept = KeptPast(engine)
    for days in (7, 30):
        since = TODAY - timedelta(days=days - 1)
        assert kept.view(since, TODAY, TODAY) == range_view(engine, since, TODAY)
    # More today, from new visitors on a new page: today's part brings them.
    later = [replace(event, day=TODAY, path="/new", tab=f"later-{n}", visitor_hash=f"{n + 900:032x}",
                     seen=event.seen + 10**6) for n, event in enumerate(made(40, seed=8))]  # fmt: skip
    write(engine, later)
    since = TODAY - timedelta(days=6)
    counter = QueryCounter(engine)
    try:
        shown = kept.view(since, TODAY, TODAY)
    finally:
        counter.close()
    assert shown == range_view(engine, since, TODAY)
    assert shown["totals"][0]["views"] == len([e for e in events if e.day >= since]) + 40
    assert counter.selects == 4  # today's breakdowns, entries and exits, totals, reading: not the week's


def test_a_day_before_today_written_later_shows_once_the_kept_past_is_old(engine: Engine) -> None:
    write(engine, made(100))
    now = [1000.0]
    kept = KeptPast(engine, clock=lambda: now[0])
    since = TODAY - timedelta(days=6)
    before = kept.view(since, TODAY, TODAY)["totals"][0]["views"]
    yesterday = [
        replace(event, day=TODAY - timedelta(days=1), tab=f"import-{n}") for n, event in enumerate(made(5, seed=9))
    ]
    write(engine, yesterday)  # an import of history, say
    assert kept.view(since, TODAY, TODAY)["totals"][0]["views"] == before  # kept: not read again yet
    now[0] += PAST_KEPT
    assert kept.view(since, TODAY, TODAY)["totals"][0]["views"] == before + 5
    # Tomorrow, the days before it are read afresh.
    tomorrow = TODAY + timedelta(days=1)
    assert kept.view(since + timedelta(days=1), tomorrow, tomorrow) == range_view(
        engine, since + timedelta(days=1), tomorrow
    )
