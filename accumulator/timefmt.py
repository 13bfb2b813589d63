"""Showing stored UTC timestamps to the owner, in the owner's time zone."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo


def local_text(moment: datetime, zone: ZoneInfo) -> str:
    """'2026-11-27 14:05' in the owner's zone."""
    return moment.astimezone(zone).strftime("%Y-%m-%d %H:%M")


def ago_text(moment: datetime, now: datetime) -> str:
    """'just now', '5 minutes ago', '3 days ago'."""
    seconds = int((now - moment).total_seconds())
    if seconds < 60:
        return "just now"
    for size, unit in ((86400, "day"), (3600, "hour"), (60, "minute")):
        if seconds >= size:
            count = seconds // size
            return f"{count} {unit}{'s' if count != 1 else ''} ago"
    return "just now"


def left_text(until: datetime, now: datetime) -> str:
    """'45 minutes', '3 hours', '7 days': how long until `until`, to the nearest of its largest unit.

    Rounded, not cut down, so a lifetime reads as the owner chose it: a week just set is '7 days' (not
    '6 days' a second later) and a day an hour on is '23 hours' (not '22' while seconds tick). A unit is
    used once the count in the unit below would round up to it (23 h 50 min is '1 day')."""
    seconds = (until - now).total_seconds()
    if seconds <= 0:
        return "no time"
    count, unit = _nearest(seconds, 60), "minute"
    if count == 0:
        return "less than a minute"
    if count >= 60:
        count, unit = _nearest(seconds, 3600), "hour"
        if count >= 24:
            count, unit = _nearest(seconds, 86400), "day"
    return f"{count} {unit}{'s' if count != 1 else ''}"


def _nearest(seconds: float, size: int) -> int:
    # Halves go up (Python's round() would send 2.5 days to 2).
    return int(seconds / size + 0.5)
