"""The filters' cost: what the joint rollup (analytics/segments.py) adds to each batch the writer
writes, and how long a filtered dashboard takes to compute at a realistic size.

    python bench/segment_writer.py --database-url URL [--views 300000] [--days 30]

Migrates a fresh database at URL, seeds it through `service.record_events` (realistic pages,
referrers, agents, countries, campaigns: bench/analytics_scale.py's mix), then times batches of 32
page views (the writer's batch under steady traffic) with the segment upsert and, in the same run on
the same data, with it skipped (the writer before revision 0018), and finally the filtered views.
"""

from __future__ import annotations

import argparse
import random
import statistics
import sys
import time
from datetime import UTC, datetime, timedelta
from datetime import time as clock
from pathlib import Path
from zoneinfo import ZoneInfo

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from accumulator.analytics import segments, service
from accumulator.analytics.filtered_view import filtered_view
from accumulator.analytics.range_view import range_view
from accumulator.analytics.service import CountedEvent
from accumulator.db import create_db_engine, session_scope
from bench.analytics_scale import COUNTRIES, SITES, SOURCES, TODAY, _zipf_weights
from tests.conftest import alembic_upgrade

RNG = random.Random(7)
PAGES = [(RNG.choice(SITES), f"/posts/{n}") for n in range(500)]
WEIGHTS = _zipf_weights(len(PAGES))
REFERRERS = ["(direct)"] * 6 + [f"ref{n}.example" for n in range(60)]
BROWSERS = ["Chrome", "Firefox", "Safari", "Edge", "Mobile Safari", "Samsung Internet", "Opera", "Unknown"]
SYSTEMS = ["Windows", "macOS", "Linux", "iOS", "Android", "Chrome OS"]
DEVICES = ["Desktop", "Mobile", "Tablet"]


def views(count: int, day, rng: random.Random) -> list[CountedEvent]:
    made = []
    for site, path in rng.choices(PAGES, weights=WEIGHTS, k=count):
        reader = f"{rng.randrange(10**6):032x}"
        made.append(CountedEvent(
            kind="pageview", site=site, path=path, day=day, visitor_hash=reader, tab=reader, seen=1,
            browser=rng.choice(BROWSERS), os=rng.choice(SYSTEMS), device=rng.choice(DEVICES),
            referrer=rng.choice(REFERRERS), country=rng.choice(COUNTRIES),
            hour=datetime.combine(day, clock(rng.randrange(24))),
            utm_source=rng.choice(SOURCES) if rng.random() < 0.05 else "",
        ))  # fmt: skip
    return made


def p50_p95(samples: list[float]) -> str:
    ordered = sorted(samples)
    return f"p50 {statistics.median(ordered):.2f} ms, p95 {ordered[int(0.95 * (len(ordered) - 1))]:.2f} ms"


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--database-url", required=True)
    parser.add_argument("--views", type=int, default=300_000)
    parser.add_argument("--days", type=int, default=30)
    parser.add_argument("--batches", type=int, default=300)
    args = parser.parse_args()
    alembic_upgrade(args.database_url)
    engine = create_db_engine(args.database_url)
    rng = random.Random(1)
    started = time.perf_counter()
    for offset in range(args.days):
        day = TODAY - timedelta(days=args.days - 1 - offset)
        batch = views(args.views // args.days, day, rng)
        for start in range(0, len(batch), 5_000):
            with session_scope(engine) as session:
                service.record_events(session=session, events=batch[start : start + 5_000])
    print(f"seeded {args.views:,} page views over {args.days} days in {time.perf_counter() - started:.0f} s")
    with engine.connect() as connection:
        rows = connection.exec_driver_sql("SELECT COUNT(*) FROM analytics_daily_segment").scalar_one()
    print(f"joint rollup: {rows:,} rows ({rows / args.days:,.0f} per day)")

    kept = segments.add
    timings: dict[str, list[float]] = {"with segments (after)": [], "without segments (before)": []}
    for n in range(args.batches):  # alternated, so both see the same database and cache state
        for name in timings if n % 2 else reversed(list(timings)):
            batch = views(32, TODAY, rng)
            # The writer before revision 0018, on the same data: the segment upsert skipped.
            segments.add = kept if name.startswith("with ") else (lambda session, combinations: None)
            began = time.perf_counter()
            with session_scope(engine) as session:
                service.record_events(session=session, events=batch)
            timings[name].append(1000 * (time.perf_counter() - began))
    segments.add = kept
    for name, samples in timings.items():
        print(f"record_events, batches of 32, {name}: {p50_p95(samples)}")

    since, until = TODAY - timedelta(days=29), TODAY
    now = datetime.combine(TODAY, clock(18), tzinfo=UTC)
    base = range_view(engine, since, until)
    cases = {
        "unfiltered range view (30 days, as today)": None,
        "referrer=ref3.example": (("referrer", "ref3.example"),),
        "referrer=(direct) AND country=DE": (("country", "DE"), ("referrer", "(direct)")),
        "page=/posts/0 AND site (exact per-page)": (("page", PAGES[0][1]), ("site", PAGES[0][0])),
        "browser=Firefox AND device=Mobile AND os=Android": (("browser", "Firefox"), ("device", "Mobile"),
                                                              ("os", "Android")),
    }  # fmt: skip
    for name, chosen in cases.items():
        samples = []
        for _ in range(15):
            began = time.perf_counter()
            if chosen is None:
                range_view(engine, since, until)
            else:
                filtered_view(engine, filters=chosen, base=base, since=since, until=until, today=TODAY, now=now,
                              zone=ZoneInfo("UTC"))  # fmt: skip
            samples.append(1000 * (time.perf_counter() - began))
        print(f"{name}: {p50_p95(samples)}")


if __name__ == "__main__":
    main()
