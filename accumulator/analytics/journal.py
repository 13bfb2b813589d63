"""The embedded setup's durable queue of counted events: an append-only journal on local disk.

A request's event is answered 202 once its line is in the journal (the kernel has it: a SIGKILL of
the process cannot take it back), and a writer process (journal_writer.py) counts the journal into
the database, moving a mark kept in the same transaction as the counts, so each line is counted once
whatever dies when. This takes the writer's work off the process that answers requests: in one
Python process the two shared one core.

On disk, in `<DATA_DIR>/analytics-journal/`, each appending process has a journal of its own:
`<id>.lock`, which it holds locked (flock) for as long as it appends, and segments `<id>.<n>.jsonl`,
n = 0, 1, … A segment is never appended to once the next one exists. A journal whose lock is free
belongs to a process that is gone: any writer may adopt it, finish it and remove it.

Durability is the database's own in the embedded setup: SQLite in WAL mode with synchronous=NORMAL
survives a crash of the process, not necessarily of the machine; so does a line the kernel holds."""

from __future__ import annotations

import contextlib
import fcntl
import json
import operator
import os
import re
import secrets
from dataclasses import dataclass, fields
from datetime import date, datetime
from pathlib import Path

from accumulator.analytics.service import CountedEvent

SEGMENT_BYTES = 16 * 1024 * 1024  # a segment this long is followed by the next one
READ_BYTES = 1024 * 1024  # read at most this much of a segment at a time
_FIELDS = tuple(field.name for field in fields(CountedEvent))
_SEGMENT = re.compile(r"^(?P<id>[0-9a-f]{16,32})\.(?P<n>\d+)\.jsonl$")


def directory(data_dir: Path) -> Path:
    return data_dir / "analytics-journal"


# Built once: `json.dumps` with options builds an encoder per call, a fifth of a line's cost.
_ENCODER = json.JSONEncoder(ensure_ascii=True, separators=(",", ":"))
_VALUES = operator.attrgetter(*_FIELDS)


def encode(event: CountedEvent) -> bytes:
    """One journal line: the event's fields in declaration order (dates as ISO text)."""
    values = list(_VALUES(event))
    values[3] = event.day.isoformat()
    values[9] = event.hour.isoformat() if event.hour is not None else None
    return _ENCODER.encode(values).encode() + b"\n"


def decode(line: bytes) -> CountedEvent:
    """The event of a journal line; ValueError (or TypeError) for a line that is not one."""
    values = json.loads(line)
    if not isinstance(values, list) or len(values) != len(_FIELDS):
        raise ValueError("not a journal line")
    values[3] = date.fromisoformat(values[3])
    values[9] = datetime.fromisoformat(values[9]) if values[9] is not None else None
    return CountedEvent(**dict(zip(_FIELDS, values, strict=True)))


def segment_path(folder: Path, journal: str, number: int) -> Path:
    return folder / f"{journal}.{number}.jsonl"


def lock_path(folder: Path, journal: str) -> Path:
    return folder / f"{journal}.lock"


def segments(folder: Path, journal: str) -> list[int]:
    """The numbers of the journal's segments on disk, in order."""
    found = []
    for entry in os.scandir(folder) if folder.is_dir() else ():
        match = _SEGMENT.match(entry.name)
        if match and match["id"] == journal:
            found.append(int(match["n"]))
    return sorted(found)


def journals(folder: Path) -> set[str]:
    """Every journal with a lock file or a segment in `folder`."""
    names: set[str] = set()
    for entry in os.scandir(folder) if folder.is_dir() else ():
        match = _SEGMENT.match(entry.name)
        if match:
            names.add(match["id"])
        elif entry.name.endswith(".lock"):
            names.add(entry.name.removesuffix(".lock"))
    return names


def try_lock(path: Path) -> int | None:
    """An open descriptor holding an exclusive lock on `path`, or None when another process holds it."""
    fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o600)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        os.close(fd)
        return None
    return fd


class JournalFull(OSError):
    """The journal could not take a write (disk full, or another I/O error): nothing of it is kept."""


class Appender:
    """One process's journal: appends whole lines, and starts the next segment once one is long.

    Only one thread appends at a time (the ingestor's flush holds its lock)."""

    def __init__(self, folder: Path, *, segment_bytes: int = SEGMENT_BYTES) -> None:
        folder.mkdir(parents=True, exist_ok=True)
        self.folder = folder
        self.segment_bytes = segment_bytes
        self.journal = secrets.token_hex(8)
        # Locked under a name no writer looks at, then renamed: a writer scanning for journals to
        # adopt never sees this one's lock free while this process appends to it.
        unnamed = folder / f"{self.journal}.new"
        self._lock = try_lock(unnamed)
        os.rename(unnamed, lock_path(folder, self.journal))
        self.number = 0
        self._fd = self._open(0)
        self._size = 0

    def _open(self, number: int) -> int:
        return os.open(segment_path(self.folder, self.journal, number), os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o600)

    def append(self, data: bytes) -> None:
        """Write `data` (whole lines) at the end of the journal, or raise JournalFull with none of it
        kept: a short write is cut back, so the journal only ever holds whole lines."""
        view = memoryview(data)
        done = 0
        try:
            while done < len(view):
                done += os.write(self._fd, view[done:])
        except OSError as error:
            with contextlib.suppress(OSError):  # else the reader drops the partial line at the end
                os.ftruncate(self._fd, self._size)
            raise JournalFull(error.errno, f"the analytics journal refused a write: {error.strerror}") from error
        self._size += done
        if self._size >= self.segment_bytes:
            self._next_segment()

    def _next_segment(self) -> None:
        fd = self._open(self.number + 1)
        os.close(self._fd)
        self._fd, self.number, self._size = fd, self.number + 1, 0

    def close(self) -> None:
        """Stop appending; the lock goes with the descriptor, so the journal can be adopted and finished."""
        os.close(self._fd)
        if self._lock is not None:
            os.close(self._lock)
            self._lock = None


@dataclass(frozen=True)
class Chunk:
    """Whole lines read from a segment: `data` from byte `start` to byte `end`; `drained` when the
    read reached what the segment held then (nothing more was waiting)."""

    number: int
    start: int
    end: int
    data: bytes
    drained: bool = True


def read(folder: Path, journal: str, number: int, position: int, *, limit: int = READ_BYTES) -> Chunk:
    """The whole lines of segment `number` from `position`, at most about `limit` bytes (at least one
    line, however long). A line still being written is left for the next read."""
    try:
        with open(segment_path(folder, journal, number), "rb") as handle:
            handle.seek(position)
            data = handle.read(limit)
            drained = len(data) < limit
            while data and b"\n" not in data:  # a line longer than `limit`: read on to its end
                more = handle.read(limit)
                if not more:
                    break
                data += more
    except FileNotFoundError:
        data, drained = b"", True
    cut = data.rfind(b"\n") + 1
    return Chunk(number=number, start=position, end=position + cut, data=data[:cut], drained=drained)


def trailing_bytes(folder: Path, journal: str, number: int, position: int) -> int:
    """How many bytes the segment holds past `position` (a finished journal's partial last line)."""
    try:
        return max(0, segment_path(folder, journal, number).stat().st_size - position)
    except FileNotFoundError:
        return 0
