"""The only way counts change: events go to this process's ingestor, which buffers and writes them
in batches (and announces ANALYTICS_TOPIC); the feed recomputes what dashboards show, once per change
for all of them, and announces DASHBOARD_TOPIC in this process."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator

from accumulator.analytics.feed import DashboardFeed
from accumulator.analytics.ingest import IncomingEvent, Ingestor
from accumulator.analytics.topics import DASHBOARD_TOPIC, DashboardRefreshed
from accumulator.runtime import Services, publish


def ingestor(svc: Services) -> Ingestor:
    return svc.component(
        "analytics.ingestor",
        lambda: Ingestor(
            engine=svc.engine,
            zone=svc.settings.zone,
            presence=svc.presence,
            bus=svc.bus,
            # Events the database refuses even alone are kept here for a person to look at.
            set_aside=svc.settings.data_dir / "analytics-set-aside.jsonl",
        ),
    )


def feed(svc: Services) -> DashboardFeed:
    return svc.component(
        "analytics.feed",
        lambda: DashboardFeed(engine=svc.engine, zone=svc.settings.zone, presence=svc.presence, bus=svc.bus),
    )


async def record(svc: Services, event: IncomingEvent, *, ip: str, user_agent: str, page_origin: str | None) -> bool:
    """Store one valid event; returns once it is committed (False when it is a bot's, not counted).
    TimeoutError when the database does not take it in time."""
    return await ingestor(svc).store(event, ip=ip, user_agent=user_agent, page_origin=page_origin)


@contextlib.asynccontextmanager
async def writing(svc: Services) -> AsyncIterator[None]:
    """The writer of this process, for as long as the block lasts; leaving it writes what is buffered."""
    task = asyncio.create_task(ingestor(svc).run(), name="analytics-writer")
    try:
        yield
    finally:
        task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await task


async def run_feed(svc: Services) -> None:
    """Until cancelled: recompute the dashboard numbers on every change, then tell this process's
    open dashboards (DASHBOARD_TOPIC)."""
    shared = feed(svc)

    async def refreshed() -> None:
        await publish(svc, DASHBOARD_TOPIC, DashboardRefreshed(version=shared.version))

    await shared.run(refreshed)
