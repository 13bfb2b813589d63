"""The only way counts change: events go to this process's ingestor, which buffers and writes them
in batches (and announces ANALYTICS_TOPIC); the feed recomputes what dashboards show, once per change
for all of them, and announces DASHBOARD_TOPIC in this process.

With REDIS_URL the ingestor queues its batches in a Redis stream instead, and this process's stream
writer (one consumer of the group every instance shares) counts them and announces ANALYTICS_TOPIC."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator
from pathlib import Path

from accumulator.analytics import countries, depth, journal, service, stream
from accumulator.analytics.feed import DashboardFeed
from accumulator.analytics.incoming import IncomingEvent
from accumulator.analytics.ingest import Ingestor
from accumulator.analytics.journal_process import JournalQueue
from accumulator.analytics.journal_writer import Counted
from accumulator.analytics.page_table import REREAD_ALL_AFTER, page_key
from accumulator.analytics.stream_writer import StreamWriter
from accumulator.analytics.topics import ANALYTICS_TOPIC, DASHBOARD_TOPIC, AnalyticsChanged, DashboardRefreshed
from accumulator.db import utcnow
from accumulator.runtime import Services, in_transaction, publish


def _set_aside(svc: Services) -> Path:
    # Events the database refuses even alone (and stream entries that are no events) are kept here
    # for a person to look at.
    return svc.settings.data_dir / "analytics-set-aside.jsonl"


def event_queue(svc: Services) -> stream.EventQueue | None:
    """The Redis stream this process queues events in, or None without REDIS_URL."""
    url = svc.settings.redis_url
    if not url:
        return None
    return svc.component(
        "analytics.queue",
        lambda: stream.EventQueue(stream.connect(url, read_timeout=2.0), outage=svc.redis_outage),
    )


async def _announce(svc: Services, pages: set[tuple[str, str]] | None) -> None:
    # Which pages changed, so open dashboards re-read only those (all, if too many or not named).
    keys = tuple(page_key(site, path) for site, path in pages) if pages is not None else ()
    named = pages is not None and len(keys) <= REREAD_ALL_AFTER
    await publish(svc, ANALYTICS_TOPIC, AnalyticsChanged(pages=keys if named else None))


def journal_queue(svc: Services) -> JournalQueue | None:
    """The local journal this process answers page views from, or None: with REDIS_URL (the stream
    is the queue) or with ANALYTICS_JOURNAL off (each one committed before its answer)."""
    if svc.settings.redis_url or not svc.settings.analytics_journal:
        return None

    async def counted(report: Counted) -> None:
        await _announce(svc, report.pages)

    return svc.component(
        "analytics.journal",
        lambda: JournalQueue(
            folder=journal.directory(svc.settings.data_dir),
            database_url=svc.engine.url.render_as_string(hide_password=False),
            set_aside=_set_aside(svc),
            on_counted=counted,
        ),
    )


def ingestor(svc: Services) -> Ingestor:
    return svc.component(
        "analytics.ingestor",
        lambda: Ingestor(
            engine=svc.engine,
            zone=svc.settings.zone,
            presence=svc.presence,
            bus=svc.bus,
            set_aside=_set_aside(svc),
            queue=event_queue(svc),
            journal=journal_queue(svc),
        ),
    )


def stream_writer(svc: Services) -> StreamWriter | None:
    """This process's consumer of the stream, or None without REDIS_URL."""
    url = svc.settings.redis_url
    if not url:
        return None

    async def changed(pages: set[tuple[str, str]]) -> None:
        await _announce(svc, pages)

    return svc.component(
        "analytics.stream_writer",
        lambda: StreamWriter(
            redis=stream.connect(url, read_timeout=10.0),  # longer than a blocking read
            engine=svc.engine,
            publish=changed,
            clock=utcnow,
            claim_idle=float(svc.settings.analytics_claim_idle),
            set_aside=_set_aside(svc),
        ),
    )


def feed(svc: Services) -> DashboardFeed:
    return svc.component(
        "analytics.feed",
        lambda: DashboardFeed(
            engine=svc.engine,
            zone=svc.settings.zone,
            presence=svc.presence,
            bus=svc.bus,
            page_counts=svc.page_counts,
        ),
    )


async def record(svc: Services, event: IncomingEvent, *, ip: str, user_agent: str, page_origin: str | None) -> bool:
    """Store one valid event; returns once it is committed (False when it is a bot's, not counted).
    TimeoutError when the database does not take it in time."""
    return await ingestor(svc).store(event, ip=ip, user_agent=user_agent, page_origin=page_origin)


@contextlib.asynccontextmanager
async def writing(svc: Services) -> AsyncIterator[None]:
    """The writer of this process (and with REDIS_URL its stream writer), for as long as the block
    lasts; leaving it writes (or queues) what is buffered, then counts what is queued for a moment."""
    countries.warm()  # the country table loads on its own thread
    tasks = [asyncio.create_task(ingestor(svc).run(), name="analytics-writer")]
    consumer = stream_writer(svc)
    if consumer is not None:
        tasks.append(asyncio.create_task(consumer.run(), name="analytics-stream-writer"))
    local = journal_queue(svc)
    if local is not None:
        tasks.append(asyncio.create_task(local.run(), name="analytics-journal-writer"))
    try:
        yield
    finally:
        for task in tasks:  # in order: the buffer goes to the stream (or journal) before its writer stops
            if task is tasks[-1] and local is not None:
                await local.stop()  # the writer process counts the rest, reporting as it goes
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await task


async def forget_counted_keys(svc: Services) -> int:
    """Job: forget the stream keys of events counted over a day ago (they can no longer come back)."""
    return await in_transaction(svc, stream.purge_applied, now=utcnow())


async def forget_visitors(svc: Services) -> int:
    """Job: delete visitor hashes older than yesterday (each day's count stays in the rollups)."""
    now = utcnow()
    today = service.local_day(now, svc.settings.zone)
    deleted = await in_transaction(svc, service.forget_visitors, today=today)
    return deleted + await in_transaction(svc, depth.forget_minutes, now=now)


async def run_feed(svc: Services) -> None:
    """Until cancelled: recompute the dashboard numbers on every change, then tell this process's
    open dashboards (DASHBOARD_TOPIC)."""
    shared = feed(svc)

    async def refreshed() -> None:
        await publish(svc, DASHBOARD_TOPIC, DashboardRefreshed(version=shared.version))

    await shared.run(refreshed)
