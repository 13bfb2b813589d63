"""The app's backend as it runs in production (every route, the websocket, no front-end build), on a
database of its own (SQLite, and PostgreSQL when DATABASE_URL is set) holding the owner's private
data, each piece marked with a string that must never reach anyone without the owner's session."""

from __future__ import annotations

import asyncio
import hashlib
import json
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest
import sqlalchemy as sa
from sqlalchemy.engine import Engine
from sqlmodel import Session, SQLModel

from accumulator.auth import service as auth_service
from accumulator.db import create_db_engine, utcnow
from accumulator.notes import service as notes_service
from accumulator.pastes import service as pastes_service
from accumulator.plants import service as plants_service
from tests.conftest import BACKENDS, fresh_database
from tests.live_server import app_environment, free_port, serve_backend

OWNER_EMAIL, OWNER_PASSWORD = "secret-owner-7f3a@example.com", "a long owner password"
SITE_ORIGIN = "http://127.0.0.1:9"  # stands for the owner's blog: listed in ALLOWED_ORIGINS
# Private values, one per kind of private data; none may appear in any answer to an outsider.
SECRETS = {
    "workspace": "Secret workspace 7f3a",
    "note": "private note text 7f3a",
    "paste": "private paste 7f3a",
    "paste_content": "private paste content 7f3a",
    "plant": "Secret fern 7f3a",
    "page": "/secret-path-7f3a",
    "email": OWNER_EMAIL,
}


@dataclass
class Backend:
    url: str
    own_origin: str
    engine: Engine
    data_dir: Path
    cookie: str  # "acc_session=…" of a logged-in owner
    workspace_id: int
    paste_id: str
    plant_id: int

    def log_in(self) -> str:
        """A new owner session; returns its Cookie header value."""
        answer = httpx.post(f"{self.url}/api/auth/login", json={"email": OWNER_EMAIL, "password": OWNER_PASSWORD})
        assert answer.status_code == 200, answer.text
        return f"acc_session={answer.cookies['acc_session']}"

    def fingerprint(self) -> str:
        """A digest of every row of every table: equal before and after means nothing changed."""
        digest = hashlib.sha256()
        with self.engine.connect() as connection:
            for table in SQLModel.metadata.sorted_tables:
                if table.name == "owner_session":
                    continue  # last use is renewed by the owner's own requests
                rows = connection.execute(sa.select(table).order_by(*table.primary_key.columns)).all()
                digest.update(json.dumps([table.name, [list(map(str, row)) for row in rows]]).encode())
        return digest.hexdigest()


@pytest.fixture(scope="module", params=BACKENDS)
def database(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """A database of this module's own (the other tests empty theirs after each test)."""
    with fresh_database(request.param, tmp_path_factory) as url:
        yield url


def _until_counted(engine: Engine, path: str) -> None:
    deadline = time.monotonic() + 30
    query = sa.text("SELECT COALESCE(SUM(views), 0) FROM page_stat WHERE path = :path")
    while True:
        with engine.connect() as connection:
            if connection.execute(query, {"path": path}).scalar_one():
                return
        assert time.monotonic() < deadline, "the page view was not counted"
        time.sleep(0.05)


def _seed(engine: Engine) -> tuple[int, str, int]:
    now = utcnow()
    with Session(engine, expire_on_commit=False) as session:
        auth_service.set_owner(session=session, email=OWNER_EMAIL, password=OWNER_PASSWORD)
        workspace = notes_service.create_workspace(session=session, title=SECRETS["workspace"])
        notes_service.add_note(session=session, workspace_id=workspace.id, text=SECRETS["note"], now=now)
        paste = pastes_service.create_paste(
            session=session,
            data=pastes_service.parse_input({"title": SECRETS["paste"], "content": SECRETS["paste_content"]}),
            now=now,
        )
        plant = plants_service.create_plant(
            session=session, data=plants_service.parse_input({"name": SECRETS["plant"], "interval_days": 3}), now=now
        )
        session.commit()
        return workspace.id, paste.id, plant.id


@pytest.fixture(scope="module")
def backend(database: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Backend]:
    engine = create_db_engine(database)
    workspace_id, paste_id, plant_id = _seed(engine)
    data_dir = tmp_path_factory.mktemp("security-app")
    port = free_port()
    env = app_environment(
        data_dir,
        port,
        DATABASE_URL=database,
        ALLOWED_ORIGINS=SITE_ORIGIN,
        DASHBOARD_PUBLIC="false",
        PUBLIC_URL=f"http://127.0.0.1:{port}",
    )
    with serve_backend(env) as url:
        # A page view of a private page: the dashboard is the owner's here, so its numbers are private.
        page_view = {"type": "pageview", "site": "blog", "path": SECRETS["page"], "visitor": "visitor-7f3a-000"}
        browser = {"User-Agent": "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 Chrome/130.0 Safari/537.36"}
        assert httpx.post(f"{url}/api/event", json=page_view, headers=browser).status_code == 202
        _until_counted(engine, SECRETS["page"])  # the writer process counts it: the tests start from there
        answer = httpx.post(f"{url}/api/auth/login", json={"email": OWNER_EMAIL, "password": OWNER_PASSWORD})
        assert answer.status_code == 200, answer.text
        yield Backend(
            url=url,
            own_origin=url,
            engine=engine,
            data_dir=data_dir,
            cookie=f"acc_session={answer.cookies['acc_session']}",
            workspace_id=workspace_id,
            paste_id=paste_id,
            plant_id=plant_id,
        )
    engine.dispose()


def leaked(text: str) -> list[str]:
    """The private values found in `text`."""
    return [value for value in SECRETS.values() if value in text]


def run(coroutine):
    return asyncio.run(coroutine)
