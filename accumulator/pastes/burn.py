"""Burn after reading: a paste shown once to its first confirmed reader, then gone for everyone
(two readers racing: a conditional write lets exactly one through). A burned paste with files keeps
them a few minutes behind signed links that only its reader received; a shared paste's files are
reached through its link.
"""

from __future__ import annotations

import hashlib
import hmac
from dataclasses import dataclass
from datetime import datetime

import sqlalchemy as sa
from sqlmodel import Session, col, delete, select, update

from accumulator.inputs import is_clean
from accumulator.pastes.models import Paste, PasteFile
from accumulator.pastes.service import BURNED_FILES_GRACE, files_of, get_shared


@dataclass(frozen=True)
class BurnedView:
    """What the one confirmed reader of a burn-after-reading paste gets to see."""

    paste: Paste
    files: list[PasteFile]


def burn(*, session: Session, slug: str, now: datetime) -> BurnedView | None:
    """Show a burn-after-reading paste once: the first confirmed reader gets it, and it is gone
    for everyone after. Two readers racing: the conditional write lets exactly one through."""
    paste = get_shared(session=session, slug=slug, now=now)
    if paste is None or not paste.burn_after_reading:
        return None
    files = files_of(session=session, paste_id=paste.id)
    session.expunge(paste)  # the reader's copy keeps the text the database is about to forget
    if files:
        # The text goes now; the files stay a few minutes for the signed links only this reader has.
        grace_end = now + BURNED_FILES_GRACE
        new_expiry = grace_end if paste.expires_at is None else min(paste.expires_at, grace_end)
        statement = (
            update(Paste)
            .where(col(Paste.id) == paste.id, col(Paste.burned_at).is_(None))
            .values(content="", size=0, burned_at=now, expires_at=new_expiry)
        )
    else:
        statement = delete(Paste).where(col(Paste.id) == paste.id, col(Paste.burned_at).is_(None))
    if session.exec(statement).rowcount != 1:
        return None
    paste.burned_at = now
    return BurnedView(paste=paste, files=files)


def file_key(*, secret: str, file_id: str, burned_at: datetime) -> str:
    """The signature that lets the reader of a burned paste download one of its files."""
    message = f"{file_id}:{burned_at.isoformat()}".encode()
    return hmac.new(secret.encode(), message, hashlib.sha256).hexdigest()[:32]


def shared_file(
    *, session: Session, slug: str, file_id: str, now: datetime, key: str | None, secret: str
) -> PasteFile | None:
    """A file through its paste's link: a readable shared paste's file, or a burned paste's file
    with the key its reader was given."""
    if not (is_clean(slug) and is_clean(file_id)):
        return None
    row = session.exec(
        select(PasteFile, Paste)
        .join(Paste, col(Paste.id) == col(PasteFile.paste_id))
        .where(
            PasteFile.id == file_id,
            Paste.slug == slug,
            col(Paste.is_shared).is_(True),
            sa.or_(col(Paste.expires_at).is_(None), col(Paste.expires_at) > now),
        )
    ).first()
    if row is None:
        return None
    file, paste = row
    if paste.burned_at is None:
        # Unburned burn-after-reading pastes show their files only through the confirmed view.
        return None if paste.burn_after_reading else file
    expected = file_key(secret=secret, file_id=file.id, burned_at=paste.burned_at)
    return file if key and hmac.compare_digest(key, expected) else None
