"""A backup restored into an empty database, of the same kind or the other, gives back every row
of every table and every stored file, byte for byte; the restored app goes on working."""

from __future__ import annotations

from dataclasses import replace

import pytest
from alembic import command
from sqlmodel import Session

from accumulator.backup.load import alembic_config, head_revision
from accumulator.db import utcnow
from accumulator.notes import search as notes_search
from accumulator.notes import service as notes_service
from accumulator.runtime import build_services
from tests.backup.conftest import cli, files_by_name, fill, installation, only_archive, reloaded, rows_by_table
from tests.conftest import BACKENDS, OWNER_EMAIL, OWNER_PASSWORD, api_client


def backup_and_restore(source, target, tmp_path, name: str) -> None:
    taken = cli(source, "backup", "--to", str(tmp_path / name), "--include-secrets")
    assert taken.returncode == 0, taken.stderr
    assert "Backed up" in taken.stdout
    restored = cli(target, "restore", str(only_archive(tmp_path / name)))
    assert restored.returncode == 0, restored.stderr
    assert "Restored" in restored.stdout


def without_runs(rows: dict[str, list[tuple]]) -> dict[str, list[tuple]]:
    # The record of the backup being taken is the one row that differs: it was running in the snapshot.
    return {name: table for name, table in rows.items() if name != "backup_run"}


# Named `database`, as the shared fixtures name it: without DATABASE_URL the PostgreSQL run is left out.
@pytest.mark.parametrize("database", BACKENDS)
def test_a_restore_gives_back_every_row_and_every_file(database: str, tmp_path, tmp_path_factory) -> None:
    with installation(database, tmp_path_factory) as source, installation(database, tmp_path_factory) as target:
        cookie = fill(source)
        backup_and_restore(source, target, tmp_path, "one")
        original, restored = rows_by_table(source), rows_by_table(target)
        assert set(restored) == set(original)
        assert without_runs(restored) == without_runs(original)
        for table in ("owner_session", "app_secret", "page_stat", "daily_visitor", "note", "paste_file", "plant"):
            assert original[table], f"{table} was filled"
        assert files_by_name(target) == files_by_name(source)
        assert len(files_by_name(source)) == 6  # three attachments, three photos
        # With the secrets, the owner's browser is still logged in, and the new rows get new ids.
        with api_client(reloaded(target)) as client:
            client.cookies.set("acc_session", cookie)
            assert client.get("/api/auth/me").json()["email"] == OWNER_EMAIL
        with Session(target.engine) as session:
            workspace_id = original["workspace"][-1][0]
            note = notes_service.add_note(session=session, workspace_id=workspace_id, text="after zebra", now=utcnow())
            session.commit()
            assert note.id == max(row[0] for row in original["note"]) + 1
            hits = notes_search.search(session=session, query="zebra1", zone=target.settings.zone)
            assert {hit.note_id for hit in hits} >= {row[0] for row in original["note"] if "zebra1" in row[2]}


@pytest.mark.postgresql_server
def test_sqlite_to_postgresql_and_back_keeps_everything(tmp_path, tmp_path_factory) -> None:
    with (
        installation("sqlite", tmp_path_factory) as first,
        installation("postgresql", tmp_path_factory) as middle,
        installation("sqlite", tmp_path_factory) as last,
    ):
        fill(first)
        backup_and_restore(first, middle, tmp_path, "to-postgresql")
        backup_and_restore(middle, last, tmp_path, "back-to-sqlite")
        original = without_runs(rows_by_table(first))
        assert without_runs(rows_by_table(middle)) == original
        assert without_runs(rows_by_table(last)) == original
        assert files_by_name(last) == files_by_name(middle) == files_by_name(first)
        with api_client(middle) as client:  # the owner logs in on the new database with the old password
            answer = client.post("/api/auth/login", json={"email": OWNER_EMAIL, "password": OWNER_PASSWORD})
            assert answer.status_code == 200


@pytest.mark.postgresql_server
def test_move_database_copies_sqlite_into_postgresql(tmp_path_factory) -> None:
    with installation("sqlite", tmp_path_factory) as source, installation("postgresql", tmp_path_factory) as target:
        cookie = fill(source)
        moved = cli(source, "move-database", "--to", target.settings.database_url)
        assert moved.returncode == 0, moved.stderr
        assert "set DATABASE_URL" in moved.stdout
        assert rows_by_table(target) == rows_by_table(source)
        again = cli(source, "move-database", "--to", target.settings.database_url)
        assert again.returncode == 1
        assert "not empty" in again.stderr
        # Same installation, same secret key: the owner's browser stays logged in on the new database.
        moved_app = build_services(replace(source.settings, database_url=target.settings.database_url), target.engine)
        with api_client(moved_app) as client:
            client.cookies.set("acc_session", cookie)
            assert client.get("/api/auth/me").status_code == 200


def test_an_archive_of_an_older_version_is_restored_and_upgraded(tmp_path, tmp_path_factory) -> None:
    """Taken before the table of backup runs existed (revision 0011), restored by this version."""
    with installation("sqlite", tmp_path_factory) as source, installation("sqlite", tmp_path_factory) as target:
        fill(source)
        command.downgrade(alembic_config(source.settings.database_url), "0011")
        taken = cli(source, "backup", "--to", str(tmp_path / "old"))
        assert taken.returncode == 0, taken.stderr
        assert "at revision 0011" in taken.stdout
        restored = cli(target, "restore", str(only_archive(tmp_path / "old")))
        assert restored.returncode == 0, restored.stderr
        assert f"archive revision 0011, now at {head_revision()}" in restored.stdout
        original, now = rows_by_table(source), rows_by_table(target)
        assert now["backup_run"] == []
        for table in set(original) - {"owner_session", "app_secret", "push_subscription"}:
            assert now[table] == original[table], table
