"""The backup archive: one uncompressed tar of gzip'd JSON-lines tables, stored files and a manifest.

    tables/<table>.jsonl.gz   one JSON array per row, in the manifest's column order
    files/<store>/<file id>   a stored file as it is on disk (paste attachments, plant photos)
    secrets/secret_key        only with --include-secrets
    manifest.json             format, version, Alembic revision, per table its columns and row count,
                              per member its size and SHA-256
    manifest.sha256           the manifest's own SHA-256, so a flipped byte in it is caught too

Values are written by their Python type (datetimes as ISO 8601, bytes as base64) and read back by
the type of the column they go into, so the format does not depend on the database kind. Writing
never holds a whole table or file in memory: rows go through a temporary gzip file (a tar member
needs its size up front), files are copied in chunks, both hashed as they pass. The archive is
built under a hidden `.partial` name, fsync'd and only then renamed: a half-written archive never
looks like a backup.
"""

from __future__ import annotations

import base64
import contextlib
import gzip
import hashlib
import json
import os
import tarfile
import tempfile
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from decimal import Decimal
from pathlib import Path
from typing import IO, Any

FORMAT = "accumulator-backup"
VERSION = 1
PREFIX, SUFFIX = "accumulator-backup-", ".tar"
MANIFEST, MANIFEST_SUM = "manifest.json", "manifest.sha256"
SECRET_KEY_MEMBER = "secrets/secret_key"  # noqa: S105 (a member name, not a secret)
CHUNK = 1024 * 1024


class ArchiveError(Exception):
    """The archive cannot be used; the message is one line saying why."""


def archive_name(now: datetime) -> str:
    """`accumulator-backup-20261202T030000123Z.tar`: sorts by time, milliseconds keep names apart."""
    now = now.astimezone(UTC)
    return f"{PREFIX}{now:%Y%m%dT%H%M%S}{now.microsecond // 1000:03d}Z{SUFFIX}"


def archives_in(directory: Path) -> list[Path]:
    """The complete archives in `directory`, oldest first (hidden `.partial` ones are not archives)."""
    if not directory.is_dir():
        return []
    return sorted(path for path in directory.glob(f"{PREFIX}*{SUFFIX}") if path.is_file())


def table_member(table: str) -> str:
    return f"tables/{table}.jsonl.gz"


def file_member(store: str, file_id: str) -> str:
    return f"files/{store}/{file_id}"


# Values


def _portable(value: Any) -> Any:
    """json.dumps' `default`: what JSON has no type for."""
    if isinstance(value, datetime):
        return (value.astimezone(UTC) if value.tzinfo else value).isoformat()
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, bytes | bytearray | memoryview):
        return base64.b64encode(bytes(value)).decode("ascii")
    if isinstance(value, Decimal):
        return str(value)
    raise TypeError(f"cannot store a {type(value).__name__} in a backup")


def encode_row(row: Iterable[Any]) -> str:
    return json.dumps(list(row), default=_portable, ensure_ascii=False, separators=(",", ":"))


def portable(value: Any) -> Any:
    """The value as it reads back from an archive line (for copying between databases directly)."""
    return value if value is None or isinstance(value, bool | int | float | str) else _portable(value)


# Writing


class _Hashing:
    """A file object that hashes and counts what is read through it."""

    def __init__(self, raw: IO[bytes]) -> None:
        self.raw, self.sha, self.size = raw, hashlib.sha256(), 0

    def read(self, size: int = -1) -> bytes:
        data = self.raw.read(size)
        self.sha.update(data)
        self.size += len(data)
        return data


@dataclass
class ArchiveWriter:
    """Builds one archive in `directory`; `finish` makes it appear under its name, `abort` removes it."""

    directory: Path
    name: str
    members: dict[str, dict[str, Any]] = field(default_factory=dict)
    tables: dict[str, dict[str, Any]] = field(default_factory=dict)

    def __post_init__(self) -> None:
        self.path = self.directory / self.name
        self.partial = self.directory / f".{self.name}.partial"
        self.directory.mkdir(parents=True, exist_ok=True)
        # The owner's password hash and data are inside: readable by the owner of the process only.
        fd = os.open(self.partial, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        self._file = os.fdopen(fd, "wb")
        self._tar = tarfile.open(fileobj=self._file, mode="w", format=tarfile.PAX_FORMAT)  # noqa: SIM115 (closed in finish/abort)
        self._tar.copybufsize = CHUNK
        self._scratch = tempfile.TemporaryDirectory(dir=self.directory, prefix=".backup-tables-")

    def add_stream(self, member: str, source: IO[bytes], size: int, mtime: float) -> None:
        info = tarfile.TarInfo(member)
        info.size, info.mtime, info.mode = size, int(mtime), 0o600
        reader = _Hashing(source)
        self._tar.addfile(info, reader)  # raises if the source ends before `size` bytes
        self.members[member] = {"bytes": reader.size, "sha256": reader.sha.hexdigest()}

    def add_file(self, member: str, path: Path) -> bool:
        """Copy one stored file in whole; False if it is gone (deleted since the snapshot)."""
        try:
            handle = open(path, "rb")  # noqa: SIM115 (closed below; the open file stays whole if unlinked)
        except FileNotFoundError:
            return False
        with handle:
            stat = os.fstat(handle.fileno())
            self.add_stream(member, handle, stat.st_size, stat.st_mtime)
        return True

    def add_table(self, table: str, columns: list[str], rows: Iterable[Iterable[Any]], *, secret: bool) -> int:
        """Write the rows as gzip'd JSON lines; returns how many."""
        scratch = Path(self._scratch.name) / f"{table}.jsonl.gz"
        count = 0
        with gzip.open(scratch, "wt", encoding="utf-8", compresslevel=1, newline="\n") as out:
            for row in rows:
                out.write(encode_row(row))
                out.write("\n")
                count += 1
        member = table_member(table)
        with open(scratch, "rb") as handle:
            self.add_stream(member, handle, scratch.stat().st_size, datetime.now(UTC).timestamp())
        scratch.unlink()
        self.tables[table] = {"member": member, "columns": columns, "rows": count, "left_out": secret}
        return count

    def finish(self, manifest: dict[str, Any]) -> Path:
        """Write the manifest, make everything durable, then give the archive its name."""
        body = json.dumps(
            {**manifest, "format": FORMAT, "version": VERSION, "tables": self.tables, "members": self.members},
            indent=1,
            sort_keys=True,
        ).encode()
        now = datetime.now(UTC).timestamp()
        for member, data in ((MANIFEST, body), (MANIFEST_SUM, hashlib.sha256(body).hexdigest().encode())):
            info = tarfile.TarInfo(member)
            info.size, info.mtime, info.mode = len(data), int(now), 0o600
            self._tar.addfile(info, _BytesReader(data))
        self._tar.close()
        self._file.flush()
        os.fsync(self._file.fileno())
        self._file.close()
        self._scratch.cleanup()
        os.replace(self.partial, self.path)
        fsync_directory(self.directory)
        return self.path

    def abort(self) -> None:
        with contextlib.suppress(Exception):
            self._tar.close()
        with contextlib.suppress(Exception):
            self._file.close()
        self._scratch.cleanup()
        self.partial.unlink(missing_ok=True)


class _BytesReader:
    def __init__(self, data: bytes) -> None:
        self._data, self._at = data, 0

    def read(self, size: int = -1) -> bytes:
        end = len(self._data) if size < 0 else self._at + size
        chunk, self._at = self._data[self._at : end], min(end, len(self._data))
        return chunk


def fsync_directory(directory: Path) -> None:
    fd = os.open(directory, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)
