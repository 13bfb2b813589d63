"""Action tokens: what a notification's button or an e-mail's link carries to act without a
session ("mark these plants watered"). Signed (HMAC-SHA256 with SECRET_KEY, so nobody can make one),
short-lived (LIFETIME) and single-use (its random nonce is recorded in the transaction that acts, so
a replay, or two taps racing, act once)."""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import json
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy.exc import IntegrityError
from sqlmodel import Session

from accumulator.notify.models import NotifyActionUse

LIFETIME = timedelta(hours=36)  # a morning digest's buttons still work that evening, not next week
TOKEN_MAX = 1200
IDS_MAX = 50
_PURPOSE = b"accumulator notify action v1\n"


class TokenRefused(ValueError):
    """Forged, malformed, expired or already used; the message is safe to show."""


@dataclass(frozen=True)
class ActionGrant:
    action: str
    ids: tuple[int, ...]
    nonce: str
    expires: datetime


def _b64(raw: bytes) -> str:
    return base64.urlsafe_b64encode(raw).rstrip(b"=").decode("ascii")


def _unb64(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def _mac(secret: str, body: str) -> str:
    return _b64(hmac.new(secret.encode(), _PURPOSE + body.encode("ascii"), hashlib.sha256).digest())


def sign(*, secret: str, action: str, ids: list[int], now: datetime) -> str:
    payload = {"a": action, "i": ids[:IDS_MAX], "n": secrets.token_hex(12), "e": int((now + LIFETIME).timestamp())}
    body = _b64(json.dumps(payload, separators=(",", ":")).encode())
    return f"{body}.{_mac(secret, body)}"


def verify(token: object, *, secret: str, now: datetime) -> ActionGrant:
    """The grant a token carries if it is ours and still valid (not yet checked: used before)."""
    if not isinstance(token, str) or not token or len(token) > TOKEN_MAX or not token.isascii():
        raise TokenRefused("This link is not valid.")
    body, _, mac = token.partition(".")
    if not hmac.compare_digest(mac.encode(), _mac(secret, body).encode()):
        raise TokenRefused("This link is not valid.")
    try:
        data = json.loads(_unb64(body))
        grant = ActionGrant(
            action=str(data["a"]),
            ids=tuple(int(item) for item in data["i"]),
            nonce=str(data["n"]),
            expires=datetime.fromtimestamp(int(data["e"]), tz=now.tzinfo),
        )
    except (binascii.Error, ValueError, KeyError, TypeError):
        raise TokenRefused("This link is not valid.") from None
    if grant.expires <= now:
        raise TokenRefused("This link has expired: open the app to do it there.")
    return grant


def use(*, session: Session, grant: ActionGrant, now: datetime) -> None:
    """Record the token as used, in the caller's transaction; TokenRefused if it was already."""
    try:
        with session.begin_nested():
            session.add(NotifyActionUse(nonce=grant.nonce[:32], used_at=now))
            session.flush()
    except IntegrityError:
        raise TokenRefused("This was already done from this notification.") from None
