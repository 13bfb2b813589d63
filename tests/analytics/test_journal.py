"""The embedded journal and its writer, on each database: what is journaled is counted once, however
many writers race and whatever the appender left behind (a partial line, a line that is no event,
an event the database refuses); finished segments and the journals of gone processes are removed."""

from __future__ import annotations

import json
import threading
from datetime import UTC, date, datetime
from pathlib import Path

import pytest
import sqlalchemy as sa
from sqlalchemy.engine import Engine
from sqlmodel import Session

from accumulator.analytics import journal, queries
from accumulator.analytics.journal_process import parse_report, report_line
from accumulator.analytics.journal_writer import MARKS, Counted, JournalWriter
from accumulator.analytics.service import CountedEvent


def view(path: str, number: int = 0, **fields) -> CountedEvent:
    return CountedEvent(
        kind="pageview", site="blog", path=path, day=date(2026, 12, 2), visitor_hash=f"v{number:06d}", **fields
    )


def views(session: Session, path: str) -> int:
    session.expire_all()
    return queries.page_counts(session=session, site="blog", path=path)[0]


def append(appender: journal.Appender, *events: CountedEvent) -> None:
    appender.append(b"".join(journal.encode(event) for event in events))


def files(folder: Path) -> list[str]:
    return sorted(entry.name for entry in folder.iterdir())


def test_a_journal_line_gives_back_the_event_it_was() -> None:
    event = view(
        "/ünïcode-\u2028",
        7,
        hour=datetime(2026, 12, 2, 14, tzinfo=UTC).replace(tzinfo=None),
        browser="Firefox",
        referrer="news.example",
        country="DE",
        utm_source="mail",
        tab="t" * 16,
        seen=1_764_000_000,
        engaged=12,
        goal="signup",
        props='[["plan","pro"]]',
    )
    line = journal.encode(event)
    assert line.endswith(b"\n") and line.count(b"\n") == 1  # one line, whatever the text
    assert journal.decode(line) == event
    assert journal.decode(journal.encode(view("/x"))) == view("/x")  # no hour: known by its day only


def test_what_is_journaled_is_counted_once_and_the_mark_follows_it(engine: Engine, session: Session, tmp_path: Path):
    appender = journal.Appender(tmp_path)
    writer = JournalWriter(engine=engine, folder=tmp_path, own=appender.journal)
    append(appender, *(view("/a", n) for n in range(5)), view("/b", 9))
    assert writer.step() == 6
    assert writer.step() == 0  # nothing new: nothing counted twice
    append(appender, view("/a", 99))
    assert writer.step() == 1
    assert views(session, "/a") == 6 and views(session, "/b") == 1
    size = journal.segment_path(tmp_path, appender.journal, 0).stat().st_size
    with engine.connect() as connection:
        row = connection.execute(sa.select(MARKS).where(MARKS.c.journal == appender.journal)).one()
    assert (row.segment, row.position) == (0, size)
    # A writer started afresh (the old one died) resumes at the mark: nothing counted again.
    assert JournalWriter(engine=engine, folder=tmp_path, own=appender.journal).step() == 0
    assert views(session, "/a") == 6


def test_segments_follow_each_other_and_counted_ones_are_removed(engine: Engine, session: Session, tmp_path: Path):
    appender = journal.Appender(tmp_path, segment_bytes=600)
    writer = JournalWriter(engine=engine, folder=tmp_path, own=appender.journal)
    for number in range(40):
        append(appender, view(f"/p{number % 3}", number))
    assert appender.number >= 3  # it did move on to later segments
    assert writer.step() == 40
    assert sum(views(session, f"/p{n}") for n in range(3)) == 40
    assert journal.segments(tmp_path, appender.journal) == [appender.number]  # only the one in use is left


def test_a_journal_whose_process_is_gone_is_adopted_counted_and_removed(
    engine: Engine, session: Session, tmp_path: Path
) -> None:
    gone = journal.Appender(tmp_path, segment_bytes=500)
    for number in range(12):
        append(gone, view("/left", number))
    live = journal.Appender(tmp_path)
    append(live, view("/live"))
    # Killed in the middle of a write: part of a line at the end, never answered.
    with journal.segment_path(tmp_path, gone.journal, gone.number).open("ab") as handle:
        handle.write(journal.encode(view("/torn"))[:25])
    writer = JournalWriter(engine=engine, folder=tmp_path, own=None)
    writer.step()
    assert views(session, "/left") == 0  # its process still holds it: not taken
    gone.close()  # the process is gone: its lock with it
    assert writer.step() == 12
    assert views(session, "/left") == 12 and views(session, "/torn") == 0 and views(session, "/live") == 0
    assert not any(name.startswith(gone.journal) for name in files(tmp_path))
    with engine.connect() as connection:
        assert connection.execute(sa.select(MARKS.c.journal)).scalars().all() in ([], [live.journal])


def test_two_writers_racing_for_one_journal_count_each_line_once(engine: Engine, session: Session, tmp_path: Path):
    appender = journal.Appender(tmp_path, segment_bytes=4000)
    writers = [JournalWriter(engine=engine, folder=tmp_path, own=appender.journal) for _ in range(2)]
    counted = [0, 0]
    stop = threading.Event()

    def work(index: int) -> None:
        while not stop.is_set():
            counted[index] += writers[index].step(adopt=False)

    threads = [threading.Thread(target=work, args=(index,)) for index in range(2)]
    for thread in threads:
        thread.start()
    try:
        for number in range(300):
            append(appender, view(f"/race{number % 4}", number))
    finally:
        for _ in range(50):  # let them finish what is there
            if sum(views(session, f"/race{n}") for n in range(4)) == 300:
                break
            threading.Event().wait(0.1)
        stop.set()
        for thread in threads:
            thread.join()
    assert sum(views(session, f"/race{n}") for n in range(4)) == 300
    assert sum(counted) == 300


def test_a_line_that_is_no_event_is_set_aside_and_the_rest_is_counted(
    engine: Engine, session: Session, tmp_path: Path
) -> None:
    folder, aside = tmp_path / "journal", tmp_path / "aside.jsonl"
    appender = journal.Appender(folder)
    append(appender, view("/fine", 1))
    appender.append(b'{"not": "an event"}\n')
    append(appender, view("/fine", 2))
    writer = JournalWriter(engine=engine, folder=folder, own=appender.journal, set_aside=aside)
    assert writer.step() == 2
    assert views(session, "/fine") == 2
    assert aside.read_text().strip() == '{"not": "an event"}'


def test_an_event_the_database_refuses_is_set_aside_and_passed(engine: Engine, session: Session, tmp_path: Path):
    folder, aside = tmp_path / "journal", tmp_path / "aside.jsonl"
    appender = journal.Appender(folder)
    # No encoding can write a lone surrogate: every database refuses it. JSON keeps it as it came.
    append(appender, *(view("/good", n) for n in range(20)), view("/bad-\ud800"), view("/good", 20))
    writer = JournalWriter(engine=engine, folder=folder, own=appender.journal, set_aside=aside)
    assert writer.step() == 21
    assert views(session, "/good") == 21
    [kept] = [json.loads(line) for line in aside.read_text().splitlines()]
    assert kept["path"] == "/bad-\ud800" and kept["reason"]
    append(appender, view("/good", 21))
    assert writer.step() == 1  # the refused one is passed for good
    assert views(session, "/good") == 22


def test_a_write_the_disk_refuses_keeps_nothing_of_it(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    appender = journal.Appender(tmp_path)
    append(appender, view("/kept"))
    real_write = journal.os.write

    def short_then_full(fd: int, data) -> int:
        if len(data) > 30:
            return real_write(fd, bytes(data[:30]))  # part of it, then the disk is full
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(journal.os, "write", short_then_full)
    with pytest.raises(journal.JournalFull):
        append(appender, view("/lost", 1), view("/lost", 2))
    monkeypatch.undo()
    data = journal.segment_path(tmp_path, appender.journal, 0).read_bytes()
    assert [journal.decode(line).path for line in data.splitlines()] == ["/kept"]


def test_a_commit_of_many_pages_is_reported_in_one_short_line_that_says_every_page() -> None:
    many = Counted(6000, {("blog", f"/a-rather-long-path/number-{n}") for n in range(6000)})
    line = report_line(many)
    assert len(line) < 100  # far inside the 64 KB a line from the writer process may take
    assert parse_report(line.encode()) == Counted(6000, None)  # the dashboards re-read every page
    few = Counted(2, {("blog", "/a"), ("docs", "/b")})
    assert parse_report(report_line(few).encode()) == few
    assert parse_report(b"[" * 2000 + b"]" * 2000) is None and parse_report(b"\xff\x00") is None


def test_a_line_nested_two_thousand_deep_is_set_aside_like_any_line_that_is_no_event(
    engine: Engine, session: Session, tmp_path: Path
) -> None:
    folder, aside = tmp_path / "journal", tmp_path / "aside.jsonl"
    appender = journal.Appender(folder)
    appender.append(b"[" * 2000 + b"]" * 2000 + b"\n")
    append(appender, view("/after-deep", 1))
    writer = JournalWriter(engine=engine, folder=folder, own=appender.journal, set_aside=aside)
    assert writer.step() == 1
    assert views(session, "/after-deep") == 1 and aside.read_text().startswith("[[[")
