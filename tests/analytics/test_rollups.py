"""The dashboard reads rollups kept at write time: they always equal what the detailed counters
add up to, distinct visitors are counted exactly once even with writers racing, and the migration
carries the counts already stored (the history imported from the original included) into them."""

from __future__ import annotations

import random
from concurrent.futures import ThreadPoolExecutor
from datetime import date, timedelta

import pytest
import sqlalchemy as sa
from alembic import command
from alembic.config import Config
from sqlalchemy.engine import Engine
from sqlmodel import Session

from accumulator.analytics import service
from accumulator.analytics.service import CountedEvent
from accumulator.db import session_scope
from accumulator.settings import PROJECT_ROOT
from tests.conftest import fresh_database

DAY = date(2026, 11, 30)


def events(count: int, *, seed: int = 1) -> list[CountedEvent]:
    rng = random.Random(seed)
    return [
        CountedEvent(
            kind="pageview" if rng.random() < 0.9 else "like",
            site=rng.choice(["blog", "shop"]),
            path=f"/post-{rng.randint(1, 12)}",
            day=DAY - timedelta(days=rng.randint(0, 3)),
            visitor_hash=f"{rng.randint(1, 40):032x}",
            browser=rng.choice(["Firefox", "Chrome"]),
            os=rng.choice(["Linux", "iOS"]),
            device=rng.choice(["Desktop", "Mobile"]),
            referrer=rng.choice(["(direct)", "news.example"]),
        )
        for _ in range(count)
    ]


def rows(engine: Engine, sql: str) -> set[tuple]:
    with engine.connect() as connection:
        return {tuple(row) for row in connection.execute(sa.text(sql))}


def expected_rollups(engine: Engine) -> dict[str, set[tuple]]:
    """The rollups as the detailed counters add them up."""
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
        "site dimensions": rows(
            engine,
            "SELECT day, site, kind, value, SUM(views) FROM daily_dimension GROUP BY day, site, kind, value",
        ),
        "all-time dimensions": rows(
            engine, "SELECT site, kind, value, SUM(views) FROM daily_dimension GROUP BY site, kind, value"
        ),
    }


def stored_rollups(engine: Engine) -> dict[str, set[tuple]]:
    return {
        "site days": rows(engine, "SELECT day, site, views, likes, visitors FROM daily_site_stat"),
        "page visitors": rows(engine, "SELECT day, site, path, visitors FROM daily_page_stat"),
        "site dimensions": rows(engine, "SELECT day, site, kind, value, views FROM daily_site_dimension"),
        "all-time dimensions": rows(engine, "SELECT site, kind, value, views FROM site_dimension_total"),
    }


def _normalised(found: dict[str, set[tuple]]) -> dict[str, set[tuple]]:
    # SQLite gives days back as text in raw SQL; both sides say the same thing.
    return {name: {tuple(str(value) for value in row) for row in table} for name, table in found.items()}


def test_the_rollups_equal_what_the_counters_add_up_to(engine: Engine) -> None:
    batch = events(600)
    for start in range(0, len(batch), 50):  # many batches: visitors come back across them
        with session_scope(engine) as session:
            service.record_events(session=session, events=batch[start : start + 50])
    assert _normalised(stored_rollups(engine)) == _normalised(expected_rollups(engine))
    with Session(engine) as session:
        series = service.daily_series(session=session, today=DAY, days=5)
        visitors_today = service.unique_visitors(session=session, day=DAY)
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
    assert stored == _normalised(expected_rollups(engine))
    pageviews = [e for e in same if e.kind == "pageview"]
    with Session(engine) as session:
        visitors = service.unique_visitors(session=session, day=DAY)
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
            series = service.daily_series(session=session, today=DAY, days=1)
            assert (series[0].views, series[0].visitors) == (150, 2)
            assert service.breakdown(session=session, kind="browser") == [("Firefox", 130)]
            old = service.daily_series(session=session, today=DAY - timedelta(days=400), days=1)
            assert old[0].views == 7
            page = service.daily_series(session=session, today=DAY, days=1, site="blog", path="/")
            assert (page[0].views, page[0].visitors) == (120, 2)
        engine.dispose()


def test_all_breakdowns_at_once_equal_each_one(engine: Engine) -> None:
    with session_scope(engine) as session:
        service.record_events(session=session, events=events(400, seed=3))
    with Session(engine) as session:
        for since in (None, DAY - timedelta(days=1)):
            together = service.breakdowns(session=session, since=since, limit=3)
            assert together == {
                kind: service.breakdown(session=session, kind=kind, since=since, limit=3) for kind in service.DIMENSIONS
            }
