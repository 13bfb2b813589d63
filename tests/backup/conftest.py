"""An installation of the app (its own database and data folder) filled the way its owner fills it,
through the real routes and services, and ways to compare two installations table by table."""

from __future__ import annotations

import hashlib
import io
import json
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import replace
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa
from PIL import Image
from sqlmodel import Session
from starlette.testclient import TestClient

from accumulator.analytics.actions import ingestor
from accumulator.auth import service as auth_service
from accumulator.backup.snapshot import data_tables, stored_columns
from accumulator.db import create_db_engine, utcnow
from accumulator.notes import service as notes_service
from accumulator.plants import service as plants_service
from accumulator.runtime import Services, build_services
from accumulator.settings import PROJECT_ROOT, load_settings
from tests.conftest import OWNER_EMAIL, OWNER_PASSWORD, api_client, fresh_database

SITE_ORIGIN = "https://blog.example.com"
CHROME = "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/120.0 Safari/537.36"


@contextmanager
def installation(kind: str, factory: pytest.TempPathFactory, **env: str) -> Iterator[Services]:
    """A migrated database of `kind` with its own DATA_DIR, as the app builds its services."""
    data = factory.mktemp("data")
    with fresh_database(kind, factory) as url:
        # One proxy hop trusted: each visitor comes from an address of its own (the rate limit is per address).
        settings = load_settings({"DATA_DIR": str(data), "DATABASE_URL": url, "TRUSTED_PROXY_HOPS": "1", **env})
        settings = replace(settings, allowed_origins=(SITE_ORIGIN,))
        engine = create_db_engine(settings.database_url)
        try:
            yield build_services(settings, engine)
        finally:
            engine.dispose()


def png(seed: int) -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (40 + seed, 30), (seed % 255, 140, 60)).save(buffer, "PNG")
    return buffer.getvalue()


def page_view(client: TestClient, path: str, visitor: str) -> None:
    body = {"type": "pageview", "site": "blog", "path": path, "visitor": visitor, "referrer": ""}
    answer = client.post(
        "/api/event",
        content=json.dumps(body).encode(),
        headers={
            "Content-Type": "text/plain",
            "User-Agent": CHROME,
            "Origin": SITE_ORIGIN,
            "X-Forwarded-For": f"10.0.{len(visitor) % 250}.{sum(map(ord, visitor)) % 250}",
        },
    )
    assert answer.status_code == 202


def upload_paste(client: TestClient, content: bytes, name: str = "data.bin") -> str:
    upload = client.post("/api/pastes/uploads", params={"name": name}, content=content)
    assert upload.status_code == 201, upload.text
    paste = client.post(
        "/api/pastes",
        json={
            "title": f"with {name}",
            "content": "print('héllo')\n",
            "language": "python",
            "expiry": "never",
            "burn_after_reading": False,
            "visibility": "shared",
            "files": [upload.json()["id"]],
        },
    )
    assert paste.status_code == 201, paste.text
    return upload.json()["id"]


def settle(svc: Services) -> None:
    deadline = time.monotonic() + 5
    while ingestor(svc).pending and time.monotonic() < deadline:
        time.sleep(0.01)
    time.sleep(0.05)


def fill(svc: Services) -> str:
    """What an owner has after a while: an account and a session, page views, notes, pastes with
    files, plants with photos and history, the push key. Returns the session cookie."""
    with Session(svc.engine) as session:
        auth_service.set_owner(session=session, email=OWNER_EMAIL, password=OWNER_PASSWORD)
        workspace = notes_service.create_workspace(session=session, title="Journal ✍", is_public=True)
        for number in range(30):
            notes_service.add_note(
                session=session,
                workspace_id=workspace.id,
                text=f"Note {number}: **bold** ünïcode zebra{number}",
                now=utcnow(),
            )
        plant_ids = [
            plants_service.create_plant(
                session=session, data=plants_service.parse_input({"name": f"Fern {n}"}), now=utcnow()
            ).id
            for n in range(3)
        ]
        session.commit()
    ingestor(svc).flush_interval = 0.001
    with api_client(svc) as client:
        assert (
            client.post("/api/auth/login", json={"email": OWNER_EMAIL, "password": OWNER_PASSWORD}).status_code == 200
        )
        for number in range(40):
            page_view(client, f"/post-{number % 7}", f"visitor-{number % 11:04d}")
        for number in range(3):
            upload_paste(client, bytes(range(256)) * (number + 1) * 40, name=f"file-{number}.bin")
        for plant_id in plant_ids:
            assert client.post(f"/api/plants/{plant_id}/photo", content=png(plant_id)).status_code == 200
        assert client.get("/api/plants/push/key").status_code == 200  # makes the VAPID key pair
        settle(svc)
        return client.cookies["acc_session"]


def _plain(value: Any) -> Any:
    # The same moment, whichever database kind read it (SQLite hands UTC back without its zone).
    if isinstance(value, datetime) and value.tzinfo is not None:
        return value.astimezone(UTC).replace(tzinfo=None)
    return value


def rows_by_table(svc: Services) -> dict[str, list[tuple]]:
    """Every row of every table, in primary-key order, as plain values."""
    with svc.engine.connect() as connection:
        found = {}
        for table in data_tables(connection):
            columns = stored_columns(table)
            query = sa.select(*columns).order_by(*(table.primary_key.columns or columns))
            found[table.name] = [tuple(_plain(value) for value in row) for row in connection.execute(query)]
        return found


def files_by_name(svc: Services) -> dict[str, str]:
    """store/file id → SHA-256 of every stored file."""
    found = {}
    for name, store in (("pastes", svc.file_store), ("photos", svc.photo_store)):
        for file_id in store.stored():
            found[f"{name}/{file_id}"] = hashlib.sha256(store.path(file_id).read_bytes()).hexdigest()
    return found


def cli(svc: Services, *args: str, **env: str) -> subprocess.CompletedProcess[str]:
    """`python -m accumulator …` against this installation, as the owner runs it."""
    return subprocess.run(
        [sys.executable, "-m", "accumulator", *args],
        cwd=PROJECT_ROOT,
        env={
            "PATH": "/usr/bin:/bin",
            "DATA_DIR": str(svc.settings.data_dir),
            "DATABASE_URL": svc.settings.database_url,
            **env,
        },
        capture_output=True,
        text=True,
        timeout=300,
        stdin=subprocess.DEVNULL,
    )


def only_archive(directory: Path) -> Path:
    archives = sorted(directory.glob("accumulator-backup-*.tar"))
    assert len(archives) == 1, archives
    return archives[0]


def reloaded(svc: Services) -> Services:
    """The installation as the app sees it when it starts again (a restore may have put back the secret key)."""
    key = (svc.settings.data_dir / "secret_key").read_text().strip()
    return build_services(replace(svc.settings, secret_key=key), svc.engine)
