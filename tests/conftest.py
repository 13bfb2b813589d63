"""Shared fixtures: real databases (SQLite always, PostgreSQL when DATABASE_URL is set), real Redis
when REDIS_URL is set, and the HTTP API built the way the app builds it.

Tests that need a server the environment does not name are deselected (not skipped), and the run
ends with a line saying what was left out.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
import sqlalchemy as sa
from alembic import command
from alembic.config import Config
from playwright.sync_api import Browser, sync_playwright
from sqlalchemy.engine import Engine, make_url
from sqlmodel import Session, SQLModel
from starlette.testclient import TestClient

import accumulator.models  # noqa: F401  (every table in the metadata)
from accumulator.api import create_api, running
from accumulator.auth import service as auth_service
from accumulator.db import create_db_engine
from accumulator.runtime import Services, build_services
from accumulator.settings import PROJECT_ROOT, Settings, load_settings
from tests.live_server import CHROMIUM, CHROMIUM_FLAGS

POSTGRES_URL = os.environ.get("DATABASE_URL", "")
REDIS_URL = os.environ.get("REDIS_URL", "")
HAVE_BROWSER = Path(CHROMIUM).exists()
BACKENDS = ["sqlite", "postgresql"]
LEFT_OUT: dict[str, int] = {}


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    keep, drop = [], []
    for item in items:
        reason = None
        params = getattr(item, "callspec", None)
        if item.get_closest_marker("postgresql") and params and params.params.get("database") == "sqlite":
            drop.append(item)  # a PostgreSQL-only behaviour: its SQLite run does not exist, nothing is left out
            continue
        needs_postgres = params and params.params.get("database") == "postgresql"
        if (needs_postgres or item.get_closest_marker("postgresql_server")) and not POSTGRES_URL:
            reason = "PostgreSQL (set DATABASE_URL)"
        elif item.get_closest_marker("redis") and not REDIS_URL:
            reason = "Redis (set REDIS_URL)"
        elif item.get_closest_marker("browser") and not HAVE_BROWSER:
            if os.environ.get("ACCUMULATOR_REQUIRE_BROWSER"):
                raise pytest.UsageError(f"{CHROMIUM} is missing: install Debian's chromium package")
            reason = "a browser (apt-get install chromium)"
        if reason:
            LEFT_OUT[reason] = LEFT_OUT.get(reason, 0) + 1
            drop.append(item)
        else:
            keep.append(item)
    if drop:
        config.hook.pytest_deselected(items=drop)
        items[:] = keep


def pytest_terminal_summary(terminalreporter) -> None:
    for reason, count in LEFT_OUT.items():
        terminalreporter.write_line(f"Left out {count} tests that need {reason}.", yellow=True)


def alembic_upgrade(url: str) -> None:
    cfg = Config(str(PROJECT_ROOT / "alembic.ini"))
    cfg.attributes["database_url"] = url
    command.upgrade(cfg, "head")


def _scratch_postgres_url() -> tuple[str, Engine]:
    """Create a database of our own on the server DATABASE_URL names; returns its URL and an admin engine."""
    server = make_url(load_settings({"DATABASE_URL": POSTGRES_URL, "DATA_DIR": "/tmp"}).database_url)
    admin = sa.create_engine(server, isolation_level="AUTOCOMMIT")
    name = f"acc_test_{uuid.uuid4().hex[:12]}"
    with admin.connect() as connection:
        connection.execute(sa.text(f'CREATE DATABASE "{name}"'))
    return server.set(database=name).render_as_string(hide_password=False), admin


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    """Headless Debian Chromium, driven by Playwright. Module scope: Playwright's sync API keeps an
    event loop running in this thread while it is open, and the async tests need the thread to themselves."""
    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_FLAGS, headless=True)
        yield chromium
        chromium.close()


@contextmanager
def fresh_database(kind: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """A freshly migrated database of `kind` ("sqlite" or "postgresql"), dropped afterwards."""
    if kind == "sqlite":
        url = f"sqlite:///{tmp_path_factory.mktemp('db') / 'test.db'}"
        alembic_upgrade(url)
        yield url
        return
    url, admin = _scratch_postgres_url()
    alembic_upgrade(url)
    try:
        yield url
    finally:
        with admin.connect() as connection:
            connection.execute(sa.text(f'DROP DATABASE IF EXISTS "{make_url(url).database}" WITH (FORCE)'))
        admin.dispose()


@pytest.fixture(scope="session", params=BACKENDS)
def database(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """A URL of a freshly migrated database of each kind, shared by the session's tests."""
    with fresh_database(request.param, tmp_path_factory) as url:
        yield url


@pytest.fixture(scope="session")
def _engines() -> Iterator[dict[str, Engine]]:
    engines: dict[str, Engine] = {}
    yield engines
    for engine in engines.values():
        engine.dispose()


@pytest.fixture
def engine(database: str, _engines: dict[str, Engine]) -> Iterator[Engine]:
    """The migrated database, emptied after each test so tests never see each other's rows."""
    if database not in _engines:
        _engines[database] = create_db_engine(database)
    engine = _engines[database]
    yield engine
    with engine.begin() as connection:
        for table in reversed(SQLModel.metadata.sorted_tables):
            connection.execute(table.delete())
        if engine.dialect.name == "sqlite":  # the notes' search index lives outside the models
            connection.execute(sa.text("INSERT INTO note_fts(note_fts) VALUES ('delete-all')"))


@pytest.fixture
def session(engine: Engine) -> Iterator[Session]:
    with Session(engine, expire_on_commit=False) as db_session:
        yield db_session


@pytest.fixture
def settings(tmp_path: Path, database: str) -> Settings:
    # In-process apps answer a page view once committed here (ANALYTICS_JOURNAL off), so a test can
    # read its count right after the 202; the journal and its writer process have tests of their own
    # (tests/analytics/test_journal*.py), and every app started as a process (live_server.py) uses it.
    return load_settings({"DATA_DIR": str(tmp_path / "data"), "DATABASE_URL": database, "ANALYTICS_JOURNAL": "0"})


@pytest.fixture
def services(settings: Settings, engine: Engine) -> Services:
    """What the app builds at start, on the test database (in-process bus and presence)."""
    return build_services(settings, engine)


def api_client(svc: Services, base_url: str = "http://testserver") -> TestClient:
    """A client of the HTTP API with its background work (the analytics writer) running."""
    return TestClient(create_api(svc, lifespan=lambda _app: running(svc)), base_url=base_url)


@pytest.fixture
def client(services: Services) -> Iterator[TestClient]:
    with api_client(services) as test_client:
        yield test_client


OWNER_EMAIL, OWNER_PASSWORD = "owner@example.com", "a long owner password"


@pytest.fixture
def owner(client: TestClient, session: Session) -> TestClient:
    """`client`, logged in as the owner."""
    auth_service.set_owner(session=session, email=OWNER_EMAIL, password=OWNER_PASSWORD)
    session.commit()
    answer = client.post("/api/auth/login", json={"email": OWNER_EMAIL, "password": OWNER_PASSWORD})
    assert answer.status_code == 200
    return client
