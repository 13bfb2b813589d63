"""Command line: `python -m accumulator create-owner --email E`, `python -m accumulator owner-status`,
`python -m accumulator import-phoenix --source postgresql://… [--files DIR] [--dry-run]`,
`python -m accumulator backup [--to DIR] [--include-secrets]`, `python -m accumulator restore ARCHIVE [--replace]`,
`python -m accumulator move-database --to postgresql://…` (the last three in `accumulator/backup/cli.py`),
`python -m accumulator create-token --name NAME --scope read|write [--expires-days N]`,
`python -m accumulator import-spotify-history FILES…` (Spotify's Extended streaming history)."""

from __future__ import annotations

import argparse
import getpass
import os
import sys
from datetime import UTC, datetime
from pathlib import Path

from accumulator.auth import service
from accumulator.backup import cli as backup_cli
from accumulator.db import session_scope
from accumulator.settings import SettingsError, get_settings

MAKE_OWNER_HINT = "make owner EMAIL=you@example.com"


def _read_password() -> str:
    from_env = os.environ.get("ACCUMULATOR_OWNER_PASSWORD")
    if from_env:
        return from_env
    if not sys.stdin.isatty():
        raise service.AuthError("No terminal to ask for a password: set ACCUMULATOR_OWNER_PASSWORD.")
    first = getpass.getpass(f"Password (at least {service.PASSWORD_MIN_LENGTH} characters): ")
    service.check_password_rules(first)
    if getpass.getpass("Same password again: ") != first:
        raise service.AuthError("The two passwords differ.")
    return first


def create_owner(email: str) -> int:
    try:
        email = service.normalise_email(email)
        password = _read_password()
        with session_scope() as session:
            replaced = service.get_owner(session=session) is not None
            service.set_owner(session=session, email=email, password=password)
    except service.AuthError as error:
        print(f"Not saved: {error}", file=sys.stderr)
        return 1
    if replaced:
        print(f"Owner updated: {email}. Every existing session was logged out.")
    else:
        print(f"Owner created: {email}. Log in at /login.")
    return 0


def owner_status() -> int:
    """Printed by `make run` before serving, so a newcomer knows how to log in."""
    with session_scope() as session:
        owner = service.get_owner(session=session)
    if owner is None:
        print("\n  No owner account yet. To be able to log in, run in another terminal:")
        print(f"      {MAKE_OWNER_HINT}")
        print("  (or: .venv/bin/python -m accumulator create-owner --email you@example.com)\n")
    else:
        print(f"Owner account: {owner.email}")
    return 0


def create_token(args: argparse.Namespace) -> int:
    """Make an API token and print it, once: only its keyed hash is kept."""
    from accumulator.tokens import service as token_service

    try:
        with session_scope() as session:
            row, raw = token_service.create_token(
                session=session,
                name=args.name,
                scope=args.scope,
                expires_days=args.expires_days,
                now=datetime.now(UTC),
                secret=get_settings().secret_key,
            )
    except token_service.TokenError as error:
        print(f"Not created: {error}", file=sys.stderr)
        return 1
    expiry = f"expires {row.expires_at:%Y-%m-%d %H:%M} UTC" if row.expires_at else "never expires"
    print(f"Token '{row.name}' ({row.scope}, {expiry}). Copy it now; it is not shown again:")
    print(raw)
    return 0


def import_phoenix(args: argparse.Namespace) -> int:
    """Bring the original app's data in and print the table of counts. Exit status: 0 when every
    row was imported or skipped with a reason, 1 when some failed (listed), 2 when it could not run."""
    from sqlalchemy.exc import IntegrityError

    from accumulator.db import get_engine
    from accumulator.importer.mapping import PageMapping
    from accumulator.importer.phoenix import ImportAborted, ImportOptions
    from accumulator.importer.phoenix import import_phoenix as run_import
    from accumulator.importer.source import SourceError
    from accumulator.runtime import Services

    try:
        pages = PageMapping(site=args.site, blog_path=args.blog_path)
    except ValueError as error:
        print(f"Not imported: {error}.", file=sys.stderr)
        return 2
    options = ImportOptions(
        source_url=args.source,
        files_dir=Path(args.files).resolve() if args.files else None,
        dry_run=args.dry_run,
        pages=pages,
        admin_email=args.admin_email,
    )
    svc = Services(settings=get_settings(), engine=get_engine())  # for where files go, as the app has it
    try:
        report = run_import(
            options=options,
            engine=svc.engine,
            file_store=svc.file_store,
            photo_store=svc.photo_store,
            now=datetime.now(UTC),
        )
    except (ImportAborted, SourceError) as error:
        print(f"Not imported: {error}.", file=sys.stderr)
        return 2
    except IntegrityError:
        print("Stopped: another import wrote the same rows at the same time. Run it again.", file=sys.stderr)
        return 2
    print(report.render())
    return 1 if report.total.failed else 0


def import_spotify_history(paths: list[str]) -> int:
    """Import Spotify export files and print what was read, added and skipped. Exit status 0 when
    imported, 2 when a file was refused (then nothing at all was imported)."""
    from accumulator.db import get_engine
    from accumulator.spotify.history_import import FILE_MAX_BYTES, ImportRefused, import_files

    files = []
    for raw in paths:
        path = Path(raw)
        try:
            if path.stat().st_size > FILE_MAX_BYTES:
                print(f"Not imported: {path}: larger than {FILE_MAX_BYTES // 2**20} MB.", file=sys.stderr)
                return 2
            files.append((str(path), path.read_bytes()))
        except OSError as error:
            print(f"Not imported: {path}: {error.strerror}.", file=sys.stderr)
            return 2
    try:
        with session_scope(get_engine()) as session:
            report = import_files(session, files=files, zone=get_settings().zone)
    except ImportRefused as error:
        print(f"Not imported (nothing was): {error}", file=sys.stderr)
        return 2
    print(report.render())
    return 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m accumulator", description="Accumulator administration.")
    commands = parser.add_subparsers(dest="command", required=True)
    create = commands.add_parser("create-owner", help="create the owner account, or change its e-mail and password")
    create.add_argument("--email", required=True)
    commands.add_parser("owner-status", help="say whether an owner account exists and how to make one")
    phoenix = commands.add_parser(
        "import-phoenix",
        help="import the original Phoenix app's database and files (safe to run again)",
        description="Import the original Phoenix app's database (read only) and its /data files into this one. "
        "Running it again imports only what is new.",
    )
    phoenix.add_argument("--source", required=True, help="the original database, postgresql://user:pass@host/db")
    phoenix.add_argument("--files", help="a copy of the original's /data folder (paste files, plant images)")
    phoenix.add_argument("--dry-run", action="store_true", help="count what would be imported; write nothing")
    phoenix.add_argument("--site", default="blog", help="the site name of `main` and blog posts (default: blog)")
    phoenix.add_argument(
        "--blog-path", default="/blog/{slug}", help="the path of a post `blog:<slug>` (default: /blog/{slug})"
    )
    phoenix.add_argument("--admin-email", help="which user is the admin, when the original has several")
    token = commands.add_parser("create-token", help="make a personal access token for /api/v1 (printed once)")
    token.add_argument("--name", required=True, help="what will use it (shown on /tokens)")
    token.add_argument("--scope", required=True, choices=["read", "write"])
    token.add_argument("--expires-days", type=int, default=None, help="days until it expires (default: never)")
    history = commands.add_parser(
        "import-spotify-history",
        help="import Spotify's Extended streaming history files (safe to run again)",
        description="Import Streaming_History_Audio_*.json files from a Spotify privacy request into the listening "
        "history. Plays already recorded are not added twice.",
    )
    history.add_argument("files", nargs="+", metavar="FILE")
    backup_cli.add_commands(commands)
    args = parser.parse_args(argv)
    try:
        get_settings()
    except SettingsError as error:
        print(f"Accumulator cannot start: {error}", file=sys.stderr)
        return 2
    if args.command == "create-owner":
        return create_owner(args.email)
    if args.command == "create-token":
        return create_token(args)
    if args.command == "import-phoenix":
        return import_phoenix(args)
    if args.command == "import-spotify-history":
        return import_spotify_history(args.files)
    if args.command in backup_cli.COMMANDS:
        return backup_cli.run(args)
    return owner_status()


if __name__ == "__main__":
    sys.exit(main())
