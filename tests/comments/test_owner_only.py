"""The owner's comment and message pages are the owner's: every handler of their states is
declared `owner` (so an anonymous websocket call is refused and sent to the login page), and both
pages are listed among the pages that need the session."""

from __future__ import annotations

from accumulator import routes
from accumulator.auth.access import OWNER, declared
from accumulator.comments.state import CommentsState
from accumulator.contact.state import MessagesState
from accumulator.ui.nav_counts import NavCountsState


def own_handlers(state: type) -> dict[str, object]:
    """The handlers the state's own code defines (Reflex adds generic ones, like setvar)."""
    return {
        name: handler
        for name, handler in state.event_handlers.items()
        if getattr(handler.fn, "__module__", "").startswith("accumulator.")
    }


def test_every_handler_of_the_comments_and_messages_pages_needs_the_owner() -> None:
    for state in (CommentsState, MessagesState):
        handlers = own_handlers(state)
        assert handlers, state
        assert {name: declared(handler.fn).kind for name, handler in handlers.items()} == dict.fromkeys(handlers, OWNER)


def test_the_pages_need_the_session() -> None:
    assert {routes.COMMENTS, routes.MESSAGES} <= set(routes.OWNER_PAGES)


def test_the_navigation_counts_are_checked_like_any_owner_read() -> None:
    # Public, because every page (the public dashboard too) loads it; it checks the session itself.
    assert declared(own_handlers(NavCountsState)["load_counts"].fn).kind == "public"
