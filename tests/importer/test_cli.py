"""`python -m accumulator import-phoenix`, run as the owner runs it: the table of counts, a dry run,
a second run, and a clear line when it cannot start."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest

from tests.importer.phoenix_schema import JUKEBOX_DIR
from tests.test_cli import env as env
from tests.test_cli import run

pytestmark = pytest.mark.postgresql_server


def table(stdout: str) -> dict[str, list[str]]:
    """kind → [read, imported, skipped, failed] from the printed table."""
    found = {}
    for line in stdout.splitlines():
        cells = line.split()
        if len(cells) >= 5 and all(cell.isdigit() for cell in cells[-4:]):
            found[cells[0]] = cells[-4:]
    return found


def count(data_dir: Path, table_name: str) -> int:
    with sqlite3.connect(data_dir / "accumulator.db") as connection:
        return connection.execute(f"SELECT count(*) FROM {table_name}").fetchone()[0]  # noqa: S608


def test_it_prints_the_table_and_a_second_run_skips_everything(
    env: dict[str, str],
    phoenix_source: str,
    phoenix_files: Path,
) -> None:
    data_dir = Path(env["DATA_DIR"])
    dry = run(env, "import-phoenix", "--source", phoenix_source, "--files", str(phoenix_files), "--dry-run")
    assert dry.returncode == 1, dry.stderr  # some rows cannot be imported: listed, and the status says so
    assert dry.stdout.startswith("Dry run: nothing was written.")
    assert table(dry.stdout)["note"] == ["6", "4", "0", "2"]
    assert count(data_dir, "note") == 0 and count(data_dir, "import_ledger") == 0
    assert not (data_dir / "uploads").exists()

    first = run(env, "import-phoenix", "--source", phoenix_source, "--files", str(phoenix_files))
    assert first.returncode == 1, first.stderr
    lines = first.stdout.splitlines()
    assert lines[0].split() == ["kind", "from", "table", "read", "imported", "skipped", "failed"]
    assert table(first.stdout) == table(dry.stdout)
    assert table(first.stdout)["paste_file"] == ["5", "2", "2", "1"]
    assert "note 5: the note has no text" in first.stdout
    assert f"paste_file {JUKEBOX_DIR}/cover.png: listed twice" in first.stdout
    assert "Not imported (no such feature here): users_tokens (1 row), year_logs (1 row)" in first.stdout
    assert table(first.stdout)["comment"] == ["5", "5", "0", "0"]
    assert count(data_dir, "note") == 4

    second = run(env, "import-phoenix", "--source", phoenix_source, "--files", str(phoenix_files))
    assert table(second.stdout)["total"][1] == "0"
    assert "Skipped because an earlier run imported them: owner 1, stat 5" in second.stdout
    assert count(data_dir, "note") == 4


def test_it_says_why_it_cannot_start(env: dict[str, str], phoenix_source: str) -> None:
    wrong_scheme = run(env, "import-phoenix", "--source", "mysql://x@y/z")
    assert wrong_scheme.returncode == 2
    assert "Not imported: --source must be a PostgreSQL URL" in wrong_scheme.stderr
    no_folder = run(env, "import-phoenix", "--source", phoenix_source, "--files", "/nonexistent/data")
    assert no_folder.returncode == 2 and "--files: /nonexistent/data is not a folder" in no_folder.stderr
    bad_path = run(env, "import-phoenix", "--source", phoenix_source, "--blog-path", "/posts")
    assert bad_path.returncode == 2 and "{slug}" in bad_path.stderr
