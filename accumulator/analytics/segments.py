"""The joint rollup (segment_models.DailySegment): written with every batch of page views
(service.record_events), and read back for a filtered dashboard (analytics/filtered_view.py).

A batch is grouped by combination first, so it writes each combination of the day once, in one
statement, whatever the number of page views; a day of real traffic has a few thousand
combinations, so a 30-day filtered view sums tens of thousands of narrow rows at most."""

from __future__ import annotations

import hashlib
from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date

import sqlalchemy as sa
from sqlmodel import Session

from accumulator.analytics.ranking import largest_first
from accumulator.analytics.segment_models import SEGMENT_FIELDS, DailySegment
from accumulator.db import upsert_add

Combination = tuple[date, str, str, str, str, str, str, str, str, str, str]  # day, site, *SEGMENT_FIELDS
_TABLE = DailySegment.__table__


def segment_key(values: Sequence[str]) -> str:
    """The primary key part of one combination of SEGMENT_FIELDS' values."""
    digest = hashlib.blake2b(digest_size=16, person=b"acc-segment")
    digest.update("\x1f".join(values).encode())
    return digest.hexdigest()


def add(session: Session, combinations: Counter[Combination]) -> None:
    """Add {(day, site, *values): views} to the joint rollup, one row per combination."""
    rows = []
    for (day, site, *values), views in combinations.items():
        row = {"day": day, "site": site, "segment": segment_key(values), "views": views}
        row.update(zip(SEGMENT_FIELDS, values, strict=True))
        rows.append(row)
    upsert_add(session, _TABLE, rows, keys=["day", "site", "segment"], counters=["views"])


def _where(statement: sa.Select, since: date | None, until: date | None, filters: Mapping[str, str]) -> sa.Select:
    if since is not None:
        statement = statement.where(_TABLE.c.day >= since)
    if until is not None:
        statement = statement.where(_TABLE.c.day <= until)
    for name, value in filters.items():  # every filter (AND); names are checked (filters.py)
        statement = statement.where(_TABLE.c[name] == value)
    return statement


@dataclass
class Joint:
    """What a filtered dashboard needs from the joint rollup, added up in one pass over it."""

    views: int = 0  # in the range
    before: int = 0  # in the period of the same length just before it
    columns: dict[str, Counter[str]] = field(default_factory=dict)  # in the range, by value
    pages: Counter[tuple[str, str]] = field(default_factory=Counter)  # in the range, by (site, path)
    days: Counter[date] = field(default_factory=Counter)  # every day read

    def ranked(self, name: str) -> list[tuple[str, int]]:
        return largest_first(self.columns[name].items())


def joint(
    *, session: Session, columns: Sequence[str], filters: Mapping[str, str], since: date | None, until: date,
    before: date | None, read_from: date | None, read_to: date,
) -> Joint:  # fmt: skip
    """The rows matching every filter from `read_from` to `read_to` (None: from the first), read
    once: the range (since…until), the period before it (before…since) and the chart's days all
    come from the same scan; one query per number would read the rows as many times."""
    selected = [_TABLE.c.day, _TABLE.c.site, _TABLE.c.path, *(_TABLE.c[name] for name in columns), _TABLE.c.views]
    found = Joint(columns={name: Counter() for name in columns})
    dates: dict[object, date] = {}
    for raw_day, site, path, *values, views in session.connection().execute(
        _where(sa.select(*selected), read_from, read_to, filters)
    ):
        day = dates.get(raw_day)
        if day is None:  # SQLite gives text: each day converted once, not once per row
            day = dates[raw_day] = _as_date(raw_day)
        found.days[day] += views
        if (since is None or since <= day) and day <= until:
            found.views += views
            found.pages[(site, path)] += views
            for name, value in zip(columns, values, strict=True):
                if value != "":  # no campaign
                    found.columns[name][value] += views
        elif before is not None and since is not None and before <= day < since:
            found.before += views
    return found


def total(*, session: Session, since: date | None, until: date | None, filters: Mapping[str, str]) -> int:
    """Page views of the range matching every filter."""
    statement = _where(sa.select(sa.func.coalesce(sa.func.sum(_TABLE.c.views), 0)), since, until, filters)
    return int(session.connection().execute(statement).scalar_one())


def by_day(*, session: Session, since: date, until: date, filters: Mapping[str, str]) -> dict[date, int]:
    """{day: views} of the range matching every filter (days without any left out)."""
    views = sa.func.sum(_TABLE.c.views)
    statement = _where(sa.select(_TABLE.c.day, views), since, until, filters).group_by(_TABLE.c.day)
    return {_as_date(day): int(count) for day, count in session.connection().execute(statement)}


def first_day(*, session: Session) -> date | None:
    """The first day with joint data (when filtered views start), None before any."""
    found = session.connection().execute(sa.select(sa.func.min(_TABLE.c.day))).scalar_one()
    return None if found is None else _as_date(found)


def _as_date(value: date | str) -> date:
    return value if isinstance(value, date) else date.fromisoformat(value)
