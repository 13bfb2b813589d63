"""`POST /api/contact` (JSON or a form) with the comments' spam rules, and the owner's inbox on
both databases: newest first, read and unread, deleted; nothing of a refused message is stored."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlmodel import Session, func, select
from starlette.testclient import TestClient

from accumulator.comments.models import Comment, CommentWord, OwnerNotice
from accumulator.contact import service
from accumulator.contact.models import ContactMessage
from accumulator.db import utcnow
from accumulator.runtime import Services
from tests.comments.conftest import BLOG, opened_stamp


def send(client: TestClient, svc: Services, *, form: bool = False, **fields: object):
    body = {"email": "reader@example.org", "message": "Hello there", "stamp": opened_stamp(svc), **fields}
    if form:
        return client.post("/api/contact", data=body, headers={"Origin": BLOG})
    return client.post("/api/contact", json=body, headers={"Origin": BLOG})


def count(session: Session) -> tuple[int, int]:
    session.expire_all()
    return (
        session.exec(select(func.count()).select_from(ContactMessage)).one(),
        session.exec(select(func.count()).select_from(OwnerNotice)).one(),
    )


@pytest.mark.parametrize("form", [False, True])
def test_a_message_is_taken_as_json_or_as_a_form(
    client: TestClient, services: Services, session: Session, form: bool
) -> None:
    answer = send(client, services, form=form)
    assert answer.status_code == 201 and answer.json()["status"] == "success"
    assert answer.headers["Access-Control-Allow-Origin"] == BLOG
    (row,) = service.inbox(session=session)
    assert (row.email, row.message, row.id) == ("reader@example.org", "Hello there", answer.json()["id"])
    assert count(session) == (1, 1)


@pytest.mark.parametrize(
    ("fields", "reason"),
    [
        ({"email": "not-an-address"}, "e-mail address is not valid"),
        ({"email": "a@b"}, "e-mail address is not valid"),
        ({"email": "x" * 250 + "@example.org"}, "254 characters"),
        ({"message": "m" * 5001}, "5,000 characters"),
        ({"message": ""}, "empty"),
        ({"website": "filled"}, "meant to stay empty"),
        ({"stamp": ""}, "opening stamp"),
        ({"message": "https://a.example https://b.example https://c.example https://d.example"}, "Too many links"),
        ({"message": "you frak"}, "does not accept"),
    ],
)
def test_each_rule_refuses_with_its_reason(
    client: TestClient, services: Services, session: Session, fields: dict, reason: str
) -> None:
    session.add(CommentWord(word="frak"))
    session.commit()
    answer = send(client, services, **fields)
    assert answer.status_code == 400 and reason in answer.json()["error"]
    assert count(session) == (0, 0)


def test_too_fast_and_too_many(client: TestClient, services: Services) -> None:
    assert send(client, services, stamp=opened_stamp(services, seconds_ago=0)).status_code == 429
    for _ in range(5):
        assert send(client, services).status_code == 201
    assert send(client, services).status_code == 429


def test_a_fresh_stamp_comes_from_get(client: TestClient) -> None:
    assert client.get("/api/contact", headers={"Origin": BLOG}).json()["stamp"]


def test_the_inbox_is_newest_first_with_unread_count(session: Session) -> None:
    now = utcnow()
    old = service.store_message(session=session, email="a@example.org", message="old", now=now - timedelta(days=1))
    new = service.store_message(session=session, email="b@example.org", message="new", now=now)
    session.commit()
    assert [m.message for m in service.inbox(session=session)] == ["new", "old"]
    assert service.unread_count(session=session) == 2
    assert service.mark_read(session=session, message_id=old.id, now=now)
    assert service.unread_count(session=session) == 1
    assert service.delete_message(session=session, message_id=new.id)
    assert not service.delete_message(session=session, message_id="nope")
    session.commit()
    assert [m.id for m in service.inbox(session=session)] == [old.id]


def test_a_page_of_another_site_cannot_send_a_message_or_a_comment(
    client: TestClient, services: Services, session: Session
) -> None:
    """Pages outside ALLOWED_ORIGINS may not write through a reader's browser (the route's
    declaration refuses them before the endpoint runs); nothing is stored."""
    body = {"email": "reader@example.org", "message": "Hello there", "stamp": opened_stamp(services)}
    for origin in ("https://evil.example", "null"):
        answer = client.post("/api/contact", json=body, headers={"Origin": origin})
        assert answer.status_code == 403 and "origin" in answer.json()["error"]
        comment = {"site": "blog", "path": "/a", "text": "Hi", "stamp": opened_stamp(services)}
        assert client.post("/api/comments", json=comment, headers={"Origin": origin}).status_code == 403
    assert count(session) == (0, 0)
    session.expire_all()
    assert session.exec(select(func.count()).select_from(Comment)).one() == 0
