"""/api/v1 for comments and contact messages as a script or a dashboard uses them, on SQLite and
PostgreSQL: comments and messages arrive through the public routes the owner's site calls (the
widget's POST /api/comments, the form's POST /api/contact), then are read and moderated with a token."""

from __future__ import annotations

import uuid
from datetime import datetime
from pathlib import Path

import pytest
from starlette.testclient import TestClient

from accumulator.apiv1.shapes import encode_cursor
from accumulator.runtime import Services
from accumulator.settings import Settings, load_settings
from tests.comments.conftest import BLOG, opened_stamp, post_comment, readers_see

HELLO = {"site": "blog", "path": "/posts/hello"}


@pytest.fixture
def settings(tmp_path: Path, database: str) -> Settings:
    """The owner's blog may post comments and messages; each test posts from addresses of its own
    (one proxy hop trusted), under the per-address limit."""
    return load_settings(
        {
            "DATA_DIR": str(tmp_path / "data"),
            "DATABASE_URL": database,
            "ALLOWED_ORIGINS": BLOG,
            "TRUSTED_PROXY_HOPS": "1",
        }
    )


def _offset(stamp: str) -> None:
    assert datetime.fromisoformat(stamp).tzinfo is not None and stamp.endswith("+00:00"), stamp


def _posted(client: TestClient, svc: Services, ip: str, **fields: object) -> dict:
    answer = post_comment(client, svc, ip=ip, **fields)
    assert answer.status_code == 201, answer.text
    return answer.json()


def _send_message(client: TestClient, svc: Services, message: str, ip: str = "198.51.100.9") -> str:
    body = {"email": "reader@example.org", "message": message, "stamp": opened_stamp(svc)}
    answer = client.post("/api/contact", json=body, headers={"Origin": BLOG, "X-Forwarded-For": ip})
    assert answer.status_code == 201, answer.text
    return answer.json()["id"]


def test_comments_list_newest_first_filtered_and_paged_with_counts_per_page(
    client: TestClient, services: Services, read_token: dict
) -> None:
    for number, ip in enumerate(("192.0.2.1", "192.0.2.2", "192.0.2.3")):
        _posted(client, services, ip, text=f"Comment {number} <script>alert(1)</script> **bold**", name="Ann")
    _posted(client, services, "192.0.2.4", path="/posts/other", text="Elsewhere")

    listed = client.get("/api/v1/comments", headers=read_token)
    assert listed.status_code == 200, listed.text
    items = listed.json()["items"]
    assert [item["text"].split(" <")[0] for item in items] == ["Elsewhere", "Comment 2", "Comment 1", "Comment 0"]
    first = items[1]
    assert isinstance(first["id"], str) and first["parent_id"] is None and first["depth"] == 0
    assert {key: first[key] for key in ("site", "path", "author_name", "is_owner")} == {
        **HELLO,
        "author_name": "Ann",
        "is_owner": False,
    }
    assert first["status"] == "held" and first["author_blockable"] is True  # a first-time author is held
    assert "<script" not in first["html"] and "<strong>bold</strong>" in first["html"]
    assert first["url"] == "http://testserver/comments"
    _offset(first["created_at"])

    page = client.get("/api/v1/comments", params={**HELLO, "limit": 2}, headers=read_token).json()
    assert [item["text"][:9] for item in page["items"]] == ["Comment 2", "Comment 1"] and page["next_cursor"]
    rest = client.get(
        "/api/v1/comments", params={**HELLO, "limit": 2, "cursor": page["next_cursor"]}, headers=read_token
    ).json()
    assert [item["text"][:9] for item in rest["items"]] == ["Comment 0"] and rest["next_cursor"] is None
    assert client.get("/api/v1/comments", params={"status": "published"}, headers=read_token).json()["items"] == []
    assert (
        len(
            client.get("/api/v1/comments", params={"site": "blog", "status": "held"}, headers=read_token).json()[
                "items"
            ]
        )
        == 4
    )
    assert client.get("/api/v1/comments", params={"site": "shop"}, headers=read_token).json()["items"] == []
    assert client.get("/api/v1/comments", params={"status": "spam"}, headers=read_token).status_code == 400

    counts = client.get("/api/v1/comments/pages", headers=read_token).json()
    assert counts["items"] == [
        {"site": "blog", "path": "/posts/hello", "published": 0, "held": 3, "hidden": 0},
        {"site": "blog", "path": "/posts/other", "published": 0, "held": 1, "hidden": 0},
    ]
    one = client.get("/api/v1/comments/pages", params={"limit": 1}, headers=read_token).json()
    assert len(one["items"]) == 1 and one["next_cursor"]
    assert client.get(f"/api/v1/comments/{first['id']}", headers=read_token).json() == first


def test_approve_hide_reply_and_delete_with_replies(client: TestClient, services: Services, write_token: dict) -> None:
    held = _posted(client, services, "192.0.2.10", text="Please approve me")
    assert held["status"] == "held" and readers_see(client) == []
    (row,) = client.get("/api/v1/comments", headers=write_token).json()["items"]

    approved = client.post(f"/api/v1/comments/{row['id']}/approve", headers=write_token)
    assert approved.status_code == 200, approved.text
    assert approved.json()["status"] == "published"
    assert [c["id"] for c in readers_see(client)] == [int(row["id"])]

    hidden = client.post(f"/api/v1/comments/{row['id']}/hide", headers=write_token)
    assert hidden.status_code == 200 and hidden.json()["status"] == "hidden" and readers_see(client) == []
    client.post(f"/api/v1/comments/{row['id']}/approve", headers=write_token)

    # A reader answers, and the owner answers that reply.
    reader_reply = _posted(client, services, "192.0.2.11", text="Me too", parent_id=int(row["id"]))
    assert reader_reply["status"] == "held"  # a new author: held, whatever they answer
    reply_id = str(reader_reply_id(client, write_token, "Me too"))
    answer = client.post(f"/api/v1/comments/{reply_id}/replies", json={"text": "Thanks, *both*"}, headers=write_token)
    assert answer.status_code == 201, answer.text
    owners = answer.json()
    assert owners["is_owner"] is True and owners["status"] == "published" and owners["parent_id"] == reply_id
    assert owners["author_blockable"] is False and "<em>both</em>" in owners["html"] and owners["depth"] == 2
    # Answering the held reply published it: the answer needs its question.
    assert client.get(f"/api/v1/comments/{reply_id}", headers=write_token).json()["status"] == "published"
    assert {c["is_owner"] for c in readers_see(client)} == {False, True} and len(readers_see(client)) == 3

    for body, status in (({"text": "   "}, 400), ({"text": "x" * 5001}, 400), ({"text": "a\x00b"}, 400), ({}, 400),
                         ({"text": "ok", "extra": 1}, 400), ({"text": 5}, 400)):  # fmt: skip
        refused = client.post(f"/api/v1/comments/{row['id']}/replies", json=body, headers=write_token)
        assert refused.status_code == status and refused.json()["error"]["code"] == "bad_request", (body, refused.text)
    assert client.post("/api/v1/comments/999999/replies", json={"text": "hi"}, headers=write_token).status_code == 404

    deleted = client.delete(f"/api/v1/comments/{row['id']}", headers=write_token)
    assert deleted.status_code == 200, deleted.text
    assert deleted.json()["removed"] == 3
    assert set(deleted.json()["ids"]) == {row["id"], reply_id, owners["id"]}
    for comment_id in deleted.json()["ids"]:
        gone = client.get(f"/api/v1/comments/{comment_id}", headers=write_token)
        assert gone.status_code == 404 and gone.json()["error"]["code"] == "not_found"
    assert readers_see(client) == [] and client.get("/api/v1/comments", headers=write_token).json()["items"] == []
    assert client.delete(f"/api/v1/comments/{row['id']}", headers=write_token).status_code == 404
    assert client.post(f"/api/v1/comments/{row['id']}/approve", headers=write_token).status_code == 404


def reader_reply_id(client: TestClient, token: dict, text: str) -> int:
    items = client.get("/api/v1/comments", headers=token).json()["items"]
    return next(int(item["id"]) for item in items if item["text"] == text)


def test_blocking_an_author_refuses_their_next_comment_and_hides_their_held_ones(
    client: TestClient, services: Services, write_token: dict
) -> None:
    first = _posted(client, services, "192.0.2.20", text="First")
    _posted(client, services, "192.0.2.21", text="Second", author=first["author"])
    items = client.get("/api/v1/comments", headers=write_token).json()["items"]
    blocked = client.post(f"/api/v1/comments/{items[-1]['id']}/block-author", headers=write_token)
    assert blocked.status_code == 200, blocked.text
    assert blocked.json()["status"] == "hidden"  # it was held: hidden with the author's other held ones
    assert {item["status"] for item in client.get("/api/v1/comments", headers=write_token).json()["items"]} == {
        "hidden"
    }
    again = post_comment(client, services, ip="192.0.2.22", text="Third", author=first["author"])
    assert again.status_code == 403

    client.post(f"/api/v1/comments/{items[0]['id']}/approve", headers=write_token)
    owners = client.post(f"/api/v1/comments/{items[0]['id']}/replies", json={"text": "Mine"}, headers=write_token)
    no_author = client.post(f"/api/v1/comments/{owners.json()['id']}/block-author", headers=write_token)
    assert no_author.status_code == 409 and no_author.json()["error"]["code"] == "conflict"
    assert client.post("/api/v1/comments/999999/block-author", headers=write_token).status_code == 404


def test_contact_messages_list_count_mark_read_and_delete(
    client: TestClient, services: Services, write_token: dict
) -> None:
    ids = [_send_message(client, services, f"Message {n}", ip=f"198.51.100.{n}") for n in range(3)]
    listed = client.get("/api/v1/messages", params={"limit": 2}, headers=write_token)
    assert listed.status_code == 200, listed.text
    page = listed.json()
    assert [item["message"] for item in page["items"]] == ["Message 2", "Message 1"] and page["next_cursor"]
    rest = client.get("/api/v1/messages", params={"limit": 2, "cursor": page["next_cursor"]}, headers=write_token)
    assert [item["id"] for item in rest.json()["items"]] == [ids[0]] and rest.json()["next_cursor"] is None
    newest = page["items"][0]
    assert (newest["id"], newest["email"], newest["unread"], newest["read_at"]) == (
        ids[2],
        "reader@example.org",
        True,
        None,
    )
    assert newest["url"] == "http://testserver/messages"
    _offset(newest["created_at"])
    assert client.get("/api/v1/messages/unread-count", headers=write_token).json() == {"unread": 3}

    read = client.patch(f"/api/v1/messages/{ids[1]}", json={"read": True}, headers=write_token)
    assert read.status_code == 200, read.text
    assert read.json()["unread"] is False
    _offset(read.json()["read_at"])
    assert client.get("/api/v1/messages/unread-count", headers=write_token).json() == {"unread": 2}
    unread = client.get("/api/v1/messages", params={"unread": "true"}, headers=write_token).json()["items"]
    assert [item["id"] for item in unread] == [ids[2], ids[0]]
    again = client.patch(f"/api/v1/messages/{ids[1]}", json={"read": False}, headers=write_token).json()
    assert again["unread"] is True and again["read_at"] is None
    assert client.get(f"/api/v1/messages/{ids[1]}", headers=write_token).json() == again
    assert client.patch(f"/api/v1/messages/{ids[1]}", json={"read": "yes"}, headers=write_token).status_code == 400

    assert client.delete(f"/api/v1/messages/{ids[1]}", headers=write_token).status_code == 204
    gone = client.get(f"/api/v1/messages/{ids[1]}", headers=write_token)
    assert gone.status_code == 404 and gone.json()["error"]["code"] == "not_found"
    assert client.delete(f"/api/v1/messages/{ids[1]}", headers=write_token).status_code == 404
    assert client.patch(f"/api/v1/messages/{ids[1]}", json={"read": True}, headers=write_token).status_code == 404
    assert len(client.get("/api/v1/messages", headers=write_token).json()["items"]) == 2


def test_a_read_token_cannot_moderate_and_unknown_ids_are_404(
    client: TestClient, services: Services, read_token: dict
) -> None:
    _posted(client, services, "192.0.2.30", text="Hello")
    message_id = _send_message(client, services, "Hi")
    (row,) = client.get("/api/v1/comments", headers=read_token).json()["items"]
    writes = [
        ("POST", f"/api/v1/comments/{row['id']}/approve", None),
        ("POST", f"/api/v1/comments/{row['id']}/hide", None),
        ("DELETE", f"/api/v1/comments/{row['id']}", None),
        ("POST", f"/api/v1/comments/{row['id']}/replies", {"text": "hi"}),
        ("POST", f"/api/v1/comments/{row['id']}/block-author", None),
        ("PATCH", f"/api/v1/messages/{message_id}", {"read": True}),
        ("DELETE", f"/api/v1/messages/{message_id}", None),
    ]
    for method, path, body in writes:
        refused = client.request(method, path, json=body, headers=read_token)
        assert refused.status_code == 403 and refused.json()["error"]["code"] == "forbidden", (method, path)
    assert client.get(f"/api/v1/comments/{row['id']}", headers=read_token).json()["status"] == "held"  # unchanged
    assert client.get(f"/api/v1/messages/{message_id}", headers=read_token).json()["unread"] is True

    unknown = [
        "/api/v1/comments/999999", "/api/v1/comments/0", "/api/v1/comments/4500348510",
        "/api/v1/comments/99999999999999999999999", "/api/v1/comments/%C2%B3", "/api/v1/comments/%C2%B3/approve",
        "/api/v1/comments/abc", f"/api/v1/messages/{uuid.uuid4()}", "/api/v1/messages/not-a-message",
        f"/api/v1/messages/{message_id.upper()}", "/api/v1/messages/%C2%B3",
    ]  # fmt: skip
    for path in unknown:
        answer = client.get(path, headers=read_token)
        assert answer.status_code == 404 and answer.json()["error"]["code"] == "not_found", (path, answer.text)
    # The count is its own address, not a message whose id is "unread-count".
    wrong = client.delete("/api/v1/messages/unread-count", headers=read_token)
    assert wrong.status_code == 405 and wrong.headers["Allow"] == "GET"


@pytest.mark.parametrize("path", ["/api/v1/notes", "/api/v1/comments", "/api/v1/messages"])
def test_a_cursor_this_api_did_not_give_is_400(client: TestClient, read_token: dict, path: str) -> None:
    """Cursors come back from anyone: a time without its offset (the UTC columns refuse it), one
    past what a UTC time can hold, an id of the wrong kind, or text no database stores."""
    forged = [
        "not base64!",
        encode_cursor(["2024-01-01T00:00:00", 5]),
        encode_cursor(["0001-01-01T00:00:00+14:00", 5]),
        encode_cursor(["2024-01-01T00:00:00+00:00", 2**40]),
        encode_cursor(["2024-01-01T00:00:00+00:00", "a\u0000b"]),
        encode_cursor(["2024-01-01T00:00:00+00:00", True]),
        encode_cursor({"a": 1}),
        encode_cursor(7),
    ]
    for cursor in forged:
        answer = client.get(path, params={"cursor": cursor}, headers=read_token)
        assert answer.status_code == 400 and answer.json()["error"]["code"] == "bad_cursor", (cursor, answer.text)
