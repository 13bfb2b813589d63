"""The record of backup runs: claiming a scheduled day, storing each result, reading the last ones."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, col, delete, select

from accumulator.backup.models import ERROR_MAX, BackupRun

KEEP_RECORDS = 100  # results kept; older ones are of no use to anyone


def start(*, session: Session, kind: str, now: datetime, day: date | None = None) -> int | None:
    """Record a run as started; for a scheduled day, None if another process already claimed it."""
    run = BackupRun(kind=kind, day=day, started_at=now)
    try:
        with session.begin_nested():
            session.add(run)
            session.flush()
    except IntegrityError:
        return None
    return run.id


def finish(
    *, session: Session, run_id: int, now: datetime, size: int | None = None, archive: str = "", error: str = ""
) -> None:
    run = session.get(BackupRun, run_id)
    if run is None:  # the record went (a restore replaced the database meanwhile)
        return
    run.finished_at, run.ok, run.size, run.archive = now, not error, size, archive
    run.error = " ".join(error.split())[:ERROR_MAX]
    session.add(run)
    stale = select(BackupRun.id).order_by(col(BackupRun.id).desc()).offset(KEEP_RECORDS)
    session.exec(delete(BackupRun).where(col(BackupRun.id).in_(stale)))


def recent(*, session: Session, limit: int = 10) -> list[BackupRun]:
    return list(session.exec(select(BackupRun).order_by(col(BackupRun.started_at).desc()).limit(limit)))
