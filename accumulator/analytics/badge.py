"""A small SVG badge of one page's numbers for the owner's blog, like shields.io's: "views | 1,234"
or "reading now | 3" (`GET /api/stats/badge.svg`).

It sits on every page of the blog, so each badge is rendered once per few seconds per process and
kept (views 30 s, reading now 5 s): a popular page costs one read per window, however many readers
load it, and a browser that has it gets a 304 for its ETag.
"""

from __future__ import annotations

import asyncio
import hashlib
import math
import time
from collections import OrderedDict
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from functools import partial

from accumulator import svg
from accumulator.analytics import reads
from accumulator.analytics.live_stream import value_of
from accumulator.analytics.page_query import PageRef
from accumulator.runtime import Services

SHOWS = ("views", "reading")
LABELS = {"views": "views", "reading": "reading now"}
LIFETIMES = {"views": 30.0, "reading": 5.0}  # seconds a rendered badge is served as it is
CACHE_SIZE = 1024  # badges kept; any site/path may be asked for, so the cache must not grow with them

# shields.io's font and its advance widths at 11 px (Verdana), so the text fits its box; the
# `textLength` attribute squeezes it into place where another font stands in.
FONT_FAMILY = "Verdana,Geneva,DejaVu Sans,sans-serif"
_WIDTHS = {**dict.fromkeys("0123456789", 7.0), ",": 4.0, ".": 4.0, " ": 3.9, "i": 3.0, "r": 4.7, "s": 5.7}
_WIDE = {"w": 9.0, "m": 10.7, "M": 9.5, "B": 7.5}
PADDING = 6  # each side of each half
HEIGHT = 20

COLOURS = {
    "light": {"label_bg": svg.THEMES["light"]["bar"], "label_fg": svg.THEMES["light"]["fg"], "value_fg": "#ffffff",
              "views": "#0d74ce", "reading": "#218358", "idle": svg.THEMES["light"]["muted"]},
    "dark": {"label_bg": svg.THEMES["dark"]["bar"], "label_fg": svg.THEMES["dark"]["fg"], "value_fg": "#ffffff",
             "views": "#0588f0", "reading": "#2b9a66", "idle": "#5a6169"},
}  # fmt: skip


def short_number(n: int) -> str:
    """1,234 and 99,999 in full; from 100,000 on 123k, 1.2M, 3.4B. Cut, never rounded up: a badge
    never shows more than was counted."""
    if n < 100_000:
        return f"{n:,}"
    for divisor, suffix in ((10**9, "B"), (10**6, "M"), (10**3, "k")):
        if n >= divisor:
            tenths = n * 10 // divisor
            return f"{tenths // 10}{suffix}" if tenths >= 100 else f"{tenths // 10}.{tenths % 10}{suffix}"
    return str(n)  # not reached


def text_width(text: str) -> float:
    return sum(_WIDTHS.get(char, _WIDE.get(char, 6.6)) for char in text)


def render(show: str, number: int, theme: str) -> str:
    """The badge as an SVG document. The label is fixed text and the value digits, but both go
    through the escaping every image shares all the same."""
    colours = COLOURS[theme]
    label, value = LABELS[show], short_number(number)
    label_text, value_text = text_width(label), text_width(value)
    label_w, value_w = round(label_text) + 2 * PADDING, round(value_text) + 2 * PADDING
    width = label_w + value_w
    fill = colours[show] if number or show == "views" else colours["idle"]  # nobody reading: quiet grey
    esc = svg.escape
    return "".join(
        (
            f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{HEIGHT}" '
            f'viewBox="0 0 {width} {HEIGHT}" role="img" aria-label="{esc(label)}: {esc(value)}">',
            f"<title>{esc(label)}: {esc(value)}</title>",
            # The value's colour, rounded, under the label's half (rounded on the left only): no ids,
            # so badges inlined side by side in one page cannot take each other's clip paths.
            f'<rect width="{width}" height="{HEIGHT}" rx="3" fill="{fill}"/>',
            f'<path d="M3 0H{label_w}V{HEIGHT}H3a3 3 0 0 1-3-3V3a3 3 0 0 1 3-3z" fill="{colours["label_bg"]}"/>',
            f'<g font-family="{FONT_FAMILY}" font-size="11" text-anchor="middle">',
            f'<text x="{label_w / 2:g}" y="14" fill="{colours["label_fg"]}" textLength="{label_text:g}">'
            f"{esc(label)}</text>",
            f'<text x="{label_w + value_w / 2:g}" y="14" fill="{colours["value_fg"]}" textLength="{value_text:g}">'
            f"{esc(value)}</text>",
            "</g></svg>",
        )
    )


async def number(svc: Services, page: PageRef, show: str) -> int:
    """What the badge counts: all-time views, or visitors on the page (the site) right now."""
    if show == "views":
        return await reads.views(svc, site=page.site, path=page.path)
    return value_of(page.key, await svc.presence.counts(now=time.time()))


@dataclass(frozen=True)
class Badge:
    body: bytes
    etag: str  # a strong validator: the same bytes have the same tag, in every process
    expires: float  # on the cache's clock

    def max_age(self, now: float) -> int:
        """What is left of its lifetime, so a browser's copy is never older than the server's."""
        return max(0, math.ceil(self.expires - now))


Key = tuple[str, str | None, str, str]  # site, path, show, theme


class BadgeCache:
    """Rendered badges, each kept for its lifetime, at most `size` of them (least recently asked for
    go first). Concurrent misses of one badge share one read: a burst of readers arriving as a badge
    expires costs one query, not one per reader."""

    def __init__(self, *, size: int = CACHE_SIZE, clock: Callable[[], float] = time.monotonic) -> None:
        self.size, self.clock = size, clock
        self._kept: OrderedDict[Key, Badge] = OrderedDict()
        self._making: dict[Key, asyncio.Task[Badge]] = {}

    async def get(self, key: Key, lifetime: float, make: Callable[[], Awaitable[str]]) -> Badge:
        kept = self._kept.get(key)
        if kept is not None and kept.expires > self.clock():
            self._kept.move_to_end(key)
            return kept
        task = self._making.get(key)
        if task is None:
            task = asyncio.create_task(self._make(key, lifetime, make))
            self._making[key] = task
            task.add_done_callback(partial(self._made, key))
        # Shielded: a reader who goes away does not cancel the read the others wait for.
        return await asyncio.shield(task)

    def _made(self, key: Key, task: asyncio.Task[Badge]) -> None:
        if self._making.get(key) is task:
            del self._making[key]

    async def _make(self, key: Key, lifetime: float, make: Callable[[], Awaitable[str]]) -> Badge:
        body = (await make()).encode()
        badge = Badge(body=body, etag=f'"{hashlib.sha256(body).hexdigest()[:20]}"', expires=self.clock() + lifetime)
        self._kept[key] = badge
        self._kept.move_to_end(key)
        while len(self._kept) > self.size:
            self._kept.popitem(last=False)
        return badge


def cache(svc: Services) -> BadgeCache:
    return svc.component("analytics.badges", BadgeCache)


async def badge(svc: Services, page: PageRef, *, show: str, theme: str) -> Badge:
    """The badge, from the cache while it is fresh."""

    async def make() -> str:
        return render(show, await number(svc, page, show), theme)

    return await cache(svc).get((page.site, page.path, show, theme), LIFETIMES[show], make)


def not_modified(if_none_match: str | None, etag: str) -> bool:
    """True when the browser's copy is this one (RFC 9110's weak comparison of If-None-Match)."""
    if not if_none_match:
        return False
    tags = {tag.strip().removeprefix("W/") for tag in if_none_match.split(",")}
    return "*" in tags or etag in tags
