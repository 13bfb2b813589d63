"""The original app's database (a scratch PostgreSQL database with the original schema and rows),
its /data folder, and a fresh install of ours to import them into."""

from __future__ import annotations

import io
from collections.abc import Iterator
from datetime import datetime
from pathlib import Path

import pytest
import sqlalchemy as sa
from PIL import Image
from sqlalchemy.engine import Engine, make_url
from sqlmodel import Session, SQLModel

from accumulator.analytics.models import DailyDimension, PageStat
from accumulator.db import utcnow
from accumulator.importer.phoenix import ImportOptions, import_phoenix
from accumulator.importer.report import Report
from accumulator.notes import service as notes
from accumulator.runtime import Services
from tests.conftest import _scratch_postgres_url
from tests.importer.phoenix_schema import COVER, DDL, EXPIRED_DIR, JUKEBOX_DIR, SONG, rows_sql


@pytest.fixture(scope="module")
def phoenix_source() -> Iterator[str]:
    """The URL of a database laid out and filled as the original app's. The import only reads it,
    so the tests of a module share it."""
    url, admin = _scratch_postgres_url()
    engine = sa.create_engine(url)
    with engine.begin() as connection:
        connection.exec_driver_sql(DDL)
        for statement, parameters in rows_sql():
            connection.execute(sa.text(statement), parameters)
    engine.dispose()
    yield url
    with admin.connect() as connection:
        connection.execute(sa.text(f'DROP DATABASE IF EXISTS "{make_url(url).database}" WITH (FORCE)'))
    admin.dispose()


def fern_png() -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (64, 48), (30, 120, 60)).save(out, "PNG")
    return out.getvalue()


@pytest.fixture(scope="module")
def phoenix_files(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A copy of the original's /data volume: paste folders by UUID, plant images under plants/."""
    root = tmp_path_factory.mktemp("phoenix-data")
    (root / JUKEBOX_DIR).mkdir()
    (root / JUKEBOX_DIR / "song one.mp3").write_bytes(SONG)
    (root / JUKEBOX_DIR / "cover.png").write_bytes(COVER)
    (root / EXPIRED_DIR).mkdir()
    (root / EXPIRED_DIR / "old.txt").write_text("old")
    (root / "plants").mkdir()
    (root / "plants" / "fern.png").write_bytes(fern_png())
    return root


@pytest.fixture
def fresh_install(engine: Engine) -> Engine:
    """Our database as a new install has it: migrated, with its one workspace "default" (the
    `engine` fixture empties every table after each test, that one included)."""
    with Session(engine) as session:
        notes.create_workspace(session=session, title="default")
        session.commit()
    return engine


def run_import(
    services: Services, source: str, files: Path | None, *, dry_run: bool = False, now: datetime | None = None
) -> Report:
    return import_phoenix(
        options=ImportOptions(source_url=source, files_dir=files, dry_run=dry_run),
        engine=services.engine,
        file_store=services.file_store,
        photo_store=services.photo_store,
        now=now or utcnow(),
    )


def snapshot(engine: Engine, uploads: Path) -> dict[str, object]:
    """Everything a run could change: rows of every table, the counters' sums, files on disk."""
    state: dict[str, object] = {}
    with engine.connect() as connection:
        for table in SQLModel.metadata.sorted_tables:
            state[table.name] = connection.execute(sa.select(sa.func.count()).select_from(table)).scalar_one()
        for column in (PageStat.views, PageStat.likes, DailyDimension.views):
            state[str(column)] = connection.execute(sa.select(sa.func.sum(column))).scalar()
    state["files"] = sorted(str(path.relative_to(uploads)) for path in uploads.rglob("*") if path.is_file())
    return state
