"""Counting the embedded journal (journal.py) into the database: the lines past each journal's mark,
in transactions that move the mark with the counts, so a line is counted exactly once even when two
writers race for one journal (the mark only moves from where the writer last saw it).

`JournalWriter.step()` counts what is there now: its own process's journal, and any journal whose
process is gone (its lock free), which it adopts, finishes and removes. The writer process
(journal_process.py) calls it whenever its process appends, and every second."""

from __future__ import annotations

import logging
import os
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import sqlalchemy as sa
from sqlalchemy.engine import Engine
from sqlmodel import Session

from accumulator.analytics import journal, refused, service
from accumulator.analytics.journal_models import JournalMark
from accumulator.db import insert_new, session_scope

log = logging.getLogger(__name__)

WRITE_ATTEMPTS = 3  # a chunk refused this often in a row is counted in parts, setting aside what is refused
MARKS = JournalMark.__table__


class MarkMoved(Exception):
    """Another writer counted these lines first: the mark is not where this writer left it."""


@dataclass(frozen=True)
class Mark:
    segment: int
    position: int


@dataclass
class Counted:
    """What one commit counted: events written, and the pages they touched (None: too many to name)."""

    written: int = 0
    pages: set[tuple[str, str]] | None = field(default_factory=set)


def load_mark(engine: Engine, name: str) -> Mark:
    with session_scope(engine) as session:
        insert_new(session, MARKS, [{"journal": name, "segment": 0, "position": 0}], keys=["journal"])
        row = session.execute(sa.select(MARKS.c.segment, MARKS.c.position).where(MARKS.c.journal == name)).one()
    return Mark(row.segment, row.position)


def move_mark(session: Session, name: str, was: Mark, now: Mark) -> None:
    """Move the mark from `was` to `now` in this transaction; MarkMoved when it is not at `was`."""
    moved = session.execute(
        sa.update(MARKS)
        .where(MARKS.c.journal == name, MARKS.c.segment == was.segment, MARKS.c.position == was.position)
        .values(segment=now.segment, position=now.position)
    )
    if moved.rowcount != 1:
        raise MarkMoved(name)


@dataclass
class _Line:
    event: service.CountedEvent
    end: int  # the byte just past it in its segment


class JournalWriter:
    def __init__(
        self,
        *,
        engine: Engine,
        folder: Path,
        own: str | None,
        set_aside: Path | None = None,
        write_attempts: int = WRITE_ATTEMPTS,
        on_counted: Callable[[Counted], None] = lambda _counted: None,
    ) -> None:
        self.engine = engine
        self.folder = folder
        self.own = own  # the journal of the process this writer serves (None: adopt only)
        self.set_aside = set_aside
        self.write_attempts = write_attempts
        self.on_counted = on_counted  # after each commit
        self._marks: dict[str, Mark] = {}
        self._adopted: dict[str, int] = {}  # journals of gone processes, with the lock held on each

    def step(self, *, adopt: bool = True) -> int:
        """Count every whole line there is now; returns how many events were written. Raises what
        the database raised when it cannot be reached (nothing is lost: the mark did not move)."""
        if adopt:
            self._adopt()
        written = 0
        for name in [*([self.own] if self.own else []), *list(self._adopted)]:
            written += self._count_journal(name)
        return written

    def finish_own(self) -> bool:
        """Once the own process stopped appending (its lock is free): count the rest and remove the
        journal. False when its process still holds the lock."""
        if self.own is None:
            return True
        lock = journal.try_lock(journal.lock_path(self.folder, self.own))
        if lock is None:
            return False
        self._adopted[self.own] = lock
        self.own = None
        self.step(adopt=False)
        return True

    def _adopt(self) -> None:
        for name in journal.journals(self.folder) - {self.own, *self._adopted}:
            lock = journal.try_lock(journal.lock_path(self.folder, name))
            if lock is not None:
                log.info("counting the analytics journal %s of a process that is gone", name)
                self._adopted[name] = lock

    def _count_journal(self, name: str) -> int:
        written = 0
        mark = self._marks.get(name) or load_mark(self.engine, name)
        self._marks[name] = mark
        for number in journal.segments(self.folder, name):
            if number < mark.segment:  # counted already; its removal did not happen
                journal.segment_path(self.folder, name, number).unlink(missing_ok=True)
        while True:
            chunk = journal.read(self.folder, name, mark.segment, mark.position)
            if chunk.data:
                written += self._count_chunk(name, chunk)
                mark = self._marks[name]
                if not chunk.drained:
                    continue  # a backlog: on through it
            numbers = journal.segments(self.folder, name)
            later = [number for number in numbers if number > mark.segment]
            if chunk.data and not later and name == self.own:
                # What the own process appended while this was counted waits for the next step, so
                # that commits stay GATHER apart under a steady stream instead of one per few events.
                return written
            if later:
                # The appender writes no more to this segment once a later one exists: a last read
                # for lines it wrote just before, then on to the next.
                chunk = journal.read(self.folder, name, mark.segment, mark.position)
                if chunk.data:
                    continue
                try:
                    self._pass_segment(name, mark, later[0])
                except MarkMoved:  # another writer passed it first
                    self._marks[name] = load_mark(self.engine, name)
                mark = self._marks[name]
                continue
            if name in self._adopted:
                self._remove(name, mark)
            return written

    def _pass_segment(self, name: str, mark: Mark, number: int) -> None:
        self._drop_partial_line(name, mark)
        with session_scope(self.engine) as session:
            move_mark(session, name, mark, Mark(number, 0))
        self._marks[name] = Mark(number, 0)
        journal.segment_path(self.folder, name, mark.segment).unlink(missing_ok=True)

    def _remove(self, name: str, mark: Mark) -> None:
        """A finished journal of a process that is gone: its files and its mark go."""
        self._drop_partial_line(name, mark)
        for number in journal.segments(self.folder, name):
            journal.segment_path(self.folder, name, number).unlink(missing_ok=True)
        with session_scope(self.engine) as session:
            session.execute(sa.delete(MARKS).where(MARKS.c.journal == name))
        self._marks.pop(name, None)
        journal.lock_path(self.folder, name).unlink(missing_ok=True)
        os.close(self._adopted.pop(name))

    def _drop_partial_line(self, name: str, mark: Mark) -> None:
        # A process killed in the middle of a write leaves part of a line: it was never answered 202.
        left = journal.trailing_bytes(self.folder, name, mark.segment, mark.position)
        if left:
            log.warning("dropping %d bytes of an unfinished line at the end of analytics journal %s", left, name)

    def _count_chunk(self, name: str, chunk: journal.Chunk) -> int:
        lines, position = [], chunk.start
        for raw in chunk.data.splitlines(keepends=True):
            position += len(raw)
            try:
                lines.append(_Line(journal.decode(raw), position))
            except (ValueError, TypeError, KeyError, RecursionError) as error:  # not written by an appender
                log.error("analytics journal %s: a line that is no event is skipped (%s)", name, error)
                refused.append_lines(self.set_aside, [raw.decode("utf-8", "replace").rstrip()], what="journal lines")
        end = Mark(chunk.number, chunk.end)
        if not lines:
            return self._commit(name, [], end)
        for attempt in range(self.write_attempts):
            try:
                return self._commit(name, lines, end)
            except MarkMoved:
                self._marks[name] = load_mark(self.engine, name)
                return 0
            except Exception as exc:
                if refused.database_unreachable(exc):
                    raise  # nothing moved: counted when the database is back
                log.warning("the database refused %d journaled events (attempt %d)", len(lines), attempt + 1)
        return self._count_apart(name, lines, end)

    def _commit(self, name: str, lines: list[_Line], end: Mark) -> int:
        events = [line.event for line in lines]
        with session_scope(self.engine) as session:
            written = service.record_events(session=session, events=events) if events else 0
            move_mark(session, name, self._marks[name], end)
        self._marks[name] = end
        if written:
            self.on_counted(Counted(written, {(event.site, event.path) for event in events}))
        return written

    def _count_apart(self, name: str, lines: list[_Line], end: Mark) -> int:
        """Halves, and halves of halves, in journal order, down to single events: what the database
        takes is counted, each event it refuses on its own is set aside and passed."""
        written, parts = 0, [lines]
        number = end.segment
        while parts:
            part = parts.pop()
            try:
                written += self._commit(name, part, Mark(number, part[-1].end))
            except MarkMoved:
                self._marks[name] = load_mark(self.engine, name)
                return written
            except Exception as exc:
                if refused.database_unreachable(exc):
                    raise
                if len(part) > 1:
                    half = len(part) // 2
                    parts += [part[half:], part[:half]]
                    continue
                refused.keep_aside(path=self.set_aside, refused=[(part[0].event, refused.reason(exc))])
                self._commit(name, [], Mark(number, part[0].end))  # passed, counted never
        if self._marks[name] != end:  # lines that were no events ended the chunk
            self._commit(name, [], end)
        return written
