"""What is counted, on SQLite and PostgreSQL: views, likes, days in the owner's zone, uniques,
devices and referrers, bots, and exact totals under concurrency."""

from __future__ import annotations

import asyncio
import threading
from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo

import pytest
import sqlalchemy as sa
from sqlalchemy.engine import Engine
from sqlalchemy.exc import OperationalError
from sqlmodel import Session, SQLModel, select

from accumulator.analytics import queries, service
from accumulator.analytics.incoming import IncomingEvent
from accumulator.analytics.ingest import Ingestor
from accumulator.analytics.models import DailySalt
from accumulator.realtime import MemoryBus, MemoryPresence

CHROME = (
    "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/120.0.0.0 Safari/537.36"
)
FIREFOX = "Mozilla/5.0 (X11; Linux x86_64; rv:121.0) Gecko/20100101 Firefox/121.0"
IPHONE = (
    "Mozilla/5.0 (iPhone; CPU iPhone OS 17_1 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) "
    "Version/17.1 Mobile/15E148 Safari/604.1"
)
GOOGLEBOT = "Mozilla/5.0 (compatible; Googlebot/2.1; +http://www.google.com/bot.html)"


class Clock:
    def __init__(self, moment: datetime) -> None:
        self.moment = moment

    def __call__(self) -> datetime:
        return self.moment


def make_ingestor(engine: Engine, clock: Clock, zone: str = "UTC") -> Ingestor:
    return Ingestor(engine=engine, zone=ZoneInfo(zone), presence=MemoryPresence(), bus=MemoryBus(), clock=clock)


def view(
    path: str = "/post", *, kind: str = "pageview", site: str = "blog", visitor: str = "visitor-1", referrer: str = ""
):
    return IncomingEvent(type=kind, site=site, path=path, visitor=visitor, referrer=referrer)


async def send(ingestor: Ingestor, event: IncomingEvent, *, ip: str = "203.0.113.9", ua: str = CHROME) -> None:
    await ingestor.accept(event, ip=ip, user_agent=ua, page_origin="https://blog.example.com")


NOON = datetime(2026, 11, 20, 12, 0, tzinfo=UTC)


async def test_views_and_likes_add_up_per_page_and_per_day(engine: Engine, session: Session) -> None:
    ingestor = make_ingestor(engine, Clock(NOON))
    for _ in range(3):
        await send(ingestor, view("/a"))
    await send(ingestor, view("/a", kind="like"))
    await send(ingestor, view("/b"))
    await send(ingestor, view("/b", kind="heartbeat"))  # presence only
    assert await ingestor.flush() == 5
    assert queries.page_counts(session=session, site="blog", path="/a") == (3, 1)
    assert queries.page_counts(session=session, site="blog", path="/b") == (1, 0)
    assert queries.page_counts(session=session, site="blog", path="/never") == (0, 0)
    assert queries.total_views(session=session) == 4
    rows = {row.path: row for row in queries.pages(session=session, today=NOON.date())}
    assert rows["/a"].views_today == 3 and rows["/b"].views_today == 1


async def test_a_like_on_a_page_never_viewed_counts_as_a_like_only(engine: Engine, session: Session) -> None:
    # The original inserted views=1 on a first like and lost the like; here it is just one like.
    ingestor = make_ingestor(engine, Clock(NOON))
    await send(ingestor, view("/fresh", kind="like"))
    await ingestor.flush()
    assert queries.page_counts(session=session, site="blog", path="/fresh") == (0, 1)


async def test_days_follow_the_owners_time_zone(engine: Engine, session: Session) -> None:
    clock = Clock(datetime(2026, 11, 20, 18, 29, tzinfo=UTC))  # 23:59 in Kolkata
    ingestor = make_ingestor(engine, clock, zone="Asia/Kolkata")
    await send(ingestor, view())
    clock.moment = datetime(2026, 11, 20, 18, 31, tzinfo=UTC)  # 00:01 the next day in Kolkata
    await send(ingestor, view())
    await ingestor.flush()
    series = queries.daily_series(session=session, today=date(2026, 11, 21), days=3)
    assert [(point.day, point.views) for point in series] == [
        (date(2026, 11, 19), 0),
        (date(2026, 11, 20), 1),
        (date(2026, 11, 21), 1),
    ]


async def test_a_visitor_is_counted_once_a_day_per_page_and_again_the_next_day(
    engine: Engine, session: Session
) -> None:
    clock = Clock(NOON)
    ingestor = make_ingestor(engine, clock)
    await send(ingestor, view("/a"), ip="198.51.100.1")
    await send(ingestor, view("/a"), ip="198.51.100.1")
    await send(ingestor, view("/b"), ip="198.51.100.1")
    await send(ingestor, view("/a"), ip="198.51.100.1", ua=FIREFOX)  # another browser: another visitor
    await send(ingestor, view("/a"), ip="198.51.100.2")
    await ingestor.flush()
    assert queries.unique_visitors(session=session, day=NOON.date()) == 3
    point = queries.daily_series(session=session, today=NOON.date(), days=1, site="blog", path="/a")[0]
    assert (point.views, point.visitors) == (4, 3)

    clock.moment = datetime(2026, 11, 21, 9, 0, tzinfo=UTC)
    await send(ingestor, view("/a"), ip="198.51.100.1")
    await ingestor.flush()
    assert queries.unique_visitors(session=session, day=date(2026, 11, 21)) == 1
    # Yesterday's salt is gone, so yesterday's hashes can never be matched to anyone again.
    assert [salt.day for salt in session.exec(select(DailySalt))] == [date(2026, 11, 21)]


async def test_no_address_or_user_agent_is_stored_anywhere(engine: Engine, session: Session) -> None:
    ingestor = make_ingestor(engine, Clock(NOON))
    await send(ingestor, view(), ip="192.0.2.77", ua=IPHONE)
    await ingestor.flush()
    for table in SQLModel.metadata.sorted_tables:
        for row in session.execute(sa.select(table)).all():
            text = " ".join(str(value) for value in row)
            assert "192.0.2.77" not in text and "iPhone OS" not in text, table.name


async def test_devices_and_referrers_are_counted_per_page_view(engine: Engine, session: Session) -> None:
    ingestor = make_ingestor(engine, Clock(NOON))
    await send(ingestor, view(referrer="https://www.google.com/search?q=x"), ua=IPHONE)
    await send(ingestor, view(referrer="https://news.ycombinator.com/item?id=1"), ua=CHROME)
    await send(ingestor, view(referrer="https://blog.example.com/other-post"), ua=CHROME)  # internal
    await send(ingestor, view(), ua="")  # no user agent at all: not a browser
    await send(ingestor, view(), ua="SomethingNobodyKnows/1.0")
    await ingestor.flush()
    since = NOON.date()
    assert dict(queries.breakdown(session=session, kind="device", since=since)) == {
        "Mobile": 1,
        "Desktop": 2,
        "Unknown": 1,
    }
    assert dict(queries.breakdown(session=session, kind="browser", since=since))["Unknown"] == 1
    assert dict(queries.breakdown(session=session, kind="referrer", since=since)) == {
        "google.com": 1,
        "news.ycombinator.com": 1,
        "(direct)": 2,
    }
    assert queries.breakdown(session=session, kind="os", since=None)[0] == ("Windows", 2)


async def test_bots_are_accepted_and_not_counted(engine: Engine, session: Session) -> None:
    ingestor = make_ingestor(engine, Clock(NOON))
    assert await ingestor.accept(view(), ip="66.249.66.1", user_agent=GOOGLEBOT, page_origin=None) is False
    assert await ingestor.flush() == 0
    assert queries.total_views(session=session) == 0
    assert (await ingestor.presence.counts(now=NOON.timestamp())) == {}


async def test_fifty_concurrent_senders_lose_no_view(engine: Engine, session: Session) -> None:
    ingestor = make_ingestor(engine, Clock(NOON))
    ingestor.flush_interval = 0.001
    writer = asyncio.create_task(ingestor.run())

    async def sender(number: int) -> None:
        for index in range(20):
            await send(ingestor, view(f"/p{index % 5}", visitor=f"visitor-{number:04d}"), ip=f"10.0.{number}.1")
            await asyncio.sleep(0)

    await asyncio.gather(*(sender(number) for number in range(50)))
    writer.cancel()
    await asyncio.gather(writer, return_exceptions=True)  # stopping flushes the rest
    assert queries.total_views(session=session) == 1000
    assert sum(row.views for row in queries.pages(session=session, today=NOON.date())) == 1000
    assert ingestor.recorded == 1000


def test_two_processes_writing_the_same_pages_at_once_stay_exact(engine: Engine, session: Session) -> None:
    """Several instances flush into one database concurrently; the upserts must not lose a count."""
    events = [
        service.CountedEvent(kind="pageview", site="blog", path=f"/p{i % 3}", day=NOON.date(), visitor_hash=f"{i:032x}")
        for i in range(300)
    ]
    errors: list[BaseException] = []

    def writer(batch_number: int) -> None:
        try:
            for start in range(0, 300, 30):
                with Session(engine) as own:
                    service.record_events(session=own, events=events[start : start + 30])
                    own.commit()
        except BaseException as error:  # surfaced below
            errors.append(error)

    threads = [threading.Thread(target=writer, args=(n,)) for n in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert not errors
    assert queries.total_views(session=session) == 1200
    point = queries.daily_series(session=session, today=NOON.date(), days=1)[0]
    assert (point.views, point.visitors) == (1200, 300)


async def test_a_failed_write_keeps_the_batch_for_the_next_attempt(engine: Engine, session: Session) -> None:
    ingestor = make_ingestor(engine, Clock(NOON))
    await send(ingestor, view())
    original = ingestor._write
    ingestor._write = lambda batch: (_ for _ in ()).throw(RuntimeError("database is down"))
    with pytest.raises(RuntimeError):
        await ingestor.flush()
    assert ingestor.pending == 1
    ingestor._write = original
    assert await ingestor.flush() == 1
    assert queries.total_views(session=session) == 1


async def test_a_page_view_the_database_does_not_take_in_time_is_refused_then_counted_once_it_is_back(
    engine: Engine, session: Session
) -> None:
    """`store` gives up after its timeout (the request answers 503, no 202), the event stays queued,
    and it is counted once the database takes it: what a timeout means did not change."""
    ingestor = make_ingestor(engine, Clock(NOON))
    ingestor.retry_delay = 0.05
    original = ingestor._write

    def away(batch: list[service.CountedEvent]) -> int:
        raise OperationalError("INSERT", {}, Exception("database is locked"))

    ingestor._write = away
    writer = asyncio.create_task(ingestor.run())
    try:
        started = asyncio.get_running_loop().time()
        with pytest.raises(TimeoutError):
            await ingestor.store(view(), ip="203.0.113.9", user_agent=CHROME, page_origin=None, timeout=0.3)
        assert 0.3 <= asyncio.get_running_loop().time() - started < 1.5
        # Not counted, but kept (queued, or in the attempt under way): counted below once it is back.
        assert ingestor.recorded == 0 and queries.total_views(session=session) == 0
        ingestor._write = original
        for _ in range(100):
            if ingestor.recorded:
                break
            await asyncio.sleep(0.05)
    finally:
        writer.cancel()
        await asyncio.gather(writer, return_exceptions=True)
    assert queries.total_views(session=session) == 1


async def test_a_request_that_goes_away_while_waiting_still_has_its_page_view_counted(
    engine: Engine, session: Session
) -> None:
    ingestor = make_ingestor(engine, Clock(NOON))
    waiting = asyncio.create_task(ingestor.store(view(), ip="203.0.113.9", user_agent=CHROME, page_origin=None))
    while not ingestor.pending:  # admitted (the day's salt loaded), waiting for the commit
        await asyncio.sleep(0.01)
    waiting.cancel()  # the client hung up
    await asyncio.gather(waiting, return_exceptions=True)
    assert await ingestor.flush() == 1
    assert queries.total_views(session=session) == 1
