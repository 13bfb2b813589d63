"""Workspaces and notes: the rules and the day grouping (search.py finds notes). No Reflex; callers pass the
session, the owner's time zone and `now`."""

from __future__ import annotations

import secrets
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import sqlalchemy as sa
from sqlmodel import Session, col, func, select

from accumulator.inputs import InputError, clean_text, is_clean
from accumulator.notes.models import NOTE_MAX, TITLE_MAX, Note, Workspace

DAYS_PER_PAGE = 30


class NotesError(InputError):
    """Input the notes rules refuse; the message is safe to show."""


@dataclass(frozen=True)
class DayGroup:
    day: date
    heading: str
    notes: list[Note] = field(default_factory=list)


@dataclass(frozen=True)
class NotesPage:
    days: list[DayGroup]
    older_from: date | None  # the day to ask for next when scrolling up; None when nothing is older


def is_postgres(session: Session) -> bool:
    return session.get_bind().dialect.name == "postgresql"


# Workspaces


def _title(title: str) -> str:
    title = clean_text(title, field="A workspace name", max_length=TITLE_MAX, single_line=True, error=NotesError)
    if not title:
        raise NotesError("Give the workspace a name.")
    return title


def new_public_id() -> str:
    return secrets.token_urlsafe(16)  # 128 bits


def list_workspaces(*, session: Session) -> list[Workspace]:
    return list(session.exec(select(Workspace).order_by(Workspace.id)))


def create_workspace(*, session: Session, title: str, is_public: bool = False) -> Workspace:
    workspace = Workspace(title=_title(title), is_public=is_public, public_id=new_public_id())
    session.add(workspace)
    session.flush()
    return workspace


def _workspace(session: Session, workspace_id: int) -> Workspace:
    workspace = session.get(Workspace, workspace_id)
    if workspace is None:
        raise NotesError("That workspace does not exist.")
    return workspace


def rename_workspace(*, session: Session, workspace_id: int, title: str) -> Workspace:
    workspace = _workspace(session, workspace_id)
    workspace.title = _title(title)
    session.add(workspace)
    return workspace


def set_public(*, session: Session, workspace_id: int, is_public: bool) -> Workspace:
    workspace = _workspace(session, workspace_id)
    workspace.is_public = is_public
    session.add(workspace)
    return workspace


def regenerate_public_id(*, session: Session, workspace_id: int) -> Workspace:
    """A new public address; links to the old one stop working at once."""
    workspace = _workspace(session, workspace_id)
    workspace.public_id = new_public_id()
    session.add(workspace)
    return workspace


def delete_workspace(*, session: Session, workspace_id: int) -> None:
    """Delete a workspace and its notes. The last workspace stays: there must be one to write in."""
    workspace = _workspace(session, workspace_id)
    if session.exec(select(func.count()).select_from(Workspace)).one() <= 1:
        raise NotesError("This is your only workspace; create another before deleting it.")
    if not is_postgres(session):
        for note in session.exec(select(Note).where(Note.workspace_id == workspace_id)):
            _fts_delete(session, note)
    session.exec(sa.delete(Note).where(Note.workspace_id == workspace_id))
    session.delete(workspace)


def public_workspace(*, session: Session, public_id: str) -> Workspace | None:
    """The workspace behind a public link, or None when unknown or not public (the same answer)."""
    if not public_id or len(public_id) > 64 or not is_clean(public_id):
        return None
    workspace = session.exec(select(Workspace).where(Workspace.public_id == public_id)).first()
    return workspace if workspace is not None and workspace.is_public else None


# Notes and the SQLite search index (PostgreSQL keeps its generated column itself)


def _fts_insert(session: Session, note: Note) -> None:
    if not is_postgres(session):
        session.execute(
            sa.text("INSERT INTO note_fts(rowid, text) VALUES (:id, :text)"), {"id": note.id, "text": note.text}
        )


def _fts_delete(session: Session, note: Note) -> None:
    if not is_postgres(session):
        session.execute(
            sa.text("INSERT INTO note_fts(note_fts, rowid, text) VALUES ('delete', :id, :text)"),
            {"id": note.id, "text": note.text},
        )


def _text(text: str) -> str:
    if isinstance(text, str) and len(text) > NOTE_MAX:
        raise NotesError(f"A note is at most {NOTE_MAX:,} characters; this one has {len(text):,}. Nothing was saved.")
    text = clean_text(text, field="A note", max_length=NOTE_MAX, error=NotesError)
    if not text.strip():
        raise NotesError("A note needs some text.")
    return text


def add_note(*, session: Session, workspace_id: int, text: str, now: datetime) -> Note:
    text = _text(text)
    _workspace(session, workspace_id)
    note = Note(workspace_id=workspace_id, text=text, created_at=now, updated_at=now)
    session.add(note)
    session.flush()
    _fts_insert(session, note)
    return note


def _note(session: Session, note_id: int) -> Note:
    note = session.get(Note, note_id)
    if note is None:
        raise NotesError("That note does not exist any more.")
    return note


def edit_note(*, session: Session, note_id: int, text: str, now: datetime) -> Note:
    text = _text(text)
    note = _note(session, note_id)
    _fts_delete(session, note)  # with the old text: FTS5 removes exactly those tokens
    note.text = text
    note.updated_at = now
    session.add(note)
    session.flush()
    _fts_insert(session, note)
    return note


def get_note(*, session: Session, note_id: int) -> Note | None:
    return session.get(Note, note_id)


def notes_before(
    *, session: Session, workspace_id: int | None, before: tuple[datetime, int] | None, limit: int
) -> list[Note]:
    """Up to `limit` notes (of a workspace, or of all), newest first, older than the note `before`
    (its creation time and id): pages that stay right while notes are added at the top."""
    statement = select(Note)
    if workspace_id is not None:
        statement = statement.where(Note.workspace_id == workspace_id)
    if before is not None:
        moment, note_id = before
        statement = statement.where(
            sa.or_(col(Note.created_at) < moment, sa.and_(col(Note.created_at) == moment, col(Note.id) < note_id))
        )
    statement = statement.order_by(col(Note.created_at).desc(), col(Note.id).desc()).limit(limit)
    return list(session.exec(statement).all())


def delete_note(*, session: Session, note_id: int) -> int:
    """Delete a note; returns its workspace id."""
    note = _note(session, note_id)
    _fts_delete(session, note)
    session.delete(note)
    return note.workspace_id


# Days


def day_heading(day: date, today: date) -> str:
    """'Friday 2026-11-27 (today)', '(yesterday)', '(3 days ago)'; future days say 'in N days'."""
    delta = (today - day).days
    if delta == 0:
        relative = "today"
    elif delta == 1:
        relative = "yesterday"
    elif delta > 1:
        relative = f"{delta} days ago"
    else:
        relative = f"in {-delta} day{'s' if delta != -1 else ''}"
    return f"{day.strftime('%A')} {day.isoformat()} ({relative})"


def _day_start(day: date, zone: ZoneInfo) -> datetime:
    """The moment `day` begins in the owner's zone (DST-aware), as an aware datetime."""
    return datetime.combine(day, time.min, tzinfo=zone)


# Any day or moment a caller names is brought within these, so that the day arithmetic below stays
# inside the calendar's years 1 to 9999 in every time zone; no note is older or newer.
EARLIEST = datetime(1900, 1, 1, tzinfo=UTC)
LATEST_DAY = date(9000, 1, 1)


def parse_before(raw: str | None) -> datetime | None:
    """The `before` of a public page's address as a moment (a naive one is UTC), or None when the
    text is not a moment. Any moment it gives, `public_page` can take."""
    if not raw or len(raw) > 64:
        return None
    try:
        moment = datetime.fromisoformat(raw)
    except ValueError:
        return None
    moment = moment if moment.tzinfo else moment.replace(tzinfo=UTC)
    latest = datetime.combine(LATEST_DAY, time.min, tzinfo=UTC)
    return EARLIEST if moment < EARLIEST else latest if moment > latest else moment.astimezone(UTC)


def notes_by_day(
    *, session: Session, workspace_id: int, zone: ZoneInfo, now: datetime, through: date | None = None
) -> NotesPage:
    """The notes of the 30 days ending with `through` (default: today), grouped by the owner's
    day, oldest day first and oldest note first within a day."""
    today = now.astimezone(zone).date()
    last = min(max(through or today, EARLIEST.date() + timedelta(days=DAYS_PER_PAGE)), LATEST_DAY)
    first = last - timedelta(days=DAYS_PER_PAGE - 1)
    start, end = _day_start(first, zone), _day_start(last + timedelta(days=1), zone)
    notes = session.exec(
        select(Note)
        .where(Note.workspace_id == workspace_id, Note.created_at >= start, Note.created_at < end)
        .order_by(Note.created_at, Note.id)
    ).all()
    groups: dict[date, list[Note]] = {}
    for note in notes:
        groups.setdefault(note.created_at.astimezone(zone).date(), []).append(note)
    older = session.exec(
        select(func.max(Note.created_at)).where(Note.workspace_id == workspace_id, Note.created_at < start)
    ).one()
    return NotesPage(
        days=[DayGroup(day=day, heading=day_heading(day, today), notes=items) for day, items in groups.items()],
        older_from=older.astimezone(zone).date() if older else None,
    )


# The public page: newest first, bounded work per request


PUBLIC_PAGE_NOTES = 200


@dataclass(frozen=True)
class PublicPage:
    days: list[DayGroup]  # newest day first, newest note first within a day
    older_before: datetime | None  # pass as `before` for the next page; None when nothing is older


def public_page(
    *, session: Session, workspace_id: int, zone: ZoneInfo, now: datetime, before: datetime | None = None
) -> PublicPage:
    """Up to 30 days, and at most 200 notes, before `before` (default: now), newest first. Any
    aware `before` is taken: one in the future is now, one before 1900 has nothing before it."""
    latest = now + timedelta(days=1)
    end = latest if before is None or before > latest else before
    if end <= EARLIEST:
        return PublicPage(days=[], older_before=None)
    today = now.astimezone(zone).date()
    start = _day_start(min(end, now).astimezone(zone).date() - timedelta(days=DAYS_PER_PAGE - 1), zone)
    rows = session.exec(
        select(Note)
        .where(Note.workspace_id == workspace_id, Note.created_at < end, Note.created_at >= start)
        .order_by(col(Note.created_at).desc(), col(Note.id).desc())
        .limit(PUBLIC_PAGE_NOTES + 1)
    ).all()
    if len(rows) > PUBLIC_PAGE_NOTES:
        rows = rows[:PUBLIC_PAGE_NOTES]
        older: datetime | None = rows[-1].created_at
    else:
        exists = session.exec(
            select(Note.id).where(Note.workspace_id == workspace_id, Note.created_at < start).limit(1)
        ).first()
        older = start if exists is not None else None
    groups: dict[date, list[Note]] = {}
    for note in rows:
        groups.setdefault(note.created_at.astimezone(zone).date(), []).append(note)
    return PublicPage(
        days=[DayGroup(day=day, heading=day_heading(day, today), notes=items) for day, items in groups.items()],
        older_before=older,
    )


# Export


def export_markdown(*, session: Session, workspace_id: int, zone: ZoneInfo) -> tuple[str, dict[str, str]]:
    """The workspace as markdown files, one per day of the owner's zone: (title, {name: text})."""
    workspace = _workspace(session, workspace_id)
    files: dict[str, list[str]] = {}
    notes = session.exec(select(Note).where(Note.workspace_id == workspace_id).order_by(Note.created_at, Note.id))
    for note in notes:
        moment = note.created_at.astimezone(zone)
        files.setdefault(f"{moment.date().isoformat()}.md", [f"# {moment:%A %Y-%m-%d}\n"]).append(
            f"## {moment:%H:%M}\n\n{note.text.rstrip()}\n"
        )
    return workspace.title, {name: "\n".join(parts) for name, parts in files.items()}
