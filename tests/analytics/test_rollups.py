"""The dashboard reads rollups kept at write time: they always equal what the detailed counters
(and, for breakdowns and hours, the events written) add up to, distinct visitors are counted exactly
once even with writers racing, and the migration carries the counts already stored (the history
imported from the original included) into them."""

from __future__ import annotations

import random
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
import sqlalchemy as sa
from alembic import command
from alembic.config import Config
from sqlalchemy.engine import Engine
from sqlmodel import Session, select

from accumulator.analytics import queries, service
from accumulator.analytics.incoming import IncomingEvent
from accumulator.analytics.ingest import Ingestor
from accumulator.analytics.models import HourlyPageStat, HourlySiteStat
from accumulator.analytics.service import CountedEvent
from accumulator.db import session_scope
from accumulator.realtime import MemoryBus, MemoryPresence
from accumulator.settings import PROJECT_ROOT
from tests.conftest import fresh_database

DAY = date(2026, 11, 30)


def events(count: int, *, seed: int = 1) -> list[CountedEvent]:
    rng = random.Random(seed)
    made = []
    for _ in range(count):
        day = DAY - timedelta(days=rng.randint(0, 3))
        made.append(
            CountedEvent(
                kind="pageview" if rng.random() < 0.9 else "like",
                site=rng.choice(["blog", "shop"]),
                path=f"/post-{rng.randint(1, 12)}",
                day=day,
                visitor_hash=f"{rng.randint(1, 40):032x}",
                browser=rng.choice(["Firefox", "Chrome"]),
                os=rng.choice(["Linux", "iOS"]),
                device=rng.choice(["Desktop", "Mobile"]),
                referrer=rng.choice(["(direct)", "news.example"]),
                # In UTC (the owner's zone here), a quarter of them without an hour (as history is).
                hour=datetime.combine(day, time(rng.randint(0, 23))) if rng.random() < 0.75 else None,
            )
        )
    return made


def rows(engine: Engine, sql: str) -> set[tuple]:
    with engine.connect() as connection:
        return {tuple(row) for row in connection.execute(sa.text(sql))}


def expected_rollups(engine: Engine, written: list[CountedEvent]) -> dict[str, set[tuple]]:
    """The rollups as the detailed counters add them up, and the breakdowns and hours as the events
    `written` do (per page, ingestion keeps neither)."""
    daily: Counter[tuple] = Counter()
    total: Counter[tuple] = Counter()
    site_hours: Counter[tuple] = Counter()
    page_hours: Counter[tuple] = Counter()
    for event in written:
        if event.hour is not None:
            field = 0 if event.kind == "pageview" else 1
            site_hours[(event.hour, event.site, field)] += 1
            page_hours[(event.hour, event.site, event.path, field)] += 1
        if event.kind != "pageview":
            continue
        for kind in service.DIMENSIONS:
            daily[(event.day, event.site, kind, getattr(event, kind))] += 1
            total[(event.site, kind, getattr(event, kind))] += 1

    def views_and_likes(counts: Counter[tuple]) -> set[tuple]:
        keys = {key[:-1] for key in counts}
        return {(*key, counts[(*key, 0)], counts[(*key, 1)]) for key in keys}

    return {
        "site days": rows(
            engine,
            "SELECT p.day, p.site, SUM(p.views), SUM(p.likes), "
            "(SELECT COUNT(DISTINCT v.visitor_hash) FROM daily_visitor v WHERE v.day = p.day AND v.site = p.site) "
            "FROM daily_page_stat p GROUP BY p.day, p.site",
        ),
        "page visitors": rows(
            engine,
            "SELECT p.day, p.site, p.path, (SELECT COUNT(*) FROM daily_visitor v "
            "WHERE v.day = p.day AND v.site = p.site AND v.path = p.path) FROM daily_page_stat p",
        ),
        "site dimensions": {(*key, views) for key, views in daily.items()},
        "all-time dimensions": {(*key, views) for key, views in total.items()},
        "site hours": views_and_likes(site_hours),
        "page hours": views_and_likes(page_hours),
    }


def stored_rollups(engine: Engine) -> dict[str, set[tuple]]:
    return {
        "site days": rows(engine, "SELECT day, site, views, likes, visitors FROM daily_site_stat"),
        "page visitors": rows(engine, "SELECT day, site, path, visitors FROM daily_page_stat"),
        "site dimensions": rows(engine, "SELECT day, site, kind, value, views FROM daily_site_dimension"),
        "all-time dimensions": rows(engine, "SELECT site, kind, value, views FROM site_dimension_total"),
        # Read through the models: raw SQL gives SQLite's text for a datetime.
        "site hours": _rows_of(engine, HourlySiteStat, "hour", "site", "views", "likes"),
        "page hours": _rows_of(engine, HourlyPageStat, "hour", "site", "path", "views", "likes"),
    }


def _rows_of(engine: Engine, model: type, *names: str) -> set[tuple]:
    with Session(engine) as session:
        return {tuple(getattr(row, name) for name in names) for row in session.exec(select(model))}


def _normalised(found: dict[str, set[tuple]]) -> dict[str, set[tuple]]:
    # SQLite gives days back as text in raw SQL; both sides say the same thing.
    return {name: {tuple(str(value) for value in row) for row in table} for name, table in found.items()}


def test_the_rollups_equal_what_the_counters_add_up_to(engine: Engine) -> None:
    batch = events(600)
    for start in range(0, len(batch), 50):  # many batches: visitors come back across them
        with session_scope(engine) as session:
            service.record_events(session=session, events=batch[start : start + 50])
    assert _normalised(stored_rollups(engine)) == _normalised(expected_rollups(engine, batch))
    with Session(engine) as session:
        series = queries.daily_series(session=session, today=DAY, days=5)
        visitors_today = queries.unique_visitors(session=session, day=DAY)
    views_today = sum(1 for e in batch if e.day == DAY and e.kind == "pageview")
    assert series[-1].views == views_today
    assert visitors_today == len({(e.site, e.visitor_hash) for e in batch if e.day == DAY and e.kind == "pageview"})


@pytest.mark.postgresql
def test_visitors_are_counted_once_when_writers_race(engine: Engine) -> None:
    """Eight writers record the same visitors at once (as several instances would)."""
    same = events(300, seed=7)

    def write(_: int) -> None:
        with session_scope(engine) as session:
            service.record_events(session=session, events=same)

    with ThreadPoolExecutor(8) as pool:
        list(pool.map(write, range(8)))
    stored = _normalised(stored_rollups(engine))
    assert stored == _normalised(expected_rollups(engine, same * 8))
    pageviews = [e for e in same if e.kind == "pageview"]
    with Session(engine) as session:
        visitors = queries.unique_visitors(session=session, day=DAY)
    assert visitors == len({(e.site, e.visitor_hash) for e in pageviews if e.day == DAY})


def test_the_migration_carries_existing_counts_into_the_rollups(
    tmp_path_factory: pytest.TempPathFactory, database: str
) -> None:
    kind = "postgresql" if database.startswith("postgresql") else "sqlite"
    with fresh_database(kind, tmp_path_factory) as url:
        cfg = Config(str(PROJECT_ROOT / "alembic.ini"))
        cfg.attributes["database_url"] = url
        command.downgrade(cfg, "0007")
        engine = sa.create_engine(url)
        with engine.begin() as connection:  # counts as the previous version (or the import) stored them
            connection.execute(
                sa.text("INSERT INTO daily_page_stat (day, site, path, views, likes) VALUES (:d, :s, :p, :v, :l)"),
                [
                    {"d": DAY, "s": "blog", "p": "/", "v": 120, "l": 3},
                    {"d": DAY, "s": "blog", "p": "/about", "v": 30, "l": 0},
                    {"d": DAY - timedelta(days=400), "s": "blog", "p": "/", "v": 7, "l": 1},  # the original's
                ],
            )
            connection.execute(
                sa.text("INSERT INTO daily_visitor (day, site, path, visitor_hash) VALUES (:d, 'blog', :p, :h)"),
                [{"d": DAY, "p": "/", "h": "a"}, {"d": DAY, "p": "/about", "h": "a"}, {"d": DAY, "p": "/", "h": "b"}],
            )
            connection.execute(
                sa.text(
                    "INSERT INTO daily_dimension (day, site, path, kind, value, views) "
                    "VALUES (:d, 'blog', :p, 'browser', :b, :v)"
                ),
                [{"d": DAY, "p": "/", "b": "Firefox", "v": 100}, {"d": DAY, "p": "/about", "b": "Firefox", "v": 30}],
            )
        command.upgrade(cfg, "head")
        with Session(engine) as session:
            series = queries.daily_series(session=session, today=DAY, days=1)
            assert (series[0].views, series[0].visitors) == (150, 2)
            assert queries.breakdown(session=session, kind="browser") == [("Firefox", 130)]
            old = queries.daily_series(session=session, today=DAY - timedelta(days=400), days=1)
            assert old[0].views == 7
            page = queries.daily_series(session=session, today=DAY, days=1, site="blog", path="/")
            assert (page[0].views, page[0].visitors) == (120, 2)
        engine.dispose()


def test_all_breakdowns_at_once_equal_each_one(engine: Engine) -> None:
    with session_scope(engine) as session:
        service.record_events(session=session, events=events(400, seed=3))
    with Session(engine) as session:
        for since in (None, DAY - timedelta(days=1)):
            together = queries.breakdowns(session=session, since=since, limit=3)
            assert together == {
                kind: queries.breakdown(session=session, kind=kind, since=since, limit=3)
                for kind in queries.BREAKDOWN_KINDS
            }


async def test_today_by_hour_shows_each_view_in_the_hour_it_came(engine: Engine, session: Session) -> None:
    """Page views through the ingestion path, a second each side of an hour; the hours are UTC
    (10:00 UTC is 11:00 in Paris) and the owner's zone decides only the days."""
    moments: list[datetime] = []
    ingestor = Ingestor(
        engine=engine,
        zone=ZoneInfo("Europe/Paris"),
        presence=MemoryPresence(),
        bus=MemoryBus(),
        clock=lambda: moments[-1],
    )

    async def seen(moment: datetime, path: str, kind: str = "pageview", site: str = "blog") -> None:
        moments.append(moment)
        await ingestor.accept(
            IncomingEvent(type=kind, site=site, path=path, visitor="visitor-1"),
            ip="203.0.113.9",
            user_agent="Mozilla/5.0 (X11; Linux x86_64; rv:121.0) Gecko/20100101 Firefox/121.0",
            page_origin=None,
        )

    at, noon = datetime(2026, 12, 2, 9, 59, 59, tzinfo=UTC), datetime(2026, 12, 2, 12, tzinfo=UTC)
    await seen(at, "/a")
    await seen(at + timedelta(seconds=1), "/a")  # 10:00:00, the next hour
    await seen(at + timedelta(minutes=30), "/b")
    await seen(at + timedelta(minutes=31), "/b", kind="like")
    await seen(at + timedelta(hours=2), "/a")  # 11:59:59
    await seen(at + timedelta(minutes=40), "/", site="shop")
    await ingestor.flush()

    today = queries.hourly_series(
        session=session, since=datetime(2026, 12, 2, 9, 30, tzinfo=UTC), until=datetime(2026, 12, 2, 13, tzinfo=UTC)
    )
    assert [(point.hour, point.views, point.likes) for point in today] == [
        (datetime(2026, 12, 2, 9, tzinfo=UTC), 1, 0),
        (datetime(2026, 12, 2, 10, tzinfo=UTC), 3, 1),
        (datetime(2026, 12, 2, 11, tzinfo=UTC), 1, 0),
        (datetime(2026, 12, 2, 12, tzinfo=UTC), 0, 0),  # nothing came: a zero, not a gap
    ]
    assert today[1].hour.astimezone(ZoneInfo("Europe/Paris")).hour == 11  # the reader converts
    blog = queries.hourly_series(session=session, since=at, until=noon, site="blog")
    assert [point.views for point in blog] == [1, 2, 1]
    page = queries.hourly_series(session=session, since=at, until=noon, site="blog", path="/b")
    assert [(point.views, point.likes) for point in page] == [(0, 0), (1, 1), (0, 0)]
    # Given in another zone, the same moments give the same hours.
    paris = ZoneInfo("Europe/Paris")
    again = queries.hourly_series(session=session, since=at.astimezone(paris), until=noon.astimezone(paris))
    assert [point.views for point in again] == [1, 3, 1]
    # The day rollups agree: all of them came on 2 December in Paris.
    assert queries.daily_series(session=session, today=date(2026, 12, 2), days=1)[0].views == 5
    with pytest.raises(ValueError):  # a moment without a zone could be any hour
        queries.hourly_series(session=session, since=datetime(2026, 12, 2, 9), until=noon)


def test_visitor_hashes_older_than_yesterday_are_deleted_and_the_counts_stay(engine: Engine) -> None:
    analytics = service  # counting; the numbers are read with `queries`
    today = date(2026, 3, 10)
    events = [
        CountedEvent(kind="pageview", site="blog", path="/a", day=today - timedelta(days=ago), visitor_hash=h)
        for ago in (0, 1, 2, 30)
        for h in ("a" * 32, "b" * 32)
    ]
    with session_scope(engine) as session:
        analytics.record_events(session=session, events=events)
    with session_scope(engine) as session:
        before = queries.daily_series(session=session, today=today, days=31)
        assert analytics.forget_visitors(session=session, today=today) == 2 * 2 * 2  # two days, page and site
    with session_scope(engine) as session:
        assert queries.daily_series(session=session, today=today, days=31) == before
        days = {row[0] for row in session.exec(sa.text("SELECT DISTINCT day FROM daily_visitor")).all()}
        assert {analytics._as_date(day) for day in days} == {today, today - timedelta(days=1)}
        # Yesterday's and today's visitors are still told apart from new ones.
        again = CountedEvent(kind="pageview", site="blog", path="/a", day=today, visitor_hash="a" * 32)
        analytics.record_events(session=session, events=[again])
    with session_scope(engine) as session:
        assert queries.unique_visitors(session=session, day=today) == 2
