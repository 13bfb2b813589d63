"""The bulk insert that tells which rows were new (what exact distinct visitor counts rest on), at the
batch sizes the writer meets, on SQLite and PostgreSQL."""

from __future__ import annotations

from datetime import date

import pytest
import sqlalchemy as sa
from sqlmodel import Session

from accumulator.analytics.models import DailySiteVisitor
from accumulator.db import insert_new_returning

TABLE = DailySiteVisitor.__table__
DAY = date(2026, 3, 1)


def _rows(numbers: range) -> list[dict]:
    return [{"day": DAY, "site": "blog", "visitor_hash": f"v{number:05d}"} for number in numbers]


def _insert(session: Session, numbers: range) -> list[tuple]:
    return insert_new_returning(
        session, TABLE, _rows(numbers), keys=["day", "site", "visitor_hash"], returning=["visitor_hash"]
    )


@pytest.mark.parametrize("count", [1, 3, 255, 256, 300, 1000])
def test_every_row_is_stored_and_reported_new_once(session: Session, count: int) -> None:
    new = _insert(session, range(count))
    session.commit()

    assert sorted(hash_ for (hash_,) in new) == [f"v{number:05d}" for number in range(count)]
    assert session.execute(sa.select(sa.func.count()).select_from(TABLE)).scalar_one() == count


def test_rows_already_stored_are_kept_and_not_reported(session: Session) -> None:
    _insert(session, range(0, 300))
    session.commit()

    new = _insert(session, range(200, 513))  # 100 stored already, 213 new, in statements of several sizes
    session.commit()

    assert sorted(hash_ for (hash_,) in new) == [f"v{number:05d}" for number in range(300, 513)]
    assert session.execute(sa.select(sa.func.count()).select_from(TABLE)).scalar_one() == 513
