"""Analytics at scale: fill a database with a realistic history, then time every dashboard query.

    python bench/analytics_scale.py seed --database-url URL --views 1000000 --days 365
    python bench/analytics_scale.py run --database-url URL

`seed` migrates a fresh database and writes through the same code the app writes with
(`service.record_events`, in batches as the writer makes them): Zipf-distributed pages (500) over a
few sites, referrers, browsers, systems, devices, countries, campaigns, visitors coming back within a
day, a reading report for 60% of page views and a goal for 2%. `run` prints
p50/p95 of each query the dashboard makes, read from the rollups, next to the same numbers computed
from the detailed tables (what the dashboard read before the rollups) in the same run where those
tables are still written (the chart; the breakdowns' detail is gone: see the README), then starts
the built app on that database for the live figures (`bench/analytics_live.py`: dashboard open time
in Chromium, ingestion with 0/1/5 dashboards open, bytes per update, memory per dashboard). It fails
if any rollup query's p95 is over 50 ms.
"""

from __future__ import annotations

import argparse
import random
import statistics
import sys
import time
from collections.abc import Callable
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import sqlalchemy as sa
from sqlmodel import Session

from accumulator.analytics import depth, depth_queries, queries, series, service
from accumulator.analytics.depth_models import VisitState
from accumulator.analytics.range_view import range_view
from accumulator.analytics.service import CountedEvent
from accumulator.db import create_db_engine, session_scope
from bench.analytics_live import live_figures
from tests.conftest import alembic_upgrade

SITES = ("blog", "shop", "docs")
PAGES = 500
BATCH = 5_000
AIM_MS = 50.0
TODAY = date(2026, 11, 30)
HOURS = list(range(24))
COUNTRIES = ("US", "GB", "DE", "FR", "NL", "IN", "CA", "BR", "JP", "AU", "SE", "ES", "IT", "PL", "")
SOURCES = ("newsletter", "twitter", "hn", "reddit", "mastodon")
GOALS = ("Signup", "Outbound Link: Click", "File Download", "404")
HOUR_WEIGHTS = [1 + 3 * (8 <= h <= 22) for h in HOURS]  # readers mostly in the day


def _zipf_weights(count: int, exponent: float = 1.1) -> list[float]:
    return [1 / (rank**exponent) for rank in range(1, count + 1)]


def seed(url: str, views: int, days: int) -> None:
    alembic_upgrade(url)
    engine = create_db_engine(url)
    rng = random.Random(42)
    pages = [(rng.choice(SITES), f"/posts/{n}") for n in range(PAGES)]
    page_weights = _zipf_weights(PAGES)
    referrers = ["(direct)"] * 6 + [f"ref{n}.example" for n in range(60)]
    browsers = ["Chrome", "Firefox", "Safari", "Edge", "Mobile Safari", "Samsung Internet", "Opera", "Unknown"]
    systems = ["Windows", "macOS", "Linux", "iOS", "Android", "Chrome OS"]
    devices = ["Desktop", "Mobile", "Tablet"]
    per_day = views // days
    started = time.perf_counter()
    written = 0
    for offset in range(days):
        day = TODAY - timedelta(days=days - 1 - offset)
        midnight = datetime(day.year, day.month, day.day)
        visitors = max(1, per_day // 3)  # each visitor reads about three pages that day
        count = per_day if offset < days - 1 else views - written
        picked = rng.choices(pages, weights=page_weights, k=count)
        events = []
        for site, path in picked:
            reader = rng.randrange(visitors)
            hour = midnight + timedelta(hours=rng.choices(HOURS, weights=HOUR_WEIGHTS)[0])
            seen = int(hour.replace(tzinfo=UTC).timestamp()) + rng.randrange(3600)
            common = {"site": site, "path": path, "day": day, "visitor_hash": f"{offset:05d}{reader:027x}",
                      "tab": f"{offset:05d}{reader:027x}", "seen": seen}  # fmt: skip
            kind = "pageview" if rng.random() < 0.98 else "like"
            events.append(CountedEvent(
                kind=kind, browser=rng.choice(browsers), os=rng.choice(systems), device=rng.choice(devices),
                referrer=rng.choice(referrers), hour=hour, country=rng.choice(COUNTRIES),
                utm_source=rng.choice(SOURCES) if rng.random() < 0.05 else "", **common,
            ))  # fmt: skip
            if kind == "pageview" and rng.random() < 0.6:  # a leave that reported reading
                engaged = int(rng.expovariate(1 / 70))
                events.append(CountedEvent(kind="engage", engaged=engaged, scroll=rng.choice((20, 45, 80, 100)),
                                           **common))  # fmt: skip
            if kind == "pageview" and rng.random() < 0.02:
                events.append(CountedEvent(kind="event", goal=rng.choice(GOALS), **common))
        for start in range(0, len(events), BATCH):
            with session_scope(engine) as session:
                written += service.record_events(session=session, events=events[start : start + BATCH])
        with session_scope(engine) as session:
            # As the app's nightly job does (`forget_visitors`): open visits of days before yesterday
            # go. The daily visitor hashes stay, for the baseline's distinct counts from the details.
            table = VisitState.__table__
            session.execute(sa.delete(table).where(table.c.day < day - timedelta(days=1)))
            depth.forget_minutes(session=session, now=midnight.replace(tzinfo=UTC) + timedelta(days=1))
        if engine.dialect.name == "postgresql":
            # What autovacuum does over a day of real traffic, which a seed writes in seconds: every
            # batch rewrites its visits' rows, and a bloated table with stale statistics is scanned whole.
            with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
                connection.execute(sa.text("VACUUM ANALYZE analytics_visit"))
        if offset % 30 == 0:
            print(f"  {day}: {written:,} events, {time.perf_counter() - started:.0f} s", flush=True)
    print(f"seeded {written:,} events over {days} days in {time.perf_counter() - started:.1f} s")


# What the dashboard read from the detailed tables before the rollups (the baseline).


def _detail_chart(session: Session, today: date, path: str | None) -> list:
    first = today - timedelta(days=29)
    views = "SELECT day, SUM(views) FROM daily_page_stat WHERE day >= :first"
    visitors = (
        "SELECT day, COUNT(*) FROM (SELECT DISTINCT day, site, visitor_hash FROM daily_visitor WHERE day >= :first"
    )
    if path:
        views += " AND path = :path"
        visitors += " AND path = :path"
    params = {"first": first, "path": path}
    return [
        session.execute(sa.text(views + " GROUP BY day"), params).all(),
        session.execute(sa.text(visitors + ") d GROUP BY day"), params).all(),
    ]


def _timed(engine, query: Callable[[Session], object], repeat: int) -> tuple[float, float]:
    times = []
    for _ in range(repeat):
        with Session(engine) as session:
            started = time.perf_counter()
            query(session)
            times.append((time.perf_counter() - started) * 1000)
    times.sort()
    return statistics.median(times), times[min(len(times) - 1, int(len(times) * 0.95))]


def run(url: str, repeat: int, baseline: bool, live: bool) -> int:
    engine = create_db_engine(url)
    with engine.connect() as connection:
        total = connection.execute(sa.text("SELECT COALESCE(SUM(views), 0) FROM page_stat")).scalar_one()
        today = connection.execute(sa.text("SELECT MAX(day) FROM daily_site_stat")).scalar_one()
        top = connection.execute(sa.text("SELECT site, path FROM page_stat ORDER BY views DESC LIMIT 1")).one()
    today = today if isinstance(today, date) else date.fromisoformat(today)
    since = {r: today - timedelta(days=r - 1) for r in (7, 30, 90)}
    print(f"{engine.dialect.name}: {total:,} page views; {repeat} runs of each query; times in ms")
    timed: list[tuple[str, Callable[[Session], object], Callable[[Session], object] | None]] = [
        ("pages (all, with today's views)", lambda s: queries.pages(session=s, today=today), None),
        ("total views", lambda s: queries.total_views(session=s), None),
        ("unique visitors today", lambda s: queries.unique_visitors(session=s, day=today), None),
        (
            "30-day chart, all pages",
            lambda s: queries.daily_series(session=s, today=today),
            lambda s: _detail_chart(s, today, None),
        ),
        (
            "30-day chart, one page",
            lambda s: queries.daily_series(session=s, today=today, site=top[0], path=top[1]),
            lambda s: _detail_chart(s, today, top[1]),
        ),
    ]
    now = datetime(today.year, today.month, today.day, 15, tzinfo=UTC)
    timed += [
        ("30-day chart beside the 30 before", lambda s: series.days(engine, today, None, None), None),
        ("today by hour", lambda s: series.hours(engine, now, UTC, None, None), None),
        ("last 30 minutes", lambda s: series.minutes(engine, now, UTC), None),
    ]
    for label, days in (("7 days", 7), ("30 days", 30), ("90 days", 90), ("all time", None)):
        start = since.get(days) if days else None
        timed.append(
            (
                f"breakdowns (10 kinds), {label}",
                lambda s, start=start: queries.breakdowns(session=s, since=start, limit=8),
                None,  # the per-page detail they were summed from is no longer written
            )
        )
        timed.append(
            (
                f"entry and exit pages, {label}",
                lambda s, start=start: depth_queries.entries_and_exits(session=s, since=start),
                None,
            )
        )
        timed.append(
            (f"reading summary, {label}", lambda s, start=start: depth_queries.reading_summary(session=s, since=start),
             None)
        )  # fmt: skip
        # Everything the Audience section reads for a range, in one transaction (as the feed does).
        until = today if days else None
        timed.append(
            (f"whole range view, {label}", lambda s, start=start, until=until: range_view(engine, start, until), None)
        )
    worst = 0.0
    print(f"{'query':38} {'rollup p50':>10} {'p95':>8}   {'before p50':>10} {'p95':>8}")
    for label, query, before in timed:
        p50, p95 = _timed(engine, query, repeat)
        worst = max(worst, p95)
        old = _timed(engine, before, max(3, repeat // 5)) if before and baseline else None
        was = f"{old[0]:10.1f} {old[1]:8.1f}" if old else f"{'':10} {'':8}"
        print(f"{label:38} {p50:10.1f} {p95:8.1f}   {was}")
    print(f"worst p95 {worst:.1f} ms (aim ≤ {AIM_MS:.0f} ms)")
    engine.dispose()
    if live:
        live_figures(url)
    return 0 if worst <= AIM_MS else 1


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    commands = parser.add_subparsers(dest="command", required=True)
    seeding = commands.add_parser("seed")
    seeding.add_argument("--database-url", required=True)
    seeding.add_argument("--views", type=int, default=1_000_000)
    seeding.add_argument("--days", type=int, default=365)
    running = commands.add_parser("run")
    running.add_argument("--database-url", required=True)
    running.add_argument("--repeat", type=int, default=40)
    running.add_argument("--no-baseline", action="store_true", help="skip the queries of the detailed tables")
    running.add_argument("--no-live", action="store_true", help="skip the figures of the running app")
    args = parser.parse_args()
    if args.command == "seed":
        seed(args.database_url, args.views, args.days)
        return 0
    return run(args.database_url, args.repeat, not args.no_baseline, not args.no_live)


if __name__ == "__main__":
    sys.exit(main())
