"""The browser push channel: every browser that subscribed (Web Push, `accumulator.push`)."""

from __future__ import annotations

from sqlalchemy.engine import Engine

from accumulator import push
from accumulator.notify.channels.base import Outgoing, Permanent, Transient
from accumulator.settings import Settings


def payload(message: Outgoing) -> dict:
    """What the service worker gets (assets/sw.js): the notification's text, where a click goes,
    and the buttons with the token each posts."""
    data: dict = {"title": message.title, "body": message.summary[:300], "url": message.path or "/"}
    data["tag"] = message.tag or message.kind
    if message.actions:
        data["actions"] = [
            {"action": action["action"], "title": action["label"], "token": action["token"]}
            for action in message.actions
        ]
    return data


class PushTransport:
    def __init__(self, engine: Engine, settings: Settings) -> None:
        self.engine, self.settings = engine, settings

    async def send(self, message: Outgoing) -> None:
        try:
            report = await push.send_to_all(self.engine, self.settings, payload(message))
        except push.PushError as exc:  # the message itself is refused (too large): sending again will not help
            raise Permanent(str(exc)) from None
        if report.delivered:
            return
        if report.failed:
            raise Transient("; ".join(report.errors) or "no push service accepted it")
        raise Permanent("no browser has enabled notifications")
