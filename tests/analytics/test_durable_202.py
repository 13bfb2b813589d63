"""A 202 means stored: the real app, killed with SIGKILL in the middle of a load (its writer process
with it), has every page view it answered 202 for in its database once it is started again (on
SQLite, and on PostgreSQL when DATABASE_URL is set): what was committed is there, and what was only
in the journal is counted by the next start, once."""

from __future__ import annotations

import time
from pathlib import Path

import pytest
import sqlalchemy as sa

from accumulator.analytics import journal
from tests.conftest import fresh_database
from tests.live_server import app_environment, backend_server, free_port
from tests.page_view_senders import PageViewSenders

SENDERS = 8


def test_no_page_view_answered_202_is_lost_when_the_process_is_killed(
    database: str, tmp_path_factory: pytest.TempPathFactory
) -> None:
    kind = "postgresql" if database.startswith("postgresql") else "sqlite"  # a database of its own, of that kind
    with fresh_database(kind, tmp_path_factory) as url:
        env = app_environment(tmp_path_factory.mktemp("killed"), free_port(), DATABASE_URL=url, TRUSTED_PROXY_HOPS="1")
        with backend_server(env) as server:
            # Readers at many addresses (one address alone is rate limited).
            senders = PageViewSenders(server.url, SENDERS, lambda _index, n: f"198.51.100.{n % 250 + 1}")
            senders.start()
            time.sleep(2.5)
            server.kill()  # in the middle of the load: batches journaled, being counted, and waiting
            senders.stop()
        accepted, sent = senders.accepted, senders.sent
        engine = sa.create_engine(url)
        journal_dir = journal.directory(Path(env["DATA_DIR"]))
        left = journal.journals(journal_dir)
        assert left  # the killed process left its journal behind
        with backend_server(env):  # started again: its writer adopts the journal of the one killed
            deadline = time.monotonic() + 60
            while left & journal.journals(journal_dir):
                assert time.monotonic() < deadline, "the journal of the killed process was not counted"
                time.sleep(0.2)
            stored = stored_views(engine)
        assert stored_views(engine) == stored  # and nothing more after the stop: counted once
        engine.dispose()
    assert sum(accepted) > 100  # there was a load to lose
    for index in range(SENDERS):
        # Every answered one is stored; a few more may be (committed, then killed before answering).
        assert accepted[index] <= stored.get(f"/p{index}", 0) <= sent[index]


def stored_views(engine: sa.Engine) -> dict[str, int]:
    with engine.connect() as connection:
        return dict(connection.execute(sa.text("SELECT path, views FROM page_stat")).all())
