"""With REDIS_URL, accepted events go through a Redis stream and a consumer group: each is counted
exactly once, whether a consumer dies between its commit and its XACK (another claims the entries
and finds them counted), an event is queued twice, or it was written directly while Redis failed;
an entry that is no event, or that the database refuses on its own, is set aside and the rest are
counted. Real Redis, real SQLite and PostgreSQL, two real consumers; failures come from a TCP proxy."""

from __future__ import annotations

import asyncio
import json
import uuid
from collections.abc import AsyncIterator
from dataclasses import fields, replace
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy.engine import Engine, make_url
from sqlmodel import Session, select

from accumulator.analytics import queries, service, stream
from accumulator.analytics.incoming import IncomingEvent
from accumulator.analytics.ingest import Ingestor
from accumulator.analytics.models import StreamEntryApplied
from accumulator.analytics.stream_writer import StreamWriter
from accumulator.db import create_db_engine, session_scope
from accumulator.realtime import MemoryBus, MemoryPresence, RedisOutage, redis_errors
from tests.conftest import REDIS_URL
from tests.tcp_proxy import proxy_to

pytestmark = pytest.mark.redis

REDIS_ADDRESS = (urlsplit(REDIS_URL).hostname or "127.0.0.1", urlsplit(REDIS_URL).port or 6379)

NOW = datetime(2026, 11, 20, 12, 0, tzinfo=UTC)
CHROME = "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/120.0 Safari/537.36"


def through(port: int) -> str:
    """The test Redis, reached through a proxy on `port` that the test can cut."""
    return f"redis://127.0.0.1:{port}{urlsplit(REDIS_URL).path or '/0'}"


def clock() -> datetime:
    return NOW


def counted(path: str, visitor: str = "hash-1") -> service.CountedEvent:
    return service.CountedEvent(kind="pageview", site="blog", path=path, day=NOW.date(), visitor_hash=visitor)


def views(session: Session, path: str) -> int:
    session.expire_all()
    return queries.page_counts(session=session, site="blog", path=path)[0]


@pytest.fixture
async def redis() -> AsyncIterator:
    client = stream.connect(REDIS_URL, read_timeout=5.0)
    yield client
    await client.aclose()


@pytest.fixture
async def name(redis) -> AsyncIterator[str]:
    """A stream of this test's own, deleted afterwards."""
    key = f"test:analytics:{uuid.uuid4().hex}"
    yield key
    await redis.delete(key)


def queue(redis, name: str) -> stream.EventQueue:
    return stream.EventQueue(redis, outage=RedisOutage(), stream=name)


def writer(
    redis, engine: Engine, name: str, *, claim_idle: float = 30.0, set_aside: Path | None = None
) -> StreamWriter:
    published: list[set[tuple[str, str]]] = []

    async def publish(pages: set[tuple[str, str]]) -> None:
        published.append(pages)

    consumer = StreamWriter(
        redis=redis,
        engine=engine,
        publish=publish,
        clock=clock,
        claim_idle=claim_idle,
        stream=name,
        block=0.05,
        retry_delay=0.01,
        write_attempts=1,
        set_aside=set_aside,
    )
    consumer.published = published  # type: ignore[attr-defined]
    return consumer


async def pending(redis, name: str) -> int:
    return (await redis.xpending(name, stream.GROUP))["pending"]


def test_an_event_survives_the_encoding_field_by_field() -> None:
    event = replace(counted("/é-\ud800"), referrer="news.example", device="Mobile")
    moments = {item.name: datetime(2026, 11, 20, 11) for item in fields(event) if "datetime" in str(item.type)}
    event = replace(event, **moments)  # e.g. the hour, when events carry one
    key, decoded = stream.decode({k.encode(): v.encode() for k, v in stream.encode("k-1", event).items()})
    assert key == "k-1" and decoded == event
    encoded = stream.encode("k-2", event)
    newer = {**json.loads(encoded["e"]), "from_a_newer_version": 1}
    assert stream.decode({b"v": b"1", b"k": b"k-2", b"e": json.dumps(newer).encode()})[1] == event
    for bad in ({b"v": b"9", b"k": b"x", b"e": encoded["e"].encode()}, {b"v": b"1", b"k": b"x", b"e": b"{"}, {}):
        with pytest.raises(stream.BadEntry):
            stream.decode(bad)


async def test_entries_claimed_again_after_a_crash_between_commit_and_xack_are_counted_once(
    redis, name: str, engine: Engine, session: Session
) -> None:
    events = [counted(f"/p{n % 3}", f"hash-{n}") for n in range(30)]
    assert await queue(redis, name).append(events)
    with proxy_to(*REDIS_ADDRESS) as proxy:
        doomed = stream.connect(through(proxy.port), read_timeout=2.0)
        first = writer(doomed, engine, name)

        async def cut(_pages: set) -> None:  # called after the commit, before the XACK: the writer "dies" there
            proxy.stop()

        first.publish = cut
        with pytest.raises(redis_errors()):
            await first.step()
        await doomed.aclose()
    assert first.recorded == 30 and sum(views(session, f"/p{n}") for n in range(3)) == 30  # committed
    assert await pending(redis, name) == 30  # and never acknowledged

    second = writer(redis, engine, name, claim_idle=0.1)
    await asyncio.sleep(0.15)
    assert await second.step() == 0  # claimed, found counted, acknowledged
    assert sum(views(session, f"/p{n}") for n in range(3)) == 30
    assert await pending(redis, name) == 0 and await redis.xlen(name) == 0


async def test_two_consumers_share_the_stream_and_each_event_is_counted_once(
    redis, name: str, engine: Engine, session: Session
) -> None:
    events = [counted("/shared", f"hash-{n}") for n in range(50)]
    producer = queue(redis, name)
    assert await producer.append(events[:25])
    assert await producer.append(events)  # a retried XADD: the first 25 are queued twice, with their keys
    first, second = writer(redis, engine, name), writer(redis, engine, name)
    first.batch = second.batch = 20
    for _ in range(5):
        await first.step(wait=False)
        await second.step(wait=False)
    assert first.recorded + second.recorded == 50 and first.recorded and second.recorded
    assert views(session, "/shared") == 50
    assert await redis.xlen(name) == 0 and await pending(redis, name) == 0
    assert first.published and second.published  # dashboards heard of it, and of which page
    assert {page for pages in first.published + second.published for page in pages} == {("blog", "/shared")}


async def test_an_event_written_directly_while_redis_failed_is_not_counted_again_from_the_stream(
    redis, name: str, engine: Engine, session: Session
) -> None:
    producer, batch = queue(redis, name), [counted("/both"), counted("/both", "hash-2")]
    assert await producer.append(batch)  # Redis took it, but the answer was lost: written here as well
    with session_scope(engine) as direct:
        assert stream.apply(session=direct, entries=producer.entries(batch), now=NOW) == 2
    assert await writer(redis, engine, name).step(wait=False) == 0
    assert views(session, "/both") == 2


async def test_entries_that_are_no_events_or_that_the_database_refuses_are_set_aside_and_the_rest_counted(
    redis, name: str, engine: Engine, session: Session, tmp_path: Path
) -> None:
    producer = queue(redis, name)
    await producer.append([counted("/good", f"hash-{n}") for n in range(10)])
    await redis.xadd(name, {"v": "1", "k": "broken", "e": "{not json"})
    await redis.xadd(name, {"v": "7", "k": "future", "e": "{}"})
    await redis.xadd(name, {b"v": b"1", b"k": b"\xff\xfe", b"e": b"\xff"})
    await producer.append([counted("/bad-\ud800")])  # no database can store a lone surrogate
    await producer.append([counted("/good", f"hash-{n}") for n in range(10, 15)])
    consumer = writer(redis, engine, name, set_aside=tmp_path / "aside.jsonl")
    for _ in range(3):
        try:
            await consumer.step(wait=False)
        except Exception:  # noqa: S112 (the refused batch, before it is written in parts)
            continue
    assert views(session, "/good") == 15
    kept = [json.loads(line) for line in (tmp_path / "aside.jsonl").read_text().splitlines()]
    assert [item["path"] for item in kept if "path" in item] == ["/bad-\ud800"]  # refused by the database
    assert len([item for item in kept if "entry_id" in item]) == 3  # no events at all
    assert all(item["reason"] and item["set_aside_at"] for item in kept)
    assert await redis.xlen(name) == 0 and await pending(redis, name) == 0
    # Nothing holds the stream back: what comes next is counted in one round.
    await producer.append([counted("/later")])
    assert await consumer.step(wait=False) == 1


async def test_with_redis_away_a_stored_event_is_committed_here_and_counted_once_when_redis_has_it_too(
    redis, name: str, engine: Engine, session: Session
) -> None:
    with proxy_to(*REDIS_ADDRESS) as proxy:
        cut_off = stream.connect(through(proxy.port), read_timeout=1.0)
        outage = RedisOutage()
        ingestor = Ingestor(
            engine=engine,
            zone=ZoneInfo("UTC"),
            presence=MemoryPresence(),
            bus=MemoryBus(),
            clock=clock,
            queue=stream.EventQueue(cut_off, outage=outage, stream=name),
        )
        event = IncomingEvent(type="pageview", site="blog", path="/queued", visitor="tab-token-1")
        task = asyncio.create_task(ingestor.run())
        try:
            assert await ingestor.store(event, ip="203.0.113.9", user_agent=CHROME, page_origin=None)
            assert ingestor.queued == 1 and views(session, "/queued") == 0  # in the stream, not counted yet
            proxy.stop()
            away = replace(event, path="/direct")
            assert await ingestor.store(away, ip="203.0.113.9", user_agent=CHROME, page_origin=None)
            assert outage.down and views(session, "/direct") == 1  # committed before the answer
        finally:
            task.cancel()
            await asyncio.gather(task, return_exceptions=True)
            await cut_off.aclose()
    assert await writer(redis, engine, name).step(wait=False) == 1
    assert views(session, "/queued") == 1 and views(session, "/direct") == 1


@pytest.mark.postgresql
async def test_while_the_database_is_away_events_are_accepted_into_the_stream_and_counted_when_it_is_back(
    redis, name: str, database: str, session: Session
) -> None:
    url = make_url(database)
    with proxy_to(url.host or "127.0.0.1", url.port or 5432) as proxy:
        engine = create_db_engine(url.set(host="127.0.0.1", port=proxy.port).render_as_string(hide_password=False))
        ingestor = Ingestor(
            engine=engine,
            zone=ZoneInfo("UTC"),
            presence=MemoryPresence(),
            bus=MemoryBus(),
            clock=clock,
            queue=queue(redis, name),
        )
        consumer = writer(redis, engine, name)
        task = asyncio.create_task(ingestor.run())
        try:
            event = IncomingEvent(type="pageview", site="blog", path="/meanwhile", visitor="tab-token-1")
            assert await ingestor.store(event, ip="203.0.113.9", user_agent=CHROME, page_origin=None)
            assert await consumer.step(wait=False) == 1  # the day's salt is known, the database was up
            proxy.stop()
            for n in range(3):
                assert await ingestor.store(event, ip=f"203.0.113.{n + 10}", user_agent=CHROME, page_origin=None)
            with pytest.raises(Exception):  # noqa: B017 (whatever the driver raises for a lost server)
                await consumer.step(wait=False)
            proxy.start()
            assert await consumer.step(wait=False) == 3
            assert views(session, "/meanwhile") == 4
        finally:
            task.cancel()
            await asyncio.gather(task, return_exceptions=True)
            engine.dispose()


def test_keys_of_events_counted_over_a_day_ago_are_forgotten(session: Session) -> None:
    for key, age in (("old", timedelta(days=1, seconds=1)), ("recent", timedelta(hours=23))):
        session.add(StreamEntryApplied(entry_key=key, applied_at=NOW - age))
    session.commit()
    assert stream.purge_applied(session=session, now=NOW) == 1
    session.commit()
    assert session.exec(select(StreamEntryApplied.entry_key)).all() == ["recent"]


def test_day_values_travel_as_dates() -> None:
    encoded = stream.encode("k", counted("/x"))
    assert json.loads(encoded["e"])["day"] == date(2026, 11, 20).isoformat()
