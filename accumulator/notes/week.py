"""What the weekly digest reads from notes: how many were written in a span of time."""

from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from sqlmodel import Session, col, select

from accumulator.notes.models import Note


def written_between(*, session: Session, start: datetime, end: datetime) -> int:
    """Notes created from `start` (included) to `end` (excluded), in every workspace."""
    query = select(sa.func.count()).select_from(Note)
    return int(session.exec(query.where(col(Note.created_at) >= start, col(Note.created_at) < end)).one())
