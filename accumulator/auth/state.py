"""Thin Reflex states for the login page and the sessions page; the rules live in service.py."""

from __future__ import annotations

import reflex as rx

from accumulator import routes
from accumulator.auth import actions, reads
from accumulator.auth.reads import SessionRow
from accumulator.inputs import whole_number
from accumulator.runtime import get_services
from accumulator.ui.access import owner, public
from accumulator.ui.owner import OwnerState
from accumulator.web import safe_next

LOGIN_ERRORS = {
    "invalid": "Wrong e-mail or password.",
    "missing": "Enter your e-mail and password.",
}

__all__ = ["LoginState", "SessionRow", "SessionsState"]


class LoginState(OwnerState):
    next_path: str = routes.DASHBOARD
    error: str = ""
    needs_owner: bool = False

    @public
    async def load_login(self):
        params = self.router.url.query_parameters
        self.next_path = safe_next(params.get("next"))
        if await self._owner_check():
            return rx.redirect(self.next_path, replace=True)
        code = params.get("error", "")
        if code == "locked":
            retry = params.get("retry", "")
            known = whole_number(retry, max_digits=6) is not None
            self.error = f"Too many failed attempts. Try again in {retry} s." if known else "Too many failed attempts."
        else:
            self.error = LOGIN_ERRORS.get(code, "")
        self.needs_owner = not await reads.owner_exists(get_services())
        return None


class SessionsState(OwnerState):
    sessions: list[SessionRow] = []

    async def _load(self) -> None:
        owner_state = await self.get_state(OwnerState)
        self.sessions = await reads.sessions(
            get_services(), owner_id=owner_state._owner_id or 0, current_id=owner_state._session_id
        )

    @owner
    async def load_sessions(self):
        await self._load()

    @owner
    async def revoke(self, session_id: int):
        owner_state = await self.get_state(OwnerState)
        was_current = session_id == owner_state._session_id
        found = await actions.revoke_session(get_services(), owner_id=owner_state._owner_id or 0, session_id=session_id)
        if was_current:
            await self._forget_owner()
            return rx.redirect(routes.LOGIN, replace=True)
        await self._load()
        return rx.toast.success("Session revoked.") if found else rx.toast.info("That session had already ended.")
