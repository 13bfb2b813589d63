"""An event as the tracker sends it to POST /api/event, checked as hostile input before anything
else sees it: the type, site, path, tab token and referrer, and the optional parts (event_parts.py).
Every text it lets through is one the database can store (valid Unicode, no NUL, bounded)."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from urllib.parse import urlsplit

from accumulator.analytics import event_parts as parts
from accumulator.analytics import service
from accumulator.analytics.models import PATH_MAX, SITE_MAX, VALUE_MAX
from accumulator.inputs import InputError, clean_name, clean_text, parse_json

EVENT_BODY_MAX = 4 * 1024
EVENT_TYPES = frozenset({"pageview", "heartbeat", "leave", "like", "event"})
COUNTED_TYPES = frozenset({"pageview", "like", "event"})  # and a leave that reports reading (`counted`)
SITE_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._:-]*$")  # every stored site name is one
_VISITOR = re.compile(r"^[A-Za-z0-9_-]{8,64}$")


class BadEvent(InputError):
    """The event cannot be accepted; the message says why and is safe to return."""


@dataclass(frozen=True)
class IncomingEvent:
    type: str
    site: str
    path: str
    visitor: str
    referrer: str = ""
    campaign: tuple[str, str, str] = ("", "", "")  # a page view's utm source, medium, campaign
    reading: parts.Reading = field(default_factory=parts.Reading)  # a leave's report of engaged time and scroll
    goal: str = ""  # a custom event's name
    props: tuple[tuple[str, str], ...] = ()

    @property
    def counted(self) -> bool:
        return self.type in COUNTED_TYPES or (self.type == "leave" and self.reading.news)


REFERRER_MAX = 2048


def _text(data: dict, name: str, *, required: bool = True) -> str:
    value = data.get(name)
    if value is None and not required:
        return ""
    if not isinstance(value, str) or (required and not value):
        raise BadEvent(f"'{name}' must be a non-empty string.")
    return value


def parse_event(body: bytes) -> IncomingEvent:
    """Decode and check one event body. Raises BadEvent with a one-line reason.

    Every text is one the database can store (valid Unicode, no NUL, bounded), so an accepted
    event can always be written."""
    data = parse_json(body, error=BadEvent)
    if not isinstance(data, dict):
        raise BadEvent("The body must be a JSON object.")
    kind = _text(data, "type")
    if kind not in EVENT_TYPES:
        raise BadEvent(f"Unknown event type; expected one of {', '.join(sorted(EVENT_TYPES))}.")
    site, visitor = _text(data, "site"), _text(data, "visitor")
    if len(site) > SITE_MAX or not SITE_NAME.fullmatch(site):
        raise BadEvent(f"'site' must be up to {SITE_MAX} letters, digits or . _ : -")
    path = clean_name(_text(data, "path"), field="'path'", max_length=PATH_MAX, error=BadEvent)
    if not path.startswith("/"):
        raise BadEvent("'path' must start with /.")
    if not _VISITOR.fullmatch(visitor):
        raise BadEvent("'visitor' must be 8 to 64 letters, digits, - or _.")
    referrer = clean_text(
        _text(data, "referrer", required=False)[:REFERRER_MAX],
        field="'referrer'",
        max_length=REFERRER_MAX,
        single_line=True,
        error=BadEvent,
    )
    extra: dict = {}
    if kind == "pageview":
        extra["campaign"] = parts.campaign(data, BadEvent)
    elif kind == "leave":
        extra["reading"] = parts.reading(data, BadEvent)
    elif kind == "event":
        extra["goal"], extra["props"] = parts.goal(data, BadEvent)
    return IncomingEvent(type=kind, site=site, path=path, visitor=visitor, referrer=referrer, **extra)


def referrer_host(referrer: str, page_origin: str | None) -> str:
    """The host a visitor came from, or '(direct)' for none, an unreadable one, or the site itself."""
    try:
        host = (urlsplit(referrer).hostname or "").lower()
    except ValueError:
        host = ""
    if host.startswith("www."):
        host = host[4:]
    if not host:
        return service.DIRECT
    if page_origin:
        own = (urlsplit(page_origin).hostname or "").lower().removeprefix("www.")
        if host == own:
            return service.DIRECT
    return host[:VALUE_MAX]
