"""The one contract every channel keeps: `send(message)` returns when the channel took the message,
or raises `Transient` (try again later: a network error, a server busy or down) or `Permanent`
(retrying changes nothing until the owner does: a refused login, an unknown address, a URL the
service does not understand). Messages say why in one line and hold no secret."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol

ERROR_MAX = 300


class ChannelFailure(Exception):
    permanent = False

    def __init__(self, reason: str) -> None:
        super().__init__(" ".join(reason.split())[:ERROR_MAX] or type(self).__name__)


class Transient(ChannelFailure):
    pass


class Permanent(ChannelFailure):
    permanent = True


@dataclass(frozen=True)
class Outgoing:
    """An alert as a channel sends it (stored alerts come back as this)."""

    kind: str
    title: str
    body: str
    summary: str
    html: str
    link: str  # a full URL (the app's base URL is already in front of a path)
    path: str  # the link as the app's own path, for push ("" when it points elsewhere)
    tag: str
    actions: tuple[dict[str, str], ...]  # {action, label, token, url}


class Transport(Protocol):
    async def send(self, message: Outgoing) -> None: ...
