"""How long `python -m accumulator backup` takes, and how much memory, on a big installation.

    .venv/bin/python bench/backup_speed.py [--database-url URL] [--views 1000000] [--notes 10000]
                                           [--files-mb 1024] [--restore]

Builds a scratch installation: a migrated database with `--views` rows of page views (one
`daily_visitor` row per view, a year of `daily_page_stat` over 500 pages, inserted in bulk with SQL,
not through the writer: the bench measures the backup, not the seeding), `--notes` notes, and
`--files-mb` of paste attachments (incompressible, 8 MB each). Then runs the real command in a
child process and reports its wall time, the archive's size and the child's peak RSS (flat memory:
it must not grow with the data). With `--restore`, also restores the archive into a new database
(SQLite) and times that. Exits 1 when the backup takes longer than the aim (2 minutes).
"""

from __future__ import annotations

import argparse
import os
import secrets
import shutil
import subprocess
import sys
import tempfile
import time
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import sqlalchemy as sa  # noqa: E402
from sqlalchemy.engine import make_url  # noqa: E402

from accumulator.backup.load import migrate  # noqa: E402
from accumulator.db import create_db_engine  # noqa: E402
from accumulator.settings import database_url_from  # noqa: E402
from accumulator.storage import FileStore  # noqa: E402

AIM_SECONDS = 120
FILE_MB = 8
BATCH = 20_000


def seed(url: str, data_dir: Path, *, views: int, notes: int, files_mb: int) -> None:
    migrate(url, "head")
    engine = create_db_engine(url)
    start = time.monotonic()
    first_day = date(2026, 1, 1)
    with engine.begin() as connection:
        pages = [f"/blog/post-{n}" for n in range(500)]
        for start_row in range(0, views, BATCH):
            rows = [
                {
                    "day": first_day + timedelta(days=(n // 2740) % 365),
                    "path": pages[(n * 7919) % 500],
                    "hash": f"{n:032x}",
                }
                for n in range(start_row, min(views, start_row + BATCH))
            ]
            connection.execute(
                sa.text(
                    "INSERT INTO daily_visitor (day, site, path, visitor_hash) VALUES (:day, 'blog', :path, :hash)"
                ),
                rows,
            )
        days = [
            {"day": first_day + timedelta(days=d), "path": path, "views": views // (365 * 500) + 1}
            for d in range(365)
            for path in pages
        ]
        connection.execute(
            sa.text(
                "INSERT INTO daily_page_stat (day, site, path, views, likes, visitors) "
                "VALUES (:day, 'blog', :path, :views, 0, :views)"
            ),
            days,
        )
        workspace = connection.execute(sa.text("SELECT id FROM workspace")).scalar()
        now = datetime.now(UTC)
        connection.execute(
            sa.text("INSERT INTO note (workspace_id, text, created_at, updated_at) VALUES (:w, :text, :at, :at)"),
            [
                {
                    "w": workspace,
                    "text": f"Note {n}: " + "some words of a note, " * 20,
                    "at": now - timedelta(minutes=n),
                }
                for n in range(notes)
            ],
        )
        if engine.dialect.name == "sqlite":
            connection.exec_driver_sql("INSERT INTO note_fts(note_fts) VALUES ('rebuild')")
    print(f"seeded {views:,} page views, {notes:,} notes in {time.monotonic() - start:.1f} s")
    start = time.monotonic()
    store = FileStore(data_dir / "uploads" / "pastes")
    block = os.urandom(1024 * 1024)  # incompressible, as photos and archives are
    with engine.begin() as connection:
        for n in range(max(files_mb // FILE_MB, 0)):
            file_id = secrets.token_urlsafe(16)
            path = store.path(file_id)
            path.parent.mkdir(parents=True, exist_ok=True)
            with open(path, "wb") as out:
                for chunk in range(FILE_MB):
                    out.write(block[chunk:] + block[:chunk])
            paste = secrets.token_urlsafe(12)
            connection.execute(
                sa.text(
                    "INSERT INTO paste (id, slug, title, content, size, language, shown_as, is_shared, "
                    "burn_after_reading, expiry, created_at, updated_at) VALUES "
                    "(:id, :id, 'files', '', 0, 'auto', 'text', false, false, 'never', :at, :at)"
                ),
                {"id": paste, "at": datetime.now(UTC)},
            )
            connection.execute(
                sa.text(
                    "INSERT INTO paste_file (id, paste_id, name, content_type, size, created_at) "
                    "VALUES (:id, :paste, :name, 'application/octet-stream', :size, :at)"
                ),
                {"id": file_id, "paste": paste, "name": f"f{n}.bin", "size": FILE_MB << 20, "at": datetime.now(UTC)},
            )
    print(f"wrote {files_mb:,} MB of files in {time.monotonic() - start:.1f} s")
    engine.dispose()


def timed(args: list[str], env: dict[str, str], work: Path) -> tuple[float, int, str]:
    """Wall seconds, this child's own peak RSS in MB (wait4), its output."""
    out, err = work / f"{args[0]}.out", work / f"{args[0]}.err"
    start = time.monotonic()
    with open(out, "w") as stdout, open(err, "w") as stderr:
        child = subprocess.Popen(
            [sys.executable, "-m", "accumulator", *args], cwd=ROOT, env=env, stdout=stdout, stderr=stderr
        )
        _pid, status, usage = os.wait4(child.pid, 0)
    seconds = time.monotonic() - start
    if os.waitstatus_to_exitcode(status):
        sys.exit(f"{args[0]} failed: {err.read_text().strip()}")
    return seconds, usage.ru_maxrss // 1024, out.read_text().strip()


def recreate(url: str) -> None:
    """A scratch PostgreSQL database named in the URL, dropped and made again (SQLite: a new file)."""
    if not url.startswith("postgresql"):
        return
    admin = sa.create_engine(make_url(url).set(database="postgres"), isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        name = make_url(url).database
        connection.execute(sa.text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        connection.execute(sa.text(f'CREATE DATABASE "{name}"'))
    admin.dispose()


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--database-url", help="a scratch database (default: SQLite in a temporary folder)")
    parser.add_argument("--views", type=int, default=1_000_000)
    parser.add_argument("--notes", type=int, default=10_000)
    parser.add_argument("--files-mb", type=int, default=1024)
    parser.add_argument("--restore", action="store_true", help="also time a restore into a new database")
    parser.add_argument("--restore-url", help="the (scratch, emptied) database to restore into (default: SQLite)")
    args = parser.parse_args()
    work = Path(tempfile.mkdtemp(prefix="bench-backup-", dir=ROOT / "data" if (ROOT / "data").is_dir() else None))
    try:
        url = database_url_from(args.database_url) if args.database_url else f"sqlite:///{work / 'bench.db'}"
        restore_url = database_url_from(args.restore_url) if args.restore_url else f"sqlite:///{work / 'restored.db'}"
        for scratch in (url, restore_url):
            recreate(scratch)
        seed(url, work, views=args.views, notes=args.notes, files_mb=args.files_mb)
        env = {"PATH": "/usr/bin:/bin", "DATA_DIR": str(work), "DATABASE_URL": url}
        seconds, peak_mb, output = timed(["backup", "--to", str(work / "out")], env, work)
        archive = next((work / "out").glob("accumulator-backup-*.tar"))
        print(output)
        print(
            f"backup: {seconds:.1f} s wall, archive {archive.stat().st_size / 1e6:,.0f} MB, "
            f"peak RSS {peak_mb} MB ({make_url(url).get_backend_name()})"
        )
        if args.restore:
            restore_env = {**env, "DATA_DIR": str(work / "restored"), "DATABASE_URL": restore_url}
            (work / "restored").mkdir()
            r_seconds, r_peak, r_output = timed(["restore", str(archive)], restore_env, work)
            print(r_output)
            kind = make_url(restore_url).get_backend_name()
            print(f"restore (into {kind}): {r_seconds:.1f} s wall, peak RSS {r_peak} MB")
        if seconds > AIM_SECONDS:
            print(f"MISSED: the backup took over {AIM_SECONDS} s")
            return 1
        return 0
    finally:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
