"""Contact messages: the rules for taking one (the comments' spam rules, an e-mail address that
looks like one, up to 5,000 characters) and the owner's inbox. No Reflex, no HTTP."""

from __future__ import annotations

import re
import uuid
from datetime import datetime
from typing import Any

from sqlmodel import Session, and_, col, delete, func, or_, select, update

from accumulator.comments import notices, spam
from accumulator.comments import service as comments
from accumulator.contact.models import EMAIL_MAX, MESSAGE_MAX, ContactMessage
from accumulator.inputs import clean_text

# One @, something on each side, a dot in the domain, no spaces or angle brackets (the original's
# rule, minus what could break a header).
_EMAIL = re.compile(r"[^\s@<>,;\"]+@[^\s@<>,;\"]+\.[^\s@<>,;\".]+")
INBOX_MAX = 500


def parse_message(data: dict[str, Any], *, secret: str, now: datetime, min_seconds: int) -> tuple[str, str]:
    """(email, message) of a submitted form, every rule checked; spam.Refused says why not."""
    spam.check_honeypot(data.get("website"))
    spam.check_stamp(data.get("stamp"), secret=secret, now=now, min_seconds=min_seconds)
    email = clean_text(
        data.get("email", ""), field="The e-mail address", max_length=EMAIL_MAX, single_line=True, error=spam.Refused
    )
    if not _EMAIL.fullmatch(email):
        raise spam.Refused("The e-mail address is not valid.")
    message = clean_text(
        data.get("message", ""), field="The message", max_length=MESSAGE_MAX, error=spam.Refused
    ).strip()
    if not message:
        raise spam.Refused("The message is empty.")
    spam.check_links(message)
    return email, message


def store_message(*, session: Session, email: str, message: str, now: datetime) -> ContactMessage:
    """Keep a message (after the owner's word filter) with a notice for the owner, in one transaction."""
    spam.check_words(message, comments.filter_words(session))
    row = ContactMessage(id=str(uuid.uuid4()), email=email, message=message, created_at=now)
    session.add(row)
    notices.add_notice(session=session, kind="contact", summary=f"{email}: {message}", url="/messages", now=now)
    return row


def inbox(*, session: Session) -> list[ContactMessage]:
    return list(
        session.exec(select(ContactMessage).order_by(col(ContactMessage.created_at).desc()).limit(INBOX_MAX)).all()
    )


def messages_before(
    *, session: Session, unread_only: bool, before: tuple[datetime, str] | None, limit: int
) -> list[ContactMessage]:
    """Up to `limit` messages (unread ones only, when asked), newest first, older than the message
    `before` (its time and id): pages that stay right while messages arrive."""
    statement = select(ContactMessage)
    if unread_only:
        statement = statement.where(col(ContactMessage.read_at).is_(None))
    if before is not None:
        moment, message_id = before
        statement = statement.where(
            or_(
                col(ContactMessage.created_at) < moment,
                and_(col(ContactMessage.created_at) == moment, col(ContactMessage.id) < message_id),
            )
        )
    order = (col(ContactMessage.created_at).desc(), col(ContactMessage.id).desc())
    return list(session.exec(statement.order_by(*order).limit(limit)).all())


def message(*, session: Session, message_id: str) -> ContactMessage | None:
    return session.get(ContactMessage, message_id)


def unread_count(*, session: Session) -> int:
    return int(
        session.exec(
            select(func.count()).select_from(ContactMessage).where(col(ContactMessage.read_at).is_(None))
        ).one()
    )


def mark_read(*, session: Session, message_id: str, now: datetime, read: bool = True) -> bool:
    result = session.exec(
        update(ContactMessage).where(col(ContactMessage.id) == message_id).values(read_at=now if read else None)
    )
    return bool(result.rowcount)


def delete_message(*, session: Session, message_id: str) -> bool:
    return bool(session.exec(delete(ContactMessage).where(col(ContactMessage.id) == message_id)).rowcount)
