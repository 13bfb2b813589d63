"""Browser notifications on SQLite and PostgreSQL: the VAPID key made once (even by racing
processes), subscriptions checked and stored once per endpoint, and messages that a browser can
decrypt, sent through a local push service that also says when a browser has unsubscribed."""

from __future__ import annotations

import base64
import dataclasses
import json
import os
import socket
import threading
from collections.abc import Iterator

import http_ece
import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec
from sqlalchemy.engine import Engine
from sqlmodel import Session, select

from accumulator.db import session_scope
from accumulator.plants import push
from accumulator.plants.models import AppSecret, PushSubscription
from accumulator.settings import Settings
from tests.plants.push_service import FakePushService, b64url_decode, check_vapid, running_push_service

PAYLOAD = {"title": "2 plants need water", "body": "Monstera, Fern — été", "url": "/plants"}


def b64url(raw: bytes) -> str:
    return base64.urlsafe_b64encode(raw).rstrip(b"=").decode()


@dataclasses.dataclass
class Browser:
    """What a browser keeps for one subscription: its ECDH key pair and auth secret."""

    private_key: ec.EllipticCurvePrivateKey
    auth: bytes

    @classmethod
    def new(cls) -> Browser:
        return cls(ec.generate_private_key(ec.SECP256R1()), os.urandom(16))

    @property
    def p256dh(self) -> str:
        point = self.private_key.public_key().public_bytes(
            serialization.Encoding.X962, serialization.PublicFormat.UncompressedPoint
        )
        return b64url(point)

    def subscription(self, endpoint: str) -> dict:
        """What `PushSubscription.toJSON()` gives."""
        return {"endpoint": endpoint, "keys": {"p256dh": self.p256dh, "auth": b64url(self.auth)}}

    def decrypt(self, body: bytes) -> dict:
        return json.loads(
            http_ece.decrypt(body, private_key=self.private_key, auth_secret=self.auth, version="aes128gcm")
        )


def subscribe(engine: Engine, browser: Browser, endpoint: str) -> None:
    with session_scope(engine) as session:
        push.save_subscription(session, browser.subscription(endpoint), user_agent="Firefox")


def endpoints(engine: Engine) -> set[str]:
    with session_scope(engine) as session:
        return set(session.exec(select(PushSubscription.endpoint)).all())


# The key pair


def test_the_vapid_key_is_made_once_and_kept(session: Session) -> None:
    key = push.vapid_public_key(session)
    session.commit()
    raw = b64url_decode(key)
    assert "=" not in key and len(raw) == 65 and raw[0] == 0x04
    assert push.vapid_public_key(session) == key
    session.close()
    with Session(session.get_bind()) as later:
        assert push.vapid_public_key(later) == key
        stored = {row.name: row.value for row in later.exec(select(AppSecret)).all()}
    assert set(stored) == {push.VAPID_PRIVATE, push.VAPID_PUBLIC}
    private = serialization.load_pem_private_key(stored[push.VAPID_PRIVATE].encode(), password=None)
    assert isinstance(private, ec.EllipticCurvePrivateKey)
    point = private.public_key().public_bytes(serialization.Encoding.X962, serialization.PublicFormat.UncompressedPoint)
    assert b64url(point) == key == stored[push.VAPID_PUBLIC]


def test_processes_racing_on_first_use_end_with_one_key(engine: Engine) -> None:
    racers = 4
    barrier = threading.Barrier(racers)
    keys: list[str] = []
    errors: list[BaseException] = []

    def first_use() -> None:
        try:
            with session_scope(engine) as session:
                assert session.get(AppSecret, push.VAPID_PRIVATE) is None
                barrier.wait(timeout=10)  # every racer has looked and found no key
                keys.append(push.vapid_public_key(session))
        except BaseException as exc:
            errors.append(exc)

    threads = [threading.Thread(target=first_use) for _ in range(racers)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    assert errors == []
    with session_scope(engine) as session:
        stored = push.vapid_public_key(session)
        assert len(session.exec(select(AppSecret).where(AppSecret.name == push.VAPID_PRIVATE)).all()) == 1
    assert keys == [stored] * racers


# Subscriptions


GOOD = Browser.new()


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"endpoint": "ftp://push.example.com/send/1"}, "https://"),
        ({"endpoint": "http://example.com/send/1"}, "https://"),
        ({"endpoint": "https:///no-host"}, "https://"),
        ({"endpoint": "https://user:pw@push.example.com/x"}, "user name or password"),
        ({"endpoint": "https://push.example.com/" + "x" * 1000}, "longer than 1000"),
        ({"endpoint": "https://push.example.com/a b"}, "spaces"),
        ({"endpoint": None}, "no endpoint"),
        ({"keys": None}, "no keys"),
        ({"keys": {"p256dh": GOOD.p256dh}}, "auth"),
        ({"keys": {"p256dh": "not base64!", "auth": b64url(GOOD.auth)}}, "base64url"),
        ({"keys": {"p256dh": b64url(b"\x04" + bytes(63)), "auth": b64url(GOOD.auth)}}, "65 bytes"),
        ({"keys": {"p256dh": b64url(b"\x03" + bytes(64)), "auth": b64url(GOOD.auth)}}, "uncompressed"),
        ({"keys": {"p256dh": b64url(b"\x04" + bytes(64)), "auth": b64url(GOOD.auth)}}, "not a point"),
        ({"keys": {"p256dh": GOOD.p256dh, "auth": b64url(bytes(15))}}, "16 bytes"),
        ({"keys": {"p256dh": GOOD.p256dh, "auth": 1234}}, "base64url"),
    ],
)
def test_a_bad_subscription_is_refused_with_a_reason(session: Session, change: dict, message: str) -> None:
    data = {**GOOD.subscription("https://push.example.com/send/1"), **change}
    with pytest.raises(push.PushError, match=message):
        push.save_subscription(session, data)
    assert push.subscription_count(session) == 0


def test_not_an_object_is_refused(session: Session) -> None:
    with pytest.raises(push.PushError, match="object"):
        push.save_subscription(session, ["https://push.example.com/send/1"])


def test_the_same_endpoint_twice_is_one_subscription_with_the_new_keys(session: Session) -> None:
    endpoint = "https://updates.push.services.mozilla.com/wpush/v2/gAAAAA"
    first = push.save_subscription(session, GOOD.subscription(endpoint), user_agent="Firefox 140")
    session.commit()
    again = Browser.new()
    data = again.subscription(endpoint)
    data["keys"]["auth"] += "=="  # padding is optional
    second = push.save_subscription(session, data, user_agent="Firefox 141")
    session.commit()
    assert second.id == first.id
    assert push.subscription_count(session) == 1
    row = session.exec(select(PushSubscription)).one()
    assert (row.p256dh, row.auth, row.user_agent) == (again.p256dh, b64url(again.auth), "Firefox 141")


def test_local_http_endpoints_are_allowed_for_tests(session: Session) -> None:
    for endpoint in ("http://127.0.0.1:8765/push/a", "http://localhost/push/b"):
        push.save_subscription(session, GOOD.subscription(endpoint))
    assert push.subscription_count(session) == 2


def test_a_subscription_can_be_removed_once(session: Session) -> None:
    endpoint = "https://fcm.googleapis.com/fcm/send/abc:123"
    push.save_subscription(session, GOOD.subscription(endpoint))
    assert push.remove_subscription(session, endpoint) is True
    assert push.remove_subscription(session, endpoint) is False
    assert push.subscription_count(session) == 0


# Sending


@pytest.fixture
def push_service() -> Iterator[FakePushService]:
    with running_push_service() as service:
        yield service


async def test_a_browser_decrypts_the_message_signed_with_the_apps_key(
    engine: Engine, settings: Settings, push_service: FakePushService
) -> None:
    browser = Browser.new()
    subscribe(engine, browser, push_service.endpoint("phone"))
    settings = dataclasses.replace(settings, mail_from="Plants <plants@example.com>")

    report = await push.send_to_all(engine, settings, PAYLOAD)

    assert report == push.PushReport(delivered=1)
    [received] = push_service.received
    assert received.name == "phone"
    assert received.headers["content-encoding"] == "aes128gcm"
    assert received.headers["ttl"] == "86400"
    assert browser.decrypt(received.body) == PAYLOAD
    with session_scope(engine) as session:
        key = push.vapid_public_key(session)
    assert received.headers["authorization"].startswith("vapid t=")
    vapid = check_vapid(received.headers["authorization"], push_service.origin)  # ES256 signature checked
    assert vapid.key == key
    assert vapid.claims["aud"] == push_service.origin
    assert vapid.claims["sub"] == "mailto:plants@example.com"


async def test_without_mail_from_the_contact_is_the_owner_at_localhost(
    engine: Engine, settings: Settings, push_service: FakePushService
) -> None:
    subscribe(engine, Browser.new(), push_service.endpoint("laptop"))
    assert await push.send_to_all(engine, settings, PAYLOAD) == push.PushReport(delivered=1)
    vapid = check_vapid(push_service.received[0].headers["authorization"], push_service.origin)
    assert vapid.claims["sub"] == "mailto:owner@localhost"


async def test_each_browser_gets_its_own_encryption(
    engine: Engine, settings: Settings, push_service: FakePushService
) -> None:
    browsers = {name: Browser.new() for name in ("phone", "laptop", "tablet")}
    for name, browser in browsers.items():
        subscribe(engine, browser, push_service.endpoint(name))
    assert await push.send_to_all(engine, settings, PAYLOAD) == push.PushReport(delivered=3)
    for name, browser in browsers.items():
        [received] = push_service.pushes_to(name)
        assert browser.decrypt(received.body) == PAYLOAD
        other = next(b for n, b in browsers.items() if n != name)
        with pytest.raises(Exception):  # noqa: B017  (any decryption failure will do)
            other.decrypt(received.body)


def closed_port_endpoint() -> str:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    return f"http://127.0.0.1:{port}/push/nobody-listens"


async def test_unsubscribed_browsers_are_forgotten_and_failures_do_not_stop_the_rest(
    engine: Engine, settings: Settings, push_service: FakePushService
) -> None:
    for name in ("gone", "missing", "broken", "good"):
        subscribe(engine, Browser.new(), push_service.endpoint(name))
    unreachable = closed_port_endpoint()
    subscribe(engine, Browser.new(), unreachable)
    push_service.answer("gone", 410)
    push_service.answer("missing", 404)
    push_service.answer("broken", 500)

    report = await push.send_to_all(engine, settings, PAYLOAD)

    assert (report.delivered, report.removed, report.failed) == (1, 2, 2)
    assert sorted(push.name for push in push_service.received) == ["broken", "gone", "good", "missing"]
    assert endpoints(engine) == {push_service.endpoint("broken"), push_service.endpoint("good"), unreachable}
    assert len(report.errors) == 2
    assert any(error.startswith("127.0.0.1: HTTP 500") for error in report.errors)
    assert any(error.startswith("127.0.0.1: ConnectionError") for error in report.errors)
    assert not any("/push/" in error for error in report.errors)  # endpoints are secrets

    # The next run sends only to what is left; the broken one is tried again.
    push_service.answer("broken", 201)
    again = await push.send_to_all(engine, settings, PAYLOAD)
    assert again == push.PushReport(delivered=2, failed=1, errors=["127.0.0.1: ConnectionError"])
    assert [push.name for push in push_service.received[4:]] in (["broken", "good"], ["good", "broken"])


async def test_with_no_subscription_nothing_is_sent_and_no_key_is_made(engine: Engine, settings: Settings) -> None:
    assert await push.send_to_all(engine, settings, PAYLOAD) == push.PushReport()
    with session_scope(engine) as session:
        assert session.get(AppSecret, push.VAPID_PRIVATE) is None


async def test_a_message_too_large_for_one_push_is_refused(engine: Engine, settings: Settings) -> None:
    with pytest.raises(push.PushError, match="larger than"):
        await push.send_to_all(engine, settings, {"title": "x", "body": "y" * 4000})
