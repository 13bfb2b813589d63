"""What the backups page and `/healthz` show of the last backups."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import TypedDict

from accumulator.backup import runs, service
from accumulator.backup.models import BackupRun
from accumulator.db import utcnow
from accumulator.runtime import Services, in_transaction
from accumulator.timefmt import ago_text, local_text

# A run still unfinished after this long died with its process.
ABANDONED = timedelta(hours=6)


def outcome(run: BackupRun, now: datetime) -> str:
    """'ok', 'error' or 'running'."""
    if run.finished_at is None:
        return "running" if now - run.started_at < ABANDONED else "error"
    return "ok" if run.ok else "error"


class RunRow(TypedDict):
    id: int
    kind: str
    started: str
    started_ago: str
    outcome: str
    size: str
    archive: str
    error: str


@dataclass(frozen=True)
class Overview:
    schedule: str  # "Daily at 03:00 (Europe/Paris), keeping 14, in /srv/backups" or "Off: …"
    next_run: str
    runs: list[RunRow]


def _size(size: int | None) -> str:
    return "" if size is None else f"{size / 1e6:,.1f} MB"


async def overview(svc: Services) -> Overview:
    settings, now = svc.settings, utcnow()
    found = await in_transaction(svc, lambda session: runs.recent(session=session, limit=10))
    rows = [
        RunRow(
            id=run.id or 0,
            kind=run.kind,
            started=local_text(run.started_at, settings.zone),
            started_ago=ago_text(run.started_at, now),
            outcome=outcome(run, now),
            size=_size(run.size),
            archive=run.archive,
            error=run.error or ("did not finish" if outcome(run, now) == "error" and not run.finished_at else ""),
        )
        for run in found
    ]
    if settings.backup_dir is None:
        return Overview(schedule="Off: set BACKUP_DIR to take a backup every day.", next_run="", runs=rows)
    schedule = (
        f"Daily at {settings.backup_time} ({settings.timezone}), keeping the last {settings.backup_keep}, "
        f"in {settings.backup_dir}"
    )
    upcoming = service.next_run(now, zone=settings.zone, at=settings.backup_time)
    return Overview(schedule=schedule, next_run=local_text(upcoming, settings.zone), runs=rows)


async def health(svc: Services) -> dict[str, object]:
    """For anyone: whether backups are scheduled, when the last one ran and whether it worked."""
    now = utcnow()
    found = await in_transaction(svc, lambda session: runs.recent(session=session, limit=1))
    last = found[0] if found else None
    return {
        "scheduled": svc.settings.backup_dir is not None,
        "last": last.started_at.isoformat() if last else None,
        "status": outcome(last, now) if last else "never",
    }
