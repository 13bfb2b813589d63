"""The dashboard's filters: which values may narrow it, checked as hostile input wherever they come
from (a URL query, a websocket event anyone can send, the CSV route), and the URL that keeps them.

At most one value per dimension; the dimensions are the joint rollup's columns (segment_models)
and a goal, which narrows only the goals table (goal events are counted per site, not with the
visit's page, referrer or agent, so nothing else can be split by goal)."""

from __future__ import annotations

from collections.abc import Iterable
from urllib.parse import urlencode

from accumulator.analytics import countries
from accumulator.analytics.event_parts import GOAL_MAX
from accumulator.analytics.incoming import SITE_NAME
from accumulator.analytics.models import PATH_MAX, SITE_MAX, VALUE_MAX
from accumulator.inputs import InputError, clean_name

# URL parameter -> (label, longest value); the order chips are shown in.
DIMENSIONS: dict[str, tuple[str, int]] = {
    "site": ("Site", SITE_MAX),
    "page": ("Page", PATH_MAX),
    "referrer": ("Referrer", VALUE_MAX),
    "country": ("Country", VALUE_MAX),
    "browser": ("Browser", VALUE_MAX),
    "os": ("System", VALUE_MAX),
    "device": ("Device", VALUE_MAX),
    "utm_source": ("Campaign source", VALUE_MAX),
    "utm_medium": ("Campaign medium", VALUE_MAX),
    "utm_campaign": ("Campaign", VALUE_MAX),
    "goal": ("Goal", GOAL_MAX),
}
VALUE_LONGEST = SITE_MAX + 1 + PATH_MAX  # a "site|path" or "site /path" the dashboard sends
PAGE_DIMENSIONS = frozenset({"site", "page"})  # exact per-page rollups answer these (visitors, reading)
Filters = tuple[tuple[str, str], ...]  # sorted (dimension, value) pairs: hashable, a cache key


class BadFilter(InputError):
    """A filter that cannot be applied; the message says why and is safe to show."""


def check(dimension: object, value: object) -> tuple[str, str]:
    """(dimension, value) if it is a filter the dashboard can apply, else BadFilter. The value must be
    exactly what could have been stored: nothing is trimmed or folded into a different value."""
    if not isinstance(dimension, str) or dimension not in DIMENSIONS:
        raise BadFilter(f"Unknown filter; one of: {', '.join(DIMENSIONS)}.")
    label, longest = DIMENSIONS[dimension]
    if not isinstance(value, str) or not value or len(value) > longest:
        raise BadFilter(f"{label} must be a value of 1 to {longest} characters.")
    if clean_name(value, field=label, max_length=longest, error=BadFilter) != value:
        raise BadFilter(f"{label} must be one line of text as it was counted.")
    if dimension == "page" and not value.startswith("/"):
        raise BadFilter("Page must be a path starting with /.")
    if dimension == "site" and not SITE_NAME.fullmatch(value):
        raise BadFilter(f"Site must be up to {SITE_MAX} letters, digits or . _ : -")
    return dimension, value


def from_pairs(pairs: Iterable[tuple[str, str]], *, strict: bool = False) -> Filters:
    """The filters of a URL query's (name, value) pairs. Names that are no filter (range, …) are
    skipped; a bad value, or two of one dimension, is BadFilter when `strict` (the HTTP route), and
    dropped otherwise (a hand-edited bookmark still opens, without what it got wrong)."""
    found: dict[str, str] = {}
    for name, value in pairs:
        if name not in DIMENSIONS:
            continue
        try:
            if name in found:
                raise BadFilter(f"At most one {DIMENSIONS[name][0].lower()} filter.")
            found.update([check(name, value)])
        except BadFilter:
            if strict:
                raise
            found.pop(name, None)
    return tuple(sorted(found.items()))


def with_filter(filters: Filters, dimension: str, value: str) -> Filters:
    """`filters` with this one added (it replaces another value of the same dimension)."""
    return tuple(sorted({**dict(filters), dimension: value}.items()))


def without(filters: Filters, dimension: str) -> Filters:
    return tuple(pair for pair in filters if pair[0] != dimension)


def narrowing(filters: Filters) -> dict[str, str]:
    """The filters that narrow the joint rollup, by its column names (the goal is not one)."""
    return {("path" if name == "page" else name): value for name, value in filters if name != "goal"}


def page_only(filters: Filters) -> bool:
    """Whether only a site and/or a page narrow the view: the per-page rollups then answer exactly."""
    names = {name for name, _ in filters if name != "goal"}
    return bool(names) and names <= PAGE_DIMENSIONS


def query(range_key: str, filters: Filters) -> str:
    """The dashboard URL's query for this range and these filters ("range=30&referrer=…")."""
    return urlencode([("range", range_key), *filters])


def chips(filters: Filters) -> list[dict[str, str]]:
    """What each filter's chip shows: {dimension, label, value} (a country by its name)."""
    shown = []
    for name, value in sorted(filters, key=lambda pair: list(DIMENSIONS).index(pair[0])):
        text = countries.label(value) if name == "country" else value
        shown.append({"dimension": name, "label": DIMENSIONS[name][0], "value": text})
    return shown
