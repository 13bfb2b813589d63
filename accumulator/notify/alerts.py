"""What an alert is, and the kinds the app raises (the owner routes each kind to channels)."""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True)
class Kind:
    label: str
    urgent: bool  # urgent kinds go out during quiet hours; the others wait for their end


KINDS: dict[str, Kind] = {
    "plants": Kind("Plants need care", urgent=False),
    "comments": Kind("New comments and contact messages", urgent=False),
    "backup": Kind("A backup failed", urgent=True),
    "spotify": Kind("Spotify needs reconnecting", urgent=False),
    "traffic": Kind("Traffic spike", urgent=False),
    "paste_read": Kind("A shared paste was opened", urgent=False),
    "weekly": Kind("Weekly digest", urgent=False),
    "test": Kind("Test messages", urgent=True),  # the owner pressed "send a test": now, whatever the hour
}


@dataclass(frozen=True)
class Action:
    """A button on the notification ("Watered"): `token` is what the service worker posts, `url`
    the confirming page an e-mail links to."""

    action: str
    label: str
    token: str
    url: str = ""


@dataclass(frozen=True)
class Alert:
    kind: str
    key: str  # names the alert for good: the same key raised twice is one alert
    title: str
    body: str = ""
    summary: str = ""  # one line for push; empty: the body's first line
    html: str = ""
    link: str = ""
    tag: str = ""
    actions: tuple[Action, ...] = field(default=())
    urgent: bool | None = None  # None: as the kind says

    def __post_init__(self) -> None:
        if self.kind not in KINDS:
            raise ValueError(f"unknown alert kind {self.kind!r}")

    @property
    def is_urgent(self) -> bool:
        return KINDS[self.kind].urgent if self.urgent is None else self.urgent

    @property
    def short(self) -> str:
        return self.summary or next((line for line in self.body.splitlines() if line.strip()), "")
