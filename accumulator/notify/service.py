"""The rules of delivery: routing, quiet hours, the claim that sends an alert at most once per
channel, retries with backoff. Functions of (session, now, …); no Reflex, no global settings."""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, time, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import and_, or_
from sqlalchemy.dialects import postgresql, sqlite
from sqlmodel import Session, col, select, update

from accumulator.notify.alerts import Alert
from accumulator.notify.channels.base import Outgoing
from accumulator.notify.models import ERROR_MAX, NotifyAlert, NotifyAttempt, NotifyDelivery, NotifyRoute

# After the 1st, 2nd… failed try of a delivery, wait this long; after MAX_ATTEMPTS tries, give up.
BACKOFF = (timedelta(minutes=1), timedelta(minutes=5), timedelta(minutes=15), timedelta(hours=1), timedelta(hours=4))
MAX_ATTEMPTS = 6
# A claimed delivery is the claimer's for this long; a process that died meanwhile leaves it to the
# next run (it may then go out twice: the one case where "at most once" yields to "at least once").
LEASE = timedelta(minutes=2)
CLAIM_BATCH = 50


class NotifyError(ValueError):
    """A refused input; the message says why and is safe to show."""


def retry_delay(attempts: int) -> timedelta:
    return BACKOFF[min(max(attempts, 1), len(BACKOFF)) - 1]


def parse_clock(value: str, *, field: str) -> time | None:
    """'HH:MM' (24 h) or '' for none."""
    value = (value or "").strip()
    if not value:
        return None
    hours, sep, minutes = value.partition(":")
    digits = hours.isascii() and hours.isdigit() and minutes.isascii() and minutes.isdigit()
    if sep and len(minutes) == 2 and len(hours) <= 2 and digits and int(hours) < 24 and int(minutes) < 60:
        return time(int(hours), int(minutes))
    raise NotifyError(f"{field} must be a time like 22:00.")


def quiet_until(*, now: datetime, zone: ZoneInfo, start: str, end: str) -> datetime | None:
    """The end of the quiet window `now` falls in (UTC), or None outside it. The window is local
    wall-clock time in `zone` and may span midnight (22:00 to 07:00)."""
    begin, finish = parse_clock(start, field="Start"), parse_clock(end, field="End")
    if begin is None or finish is None or begin == finish:
        return None
    local = now.astimezone(zone)
    clock = local.time().replace(tzinfo=None)
    if begin < finish:
        inside, end_day = begin <= clock < finish, local.date()
    else:
        inside = clock >= begin or clock < finish
        end_day = local.date() + timedelta(days=1) if clock >= begin else local.date()
    if not inside:
        return None
    return datetime.combine(end_day, finish, tzinfo=zone).astimezone(UTC)


def routed(*, session: Session, kind: str, channels: Sequence[str]) -> list[str]:
    """The channels among `channels` that take alerts of `kind` (a pair without a route row does)."""
    off = set(
        session.exec(
            select(NotifyRoute.channel).where(NotifyRoute.kind == kind, col(NotifyRoute.enabled).is_(False))
        ).all()
    )
    return [channel for channel in channels if channel not in off]


def _insert(session: Session):
    return (postgresql if session.get_bind().dialect.name == "postgresql" else sqlite).insert


@dataclass(frozen=True)
class Raised:
    alert_id: int
    channels: list[str]  # the channels the alert is (now or already) due on
    held_until: datetime | None  # quiet hours: when the non-urgent alert goes out


def raise_alert(
    *, session: Session, alert: Alert, channels: Sequence[str], now: datetime, quiet_end: datetime | None
) -> Raised:
    """Store the alert (once per key) and a delivery on each routed channel (once per pair, whoever
    races): due now, or at the end of quiet hours for a kind that is not urgent."""
    insert = _insert(session)
    values = {
        "key": alert.key,
        "kind": alert.kind,
        "title": alert.title[:200],
        "body": alert.body,
        "summary": alert.short[:300],
        "html": alert.html,
        "tag": alert.tag[:40],
        "link": alert.link[:500],
        "actions": json.dumps([action.__dict__ for action in alert.actions]),
        "urgent": alert.is_urgent,
        "created_at": now,
    }
    session.execute(insert(NotifyAlert.__table__).values(**values).on_conflict_do_nothing(index_elements=["key"]))
    alert_id = session.exec(select(NotifyAlert.id).where(NotifyAlert.key == alert.key)).one()
    held = None if alert.is_urgent else quiet_end
    targets = routed(session=session, kind=alert.kind, channels=channels)
    for channel in targets:
        statement = insert(NotifyDelivery.__table__).values(
            alert_id=alert_id, channel=channel, status="pending", attempts=0, next_at=held or now, last_error=""
        )
        session.execute(statement.on_conflict_do_nothing(index_elements=["alert_id", "channel"]))
    return Raised(alert_id=alert_id, channels=targets, held_until=held)


@dataclass(frozen=True)
class Claim:
    delivery_id: int
    channel: str
    attempts: int  # this try included
    message: Outgoing
    alert_key: str


def outgoing(row: NotifyAlert, base_url: str) -> Outgoing:
    path = row.link if row.link.startswith("/") else ""
    return Outgoing(
        kind=row.kind,
        title=row.title,
        body=row.body,
        summary=row.summary,
        html=row.html,
        link=(base_url + row.link) if path else row.link,
        path=path,
        tag=row.tag,
        actions=tuple(json.loads(row.actions or "[]")),
    )


def _due(now: datetime):
    return or_(
        and_(col(NotifyDelivery.status) == "pending", col(NotifyDelivery.next_at) <= now),
        and_(col(NotifyDelivery.status) == "sending", col(NotifyDelivery.lease_until) < now),
    )


def claim_due(
    *, session: Session, now: datetime, base_url: str, alert_id: int | None = None, kinds: Sequence[str] | None = None
) -> list[Claim]:
    """Take the deliveries due now (of one alert, or of some kinds), each by a conditional update: of
    several processes only the one whose update changed the row sends it."""
    query = select(NotifyDelivery, NotifyAlert).join(NotifyAlert, NotifyAlert.id == NotifyDelivery.alert_id)
    query = query.where(_due(now))
    if alert_id is not None:
        query = query.where(NotifyDelivery.alert_id == alert_id)
    if kinds is not None:
        query = query.where(col(NotifyAlert.kind).in_(list(kinds)))
    found = session.exec(query.order_by(col(NotifyDelivery.id)).limit(CLAIM_BATCH)).all()
    claims = []
    for delivery, alert in found:
        # Read before the update: an ORM update also refreshes the loaded object.
        delivery_id, channel, tries = delivery.id, delivery.channel, delivery.attempts + 1
        taken = session.exec(
            update(NotifyDelivery)
            .where(col(NotifyDelivery.id) == delivery_id, _due(now))
            .values(status="sending", lease_until=now + LEASE, attempts=NotifyDelivery.attempts + 1)
        )
        if taken.rowcount == 1:
            claims.append(Claim(delivery_id, channel, tries, outgoing(alert, base_url), alert.key))
    return claims


def record(*, session: Session, claim: Claim, outcome: str, error: str, now: datetime, duration_ms: int) -> str:
    """Log the try and settle the delivery: 'sent', 'failed' (permanently, or out of tries) or
    'retrying' (due again after the backoff)."""
    error = error[:ERROR_MAX]
    session.add(
        NotifyAttempt(
            delivery_id=claim.delivery_id,
            channel=claim.channel,
            kind=claim.message.kind,
            at=now,
            duration_ms=duration_ms,
            outcome=outcome,
            error=error,
        )
    )
    if outcome == "ok":
        status, values = "sent", {"sent_at": now, "last_error": ""}
    elif outcome == "permanent" or claim.attempts >= MAX_ATTEMPTS:
        why = error if outcome == "permanent" else f"gave up after {claim.attempts} tries: {error}"
        status, values = "failed", {"last_error": why[:ERROR_MAX]}
    else:
        status, values = "pending", {"next_at": now + retry_delay(claim.attempts), "last_error": error}
    session.exec(
        update(NotifyDelivery)
        .where(col(NotifyDelivery.id) == claim.delivery_id, col(NotifyDelivery.status) == "sending")
        .values(status=status, lease_until=None, **values)
    )
    session.flush()
    return "retrying" if status == "pending" else status
