"""`python -m accumulator backup | restore | move-database`: argument parsing and one-line outcomes.

Exit status: 0 done, 1 refused or failed (the line says why; a refused restore wrote nothing)."""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

from accumulator.backup import actions, load, service
from accumulator.backup.service import BackupError
from accumulator.db import create_db_engine, get_engine
from accumulator.runtime import Services
from accumulator.settings import SettingsError, database_url_from, get_settings

COMMANDS = ("backup", "restore", "move-database")


def add_commands(commands: argparse._SubParsersAction) -> None:
    backup = commands.add_parser(
        "backup",
        help="write one archive of every table and stored file (safe while the app runs)",
        description="Write one archive of every table and stored file, from one consistent snapshot.",
    )
    backup.add_argument("--to", help="the folder to write it in (default: BACKUP_DIR, else DATA_DIR/backups)")
    backup.add_argument(
        "--include-secrets",
        action="store_true",
        help="also keep sessions, the VAPID key pair and the secret key (left out by default)",
    )
    restore = commands.add_parser(
        "restore",
        help="load an archive into this (empty) database and the upload folder",
        description="Check the archive whole, then load it into the empty database DATABASE_URL names.",
    )
    restore.add_argument("archive", help="an accumulator-backup-….tar")
    restore.add_argument(
        "--replace", action="store_true", help="the database is not empty: back it up first, then replace it"
    )
    move = commands.add_parser(
        "move-database",
        help="copy every row from DATABASE_URL into another, empty database",
        description="Copy the database DATABASE_URL names into an empty PostgreSQL (or SQLite) database.",
    )
    move.add_argument("--to", required=True, help="the new database, postgresql://user:pass@host/db")


def run(args: argparse.Namespace) -> int:
    svc = Services(settings=get_settings(), engine=get_engine())
    try:
        if args.command == "backup":
            return _backup(svc, args)
        if args.command == "restore":
            return _restore(svc, args)
        return _move(svc, args)
    except (BackupError, load.LoadError, SettingsError, LookupError) as exc:
        print(f"{_verb(args.command)}: {exc}", file=sys.stderr)
        return 1
    except Exception as exc:  # a one-line reason for the owner; the detail is in the log when run by the job
        print(f"{_verb(args.command)}: {type(exc).__name__}: {exc}", file=sys.stderr)
        return 1


def _verb(command: str) -> str:
    return {"backup": "Backup failed", "restore": "Not restored", "move-database": "Not moved"}[command]


def _backup(svc: Services, args: argparse.Namespace) -> int:
    directory = Path(args.to).resolve() if args.to else actions.default_directory(svc)
    result = actions.backup_now(svc, directory=directory, kind="manual", include_secrets=args.include_secrets)
    print(result.summary())
    return 0


def _restore(svc: Services, args: argparse.Namespace) -> int:
    opened = service.verify(Path(args.archive))  # nothing is written before the archive proved whole
    try:
        if not load.is_empty(svc.engine):
            if not args.replace:
                print(
                    "Not restored: this database is not empty. Restore into an empty one, or pass --replace "
                    "(which backs it up first).",
                    file=sys.stderr,
                )
                return 1
            kept = actions.backup_now(svc, directory=actions.default_directory(svc), kind="before-replace")
            print(f"What was there is kept first: {kept.summary()}")
            service.empty_stores(actions.stores(svc))
        result = service.restore(
            opened=opened,
            engine=svc.engine,
            url=svc.settings.database_url,
            stores=actions.stores(svc),
            secret_key_file=None if _secret_key_from_env() else actions.secret_key_file(svc),
        )
    finally:
        opened.close()
    print(result.summary())
    return 0


def _secret_key_from_env() -> bool:
    return bool(os.environ.get("SECRET_KEY", "").strip())


def _move(svc: Services, args: argparse.Namespace) -> int:
    target_url = database_url_from(args.to, name="--to")
    if target_url == svc.settings.database_url:
        raise BackupError("--to names the database in use; give the new one")
    target = create_db_engine(target_url)
    try:
        if not load.is_empty(target):
            raise BackupError("the target database is not empty; give an empty one")
        rows = service.move(source=svc.engine, target=target, target_url=target_url)
    finally:
        target.dispose()
    print(f"Copied {sum(rows.values()):,} rows of {len(rows)} tables; the new database is at {load.head_revision()}.")
    print("Stop the app, run this again if anything was written meanwhile (into a new empty database), then")
    print("set DATABASE_URL to the new database and start the app. Stored files stay where they are.")
    return 0
