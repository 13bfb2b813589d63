"""GET /healthz reports the database and Redis, and answers 503 when the database is unusable."""

from __future__ import annotations

import socket

import pytest
from starlette.testclient import TestClient

from accumulator.api import create_api
from accumulator.db import create_db_engine
from accumulator.runtime import Services
from accumulator.settings import load_settings
from tests.conftest import REDIS_URL, api_client


def test_it_answers_200_when_the_database_works(client: TestClient) -> None:
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json() == {
        "status": "ok",
        "database": "ok",
        "redis": "not configured",
        "backup": {"scheduled": False, "last": None, "status": "never"},
    }


def _closed_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def test_it_answers_503_when_the_database_cannot_be_reached(tmp_path) -> None:
    url = f"postgresql+psycopg://nobody@127.0.0.1:{_closed_port()}/none?connect_timeout=2"
    settings = load_settings({"DATA_DIR": str(tmp_path), "DATABASE_URL": url})
    with TestClient(create_api(Services(settings=settings, engine=create_db_engine(url)))) as client:
        response = client.get("/healthz")
    assert response.status_code == 503
    assert response.json()["status"] == "error" and response.json()["database"].startswith("error")


def test_it_reports_an_unreachable_redis_without_failing(tmp_path, services: Services) -> None:
    services.settings = load_settings({"DATA_DIR": str(tmp_path), "REDIS_URL": f"redis://127.0.0.1:{_closed_port()}/0"})
    with api_client(services) as client:
        response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json()["redis"].startswith("error")


@pytest.mark.redis
def test_it_reports_a_working_redis(tmp_path, services: Services) -> None:
    services.settings = load_settings({"DATA_DIR": str(tmp_path), "REDIS_URL": REDIS_URL})
    with api_client(services) as client:
        assert client.get("/healthz").json()["redis"] == "ok"
