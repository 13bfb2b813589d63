"""Read receipts of shared pastes: who opened a shared link (people apart from link previews and
crawlers, the owner not at all), what is kept (a label and a count, never the user agent or the
IP), how much a hostile reader can make us keep, and the "paste_read" alert the owner gets by
e-mail (from a real SMTP server on loopback) once per quiet spell, never for a bot."""

from __future__ import annotations

import email
import email.policy
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy.engine import Engine
from sqlmodel import Session, select
from starlette.testclient import TestClient

from accumulator.api import create_api
from accumulator.auth import service as auth
from accumulator.db import session_scope
from accumulator.notify import actions as notify
from accumulator.notify.models import NotifyAlert
from accumulator.pastes import reads, receipts
from accumulator.pastes.models import PasteOpen
from accumulator.runtime import Services
from tests.notify.helpers import services as notify_services
from tests.plants.test_mail import Inbox
from tests.plants.test_mail import smtp as smtp  # a real SMTP server on loopback

FIREFOX = "Mozilla/5.0 (X11; Linux x86_64; rv:133.0) Gecko/20100101 Firefox/133.0"
SAFARI_PHONE = (
    "Mozilla/5.0 (iPhone; CPU iPhone OS 18_1 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) "
    "Version/18.1 Mobile/15E148 Safari/604.1"
)
SLACK = "Slackbot-LinkExpanding 1.0 (+https://api.slack.com/robots)"
PASSWORD = "a long owner password"


@pytest.mark.parametrize(
    ("agent", "label", "bot"),
    [
        (FIREFOX, "browser", False),
        (SAFARI_PHONE, "browser", False),
        (SLACK, "Slack preview", True),
        ("Twitterbot/1.0", "X/Twitter preview", True),
        ("facebookexternalhit/1.1 (+http://www.facebook.com/externalhit_uatext.php)", "Facebook preview", True),
        ("Mozilla/5.0 (compatible; Discordbot/2.0; +https://discordapp.com)", "Discord preview", True),
        ("TelegramBot (like TwitterBot)", "Telegram preview", True),
        ("WhatsApp/2.23.20.0 A", "WhatsApp preview", True),
        ("LinkedInBot/1.0 (compatible; Mozilla/5.0; Apache-HttpClient)", "LinkedIn preview", True),
        ("Mozilla/5.0 (compatible; Googlebot/2.1; +http://www.google.com/bot.html)", "Googlebot", True),
        ("Mozilla/5.0 (compatible; bingbot/2.0; +http://www.bing.com/bingbot.htm)", "Bingbot", True),
        ("curl/8.5.0", "script", True),
        ("Wget/1.21.4", "script", True),
        ("python-requests/2.32.3", "script", True),
        ("Mozilla/5.0 (compatible; SomeSpider/3.1)", "crawler", True),
        ("Acme Link Preview Service", "crawler", True),
        ("AhrefsBot/7.0", "crawler", True),
        ("", "no user agent", True),
    ],
)
def test_it_tells_people_from_previews_and_crawlers(agent: str, label: str, bot: bool) -> None:
    assert receipts.classify(agent) == receipts.Reader(label, bot)


@pytest.fixture
def svc(tmp_path: Path, engine: Engine, smtp: tuple[Inbox, int]) -> Services:
    return notify_services(tmp_path, engine, smtp[1])


@pytest.fixture
def owner(svc: Services, session: Session) -> Iterator[TestClient]:
    auth.set_owner(session=session, email="owner@example.com", password=PASSWORD)
    session.commit()
    with TestClient(create_api(svc), base_url="https://acc.example.com") as client:
        answer = client.post("/api/auth/login", json={"email": "owner@example.com", "password": PASSWORD})
        assert answer.status_code == 200
        yield client


@pytest.fixture
def stranger(svc: Services) -> Iterator[TestClient]:
    with TestClient(create_api(svc), base_url="https://acc.example.com") as client:
        yield client


def share(owner: TestClient, **fields: object) -> dict:
    body = {"title": "Plans <b>& notes</b>", "content": "hello", "expiry": "1d", "visibility": "shared", **fields}
    response = owner.post("/api/pastes", json=body, headers={"Origin": "https://acc.example.com"})
    assert response.status_code == 201, response.text
    return response.json()


def opened(stranger: TestClient, path: str, agent: str, method: str = "GET") -> int:
    return stranger.request(method, path, headers={"User-Agent": agent}).status_code


def alerts(engine: Engine) -> list[NotifyAlert]:
    with session_scope(engine) as session:
        rows = list(session.exec(select(NotifyAlert).where(NotifyAlert.kind == "paste_read")).all())
        for row in rows:
            session.expunge(row)
        return rows


async def test_the_owner_sees_who_read_a_shared_paste_and_is_told_once(
    svc: Services, owner: TestClient, stranger: TestClient, engine: Engine, smtp: tuple[Inbox, int]
) -> None:
    paste = share(owner)
    slug = paste["slug"]
    assert owner.get(f"/p/{slug}", headers={"User-Agent": FIREFOX}).status_code == 200  # the owner: no receipt
    assert opened(stranger, f"/p/{slug}", SLACK) == 200  # the preview when the link was posted
    assert opened(stranger, f"/p/{slug}", "Twitterbot/1.0") == 200
    assert alerts(engine) == []  # bots never raise it
    assert opened(stranger, f"/p/{slug}", FIREFOX) == 200
    assert opened(stranger, f"/p/{slug}/raw", SAFARI_PHONE) == 200
    assert opened(stranger, f"/p/{slug}/embed", FIREFOX) == 200
    assert opened(stranger, f"/p/{slug}", FIREFOX, method="HEAD") == 200  # reads nothing: not counted
    assert opened(stranger, f"/p/{slug}", SLACK) == 200
    # A POST to a paste that does not burn is sent on to its page: one open, not two.
    assert stranger.post(f"/p/{slug}", headers={"User-Agent": FIREFOX}, follow_redirects=False).status_code == 303

    view = await reads.view(svc, paste_id=paste["id"])
    assert view is not None
    assert view["read_text"].startswith("Read by people 3 times, last at ")
    assert "(embed 1, page 1, raw 1)" in view["read_text"]
    assert {(row["label"], row["opens"]) for row in view["bots"]} == {("Slack preview", 2), ("X/Twitter preview", 1)}

    # Three people within minutes: one alert, sent by e-mail by the dispatch job.
    (alert,) = alerts(engine)
    assert alert.title == "A shared paste was opened" and alert.link == f"/bin/{paste['id']}"
    assert await notify.dispatch(svc) == 1
    inbox, _port = smtp
    (envelope,) = inbox.envelopes
    message = email.message_from_bytes(envelope.content, policy=email.policy.default)
    assert message["Subject"] == "A shared paste was opened"
    text = message.get_body(("plain",)).get_content()
    assert "Plans <b>& notes</b>" in text and f"https://acc.example.com/bin/{paste['id']}" in text


async def test_nothing_but_a_label_and_a_count_is_kept(
    svc: Services, owner: TestClient, stranger: TestClient, session: Session
) -> None:
    paste = share(owner)
    for number in range(30):  # a hostile reader making up a new user agent each time
        agent = f"Mozilla/5.0 (X11; Evil {number}) Firefox/{number}.0" if number % 2 else f"EvilBot/{number}"
        assert opened(stranger, f"/p/{paste['slug']}", agent) == 200
    rows = session.exec(select(PasteOpen)).all()
    assert sorted((row.reader, row.opens) for row in rows) == [("browser", 15), ("crawler", 15)]
    kept = " ".join(f"{row.reader} {row.view}" for row in rows)
    assert "Evil" not in kept and "testclient" not in kept and "Mozilla" not in kept


async def test_a_burn_after_reading_paste_counts_its_one_reader_not_the_confirmation(
    svc: Services, owner: TestClient, stranger: TestClient, engine: Engine
) -> None:
    paste = share(owner, burn_after_reading=True)
    path = f"/p/{paste['slug']}"
    assert opened(stranger, path, SLACK) == 200  # a preview sees the confirmation: listed as a bot
    assert opened(stranger, path, FIREFOX) == 200  # a person sees the confirmation: not a read yet
    assert alerts(engine) == []
    read = stranger.post(path, headers={"User-Agent": FIREFOX})
    assert read.status_code == 200 and "hello" in read.text
    (alert,) = alerts(engine)  # the paste (no files) is gone: the alert links to the list
    assert alert.link == "/bin" and "gone now" in alert.body


def test_a_new_reader_after_a_quiet_hour_is_told_again(session: Session, owner: TestClient) -> None:
    paste = share(owner)
    person, bot = receipts.classify(FIREFOX), receipts.classify(SLACK)
    start = datetime(2026, 12, 2, 9, 0, tzinfo=UTC)
    told = [
        receipts.record_open(session=session, paste_id=paste["id"], view="page", reader=reader, now=start + delta)
        for reader, delta in (
            (bot, timedelta(0)),
            (person, timedelta(minutes=1)),  # the first read
            (person, timedelta(minutes=30)),
            (bot, timedelta(minutes=100)),
            (person, timedelta(minutes=89)),  # 59 minutes after the last read: still the same spell
            (person, timedelta(minutes=150)),  # an hour and a bit of quiet: a new reader
        )
    ]
    assert told == [False, True, False, False, False, True]
    receipts.forget_old(session=session, now=start + timedelta(days=receipts.KEEP_DAYS + 1))
    assert session.exec(select(PasteOpen)).all() == []
