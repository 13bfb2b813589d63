"""The paste bin's rules: what a paste may hold, when it expires and who reads it (cleanup.py
reclaims what expired).

Everything here takes `now` from the caller, so expiry is tested with a controlled clock. An
expired paste is treated as gone from the moment of expiry; cleanup only reclaims the space.
"""

from __future__ import annotations

import logging
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

import sqlalchemy as sa
from sqlmodel import Session, col, delete, func, select

from accumulator.inputs import InputError, clean_name, clean_text, is_clean
from accumulator.pastes import highlight
from accumulator.pastes.models import CONTENT_MAX, NAME_MAX, TITLE_MAX, Paste, PasteFile
from accumulator.storage import FILE_ID

log = logging.getLogger(__name__)

MAX_FILES = 20
LANGUAGE_MAX = 40

# Lifetimes offered, in the order the menu shows them.
EXPIRY: dict[str, tuple[str, timedelta | None]] = {
    "10m": ("10 minutes", timedelta(minutes=10)),
    "1h": ("1 hour", timedelta(hours=1)),
    "1d": ("1 day", timedelta(days=1)),
    "1w": ("1 week", timedelta(weeks=1)),
    "1mo": ("1 month", timedelta(days=30)),
    "never": ("Never", None),
}
DEFAULT_EXPIRY = "1w"

# After a burn-after-reading paste with files is read, its one reader has this long to download them.
BURNED_FILES_GRACE = timedelta(minutes=15)
# An upload not attached to a paste within this time was abandoned (a closed tab, a failed save).
UNATTACHED_UPLOAD_TTL = timedelta(days=1)
# A file on disk with no record is removed only once this old: its record may be being written.
ORPHAN_GRACE_SECONDS = 3600.0


class PasteError(InputError):
    """A refused input; the message is shown to the owner as it is."""


@dataclass(frozen=True)
class PasteInput:
    title: str
    content: str
    language: str
    expiry: str
    burn_after_reading: bool
    is_shared: bool
    files: tuple[str, ...] = ()  # ids of uploads (new) or of files already attached (kept)


@dataclass(frozen=True)
class PasteSummary:
    id: str
    slug: str
    title: str
    size: int
    file_count: int
    file_bytes: int
    is_shared: bool
    burn_after_reading: bool
    expires_at: datetime | None
    updated_at: datetime


def new_id() -> str:
    """96 random bits, URL-safe: 16 characters."""
    return secrets.token_urlsafe(12)


def _text(data: dict[str, Any], key: str, *, default: str = "") -> str:
    value = data.get(key, default)
    if not isinstance(value, str):
        raise PasteError(f"'{key}' must be a string.")
    return value


def _flag(data: dict[str, Any], key: str) -> bool:
    value = data.get(key, False)
    if not isinstance(value, bool):
        raise PasteError(f"'{key}' must be true or false.")
    return value


def parse_input(data: dict[str, Any]) -> PasteInput:
    """Check a paste as the editor (or any client) sends it; every refusal says what is wrong."""
    title = clean_text(
        data.get("title", ""), field="The title", max_length=TITLE_MAX, single_line=True, error=PasteError
    )
    content = _text(data, "content")
    if "\x00" in content:
        raise PasteError("The content contains a NUL character; attach binary data as a file.")
    if len(content.encode("utf-8", "surrogatepass")) > CONTENT_MAX:
        raise PasteError("The content is larger than 1 MB; attach it as a file instead.")
    content = clean_text(content, field="The content", max_length=CONTENT_MAX, error=PasteError)
    language = clean_text(
        data.get("language", highlight.AUTO), field="The language", max_length=LANGUAGE_MAX, error=PasteError
    )
    if language != highlight.AUTO and language not in highlight.LANGUAGES:
        raise PasteError(f"Unknown language '{language[:40]}'.")
    expiry = _text(data, "expiry", default=DEFAULT_EXPIRY)
    if expiry not in EXPIRY:
        raise PasteError(f"Expiry must be one of: {', '.join(EXPIRY)}.")
    visibility = _text(data, "visibility", default="private")
    if visibility not in ("private", "shared"):
        raise PasteError("Visibility must be 'private' or 'shared'.")
    files = data.get("files", [])
    if not isinstance(files, list) or not all(isinstance(item, str) and FILE_ID.match(item) for item in files):
        raise PasteError("'files' must be a list of file ids.")
    if len(set(files)) > MAX_FILES:
        raise PasteError(f"A paste holds at most {MAX_FILES} files.")
    if not content.strip() and not files:
        raise PasteError("Write something or attach a file.")
    return PasteInput(
        title=title,
        content=content,
        language=language,
        expiry=expiry,
        burn_after_reading=_flag(data, "burn_after_reading"),
        is_shared=visibility == "shared",
        files=tuple(dict.fromkeys(files)),
    )


def check_file_name(name: str) -> str:
    """The uploaded file's name as given, if it is a plain name that shows what it is (no control
    or invisible formatting characters, so no "invoice\u202egpj.exe" shown as "invoiceexe.jpg");
    it is only ever shown and offered back on download, never used as a path."""
    if not isinstance(name, str) or not name.strip():
        raise PasteError("The file has no name.")
    name = clean_name(name, field="The file name", max_length=NAME_MAX, error=PasteError)
    if "/" in name or "\\" in name or name in (".", ".."):
        raise PasteError("The file name must be a name, not a path.")
    return name


def expires_at(expiry: str, now: datetime) -> datetime | None:
    span = EXPIRY[expiry][1]
    return None if span is None else now + span


def _live(now: datetime):
    """Pastes that can be read: not expired and not already burned."""
    return sa.and_(
        sa.or_(col(Paste.expires_at).is_(None), col(Paste.expires_at) > now),
        col(Paste.burned_at).is_(None),
    )


def _attach(session: Session, paste_id: str, wanted: tuple[str, ...], now: datetime) -> list[str]:
    """Make `wanted` the paste's files: new uploads are attached, files left out are detached.
    Returns the ids of the detached files, to delete from disk once the change is committed."""
    rows = session.exec(select(PasteFile).where(col(PasteFile.id).in_(wanted))).all() if wanted else []
    usable = {
        row.id
        for row in rows
        if row.paste_id == paste_id or (row.paste_id is None and row.created_at > now - UNATTACHED_UPLOAD_TTL)
    }
    unknown = [file_id for file_id in wanted if file_id not in usable]
    if unknown:
        raise PasteError("A file is no longer available; upload it again.")
    current = session.exec(select(PasteFile.id).where(PasteFile.paste_id == paste_id)).all()
    removed = [file_id for file_id in current if file_id not in usable]
    if removed:
        session.exec(delete(PasteFile).where(col(PasteFile.id).in_(removed)))
    for row in rows:
        row.paste_id = paste_id
        session.add(row)
    return removed


def create_paste(*, session: Session, data: PasteInput, now: datetime) -> Paste:
    paste = Paste(
        id=new_id(),
        slug=new_id(),
        title=data.title,
        content=data.content,
        size=len(data.content.encode("utf-8", "surrogatepass")),
        language=data.language,
        shown_as=highlight.shown_as(data.language, data.content),
        is_shared=data.is_shared,
        burn_after_reading=data.burn_after_reading,
        expiry=data.expiry,
        expires_at=expires_at(data.expiry, now),
        created_at=now,
        updated_at=now,
    )
    session.add(paste)
    session.flush()
    _attach(session, paste.id, data.files, now)
    session.flush()
    session.refresh(paste)
    return paste


def update_paste(*, session: Session, paste_id: str, data: PasteInput, now: datetime) -> tuple[Paste, list[str]]:
    """Replace the paste's fields and files; the expiry counts from now. Returns the paste and the
    ids of files it no longer has."""
    paste = get_paste(session=session, paste_id=paste_id, now=now)
    if paste is None:
        raise LookupError(paste_id)
    if paste.content != data.content or paste.language != data.language:
        paste.shown_as = highlight.shown_as(data.language, data.content)
    paste.title = data.title
    paste.content = data.content
    paste.size = len(data.content.encode("utf-8", "surrogatepass"))
    paste.language = data.language
    paste.is_shared = data.is_shared
    paste.burn_after_reading = data.burn_after_reading
    paste.expiry = data.expiry
    paste.expires_at = expires_at(data.expiry, now)
    paste.updated_at = now
    session.add(paste)
    removed = _attach(session, paste.id, data.files, now)
    session.flush()
    return paste, removed


def get_paste(*, session: Session, paste_id: str, now: datetime) -> Paste | None:
    """The owner's view of a paste; None when unknown, expired or burned."""
    if not is_clean(paste_id):  # from an address: text the database cannot hold names no paste
        return None
    return session.exec(select(Paste).where(Paste.id == paste_id, _live(now))).first()


def get_shared(*, session: Session, slug: str, now: datetime) -> Paste | None:
    """A paste as its link shows it; None for a private, unknown, expired or burned paste alike."""
    if not is_clean(slug):
        return None
    return session.exec(select(Paste).where(Paste.slug == slug, col(Paste.is_shared).is_(True), _live(now))).first()


def files_of(*, session: Session, paste_id: str) -> list[PasteFile]:
    return list(session.exec(select(PasteFile).where(PasteFile.paste_id == paste_id).order_by(PasteFile.name)).all())


def list_pastes(*, session: Session, now: datetime, query: str = "") -> list[PasteSummary]:
    """Every readable paste, newest change first, without loading any content."""
    counts = (
        select(
            PasteFile.paste_id,
            func.count().label("file_count"),
            func.coalesce(func.sum(PasteFile.size), 0).label("file_bytes"),
        )
        .where(col(PasteFile.paste_id).is_not(None))
        .group_by(PasteFile.paste_id)
        .subquery()
    )
    statement = (
        select(
            Paste.id,
            Paste.slug,
            Paste.title,
            Paste.size,
            func.coalesce(counts.c.file_count, 0),
            func.coalesce(counts.c.file_bytes, 0),
            Paste.is_shared,
            Paste.burn_after_reading,
            Paste.expires_at,
            Paste.updated_at,
        )
        .outerjoin(counts, counts.c.paste_id == Paste.id)
        .where(_live(now))
        .order_by(col(Paste.updated_at).desc())
    )
    words = [word for word in query.split() if is_clean(word)]  # text the database cannot hold matches nothing
    for word in words[:10]:
        escaped = word.lower().replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
        statement = statement.where(func.lower(Paste.title).like(f"%{escaped}%", escape="\\"))
    return [PasteSummary(*row) for row in session.exec(statement).all()]


def delete_paste(*, session: Session, paste_id: str, now: datetime) -> list[str] | None:
    """Remove a paste; returns the ids of its files (to delete from disk after commit), or None
    when there was no such paste."""
    if get_paste(session=session, paste_id=paste_id, now=now) is None:
        return None
    file_ids = list(session.exec(select(PasteFile.id).where(PasteFile.paste_id == paste_id)).all())
    session.exec(delete(PasteFile).where(PasteFile.paste_id == paste_id))
    session.exec(delete(Paste).where(Paste.id == paste_id))
    return file_ids


def stage_upload(*, session: Session, file_id: str, name: str, content_type: str, size: int, now: datetime) -> None:
    """Record a complete upload that no paste holds yet."""
    session.add(
        PasteFile(id=file_id, paste_id=None, name=name, content_type=content_type[:200], size=size, created_at=now)
    )


def owner_file(*, session: Session, paste_id: str, file_id: str, now: datetime) -> PasteFile | None:
    paste = get_paste(session=session, paste_id=paste_id, now=now)
    if paste is None or not is_clean(file_id):
        return None
    return session.exec(select(PasteFile).where(PasteFile.id == file_id, PasteFile.paste_id == paste_id)).first()
