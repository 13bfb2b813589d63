"""The import ledger (what became what) and the shared pieces of a run."""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import TypeVar

import sqlalchemy as sa
from sqlalchemy.engine import Engine
from sqlmodel import Session, select

from accumulator.importer.mapping import PageMapping
from accumulator.importer.models import ImportLedger
from accumulator.importer.report import Report
from accumulator.importer.source import Source
from accumulator.storage import INCOMING, FileStore, new_file_id

T = TypeVar("T")
BATCH = 1000  # rows written per transaction
PLANNED = "(dry run)"  # the target of something a dry run would have imported


@dataclass(frozen=True)
class Entry:
    source_id: str
    target_id: str = ""
    link_target: str = ""


def imported(session: Session, kind: str) -> dict[str, Entry]:
    """What earlier runs imported of one kind, by the original's id."""
    rows = session.exec(
        select(ImportLedger.source_id, ImportLedger.target_id, ImportLedger.link_target).where(
            ImportLedger.kind == kind
        )
    )
    return {source: Entry(source, target, link) for source, target, link in rows}


def record(session: Session, kind: str, entries: Sequence[Entry], now: datetime) -> None:
    """Remember entries as imported, in the transaction that wrote them: both happen or neither."""
    if entries:
        session.execute(
            sa.insert(ImportLedger.__table__),
            [
                {
                    "kind": kind,
                    "source_id": entry.source_id,
                    "target_id": entry.target_id,
                    "link_target": entry.link_target,
                    "imported_at": now,
                }
                for entry in entries
            ],
        )


def batches(items: Sequence[T], size: int = BATCH) -> Iterator[Sequence[T]]:
    for start in range(0, len(items), size):
        yield items[start : start + size]


@dataclass
class Run:
    """Everything one import run works with."""

    engine: Engine
    source: Source
    report: Report
    pages: PageMapping
    file_store: FileStore
    photo_store: FileStore
    files_dir: Path | None
    now: datetime
    admin_email: str | None = None
    # Per kind, the original's id → our id, for what exists now or (dry run) would: notes find
    # their workspaces here.
    targets: dict[str, dict[str, str]] = field(default_factory=dict)

    @property
    def dry_run(self) -> bool:
        return self.report.dry_run

    def session(self) -> Session:
        return Session(self.engine, expire_on_commit=False)

    def done(self, kind: str) -> dict[str, Entry]:
        with self.session() as session:
            return imported(session, kind)

    def original_file(self, relative: str) -> Path:
        """The file at `relative` in --files; FileNotFoundError (with a readable reason) if absent."""
        if self.files_dir is None:
            raise FileNotFoundError("no --files folder was given")
        path = self.files_dir / relative
        if not path.is_file():
            raise FileNotFoundError(f"not found at {path}")
        return path


def copy_into(store: FileStore, source: Path) -> tuple[str, int]:
    """Copy a file into a store under a new id, the way uploads arrive: written to incoming/ first,
    moved into place once whole. Returns (id, size)."""
    file_id = new_file_id()
    incoming = store.root / INCOMING / file_id
    incoming.parent.mkdir(parents=True, exist_ok=True)
    try:
        with source.open("rb") as reader, open(incoming, "xb") as writer:
            shutil.copyfileobj(reader, writer, 1024 * 1024)
        final = store.path(file_id)
        final.parent.mkdir(exist_ok=True)
        os.replace(incoming, final)
    except BaseException:
        incoming.unlink(missing_ok=True)
        raise
    return file_id, final.stat().st_size


def save_bytes(store: FileStore, data: bytes) -> str:
    file_id = new_file_id()
    incoming = store.root / INCOMING / file_id
    incoming.parent.mkdir(parents=True, exist_ok=True)
    incoming.write_bytes(data)
    final = store.path(file_id)
    final.parent.mkdir(exist_ok=True)
    os.replace(incoming, final)
    return file_id
