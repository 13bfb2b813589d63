"""Owner account, password checks and login sessions. No Reflex here: HTTP routes, Reflex states
and the CLI all call these functions."""

from __future__ import annotations

import hashlib
import hmac
import re
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

from passlib.context import CryptContext
from sqlmodel import Session, select
from user_agents import parse as parse_user_agent

from accumulator.auth.models import Owner, OwnerSession
from accumulator.inputs import InputError, clean_text, is_clean

PASSWORD_MIN_LENGTH = 10
PASSWORD_MAX_LENGTH = 1024  # argon2 has no 72-byte cut-off, but a bound keeps hashing cheap
EMAIL_MAX = 254
SESSION_LIFETIME = timedelta(days=30)
# last_seen is written at most this often, so a burst of page loads is not a burst of writes.
SESSION_TOUCH_INTERVAL = timedelta(minutes=1)
SESSION_COOKIE = "acc_session"

# bcrypt stays verifiable so the original app's hashes still log in; they are rehashed to argon2.
_passwords = CryptContext(schemes=["argon2", "bcrypt"], deprecated=["bcrypt"])
# Checked when the e-mail is unknown so that both failures take the same time.
_DUMMY_HASH = _passwords.hash("not-a-real-password-0")
_EMAIL = re.compile(r"^[^@\s]{1,64}@[^@\s]{1,189}$")


class AuthError(InputError):
    """Input the auth rules refuse; the message is safe to show to the user."""


@dataclass(frozen=True)
class SessionInfo:
    id: int
    device: str
    ip: str
    created_at: datetime
    last_seen_at: datetime
    is_current: bool


def normalise_email(email: str) -> str:
    email = clean_text(email, field="The e-mail", max_length=EMAIL_MAX, error=AuthError).strip().lower()
    if not _EMAIL.fullmatch(email):
        raise AuthError("Enter a valid e-mail address.")
    return email


def check_password_rules(password: str) -> None:
    clean_text(password, field="The password", max_length=PASSWORD_MAX_LENGTH, error=AuthError)
    if len(password) < PASSWORD_MIN_LENGTH:
        raise AuthError(f"The password must be at least {PASSWORD_MIN_LENGTH} characters long.")


def hash_password(password: str) -> str:
    return _passwords.hash(password)


def get_owner(*, session: Session) -> Owner | None:
    return session.exec(select(Owner).order_by(Owner.id)).first()


def set_owner(*, session: Session, email: str, password: str) -> Owner:
    """Create the owner, or replace its e-mail and password (which ends every session)."""
    email = normalise_email(email)
    check_password_rules(password)
    owner = get_owner(session=session)
    if owner is None:
        owner = Owner(email=email, password_hash=hash_password(password))
    else:
        owner.email = email
        owner.password_hash = hash_password(password)
        for row in session.exec(select(OwnerSession).where(OwnerSession.owner_id == owner.id)):
            session.delete(row)
    session.add(owner)
    session.flush()
    return owner


def authenticate(*, session: Session, email: str, password: str) -> Owner | None:
    """The owner if e-mail and password match, else None (same cost either way)."""
    try:
        email = normalise_email(email)
    except AuthError:
        email = ""
    owner = session.exec(select(Owner).where(Owner.email == email)).first() if email else None
    if owner is None or len(password) > PASSWORD_MAX_LENGTH or not is_clean(password):
        _passwords.verify(password[:PASSWORD_MAX_LENGTH] if is_clean(password) else "", _DUMMY_HASH)
        return None
    valid, new_hash = _passwords.verify_and_update(password, owner.password_hash)
    if not valid:
        return None
    if new_hash:  # an old bcrypt hash: keep the stronger one from now on
        owner.password_hash = new_hash
        session.add(owner)
    return owner


def token_hash(token: str, *, secret: str) -> str:
    return hmac.new(secret.encode(), token.encode(), hashlib.sha256).hexdigest()


def start_session(*, session: Session, owner: Owner, ip: str, user_agent: str, now: datetime, secret: str) -> str:
    """Record a new login and return the raw token for the cookie (never stored)."""
    token = secrets.token_urlsafe(32)
    session.add(
        OwnerSession(
            owner_id=owner.id,
            token_hash=token_hash(token, secret=secret),
            created_at=now,
            last_seen_at=now,
            ip=ip[:64],
            user_agent=user_agent[:512],
        )
    )
    session.flush()
    return token


def session_for_token(*, session: Session, token: str | None, now: datetime, secret: str) -> OwnerSession | None:
    """The live session a cookie token belongs to, renewing its last use; None if unknown or expired."""
    if not token or len(token) > 128:
        return None
    row = session.exec(select(OwnerSession).where(OwnerSession.token_hash == token_hash(token, secret=secret))).first()
    if row is None:
        return None
    if now - row.last_seen_at > SESSION_LIFETIME:
        session.delete(row)
        return None
    if now - row.last_seen_at > SESSION_TOUCH_INTERVAL:
        row.last_seen_at = now
        session.add(row)
    return row


@dataclass(frozen=True)
class ActiveSession:
    """A valid login: which session row, and whose."""

    session_id: int
    owner_id: int
    email: str


def resolve_session(*, session: Session, token: str | None, now: datetime, secret: str) -> ActiveSession | None:
    """The owner behind a cookie token, if the session is valid now."""
    row = session_for_token(session=session, token=token, now=now, secret=secret)
    if row is None:
        return None
    owner = session.get(Owner, row.owner_id)
    if owner is None:
        return None
    return ActiveSession(session_id=row.id, owner_id=owner.id, email=owner.email)


def end_session(*, session: Session, token: str | None, secret: str) -> None:
    """Log out: forget the session the token belongs to, if any."""
    if not token or len(token) > 128:
        return
    row = session.exec(select(OwnerSession).where(OwnerSession.token_hash == token_hash(token, secret=secret))).first()
    if row is not None:
        session.delete(row)


def describe_device(user_agent: str) -> str:
    """'Firefox 120 on Linux' style label for a session list."""
    if not user_agent:
        return "Unknown device"
    agent = parse_user_agent(user_agent)
    browser = f"{agent.browser.family} {agent.browser.version_string}".strip()
    system = f"{agent.os.family} {agent.os.version_string}".strip()
    kind = "phone" if agent.is_mobile else "tablet" if agent.is_tablet else None
    label = f"{browser} on {system}"
    return f"{label} ({kind})" if kind else label


def list_sessions(*, session: Session, owner_id: int, current_id: int | None) -> list[SessionInfo]:
    rows = session.exec(
        select(OwnerSession).where(OwnerSession.owner_id == owner_id).order_by(OwnerSession.last_seen_at.desc())
    )
    return [
        SessionInfo(
            id=row.id,
            device=describe_device(row.user_agent),
            ip=row.ip,
            created_at=row.created_at,
            last_seen_at=row.last_seen_at,
            is_current=row.id == current_id,
        )
        for row in rows
    ]


def revoke_session(*, session: Session, owner_id: int, session_id: int) -> bool:
    """End one of the owner's sessions; False if there is no such session."""
    row = session.get(OwnerSession, session_id)
    if row is None or row.owner_id != owner_id:
        return False
    session.delete(row)
    return True
