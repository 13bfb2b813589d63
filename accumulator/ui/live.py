"""Owner tabs that follow changes made elsewhere (another tab, another device, the HTTP API).

A page's state calls `follow(self)` when it loads; when its feature announces a change on the bus,
`reload_open_tabs` calls `_on_change(message)` on the state of every such tab still connected to
this process. Each process reloads its own tabs, so this works with any number of processes.
"""

from __future__ import annotations

import reflex as rx

from accumulator.api import get_services


def follow(state: rx.State, *, visitors: bool = False) -> None:
    """Reload this tab's `state` on its feature's changes, until the tab goes away. Owner pages
    follow only while the tab is the owner's; `visitors=True` is for public pages."""
    get_services().open_tabs[state.router.session.client_token] = (type(state), visitors)


async def reload_open_tabs(app: rx.App, kinds: tuple[type, ...], message: str) -> None:
    """Call `_on_change(message)` on the open tabs whose followed state is one of `kinds`."""
    tabs = get_services().open_tabs
    connected = app.event_namespace.token_to_sid
    for token, (kind, visitors) in list(tabs.items()):
        if token not in connected:
            tabs.pop(token, None)
            continue
        if not issubclass(kind, kinds):
            continue
        async with app.modify_state(rx.BaseStateToken(ident=token, cls=kind)) as root:
            state = await root.get_state(kind)
            if visitors or state.is_owner:  # a tab logged out since it loaded learns nothing new
                state._on_change(message)


async def follow_topic(app: rx.App, topic: str, kinds: tuple[type, ...]) -> None:
    """Lifespan task: every message on `topic`, from any process, reloads the tabs following `kinds`."""
    async with get_services().bus.subscribe(topic) as changes:
        async for message in changes:
            await reload_open_tabs(app, kinds, message)
