"""The weekly digest (off by default): at the owner's weekday and time in TIMEZONE, the seven days
before that day, sent as an alert of kind "weekly" through the layer (routing, quiet hours and
the at-most-once claim per channel apply). The alert's key names the ISO week of the sending day,
so it goes out once a week whatever the number of processes or job runs.

Each section is read by the feature it belongs to (analytics/summaries.py, comments/week.py,
notes/week.py, plants/week.py, spotify/week.py); this module only gathers and schedules."""

from __future__ import annotations

import uuid
from dataclasses import replace
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from sqlmodel import Session, select

from accumulator.analytics import summaries
from accumulator.comments import week as comments_week
from accumulator.db import utcnow
from accumulator.notes import week as notes_week
from accumulator.notify import actions, config, weekly_mail
from accumulator.notify.alerts import Alert
from accumulator.notify.models import NotifyAlert, NotifyPreferences
from accumulator.notify.service import parse_clock
from accumulator.plants import week as plants_week
from accumulator.runtime import Services, in_transaction
from accumulator.spotify import week as spotify_week


def due_day(*, now: datetime, zone: ZoneInfo, prefs: NotifyPreferences) -> date | None:
    """The local day the digest is due on, if it is due at `now`: on, the chosen weekday, at or
    after the chosen time (a job that missed the minute still sends later that day)."""
    if not prefs.weekly_on:
        return None
    local = now.astimezone(zone)
    at = parse_clock(prefs.weekly_time, field="The time") or time(8, 0)
    if local.weekday() != prefs.weekly_weekday or local.time().replace(tzinfo=None) < at:
        return None
    return local.date()


def week_key(day: date) -> str:
    year, week, _ = day.isocalendar()
    return f"weekly:{year}-W{week:02d}"


def gather(*, session: Session, day: date, zone: ZoneInfo) -> weekly_mail.Digest:
    """The seven local days before `day`, from each feature's own read."""
    last = day - timedelta(days=1)
    first = last - timedelta(days=6)
    start = datetime.combine(first, time(), zone)
    end = datetime.combine(day, time(), zone)
    return weekly_mail.Digest(
        first=first,
        last=last,
        traffic=summaries.week_traffic(session=session, since=first, until=last, before=first - timedelta(days=7)),
        comments=comments_week.received_between(session=session, start=start, end=end),
        notes=notes_week.written_between(session=session, start=start, end=end),
        plants=plants_week.week_of(session=session, first=first, last=last, today=day),
        tracks=spotify_week.top_tracks(session=session, first=first, last=last, zone=zone),
    )


def digest_alert(digest: weekly_mail.Digest, *, key: str, base_url: str) -> Alert:
    link = f"{base_url}/dashboard"
    return Alert(
        kind="weekly",
        key=key,
        title=weekly_mail.subject(digest),
        body=weekly_mail.text(digest, link=link),
        summary=f"{digest.traffic.views:,} page views, {digest.comments.received:,} comments, {digest.notes:,} notes",
        html=weekly_mail.html_part(digest, link=link),
        link="/dashboard",
        tag="weekly",
    )


def _prepare(session: Session, *, now: datetime, zone: ZoneInfo, base_url: str) -> Alert | None:
    day = due_day(now=now, zone=zone, prefs=config.preferences(session=session))
    if day is None:
        return None
    key = week_key(day)
    if session.exec(select(NotifyAlert.id).where(NotifyAlert.key == key)).first() is not None:
        return None  # this week's digest exists already (sent, or held by quiet hours)
    return digest_alert(gather(session=session, day=day, zone=zone), key=key, base_url=base_url)


async def send_weekly(svc: Services, *, now: datetime | None = None) -> bool:
    """The job (every few minutes): raise and send this week's digest when it is due. True when
    this run raised it (two runs racing both may prepare it; the key makes it one alert)."""
    now = now or utcnow()
    settings = svc.settings
    alert = await in_transaction(svc, _prepare, now=now, zone=settings.zone, base_url=settings.base_url)
    if alert is None:
        return False
    await actions.notify(svc, alert, now=now)
    return True


async def send_preview(svc: Services, *, now: datetime | None = None) -> dict[str, actions.Outcome]:
    """ "Send me this week's digest now": the seven days before today, at once on every channel the
    weekly kind goes to (a key of its own, so the real one still goes out on its day)."""
    now = now or utcnow()
    zone = svc.settings.zone
    digest = await in_transaction(svc, gather, day=now.astimezone(zone).date(), zone=zone)
    alert = digest_alert(digest, key=f"weekly-preview:{uuid.uuid4().hex}", base_url=svc.settings.base_url)
    return await actions.deliver(svc.engine, svc.settings, replace(alert, urgent=True), now=now)
