"""The owner check every page shares: who is this browser, and may it see private pages?

The session cookie is HttpOnly; Reflex gives the server the cookie header of the websocket
handshake, which is where we read it. Every owner page re-checks it against the database on load,
so a revoked or expired session is refused on the next page or action.
"""

from __future__ import annotations

from urllib.parse import quote

import reflex as rx

from accumulator import routes
from accumulator.auth import service
from accumulator.db import session_scope, utcnow
from accumulator.settings import get_settings


def cookie_value(cookie_header: str, name: str) -> str | None:
    for part in cookie_header.split(";"):
        key, _, value = part.strip().partition("=")
        if key == name:
            return value
    return None


class OwnerState(rx.State):
    """Whether this tab belongs to the logged-in owner. Other states subclass it to guard their handlers."""

    is_owner: bool = False
    owner_email: str = ""
    _session_id: int | None = None

    def _verify_owner(self) -> bool:
        """Check the cookie against the database now; sets is_owner and returns it."""
        token = cookie_value(self.router.headers.cookie or "", service.SESSION_COOKIE)
        with session_scope() as session:
            active = service.resolve_session(
                session=session, token=token, now=utcnow(), secret=get_settings().secret_key
            )
        self.is_owner = active is not None
        self.owner_email = active.email if active else ""
        self._session_id = active.session_id if active else None
        return self.is_owner

    def _login_redirect(self) -> rx.event.EventSpec:
        url = self.router.url
        # The static server adds a trailing slash to page paths; the canonical address has none.
        here = (url.path.rstrip("/") or "/") + (f"?{url.query}" if url.query else "")
        return rx.redirect(f"{routes.LOGIN}?next={quote(here, safe='/')}", replace=True)

    @rx.event
    def require_owner(self):
        """on_load of every owner page: send a visitor without a valid session to the login page."""
        if not self._verify_owner():
            return self._login_redirect()

    @rx.event
    def detect_owner(self):
        """on_load of public pages: only decides what the navigation shows."""
        self._verify_owner()
