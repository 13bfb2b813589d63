"""A tab whose session was revoked, or that logged out, gets nothing more: no live pushes of
private changes, and no replay of the private state it held when its token reconnects."""

from __future__ import annotations

import httpx
from sqlmodel import Session, select

from accumulator.auth.models import OwnerSession
from accumulator.auth.service import token_hash
from accumulator.notes.state import NotesState
from accumulator.settings import load_settings
from tests.reflex_socket import ReflexSocket, event_name, text_of
from tests.security.conftest import SECRETS, Backend, run

LATER_NOTE = "written after the revocation 7f3a"


async def _open_notes(tab: ReflexSocket, backend: Backend) -> str:
    await tab.hydrate("/notes")
    await tab.send(event_name(NotesState, "load_notes"), path="/notes")
    shown = await tab.send(
        event_name(NotesState, "switch_workspace"), {"workspace_id": backend.workspace_id}, path="/notes"
    )
    return text_of(shown)


def _revoke(backend: Backend, cookie: str) -> None:
    secret = load_settings({"DATA_DIR": str(backend.data_dir), "DATABASE_URL": "sqlite:///x"}).secret_key
    with Session(backend.engine) as session:
        row = session.exec(
            select(OwnerSession).where(OwnerSession.token_hash == token_hash(cookie.partition("=")[2], secret=secret))
        ).one()
        session.delete(row)
        session.commit()


def test_a_revoked_tab_receives_no_more_private_changes(backend: Backend) -> None:
    revoked_cookie, other_cookie = backend.log_in(), backend.log_in()

    async def scenario() -> tuple[str, str, str]:
        async with (
            ReflexSocket(backend.url, cookie=revoked_cookie, origin=backend.own_origin) as revoked,
            ReflexSocket(backend.url, cookie=other_cookie, origin=backend.own_origin) as writer,
        ):
            before = await _open_notes(revoked, backend)
            await _open_notes(writer, backend)
            _revoke(backend, revoked_cookie)
            start = len(revoked.updates)
            written = await writer.send(
                event_name(NotesState, "send_note"), {"form": {"text": LATER_NOTE}}, path="/notes"
            )
            await revoked.settle(quiet=1.0)
            return before, text_of(written), text_of(revoked.updates[start:])

    before, written, pushed = run(scenario())
    assert SECRETS["note"] in before  # the tab was the owner's
    assert LATER_NOTE in written  # the other tab wrote it and sees it
    assert LATER_NOTE not in pushed and SECRETS["note"] not in pushed


def test_a_logged_out_tabs_token_reconnecting_without_the_cookie_gets_no_private_state(backend: Backend) -> None:
    cookie = backend.log_in()

    async def scenario() -> tuple[str, str, str]:
        async with ReflexSocket(backend.url, cookie=cookie, origin=backend.own_origin) as tab:
            shown = await _open_notes(tab, backend)
            token = tab.token
        assert httpx.post(f"{backend.url}/api/auth/logout", headers={"Cookie": cookie}).status_code == 200
        # The same tab token, as an attacker who read it from the tab's sessionStorage would send it.
        async with ReflexSocket(backend.url, token=token, origin=backend.own_origin) as replayed:
            without_cookie = text_of(await replayed.hydrate("/notes"))
        async with ReflexSocket(backend.url, token=token, cookie=cookie, origin=backend.own_origin) as replayed:
            with_dead_cookie = text_of(await replayed.hydrate("/notes"))
        return shown, without_cookie, with_dead_cookie

    shown, without_cookie, with_dead_cookie = run(scenario())
    assert SECRETS["note"] in shown and SECRETS["workspace"] in shown
    for replay in (without_cookie, with_dead_cookie):
        assert SECRETS["note"] not in replay
        assert SECRETS["workspace"] not in replay
        assert SECRETS["email"] not in replay
