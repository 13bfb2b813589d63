"""A tab's websocket as the Reflex front end speaks it (socket.io on /_event), for tests that play a
hostile client: any handler, any arguments, any token, with or without the cookie, from any origin."""

from __future__ import annotations

import asyncio
import json
import time
import uuid
from typing import Any

import socketio
from reflex_base.utils.format import format_event_handler


def event_name(state: type, handler: str) -> str:
    """The name the front end sends for `state.handler`."""
    return format_event_handler(state.event_handlers[handler])


NAMESPACE = "/_event"


class RefusedConnection(Exception):
    pass


class ReflexSocket:
    def __init__(self, url: str, *, token: str | None = None, cookie: str | None = None, origin: str | None = None):
        self.url = url
        self.token = token or str(uuid.uuid4())
        self.headers = {}
        if cookie:
            self.headers["Cookie"] = cookie
        if origin:
            self.headers["Origin"] = origin
        self.updates: list[dict[str, Any]] = []
        self.arrived_at: list[float] = []  # each update's arrival (time.monotonic())
        self._client = socketio.AsyncClient(reconnection=False)
        self._arrived = asyncio.Event()

        @self._client.on("event", namespace=NAMESPACE)
        async def received(update: Any) -> None:
            self.updates.append(update if isinstance(update, dict) else json.loads(update))
            self.arrived_at.append(time.monotonic())
            self._arrived.set()

    async def __aenter__(self) -> ReflexSocket:
        try:
            await self._client.connect(
                f"{self.url}?token={self.token}",
                socketio_path="/_event",
                transports=["websocket"],
                namespaces=[NAMESPACE],
                headers=self.headers,
                wait_timeout=5,
            )
        except socketio.exceptions.ConnectionError as exc:
            if self._client.eio.http is not None:
                await self._client.eio.http.close()  # the refused handshake's HTTP session
            raise RefusedConnection(str(exc)) from None
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self._client.disconnect()

    async def send(self, name: str, payload: dict[str, Any] | None = None, *, path: str = "/") -> list[dict]:
        """Send one event as a tab on `path` would; returns the updates that came back for it
        (everything that arrived until the socket has been quiet for a moment)."""
        start = len(self.updates)
        event = {"name": name, "payload": payload or {}, "router_data": {"pathname": path, "query": {}, "asPath": path}}
        await self._client.emit("event", event, namespace=NAMESPACE)
        await self.settle()
        return self.updates[start:]

    async def send_raw(self, event_json: str) -> list[dict]:
        """Send an event whose JSON is written by hand (e.g. nested deeper than any encoder allows)."""
        start = len(self.updates)
        await self._client.eio.send(f'2{NAMESPACE},["event",{event_json}]')
        await self.settle()
        return self.updates[start:]

    async def settle(self, quiet: float = 0.4, limit: float = 8.0) -> None:
        loop = asyncio.get_running_loop()
        deadline = loop.time() + limit
        while loop.time() < deadline:
            self._arrived.clear()
            try:
                await asyncio.wait_for(self._arrived.wait(), timeout=quiet)
            except TimeoutError:
                return

    async def hydrate(self, path: str) -> list[dict]:
        """What a (re)connecting tab on `path` is sent first: the whole state, then its page's loads."""
        from reflex.state import State

        return await self.send(event_name(State, "hydrate_and_load"), {}, path=path)


def text_of(updates: list[dict]) -> str:
    """Everything the updates carried, as one string to search for private values."""
    return json.dumps(updates, ensure_ascii=False)
