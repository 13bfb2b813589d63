"""The app's alerts go through the layer: a traffic spike (from analytics' hourly rollups, once
per hour), Spotify needing to be reconnected (once, whichever process noticed), the plant digest
and the comment digest on an Apprise channel too."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from pathlib import Path

from sqlalchemy.engine import Engine
from sqlmodel import Session

from accumulator.analytics.models import HourlySiteStat
from accumulator.comments.actions import send_digest
from accumulator.db import session_scope
from accumulator.notify import actions, traffic
from accumulator.plants import service as plants
from accumulator.plants.reminders import send_reminders
from accumulator.runtime import build_services
from accumulator.settings import Settings
from accumulator.spotify.sync import SpotifySync
from tests.comments.helpers import send_contact
from tests.notify.helpers import NOW, add_apprise, services
from tests.notify.servers import Receiver
from tests.spotify.conftest import connect_directly
from tests.spotify.fake_spotify import FakeSpotify


def views(engine: Engine, hour: datetime, count: int, site: str = "blog") -> None:
    with session_scope(engine) as session:
        session.add(HourlySiteStat(hour=hour.astimezone(UTC).replace(tzinfo=None), site=site, views=count))


async def test_a_traffic_spike_is_told_once_per_hour(engine: Engine, tmp_path: Path, webhook: Receiver) -> None:
    svc = services(tmp_path, engine)
    add_apprise(engine, "Hook", f"json://127.0.0.1:{webhook.port}/hook")
    hour = NOW.replace(minute=0)
    views(engine, hour, 300)
    views(engine, hour, 250, site="www")  # every site counts
    views(engine, hour - timedelta(hours=3), 5000)  # long past: not "the last hour"

    assert await traffic.check_traffic(svc, now=NOW + timedelta(minutes=20)) == 0  # no threshold: off
    await actions.set_spike(svc, views=500)
    assert await traffic.check_traffic(svc, now=NOW + timedelta(minutes=20)) == 1
    assert await traffic.check_traffic(svc, now=NOW + timedelta(minutes=25)) == 1  # the same hour's alert again…
    (message,) = webhook.to("/hook")  # …is the same alert: sent once
    assert message["title"] == "Traffic spike: 550 page views since 10:00"
    assert "https://acc.example.com/dashboard" in message["message"]


async def test_spotify_needing_a_reconnect_is_told_once(
    sync: SpotifySync, fake: FakeSpotify, session: Session, spotify_settings: Settings, webhook: Receiver
) -> None:
    svc = build_services(spotify_settings, sync.engine)
    add_apprise(sync.engine, "Hook", f"json://127.0.0.1:{webhook.port}/hook")
    connect_directly(session, fake)
    fake.play(name="Kept")
    await sync.poll_now_playing()
    fake.revoke_refresh_tokens()
    fake.expire_access_tokens()
    await sync.poll_now_playing()
    await sync.poll_now_playing()  # still revoked: no second alert
    assert await actions.dispatch(svc) == 1
    (message,) = webhook.to("/hook")
    assert message["title"] == "Spotify needs reconnecting" and "/spotify" in message["message"]


async def test_the_plant_digest_and_the_comment_digest_reach_an_apprise_channel(
    engine: Engine, tmp_path: Path, ntfy: Receiver
) -> None:
    svc = services(tmp_path, engine, REMINDER_TIME="09:00", COMMENTS_MIN_SECONDS="0")
    phone = add_apprise(engine, "Phone", f"ntfy://127.0.0.1:{ntfy.port}/phone")
    today = date(2026, 12, 2)
    with session_scope(engine) as db:
        plant = plants.create_plant(session=db, data=plants.parse_input({"name": "Fern", "interval_days": 3}), now=NOW)
        plants.mark_watered(session=db, plant_id=plant.id, on=today - timedelta(days=5), today=today)

    report = await send_reminders(engine=engine, settings=svc.settings, now=NOW)
    again = await send_reminders(engine=engine, settings=svc.settings, now=NOW + timedelta(minutes=5))
    assert report.sent == {phone: 1} and again.sent == {}
    await send_contact(svc, message="Hello there", ip="1")
    assert await send_digest(svc, now=NOW) == 1
    first, second = ntfy.to("phone")
    assert first["title"] == "1 plant needs water today" and "Fern" in first["message"]
    assert second["title"] == "1 contact message" and "Hello there" in second["message"]
