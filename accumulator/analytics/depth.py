"""Counting how people read, written in the same transaction as the page views (service.record_events):

- **Reading time.** A leave reports the page view's engaged seconds so far and what the tab
  reported before, so each page view is counted once at its latest time: the sum grows by the
  difference, and the histogram moves the view from its old bucket to its new one. The average is
  exact; the median is interpolated inside its bucket (`median_seconds`), so its error is at most
  the width of that bucket (under 5 s below 30 s, 10 s to a minute, then wider).
- **Scroll depth.** A page view counts once for each mark (25/50/75/100 %) it passed.
- **Entries and exits.** A visit is a tab (its random token, hashed with the day's salt) until 30
  minutes of silence. Its first page view is an entry; its latest is its exit, so a page view in a
  running visit moves the exit from the previous page to this one. A visit is cut at midnight,
  when the salt changes (the same rule as distinct visitors: nothing links two days).
- **Countries, campaigns and goals** become breakdown values of the site (country, utm_source,
  utm_medium, utm_campaign, goal, goal_prop) and a goal's distinct visitors (goal_visitors).
"""

from __future__ import annotations

import bisect
import hashlib
import json
from collections import Counter
from collections.abc import Mapping, Sequence
from datetime import date, datetime
from typing import TYPE_CHECKING

import sqlalchemy as sa
from sqlmodel import Session

from accumulator.analytics.depth_models import (
    DEPTH_COUNTERS,
    SCROLL_MARKS,
    TIME_BUCKETS,
    DailyGoalVisitor,
    DailyPageDepth,
    DailySiteDepth,
    MinuteSiteStat,
    PageDepthTotal,
    VisitState,
)
from accumulator.analytics.models import VALUE_MAX
from accumulator.db import insert_new_returning, upsert_add, upsert_replace

if TYPE_CHECKING:
    from accumulator.analytics.incoming import IncomingEvent
    from accumulator.analytics.service import CountedEvent

KINDS = frozenset({"engage", "event"})  # counted here only, not as views or likes
VISIT_SILENCE = 30 * 60  # seconds without a page view or a reading report that end a visit
UNKNOWN_COUNTRY = "Unknown"
_CHUNK = 500


def tab_hash(salt: str, token: str) -> str:
    digest = hashlib.blake2b(digest_size=16, key=salt.encode()[:64], person=b"accumulator-tab")
    digest.update(token.encode())
    return digest.hexdigest()


def counted_fields(event: IncomingEvent, *, salt: str, country: str, now: datetime) -> dict[str, object]:
    """The CountedEvent fields of what `event` carries beyond a page and a visitor."""
    fields: dict[str, object] = {"tab": tab_hash(salt, event.visitor), "seen": int(now.timestamp())}
    if event.type == "pageview":
        source, medium, campaign = event.campaign
        fields.update(country=country, utm_source=source, utm_medium=medium, utm_campaign=campaign)
    elif event.type == "leave":
        reading = event.reading
        fields.update(engaged=reading.engaged, engaged_before=reading.engaged_before, scroll=reading.scroll,
                      scroll_before=reading.scroll_before)  # fmt: skip
    elif event.type == "event":
        fields.update(goal=event.goal, props=json.dumps(event.props, separators=(",", ":")) if event.props else "")
    return fields


def time_bucket(seconds: int) -> str:
    return f"t{bisect.bisect_right(TIME_BUCKETS, seconds)}"


def median_seconds(row: Mapping[str, int]) -> float | None:
    """The median engaged time of the page views a depth row counts, read from its histogram."""
    counts = [max(0, int(row.get(f"t{n}", 0) or 0)) for n in range(len(TIME_BUCKETS) + 1)]
    total = sum(counts)
    if not total:
        return None
    half, seen = total / 2, 0
    for n, count in enumerate(counts):
        if count and seen + count >= half:
            low = 0 if n == 0 else TIME_BUCKETS[n - 1]
            if n == len(TIME_BUCKETS):
                return float(low)  # the open bucket: at least this long
            return low + (TIME_BUCKETS[n] - low) * (half - seen) / count
        seen += count
    return None


class _Depths:
    """Depth counters of one batch, by page and day, site and day, and page."""

    def __init__(self) -> None:
        self.page_day: Counter[tuple[date, str, str, str]] = Counter()

    def add(self, day: date, site: str, path: str, column: str, amount: int = 1) -> None:
        self.page_day[(day, site, path, column)] += amount

    def write(self, session: Session) -> None:
        page_day: dict[tuple, dict] = {}
        site_day: dict[tuple, dict] = {}
        page_total: dict[tuple, dict] = {}
        # Only the counters this batch moves (a batch of page views moves entries and exits alone):
        # every row of a statement has the same columns, the rest keep their values (or start at 0).
        moved = sorted({column for (_day, _site, _path, column) in self.page_day}, key=DEPTH_COUNTERS.index)
        for (day, site, path, column), amount in self.page_day.items():
            for rows, key in ((page_day, (day, site, path)), (site_day, (day, site)), (page_total, (site, path))):
                row = rows.get(key)
                if row is None:
                    row = rows[key] = dict.fromkeys(moved, 0)
                row[column] += amount
        tables = ((DailyPageDepth, ("day", "site", "path"), page_day), (DailySiteDepth, ("day", "site"), site_day),
                  (PageDepthTotal, ("site", "path"), page_total))  # fmt: skip
        for table, keys, rows in tables:
            keyed = [{**dict(zip(keys, key, strict=True)), **row} for key, row in rows.items()]
            upsert_add(session, table.__table__, keyed, keys=list(keys), counters=moved)


def _read_time(depths: _Depths, event: CountedEvent) -> None:
    where = (event.day, event.site, event.path)
    if event.engaged > event.engaged_before:
        depths.add(*where, "seconds", event.engaged - event.engaged_before)
        if event.engaged_before > 0:
            depths.add(*where, time_bucket(event.engaged_before), -1)
        else:
            depths.add(*where, "timed")
        depths.add(*where, time_bucket(event.engaged))
    for mark in SCROLL_MARKS:
        if event.scroll_before < mark <= event.scroll:
            depths.add(*where, f"scroll{mark}")


def _visits(session: Session, depths: _Depths, events: Sequence[CountedEvent]) -> None:
    tabs = sorted({event.tab for event in events if event.tab and event.kind in ("pageview", "engage")})
    if not tabs:
        return
    states: dict[str, dict] = {}
    table = VisitState.__table__
    columns = ("tab_hash", "site", "path", "day", "last_seen")
    for start in range(0, len(tabs), _CHUNK):
        chunk = tabs[start : start + _CHUNK]
        # Plain rows, not ORM objects: this runs in every batch the writer writes.
        statement = sa.select(*(table.c[name] for name in columns)).where(table.c.tab_hash.in_(chunk))
        for row in session.connection().execute(statement):
            states[row[0]] = dict(zip(columns, row, strict=True))
    changed: set[str] = set()
    for event in events:
        if not event.tab or event.kind not in ("pageview", "engage"):
            continue
        state = states.get(event.tab)
        running = state is not None and state["site"] == event.site and event.seen - state["last_seen"] <= VISIT_SILENCE
        if event.kind == "engage":
            if running:
                state["last_seen"] = max(state["last_seen"], event.seen)  # still reading: the visit goes on
                changed.add(event.tab)
            continue
        if running:
            depths.add(state["day"], state["site"], state["path"], "exits", -1)
        else:
            depths.add(event.day, event.site, event.path, "entries")
        depths.add(event.day, event.site, event.path, "exits")
        states[event.tab] = {"tab_hash": event.tab, "site": event.site, "path": event.path, "day": event.day,
                             "last_seen": event.seen}  # fmt: skip
        changed.add(event.tab)
    upsert_replace(session, VisitState.__table__, [states[tab] for tab in changed], keys=["tab_hash"])


def _goals(session: Session, events: Sequence[CountedEvent], dimensions: Counter) -> None:
    reached: set[tuple[date, str, str, str]] = set()
    for event in events:
        if event.kind != "event":
            continue
        dimensions[(event.day, event.site, "goal", event.goal)] += 1
        reached.add((event.day, event.site, event.goal, event.visitor_hash))
        for key, value in json.loads(event.props) if event.props else ():
            dimensions[(event.day, event.site, "goal_prop", f"{event.goal}|{key}={value}"[:VALUE_MAX])] += 1
    new = insert_new_returning(
        session,
        DailyGoalVisitor.__table__,
        [{"day": d, "site": s, "goal": g, "visitor_hash": h} for d, s, g, h in reached],
        keys=["day", "site", "goal", "visitor_hash"],
        returning=["day", "site", "goal"],
    )
    for day, site, goal in new:
        dimensions[(_as_date(day), site, "goal_visitors", goal)] += 1


def record(session: Session, events: Sequence[CountedEvent], dimensions: Counter) -> None:
    """Count the batch's reading reports, visits and goals; add its countries, campaigns and goals
    to the site breakdowns in `dimensions` ({(day, site, kind, value): views})."""
    depths = _Depths()
    minutes: Counter[tuple[int, str]] = Counter()
    for event in events:
        if event.kind == "engage":
            _read_time(depths, event)
        elif event.kind == "pageview" and event.tab:  # (an imported history has no countries or campaigns)
            minutes[(event.seen // 60, event.site)] += 1
            dimensions[(event.day, event.site, "country", event.country or UNKNOWN_COUNTRY)] += 1
            for kind in ("utm_source", "utm_medium", "utm_campaign"):
                if value := getattr(event, kind):
                    dimensions[(event.day, event.site, kind, value)] += 1
    _visits(session, depths, events)
    _goals(session, events, dimensions)
    depths.write(session)
    per_minute = [{"minute": m, "site": s, "views": n} for (m, s), n in minutes.items()]
    upsert_add(session, MinuteSiteStat.__table__, per_minute, keys=["minute", "site"], counters=["views"])


MINUTES_KEPT = 120


def forget_minutes(*, session: Session, now: datetime) -> int:
    """Delete the per-minute counts older than two hours (the live chart shows thirty minutes)."""
    oldest = int(now.timestamp()) // 60 - MINUTES_KEPT
    table = MinuteSiteStat.__table__
    return session.connection().execute(sa.delete(table).where(table.c.minute < oldest)).rowcount


def last_minutes(*, session: Session, now: datetime, count: int = 30) -> list[tuple[int, int]]:
    """(minute, views) of every site for the last `count` minutes, this one included, zeros too."""
    current = int(now.timestamp()) // 60
    table = MinuteSiteStat.__table__
    rows = session.connection().execute(
        sa.select(table.c.minute, sa.func.sum(table.c.views)).where(table.c.minute > current - count)
        .group_by(table.c.minute)
    )  # fmt: skip
    found = {int(minute): int(views) for minute, views in rows}
    return [(minute, found.get(minute, 0)) for minute in range(current - count + 1, current + 1)]


def _as_date(value: date | str) -> date:
    return value if isinstance(value, date) else date.fromisoformat(value)
