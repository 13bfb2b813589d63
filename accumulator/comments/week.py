"""What the weekly digest reads from comments: the comments readers left in a span of time."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

import sqlalchemy as sa
from sqlmodel import Session, col, select

from accumulator.comments.models import HELD, HIDDEN, Comment


@dataclass(frozen=True)
class CommentsWeek:
    received: int  # by readers (the owner's own replies left out), spam hidden or not
    held: int  # of those, still waiting for the owner's decision
    pages: list[tuple[str, str, int]]  # (site, path, comments), most commented first


def received_between(*, session: Session, start: datetime, end: datetime, limit: int = 5) -> CommentsWeek:
    """Comments by readers from `start` (included) to `end` (excluded)."""
    base = (col(Comment.is_owner).is_(False), col(Comment.created_at) >= start, col(Comment.created_at) < end)
    received = session.exec(select(sa.func.count()).select_from(Comment).where(*base)).one()
    held = session.exec(select(sa.func.count()).select_from(Comment).where(*base, Comment.status == HELD)).one()
    count = sa.func.count().label("n")
    pages = session.exec(
        select(Comment.site, Comment.path, count)
        .where(*base, Comment.status != HIDDEN)
        .group_by(Comment.site, Comment.path)
        .order_by(count.desc(), Comment.site, Comment.path)
        .limit(limit)
    ).all()
    return CommentsWeek(int(received), int(held), [(site, path, int(n)) for site, path, n in pages])
