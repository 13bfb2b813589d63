"""Restoring over data refuses, unless --replace, which first backs up what is there."""

from __future__ import annotations

from sqlmodel import Session

from accumulator.db import utcnow
from accumulator.notes import service as notes_service
from tests.backup.conftest import cli, fill, installation, only_archive, rows_by_table


def note_texts(svc) -> set[str]:
    return {row[2] for row in rows_by_table(svc)["note"]}


def add_note(svc, text: str) -> None:
    with Session(svc.engine) as session:
        workspace = notes_service.create_workspace(session=session, title="Mine")
        notes_service.add_note(session=session, workspace_id=workspace.id, text=text, now=utcnow())
        session.commit()


def test_a_database_with_data_is_not_replaced_unless_asked_and_then_backed_up_first(tmp_path, tmp_path_factory) -> None:
    with installation("sqlite", tmp_path_factory) as source, installation("sqlite", tmp_path_factory) as target:
        fill(source)
        add_note(source, "only in the archive")
        add_note(target, "only in the database restored over")
        assert cli(source, "backup", "--to", str(tmp_path / "archive")).returncode == 0
        archive = only_archive(tmp_path / "archive")
        before = rows_by_table(target)

        refused = cli(target, "restore", str(archive))
        assert refused.returncode == 1
        assert "not empty" in refused.stderr and "--replace" in refused.stderr
        assert rows_by_table(target) == before

        replaced = cli(target, "restore", str(archive), "--replace")
        assert replaced.returncode == 0, replaced.stderr
        assert "kept first" in replaced.stdout
        assert "only in the archive" in note_texts(target)
        assert "only in the database restored over" not in note_texts(target)

        kept = only_archive(target.settings.data_dir / "backups")
        with installation("sqlite", tmp_path_factory) as elsewhere:
            assert cli(elsewhere, "restore", str(kept)).returncode == 0
            assert note_texts(elsewhere) == {"only in the database restored over"}
