"""Backups as the app and the command line run them: record the run, write the archive, keep
`BACKUP_KEEP`, tell the owner (through the notification layer) when a scheduled one failed."""

from __future__ import annotations

import logging
from datetime import UTC, datetime
from pathlib import Path

from starlette.concurrency import run_in_threadpool

from accumulator import mail
from accumulator.backup import runs, service
from accumulator.backup.service import BackupResult
from accumulator.db import session_scope, utcnow
from accumulator.notify import actions as notify
from accumulator.notify.alerts import Alert
from accumulator.runtime import Services, in_transaction
from accumulator.storage import FileStore

log = logging.getLogger(__name__)


def stores(svc: Services) -> dict[str, FileStore]:
    return {"pastes": svc.file_store, "photos": svc.photo_store}


def default_directory(svc: Services) -> Path:
    return svc.settings.backup_dir or svc.settings.data_dir / "backups"


def secret_key_file(svc: Services) -> Path:
    return svc.settings.data_dir / "secret_key"


def backup_now(
    svc: Services, *, directory: Path, kind: str, include_secrets: bool = False, run_id: int | None = None
) -> BackupResult:
    """Take one backup and record its result (blocking: run it off the event loop). Raises on failure,
    after recording why."""
    if run_id is None:
        try:
            with session_scope(svc.engine) as session:
                run_id = runs.start(session=session, kind=kind, now=utcnow())
        except Exception:  # e.g. a database not yet migrated to the table of runs: back it up all the same
            log.warning("could not record the backup's start", exc_info=True)
    try:
        result = service.take_backup(
            engine=svc.engine,
            stores=stores(svc),
            directory=directory,
            now=datetime.now(UTC),
            include_secrets=include_secrets,
            secret_key_file=secret_key_file(svc),
        )
    except Exception as exc:
        _record(svc, run_id, error=f"{type(exc).__name__}: {exc}")
        raise
    _record(svc, run_id, size=result.size, archive=result.path.name)
    return result


def _record(svc: Services, run_id: int | None, **outcome: object) -> None:
    if run_id is None:
        return
    try:
        with session_scope(svc.engine) as session:
            runs.finish(session=session, run_id=run_id, now=utcnow(), **outcome)  # type: ignore[arg-type]
    except Exception:  # the archive (or the error) matters more than its record
        log.exception("could not record the backup's result")


async def scheduled_backup(svc: Services, now: datetime | None = None) -> str:
    """The daily job (every few minutes; it acts once per day from BACKUP_TIME): 'off', 'not due',
    'taken' (another process has today's), 'ok' or 'failed'."""
    settings = svc.settings
    if settings.backup_dir is None:
        return "off"
    now = now or utcnow()
    day = service.scheduled_day(now, zone=settings.zone, at=settings.backup_time)
    if day is None:
        return "not due"

    def claim(session) -> int | None:
        return runs.start(session=session, kind="scheduled", now=now, day=day)

    run_id = await in_transaction(svc, claim)
    if run_id is None:
        return "taken"
    try:
        result = await run_in_threadpool(
            backup_now, svc, directory=settings.backup_dir, kind="scheduled", run_id=run_id
        )
    except Exception as exc:
        log.error("scheduled backup failed: %s", exc)
        await notify.notify(svc, failure_alert(svc, now, f"{type(exc).__name__}: {exc}"), now=now)
        return "failed"
    removed = await run_in_threadpool(service.prune, settings.backup_dir, settings.backup_keep)
    log.info("%s; removed %d old archives", result.summary(), len(removed))
    return "ok"


def failure_alert(svc: Services, now: datetime, error: str) -> Alert:
    """The urgent alert of a failed scheduled backup (one per day: the job tries once a day)."""
    settings = svc.settings
    when = now.astimezone(settings.zone).strftime("%Y-%m-%d %H:%M %Z")
    text = (
        f"The scheduled backup of {when} failed:\n\n    {mail.one_line(error)}\n\n"
        f"Backups go to BACKUP_DIR on the server; the next attempt is tomorrow at {settings.backup_time}, or run\n"
        "`python -m accumulator backup` by hand.\n"
    )
    day = now.astimezone(settings.zone).date().isoformat()
    return Alert(
        kind="backup",
        key=f"backup-failed:{day}",
        title="Accumulator: the backup failed",
        body=text,
        summary=f"The backup of {when} failed: {mail.one_line(error)}"[:300],
        link="/backups",
        tag="backup",
    )
