"""Personal access tokens: the rules. No Reflex; callers pass the session, `now` and the secret.

A token is `acc_` and 43 random URL-safe characters (256 bits): the prefix lets secret scanners and
people recognise one. It is shown once, when made; the database keeps its keyed hash only, with the
same HMAC as login sessions (`auth.service.token_hash`), so resolving one is an indexed lookup."""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

import sqlalchemy as sa
from sqlmodel import Session, col, select

from accumulator.auth.service import token_hash
from accumulator.inputs import InputError, clean_text, whole_number
from accumulator.tokens.models import NAME_MAX, SCOPES, WRITE, ApiToken

PREFIX = "acc_"
TOKEN_MAX = 128  # longer is not one of ours; refused before hashing
EXPIRY_DAYS_MAX = 3650
# Last use is written at most this often per token: a widget polling every few seconds is not a
# stream of writes (the same rule as sessions' last_seen).
TOUCH_INTERVAL = timedelta(minutes=1)


class TokenError(InputError):
    """Input the token rules refuse; the message is safe to show."""


@dataclass(frozen=True)
class ActiveToken:
    """A token that is valid now: which row, and what it may do."""

    id: int
    name: str
    scope: str

    @property
    def can_write(self) -> bool:
        return self.scope == WRITE


def check_name(name: object) -> str:
    name = clean_text(name, field="The name", max_length=NAME_MAX, single_line=True, error=TokenError)
    if not name:
        raise TokenError("Give the token a name (what will use it).")
    return name


def check_scope(scope: object) -> str:
    if scope not in SCOPES:
        raise TokenError("The scope must be 'read' or 'write'.")
    return str(scope)


def check_expiry_days(days: object) -> int | None:
    """None (never expires) or a whole number of days from 1 to 3650."""
    if days is None or days == "" or days == "never":
        return None
    if isinstance(days, str) and (number := whole_number(days, max_digits=5)) is not None:
        days = number
    if isinstance(days, bool) or not isinstance(days, int) or not 1 <= days <= EXPIRY_DAYS_MAX:
        raise TokenError(f"A token expires after 1 to {EXPIRY_DAYS_MAX} days, or never.")
    return days


def create_token(
    *, session: Session, name: str, scope: str, expires_days: int | None, now: datetime, secret: str
) -> tuple[ApiToken, str]:
    """A new token: its row and the raw token (to show once; never stored)."""
    name, scope, expires_days = check_name(name), check_scope(scope), check_expiry_days(expires_days)
    raw = PREFIX + secrets.token_urlsafe(32)
    row = ApiToken(
        name=name,
        scope=scope,
        token_hash=token_hash(raw, secret=secret),
        created_at=now,
        expires_at=now + timedelta(days=expires_days) if expires_days else None,
    )
    session.add(row)
    session.flush()
    return row, raw


def list_tokens(*, session: Session) -> list[ApiToken]:
    return list(session.exec(select(ApiToken).order_by(col(ApiToken.created_at).desc(), col(ApiToken.id).desc())))


def revoke_token(*, session: Session, token_id: int) -> bool:
    """Forget a token: its next request is refused. False if there was no such token."""
    row = session.get(ApiToken, token_id)
    if row is None:
        return False
    session.delete(row)
    return True


def is_expired(row: ApiToken, now: datetime) -> bool:
    return row.expires_at is not None and row.expires_at <= now


def resolve_token(*, session: Session, token: str | None, now: datetime, secret: str, ip: str) -> ActiveToken | None:
    """The token behind a bearer value, if it exists and has not expired; None otherwise.

    Its last use (time and address) is renewed when the stored one is older than TOUCH_INTERVAL, by
    a conditional UPDATE: of several requests (on several instances) in the same minute one writes."""
    if not token or len(token) > TOKEN_MAX or not token.startswith(PREFIX) or not token.isascii():
        return None
    row = session.exec(select(ApiToken).where(ApiToken.token_hash == token_hash(token, secret=secret))).first()
    if row is None or is_expired(row, now):
        return None
    if row.last_used_at is None or now - row.last_used_at >= TOUCH_INTERVAL:
        table = ApiToken.__table__
        stale = sa.or_(table.c.last_used_at.is_(None), table.c.last_used_at <= now - TOUCH_INTERVAL)
        session.execute(
            sa.update(table).where(table.c.id == row.id, stale).values(last_used_at=now, last_used_ip=ip[:64])
        )
    return ActiveToken(id=row.id, name=row.name, scope=row.scope)
