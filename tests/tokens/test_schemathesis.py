"""The API checked against its own description: schemathesis drives the running app (the backend
as it is deployed, on SQLite and on PostgreSQL) with a write token made on the owner's /tokens page
over its websocket, through every operation with generated valid and invalid input. Every answer
must match the description (status, content type, schema, headers), invalid input must be refused
with a 4xx, and nothing may answer 5xx.

The same live app also shows the token's borders: a token gets nothing from the owner's websocket."""

from __future__ import annotations

import asyncio
import re
import subprocess
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest
from sqlmodel import Session

from accumulator.apiv1.manifest import OPERATIONS
from accumulator.auth import service as auth_service
from accumulator.comments import service as comments_service
from accumulator.contact import service as contact_service
from accumulator.db import create_db_engine, utcnow
from accumulator.plants import service as plants_service
from accumulator.tokens.state import TokensState
from tests.conftest import BACKENDS, fresh_database
from tests.live_server import app_environment, free_port, serve_backend
from tests.reflex_socket import ReflexSocket, event_name, text_of

OWNER_EMAIL, OWNER_PASSWORD = "owner@example.com", "a long owner password"
MAX_EXAMPLES = 5  # per operation and phase: with the time cap, about a minute and a half per database
RUN_SECONDS = 90
CONFIG = Path(__file__).with_name("schemathesis.toml")  # why one check accepts the documented 400


@dataclass
class Live:
    url: str
    cookie: str
    log: Path


@pytest.fixture(scope="module", params=BACKENDS)
def live(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Live]:
    with fresh_database(request.param, tmp_path_factory) as database:
        engine = create_db_engine(database)
        with Session(engine) as session:
            auth_service.set_owner(session=session, email=OWNER_EMAIL, password=OWNER_PASSWORD)
            plants_service.create_plant(
                session=session, data=plants_service.parse_input({"name": "Fern", "interval_days": 3}), now=utcnow()
            )
            # A held comment and a message, so the lists answer items for their schemas to be checked on.
            comment = comments_service.parse_input({"site": "blog", "path": "/posts/hello", "text": "Hello *there*"})
            comments_service.post_comment(session=session, data=comment, secret="seed", now=utcnow())
            contact_service.store_message(session=session, email="reader@example.org", message="Hi", now=utcnow())
            session.commit()
        engine.dispose()
        data_dir = tmp_path_factory.mktemp("api-app")
        port = free_port()
        # A generous rate limit: schemathesis sends thousands of requests with one token.
        env = app_environment(data_dir, port, DATABASE_URL=database, API_RATE_LIMIT="100000",
                              PUBLIC_URL=f"http://127.0.0.1:{port}")  # fmt: skip
        with serve_backend(env) as url:
            answer = httpx.post(f"{url}/api/auth/login", json={"email": OWNER_EMAIL, "password": OWNER_PASSWORD})
            assert answer.status_code == 200, answer.text
            yield Live(url=url, cookie=f"acc_session={answer.cookies['acc_session']}", log=data_dir / "backend.log")


def token_from_the_page(live: Live) -> str:
    """What the owner does on /tokens: fill in the form, press Create, copy the token shown once."""

    async def create() -> str:
        async with ReflexSocket(live.url, cookie=live.cookie, origin=live.url) as tab:
            await tab.hydrate("/tokens")
            form = {"name": "schemathesis", "scope": "write", "expires_days": "30"}
            updates = await tab.send(event_name(TokensState, "create_token"), {"form": form}, path="/tokens")
            found = re.search(r"acc_[A-Za-z0-9_-]{43}", text_of(updates))
            assert found, text_of(updates)[:2000]
            return found.group(0)

    return asyncio.run(create())


def test_a_token_made_on_the_page_works_and_opens_nothing_on_the_websocket(live: Live) -> None:
    token = token_from_the_page(live)
    headers = {"Authorization": f"Bearer {token}"}
    assert httpx.get(f"{live.url}/api/v1/plants", headers=headers).json()["items"][0]["name"] == "Fern"

    async def as_token() -> str:
        tab = ReflexSocket(live.url, origin=live.url)  # no cookie: only the token, on the handshake
        tab.headers.update(headers)
        async with tab:
            await tab.hydrate("/tokens")
            updates = await tab.send(event_name(TokensState, "load_tokens"), {}, path="/tokens")
            return text_of(updates)

    seen = asyncio.run(as_token())
    assert "schemathesis" not in seen and '"is_owner_rx_state_": true' not in seen
    assert httpx.get(f"{live.url}/api/pastes", headers=headers).status_code == 404


def test_every_operation_matches_its_description(live: Live, tmp_path: Path) -> None:
    token = token_from_the_page(live)
    command = [
        str(Path(sys.executable).parent / "schemathesis"), "--config-file", str(CONFIG),
        "run", f"{live.url}/api/v1/openapi.json",
        "--header", f"Authorization: Bearer {token}",
        "--checks", "all",
        "--mode", "all",
        "--max-examples", str(MAX_EXAMPLES),
        "--max-time", str(RUN_SECONDS),
        "--workers", "1",
        "--seed", "17",
        "--generation-deterministic",
        "--request-timeout", "10",
        "--no-color",
        "--report", "junit", "--report-dir", str(tmp_path),
    ]  # fmt: skip
    # In the test's own folder: schemathesis keeps its example database (.schemathesis/) where it runs.
    done = subprocess.run(command, cwd=tmp_path, capture_output=True, text=True, timeout=RUN_SECONDS + 60)
    log = live.log.read_text()[-3000:] if live.log.exists() else ""
    assert done.returncode == 0, f"{done.stdout[-12000:]}\n{done.stderr[-2000:]}\n--- server log ---\n{log}"
    every = len(OPERATIONS)
    assert f"Selected: {every}/{every}" in done.stdout and f"Tested: {every}" in done.stdout  # every operation
    assert "Traceback" not in log, log
