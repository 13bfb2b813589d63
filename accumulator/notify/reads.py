"""What the notifications page shows: each channel with its state and last error, the routing
table, quiet hours and the traffic threshold, and the last attempts. One transaction, off the loop."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import TypedDict

from sqlmodel import Session, col, func, select

from accumulator.db import utcnow
from accumulator.notify import config
from accumulator.notify.alerts import KINDS
from accumulator.notify.models import NotifyAttempt
from accumulator.runtime import Services, in_transaction
from accumulator.timefmt import ago_text, local_text

RECENT = 20


class ChannelRow(TypedDict):
    key: str
    label: str
    detail: str
    channel_id: int  # an Apprise channel's id (the owner may remove it); 0 for the built-in ones
    state: str  # "ok" | "failing" | "off" | "unused"
    off: str  # why it cannot send
    last_ok: str
    last_error: str
    last_error_when: str


class RouteCell(TypedDict):
    channel: str
    label: str
    enabled: bool


class RouteRow(TypedDict):
    kind: str
    label: str
    urgent: bool
    cells: list[RouteCell]


class AttemptRow(TypedDict):
    when: str
    channel: str
    kind: str
    outcome: str
    error: str
    took: str


@dataclass(frozen=True)
class Overview:
    channels: list[ChannelRow]
    routes: list[RouteRow]
    quiet_start: str
    quiet_end: str
    spike_views: int
    spike_factor: float
    spike_floor: int
    spike_days: int
    weekly_on: bool
    weekly_weekday: int
    weekly_time: str
    recent: list[AttemptRow]


def _last(session: Session, channel: str, ok: bool) -> NotifyAttempt | None:
    query = select(NotifyAttempt).where(NotifyAttempt.channel == channel)
    query = query.where(NotifyAttempt.outcome == "ok") if ok else query.where(NotifyAttempt.outcome != "ok")
    return session.exec(query.order_by(col(NotifyAttempt.at).desc(), col(NotifyAttempt.id).desc()).limit(1)).first()


def overview_of(*, session: Session, mail_configured: bool, now: datetime, zone) -> Overview:
    found = config.channels(session=session, mail_configured=mail_configured)
    rows: list[ChannelRow] = []
    for channel in found:
        ok, bad = _last(session, channel.key, True), _last(session, channel.key, False)
        failing = bad is not None and (ok is None or (bad.at, bad.id or 0) > (ok.at, ok.id or 0))
        state = "off" if channel.off else "failing" if failing else "ok" if ok else "unused"
        rows.append(
            ChannelRow(
                key=channel.key,
                label=channel.label,
                detail=channel.detail,
                channel_id=config.apprise_id(channel.key) or 0,
                state=state,
                off=channel.off,
                last_ok=ago_text(ok.at, now) if ok else "",
                last_error=bad.error if bad else "",
                last_error_when=ago_text(bad.at, now) if bad else "",
            )
        )
    off = config.routes_off(session=session)
    routes = [
        RouteRow(
            kind=kind,
            label=info.label,
            urgent=info.urgent,
            cells=[RouteCell(channel=c.key, label=c.label, enabled=(kind, c.key) not in off) for c in found],
        )
        for kind, info in KINDS.items()
        if kind != "test"
    ]
    labels = {channel.key: channel.label for channel in found}
    recent = session.exec(select(NotifyAttempt).order_by(col(NotifyAttempt.id).desc()).limit(RECENT)).all()
    prefs = config.preferences(session=session)
    return Overview(
        channels=rows,
        routes=routes,
        quiet_start=prefs.quiet_start,
        quiet_end=prefs.quiet_end,
        spike_views=prefs.spike_views,
        spike_factor=prefs.spike_factor,
        spike_floor=prefs.spike_floor,
        spike_days=prefs.spike_days,
        weekly_on=prefs.weekly_on,
        weekly_weekday=prefs.weekly_weekday,
        weekly_time=prefs.weekly_time,
        recent=[
            AttemptRow(
                when=local_text(attempt.at, zone),
                channel=labels.get(attempt.channel, attempt.channel),
                kind=KINDS[attempt.kind].label if attempt.kind in KINDS else attempt.kind,
                outcome=attempt.outcome,
                error=attempt.error,
                took=f"{attempt.duration_ms} ms",
            )
            for attempt in recent
        ],
    )


async def overview(svc: Services, *, now: datetime | None = None) -> Overview:
    return await in_transaction(
        svc,
        overview_of,
        mail_configured=svc.settings.mail_configured,
        now=now or utcnow(),
        zone=svc.settings.zone,
    )


async def attempt_count(svc: Services) -> int:
    return await in_transaction(svc, lambda session: int(session.exec(select(func.count(NotifyAttempt.id))).one()))
