"""Thin Reflex states for the login page and the sessions page; the rules live in service.py."""

from __future__ import annotations

from typing import TypedDict

import reflex as rx

from accumulator import routes
from accumulator.auth import service
from accumulator.db import session_scope, utcnow
from accumulator.settings import get_settings
from accumulator.timefmt import ago_text, local_text
from accumulator.ui.owner import OwnerState
from accumulator.web import safe_next

LOGIN_ERRORS = {
    "invalid": "Wrong e-mail or password.",
    "missing": "Enter your e-mail and password.",
}


class LoginState(OwnerState):
    next_path: str = routes.DASHBOARD
    error: str = ""
    needs_owner: bool = False

    @rx.event
    def load_login(self):
        params = self.router.url.query_parameters
        self.next_path = safe_next(params.get("next"))
        if self._verify_owner():
            return rx.redirect(self.next_path, replace=True)
        code = params.get("error", "")
        if code == "locked":
            retry = params.get("retry", "")
            self.error = (
                f"Too many failed attempts. Try again in {retry} s." if retry.isdigit() else "Too many failed attempts."
            )
        else:
            self.error = LOGIN_ERRORS.get(code, "")
        with session_scope() as session:
            self.needs_owner = service.get_owner(session=session) is None


class SessionRow(TypedDict):
    id: int
    device: str
    ip: str
    last_seen: str
    last_seen_ago: str
    created: str
    is_current: bool


class SessionsState(OwnerState):
    sessions: list[SessionRow] = []

    def _load(self) -> None:
        settings = get_settings()
        now = utcnow()
        with session_scope() as session:
            owner = service.get_owner(session=session)
            rows = service.list_sessions(session=session, owner_id=owner.id, current_id=self._session_id)
        self.sessions = [
            SessionRow(
                id=row.id,
                device=row.device,
                ip=row.ip or "unknown",
                last_seen=local_text(row.last_seen_at, settings.zone),
                last_seen_ago=ago_text(row.last_seen_at, now),
                created=local_text(row.created_at, settings.zone),
                is_current=row.is_current,
            )
            for row in rows
        ]

    @rx.event
    def load_sessions(self):
        if not self._verify_owner():
            return self._login_redirect()
        self._load()

    @rx.event
    def revoke(self, session_id: int):
        if not self._verify_owner():
            return self._login_redirect()
        was_current = session_id == self._session_id
        with session_scope() as session:
            owner = service.get_owner(session=session)
            found = service.revoke_session(session=session, owner_id=owner.id, session_id=session_id)
        if was_current:
            self.is_owner = False
            self.sessions = []
            return rx.redirect(routes.LOGIN, replace=True)
        self._load()
        return rx.toast.success("Session revoked.") if found else rx.toast.info("That session had already ended.")
