"""Every spam rule of `POST /api/comments`, as the widget (or a bot) meets it: each refusal is a 4xx
with a one-line reason, and nothing of a refused comment is stored."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from sqlmodel import Session, func, select
from starlette.testclient import TestClient

from accumulator.comments import spam
from accumulator.comments.models import Comment, CommentWord, OwnerNotice
from accumulator.runtime import Services
from tests.comments.conftest import BLOG, PAGE, opened_stamp, post_comment


def stored(session: Session) -> tuple[int, int]:
    session.expire_all()
    return (
        session.exec(select(func.count()).select_from(Comment)).one(),
        session.exec(select(func.count()).select_from(OwnerNotice)).one(),
    )


def refused(answer, status: int, reason: str) -> None:
    assert answer.status_code == status, answer.text
    message = answer.json()["error"]
    assert reason in message and "\n" not in message


def test_a_good_comment_is_taken(client: TestClient, services: Services, session: Session) -> None:
    answer = post_comment(client, services)
    assert answer.status_code == 201
    assert answer.json()["status"] == "held" and answer.json()["author"]
    assert stored(session) == (1, 1)


@pytest.mark.parametrize(
    ("fields", "status", "reason"),
    [
        ({"website": "http://spam.example"}, 400, "meant to stay empty"),
        ({"stamp": None}, 400, "missing its opening stamp"),
        ({"stamp": "1700000000.0000"}, 400, "not valid"),
        ({"text": "x" * 5001}, 400, "5,000 characters"),
        ({"text": "   "}, 400, "empty"),
        (
            {"text": "a https://a.example b https://b.example c www.c.example d [d](https://d.example)"},
            400,
            "Too many links",
        ),
        ({"text": "you bc"}, 400, "does not accept"),
        ({"name": "x" * 81}, 400, "80 characters"),
        ({"site": ""}, 400, "site"),
        ({"path": "no-slash"}, 400, "start with /"),
        ({"parent_id": "1; drop"}, 400, "parent_id"),
        ({"parent_id": 99999}, 404, "not on this page"),
        ({"text": "nul \x00 here"}, 400, "NUL"),
    ],
)
def test_each_rule_refuses_with_its_reason_and_stores_nothing(
    client: TestClient, services: Services, session: Session, fields: dict, status: int, reason: str
) -> None:
    session.merge(CommentWord(word="bc"))  # the owner's filter (the migration seeds the original's list)
    session.commit()
    refused(post_comment(client, services, **fields), status, reason)
    assert stored(session) == (0, 0)


def test_a_form_sent_right_after_opening_is_refused(client: TestClient, services: Services, session: Session) -> None:
    answer = post_comment(client, services, stamp=opened_stamp(services, seconds_ago=0))
    refused(answer, 429, "Sent too fast")
    assert stored(session) == (0, 0)


def test_the_stamp_the_widget_gets_is_signed_and_dated(client: TestClient, services: Services) -> None:
    stamp = client.get("/api/comments", params=PAGE).json()["stamp"]
    moment, signature = stamp.split(".")
    assert spam.form_stamp(services.settings.secret_key, datetime.fromtimestamp(int(moment), tz=UTC)) == stamp
    refused(post_comment(client, services, stamp=f"{int(moment) - 60}.{signature}"), 400, "not valid")


def test_one_address_is_limited_per_minute(client: TestClient, services: Services, session: Session) -> None:
    for n in range(5):
        assert post_comment(client, services, ip="203.0.113.9", text=f"comment {n}").status_code == 201
    answer = post_comment(client, services, ip="203.0.113.9", text="one more")
    refused(answer, 429, "Too many messages from your address")
    assert answer.headers["Retry-After"]
    assert post_comment(client, services, ip="203.0.113.10").status_code == 201
    assert stored(session)[0] == 6


def test_one_page_is_limited_whoever_writes(client: TestClient, services: Services) -> None:
    for n in range(30):
        assert post_comment(client, services, ip=f"198.51.100.{n}", text=f"c{n}").status_code == 201
    refused(post_comment(client, services, ip="198.51.100.200"), 429, "This page is getting many comments")
    assert post_comment(client, services, ip="198.51.100.201", path="/posts/other").status_code == 201


def test_other_origins_may_not_post(client: TestClient, services: Services, session: Session) -> None:
    answer = client.post(
        "/api/comments",
        json={**PAGE, "text": "hi", "stamp": opened_stamp(services)},
        headers={"Origin": "https://evil.example"},
    )
    assert answer.status_code == 403
    assert stored(session) == (0, 0)


def test_a_body_that_is_not_json_or_too_big_is_refused(client: TestClient, services: Services) -> None:
    headers = {"Origin": BLOG, "Content-Type": "application/json"}
    assert client.post("/api/comments", content=b"{nope", headers=headers).status_code == 400
    assert client.post("/api/comments", content=b"[" * 40000, headers=headers).status_code == 413


def test_a_lone_surrogate_is_refused(client: TestClient, services: Services, session: Session) -> None:
    body = '{"site":"blog","path":"/p","text":"\\ud800","stamp":"' + opened_stamp(services) + '"}'
    answer = client.post(
        "/api/comments", content=body.encode(), headers={"Origin": BLOG, "Content-Type": "application/json"}
    )
    refused(answer, 400, "surrogate")
    assert stored(session) == (0, 0)
