"""Published comments per page in the dashboard's pages table: the comments feature declares the
column (a PageCount), analytics shows it without importing comments, and a comment published,
approved or hidden moves only its page's row."""

from __future__ import annotations

import asyncio
from dataclasses import replace

import pytest
from sqlalchemy.engine import Engine

from accumulator.analytics.feed import DashboardFeed
from accumulator.analytics.incoming import IncomingEvent
from accumulator.analytics.ingest import Ingestor
from accumulator.comments import actions, reads
from accumulator.comments.manifest import COMMENT_COUNTS
from accumulator.features import FEATURES
from accumulator.runtime import Services, build_services
from accumulator.settings import Settings
from tests.comments.helpers import send_comment

CHROME = "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/120.0 Safari/537.36"


def comments_by_path(feed: DashboardFeed) -> dict[str, int]:
    return {row["path"]: row["comments"] for row in feed.snapshot().pages}


@pytest.fixture
def svc(settings: Settings, engine: Engine) -> Services:
    return build_services(replace(settings, comments_min_seconds=0), engine)


async def test_comment_counts_follow_publishing_approval_and_hiding(svc: Services) -> None:
    ingestor = Ingestor(engine=svc.engine, zone=svc.settings.zone, presence=svc.presence, bus=svc.bus, flush_interval=0)
    feed = DashboardFeed(
        engine=svc.engine, zone=svc.settings.zone, presence=svc.presence, bus=svc.bus, min_interval=0,
        page_counts=(COMMENT_COUNTS,),
    )  # fmt: skip
    for path in ("/posts/hello", "/posts/other"):
        await ingestor.accept(IncomingEvent("pageview", "blog", path, "visitor-01"), ip="1.2.3.4", user_agent=CHROME,
                              page_origin=None)  # fmt: skip
    await ingestor.flush()
    refreshed = asyncio.Event()

    async def on_change() -> None:
        refreshed.set()

    async def after(change) -> None:
        refreshed.clear()
        await change
        await asyncio.wait_for(refreshed.wait(), 5)

    feed.listeners.add("tab")
    runner = asyncio.create_task(feed.run(on_change))
    try:
        await asyncio.sleep(0.05)
        await feed.refresh_presence()
        assert comments_by_path(feed) == {"/posts/hello": 0, "/posts/other": 0}
        _, status, _ = await send_comment(svc, text="Held until approved.", ip="10.0.0.1")
        assert status == "held"  # a first-time author is held by default: readers (and the count) don't see it
        await asyncio.sleep(0.2)
        assert comments_by_path(feed) == {"/posts/hello": 0, "/posts/other": 0}

        await actions.set_moderation(svc, site="blog", moderation_mode="publish")
        version = feed.snapshot().version
        await after(send_comment(svc, text="Published at once.", ip="10.0.0.2"))
        assert comments_by_path(feed) == {"/posts/hello": 1, "/posts/other": 0}
        # Only the page the comment is on travels to open dashboards.
        assert [row["path"] for row in feed.page_patch(version)[1]] == ["/posts/hello"]

        (queued,) = [row["id"] for row in (await reads.overview(svc))["queue"]]
        await after(actions.approve(svc, comment_id=queued))
        assert comments_by_path(feed)["/posts/hello"] == 2
        await after(actions.hide(svc, comment_id=queued))
        assert comments_by_path(feed)["/posts/hello"] == 1
    finally:
        runner.cancel()
        await asyncio.gather(runner, return_exceptions=True)


def test_the_app_hands_analytics_the_comments_column_and_nothing_else_claims_its_name() -> None:
    declared = [count for feature in FEATURES for count in feature.page_counts]
    assert COMMENT_COUNTS in declared
    assert len({count.key for count in declared}) == len(declared)
