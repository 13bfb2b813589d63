"""A 202 means stored: the real app, killed with SIGKILL in the middle of a load, has every page
view it answered 202 for in its database (on SQLite, and on PostgreSQL when DATABASE_URL is set)."""

from __future__ import annotations

import threading
import time

import httpx
import pytest
import sqlalchemy as sa

from tests.conftest import fresh_database
from tests.live_server import app_environment, backend_server, free_port

READER = {
    "User-Agent": "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/130.0 Safari/537.36"
}
SENDERS = 8


def test_no_page_view_answered_202_is_lost_when_the_process_is_killed(
    database: str, tmp_path_factory: pytest.TempPathFactory
) -> None:
    kind = "postgresql" if database.startswith("postgresql") else "sqlite"  # a database of its own, of that kind
    accepted = [0] * SENDERS
    sent = [0] * SENDERS
    stop = threading.Event()

    def send(index: int, url: str) -> None:
        with httpx.Client(timeout=5) as client:
            while not stop.is_set():
                event = {"type": "pageview", "site": "blog", "path": f"/p{index}", "visitor": f"visitor-{index:04d}-x"}
                sent[index] += 1
                try:
                    # Readers at many addresses, through a proxy (one address alone is rate limited).
                    reader = {**READER, "X-Forwarded-For": f"198.51.100.{sent[index] % 250 + 1}"}
                    answer = client.post(f"{url}/api/event", json=event, headers=reader)
                except httpx.HTTPError:
                    return  # the server is gone
                if answer.status_code == 202:
                    accepted[index] += 1

    with fresh_database(kind, tmp_path_factory) as url:
        env = app_environment(tmp_path_factory.mktemp("killed"), free_port(), DATABASE_URL=url, TRUSTED_PROXY_HOPS="1")
        with backend_server(env) as server:
            senders = [threading.Thread(target=send, args=(i, server.url)) for i in range(SENDERS)]
            for thread in senders:
                thread.start()
            time.sleep(2.5)
            server.kill()  # in the middle of the load: batches written, being written, and waiting
            stop.set()
            for thread in senders:
                thread.join()
        engine = sa.create_engine(url)
        with engine.connect() as connection:
            stored = dict(connection.execute(sa.text("SELECT path, views FROM page_stat")).all())
        engine.dispose()
    assert sum(accepted) > 100  # there was a load to lose
    for index in range(SENDERS):
        # Every answered one is stored; a few more may be (committed, then killed before answering).
        assert accepted[index] <= stored.get(f"/p{index}", 0) <= sent[index]
