"""The one way open tabs follow changes made elsewhere (another tab, another device, the HTTP API,
a job, another process): declared topic → states.

A state declares the topics it follows (`follows: ClassVar[tuple[Topic, ...]]`) and an async
`_on_change(message)`; its page calls `follow(self)` when it loads. For every message on a
followed topic, `deliver` calls `_on_change` on the state of every tab of this process still
showing that page. Owner pages are checked again before each push (a revoked or logged-out tab is
cleared and gets nothing); `visitors=True` marks a public page. Each process serves its own tabs,
so this works with any number of processes.
"""

from __future__ import annotations

import asyncio
import logging
import time
from dataclasses import dataclass

import reflex as rx

from accumulator.runtime import Services, Topic, subscribe

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class OpenTab:
    kind: type  # the state class of the page
    path: str  # the page it follows on
    visitors: bool  # a public page: no owner check before a push


_open_tabs: dict[str, OpenTab] = {}


def _page(state: rx.State) -> str:
    return state.router.url.path.rstrip("/") or "/"


def follow(state: rx.State, *, visitors: bool = False) -> None:
    """Push this tab the changes its state follows, while it stays on this page."""
    _open_tabs[state.router.session.client_token] = OpenTab(type(state), _page(state), visitors)


def followers(kind: type) -> int:
    """How many tabs of this process follow on a page of `kind` (as last seen)."""
    return sum(1 for tab in _open_tabs.values() if issubclass(tab.kind, kind))


def _forget(token: str) -> None:
    tab = _open_tabs.pop(token, None)
    gone = getattr(tab.kind, "_on_gone", None) if tab else None
    if gone is not None:
        gone(token)  # e.g. the dashboard feed stops computing for a tab that closed


async def deliver(app: rx.App, topic: Topic, message: object) -> None:
    """Call `_on_change(message)` on every open tab whose state follows `topic`, one after another,
    spread over `topic.spread` seconds."""
    connected = app.event_namespace.token_to_sid
    checked: dict = {}  # each session checked once in this round, however many of its tabs are open
    spent: dict[type, float] = {}
    for token in [token for token in _open_tabs if token not in connected]:
        _forget(token)
    following = [(token, tab) for token, tab in list(_open_tabs.items()) if topic in tab.kind.follows]
    pause = topic.spread / len(following) if len(following) > 1 else 0.0
    for place, (token, tab) in enumerate(following):
        if place and pause:
            await asyncio.sleep(pause)
        if token not in connected:  # gone while the pushes were spread
            _forget(token)
            continue
        started = time.monotonic()
        try:
            async with app.modify_state(rx.BaseStateToken(ident=token, cls=tab.kind)) as root:
                if _page(root) != tab.path:  # the tab moved on to another page
                    _forget(token)
                    continue
                state = await root.get_state(tab.kind)
                if not tab.visitors and not await state._owner_check(checked=checked):
                    _forget(token)  # logged out or revoked: cleared, and no more pushes
                    continue
                await state._on_change(message)
        except Exception:
            log.exception("pushing %s to a tab failed", topic.name)
        spent[tab.kind] = spent.get(tab.kind, 0.0) + time.monotonic() - started
    for kind, seconds in spent.items():
        told = getattr(kind, "_on_delivered", None)
        if told is not None:
            told(seconds)  # e.g. the dashboard feed paces its refreshes by what pushing them costs


def followed_topics(states: list[type]) -> list[Topic]:
    return list(dict.fromkeys(topic for state in states for topic in getattr(state, "follows", ())))


async def follow_topics(app: rx.App, svc: Services, states: list[type]) -> None:
    """Lifespan task: every message on a topic some state follows, from any process, is delivered."""

    async def follow_one(topic: Topic) -> None:
        async with subscribe(svc, topic) as messages:
            async for message in messages:
                await deliver(app, topic, message)

    await asyncio.gather(*(follow_one(topic) for topic in followed_topics(states)))
