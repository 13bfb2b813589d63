"""The paste bin's rules on SQLite and PostgreSQL: input checks, expiry from a controlled clock,
files attached and detached, burn after reading, and cleanup of records and files on disk."""

from __future__ import annotations

import asyncio
import logging
import os
import threading
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy.engine import Engine
from sqlmodel import Session, select

from accumulator.db import session_scope
from accumulator.pastes import actions, burn, service
from accumulator.pastes.models import Paste, PasteFile
from accumulator.runtime import Services
from accumulator.storage import FileStore, new_file_id

NOW = datetime(2026, 11, 27, 12, 0, tzinfo=UTC)


def paste_input(**fields) -> service.PasteInput:
    data = {"title": "Snippet", "content": "print('hello')\n", "expiry": "1d", **fields}
    return service.parse_input(data)


def create(session: Session, now: datetime = NOW, **fields) -> Paste:
    paste = service.create_paste(session=session, data=paste_input(**fields), now=now)
    session.commit()
    return paste


async def _chunks(data: bytes):
    for start in range(0, len(data), 65536):
        yield data[start : start + 65536]


def upload(session: Session, store: FileStore, data: bytes, name: str = "notes.txt", now: datetime = NOW) -> str:
    import asyncio

    file_id = new_file_id()
    size = asyncio.run(store.save(file_id, _chunks(data), limit=10_000_000))
    service.stage_upload(session=session, file_id=file_id, name=name, content_type="text/plain", size=size, now=now)
    session.commit()
    return file_id


@pytest.fixture
def store(tmp_path: Path) -> FileStore:
    return FileStore(tmp_path / "uploads")


# Input


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ({"content": "   ", "files": []}, "Write something or attach a file."),
        ({"language": "klingon"}, "Unknown language 'klingon'."),
        ({"expiry": "2d"}, "Expiry must be one of"),
        ({"visibility": "public"}, "Visibility must be"),
        ({"content": "x" * (1024 * 1024 + 1)}, "larger than 1 MB"),
        ({"content": "é" * (512 * 1024) + "x"}, "larger than 1 MB"),  # bytes, not characters
        ({"title": "t" * 201}, "longer than 200"),
        ({"burn_after_reading": "yes"}, "true or false"),
        ({"files": ["../../etc/passwd"]}, "list of file ids"),
        ({"files": [new_file_id() for _ in range(21)]}, "at most 20 files"),
        ({"content": "a\x00b"}, "NUL"),
    ],
)
def test_bad_input_is_refused_with_a_reason(fields: dict, message: str) -> None:
    with pytest.raises(service.PasteError, match=message.replace("(", r"\(").replace(")", r"\)")):
        paste_input(**fields)


def test_exactly_one_megabyte_of_text_is_accepted() -> None:
    assert len(paste_input(content="x" * 1024 * 1024).content) == 1024 * 1024


@pytest.mark.parametrize(
    "name", ["../evil.sh", "/etc/passwd", "a\\b.txt", "nul\x00.txt", "..", ".", "", "  ", "x" * 256]
)
def test_file_names_that_are_paths_or_tricks_are_refused(name: str) -> None:
    with pytest.raises(service.PasteError):
        service.check_file_name(name)


def test_an_ordinary_file_name_is_kept_as_given() -> None:
    assert service.check_file_name("Résumé (final) v2.tar.gz") == "Résumé (final) v2.tar.gz"


# Create, read, expiry


def test_a_paste_gets_unguessable_ids_and_the_chosen_expiry(session: Session) -> None:
    code = "import os\n\n\ndef main():\n    print(os.getcwd())\n"
    paste = create(session, expiry="1h", content=code)
    assert paste.id != paste.slug
    assert len(paste.id) == 16 and len(paste.slug) == 16  # 96 random bits each
    assert paste.expires_at == NOW + timedelta(hours=1)
    assert paste.size == len(code)
    assert paste.shown_as == "python"  # 'auto' guessed it
    assert not paste.is_shared


def test_never_means_no_expiry(session: Session) -> None:
    paste = create(session, expiry="never")
    assert paste.expires_at is None
    assert service.get_paste(session=session, paste_id=paste.id, now=NOW + timedelta(days=3650)) is not None


def test_an_expired_paste_is_gone_from_the_moment_of_expiry_even_before_cleanup(session: Session) -> None:
    paste = create(session, expiry="10m", visibility="shared")
    just_before, at_expiry = NOW + timedelta(minutes=9, seconds=59), NOW + timedelta(minutes=10)
    assert service.get_paste(session=session, paste_id=paste.id, now=just_before) is not None
    assert service.get_shared(session=session, slug=paste.slug, now=just_before) is not None
    assert service.get_paste(session=session, paste_id=paste.id, now=at_expiry) is None
    assert service.get_shared(session=session, slug=paste.slug, now=at_expiry) is None
    assert [row.id for row in service.list_pastes(session=session, now=at_expiry)] == []
    assert session.get(Paste, paste.id) is not None  # still stored: only cleanup removes it


def test_a_private_paste_is_not_found_by_its_slug(session: Session) -> None:
    paste = create(session, visibility="private")
    assert service.get_shared(session=session, slug=paste.slug, now=NOW) is None
    assert service.get_shared(session=session, slug=paste.id, now=NOW) is None


def test_editing_sets_a_new_expiry_counted_from_now(session: Session) -> None:
    paste = create(session, expiry="1d")
    later = NOW + timedelta(hours=20)
    edited, _ = service.update_paste(
        session=session, paste_id=paste.id, data=paste_input(content="fn main() {}", language="rust"), now=later
    )
    session.commit()
    assert edited.expires_at == later + timedelta(days=1)  # not the old date plus a day
    assert edited.shown_as == "rust"
    assert edited.updated_at == later


def test_an_expired_paste_cannot_be_edited(session: Session) -> None:
    paste = create(session, expiry="10m")
    with pytest.raises(LookupError):
        service.update_paste(session=session, paste_id=paste.id, data=paste_input(), now=NOW + timedelta(hours=1))


def test_the_list_shows_sizes_file_counts_and_searches_titles(session: Session, store: FileStore) -> None:
    first = upload(session, store, b"a" * 1000)
    second = upload(session, store, b"b" * 24)
    report = create(session, title="Quarterly report", files=[first, second], content="")
    create(session, NOW + timedelta(minutes=1), title="Shopping 100% list", content="eggs")
    rows = service.list_pastes(session=session, now=NOW + timedelta(minutes=2))
    assert [row.title for row in rows] == ["Shopping 100% list", "Quarterly report"]  # newest first
    by_title = {row.title: row for row in rows}
    assert (by_title["Quarterly report"].file_count, by_title["Quarterly report"].file_bytes) == (2, 1024)
    assert by_title["Shopping 100% list"].size == 4
    assert [r.id for r in service.list_pastes(session=session, now=NOW, query="REPORT")] == [report.id]
    assert [r.title for r in service.list_pastes(session=session, now=NOW, query="100%")] == ["Shopping 100% list"]
    assert service.list_pastes(session=session, now=NOW, query="_") == []  # LIKE wildcards are literal


# Files


def test_files_are_attached_kept_and_detached_by_editing(session: Session, store: FileStore) -> None:
    keep, drop = upload(session, store, b"keep"), upload(session, store, b"drop")
    paste = create(session, files=[keep, drop])
    assert {f.id for f in service.files_of(session=session, paste_id=paste.id)} == {keep, drop}
    added = upload(session, store, b"added")
    _, detached = service.update_paste(
        session=session, paste_id=paste.id, data=paste_input(files=[keep, added]), now=NOW
    )
    session.commit()
    assert detached == [drop]
    assert {f.id for f in service.files_of(session=session, paste_id=paste.id)} == {keep, added}
    assert session.get(PasteFile, drop) is None


def test_another_pastes_file_cannot_be_taken(session: Session, store: FileStore) -> None:
    file_id = upload(session, store, b"mine")
    create(session, files=[file_id])
    with pytest.raises(service.PasteError, match="no longer available"):
        create(session, files=[file_id])


def test_a_file_cannot_be_attached_to_a_paste_it_does_not_belong_to_for_download(
    session: Session, store: FileStore
) -> None:
    file_id = upload(session, store, b"secret")
    owner_of_file = create(session, files=[file_id])
    other = create(session)
    assert service.owner_file(session=session, paste_id=other.id, file_id=file_id, now=NOW) is None
    assert service.owner_file(session=session, paste_id=owner_of_file.id, file_id=file_id, now=NOW) is not None


def test_a_shared_pastes_file_is_served_by_its_link_and_a_private_ones_is_not(
    session: Session, store: FileStore
) -> None:
    shared_file, private_file = upload(session, store, b"s"), upload(session, store, b"p")
    shared = create(session, visibility="shared", files=[shared_file])
    private = create(session, visibility="private", files=[private_file])

    def through_link(slug: str, file_id: str) -> PasteFile | None:
        return burn.shared_file(session=session, slug=slug, file_id=file_id, now=NOW, key=None, secret="s" * 40)

    assert through_link(shared.slug, shared_file) is not None
    assert through_link(private.slug, private_file) is None
    assert through_link(shared.slug, private_file) is None  # a slug opens only its own files


# Burn after reading


def test_burn_after_reading_shows_once_then_the_paste_is_deleted(session: Session) -> None:
    paste = create(session, visibility="shared", burn_after_reading=True, content="the secret")
    seen = burn.burn(session=session, slug=paste.slug, now=NOW)
    session.commit()
    assert seen is not None and seen.paste.content == "the secret"
    assert session.get(Paste, paste.id) is None
    assert burn.burn(session=session, slug=paste.slug, now=NOW) is None


@pytest.mark.parametrize("attempt", range(5))
def test_two_readers_racing_only_one_sees_a_burn_after_reading_paste(engine: Engine, attempt: int) -> None:
    with Session(engine, expire_on_commit=False) as setup:
        paste = create(setup, visibility="shared", burn_after_reading=True, content="only once")
    start = threading.Barrier(2)
    results: list[burn.BurnedView | None] = []

    def read() -> None:
        with session_scope(engine) as reader:
            start.wait()
            results.append(burn.burn(session=reader, slug=paste.slug, now=NOW))

    readers = [threading.Thread(target=read) for _ in range(2)]
    for reader in readers:
        reader.start()
    for reader in readers:
        reader.join(timeout=30)
    seen = [result for result in results if result is not None]
    assert len(results) == 2 and len(seen) == 1
    assert seen[0].paste.content == "only once"


def test_a_burned_paste_with_files_keeps_them_a_few_minutes_for_the_reader_only(
    session: Session, store: FileStore
) -> None:
    file_id = upload(session, store, b"attachment")
    paste = create(session, visibility="shared", burn_after_reading=True, files=[file_id], expiry="never")
    secret = "k" * 40
    # Before it is read, the file is not reachable by link (it would bypass the confirmation).
    assert burn.shared_file(session=session, slug=paste.slug, file_id=file_id, now=NOW, key=None, secret=secret) is None
    seen = burn.burn(session=session, slug=paste.slug, now=NOW)
    session.commit()
    assert seen is not None and [f.id for f in seen.files] == [file_id]
    stored = session.get(Paste, paste.id)
    session.refresh(stored)
    assert stored.content == "" and stored.expires_at == NOW + service.BURNED_FILES_GRACE
    assert service.get_shared(session=session, slug=paste.slug, now=NOW) is None  # the text is gone for all
    key = burn.file_key(secret=secret, file_id=file_id, burned_at=NOW)

    def fetch(with_key: str | None, at: datetime) -> PasteFile | None:
        return burn.shared_file(session=session, slug=paste.slug, file_id=file_id, now=at, key=with_key, secret=secret)

    assert fetch(key, NOW + timedelta(minutes=1)) is not None
    assert fetch(None, NOW + timedelta(minutes=1)) is None
    assert fetch("0" * 32, NOW + timedelta(minutes=1)) is None
    assert fetch(key, NOW + service.BURNED_FILES_GRACE) is None


# Cleanup


def test_cleanup_removes_expired_pastes_their_files_and_orphans_and_is_idempotent(
    services: Services, session: Session, store: FileStore, caplog: pytest.LogCaptureFixture
) -> None:
    services.file_store = store
    expiring_file = upload(session, store, b"goes")
    lasting_file = upload(session, store, b"stays")
    expiring = create(session, expiry="10m", files=[expiring_file])
    lasting = create(session, expiry="never", files=[lasting_file])
    abandoned = upload(session, store, b"never attached", now=NOW - timedelta(days=2))
    fresh_upload = upload(session, store, b"being attached right now")
    orphan = new_file_id()
    orphan_path = store.path(orphan)
    orphan_path.parent.mkdir(parents=True, exist_ok=True)
    orphan_path.write_bytes(b"left behind by a crash")
    an_hour_ago = time.time() - 2 * 3600
    os.utime(orphan_path, (an_hour_ago, an_hour_ago))

    with caplog.at_level(logging.INFO, logger="accumulator.pastes.cleanup"):
        report = asyncio.run(actions.clean_up(services, now=NOW + timedelta(hours=1)))
    assert (report.pastes, report.files, report.unattached_uploads, report.orphaned_files) == (1, 1, 1, 1)
    assert "1 expired pastes" in caplog.text
    assert set(session.exec(select(Paste.id)).all()) == {lasting.id}
    assert expiring.id != lasting.id
    assert not store.path(expiring_file).exists() and not store.path(abandoned).exists()
    assert not orphan_path.exists()
    assert store.path(lasting_file).read_bytes() == b"stays"
    assert store.path(fresh_upload).exists()  # an upload in the middle of being attached is left alone
    assert set(session.exec(select(PasteFile.id)).all()) == {lasting_file, fresh_upload}

    session.expire_all()
    again = asyncio.run(actions.clean_up(services, now=NOW + timedelta(hours=1)))
    assert not again.removed_anything


def test_an_upload_past_the_limit_leaves_nothing_on_disk(store: FileStore) -> None:
    import asyncio

    from accumulator.storage import TooLarge

    file_id = new_file_id()
    with pytest.raises(TooLarge):
        asyncio.run(store.save(file_id, _chunks(b"x" * 300_000), limit=200_000))
    assert not store.path(file_id).exists()
    assert list((store.root / "incoming").iterdir()) == []
