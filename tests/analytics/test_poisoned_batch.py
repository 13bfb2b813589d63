"""One page view the database refuses must not stop the counting: the writer retries a failing
batch a few times, then writes it in parts, counts every good event and sets the bad one aside
(logged, and kept as a JSON line for inspection). A database outage is different: nothing is set
aside, the events wait until the database is back."""

from __future__ import annotations

import asyncio
import json
import logging
from collections.abc import AsyncIterator
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy.engine import Engine, make_url
from sqlmodel import Session

from accumulator.analytics import queries
from accumulator.analytics.incoming import IncomingEvent
from accumulator.analytics.ingest import Ingestor
from accumulator.db import create_db_engine
from accumulator.realtime import MemoryBus, MemoryPresence
from tests.tcp_proxy import proxy_to

CHROME = "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/120.0 Safari/537.36"


def event(path: str, visitor: str = "tab-token-1") -> IncomingEvent:
    """An event as the route hands it on: built here directly, so it need not pass the parser
    (which refuses these paths) and plays any event the database might refuse."""
    return IncomingEvent(type="pageview", site="blog", path=path, visitor=visitor)


def make_ingestor(engine: Engine, set_aside: Path) -> Ingestor:
    return Ingestor(
        engine=engine,
        zone=ZoneInfo("UTC"),
        presence=MemoryPresence(),
        bus=MemoryBus(),
        flush_interval=0.001,
        retry_delay=0.02,
        set_aside=set_aside,
    )


@pytest.fixture
async def running(engine: Engine, tmp_path: Path) -> AsyncIterator[Ingestor]:
    ingestor = make_ingestor(engine, tmp_path / "set-aside.jsonl")
    task = asyncio.create_task(ingestor.run())
    yield ingestor
    task.cancel()
    await asyncio.gather(task, return_exceptions=True)


async def accept(ingestor: Ingestor, *events: IncomingEvent) -> None:
    for item in events:
        assert await ingestor.accept(item, ip="203.0.113.9", user_agent=CHROME, page_origin=None)


async def until(condition, seconds: float = 10.0) -> None:
    for _ in range(int(seconds / 0.01)):
        if condition():
            return
        await asyncio.sleep(0.01)
    raise AssertionError("the writer did not get there in time")


def views(session: Session, path: str) -> int:
    session.expire_all()
    return queries.page_counts(session=session, site="blog", path=path)[0]


def set_aside_lines(ingestor: Ingestor) -> list[dict]:
    if not ingestor.set_aside.exists():
        return []
    return [json.loads(line) for line in ingestor.set_aside.read_text(encoding="utf-8").splitlines()]


@pytest.mark.parametrize(
    "bad",
    [
        pytest.param("/bad-\ud800", id="lone-surrogate"),  # no encoding can write it
        # SQLite stores these two; PostgreSQL refuses them.
        pytest.param("/bad-\x00", id="nul", marks=pytest.mark.postgresql),
        pytest.param("/" + "x" * 600, id="longer-than-the-column", marks=pytest.mark.postgresql),
    ],
)
async def test_a_page_view_the_database_refuses_is_set_aside_and_the_others_are_counted(
    running: Ingestor, session: Session, caplog: pytest.LogCaptureFixture, bad: str
) -> None:
    caplog.set_level(logging.WARNING, logger="accumulator.analytics.ingest")
    await accept(running, event("/before"), event("/before", "tab-token-2"), event(bad), event("/after"))
    await until(lambda: running.pending == 0 and running.recorded == 3)
    assert views(session, "/before") == 2 and views(session, "/after") == 1
    [kept] = set_aside_lines(running)
    assert kept["path"] == bad and kept["site"] == "blog" and kept["kind"] == "pageview"
    assert kept["reason"] and kept["set_aside_at"]
    assert any("set aside" in record.getMessage() for record in caplog.records)

    # The bad event is gone for good: what comes next is written at once.
    await accept(running, event("/later"))
    await until(lambda: running.recorded == 4)
    assert views(session, "/later") == 1 and len(set_aside_lines(running)) == 1


async def test_several_bad_events_in_one_large_batch_are_all_found(running: Ingestor, session: Session) -> None:
    good = [event(f"/page-{number % 7}", f"visitor-{number:04d}") for number in range(200)]
    bad = [event(f"/bad-{number}-\ud800") for number in range(3)]
    await accept(running, *good[:50], bad[0], *good[50:120], bad[1], bad[2], *good[120:])
    await until(lambda: running.pending == 0 and running.recorded == 200)
    assert sum(views(session, f"/page-{number}") for number in range(7)) == 200
    assert sorted(line["path"] for line in set_aside_lines(running)) == sorted(item.path for item in bad)


@pytest.mark.postgresql
async def test_a_database_outage_sets_nothing_aside_and_the_events_are_written_when_it_returns(
    database: str, session: Session, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    url = make_url(database)
    with proxy_to(url.host or "127.0.0.1", url.port or 5432) as proxy:
        engine = create_db_engine(url.set(host="127.0.0.1", port=proxy.port).render_as_string(hide_password=False))
        ingestor = make_ingestor(engine, tmp_path / "set-aside.jsonl")
        task = asyncio.create_task(ingestor.run())
        try:
            await accept(ingestor, event("/during"))  # loads the day's salt while the database is up
            await until(lambda: ingestor.recorded == 1)
            proxy.stop()
            await accept(ingestor, event("/during", "tab-token-2"), event("/during", "tab-token-3"))
            # Well past the retries a refused batch gets: an outage is never the events' fault.
            await asyncio.sleep(1.0)
            assert ingestor.recorded == 1
            assert set_aside_lines(ingestor) == []
            proxy.start()
            await until(lambda: ingestor.recorded == 3)
            assert views(session, "/during") == 3
            assert set_aside_lines(ingestor) == []
            assert not any("set aside" in record.getMessage() for record in caplog.records)
        finally:
            task.cancel()
            await asyncio.gather(task, return_exceptions=True)
            engine.dispose()
