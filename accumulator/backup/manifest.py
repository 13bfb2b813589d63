"""What backups hand the app: the daily job, a line in `/healthz` and the owner's backups page."""

from functools import partial

from apscheduler.triggers.interval import IntervalTrigger

from accumulator import routes
from accumulator.backup import actions, reads
from accumulator.feature import Feature, NavEntry
from accumulator.jobs import JobSpec
from accumulator.runtime import Services


def jobs(svc: Services) -> list[JobSpec]:
    if svc.settings.backup_dir is None:
        return []
    # Every 5 minutes, not once at BACKUP_TIME: the first run at or after that time takes the day's
    # backup, whichever process leads and however often it restarted (the day is claimed in the database).
    return [JobSpec("backup", partial(actions.scheduled_backup, svc), IntervalTrigger(minutes=5))]


FEATURE = Feature(
    name="backup",
    jobs=jobs,
    health=reads.health,
    pages="accumulator.backup.pages",
    nav=NavEntry("Backups", routes.BACKUPS, "archive", order=95),
)
