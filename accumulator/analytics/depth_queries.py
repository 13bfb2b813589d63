"""Reading back how people read (analytics/depth.py): per page for the pages table, and for a range
of days (entries, exits, reading time, scroll, goals). Each reads the rollups: a row per page, or per
page and day of the range, whatever the traffic."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date

import sqlalchemy as sa
from sqlmodel import Session, select

from accumulator.analytics.depth import median_seconds
from accumulator.analytics.depth_models import (
    DEPTH_COUNTERS,
    SCROLL_MARKS,
    DailyPageDepth,
    DailySiteDepth,
    PageDepthTotal,
)
from accumulator.analytics.models import DailySiteStat
from accumulator.analytics.ranking import largest_first

PageKey = tuple[str, str]


def reading(row: Mapping[str, int], views: int | None = None) -> dict[str, int]:
    """Average and median engaged seconds (-1: none reported) and the share (%) of page views that
    scrolled three quarters of the way (of `views` when given, else of those that reported)."""
    timed = int(row.get("timed") or 0)
    median = median_seconds(row)
    base = views if views is not None else max(timed, int(row.get("scroll25") or 0))
    return {
        "time_avg": round(int(row.get("seconds") or 0) / timed) if timed > 0 else -1,
        "time_median": round(median) if median is not None else -1,
        "scroll75": min(100, round(100 * int(row.get("scroll75") or 0) / base)) if base > 0 else 0,
    }


def _in_range(statement, day, since: date | None, until: date | None):
    if since is not None:
        statement = statement.where(day >= since)
    if until is not None:
        statement = statement.where(day <= until)
    return statement


def _on_page(statement, table: type, site: str | None, path: str | None):
    # A filtered dashboard's site and page (analytics/filters.py), on a per-page table.
    if site is not None:
        statement = statement.where(table.site == site)
    if path is not None:
        statement = statement.where(table.path == path)
    return statement


def _summed(
    session: Session, table: type, since: date | None, until: date | None, group: tuple = (), where: tuple = ()
) -> list[dict]:
    columns = [sa.func.coalesce(sa.func.sum(getattr(table, name)), 0).label(name) for name in DEPTH_COUNTERS]
    statement = _in_range(select(*group, *columns), table.day, since, until)
    if where:
        statement = _on_page(statement, table, *where)
    if group:
        statement = statement.group_by(*group)
    return [dict(row._mapping) for row in session.exec(statement)]


def daily_reading(
    *, session: Session, since: date, until: date, site: str | None = None, path: str | None = None
) -> dict[date, int]:
    """The average engaged seconds per timed page view of each day that has one (every site's, a
    site's, or a page's): the chart's reading line. A row per day (and site, or page)."""
    table = DailySiteDepth if path is None else DailyPageDepth
    summed = select(table.day, sa.func.sum(table.seconds), sa.func.sum(table.timed))
    statement = _in_range(summed, table.day, since, until)
    statement = _on_page(statement, table, site, path)
    rows = session.exec(statement.group_by(table.day)).all()
    return {day: round(int(seconds) / int(timed)) for day, seconds, timed in rows if timed}


def reading_summary(
    *, session: Session, since: date | None, until: date | None = None, site: str | None = None,
    path: str | None = None,
) -> dict[str, int]:  # fmt: skip
    """Site-wide reading over a range: average and median seconds, page views timed, scroll marks (%);
    with a site or a page, theirs (from the per-page rollup)."""
    return summary_of(depth_counts(session=session, since=since, until=until, site=site, path=path))


def depth_counts(
    *, session: Session, since: date | None, until: date | None = None, site: str | None = None,
    path: str | None = None,
) -> dict[str, int]:  # fmt: skip
    """The reading counters (DEPTH_COUNTERS) summed over a range: those of two ranges add up."""
    if site is None and path is None:
        (row,) = _summed(session, DailySiteDepth, since, until)
    else:
        (row,) = _summed(session, DailyPageDepth, since, until, where=(site, path))
    return {name: int(row[name]) for name in DEPTH_COUNTERS}


def summary_of(counts: Mapping[str, int]) -> dict[str, int]:
    """`reading_summary` of summed counters."""
    summary = reading(counts)
    reached = max(counts["timed"], counts["scroll25"])
    summary["timed"] = counts["timed"]
    for mark in SCROLL_MARKS:
        summary[f"scroll{mark}"] = round(100 * counts[f"scroll{mark}"] / reached) if reached else 0
    return summary


def page_entries_and_exits(
    *, session: Session, since: date | None, until: date | None = None, site: str | None = None,
    path: str | None = None,
) -> dict[PageKey, tuple[int, int]]:  # fmt: skip
    """(entries, exits) of each page over a range (of one site, or one page, when given): those of
    two ranges add up."""
    if since is None:
        statement = select(PageDepthTotal.site, PageDepthTotal.path, PageDepthTotal.entries, PageDepthTotal.exits)
        rows = session.exec(_on_page(statement, PageDepthTotal, site, path)).all()
    else:
        statement = select(DailyPageDepth.site, DailyPageDepth.path, sa.func.sum(DailyPageDepth.entries),
                           sa.func.sum(DailyPageDepth.exits))  # fmt: skip
        statement = _on_page(_in_range(statement, DailyPageDepth.day, since, until), DailyPageDepth, site, path)
        rows = session.exec(statement.group_by(DailyPageDepth.site, DailyPageDepth.path)).all()
    return {(site, path): (int(entries or 0), int(exits or 0)) for site, path, entries, exits in rows}


def entries_and_exits(
    *, session: Session, since: date | None, limit: int | None = 8, until: date | None = None,
    site: str | None = None, path: str | None = None,
) -> dict[str, list[tuple[str, int]]]:  # fmt: skip
    """The pages visits started on ("entry") and ended on ("exit") most, over a range (of one site,
    or one page, when given)."""
    pages = page_entries_and_exits(session=session, since=since, until=until, site=site, path=path)
    return ranked_places(pages, limit)


def ranked_places(pages: Mapping[PageKey, tuple[int, int]], limit: int | None) -> dict[str, list[tuple[str, int]]]:
    """The top `limit` entry and exit pages of (entries, exits) per page, each named by its path (and
    its site, when there are several)."""
    sites = {site for site, _ in pages}
    name = (lambda site, path: path) if len(sites) <= 1 else (lambda site, path: f"{site} {path}")
    found: dict[str, list[tuple[str, int]]] = {"entry": [], "exit": []}
    for (site, path), (entries, exits) in pages.items():
        for kind, count in (("entry", entries), ("exit", exits)):
            if count > 0:
                found[kind].append((name(site, path), count))
    return {kind: largest_first(items, limit) for kind, items in found.items()}


def totals_in_range(*, session: Session, since: date | None, until: date | None = None) -> tuple[int, int]:
    """(views, daily distinct visitors summed) over the range: the goals' conversion base, as Plausible's."""
    statement = select(sa.func.coalesce(sa.func.sum(DailySiteStat.views), 0),
                       sa.func.coalesce(sa.func.sum(DailySiteStat.visitors), 0))  # fmt: skip
    views, visitors = session.exec(_in_range(statement, DailySiteStat.day, since, until)).one()
    return int(views), int(visitors)
