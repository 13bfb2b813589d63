"""Acting from a notification: a plant digest's "Watered" / "Snooze a day" carry a signed,
single-use, short-lived token. The service worker posts it (JSON); an e-mail links to a page that
acts only after one confirming click. A token acts once (even two taps racing), and an expired or
forged one is refused, never a 500."""

from __future__ import annotations

import asyncio
import base64
import email
import email.policy
import json
from datetime import date, timedelta
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import pytest
from sqlalchemy.engine import Engine
from sqlmodel import Session
from starlette.testclient import TestClient

from accumulator.db import utcnow
from accumulator.notify import tokens
from accumulator.plants import quick, service
from accumulator.plants.due import DuePlant
from accumulator.plants.models import Plant
from accumulator.plants.reminders import send_reminders
from accumulator.runtime import Services
from tests.notify.helpers import NOW
from tests.notify.helpers import services as make_services


def a_plant(session: Session, name: str = "Fern") -> int:
    plant = service.create_plant(
        session=session, data=service.parse_input({"name": name, "interval_days": 3}), now=utcnow()
    )
    session.commit()
    return plant.id


def buttons(services: Services, *ids: int) -> dict[str, str]:
    due = [DuePlant(id=i, name="x", location="", due_on=date.today(), overdue_days=0, check_soil=False) for i in ids]
    return {a.action: a.token for a in quick.for_digest(due, settings=services.settings, now=utcnow())}


def watered_on(session: Session, plant_id: int) -> date | None:
    session.expire_all()
    return session.get(Plant, plant_id).last_watered_on


def test_the_service_workers_token_acts_once(client: TestClient, services: Services, session: Session) -> None:
    fern, ivy = a_plant(session), a_plant(session, "Ivy")
    token = buttons(services, fern, ivy)["water"]
    first = client.post(quick.ACT_PATH, json={"token": token})
    assert first.status_code == 200 and first.json() == {"done": "marked watered", "plants": ["Fern", "Ivy"]}
    assert watered_on(session, fern) == service.local_today(utcnow(), services.settings.zone)
    again = client.post(quick.ACT_PATH, json={"token": token})
    assert again.status_code == 400 and "already" in again.json()["error"]


def test_snooze_puts_the_plant_off_a_day(client: TestClient, services: Services, session: Session) -> None:
    fern = a_plant(session)
    assert client.post(quick.ACT_PATH, json={"token": buttons(services, fern)["snooze"]}).status_code == 200
    session.expire_all()
    today = service.local_today(utcnow(), services.settings.zone)
    assert session.get(Plant, fern).snoozed_until == today + timedelta(days=1)


def test_an_email_link_asks_for_one_click_before_acting(
    client: TestClient, services: Services, session: Session
) -> None:
    fern = a_plant(session)
    token = buttons(services, fern)["water"]
    page = client.get(quick.ACT_PATH, params={"t": token})
    assert page.status_code == 200 and "Watered: Fern?" in page.text and 'method="post"' in page.text
    assert "form-action 'self'" in page.headers["content-security-policy"]
    assert watered_on(session, fern) is None  # opening the link (or a mail scanner doing so) changes nothing
    done = client.post(quick.ACT_PATH, data={"t": token})
    assert done.status_code == 200 and "Fern: marked watered." in done.text
    assert watered_on(session, fern) is not None
    assert client.post(quick.ACT_PATH, data={"t": token}).status_code == 400


def test_an_expired_token_is_refused(client: TestClient, services: Services, session: Session) -> None:
    fern = a_plant(session)
    old = tokens.sign(
        secret=services.settings.secret_key,
        action="water",
        ids=[fern],
        now=utcnow() - tokens.LIFETIME - timedelta(minutes=1),
    )
    answer = client.post(quick.ACT_PATH, json={"token": old})
    assert answer.status_code == 400 and "expired" in answer.json()["error"]
    assert client.get(quick.ACT_PATH, params={"t": old}).status_code == 400
    assert watered_on(session, fern) is None


def _forge(token: str, **changes: object) -> str:
    body, _, mac = token.partition(".")
    data = json.loads(base64.urlsafe_b64decode(body + "=" * (-len(body) % 4)))
    data.update(changes)
    forged = base64.urlsafe_b64encode(json.dumps(data).encode()).rstrip(b"=").decode()
    return f"{forged}.{mac}"


@pytest.mark.parametrize(
    "make",
    [
        lambda token: _forge(token, i=[1, 2, 3]),  # other plants, the old signature
        lambda token: _forge(token, e=4_000_000_000),  # a longer life
        lambda token: token.rpartition(".")[0] + "." + "A" * 43,  # a made-up signature
        lambda token: tokens.sign(secret="another key", action="water", ids=[1], now=utcnow()),
        lambda token: "not a token",
        lambda token: "x" * 2000,
        lambda token: "é.é",
    ],
)
def test_a_forged_token_is_refused(client: TestClient, services: Services, session: Session, make) -> None:
    fern = a_plant(session)
    answer = client.post(quick.ACT_PATH, json={"token": make(buttons(services, fern)["water"])})
    assert answer.status_code == 400 and answer.json()["error"] == "This link is not valid."
    assert watered_on(session, fern) is None


@pytest.mark.parametrize("body", [b"", b"[1]", b'{"token": 5}', b"\xff\xfe", b"t=%ff%fe"])
def test_nonsense_is_a_400_not_a_500(client: TestClient, body: bytes) -> None:
    json_answer = client.post(quick.ACT_PATH, content=body, headers={"content-type": "application/json"})
    form_answer = client.post(
        quick.ACT_PATH, content=body, headers={"content-type": "application/x-www-form-urlencoded"}
    )
    assert json_answer.status_code == 400 and form_answer.status_code == 400


async def test_two_taps_racing_act_once(services: Services, session: Session) -> None:
    fern = a_plant(session)
    token = buttons(services, fern)["water"]
    results = await asyncio.gather(*(quick.act(services, token=token) for _ in range(3)), return_exceptions=True)
    assert sum(1 for result in results if isinstance(result, tuple)) == 1
    assert all(isinstance(result, tokens.TokenRefused) for result in results if not isinstance(result, tuple))


async def test_the_email_digest_carries_the_same_actions_as_links(engine: Engine, tmp_path: Path, smtp) -> None:
    inbox, port = smtp
    svc = make_services(tmp_path, engine, port, REMINDER_TIME="09:00")
    with Session(engine) as session:
        fern = a_plant(session)
        service.mark_watered(session=session, plant_id=fern, on=date(2026, 11, 20), today=date(2026, 12, 2))
        session.commit()
    assert (await send_reminders(engine=engine, settings=svc.settings, now=NOW)).sent == {"email": 1}
    (envelope,) = inbox.envelopes
    mail = email.message_from_bytes(envelope.content, policy=email.policy.default)
    text = mail.get_body(("plain",)).get_content()
    link = next(line.split(": ", 1)[1] for line in text.splitlines() if line.startswith("Watered: "))
    assert link.startswith(f"https://acc.example.com{quick.ACT_PATH}?t=")
    assert "Snooze a day: https://acc.example.com" in text
    assert link.replace("&", "&amp;") in mail.get_body(("html",)).get_content()
    token = parse_qs(urlsplit(link).query)["t"][0]
    # Read when the digest's reader would (its tokens live 36 hours from NOW, whatever today is).
    assert (await quick.preview(svc, token=token, now=NOW)).names == ["Fern"]
