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
    """'45 minutes', '3 hours', '6 days': how long until `until`, rounded down to its largest unit."""
    seconds = int((until - now).total_seconds())
    if seconds < 60:
        return "less than a minute" if seconds > 0 else "no time"
    for size, unit in ((86400, "day"), (3600, "hour"), (60, "minute")):
        if seconds >= size:
            count = seconds // size
            return f"{count} {unit}{'s' if count != 1 else ''}"
    return "less than a minute"
