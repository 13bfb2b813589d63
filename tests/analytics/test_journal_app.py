"""The app's default embedded path: a page view is answered once it is in the journal, and the writer
process the app starts counts it, tells the dashboards, is started again when it dies, and at a stop
counts the rest and leaves no journal behind."""

from __future__ import annotations

import json
import os
import signal
import time
from dataclasses import replace

import pytest
import sqlalchemy as sa
from sqlmodel import Session
from starlette.testclient import TestClient

from accumulator.analytics import journal, queries
from accumulator.analytics.actions import journal_queue
from accumulator.analytics.journal_process import GATHER
from accumulator.analytics.journal_writer import MARKS
from accumulator.analytics.topics import ANALYTICS_TOPIC
from accumulator.runtime import Services
from tests.conftest import api_client

STREAM, STREAM_SECONDS = 100, 1.0  # page views, sent over this long (from many addresses)
CHROME = "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/120.0 Safari/537.36"


@pytest.fixture
def services(services: Services) -> Services:
    services.settings = replace(services.settings, analytics_journal=True)
    return services


def post(client: TestClient, path: str, number: int) -> int:
    body = {"type": "pageview", "site": "blog", "path": path, "visitor": f"reader-{number:05d}"}
    headers = {"Content-Type": "text/plain", "User-Agent": CHROME, "X-Forwarded-For": f"198.51.100.{number % 200}"}
    return client.post("/api/event", content=json.dumps(body), headers=headers).status_code


def views(client: TestClient, path: str) -> int:
    return client.get("/api/stats", params={"site": "blog", "path": path}).json()["views"]


def until(condition, seconds: float = 30.0) -> None:
    deadline = time.monotonic() + seconds
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError("not there in time")
        time.sleep(0.05)


def test_journaled_page_views_are_counted_by_the_writer_process_and_announced(services: Services) -> None:
    announced: list = []
    with api_client(services) as client:
        queue = journal_queue(services)
        assert queue is not None

        async def listen() -> None:
            async with services.bus.subscribe(ANALYTICS_TOPIC.name) as messages:
                async for message in messages:
                    announced.append(ANALYTICS_TOPIC.decode(message))

        listening = client.portal.start_task_soon(listen)
        assert [post(client, "/journaled", number) for number in range(25)] == [202] * 25
        assert queue.appended == 25  # answered from the journal, not committed here
        until(lambda: views(client, "/journaled") == 25)
        until(lambda: announced)  # open dashboards heard of it
        assert queue._process is not None and queue._process.pid != os.getpid()
        folder = queue.folder
        listening.cancel()
    # Stopped: the writer counted the rest, and removed the journal and its mark.
    assert [name for name in os.listdir(folder) if not name.startswith(".")] == []
    with services.engine.connect() as connection:
        assert connection.execute(sa.select(sa.func.count()).select_from(MARKS)).scalar_one() == 0


def test_a_writer_process_that_dies_is_started_again_and_nothing_is_counted_twice(services: Services) -> None:
    with api_client(services) as client:
        queue = journal_queue(services)
        assert [post(client, "/again", number) for number in range(10)] == [202] * 10
        until(lambda: views(client, "/again") == 10)
        first = queue._process
        os.kill(first.pid, signal.SIGKILL)
        assert [post(client, "/again", number) for number in range(10, 30)] == [202] * 20
        until(lambda: queue._process is not first and queue._process.returncode is None)
        until(lambda: views(client, "/again") == 30)
        time.sleep(1.5)  # a second look, after the new writer looked for journals to adopt too
        assert views(client, "/again") == 30


def test_a_stop_counts_what_the_writer_had_not_yet_counted(services: Services) -> None:
    with api_client(services) as client:
        folder = journal_queue(services).folder
        assert [post(client, "/last", number) for number in range(25)] == [202] * 25
    assert journal.journals(folder) == set()  # counted, and removed
    with Session(services.engine) as session:
        assert queries.page_counts(session=session, site="blog", path="/last")[0] == 25


def test_a_steady_stream_is_counted_in_few_large_commits(services: Services) -> None:
    services.settings = replace(services.settings, trusted_proxy_hops=1)  # readers at many addresses
    announced: list = []
    with api_client(services) as client:
        queue = journal_queue(services)

        async def listen() -> None:
            async with services.bus.subscribe(ANALYTICS_TOPIC.name) as messages:
                async for message in messages:
                    announced.append(ANALYTICS_TOPIC.decode(message))

        listening = client.portal.start_task_soon(listen)
        try:
            started = time.monotonic()
            for number in range(STREAM):  # one page view at a time, each its own batch in the journal
                assert post(client, "/stream", number) == 202
                time.sleep(STREAM_SECONDS / STREAM)
            took = time.monotonic() - started
            until(lambda: views(client, "/stream") == STREAM)
            time.sleep(0.3)
        finally:
            listening.cancel()
    assert queue.appended == STREAM
    # A commit per batch would be one per page view; gathering allows one per GATHER seconds (and
    # one at once for the first page view after the quiet start).
    assert len(announced) <= took / GATHER + 3
    assert len(announced) < STREAM / 4
