"""The optional parts of an event the tracker sends, checked like the rest (incoming.parse_event):

- a page view's query string (`q`), of which only the campaign is kept (utm_source, utm_medium,
  utm_campaign; `ref` stands for utm_source when that is missing); the rest is never stored;
- a leave's reading report: engaged seconds of the page view so far (`e`) and what the tab had
  reported before (`p`), the deepest scroll so far in percent (`s`) and the one reported before
  (`ps`), so each page view is counted once at its latest time (analytics/depth.py);
- a custom event's name and a few string properties (`accumulator.track(name, props)`).
"""

from __future__ import annotations

from dataclasses import dataclass
from urllib.parse import parse_qsl

from accumulator.analytics.models import VALUE_MAX
from accumulator.inputs import InputError, clean_name

QUERY_MAX = 2048
ENGAGED_MAX = 86_400  # seconds: a tab left visible for a day is still one day
GOAL_MAX = 64
PROPS_MAX = 8
PROP_KEY_MAX = 32
PROP_VALUE_MAX = 128
CAMPAIGN_FIELDS = ("utm_source", "utm_medium", "utm_campaign")


@dataclass(frozen=True)
class Reading:
    engaged: int = 0
    engaged_before: int = 0
    scroll: int = 0
    scroll_before: int = 0

    @property
    def news(self) -> bool:
        """Whether it adds anything to what the tab reported before."""
        return self.engaged > self.engaged_before or self.scroll > self.scroll_before


def campaign(data: dict, error: type[InputError]) -> tuple[str, str, str]:
    """(source, medium, campaign) from the page's query string; "" where absent."""
    query = data.get("q")
    if query is None or query == "":
        return ("", "", "")
    if not isinstance(query, str) or len(query) > QUERY_MAX:
        raise error(f"'q' must be the page's query string, up to {QUERY_MAX} characters.")
    found: dict[str, str] = {}
    for name, value in parse_qsl(query.removeprefix("?"), keep_blank_values=False):
        if (name in CAMPAIGN_FIELDS or name == "ref") and name not in found:
            found[name] = _value(value, name, error)
    source = found.get("utm_source") or found.get("ref", "")
    return (source, found.get("utm_medium", ""), found.get("utm_campaign", ""))


def _value(raw: str, name: str, error: type[InputError]) -> str:
    # Campaign values are shown as they are: one line of visible text, cut to what a breakdown holds.
    try:
        return clean_name(raw[:VALUE_MAX], field=f"'{name}'", max_length=VALUE_MAX, error=error)
    except InputError:
        return ""  # a campaign tag that is not text is dropped, not the page view


def _whole(data: dict, name: str, high: int, error: type[InputError]) -> int:
    value = data.get(name, 0)
    if isinstance(value, bool) or not isinstance(value, int | float) or not 0 <= value <= high:
        raise error(f"'{name}' must be a number from 0 to {high}.")
    return int(value)


def reading(data: dict, error: type[InputError]) -> Reading:
    engaged, before = _whole(data, "e", ENGAGED_MAX, error), _whole(data, "p", ENGAGED_MAX, error)
    scroll, scroll_before = _whole(data, "s", 100, error), _whole(data, "ps", 100, error)
    if before > engaged or scroll_before > scroll:
        raise error("A reading report cannot have less than the one before it ('p' ≤ 'e', 'ps' ≤ 's').")
    return Reading(engaged, before, scroll, scroll_before)


def goal(data: dict, error: type[InputError]) -> tuple[str, tuple[tuple[str, str], ...]]:
    """A custom event's (name, properties)."""
    name = clean_name(data.get("name"), field="'name'", max_length=GOAL_MAX, error=error)
    if not name:
        raise error("A custom event needs a 'name'.")
    props = data.get("props") or {}
    if not isinstance(props, dict) or len(props) > PROPS_MAX:
        raise error(f"'props' must be an object of at most {PROPS_MAX} string properties.")
    checked = []
    for key, value in props.items():
        key = clean_name(key, field="A property name", max_length=PROP_KEY_MAX, error=error)
        if not isinstance(value, str):
            raise error(f"Property {key!r} must be a string.")
        checked.append((key, clean_name(value, field=f"Property {key!r}", max_length=PROP_VALUE_MAX, error=error)))
    return name, tuple(sorted(checked))
