"""The dashboard's tables as CSV files (`GET /api/analytics/export/<table>.csv`): pure shaping of
what reads.export_table read, so the files are tested without a server.

Page paths, referrers, campaign names and goal names are written by strangers (any page can send
a page view). A spreadsheet runs a cell that starts with `=`, `+`, `-` or `@` (and tab or CR, which
some of them strip first) as a formula, so such text gets a leading `'`, OWASP's advice for CSV
injection; numbers are written as numbers and never need it.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Mapping, Sequence
from datetime import date

from accumulator.analytics.queries import DayPoint
from accumulator.page_counts import PageCount

# The tables of one range (analytics/range_view.py), by file name: the kind range_view gives them
# under and the heading of their value column.
LISTS: dict[str, tuple[str, str]] = {
    "browsers": ("browser", "Browser"),
    "systems": ("os", "Operating system"),
    "devices": ("device", "Device"),
    "referrers": ("referrer", "Referrer"),
    "countries": ("country", "Country"),
    "sources": ("utm_source", "Campaign source"),
    "mediums": ("utm_medium", "Campaign medium"),
    "campaigns": ("utm_campaign", "Campaign"),
    "entries": ("entry", "Entry page"),
    "exits": ("exit", "Exit page"),
}
RANGE_TABLES = (*LISTS, "goals", "reading")  # read with range_view
TABLES = ("pages", "chart", *RANGE_TABLES)
MEDIA_TYPE = "text/csv; charset=utf-8"

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
PAGE_HEADER = ("Site", "Path", "Views", "Likes", "Viewing now", "Views today", "Average time (s)",
               "Median time (s)", "Read to 75% (%)")  # fmt: skip
PAGE_FIELDS = ("site", "path", "views", "likes", "viewing", "views_today", "time_avg", "time_median", "scroll75")
SECONDS_FIELDS = frozenset({"time_avg", "time_median"})  # -1 means none reported: an empty cell
READING_HEADER = ("Average time (s)", "Median time (s)", "Page views timed", "Scrolled 25% (%)",
                  "Scrolled 50% (%)", "Scrolled 75% (%)", "Scrolled 100% (%)")  # fmt: skip
READING_FIELDS = ("time_avg", "time_median", "timed", "scroll25", "scroll50", "scroll75", "scroll100")

Cell = str | int | float


def safe(value: Cell) -> Cell:
    """A cell a spreadsheet shows as text, never runs: text starting like a formula gets a `'`."""
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return "'" + value
    return value


def write(header: Sequence[str], rows: Iterable[Sequence[Cell]]) -> str:
    """A header row and the rows, quoted only where needed, lines ending in CRLF (RFC 4180)."""
    out = io.StringIO()
    writer = csv.writer(out, quoting=csv.QUOTE_MINIMAL, lineterminator="\r\n")
    writer.writerow([safe(name) for name in header])
    writer.writerows([safe(value) for value in row] for row in rows)
    return out.getvalue()


def _number(row: Mapping[str, object], name: str) -> Cell:
    value = row.get(name, 0)
    if name in SECONDS_FIELDS and isinstance(value, int) and value < 0:
        return ""
    return value if isinstance(value, int | float | str) else ""


def pages_csv(
    *, rows: Sequence[Mapping[str, object]], extra: Sequence[PageCount] = (), matching: Mapping[str, int] | None = None
) -> str:
    """The whole pages table (every row, not only those drawn), most viewed first, with one column
    per number other features add (comments…). Its counts are all-time, whatever the range; with
    filters, `matching` gives each page's views in the range that match them (a last column)."""
    ordered = sorted(rows, key=lambda row: (-int(row["views"]), str(row["site"]), str(row["path"])))
    fields = (*PAGE_FIELDS, *(count.key for count in extra))
    header = (*PAGE_HEADER, *(count.label for count in extra), *(("Matching views",) if matching is not None else ()))
    return write(
        header,
        (
            [_number(row, name) for name in fields]
            + ([matching.get(str(row["key"]), 0)] if matching is not None else [])
            for row in ordered
        ),
    )


def chart_csv(*, points: Sequence[DayPoint]) -> str:
    """Views and visitors per day, oldest first, dated in full (the chart's "Mar 05" has no year).
    Visitors below 0 (filters that cannot split them) leave the column out."""
    if any(p.visitors < 0 for p in points):
        return write(("Day", "Views"), ((p.day.isoformat(), p.views) for p in points))
    return write(("Day", "Views", "Visitors"), ((p.day.isoformat(), p.views, p.visitors) for p in points))


def range_csv(*, table: str, view: Mapping[str, list[dict]]) -> str:
    """One of the range's tables from range_view's answer: a list, the goals, or the reading row."""
    if table == "reading":
        return write(READING_HEADER, ([_number(row, name) for name in READING_FIELDS] for row in view["reading"]))
    if table == "goals":
        header, rows = ("Goal", "Visitors", "Conversion (%)"), view["goal"]
    else:
        kind, heading = LISTS[table]
        header, rows = (heading, "Views", "Share (%)"), view[kind]
    return write(header, ((row["value"], row["views"], row["share"]) for row in rows))


def filename(*, table: str, range_key: str, day: date, filtered: bool = False) -> str:
    return f"accumulator-{table}-{range_key}{'-filtered' if filtered else ''}-{day.isoformat()}.csv"
