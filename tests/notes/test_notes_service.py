"""Workspaces, notes, days in the owner's zone, and search: on SQLite (FTS5) and PostgreSQL (tsvector)."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from sqlmodel import Session, select

from accumulator.notes import search, service
from accumulator.notes.models import Note, Workspace

PARIS = ZoneInfo("Europe/Paris")
KOLKATA = ZoneInfo("Asia/Kolkata")
NOW = datetime(2026, 11, 27, 12, 0, tzinfo=UTC)


@pytest.fixture
def workspace(session: Session) -> Workspace:
    created = service.create_workspace(session=session, title="  Journal  ")
    session.commit()
    return created


def add(session: Session, workspace: Workspace, text: str, at: datetime = NOW) -> Note:
    note = service.add_note(session=session, workspace_id=workspace.id, text=text, now=at)
    session.commit()
    return note


def test_a_workspace_gets_a_clean_title_and_an_unguessable_public_id(workspace: Workspace) -> None:
    assert workspace.title == "Journal"
    assert not workspace.is_public
    assert len(workspace.public_id) >= 21  # 16 random bytes


def test_a_private_workspace_is_not_found_by_its_public_id_and_a_public_one_is(
    session: Session, workspace: Workspace
) -> None:
    assert service.public_workspace(session=session, public_id=workspace.public_id) is None
    service.set_public(session=session, workspace_id=workspace.id, is_public=True)
    session.commit()
    assert service.public_workspace(session=session, public_id=workspace.public_id).id == workspace.id
    old = workspace.public_id
    service.regenerate_public_id(session=session, workspace_id=workspace.id)
    session.commit()
    assert service.public_workspace(session=session, public_id=old) is None
    assert service.public_workspace(session=session, public_id="no-such-id") is None


def test_deleting_a_workspace_deletes_its_notes_and_their_search_entries(
    session: Session, workspace: Workspace
) -> None:
    other = service.create_workspace(session=session, title="Other")
    add(session, workspace, "pineapple on pizza")
    add(session, other, "pineapple juice")
    service.delete_workspace(session=session, workspace_id=workspace.id)
    session.commit()
    assert session.get(Workspace, workspace.id) is None
    assert [note.text for note in session.exec(select(Note))] == ["pineapple juice"]
    assert [hit.workspace_id for hit in search.search(session=session, query="pineapple", zone=PARIS)] == [other.id]


def test_the_last_workspace_cannot_be_deleted(session: Session, workspace: Workspace) -> None:
    for extra in session.exec(select(Workspace).where(Workspace.id != workspace.id)):
        session.delete(extra)
    session.commit()
    with pytest.raises(service.NotesError, match="only workspace"):
        service.delete_workspace(session=session, workspace_id=workspace.id)


@pytest.mark.parametrize("title", ["", "   ", "x" * 101])
def test_bad_workspace_titles_are_refused(session: Session, title: str) -> None:
    with pytest.raises(service.NotesError):
        service.create_workspace(session=session, title=title)


def test_a_note_over_100000_characters_is_refused_and_nothing_is_saved(session: Session, workspace: Workspace) -> None:
    with pytest.raises(service.NotesError, match="100,000"):
        service.add_note(session=session, workspace_id=workspace.id, text="x" * 100_001, now=NOW)
    session.rollback()
    assert session.exec(select(Note)).all() == []
    assert service.add_note(session=session, workspace_id=workspace.id, text="x" * 100_000, now=NOW).id


def test_an_empty_note_is_refused(session: Session, workspace: Workspace) -> None:
    with pytest.raises(service.NotesError):
        service.add_note(session=session, workspace_id=workspace.id, text=" \n\t ", now=NOW)


def test_notes_are_grouped_by_the_owners_day_oldest_first(session: Session, workspace: Workspace) -> None:
    add(session, workspace, "late on the 25th in Kolkata", datetime(2026, 11, 25, 18, 0, tzinfo=UTC))  # 23:30 IST
    add(session, workspace, "just after midnight IST", datetime(2026, 11, 25, 18, 31, tzinfo=UTC))  # 00:01 on the 26th
    add(session, workspace, "second on the 26th", datetime(2026, 11, 26, 3, 0, tzinfo=UTC))
    add(session, workspace, "today", datetime(2026, 11, 27, 9, 0, tzinfo=UTC))
    page = service.notes_by_day(session=session, workspace_id=workspace.id, zone=KOLKATA, now=NOW)
    assert [(group.heading, [note.text for note in group.notes]) for group in page.days] == [
        ("Wednesday 2026-11-25 (2 days ago)", ["late on the 25th in Kolkata"]),
        ("Thursday 2026-11-26 (yesterday)", ["just after midnight IST", "second on the 26th"]),
        ("Friday 2026-11-27 (today)", ["today"]),
    ]
    assert page.older_from is None


def test_days_follow_daylight_saving_changes(session: Session, workspace: Workspace) -> None:
    # Paris leaves summer time on 2026-10-25: that day is 25 hours long.
    add(session, workspace, "00:30 local, still summer time", datetime(2026, 10, 24, 22, 30, tzinfo=UTC))
    add(session, workspace, "23:30 local, winter time", datetime(2026, 10, 25, 22, 30, tzinfo=UTC))
    add(session, workspace, "next day 00:30", datetime(2026, 10, 25, 23, 30, tzinfo=UTC))
    page = service.notes_by_day(
        session=session, workspace_id=workspace.id, zone=PARIS, now=datetime(2026, 10, 27, 12, tzinfo=UTC)
    )
    assert [(group.day, len(group.notes)) for group in page.days] == [(date(2026, 10, 25), 2), (date(2026, 10, 26), 1)]


def test_older_days_come_thirty_at_a_time(session: Session, workspace: Workspace) -> None:
    for days_ago in (0, 29, 30, 75):
        add(session, workspace, f"{days_ago} days ago", NOW - timedelta(days=days_ago))
    first = service.notes_by_day(session=session, workspace_id=workspace.id, zone=PARIS, now=NOW)
    assert [group.notes[0].text for group in first.days] == ["29 days ago", "0 days ago"]
    assert first.older_from == (NOW - timedelta(days=30)).date()
    second = service.notes_by_day(
        session=session, workspace_id=workspace.id, zone=PARIS, now=NOW, through=first.older_from
    )
    assert [group.notes[0].text for group in second.days] == ["30 days ago"]
    third = service.notes_by_day(
        session=session, workspace_id=workspace.id, zone=PARIS, now=NOW, through=second.older_from
    )
    assert [group.notes[0].text for group in third.days] == ["75 days ago"]
    assert third.older_from is None


def test_search_is_case_insensitive_prefix_matching_and_ranked(session: Session, workspace: Workspace) -> None:
    add(session, workspace, "Notes about Postgres replication and postgres backups: Postgres!")
    add(session, workspace, "A single mention of postgresql here")
    add(session, workspace, "Nothing relevant at all")
    hits = search.search(session=session, query="POSTGR", zone=PARIS)
    assert len(hits) == 2
    assert "<mark>Postgres</mark>" in hits[0].snippet_html  # the note that says it three times ranks first
    assert "<mark>postgresql</mark>" in hits[1].snippet_html
    assert [hit.note_id for hit in search.search(session=session, query="postgres backup", zone=PARIS)] == [
        hits[0].note_id
    ]
    assert search.search(session=session, query="   ", zone=PARIS) == []
    assert search.search(session=session, query="\"'*) OR 1=1 --", zone=PARIS) == []


def test_search_in_one_workspace_or_all(session: Session, workspace: Workspace) -> None:
    other = service.create_workspace(session=session, title="Work")
    add(session, workspace, "kubernetes at home")
    add(session, other, "kubernetes at work")
    assert len(search.search(session=session, query="kube", zone=PARIS)) == 2
    only = search.search(session=session, query="kube", zone=PARIS, workspace_id=other.id)
    assert [(hit.workspace_title, hit.day) for hit in only] == [("Work", NOW.date())]


def test_the_search_index_follows_edits_and_deletes(session: Session, workspace: Workspace) -> None:
    note = add(session, workspace, "original wording")
    service.edit_note(session=session, note_id=note.id, text="rewritten entirely", now=NOW)
    session.commit()
    assert search.search(session=session, query="original", zone=PARIS) == []
    assert [hit.note_id for hit in search.search(session=session, query="rewritten", zone=PARIS)] == [note.id]
    service.delete_note(session=session, note_id=note.id)
    session.commit()
    assert search.search(session=session, query="rewritten", zone=PARIS) == []


def test_snippets_escape_the_note_text(session: Session, workspace: Workspace) -> None:
    add(session, workspace, "<script>alert('xss')</script> findme <b>bold</b>")
    snippet = search.search(session=session, query="findme", zone=PARIS)[0].snippet_html
    assert "<script>" not in snippet and "&lt;script&gt;" in snippet
    assert "<mark>findme</mark>" in snippet


def test_the_public_page_shows_at_most_200_notes_and_continues_where_it_stopped(
    session: Session, workspace: Workspace
) -> None:
    for minute in range(250):
        service.add_note(
            session=session, workspace_id=workspace.id, text=f"n{minute}", now=NOW - timedelta(minutes=minute)
        )
    service.add_note(session=session, workspace_id=workspace.id, text="older month", now=NOW - timedelta(days=40))
    session.commit()
    seen: list[str] = []
    before = None
    for _ in range(4):
        page = service.public_page(session=session, workspace_id=workspace.id, zone=PARIS, now=NOW, before=before)
        seen.extend(note.text for group in page.days for note in group.notes)
        assert sum(len(group.notes) for group in page.days) <= service.PUBLIC_PAGE_NOTES
        before = page.older_before
        if before is None:
            break
    assert seen[:3] == ["n0", "n1", "n2"]  # newest first
    assert seen == [f"n{minute}" for minute in range(250)] + ["older month"]  # nothing twice, nothing missed
