"""Backing up, restoring and moving the database: the rules, with engines, stores and clock passed in.

A backup is one snapshot of the tables plus exactly the stored files its rows name. Files are read
first, inside the snapshot: each is read whole from an open handle (files are never changed in place,
only written beside and renamed, see storage.py), and a file deleted after the snapshot began (a paste
deleted meanwhile) is left out together with the row naming it, so the archive never names a file it
lacks. Tables come next, from the same snapshot, then the manifest.
"""

from __future__ import annotations

import os
import time
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import sqlalchemy as sa
from sqlalchemy.engine import Engine

from accumulator.backup import archive, load
from accumulator.backup.archive import ArchiveError, ArchiveWriter
from accumulator.backup.reading import Archive, open_verified
from accumulator.backup.snapshot import FILE_REFS, SECRET_TABLES, FileRef, Snapshot, snapshot, stored_columns
from accumulator.storage import INCOMING, FileStore


class BackupError(Exception):
    """A backup, restore or move did not happen; the message is one line saying why."""


@dataclass
class BackupResult:
    path: Path
    size: int
    revision: str
    rows: dict[str, int]
    files: int
    file_bytes: int
    seconds: float
    vanished: int  # files deleted (with their rows) while the backup ran
    include_secrets: bool

    def summary(self) -> str:
        total = sum(self.rows.values())
        return (
            f"Backed up {total:,} rows of {len(self.rows)} tables and {self.files:,} files "
            f"({self.file_bytes / 1e6:,.1f} MB) at revision {self.revision} in {self.seconds:.1f} s: "
            f"{self.path} ({self.size / 1e6:,.1f} MB)"
            + ("" if self.include_secrets else "; secrets left out (sessions, VAPID keys, Apprise URLs, secret key)")
            + (f"; {self.vanished} files deleted meanwhile were left out with their rows" if self.vanished else "")
        )


def take_backup(
    *,
    engine: Engine,
    stores: Mapping[str, FileStore],
    directory: Path,
    now: datetime,
    include_secrets: bool = False,
    secret_key_file: Path | None = None,
) -> BackupResult:
    started = time.monotonic()
    writer = ArchiveWriter(directory=directory, name=archive.archive_name(now))
    try:
        with snapshot(engine) as snap:
            vanished = _add_files(writer, snap, stores)
            rows = {}
            for table in snap.tables:
                secret = table.name in SECRET_TABLES and not include_secrets
                source = () if secret else _rows_without_vanished(snap, table, vanished)
                columns = [column.name for column in stored_columns(table)]
                rows[table.name] = writer.add_table(table.name, columns, source, secret=secret)
            revision = snap.revision
        if include_secrets and secret_key_file is not None and secret_key_file.is_file():
            writer.add_file(archive.SECRET_KEY_MEMBER, secret_key_file)
        files = [entry for name, entry in writer.members.items() if name.startswith("files/")]
        path = writer.finish(
            {
                "revision": revision,
                "created_at": now.isoformat(),
                "source": engine.dialect.name,
                "include_secrets": include_secrets,
                "vanished_files": sum(len(ids) for ids in vanished.values()),
            }
        )
    except BaseException:
        writer.abort()
        raise
    return BackupResult(
        path=path,
        size=path.stat().st_size,
        revision=revision,
        rows=rows,
        files=len(files),
        file_bytes=sum(entry["bytes"] for entry in files),
        seconds=time.monotonic() - started,
        vanished=sum(len(ids) for ids in vanished.values()),
        include_secrets=include_secrets,
    )


def _add_files(writer: ArchiveWriter, snap: Snapshot, stores: Mapping[str, FileStore]) -> dict[FileRef, set[str]]:
    vanished: dict[FileRef, set[str]] = {}
    for ref in FILE_REFS:
        store = stores[ref.store]
        for file_id in snap.file_ids(ref):
            try:
                path = store.path(file_id)
            except ValueError:  # not one of our ids: nothing on disk can be named by it
                continue
            if not writer.add_file(archive.file_member(ref.store, file_id), path):
                vanished.setdefault(ref, set()).add(file_id)
    return vanished


def _rows_without_vanished(snap: Snapshot, table: Any, vanished: dict[FileRef, set[str]]) -> Iterator[list[Any]]:
    refs = [(ref, ids) for ref, ids in vanished.items() if ref.table == table.name]
    names = [column.name for column in stored_columns(table)]
    unfinished = names.index("finished_at") if table.name == "backup_run" else None
    for row in snap.rows(table):
        values = list(row)
        if unfinished is not None and values[unfinished] is None:
            continue  # this very backup (or one running beside it): restored, it would never finish
        for ref, ids in refs:
            index = names.index(ref.column)
            if values[index] in ids:
                # Its file was deleted after the snapshot began: so, in the database, was (or is about
                # to be) what named it. A nullable reference loses the file; a file's own row goes.
                if table.c[ref.column].nullable:
                    values[index] = None
                else:
                    break
        else:
            yield values


def prune(directory: Path, keep: int) -> list[Path]:
    """Remove the oldest archives beyond `keep`; returns what was removed."""
    doomed = archive.archives_in(directory)[:-keep] if keep > 0 else []
    for path in doomed:
        path.unlink(missing_ok=True)
    return doomed


# Restoring


@dataclass
class RestoreResult:
    revision: str
    rows: dict[str, int]
    files: int
    secrets: bool
    notes: list[str] = field(default_factory=list)

    def summary(self) -> str:
        return (
            f"Restored {sum(self.rows.values()):,} rows of {len(self.rows)} tables and {self.files:,} files "
            f"(archive revision {self.revision}, now at {load.head_revision()})"
            + ("" if self.secrets else "; the archive had no secrets: everyone is logged out, new keys are made")
        )


def verify(path: Path) -> Archive:
    """The archive, checked whole; BackupError with the reason otherwise. Writes nothing."""
    try:
        return open_verified(path, check_revision=load.check_known_revision)
    except (ArchiveError, load.LoadError) as exc:
        raise BackupError(str(exc)) from None


def restore(
    *, opened: Archive, engine: Engine, url: str, stores: Mapping[str, FileStore], secret_key_file: Path | None
) -> RestoreResult:
    """Load a verified archive into an empty database (the caller checked and emptied it)."""
    written: list[Path] = []
    try:
        _prepare(engine, url, opened.revision)
        for store_name, file_id, source in opened.files():
            written.append(_put_file(stores[store_name], file_id, source))
        expected = {name: entry["rows"] for name, entry in opened.tables.items()}
        rows = load.load_rows(engine, lambda name: (opened.tables[name]["columns"], opened.rows(name)), expected)
    except BaseException:
        for path in written:
            path.unlink(missing_ok=True)
        raise
    engine.dispose()
    load.migrate(url, "head")
    secret = opened.secret_key()
    if secret and secret_key_file is not None:
        _write_private(secret_key_file, secret)
    return RestoreResult(revision=opened.revision, rows=rows, files=len(written), secrets=secret is not None)


def _prepare(engine: Engine, url: str, revision: str) -> None:
    """The database, emptied, at `revision`."""
    load.drop_everything(engine)
    engine.dispose()
    load.migrate(url, revision)


def _put_file(store: FileStore, file_id: str, source: Any) -> Path:
    """Write one file the way uploads are written: aside, then renamed into place whole."""
    final = store.path(file_id)
    incoming = store.root / INCOMING / f"restore-{file_id}"
    incoming.parent.mkdir(parents=True, exist_ok=True)
    with open(incoming, "wb") as out:
        while chunk := source.read(archive.CHUNK):
            out.write(chunk)
    final.parent.mkdir(parents=True, exist_ok=True)
    os.replace(incoming, final)
    return final


def _write_private(path: Path, text: str) -> None:
    partial = path.with_name(f".{path.name}.partial")
    fd = os.open(partial, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w") as handle:
        handle.write(text)
    os.replace(partial, path)


def empty_stores(stores: Mapping[str, FileStore]) -> int:
    removed = 0
    for store in stores.values():
        for file_id in list(store.stored()):
            removed += store.delete(file_id)
    return removed


# Moving to another database


def move(*, source: Engine, target: Engine, target_url: str) -> dict[str, int]:
    """Copy every row (secrets included: it is the same installation) from `source`, read in one
    snapshot, into the empty `target`, through the same loader a restore uses."""
    with snapshot(source) as snap:
        revision = snap.revision
        tables = {table.name: table for table in snap.tables}
        expected = _counts_in(snap)
        _prepare(target, target_url, revision)

        def rows_of(name: str) -> tuple[list[str], Iterable[list[Any]]]:
            table = tables[name]
            columns = [column.name for column in stored_columns(table)]
            return columns, ([archive.portable(value) for value in row] for row in snap.rows(table))

        rows = load.load_rows(target, rows_of, expected)
    target.dispose()
    load.migrate(target_url, "head")
    return rows


def _counts_in(snap: Snapshot) -> dict[str, int]:
    return {
        table.name: snap.connection.execute(sa.select(sa.func.count()).select_from(table)).scalar() or 0
        for table in snap.tables
    }


# The schedule


def scheduled_day(now: datetime, *, zone: ZoneInfo, at: str) -> date | None:
    """The owner's day whose backup is due at `now` (from `at`, HH:MM in `zone`, until midnight), else None."""
    local = now.astimezone(zone)
    hours, minutes = (int(part) for part in at.split(":"))
    due = datetime(local.year, local.month, local.day, hours, minutes, tzinfo=zone)
    return local.date() if local >= due else None


def next_run(now: datetime, *, zone: ZoneInfo, at: str) -> datetime:
    local = now.astimezone(zone)
    hours, minutes = (int(part) for part in at.split(":"))
    due = datetime(local.year, local.month, local.day, hours, minutes, tzinfo=zone)
    return due if due > local else due + timedelta(days=1)
