"""The owner's choices: which channels exist (the built-in two and their Apprise URLs), which
kinds go where, quiet hours and the traffic threshold. Functions of a session; no Reflex."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy.dialects import postgresql, sqlite
from sqlmodel import Session, col, delete, select, update

from accumulator import push
from accumulator.inputs import InputError, clean_text
from accumulator.notify.alerts import KINDS
from accumulator.notify.channels import apprise_url
from accumulator.notify.models import (
    NAME_MAX,
    NotifyApprise,
    NotifyAppriseUrl,
    NotifyDelivery,
    NotifyPreferences,
    NotifyRoute,
)
from accumulator.notify.service import NotifyError, parse_clock

EMAIL, PUSH = "email", "push"
APPRISE_MAX = 20  # channels the owner may add
SPIKE_MAX = 10_000_000


def apprise_key(channel_id: int) -> str:
    return f"apprise-{channel_id}"


def apprise_id(key: str) -> int | None:
    number = key.removeprefix("apprise-")
    return int(number) if key.startswith("apprise-") and number.isascii() and number.isdigit() else None


@dataclass(frozen=True)
class Channel:
    key: str
    label: str
    detail: str  # what it is (masked for Apprise)
    off: str  # "" when it can send; else why not


def channels(*, session: Session, mail_configured: bool) -> list[Channel]:
    """Every channel, the built-in ones first."""
    subscribers = push.subscription_count(session)
    found = [
        Channel(EMAIL, "E-mail", "SMTP_HOST to MAIL_TO", "" if mail_configured else "set SMTP_HOST and MAIL_TO"),
        Channel(
            PUSH,
            "Browser push",
            f"{subscribers} browser{'s' if subscribers != 1 else ''}",
            "" if subscribers else "no browser has enabled notifications (on the plants page)",
        ),
    ]
    rows = session.exec(
        select(NotifyApprise, NotifyAppriseUrl.channel_id)
        .join(NotifyAppriseUrl, NotifyAppriseUrl.channel_id == NotifyApprise.id, isouter=True)
        .order_by(col(NotifyApprise.id))
    ).all()
    for row, has_url in rows:
        off = "" if has_url is not None else "its URL was not in the backup: add the channel again"
        found.append(Channel(apprise_key(row.id), row.name, row.masked, off))
    return found


def usable(*, session: Session, mail_configured: bool) -> list[str]:
    return [channel.key for channel in channels(session=session, mail_configured=mail_configured) if not channel.off]


def add_apprise(*, session: Session, name: str, url: str, now: datetime) -> int:
    """A new Apprise channel (NotifyError saying why not). Blocking: the URL is checked by Apprise."""
    try:
        name = clean_text(name, field="The name", max_length=NAME_MAX, single_line=True).strip()
        url = clean_text(url, field="The URL", max_length=apprise_url.URL_MAX, single_line=True).strip()
    except InputError as exc:
        raise NotifyError(str(exc)) from None
    if not name or not url:
        raise NotifyError("Give the channel a name and an Apprise URL.")
    if "://" not in url or any(ch.isspace() for ch in url):
        raise NotifyError("The URL must look like ntfy://ntfy.sh/my-topic (see Apprise's list of services).")
    if len(session.exec(select(NotifyApprise.id)).all()) >= APPRISE_MAX:
        raise NotifyError(f"At most {APPRISE_MAX} channels.")
    if not apprise_url.understood(url):
        raise NotifyError("Apprise does not understand this URL (check its scheme and parts).")
    row = NotifyApprise(name=name, masked=apprise_url.mask(url), created_at=now)
    session.add(row)
    session.flush()
    session.add(NotifyAppriseUrl(channel_id=row.id, url=url))
    session.flush()
    return row.id


def remove_apprise(*, session: Session, channel_id: int) -> bool:
    row = session.get(NotifyApprise, channel_id)
    if row is None:
        return False
    key = apprise_key(channel_id)
    session.exec(delete(NotifyRoute).where(col(NotifyRoute.channel) == key))
    session.exec(
        update(NotifyDelivery)
        .where(col(NotifyDelivery.channel) == key, col(NotifyDelivery.status).in_(["pending", "sending"]))
        .values(status="failed", last_error="the channel was removed")
    )
    session.exec(delete(NotifyAppriseUrl).where(col(NotifyAppriseUrl.channel_id) == channel_id))
    session.delete(row)
    return True


def stored_url(*, session: Session, channel_id: int) -> str | None:
    row = session.get(NotifyAppriseUrl, channel_id)
    return row.url if row else None


def set_route(*, session: Session, kind: str, channel: str, enabled: bool) -> None:
    if kind not in KINDS:
        raise NotifyError("No such kind of alert.")
    number = apprise_id(channel)
    if channel not in (EMAIL, PUSH) and (number is None or session.get(NotifyApprise, number) is None):
        raise NotifyError("No such channel.")
    insert = (postgresql if session.get_bind().dialect.name == "postgresql" else sqlite).insert
    statement = insert(NotifyRoute.__table__).values(kind=kind, channel=channel, enabled=enabled)
    session.execute(statement.on_conflict_do_update(index_elements=["kind", "channel"], set_={"enabled": enabled}))


def routes_off(*, session: Session) -> set[tuple[str, str]]:
    rows = session.exec(select(NotifyRoute).where(col(NotifyRoute.enabled).is_(False))).all()
    return {(row.kind, row.channel) for row in rows}


def preferences(*, session: Session) -> NotifyPreferences:
    found = session.get(NotifyPreferences, 1)
    if found is None:
        return NotifyPreferences()
    session.expunge(found)
    return found


def _saved(session: Session) -> NotifyPreferences:
    found = session.get(NotifyPreferences, 1)
    if found is None:
        found = NotifyPreferences()
        session.add(found)
    return found


def set_quiet_hours(*, session: Session, start: str, end: str) -> None:
    begin, finish = parse_clock(start, field="The start"), parse_clock(end, field="The end")
    if (begin is None) != (finish is None):
        raise NotifyError("Give both the start and the end of quiet hours, or neither.")
    if begin is not None and begin == finish:
        raise NotifyError("Quiet hours must start and end at different times.")
    prefs = _saved(session)
    prefs.quiet_start = begin.strftime("%H:%M") if begin else ""
    prefs.quiet_end = finish.strftime("%H:%M") if finish else ""


def set_spike(*, session: Session, views: int) -> None:
    if not 0 <= views <= SPIKE_MAX:
        raise NotifyError(f"The threshold must be between 0 (off) and {SPIKE_MAX:,}.")
    _saved(session).spike_views = views


FACTOR_RANGE = (1.1, 100.0)
USUAL_DAYS = (7, 14)


def set_spike_usual(*, session: Session, factor: float, floor: int, days: int) -> None:
    """The "N times the usual for this hour" rule: `factor` 0 turns it off."""
    if factor != 0 and not FACTOR_RANGE[0] <= factor <= FACTOR_RANGE[1]:
        raise NotifyError(f"The multiple must be 0 (off) or between {FACTOR_RANGE[0]:g} and {FACTOR_RANGE[1]:g}.")
    if not 0 <= floor <= SPIKE_MAX:
        raise NotifyError(f"The floor must be between 0 and {SPIKE_MAX:,} page views.")
    if days not in USUAL_DAYS:
        raise NotifyError("The usual is the average of the last 7 or 14 days.")
    prefs = _saved(session)
    prefs.spike_factor, prefs.spike_floor, prefs.spike_days = round(factor, 1), floor, days


def set_weekly(*, session: Session, on: bool, weekday: int, at: str) -> None:
    """The weekly digest: on or off, the day (0 Monday … 6 Sunday) and the time (HH:MM, TIMEZONE)."""
    if not 0 <= weekday <= 6:
        raise NotifyError("Choose a day of the week.")
    clock = parse_clock(at, field="The time")
    if clock is None:
        raise NotifyError("Choose the time the digest goes out.")
    prefs = _saved(session)
    prefs.weekly_on, prefs.weekly_weekday, prefs.weekly_time = on, weekday, clock.strftime("%H:%M")
