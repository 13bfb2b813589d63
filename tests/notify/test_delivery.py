"""Delivery rules: a transient failure is retried by the job after a growing backoff (clock passed
in), each try logged; routing sends a kind only where the owner wants it; quiet hours hold what is
not urgent until they end; and two workers racing send an alert once per channel."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

from sqlalchemy.engine import Engine

from accumulator.db import session_scope
from accumulator.notify import actions, config, service
from tests.notify.helpers import NOW, add_apprise, alert, attempts, deliveries, services
from tests.notify.servers import Receiver

PARIS = ZoneInfo("Europe/Paris")


async def test_it_retries_a_transient_failure_with_backoff_until_it_goes_through(
    engine: Engine, tmp_path: Path, webhook: Receiver
) -> None:
    svc = services(tmp_path, engine)
    hook = add_apprise(engine, "Hook", f"json://127.0.0.1:{webhook.port}/busy")
    webhook.answer("/busy", 503)

    first = await actions.notify(svc, alert(), now=NOW)
    assert first[hook].status == "retrying"
    (row,) = deliveries(engine)
    assert row.status == "pending" and row.next_at == NOW + timedelta(minutes=1) and row.attempts == 1

    assert await actions.dispatch(svc, now=NOW + timedelta(seconds=59)) == 0  # not yet due
    assert await actions.dispatch(svc, now=NOW + timedelta(minutes=1)) == 1  # the 2nd try fails too
    (row,) = deliveries(engine)
    assert row.next_at == NOW + timedelta(minutes=1) + timedelta(minutes=5)  # and the wait grows

    webhook.answer("/busy", 200)
    assert await actions.dispatch(svc, now=NOW + timedelta(minutes=6)) == 1
    (row,) = deliveries(engine)
    assert row.status == "sent" and row.attempts == 3
    assert len(webhook.to("/busy")) == 1
    assert [a.outcome for a in attempts(engine, hook)] == ["transient", "transient", "ok"]
    assert await actions.dispatch(svc, now=NOW + timedelta(hours=9)) == 0  # sent is sent


async def test_it_gives_up_after_the_last_try(engine: Engine, tmp_path: Path, webhook: Receiver) -> None:
    svc = services(tmp_path, engine)
    add_apprise(engine, "Hook", f"json://127.0.0.1:{webhook.port}/down")
    webhook.answer("/down", 502)
    await actions.notify(svc, alert(), now=NOW)
    when = NOW
    for _ in range(service.MAX_ATTEMPTS - 1):
        when += timedelta(hours=5)
        await actions.dispatch(svc, now=when)
    (row,) = deliveries(engine)
    assert row.status == "failed" and row.last_error.startswith(f"gave up after {service.MAX_ATTEMPTS} tries")


async def test_routing_sends_a_kind_only_to_the_channels_chosen(
    engine: Engine, tmp_path: Path, ntfy: Receiver, webhook: Receiver
) -> None:
    svc = services(tmp_path, engine)
    phone = add_apprise(engine, "Phone", f"ntfy://127.0.0.1:{ntfy.port}/phone")
    hook = add_apprise(engine, "Hook", f"json://127.0.0.1:{webhook.port}/hook")
    await actions.set_route(svc, kind="traffic", channel=phone, enabled=False)

    traffic = await actions.notify(svc, alert("spike", kind="traffic", title="Traffic spike"), now=NOW)
    comments = await actions.notify(svc, alert("comments"), now=NOW)

    assert set(traffic) == {hook} and set(comments) == {phone, hook}
    assert [m["title"] for m in ntfy.to("phone")] == ["2 new comments"]
    assert [m["title"] for m in webhook.to("/hook")] == ["Traffic spike", "2 new comments"]
    await actions.set_route(svc, kind="traffic", channel=phone, enabled=True)
    again = await actions.notify(svc, alert("spike-2", kind="traffic", title="Traffic spike"), now=NOW)
    assert set(again) == {phone, hook}


def test_quiet_hours_are_the_owners_wall_clock_and_may_span_midnight() -> None:
    def until(hour: int, minute: int = 0, day: int = 2) -> datetime | None:
        now = datetime(2026, 12, day, hour, minute, tzinfo=PARIS)
        return service.quiet_until(now=now, zone=PARIS, start="22:00", end="07:30")

    assert until(21, 59) is None and until(7, 30) is None and until(12) is None
    assert until(22) == datetime(2026, 12, 3, 7, 30, tzinfo=PARIS).astimezone(UTC)
    assert until(3) == datetime(2026, 12, 2, 7, 30, tzinfo=PARIS).astimezone(UTC)
    daytime = service.quiet_until(now=datetime(2026, 12, 2, 13, tzinfo=PARIS), zone=PARIS, start="12:00", end="14:00")
    assert daytime == datetime(2026, 12, 2, 14, tzinfo=PARIS).astimezone(UTC)
    # Across the spring change (29 March 2026, 02:00 → 03:00 in Paris) the end is still 07:30 local.
    spring = service.quiet_until(now=datetime(2026, 3, 28, 23, tzinfo=PARIS), zone=PARIS, start="22:00", end="07:30")
    assert spring == datetime(2026, 3, 29, 5, 30, tzinfo=UTC)


async def test_during_quiet_hours_only_urgent_kinds_go_out_the_rest_wait_for_the_end(
    engine: Engine, tmp_path: Path, webhook: Receiver
) -> None:
    svc = services(tmp_path, engine)
    add_apprise(engine, "Hook", f"json://127.0.0.1:{webhook.port}/hook")
    await actions.set_quiet_hours(svc, start="22:00", end="07:00")
    night = datetime(2026, 12, 2, 23, 30, tzinfo=PARIS)
    morning = datetime(2026, 12, 3, 7, 0, tzinfo=PARIS)

    held = await actions.notify(svc, alert("comments"), now=night)
    urgent = await actions.notify(svc, alert("backup", kind="backup", title="The backup failed"), now=night)

    (outcome,) = held.values()
    assert outcome.status == "held" and outcome.until == morning.astimezone(UTC)
    assert [m["title"] for m in webhook.to("/hook")] == ["The backup failed"]
    assert {o.status for o in urgent.values()} == {"sent"}
    assert await actions.dispatch(svc, now=morning - timedelta(minutes=1)) == 0
    assert await actions.dispatch(svc, now=morning) == 1
    assert [m["title"] for m in webhook.to("/hook")] == ["The backup failed", "2 new comments"]


async def test_two_workers_racing_send_an_alert_once_per_channel(
    engine: Engine, tmp_path: Path, smtp, ntfy: Receiver, webhook: Receiver
) -> None:
    inbox, port = smtp
    add_apprise(engine, "Phone", f"ntfy://127.0.0.1:{ntfy.port}/phone")
    add_apprise(engine, "Hook", f"json://127.0.0.1:{webhook.port}/hook")
    workers = [services(tmp_path / str(n), engine, port) for n in range(2)]  # two processes' services
    for n in range(5):
        same = alert(f"race-{n}")
        await asyncio.gather(*(actions.notify(svc, same, now=NOW) for svc in workers))
        await asyncio.gather(*(actions.dispatch(svc, now=NOW + timedelta(hours=1)) for svc in workers))
    assert len(inbox.envelopes) == 5 and len(ntfy.to("phone")) == 5 and len(webhook.to("/hook")) == 5
    assert len(attempts(engine)) == 15


async def test_a_removed_channel_gets_nothing_more(engine: Engine, tmp_path: Path, webhook: Receiver) -> None:
    svc = services(tmp_path, engine)
    hook = add_apprise(engine, "Hook", f"json://127.0.0.1:{webhook.port}/hook")
    webhook.answer("/hook", 503)
    await actions.notify(svc, alert(), now=NOW)
    assert await actions.remove_channel(svc, channel_id=config.apprise_id(hook) or 0)
    webhook.answer("/hook", 200)
    assert await actions.dispatch(svc, now=NOW + timedelta(hours=1)) == 0
    with session_scope(engine) as session:
        assert config.channels(session=session, mail_configured=False)[-1].key == "push"
