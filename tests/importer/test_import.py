"""Importing the original app's database and files: every row counted, the values as the owner
knew them, nothing twice, and a dry run that writes nothing. On SQLite and PostgreSQL targets."""

from __future__ import annotations

from dataclasses import asdict
from datetime import UTC, date, datetime
from pathlib import Path

import pytest
import sqlalchemy as sa
from sqlalchemy.engine import Engine
from sqlalchemy.exc import DBAPIError
from sqlmodel import Session, select

from accumulator.analytics.models import DailyDimension, DailyPageStat, PageStat
from accumulator.auth import service as auth
from accumulator.auth.models import Owner
from accumulator.comments.models import Comment
from accumulator.contact.models import ContactMessage
from accumulator.importer.source import Source
from accumulator.notes import search as notes_search
from accumulator.notes.models import Note, Workspace
from accumulator.pastes.models import Paste, PasteFile
from accumulator.plants.models import CareEvent, Plant
from accumulator.runtime import Services
from accumulator.spotify.models import SpotifyAccount
from tests.importer.conftest import run_import, snapshot
from tests.importer.phoenix_schema import EXPIRED_DIR, JUKEBOX_DIR, MISSING_DIR, OLD_PASSWORD, SONG

pytestmark = pytest.mark.postgresql_server

EXPECTED = {  # kind: (read, imported, skipped, failed)
    "owner": (1, 1, 0, 0),
    "stat": (6, 5, 0, 1),  # "guestbook" is no slug the original ever counted pages under
    "daily_stat": (4, 4, 0, 0),
    "user_agent_stat": (3, 3, 0, 0),
    "workspace": (4, 4, 0, 0),
    "note": (6, 4, 0, 2),  # one without text, one in no workspace
    "paste": (4, 3, 1, 0),  # one expired
    "paste_file": (5, 2, 2, 1),  # a duplicate entry and the expired paste's file; one missing on disk
    "plant": (4, 4, 0, 0),
    "plant_photo": (1, 1, 0, 0),
    "spotify": (3, 1, 2, 0),  # the cached access token and now playing are not needed
    "comment": (5, 5, 0, 0),
    "contact_message": (1, 1, 0, 0),
}


def counts(report) -> dict[str, tuple[int, int, int, int]]:
    return {kind: tuple(asdict(found).values()) for kind, found in report.counts.items()}


def test_every_row_is_read_and_accounted_for(
    fresh_install: Engine, services: Services, phoenix_source: str, phoenix_files: Path
) -> None:
    report = run_import(services, phoenix_source, phoenix_files)
    assert counts(report) == EXPECTED
    failures = {(line.kind, line.source_id): line.reason for line in report.failures}
    assert "unknown stats slug 'guestbook'" in failures[("stat", "6")]
    assert failures[("note", "5")] == "the note has no text"
    assert failures[("note", "6")] == "the note belongs to no workspace"
    assert "not found at" in failures[("paste_file", f"{MISSING_DIR}/gone.pdf")]
    skips = {(line.kind, line.source_id): line.reason for line in report.skips}
    assert skips[("paste", "2")] == "expired on 2020-01-02 00:00 UTC"
    assert skips[("paste_file", f"{EXPIRED_DIR}/old.txt")] == "its paste 2 expired"
    assert "listed twice" in skips[("paste_file", f"{JUKEBOX_DIR}/cover.png")]
    assert "cached 'now_playing'" in skips[("spotify", "3")]
    remarks = " | ".join(f"{line.kind} {line.source_id}: {line.reason}" for line in report.remarks)
    assert "stat 3, 4: the slug 'blog:hello-world' is in 2 rows" in remarks
    assert "plant 3: Mystery: watering frequency 'when it droops' not understood; set to every 7 days" in remarks
    assert "merged into this app's own 'default'" in remarks
    assert report.not_imported == {
        "users_tokens": 1,
        "year_logs": 1,
        "blog_polls": 2,
    }
    table = report.render()
    assert table.splitlines()[0].split() == ["kind", "from", "table", "read", "imported", "skipped", "failed"]
    total = next(line for line in table.splitlines() if line.startswith("total"))
    assert total.split() == ["total", *(str(sum(column)) for column in zip(*EXPECTED.values(), strict=True))]


def test_the_owner_logs_in_with_the_old_password(
    fresh_install: Engine, services: Services, phoenix_source: str, phoenix_files: Path, session: Session
) -> None:
    run_import(services, phoenix_source, phoenix_files)
    owner = session.exec(select(Owner)).one()
    assert owner.email == "owner@example.com" and owner.password_hash.startswith("$2b$")
    assert auth.authenticate(session=session, email="owner@example.com", password="wrong password") is None
    assert auth.authenticate(session=session, email="Owner@Example.com", password=OLD_PASSWORD) is not None
    session.commit()
    assert session.exec(select(Owner)).one().password_hash.startswith("$argon2")  # rehashed at that login


def test_page_counts_land_on_the_pages_they_counted(
    fresh_install: Engine, services: Services, phoenix_source: str, phoenix_files: Path, session: Session
) -> None:
    run_import(services, phoenix_source, phoenix_files)
    totals = {(row.site, row.path): (row.views, row.likes) for row in session.exec(select(PageStat))}
    assert totals == {
        ("blog", "/"): (1200, 0),
        ("battleship", "/"): (40, 0),
        ("blog", "/blog/hello-world"): (305, 13),  # both rows of the duplicated slug
        ("blog", "/blog/liked-first"): (1, 0),
    }
    daily = {(row.day, row.path): (row.views, row.likes) for row in session.exec(select(DailyPageStat))}
    assert daily == {
        (date(2025, 12, 20), "/"): (10, 0),
        (date(2025, 12, 20), "/blog/hello-world"): (4, 1),
        (date(2025, 12, 21), "/blog/liked-first"): (0, 1),  # a like without a view, kept as it was
        (date(2025, 12, 21), "/"): (7, 0),
    }
    dimensions = {(row.day, row.kind, row.value): row.views for row in session.exec(select(DailyDimension))}
    assert dimensions[(date(2026, 2, 21), "browser", "Chrome")] == 5
    assert dimensions[(date(2026, 2, 21), "device", "Desktop")] == 5  # Windows, model "Unknown"
    assert dimensions[(date(2026, 2, 21), "device", "Mobile")] == 3  # iOS, an iPhone
    assert dimensions[(date(2026, 2, 22), "os", "Windows")] == 2
    assert len(dimensions) == 9


def test_workspaces_and_notes_keep_their_names_flags_and_times(
    fresh_install: Engine, services: Services, phoenix_source: str, phoenix_files: Path, session: Session
) -> None:
    run_import(services, phoenix_source, phoenix_files)
    workspaces = {ws.title: ws for ws in session.exec(select(Workspace))}
    assert sorted(workspaces) == ["Diary", "Garden", "Recipes", "default"]  # one "default", not two
    assert [ws.is_public for ws in (workspaces["Garden"], workspaces["Diary"], workspaces["Recipes"])] == [
        True,
        False,
        False,
    ]
    assert workspaces["Garden"].created_at == datetime(2024, 5, 20, 9, 0, tzinfo=UTC)
    todo = session.exec(select(Note).where(Note.workspace_id == workspaces["default"].id)).one()
    assert todo.text == 'Todo:\n- water the "ferns"\n- repot -- later...'
    assert todo.created_at == datetime(2024, 4, 2, 19, 9, tzinfo=UTC)
    assert todo.updated_at == datetime(2024, 4, 3, 8, 0, tzinfo=UTC)
    garden = session.exec(select(Note).where(Note.workspace_id == workspaces["Garden"].id)).all()
    assert [note.text[:10] for note in garden] == ["Tomatoes p", "Harvest:\n-"]
    hits = notes_search.search(session=session, query="tomatoes planted", zone=UTC)  # the search index has them too
    assert [hit.workspace_title for hit in hits] == ["Garden"]


def test_pastes_stay_private_with_their_expiry_and_files(
    fresh_install: Engine, services: Services, phoenix_source: str, phoenix_files: Path, session: Session
) -> None:
    run_import(services, phoenix_source, phoenix_files)
    pastes = {paste.title: paste for paste in session.exec(select(Paste))}
    assert sorted(pastes) == ["jukebox", "lost attachment", "private snippet"]
    assert not any(paste.is_shared for paste in pastes.values())
    jukebox = pastes["jukebox"]
    assert jukebox.expires_at == datetime(2099, 1, 1, tzinfo=UTC) and jukebox.expiry == "never"
    assert jukebox.content == "songs for the blog" and jukebox.created_at == datetime(2025, 1, 1, tzinfo=UTC)
    files = {file.name: file for file in session.exec(select(PasteFile).where(PasteFile.paste_id == jukebox.id))}
    assert sorted(files) == ["cover.png", "song one.mp3"]
    assert files["song one.mp3"].content_type == "audio/mpeg" and files["song one.mp3"].size == len(SONG)
    assert services.file_store.path(files["song one.mp3"].id).read_bytes() == SONG
    assert session.exec(select(PasteFile).where(PasteFile.paste_id == pastes["lost attachment"].id)).all() == []


def test_plants_get_a_rule_their_history_and_photo(
    fresh_install: Engine, services: Services, phoenix_source: str, phoenix_files: Path, session: Session
) -> None:
    run_import(services, phoenix_source, phoenix_files)
    plants = {plant.name: plant for plant in session.exec(select(Plant))}
    rules = {name: (p.interval_days, p.check_soil, p.last_watered_on) for name, p in plants.items()}
    assert rules == {
        "Fern": (7, False, date(2026, 2, 20)),
        "Cactus": (3, True, date(2026, 2, 1)),  # "upper soil dry": check the soil every 3 days
        "Mystery": (7, False, None),
        "Basil": (3, False, date(2026, 2, 25)),
    }
    fern = plants["Fern"]
    assert "### About\n\nBoston fern" in fern.notes and "### Care\n\nKeep humid" in fern.notes
    assert "Repotted in spring" in fern.notes
    assert "Watering in the original app: when it droops" in plants["Mystery"].notes
    assert services.photo_store.path(fern.photo_id).read_bytes()[:2] == b"\xff\xd8"  # a JPEG now
    watered = session.exec(select(CareEvent).where(CareEvent.plant_id == fern.id)).all()
    assert [(event.kind, event.on_date) for event in watered] == [("watered", date(2026, 2, 20))]
    assert session.exec(select(SpotifyAccount)).one().refresh_token == "AQD-old-refresh-token"


def test_a_second_run_imports_nothing_twice(
    fresh_install: Engine, services: Services, phoenix_source: str, phoenix_files: Path
) -> None:
    first = run_import(services, phoenix_source, phoenix_files)
    before = snapshot(fresh_install, services.settings.uploads)
    second = run_import(services, phoenix_source, phoenix_files)
    assert snapshot(fresh_install, services.settings.uploads) == before
    assert second.total.imported == 0
    for kind, (read, imported, skipped, failed) in EXPECTED.items():
        assert counts(second)[kind] == (read, 0, imported + skipped, failed), kind
    assert len(second.failures) == len(first.failures)
    assert "Skipped because an earlier run imported them: owner 1, stat 5, daily_stat 4" in second.render()


def test_a_dry_run_writes_nothing_and_counts_what_a_run_does(
    fresh_install: Engine, services: Services, phoenix_source: str, phoenix_files: Path
) -> None:
    before = snapshot(fresh_install, services.settings.uploads)
    dry = run_import(services, phoenix_source, phoenix_files, dry_run=True)
    assert snapshot(fresh_install, services.settings.uploads) == before
    assert dry.render().startswith("Dry run: nothing was written.")
    assert counts(dry) == EXPECTED
    assert counts(run_import(services, phoenix_source, phoenix_files)) == EXPECTED


def test_files_missing_from_the_first_run_come_in_with_a_later_one(
    fresh_install: Engine, services: Services, phoenix_source: str, phoenix_files: Path, session: Session
) -> None:
    without = run_import(services, phoenix_source, None)
    assert counts(without)["paste_file"] == (5, 0, 2, 3)
    assert counts(without)["plant_photo"] == (1, 0, 0, 1)
    assert ("paste_file", f"{JUKEBOX_DIR}/song one.mp3", "no --files folder was given") in [
        (line.kind, line.source_id, line.reason) for line in without.failures
    ]
    later = run_import(services, phoenix_source, phoenix_files)
    assert counts(later)["paste"] == (4, 0, 4, 0)
    assert counts(later)["paste_file"] == (5, 2, 2, 1)
    assert counts(later)["plant_photo"] == (1, 1, 0, 0)
    jukebox = session.exec(select(Paste).where(Paste.title == "jukebox")).one()
    assert len(session.exec(select(PasteFile).where(PasteFile.paste_id == jukebox.id)).all()) == 2
    assert session.exec(select(Plant).where(Plant.name == "Fern")).one().photo_id


def test_an_owner_made_here_first_is_kept(
    fresh_install: Engine, services: Services, phoenix_source: str, phoenix_files: Path, session: Session
) -> None:
    auth.set_owner(session=session, email="new@example.com", password="a brand new password")
    session.commit()
    report = run_import(services, phoenix_source, phoenix_files)
    assert counts(report)["owner"] == (1, 0, 1, 0)
    assert report.skips[0].reason == "an owner account exists here already (new@example.com); it was kept"
    assert session.exec(select(Owner.email)).all() == ["new@example.com"]


def test_the_original_database_is_only_read(
    fresh_install: Engine, services: Services, phoenix_source: str, phoenix_files: Path
) -> None:
    source = Source(phoenix_source)
    try:
        with source.engine.connect() as connection, pytest.raises(DBAPIError, match="read-only transaction"):
            connection.execute(sa.text("DELETE FROM notes"))
        before = {table: source.count(table) for table in ("stats", "notes", "pastes", "spotify", "users_tokens")}
        run_import(services, phoenix_source, phoenix_files)
        assert {table: source.count(table) for table in before} == before
    finally:
        source.close()


def test_comments_keep_their_tree_authors_times_and_pages_and_messages_come_too(
    fresh_install: Engine, services: Services, phoenix_source: str, phoenix_files: Path, session: Session
) -> None:
    run_import(services, phoenix_source, phoenix_files)
    rows = {row.body: row for row in session.exec(select(Comment))}
    nice, thanks, reply, deeper = (
        rows[key]
        for key in ("Nice post", "Thanks!", next(k for k in rows if k.startswith("A *reply*")), "Deeper still")
    )
    assert (nice.site, nice.path, nice.author_name, nice.depth, nice.parent_id) == (
        "blog",
        "/blog/hello-world",
        "Ann",
        0,
        None,
    )
    assert nice.created_at == datetime(2025, 6, 1, 10, 0, tzinfo=UTC)
    assert (thanks.parent_id, thanks.depth, thanks.author_name) == (nice.id, 1, "")
    assert (reply.parent_id, reply.depth) == (thanks.id, 2)
    assert "<em>reply</em>" in reply.body_html and "<script" not in reply.body_html
    assert (deeper.parent_id, deeper.depth) == (thanks.id, 2)  # two levels deep, as the widget shows
    assert rows["On another post"].path == "/blog/second-post"
    assert {row.status for row in rows.values()} == {"published"}
    (message,) = session.exec(select(ContactMessage)).all()
    assert (message.id, message.email, message.message) == (
        "3f1a2b3c-0000-4000-8000-000000000001",
        "a@example.com",
        "Hello",
    )
    assert message.read_at is not None  # years-old mail is no news in the unread count
    again = run_import(services, phoenix_source, phoenix_files)
    assert again.counts["comment"].imported == 0 and again.already_imported("comment") == 5
    assert again.counts["contact_message"].imported == 0
    assert "comments" in again.render() and "contact_messages" in again.render()
