"""The traffic watch: an alert when the page views of one hour reach the owner's threshold, read
from analytics' hourly rollups (analytics' ingestion is untouched). Once per hour at most: the
alert's key is the hour."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

from sqlmodel import Session

from accumulator.analytics import queries
from accumulator.db import utcnow
from accumulator.notify import actions, config
from accumulator.notify.alerts import Alert
from accumulator.runtime import Services, in_transaction


def spike_alerts(points: list[queries.HourPoint], *, threshold: int, zone: ZoneInfo) -> list[Alert]:
    """One alert per hour whose views reached `threshold` (0: the watch is off)."""
    if threshold <= 0:
        return []
    found = []
    for point in points:
        if point.views < threshold:
            continue
        local = point.hour.astimezone(zone)
        found.append(
            Alert(
                kind="traffic",
                key=f"traffic:{point.hour:%Y-%m-%dT%H}",
                title=f"Traffic spike: {point.views:,} page views since {local:%H:%M}",
                body=f"Your sites had {point.views:,} page views in the hour from {local:%H:%M} ({local:%A %d %B}), "
                f"at or above your alert threshold of {threshold:,}. See who is reading on the dashboard.",
                link="/dashboard",
                tag="traffic",
            )
        )
    return found


def _read(session: Session, *, now: datetime) -> tuple[int, list[queries.HourPoint]]:
    threshold = config.preferences(session=session).spike_views
    if threshold <= 0:
        return 0, []
    # The hour running now and the one before (a spike at the end of an hour may land after the
    # last check of that hour).
    since = (now - timedelta(hours=1)).astimezone(UTC).replace(minute=0, second=0, microsecond=0)
    return threshold, queries.hourly_series(session=session, since=since, until=now)


async def check_traffic(svc: Services, *, now: datetime | None = None) -> int:
    """The job: raise the spike alerts that are due; how many it raised (an hour already alerted
    is the same alert, so it goes out once)."""
    now = now or utcnow()
    threshold, points = await in_transaction(svc, _read, now=now)
    alerts = spike_alerts(points, threshold=threshold, zone=svc.settings.zone)
    for alert in alerts:
        await actions.notify(svc, alert, now=now)
    return len(alerts)
