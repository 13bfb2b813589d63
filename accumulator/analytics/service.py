"""Counting page views and likes: each batch into the counters and every rollup, in one
transaction. No Reflex, no global settings: callers pass the session, the day and any clock. The
numbers are read back in `queries.py`; a batch the database refuses is handled in `refused.py`."""

from __future__ import annotations

import hashlib
import logging
import secrets
from collections import Counter
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import sqlalchemy as sa
from sqlmodel import Session, col, delete, select

from accumulator.analytics import depth, segments
from accumulator.analytics.depth_models import DailyGoalVisitor, VisitState
from accumulator.analytics.models import (
    DailyDimension,
    DailyPageStat,
    DailySalt,
    DailySiteDimension,
    DailySiteStat,
    DailySiteVisitor,
    DailyVisitor,
    HourlyPageStat,
    HourlySiteStat,
    PageStat,
    SiteDimensionTotal,
)
from accumulator.db import insert_new, insert_new_returning, upsert_add

log = logging.getLogger(__name__)

DIMENSIONS = ("browser", "os", "device", "referrer")
DIRECT = "(direct)"


@dataclass(frozen=True)
class CountedEvent:
    """One accepted page view or like, reduced to what is stored."""

    kind: str  # "pageview" | "like"
    site: str
    path: str
    day: date  # in the owner's time zone
    visitor_hash: str
    browser: str = "Unknown"
    os: str = "Unknown"
    device: str = "Unknown"
    referrer: str = DIRECT
    # The start of its hour, naive UTC (`utc_hour`). None: an event known only by its day (a seeded
    # or replayed history), counted everywhere but in the hours.
    hour: datetime | None = None
    # How people read (analytics/depth.py): kind "engage" is a leave's reading report, "event" a goal.
    country: str = ""  # ISO 3166 code of the address (page views), "" unknown; the address is not kept
    utm_source: str = ""
    utm_medium: str = ""
    utm_campaign: str = ""
    tab: str = ""  # the tab's random token, hashed with the day's salt: one visit's page views
    seen: int = 0  # Unix seconds
    engaged: int = 0
    engaged_before: int = 0
    scroll: int = 0
    scroll_before: int = 0
    goal: str = ""
    props: str = ""  # a goal's properties, JSON [[key, value], …]


def local_day(moment: datetime, zone: ZoneInfo) -> date:
    """The owner's calendar day at that moment."""
    return moment.astimezone(zone).date()


def utc_hour(moment: datetime) -> datetime:
    """The start of the UTC hour of a timezone-aware moment, naive (as the hourly rollups store it)."""
    return moment.astimezone(UTC).replace(tzinfo=None, minute=0, second=0, microsecond=0)


def salt_for_day(*, session: Session, day: date) -> str:
    """The random salt of `day`, made on first use; salts of earlier days are deleted, so their
    visitor hashes can never be recomputed."""
    insert_new(session, DailySalt.__table__, [{"day": day, "salt": secrets.token_hex(32)}], keys=["day"])
    session.exec(delete(DailySalt).where(col(DailySalt.day) < day))
    return session.exec(select(DailySalt.salt).where(DailySalt.day == day)).one()


VISITOR_DAYS_KEPT = 2  # today and yesterday (a batch written just after midnight is yesterday's)


def forget_visitors(*, session: Session, today: date) -> int:
    """Delete the visitor hashes of days before yesterday. They exist only to tell a new visitor of
    the day from one seen already; each day's distinct count is in the rollups once the day is over,
    and a hash kept longer is data about a person the numbers no longer need. Returns rows deleted."""
    first_kept = today - timedelta(days=VISITOR_DAYS_KEPT - 1)
    deleted = 0
    for table in (DailyVisitor, DailySiteVisitor, DailyGoalVisitor, VisitState):
        deleted += session.exec(delete(table).where(col(table.day) < first_kept)).rowcount
    return deleted


def visitor_hash(*, salt: str, site: str, ip: str, user_agent: str) -> str:
    digest = hashlib.blake2b(digest_size=16, key=salt.encode()[:64])
    digest.update("\x1f".join((site, ip, user_agent)).encode())
    return digest.hexdigest()


def _merged(counter: Counter, key_names: tuple[str, ...], fields: tuple[str, ...]) -> list[dict]:
    """{(*key, field): amount} as one row per key with every field (zeros where nothing came)."""
    rows: dict[tuple, dict] = {}
    for (*key, name), amount in counter.items():
        row = rows.setdefault(tuple(key), {**dict(zip(key_names, key, strict=True)), **dict.fromkeys(fields, 0)})
        row[name] += amount
    return list(rows.values())


def add_page_days(session: Session, rows: list[dict]) -> None:
    """Add `{day, site, path, views, likes[, visitors]}` rows to the pages' days and to their sites'
    days (the chart's rollup)."""
    rows = [{"visitors": 0, **row} for row in rows]
    upsert_add(
        session, DailyPageStat.__table__, rows, keys=["day", "site", "path"], counters=["views", "likes", "visitors"]
    )
    sites: Counter[tuple[date, str, str]] = Counter()
    for row in rows:
        for name in ("views", "likes", "visitors"):
            sites[(row["day"], row["site"], name)] += row[name]
    _add_site_days(session, sites)


def _add_site_days(session: Session, sites: Counter[tuple[date, str, str]]) -> None:
    """Add `{(day, site, field): amount}` to the sites' days (field: views, likes or visitors)."""
    upsert_add(
        session,
        DailySiteStat.__table__,
        _merged(sites, ("day", "site"), ("views", "likes", "visitors")),
        keys=["day", "site"],
        counters=["views", "likes", "visitors"],
    )


def add_dimension_days(session: Session, rows: list[dict]) -> None:
    """Add `{day, site, path, kind, value, views}` rows to the pages' breakdowns and to the sites'
    (per day, and of all time). The import of the original's history writes through this; ingestion
    keeps only the sites' (`record_events`)."""
    upsert_add(
        session, DailyDimension.__table__, rows, keys=["day", "site", "path", "kind", "value"], counters=["views"]
    )
    daily: Counter[tuple[date, str, str, str]] = Counter()
    for row in rows:
        daily[(row["day"], row["site"], row["kind"], row["value"])] += row["views"]
    _add_site_dimensions(session, daily)


def _add_site_dimensions(session: Session, daily: Counter[tuple[date, str, str, str]]) -> None:
    """Add `{(day, site, kind, value): views}` to the sites' breakdowns per day and of all time."""
    total: Counter[tuple[str, str, str]] = Counter()
    for (_day, site, kind, value), views in daily.items():
        total[(site, kind, value)] += views
    upsert_add(
        session,
        DailySiteDimension.__table__,
        [{"day": d, "site": s, "kind": k, "value": v, "views": n} for (d, s, k, v), n in daily.items()],
        keys=["day", "site", "kind", "value"],
        counters=["views"],
    )
    upsert_add(
        session,
        SiteDimensionTotal.__table__,
        [{"site": s, "kind": k, "value": v, "views": n} for (s, k, v), n in total.items()],
        keys=["site", "kind", "value"],
        counters=["views"],
    )


def _upsert_counts(session: Session, table: sa.Table, keys: tuple[str, ...], counts: dict[tuple, list[int]]) -> None:
    """Add `{key: [views, likes]}` to `table`'s views and likes."""
    upsert_add(
        session,
        table,
        [
            {**dict(zip(keys, key, strict=True)), "views": views, "likes": likes}
            for key, (views, likes) in counts.items()
        ],
        keys=list(keys),
        counters=["views", "likes"],
    )


def _add(counts: dict[tuple, list[int]], key: tuple, views: int, likes: int) -> None:
    found = counts.get(key)
    if found is None:
        counts[key] = [views, likes]
    else:
        found[0] += views
        found[1] += likes


def _hour_param(session: Session) -> Callable[[datetime], object]:
    """How an hour is handed to the driver: as SQLAlchemy's DateTime stores it on this database
    (SQLite: its own text form, so that stored hours compare with bound ones)."""
    dialect = session.get_bind().dialect
    convert = HourlyPageStat.__table__.c.hour.type.dialect_impl(dialect).bind_processor(dialect)
    return convert or (lambda hour: hour)


def record_events(*, session: Session, events: Iterable[CountedEvent]) -> int:
    """Add a batch of events to every counter and rollup in one transaction; returns how many were
    recorded. Distinct visitors are counted when their (salted, one-day) hash is first inserted.

    One pass groups the batch by page and hour (and page views by everything a breakdown shows), so
    each table gets one statement with one row per page, hour or breakdown value, however many
    events the batch holds. The breakdowns are kept per site only (what the dashboard reads)."""
    pages: dict[tuple[date, datetime | None, str, str], list[int]] = {}  # (day, hour, site, path) -> views, likes
    agents: Counter[tuple[date, str, str, str, str, str]] = Counter()  # (day, site, browser, os, device, referrer)
    combinations: Counter[segments.Combination] = Counter()  # the joint rollup behind the filters
    page_visitors: set[tuple[date, str, str, str]] = set()
    site_visitors: set[tuple[date, str, str]] = set()
    count = 0
    events = list(events)
    for event in events:
        count += 1
        if event.kind in depth.KINDS:  # reading reports and goals: analytics/depth.py
            continue
        key = (event.day, event.hour, event.site, event.path)
        counts = pages.get(key)
        if counts is None:
            counts = pages[key] = [0, 0]
        if event.kind != "pageview":
            counts[1] += 1
            continue
        counts[0] += 1
        page_visitors.add((event.day, event.site, event.path, event.visitor_hash))
        site_visitors.add((event.day, event.site, event.visitor_hash))
        agents[(event.day, event.site, event.browser, event.os, event.device, event.referrer)] += 1
        if event.tab:  # as for countries (depth.record): history replayed without tabs has no joint values
            combinations[_combination(event)] += 1
    if not count:
        return 0
    new_on_page = insert_new_returning(
        session,
        DailyVisitor.__table__,
        [{"day": d, "site": s, "path": p, "visitor_hash": h} for d, s, p, h in page_visitors],
        keys=["day", "site", "path", "visitor_hash"],
        returning=["day", "site", "path"],
    )
    new_on_site = insert_new_returning(
        session,
        DailySiteVisitor.__table__,
        [{"day": d, "site": s, "visitor_hash": h} for d, s, h in site_visitors],
        keys=["day", "site", "visitor_hash"],
        returning=["day", "site"],
    )
    totals: dict[tuple, list[int]] = {}
    daily: dict[tuple, list[int]] = {}
    hourly: dict[tuple, list[int]] = {}
    site_daily: dict[tuple, list[int]] = {}
    site_hourly: dict[tuple, list[int]] = {}
    hour_param = _hour_param(session)
    hours = {hour: hour_param(hour) for _day, hour, _site, _path in pages if hour is not None}  # one or two
    for (day, hour, site, path), (views, likes) in pages.items():
        _add(totals, (site, path), views, likes)
        _add(daily, (day, site, path), views, likes)
        _add(site_daily, (day, site), views, likes)
        if hour is not None:
            _add(hourly, (hours[hour], site, path), views, likes)
            _add(site_hourly, (hours[hour], site), views, likes)
    _upsert_counts(session, PageStat.__table__, ("site", "path"), totals)
    _upsert_counts(session, HourlyPageStat.__table__, ("hour", "site", "path"), hourly)
    _upsert_counts(session, HourlySiteStat.__table__, ("hour", "site"), site_hourly)
    page_new: Counter[tuple[date, str, str]] = Counter((_as_date(d), s, p) for d, s, p in new_on_page)
    upsert_add(
        session,
        DailyPageStat.__table__,
        [
            {"day": d, "site": s, "path": p, "views": views, "likes": likes, "visitors": page_new[(d, s, p)]}
            for (d, s, p), (views, likes) in daily.items()
        ],
        keys=["day", "site", "path"],
        counters=["views", "likes", "visitors"],
    )
    site_new: Counter[tuple[date, str]] = Counter((_as_date(d), s) for d, s in new_on_site)
    upsert_add(
        session,
        DailySiteStat.__table__,
        [
            {"day": d, "site": s, "views": views, "likes": likes, "visitors": site_new[(d, s)]}
            for (d, s), (views, likes) in site_daily.items()
        ],
        keys=["day", "site"],
        counters=["views", "likes", "visitors"],
    )
    dimensions: Counter[tuple[date, str, str, str]] = Counter()
    for (day, site, *values), views in agents.items():
        for kind, value in zip(DIMENSIONS, values, strict=True):
            dimensions[(day, site, kind, value)] += views
    depth.record(session, events, dimensions)  # adds countries, campaigns and goals to `dimensions`
    _add_site_dimensions(session, dimensions)
    segments.add(session, combinations)
    return count


def _combination(event: CountedEvent) -> segments.Combination:
    country = event.country or depth.UNKNOWN_COUNTRY  # as the country breakdown counts it (depth.record)
    return (event.day, event.site, event.path, event.referrer, country, event.browser, event.os, event.device,
            event.utm_source, event.utm_medium, event.utm_campaign)  # fmt: skip


def _as_date(value: date | str) -> date:
    # SQLite hands dates back as ISO text from a RETURNING clause of a raw insert.
    return value if isinstance(value, date) else date.fromisoformat(value)
