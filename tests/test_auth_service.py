"""The owner account and session rules, on SQLite and PostgreSQL."""

from __future__ import annotations

from datetime import timedelta

import pytest
from passlib.hash import bcrypt
from sqlmodel import Session, select

from accumulator.auth import service
from accumulator.auth.models import Owner, OwnerSession
from accumulator.db import utcnow

SECRET = "s" * 40
PASSWORD = "correct horse battery"


@pytest.fixture
def owner(session: Session) -> Owner:
    owner = service.set_owner(session=session, email="Owner@Example.com ", password=PASSWORD)
    session.commit()
    return owner


def login(session: Session, owner: Owner, now=None) -> str:
    token = service.start_session(
        session=session,
        owner=owner,
        ip="203.0.113.5",
        user_agent="Mozilla/5.0 (X11; Linux x86_64) Firefox/120.0",
        now=now or utcnow(),
        secret=SECRET,
    )
    session.commit()
    return token


def test_it_stores_the_email_normalised_and_the_password_as_argon2(owner: Owner) -> None:
    assert owner.email == "owner@example.com"
    assert owner.password_hash.startswith("$argon2")
    assert PASSWORD not in owner.password_hash


def test_it_refuses_a_password_shorter_than_ten_characters(session: Session) -> None:
    with pytest.raises(service.AuthError, match="at least 10"):
        service.set_owner(session=session, email="a@b.c", password="123456789")
    assert session.exec(select(Owner)).first() is None


def test_it_accepts_any_ten_characters_without_composition_rules(session: Session) -> None:
    service.set_owner(session=session, email="a@b.c", password="aaaaaaaaaa")
    assert service.authenticate(session=session, email="a@b.c", password="aaaaaaaaaa") is not None


def test_it_authenticates_the_right_password_only(session: Session, owner: Owner) -> None:
    assert service.authenticate(session=session, email="OWNER@example.com", password=PASSWORD).id == owner.id
    assert service.authenticate(session=session, email="owner@example.com", password=PASSWORD + "x") is None
    assert service.authenticate(session=session, email="someone@example.com", password=PASSWORD) is None
    assert service.authenticate(session=session, email="not an email", password=PASSWORD) is None


def test_it_accepts_an_old_bcrypt_hash_and_upgrades_it_to_argon2(session: Session) -> None:
    session.add(Owner(email="old@example.com", password_hash=bcrypt.using(rounds=4).hash("from-phoenix-app")))
    session.commit()
    owner = service.authenticate(session=session, email="old@example.com", password="from-phoenix-app")
    session.commit()
    assert owner is not None
    assert session.get(Owner, owner.id).password_hash.startswith("$argon2")
    assert service.authenticate(session=session, email="old@example.com", password="from-phoenix-app") is not None


def test_it_stores_only_a_hash_of_the_session_token(session: Session, owner: Owner) -> None:
    token = login(session, owner)
    row = session.exec(select(OwnerSession)).one()
    assert len(token) >= 43  # 32 random bytes, base64url
    assert row.token_hash != token and token not in row.token_hash
    assert row.ip == "203.0.113.5"
    assert service.resolve_session(session=session, token=token, now=utcnow(), secret=SECRET).email == owner.email


def test_it_refuses_unknown_tokens_and_tokens_hashed_with_another_secret(session: Session, owner: Owner) -> None:
    token = login(session, owner)
    assert service.resolve_session(session=session, token="forged", now=utcnow(), secret=SECRET) is None
    assert service.resolve_session(session=session, token=token, now=utcnow(), secret="t" * 40) is None
    assert service.resolve_session(session=session, token=None, now=utcnow(), secret=SECRET) is None


def test_a_session_lasts_thirty_days_from_its_last_use(session: Session, owner: Owner) -> None:
    start = utcnow()
    token = login(session, owner, now=start)
    # Used on day 20: that renews it, so day 45 is still within 30 days of the last use.
    assert service.resolve_session(session=session, token=token, now=start + timedelta(days=20), secret=SECRET)
    session.commit()
    assert service.resolve_session(session=session, token=token, now=start + timedelta(days=45), secret=SECRET)
    session.commit()
    assert service.resolve_session(session=session, token=token, now=start + timedelta(days=76), secret=SECRET) is None
    session.commit()
    assert session.exec(select(OwnerSession)).first() is None


def test_revoking_a_session_refuses_its_token_at_once(session: Session, owner: Owner) -> None:
    keep, drop = login(session, owner), login(session, owner)
    dropped = service.resolve_session(session=session, token=drop, now=utcnow(), secret=SECRET)
    assert service.revoke_session(session=session, owner_id=owner.id, session_id=dropped.session_id)
    session.commit()
    assert service.resolve_session(session=session, token=drop, now=utcnow(), secret=SECRET) is None
    assert service.resolve_session(session=session, token=keep, now=utcnow(), secret=SECRET) is not None
    assert not service.revoke_session(session=session, owner_id=owner.id, session_id=dropped.session_id)


def test_the_session_list_names_the_device_and_marks_this_one(session: Session, owner: Owner) -> None:
    login(session, owner, now=utcnow() - timedelta(hours=2))
    current = service.resolve_session(session=session, token=login(session, owner), now=utcnow(), secret=SECRET)
    rows = service.list_sessions(session=session, owner_id=owner.id, current_id=current.session_id)
    assert [row.is_current for row in rows] == [True, False]  # most recently used first
    assert rows[0].device.startswith("Firefox 120") and "Linux" in rows[0].device


def test_logging_out_ends_only_that_session(session: Session, owner: Owner) -> None:
    first, second = login(session, owner), login(session, owner)
    service.end_session(session=session, token=first, secret=SECRET)
    session.commit()
    assert service.resolve_session(session=session, token=first, now=utcnow(), secret=SECRET) is None
    assert service.resolve_session(session=session, token=second, now=utcnow(), secret=SECRET) is not None


def test_setting_the_owner_again_changes_the_password_and_ends_every_session(session: Session, owner: Owner) -> None:
    token = login(session, owner)
    service.set_owner(session=session, email="new@example.com", password="another password")
    session.commit()
    assert len(session.exec(select(Owner)).all()) == 1
    assert service.resolve_session(session=session, token=token, now=utcnow(), secret=SECRET) is None
    assert service.authenticate(session=session, email="new@example.com", password="another password")
    assert service.authenticate(session=session, email="owner@example.com", password=PASSWORD) is None
