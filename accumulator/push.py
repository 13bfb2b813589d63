"""Browser notifications (Web Push) to the owner's devices, shared by every feature that notifies
(plant reminders, new comments and contact messages): the app's VAPID key pair, the browsers that
subscribed, and sending one message to all of them.

The key pair is made on first use and kept in the database (AppSecret), so every instance signs with
the same key and browsers' subscriptions survive restarts. A message is encrypted for each browser
(RFC 8291, aes128gcm) and posted to its push service with a VAPID signature (RFC 8292) by pywebpush.
A push service answering 404 or 410 says the browser unsubscribed: that subscription is deleted.
"""

from __future__ import annotations

import asyncio
import base64
import binascii
import json
import logging
import re
from dataclasses import dataclass, field
from datetime import datetime
from email.utils import parseaddr
from typing import Any
from urllib.parse import urlsplit

import requests
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec
from py_vapid import Vapid
from pywebpush import WebPushException, webpush
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.engine import Engine
from sqlalchemy.exc import IntegrityError
from sqlmodel import Column, Field, Session, SQLModel, Text, col, delete, func, select
from starlette.concurrency import run_in_threadpool

from accumulator.db import UTCDateTime, session_scope, utcnow
from accumulator.inputs import InputError, clean_text, is_clean
from accumulator.settings import Settings

log = logging.getLogger(__name__)

VAPID_PRIVATE = "vapid_private_key"
VAPID_PUBLIC = "vapid_public_key"

ENDPOINT_MAX = 1000
USER_AGENT_MAX = 300
LOCAL_HOSTS = frozenset({"127.0.0.1", "localhost"})  # plain http is allowed only there (tests)
TTL_SECONDS = 86400  # a reminder a day old is still worth showing; older, the next one replaces it
TIMEOUT_SECONDS = 10
PARALLEL_SENDS = 8
# One aes128gcm record of 4096 bytes minus its header (86), tag (16) and delimiter (1).
PAYLOAD_MAX = 3993
GONE = frozenset({404, 410})

_BASE64URL = re.compile(r"[A-Za-z0-9_-]+={0,2}")
_MAILBOX = re.compile(r"[^@\s<>]+@(localhost|[\w-]+(\.[\w-]+)+)")


# The tables (kept under their first names: they were the plants' before they were everyone's)


class PushSubscription(SQLModel, table=True):
    """One browser that asked for notifications (Web Push)."""

    __tablename__ = "push_subscription"

    id: int | None = Field(default=None, primary_key=True)
    endpoint: str = Field(max_length=1000, unique=True)
    p256dh: str = Field(max_length=200)  # the browser's public key, base64url
    auth: str = Field(max_length=100)  # the browser's auth secret, base64url
    user_agent: str = Field(default="", max_length=300)
    created_at: datetime = Field(default_factory=utcnow, sa_column=Column(UTCDateTime(), nullable=False))


class AppSecret(SQLModel, table=True):
    """Keys the app makes for itself on first use and must keep (the VAPID key pair), shared by
    every instance through the database."""

    __tablename__ = "app_secret"

    name: str = Field(primary_key=True, max_length=40)
    value: str = Field(sa_column=Column(Text(), nullable=False))
    created_at: datetime = Field(default_factory=utcnow, sa_column=Column(UTCDateTime(), nullable=False))


class PushError(InputError):
    """A refused subscription or message; the message says why."""


@dataclass
class PushReport:
    delivered: int = 0
    removed: int = 0  # subscriptions deleted because their push service said the browser left
    failed: int = 0
    errors: list[str] = field(default_factory=list)  # one short reason per failure


# The key pair


def _b64url(raw: bytes) -> str:
    return base64.urlsafe_b64encode(raw).rstrip(b"=").decode("ascii")


def _public_point(private_key: ec.EllipticCurvePrivateKey) -> bytes:
    return private_key.public_key().public_bytes(
        serialization.Encoding.X962, serialization.PublicFormat.UncompressedPoint
    )


def _stored_private_key(session: Session) -> ec.EllipticCurvePrivateKey | None:
    row = session.exec(
        select(AppSecret).where(AppSecret.name == VAPID_PRIVATE).execution_options(populate_existing=True)
    ).first()
    if row is None:
        return None
    key = serialization.load_pem_private_key(row.value.encode("ascii"), password=None)
    if not isinstance(key, ec.EllipticCurvePrivateKey) or not isinstance(key.curve, ec.SECP256R1):
        raise RuntimeError(f"the stored {VAPID_PRIVATE} is not a P-256 key")
    return key


def _private_key(session: Session) -> ec.EllipticCurvePrivateKey:
    """The app's VAPID private key, made and stored on first use. Of two processes making it at once,
    the first to insert wins; the other drops its own and reads the winner's."""
    key = _stored_private_key(session)
    if key is not None:
        return key
    new_key = ec.generate_private_key(ec.SECP256R1())
    pem = new_key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    ).decode("ascii")
    try:
        with session.begin_nested():
            session.add(AppSecret(name=VAPID_PRIVATE, value=pem))
            session.flush()
            session.add(AppSecret(name=VAPID_PUBLIC, value=_b64url(_public_point(new_key))))
            session.flush()
    except IntegrityError:
        key = _stored_private_key(session)
        if key is None:  # the winner's row is gone again: cannot happen unless someone deletes it
            raise
        log.info("another process made the VAPID key first; using that one")
        return key
    log.info("made the VAPID key pair for browser notifications")
    return new_key


def vapid_public_key(session: Session) -> str:
    """The application server key browsers subscribe with: the uncompressed P-256 point (65 bytes),
    base64url without padding."""
    return _b64url(_public_point(_private_key(session)))


# Subscriptions


def _decode_key(value: Any, label: str) -> bytes:
    if not isinstance(value, str) or not _BASE64URL.fullmatch(value):
        raise PushError(f"The subscription's {label} key must be base64url text.")
    try:
        return base64.urlsafe_b64decode(value.rstrip("=") + "=" * (-len(value.rstrip("=")) % 4))
    except (binascii.Error, ValueError):
        raise PushError(f"The subscription's {label} key is not valid base64url.") from None


def _check_endpoint(endpoint: Any) -> str:
    if not isinstance(endpoint, str) or not endpoint:
        raise PushError("The subscription has no endpoint.")
    if len(endpoint) > ENDPOINT_MAX:
        raise PushError(f"The endpoint is longer than {ENDPOINT_MAX} characters.")
    clean_text(endpoint, field="The endpoint", max_length=ENDPOINT_MAX, error=PushError)
    if any(ch.isspace() or ord(ch) < 32 or ord(ch) == 127 for ch in endpoint):
        raise PushError("The endpoint must not contain spaces or control characters.")
    parts = urlsplit(endpoint)
    try:
        parts.port  # noqa: B018  (raises on a port that is not a number in range)
    except ValueError:
        raise PushError("The endpoint has an invalid port.") from None
    if not parts.hostname:
        raise PushError("The endpoint must be an https:// URL.")
    if parts.username is not None or parts.password is not None:
        raise PushError("The endpoint must not contain a user name or password.")
    if parts.scheme == "https" or (parts.scheme == "http" and parts.hostname in LOCAL_HOSTS):
        return endpoint
    raise PushError("The endpoint must be an https:// URL.")


def parse_subscription(data: Any) -> tuple[str, str, str]:
    """(endpoint, p256dh, auth) from the browser's `PushSubscription.toJSON()`, checked; keys are
    returned as base64url without padding."""
    if not isinstance(data, dict):
        raise PushError("The subscription must be an object with an endpoint and keys.")
    endpoint = _check_endpoint(data.get("endpoint"))
    keys = data.get("keys")
    if not isinstance(keys, dict):
        raise PushError("The subscription has no keys (p256dh and auth).")
    p256dh = _decode_key(keys.get("p256dh"), "p256dh")
    if len(p256dh) != 65 or p256dh[0] != 0x04:
        raise PushError("The subscription's p256dh key must be an uncompressed P-256 point (65 bytes).")
    try:
        ec.EllipticCurvePublicKey.from_encoded_point(ec.SECP256R1(), p256dh)
    except ValueError:
        raise PushError("The subscription's p256dh key is not a point on P-256.") from None
    auth = _decode_key(keys.get("auth"), "auth")
    if len(auth) != 16:
        raise PushError("The subscription's auth secret must be 16 bytes.")
    return endpoint, _b64url(p256dh), _b64url(auth)


def save_subscription(session: Session, data: Any, user_agent: str = "") -> PushSubscription:
    """Store a browser's subscription; the same endpoint again replaces its keys (one row per
    endpoint, even when two requests race)."""
    endpoint, p256dh, auth = parse_subscription(data)
    agent = (user_agent or "")[:USER_AGENT_MAX] if is_clean(user_agent or "") else ""
    dialect = postgresql if session.get_bind().dialect.name == "postgresql" else sqlite
    table = PushSubscription.__table__
    statement = dialect.insert(table).values(
        endpoint=endpoint, p256dh=p256dh, auth=auth, user_agent=agent, created_at=func.now()
    )
    statement = statement.on_conflict_do_update(
        index_elements=["endpoint"], set_={"p256dh": p256dh, "auth": auth, "user_agent": agent}
    )
    session.execute(statement)
    return session.exec(
        select(PushSubscription).where(PushSubscription.endpoint == endpoint).execution_options(populate_existing=True)
    ).one()


def remove_subscription(session: Session, endpoint: str) -> bool:
    """Forget a browser's subscription; False if there was none."""
    if not is_clean(endpoint):  # text the database cannot hold is no stored endpoint
        return False
    result = session.exec(delete(PushSubscription).where(col(PushSubscription.endpoint) == endpoint))
    return bool(result.rowcount)


def subscription_count(session: Session) -> int:
    return int(session.exec(select(func.count()).select_from(PushSubscription)).one())


# Sending


def _subject(settings: Settings) -> str:
    """The VAPID `sub` claim: how a push service reaches the sender (MAIL_FROM's address)."""
    address = parseaddr(settings.mail_from or "")[1]
    return "mailto:" + (address if _MAILBOX.fullmatch(address) else "owner@localhost")


def _audience(endpoint: str) -> str:
    """The VAPID `aud` claim: the push service's origin, scheme://host[:port]."""
    parts = urlsplit(endpoint)
    host = (parts.hostname or "").lower()
    return f"{parts.scheme}://{host}" + (f":{parts.port}" if parts.port else "")


def _where(endpoint: str) -> str:
    # Endpoints are secret capability URLs: reasons name the push service's host only.
    return urlsplit(endpoint).hostname or "push service"


class _Refused(Exception):
    """The push service answered with an error status."""

    def __init__(self, status: int, reason: str) -> None:
        super().__init__(reason)
        self.status = status


def _failure(exc: Exception) -> str:
    # Network errors from requests quote the URL, which must not end up in reports or logs.
    if isinstance(exc, requests.RequestException):
        return type(exc).__name__
    return f"{type(exc).__name__}: {exc}"[:200]


def _send_one(subscription: PushSubscription, data: str, vapid: Vapid, subject: str) -> None:
    """Post one encrypted message; returns when the push service accepted it (2xx). Raises _Refused
    on any other status, and whatever went wrong on a network or signing failure."""
    try:
        webpush(
            {"endpoint": subscription.endpoint, "keys": {"p256dh": subscription.p256dh, "auth": subscription.auth}},
            data,
            vapid_private_key=vapid,
            # A fresh dict each time: pywebpush writes `exp` (and `aud` when missing) into it.
            vapid_claims={"sub": subject, "aud": _audience(subscription.endpoint)},
            content_encoding="aes128gcm",
            ttl=TTL_SECONDS,
            timeout=TIMEOUT_SECONDS,
        )
    except WebPushException as exc:
        if exc.status_code is None:
            raise
        status = exc.status_code
        if 200 <= status < 300:  # pywebpush refuses anything above 202; any 2xx means accepted
            return
        reason = getattr(exc.response, "reason", "") or ""
        text = " ".join((getattr(exc.response, "text", "") or "").split())[:120]
        raise _Refused(status, f"HTTP {status} {reason}".strip() + (f": {text}" if text else "")) from None


def _load(engine: Engine) -> tuple[Vapid | None, list[PushSubscription]]:
    with session_scope(engine) as session:
        subscriptions = list(session.exec(select(PushSubscription).order_by(col(PushSubscription.id))).all())
        if not subscriptions:
            return None, []
        return Vapid(private_key=_private_key(session)), subscriptions


def _delete(engine: Engine, ids: list[int]) -> None:
    with session_scope(engine) as session:
        session.exec(delete(PushSubscription).where(col(PushSubscription.id).in_(ids)))


async def send_to_all(engine: Engine, settings: Settings, payload: dict) -> PushReport:
    """Send `payload` (JSON: title, body, url…) to every subscribed browser. Browsers that
    unsubscribed are forgotten; one failing push service never stops the others."""
    data = json.dumps(payload, ensure_ascii=False, separators=(",", ":"))
    if len(data.encode("utf-8")) > PAYLOAD_MAX:
        raise PushError(f"The notification is larger than {PAYLOAD_MAX} bytes.")
    vapid, subscriptions = await run_in_threadpool(_load, engine)
    report = PushReport()
    if vapid is None:
        return report
    subject = _subject(settings)
    gate = asyncio.Semaphore(PARALLEL_SENDS)
    gone: list[int] = []

    async def send(subscription: PushSubscription) -> None:
        async with gate:
            try:
                await run_in_threadpool(_send_one, subscription, data, vapid, subject)
            except _Refused as exc:
                if exc.status in GONE:
                    gone.append(subscription.id)
                    return
                report.failed += 1
                report.errors.append(f"{_where(subscription.endpoint)}: {exc}")
            except Exception as exc:  # network, TLS, signing: this browser fails, the others go on
                report.failed += 1
                report.errors.append(f"{_where(subscription.endpoint)}: {_failure(exc)}")
            else:
                report.delivered += 1

    await asyncio.gather(*(send(subscription) for subscription in subscriptions))
    if gone:
        await run_in_threadpool(_delete, engine, gone)
        report.removed = len(gone)
    if report.failed:
        log.warning("push: %d delivered, %d failed: %s", report.delivered, report.failed, "; ".join(report.errors))
    return report
