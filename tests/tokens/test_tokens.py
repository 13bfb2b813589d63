"""Personal access tokens as the owner sees them: made once and shown once, stored as a keyed hash,
refused at once when revoked or expired, read tokens unable to change anything, and tokens and
session cookies each confined to their own side (the token API / the owner's pages)."""

from __future__ import annotations

import asyncio
import subprocess
import sys
from datetime import timedelta
from pathlib import Path

import sqlalchemy as sa
from sqlmodel import Session, select
from starlette.testclient import TestClient

from accumulator.auth.service import token_hash
from accumulator.db import utcnow
from accumulator.notes import service as notes_service
from accumulator.notes.models import Note
from accumulator.runtime import Services
from accumulator.settings import PROJECT_ROOT
from accumulator.tokens import actions, reads, service
from accumulator.tokens.models import ApiToken
from tests.tokens.conftest import bearer, make_token


def test_a_token_is_stored_only_as_its_keyed_hash(services: Services, session: Session, engine) -> None:
    raw = make_token(services, "read", "Homepage")
    assert raw.startswith("acc_") and len(raw) > 40
    row = session.exec(select(ApiToken)).one()
    assert row.token_hash == token_hash(raw, secret=services.settings.secret_key)
    with engine.connect() as connection:
        dumped = str(connection.execute(sa.select(ApiToken.__table__)).all())
    assert raw not in dumped and raw[4:] not in dumped


def test_the_cli_prints_a_token_once_that_then_works(
    services: Services, client: TestClient, database: str, session: Session
) -> None:
    notes_service.create_workspace(session=session, title="Inbox")
    session.commit()
    env = {"DATA_DIR": str(services.settings.data_dir), "DATABASE_URL": database, "PATH": "/usr/bin:/bin"}
    done = subprocess.run(
        [sys.executable, "-m", "accumulator", "create-token", "--name", "phone", "--scope", "write",
         "--expires-days", "30"],
        cwd=PROJECT_ROOT, env=env, capture_output=True, text=True, timeout=60, stdin=subprocess.DEVNULL,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    raw = done.stdout.strip().splitlines()[-1]
    assert "Copy it now" in done.stdout and "write" in done.stdout
    answer = client.post("/api/v1/notes", json={"text": "from the CLI's token"}, headers=bearer(raw))
    assert answer.status_code == 201, answer.text
    listed = asyncio.run(reads.tokens(services))
    assert [(row["name"], row["scope"], row["expires"]) for row in listed] == [("phone", "write", "in 30 days")]


def test_the_cli_refuses_a_bad_scope_and_a_bad_expiry(services: Services, database: str) -> None:
    env = {"DATA_DIR": str(services.settings.data_dir), "DATABASE_URL": database, "PATH": "/usr/bin:/bin"}
    run = [sys.executable, "-m", "accumulator", "create-token", "--name", "x"]
    bad_scope = subprocess.run([*run, "--scope", "admin"], cwd=PROJECT_ROOT, env=env, capture_output=True, text=True)
    assert bad_scope.returncode == 2 and "invalid choice" in bad_scope.stderr
    bad_days = subprocess.run(
        [*run, "--scope", "read", "--expires-days", "0"], cwd=PROJECT_ROOT, env=env, capture_output=True, text=True
    )
    assert bad_days.returncode == 1 and "expires after 1 to 3650 days" in bad_days.stderr


def test_the_page_lists_each_tokens_scope_creation_use_and_expiry(services: Services, client: TestClient) -> None:
    raw = make_token(services, "read", "Glance", expires_days=7)
    make_token(services, "write", "Shortcut")
    assert client.get("/api/v1/workspaces", headers=bearer(raw)).status_code == 200
    rows = {row["name"]: row for row in asyncio.run(reads.tokens(services))}
    assert rows["Glance"]["scope"] == "read" and rows["Glance"]["expires"] == "in 7 days"
    assert rows["Glance"]["last_used"].startswith("just now from ")
    assert rows["Shortcut"]["last_used"] == "never" and rows["Shortcut"]["expires"] == "never"


def test_a_revoked_token_is_refused_on_its_very_next_request(services: Services, client: TestClient, session) -> None:
    raw = make_token(services, "read")
    assert client.get("/api/v1/workspaces", headers=bearer(raw)).status_code == 200
    token_id = session.exec(select(ApiToken.id)).one()
    assert asyncio.run(actions.revoke_token(services, token_id=token_id)) is True
    answer = client.get("/api/v1/workspaces", headers=bearer(raw))
    assert answer.status_code == 401
    assert answer.json()["error"]["code"] == "unauthorized"
    assert asyncio.run(actions.revoke_token(services, token_id=token_id)) is False


def test_an_expired_token_is_refused(services: Services, client: TestClient, engine) -> None:
    raw = make_token(services, "read", expires_days=1)
    assert client.get("/api/v1/workspaces", headers=bearer(raw)).status_code == 200
    with engine.begin() as connection:
        connection.execute(sa.update(ApiToken.__table__).values(expires_at=utcnow() - timedelta(seconds=1)))
    assert client.get("/api/v1/workspaces", headers=bearer(raw)).status_code == 401
    assert asyncio.run(reads.tokens(services))[0]["expired"] is True


def test_a_read_token_cannot_change_anything(services: Services, client: TestClient, session: Session) -> None:
    headers = bearer(make_token(services, "read"))
    for method, path, body in (
        ("POST", "/api/v1/notes", {"text": "should not be saved"}),
        ("DELETE", "/api/v1/notes/1", None),
        ("POST", "/api/v1/pastes", {"content": "no"}),
        ("POST", "/api/v1/plants/1/water", {}),
    ):
        answer = client.request(method, path, json=body, headers=headers)
        assert answer.status_code == 403, (method, path, answer.text)
        assert answer.json()["error"]["code"] == "forbidden"
    assert session.exec(select(Note)).all() == []


def test_a_session_cookie_does_not_open_the_token_api(owner: TestClient) -> None:
    """The logged-in owner's browser (cookie and own origin) gets the same 401 as anyone."""
    for path in ("/api/v1/workspaces", "/api/v1/analytics/summary"):
        answer = owner.get(path, headers={"Origin": "http://testserver"})
        assert answer.status_code == 401, answer.text
        assert answer.headers["WWW-Authenticate"].startswith("Bearer")
    assert owner.post("/api/v1/notes", json={"text": "csrf"}).status_code == 401


def test_a_token_does_not_open_the_owners_routes(services: Services, client: TestClient, session) -> None:
    headers = bearer(make_token(services, "write"))
    workspace_id = notes_service.create_workspace(session=session, title="Private").id
    session.commit()
    for path in ("/api/pastes", f"/api/notes/workspaces/{workspace_id}/export", "/api/plants/push/key"):
        assert client.get(path, headers=headers).status_code == 404, path
    assert client.post("/api/pastes", json={"content": "x"}, headers=headers).status_code == 401


def test_requests_past_a_tokens_rate_limit_get_429_with_retry_after(tmp_path: Path, database: str, engine) -> None:
    from accumulator.runtime import build_services
    from accumulator.settings import load_settings
    from tests.conftest import api_client

    settings = load_settings({"DATA_DIR": str(tmp_path / "d"), "DATABASE_URL": database, "API_RATE_LIMIT": "3"})
    svc = build_services(settings, engine)
    first, second = bearer(make_token(svc, "read", "a")), bearer(make_token(svc, "read", "b"))
    with api_client(svc) as client:
        assert [client.get("/api/v1/workspaces", headers=first).status_code for _ in range(3)] == [200] * 3
        refused = client.get("/api/v1/workspaces", headers=first)
        assert refused.status_code == 429
        assert refused.json()["error"]["code"] == "rate_limited"
        assert 1 <= int(refused.headers["Retry-After"]) <= 60
        assert client.get("/api/v1/workspaces", headers=second).status_code == 200  # per token


def test_last_use_is_written_at_most_once_a_minute(services: Services, client: TestClient, engine) -> None:
    headers = bearer(make_token(services, "read"))

    def last_used():
        with engine.connect() as connection:
            return connection.execute(sa.select(ApiToken.__table__.c.last_used_at)).scalar_one()

    statements: list[str] = []

    def count(_conn, _cursor, statement, *_args) -> None:
        if statement.lstrip().upper().startswith("UPDATE API_TOKEN"):
            statements.append(statement)

    sa.event.listen(engine, "before_cursor_execute", count)
    try:
        for _ in range(5):
            assert client.get("/api/v1/workspaces", headers=headers).status_code == 200
        first = last_used()
        assert first is not None and len(statements) == 1  # one write for five requests
        with engine.begin() as connection:  # a minute and a bit later
            connection.execute(sa.update(ApiToken.__table__).values(last_used_at=first - timedelta(seconds=61)))
        assert client.get("/api/v1/workspaces", headers=headers).status_code == 200
        assert last_used() > first - timedelta(seconds=61) and len(statements) == 3  # the backdating, and one
    finally:
        sa.event.remove(engine, "before_cursor_execute", count)


def test_token_rules_refuse_bad_names_scopes_and_expiries() -> None:
    for bad in ("", "   ", "a\x00b", "x" * 101):
        try:
            service.check_name(bad)
        except service.TokenError:
            continue
        raise AssertionError(f"accepted {bad!r}")
    assert service.check_expiry_days("never") is None and service.check_expiry_days("30") == 30
    for bad_days in (0, 3651, -1, True, "x", 1.5):
        try:
            service.check_expiry_days(bad_days)
        except service.TokenError:
            continue
        raise AssertionError(f"accepted {bad_days!r}")
    try:
        service.check_scope("admin")
    except service.TokenError:
        return
    raise AssertionError("accepted scope admin")
