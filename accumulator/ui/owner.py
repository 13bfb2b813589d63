"""The owner check every page shares: who is this tab, and may it see private data?

The session cookie is HttpOnly; Reflex gives the server the headers of the websocket handshake,
which is where the cookie and the connection's Origin are read. They are checked against the
database on every owner handler (`ui/access.py`), on every page load, at every (re)connection that
would send private data back (`AccessMiddleware`), and before every live push (`ui/live.py`).
A failed check clears every owner state of the tab, so nothing private stays in it.
"""

from __future__ import annotations

import logging
from urllib.parse import quote

import reflex as rx
from reflex.middleware import Middleware
from reflex.state import (
    BaseState,
    StateUpdate,
    _override_base_method,
)
from reflex_base.registry import RegistrationContext

from accumulator import routes
from accumulator.auth import service
from accumulator.auth.access import Access, cookie_value, declared, verify_owner
from accumulator.runtime import get_services
from accumulator.ui.access import public

log = logging.getLogger(__name__)

OWNER_CHECK = Access("owner")


def descendants(cls: type) -> list[type]:
    found = []
    for sub in cls.__subclasses__():
        found += [sub, *descendants(sub)]
    return found


def short_name(name: str) -> classmethod:
    """A state's `get_name` that names it `name` (the states derived from it keep their own names).
    Every push names each state it changes by its whole path (parent.child), and module paths made
    those names a fifth of a dashboard push."""

    @_override_base_method  # how Reflex lets a state override one of its own methods
    def get_name(cls: type[BaseState]) -> str:
        # "get_name" is in the class that set it, not in those that inherit it.
        return name if "get_name" in vars(cls) else BaseState.get_name.__func__(cls)

    return classmethod(get_name)


class OwnerState(rx.State):
    """Whether this tab belongs to the logged-in owner. Every state of the app derives from it."""

    get_name = short_name("owner")

    is_owner: bool = False
    owner_email: str = ""
    _session_id: int | None = None
    _owner_id: int | None = None

    async def _owner_check(self, access: Access = OWNER_CHECK, *, checked: dict | None = None) -> bool:
        """Check the cookie and origin of this tab's connection now; clears the tab if they fail.

        `checked` lets one round of live pushes check each (cookie, origin) once for all the tabs
        that share it (the owner's open dashboards): the answers of this moment, not a cache."""
        svc = get_services()
        if not access.needs_owner(svc.settings):
            return True
        headers = self.router.headers
        token = cookie_value(headers.cookie or "", service.SESSION_COOKIE)
        origin = headers.origin or None
        if checked is not None and (token, origin) in checked:
            active = checked[(token, origin)]
        else:
            active = await verify_owner(svc, token=token, origin=origin)
            if checked is not None:
                checked[(token, origin)] = active
        if active is None:
            await self._forget_owner()
            return False
        owner = await self.get_state(OwnerState)
        owner.is_owner, owner.owner_email = True, active.email
        owner._session_id, owner._owner_id = active.session_id, active.owner_id
        return True

    async def _forget_owner(self) -> None:
        """Reset every owner state of this tab to its defaults: no private value survives in it.
        Private data is only ever loaded after a check that set `is_owner`, and every failed check
        comes here: a tab that is not the owner's holds nothing to clear (and visitors' tabs stay small)."""
        owner = await self.get_state(OwnerState)
        if not owner.is_owner and owner._session_id is None:
            return
        for cls in descendants(OwnerState):
            await self.get_state(cls)  # loaded, so the reset below reaches it
        (await self.get_state(OwnerState)).reset()

    def _login_redirect(self) -> rx.event.EventSpec:
        url = self.router.url
        # The static server adds a trailing slash to page paths; the canonical address has none.
        here = (url.path.rstrip("/") or "/") + (f"?{url.query}" if url.query else "")
        return rx.redirect(f"{routes.LOGIN}?next={quote(here, safe='/')}", replace=True)

    def _refusal(self) -> rx.event.EventSpec:
        return self._login_redirect()

    @public
    async def require_owner(self):
        """on_load of every owner page: send a visitor without a valid session to the login page."""
        if not await self._owner_check():
            return self._login_redirect()

    @public
    async def detect_owner(self):
        """on_load of public pages: only decides what the navigation shows."""
        await self._owner_check()


def _is_ours(state: type[BaseState]) -> bool:
    return state.__module__.startswith("accumulator.")


class AccessMiddleware(Middleware):
    """Runs before every websocket event, with the tab's state locked:

    - an event for a handler of ours that carries no declaration (Reflex's generic `setvar`
      included) is refused, so nothing can be called that was not declared;
    - a (re)connection of a tab that holds owner data is checked first: without a valid session
      from an own origin, the owner states are cleared before the snapshot goes out."""

    async def preprocess(self, app: rx.App, state: BaseState, event: rx.event.Event) -> StateUpdate | None:
        registered = RegistrationContext.get().event_handlers.get(event.name)
        if registered is None:
            return None
        handler_state = registered.states[0] if registered.states else registered.handler.state
        if handler_state is not None and _is_ours(handler_state) and declared(registered.handler.fn) is None:
            log.warning("refused an undeclared handler: %s", event.name)
            return StateUpdate()
        if registered.handler.fn.__name__ in ("hydrate", "hydrate_and_load"):
            owner = await state.get_state(OwnerState)
            if owner.is_owner:
                await owner._owner_check()
        return None
