"""The traffic watch: an alert when the page views of one hour reach the owner's threshold, or a
multiple of the usual for that hour of the day (the same hour's average over the last 7 or 14 days,
zero days included, and never below the owner's floor), read from analytics' hourly rollups
(analytics' ingestion is untouched). Once per hour at most: the alert's key is the hour, whichever
rule raised it."""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

from sqlmodel import Session

from accumulator.analytics import queries, summaries
from accumulator.db import utcnow
from accumulator.notify import actions, config
from accumulator.notify.alerts import Alert
from accumulator.runtime import Services, in_transaction


@dataclass(frozen=True)
class SpikeRule:
    views: int = 0  # absolute threshold; 0: off
    factor: float = 0.0  # multiple of the usual; 0: off
    floor: int = 0  # the multiple's threshold is never below this
    days: int = 7

    @property
    def on(self) -> bool:
        return self.views > 0 or self.factor > 0


def same_hours_before(hour: datetime, *, days: int, zone: ZoneInfo) -> list[datetime]:
    """The same wall-clock hour on each of the `days` days before (UTC), so a change to or from
    summer time compares 9:00 with 9:00."""
    local = hour.astimezone(zone)
    return [(local - timedelta(days=back)).astimezone(UTC) for back in range(1, days + 1)]


def usual_threshold(rule: SpikeRule, usual: float) -> int | None:
    """The views that make a spike by the multiple rule (None: the rule is off)."""
    if rule.factor <= 0:
        return None
    return max(rule.floor, math.ceil(rule.factor * usual - 1e-9), 1)  # rounded up: 3 times 2.5 is 8


def spike_alerts(
    points: list[queries.HourPoint], *, rule: SpikeRule, zone: ZoneInfo, usual: dict[datetime, float] | None = None
) -> list[Alert]:
    """One alert per hour whose views reached the absolute threshold or the multiple of its usual."""
    usual = usual or {}
    found = []
    for point in points:
        local = point.hour.astimezone(zone)
        usual_views = usual.get(point.hour, 0.0)
        by_multiple = usual_threshold(rule, usual_views)
        if rule.views > 0 and point.views >= rule.views:
            why = f"at or above your alert threshold of {rule.views:,}"
        elif by_multiple is not None and point.views >= by_multiple:
            why = (
                f"{rule.factor:g} times or more the usual {usual_views:,.1f} for this hour "
                f"(the average of the last {rule.days} days; threshold {by_multiple:,})"
            )
        else:
            continue
        found.append(
            Alert(
                kind="traffic",
                key=f"traffic:{point.hour:%Y-%m-%dT%H}",
                title=f"Traffic spike: {point.views:,} page views since {local:%H:%M}",
                body=f"Your sites had {point.views:,} page views in the hour from {local:%H:%M} ({local:%A %d %B}), "
                f"{why}. See who is reading on the dashboard.",
                link="/dashboard",
                tag="traffic",
            )
        )
    return found


def _read(
    session: Session, *, now: datetime, zone: ZoneInfo
) -> tuple[SpikeRule, list[queries.HourPoint], dict[datetime, float]]:
    prefs = config.preferences(session=session)
    rule = SpikeRule(prefs.spike_views, prefs.spike_factor, prefs.spike_floor, prefs.spike_days)
    if not rule.on:
        return rule, [], {}
    # The hour running now and the one before (a spike at the end of an hour may land after the
    # last check of that hour).
    since = (now - timedelta(hours=1)).astimezone(UTC).replace(minute=0, second=0, microsecond=0)
    points = queries.hourly_series(session=session, since=since, until=now)
    usual: dict[datetime, float] = {}
    if rule.factor > 0:
        before = {point.hour: same_hours_before(point.hour, days=rule.days, zone=zone) for point in points}
        views = summaries.views_in_hours(session=session, hours=[hour for hours in before.values() for hour in hours])
        usual = {hour: sum(views.get(h, 0) for h in hours) / rule.days for hour, hours in before.items()}
    return rule, points, usual


async def check_traffic(svc: Services, *, now: datetime | None = None) -> int:
    """The job: raise the spike alerts that are due; how many it raised (an hour already alerted
    is the same alert, so it goes out once)."""
    now = now or utcnow()
    rule, points, usual = await in_transaction(svc, _read, now=now, zone=svc.settings.zone)
    alerts = spike_alerts(points, rule=rule, zone=svc.settings.zone, usual=usual)
    for alert in alerts:
        await actions.notify(svc, alert, now=now)
    return len(alerts)
