"""A 202 means queued durably, on the Redis setup too: two real instances share PostgreSQL and Redis,
readers send page views to the first, the first is killed with SIGKILL under load (while its writer
holds entries it read and has not written), and the second claims them. The database ends with every
page view answered 202, and none counted twice."""

from __future__ import annotations

import time
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import pytest
import redis
import sqlalchemy as sa

from accumulator.analytics.stream import GROUP, STREAM
from tests.conftest import REDIS_URL, fresh_database
from tests.live_server import app_environment, backend_server, free_port
from tests.page_view_senders import PageViewSenders

pytestmark = [pytest.mark.redis, pytest.mark.postgresql_server]
SENDERS = 8
CLAIM_IDLE = 2  # seconds before the second instance takes over what the first read


def redis_db(number: int) -> str:
    """The test Redis server, on a database of its own."""
    return urlunsplit(urlsplit(REDIS_URL)._replace(path=f"/{number}"))


def test_page_views_the_killed_instance_answered_202_for_are_counted_by_the_other_once(
    tmp_path_factory: pytest.TempPathFactory,
) -> None:
    shared_redis = redis_db(10)
    queue = redis.Redis.from_url(shared_redis)
    queue.flushdb()
    try:
        with fresh_database("postgresql", tmp_path_factory) as url:

            def environment(name: str) -> dict[str, str]:
                return app_environment(
                    tmp_path_factory.mktemp(name),
                    free_port(),
                    DATABASE_URL=url,
                    REDIS_URL=shared_redis,
                    TRUSTED_PROXY_HOPS="1",
                    ANALYTICS_CLAIM_IDLE=str(CLAIM_IDLE),
                )

            survivor = environment("survivor")
            with backend_server(environment("killed")) as first, backend_server(survivor):
                # A reader at an address of its own for each page view, so each is a distinct visitor
                # of its page: one counted twice would make views exceed visitors.
                senders = PageViewSenders(first.url, SENDERS, lambda i, n: f"10.{i}.{n // 256 % 256}.{n % 256}")
                senders.start()
                time.sleep(2.0)
                # The database slows down (a lock on the page totals) for a moment: both writers then
                # hold entries they read and cannot write yet, while the first goes on queueing page
                # views and answering 202. The first is killed in that moment.
                engine = sa.create_engine(url)
                with engine.connect() as holder, holder.begin():
                    holder.execute(sa.text("LOCK TABLE page_stat IN EXCLUSIVE MODE"))
                    time.sleep(0.5)
                    first.kill()
                senders.stop()
                time.sleep(1.0)
                # What is still unacknowledged a second later is the dead writer's: the survivor
                # acknowledges its own within milliseconds.
                orphaned = len(queue.xpending_range(STREAM, GROUP, "-", "+", 100_000, idle=1000))
                deadline = time.monotonic() + 30
                while queue.xpending(STREAM, GROUP)["pending"] or queue.xlen(STREAM):
                    assert time.monotonic() < deadline, "the survivor did not take over the stream"
                    time.sleep(0.2)
                claims = (Path(survivor["DATA_DIR"]) / "backend.log").read_text()
            with engine.connect() as connection:
                stored = dict(connection.execute(sa.text("SELECT path, views FROM page_stat")).all())
                visitors = dict(connection.execute(sa.text("SELECT path, visitors FROM daily_page_stat")).all())
            engine.dispose()
    finally:
        queue.flushdb()
        queue.close()
    accepted, sent = senders.accepted, senders.sent
    assert sum(accepted) > 100  # there was a load to lose
    assert orphaned > 0 and "claimed" in claims  # the killed writer had read entries it never acknowledged
    for index in range(SENDERS):
        path = f"/p{index}"
        # Every answered one is counted; a few more may be (queued, then killed before answering).
        assert accepted[index] <= stored.get(path, 0) <= sent[index]
        assert visitors.get(path, 0) == stored.get(path, 0)  # and none was counted twice
