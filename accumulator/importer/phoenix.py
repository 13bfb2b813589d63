"""Import the original Phoenix app: its admin, page counts and Spotify token here; notes and pastes
in `content.py`, plants in `plants.py`. No Reflex: the CLI calls `import_phoenix` and prints its report.

Every row goes in with a ledger entry in the same transaction, so a second run skips what the first
imported (and a run stopped half-way goes on where it stopped). A dry run reads both databases and
writes nothing: no row, no file, no sequence number.
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Engine
from sqlmodel import Session

from accumulator.analytics import service as analytics
from accumulator.analytics.models import PageStat
from accumulator.auth import service as auth
from accumulator.auth.models import Owner
from accumulator.db import session_scope, upsert_add
from accumulator.importer import content, feedback, plants
from accumulator.importer.ledger import Entry, Run, batches, record
from accumulator.importer.mapping import PageMapping, Unmappable, device_kind, dimension_value, utc
from accumulator.importer.report import Report
from accumulator.importer.source import NOT_IMPORTED, Source
from accumulator.spotify.models import SpotifyAccount
from accumulator.storage import FileStore

SPOTIFY_TOKEN_MAX = 1024  # SpotifyAccount.refresh_token
_BCRYPT = re.compile(r"^\$2[abxy]?\$\d\d\$[./A-Za-z0-9]{53}$")


class ImportAborted(Exception):
    """The run cannot start (or go on); the message says why. Nothing more was written."""


@dataclass(frozen=True)
class ImportOptions:
    source_url: str
    files_dir: Path | None = None
    dry_run: bool = False
    pages: PageMapping = field(default_factory=PageMapping)
    admin_email: str | None = None


def import_phoenix(
    *, options: ImportOptions, engine: Engine, file_store: FileStore, photo_store: FileStore, now: datetime
) -> Report:
    """Bring everything the original database (and --files folder) holds into ours; the report
    counts every row read and says why any was not imported."""
    if not sa.inspect(engine).has_table("import_ledger"):
        raise ImportAborted("this database is not migrated to the latest version: run `make migrate` first")
    if options.files_dir is not None and not options.files_dir.is_dir():
        raise ImportAborted(f"--files: {options.files_dir} is not a folder")
    source = Source(options.source_url)
    run = Run(
        engine=engine,
        source=source,
        report=Report(dry_run=options.dry_run),
        pages=options.pages,
        file_store=file_store,
        photo_store=photo_store,
        files_dir=options.files_dir,
        now=now,
        admin_email=options.admin_email,
    )
    try:
        for table in ("users", "stats", "workspaces", "notes", "pastes", "plants", "spotify"):
            if not source.has(table):
                run.report.missing_tables.append(table)
        import_owner(run)
        import_page_totals(run)
        import_daily_pages(run)
        import_user_agents(run)
        content.import_workspaces(run)
        content.import_notes(run)
        content.import_pastes(run)
        plants.import_plants(run)
        import_spotify(run)
        feedback.import_comments(run)
        feedback.import_contact_messages(run)
        for table in NOT_IMPORTED:
            if source.has(table) and (rows := source.count(table)):
                run.report.not_imported[table] = rows
    finally:
        source.close()
    return run.report


# The admin


def import_owner(run: Run) -> None:
    kind, report = "owner", run.report
    rows = run.source.rows("users")
    report.read(kind, len(rows))
    if run.admin_email:
        chosen = [row for row in rows if (row["email"] or "").lower() == run.admin_email.lower()]
        if not chosen:
            raise ImportAborted(f"--admin-email: no user of the original has the e-mail {run.admin_email}")
        for row in rows:
            if row not in chosen:
                report.skip(kind, row["id"], "not the user named by --admin-email")
    elif len(rows) > 1:
        for row in rows:
            report.fail(kind, row["id"], "the original has several users: name the admin with --admin-email")
        return
    else:
        chosen = rows
    done = run.done(kind)
    for row in chosen:
        source_id = str(row["id"])
        if source_id in done:
            report.already(kind)
            continue
        password_hash = (row["hashed_password"] or "").strip()
        if not _BCRYPT.match(password_hash):
            report.fail(kind, source_id, "the password hash is not a bcrypt hash")
            continue
        try:
            email = auth.normalise_email(row["email"] or "")
        except auth.AuthError:
            report.fail(kind, source_id, f"the e-mail {row['email']!r} is not a valid address")
            continue
        with run.session() as session:
            existing = auth.get_owner(session=session)
        if existing is not None:
            report.skip(kind, source_id, f"an owner account exists here already ({existing.email}); it was kept")
            continue
        if not run.dry_run:
            with session_scope(run.engine) as session:
                owner = Owner(email=email, password_hash=password_hash, created_at=utc(row["inserted_at"]) or run.now)
                session.add(owner)
                session.flush()
                record(session, kind, [Entry(source_id, str(owner.id))], run.now)
        report.imported(kind)
        report.remark(kind, source_id, f"log in as {email} with the original app's password")


# Page counters: additive, so each original row is added exactly once


def _import_counters(
    run: Run,
    kind: str,
    rows: list[dict[str, Any]],
    values: Callable[[dict[str, Any]], list[dict[str, Any]]],
    write: Callable[[Session, list[dict[str, Any]]], None],
) -> list[dict[str, Any]]:
    """Add each new row's counts to ours; returns the rows imported now."""
    report = run.report
    report.read(kind, len(rows))
    done = run.done(kind)
    pending: list[tuple[dict[str, Any], list[dict[str, Any]]]] = []
    for row in rows:
        if str(row["id"]) in done:
            report.already(kind)
            continue
        try:
            pending.append((row, values(row)))
        except Unmappable as exc:
            report.fail(kind, row["id"], str(exc))
    for batch in batches(pending):
        if not run.dry_run:
            with session_scope(run.engine) as session:
                write(session, [item for _, items in batch for item in items])
                record(
                    session,
                    kind,
                    [Entry(str(row["id"]), f"{items[0]['site']} {items[0]['path']}") for row, items in batch],
                    run.now,
                )
        report.imported(kind, len(batch))
    return [row for row, _ in pending]


def import_page_totals(run: Run) -> None:
    def values(row: dict[str, Any]) -> list[dict[str, Any]]:
        site, path = run.pages.page(row["slug"] or "")
        return [{"site": site, "path": path, "views": row["views"] or 0, "likes": row["likes"] or 0}]

    def write(session: Session, items: list[dict[str, Any]]) -> None:
        upsert_add(session, PageStat.__table__, items, keys=["site", "path"], counters=["views", "likes"])

    new = _import_counters(run, "stat", run.source.rows("stats"), values, write)
    by_slug: dict[str, list[str]] = defaultdict(list)
    for row in new:
        by_slug[row["slug"]].append(str(row["id"]))
    for slug, ids in by_slug.items():
        if len(ids) > 1:
            run.report.remark(
                "stat", ", ".join(ids), f"the slug {slug!r} is in {len(ids)} rows; their counts were added together"
            )


def import_daily_pages(run: Run) -> None:
    def values(row: dict[str, Any]) -> list[dict[str, Any]]:
        site, path = run.pages.page(row["slug"] or "")
        counts = {"views": row["views"] or 0, "likes": row["likes"] or 0}
        return [{"day": row["date"], "site": site, "path": path, **counts}]

    _import_counters(
        run,
        "daily_stat",
        run.source.rows("daily_stats"),
        values,
        analytics.add_page_days,  # the days of the page and of its site (the chart reads those)
    )


def import_user_agents(run: Run) -> None:
    """Only site visits of the main site were recorded by user agent: they go to the site's "/"."""
    site, path = run.pages.page("main")

    def values(row: dict[str, Any]) -> list[dict[str, Any]]:
        found = {
            "browser": dimension_value(row["browser"]),
            "os": dimension_value(row["os"]),
            "device": device_kind(row["device"], row["os"], row["browser"]),
        }
        base = {"day": row["date"], "site": site, "path": path, "views": row["count"] or 0}
        return [{**base, "kind": kind, "value": value} for kind, value in found.items()]

    _import_counters(
        run,
        "user_agent_stat",
        run.source.rows("daily_user_agent_stats"),
        values,
        analytics.add_dimension_days,
    )


# Spotify


def import_spotify(run: Run) -> None:
    """The refresh token; the cached rows (now playing, top lists, access token) are fetched again."""
    kind, report = "spotify", run.report
    rows = run.source.rows("spotify")
    report.read(kind, len(rows))
    tokens = [row for row in rows if row["type"] == "refresh_token"]
    for row in rows:
        if row["type"] != "refresh_token":
            report.skip(kind, row["id"], f"a cached {row['type']!r}: fetched from Spotify again here")
    if not tokens:
        return
    newest = max(tokens, key=lambda row: (row["updated_at"] or row["inserted_at"], row["id"]))
    for row in tokens:
        if row is not newest:
            report.skip(kind, row["id"], f"an older refresh token: the newest (id {newest['id']}) is used")
    source_id = str(newest["id"])
    token = (newest["data"] or "").strip()
    if source_id in run.done(kind):
        report.already(kind)
    elif not token:
        report.fail(kind, source_id, "the refresh token is empty")
    elif len(token) > SPOTIFY_TOKEN_MAX:
        report.fail(kind, source_id, "the refresh token is longer than 1024 characters")
    else:
        with run.session() as session:
            connected = session.get(SpotifyAccount, 1) is not None
        if connected:
            report.skip(kind, source_id, "Spotify is connected here already; that connection was kept")
            return
        if not run.dry_run:
            with session_scope(run.engine) as session:
                connected_at = utc(newest["inserted_at"]) or run.now
                session.add(SpotifyAccount(id=1, refresh_token=token, connected_at=connected_at, updated_at=run.now))
                record(session, kind, [Entry(source_id, "1")], run.now)
        report.imported(kind)
        report.remark(
            kind, source_id, "the token belongs to the original's Spotify app: set SPOTIFY_CLIENT_ID and _SECRET to its"
        )
