"""What analytics hands the app."""

import asyncio
import contextlib
from collections.abc import AsyncIterator
from functools import partial

from apscheduler.triggers.interval import IntervalTrigger

from accumulator import routes
from accumulator.analytics import actions, api
from accumulator.analytics.topics import ANALYTICS_TOPIC, DASHBOARD_TOPIC
from accumulator.feature import Feature, NavEntry
from accumulator.jobs import JobSpec
from accumulator.runtime import Services


@contextlib.asynccontextmanager
async def counting(svc: Services) -> AsyncIterator[None]:
    """The writer of page views, and the feed that recomputes the dashboard numbers on changes."""
    async with actions.writing(svc):
        feed = asyncio.create_task(actions.run_feed(svc), name="dashboard-feed")
        try:
            yield
        finally:
            feed.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await feed


def jobs(svc: Services) -> list[JobSpec]:
    found = [JobSpec("analytics-forget-visitors", partial(actions.forget_visitors, svc), IntervalTrigger(hours=1))]
    if svc.settings.redis_url:  # the stream's counted keys
        found.append(
            JobSpec("analytics-stream-keys", partial(actions.forget_counted_keys, svc), IntervalTrigger(hours=1))
        )
    return found


FEATURE = Feature(
    name="analytics",
    routes=api.routes,
    jobs=jobs,
    topics=(ANALYTICS_TOPIC, DASHBOARD_TOPIC),
    pages="accumulator.analytics.pages",
    nav=NavEntry("Dashboard", routes.DASHBOARD, "chart-line", order=10),
    background=counting,
)
