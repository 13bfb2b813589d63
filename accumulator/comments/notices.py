"""Telling the owner: new comments, held comments and contact messages each leave a notice (in the
transaction that stored them); the job sends the unsent ones as one digest, by e-mail and browser
push, at most once per NOTIFY_DIGEST_MINUTES. Pure queries here; sending is in `actions.send_digest`."""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlmodel import Session, col, func, select, update

from accumulator.comments.models import OwnerNotice

DIGEST_MAX = 50  # notices listed in one digest; the rest are counted


def add_notice(*, session: Session, kind: str, summary: str, url: str, now: datetime) -> None:
    session.add(OwnerNotice(kind=kind, summary=" ".join(summary.split())[:290], url=url, created_at=now))
    session.flush()


def claim_digest(*, session: Session, now: datetime, gap: timedelta) -> list[OwnerNotice]:
    """The unsent notices, marked sent by this call (a conditional update: two runs never claim the
    same one), unless a digest went out less than `gap` ago; then nothing."""
    last = session.exec(select(func.max(OwnerNotice.sent_at))).one()
    if last is not None and last > now - gap:
        return []
    pending = list(
        session.exec(select(OwnerNotice).where(col(OwnerNotice.sent_at).is_(None)).order_by(col(OwnerNotice.id))).all()
    )
    if not pending:
        return []
    ids = [notice.id for notice in pending]
    claimed = session.exec(
        update(OwnerNotice).where(col(OwnerNotice.id).in_(ids), col(OwnerNotice.sent_at).is_(None)).values(sent_at=now)
    )
    if claimed.rowcount != len(ids):  # another run took some: let it send them, try again next time
        session.rollback()
        return []
    return pending


def release(*, session: Session, ids: list[int]) -> None:
    """Give claimed notices back (every channel failed): the next run tries again."""
    session.exec(update(OwnerNotice).where(col(OwnerNotice.id).in_(ids)).values(sent_at=None))


def digest_text(notices: list[OwnerNotice], base_url: str) -> tuple[str, str]:
    """(subject, plain text) of a digest."""
    kinds = {"comment": "new comment", "held": "comment waiting for approval", "contact": "contact message"}
    counts: dict[str, int] = {}
    for notice in notices:
        counts[notice.kind] = counts.get(notice.kind, 0) + 1
    parts = [f"{count} {kinds.get(kind, kind)}{'s' if count > 1 else ''}" for kind, count in counts.items()]
    subject = ", ".join(parts)
    lines = [f"{subject}:", ""]
    for notice in notices[:DIGEST_MAX]:
        lines.append(f"- [{kinds.get(notice.kind, notice.kind)}] {notice.summary}")
        if notice.url:
            lines.append(f"  {base_url}{notice.url}")
    if len(notices) > DIGEST_MAX:
        lines.append(f"… and {len(notices) - DIGEST_MAX} more.")
    lines += ["", f"Comments: {base_url}/comments  ·  Messages: {base_url}/messages", ""]
    return subject, "\n".join(lines)
