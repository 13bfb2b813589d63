"""What the notes pages and routes show, read in one transaction off the event loop, with every
note body rendered (and sanitised) there too: markdown rendering grows with the text."""

from __future__ import annotations

import io
import re
import zipfile
from datetime import date, datetime
from typing import TypedDict

from sqlmodel import Session

from accumulator.db import utcnow
from accumulator.notes import public, service
from accumulator.notes import search as finding
from accumulator.notes.markdown import render
from accumulator.notes.models import NOTE_MAX, Note, Workspace
from accumulator.runtime import Services, in_transaction, off_loop


class WorkspaceRow(TypedDict):
    id: int
    title: str
    is_public: bool
    public_id: str


class NoteRow(TypedDict):
    id: int
    html: str
    text: str
    time: str


class DayRow(TypedDict):
    day: str
    heading: str
    notes: list[NoteRow]


class HitRow(TypedDict):
    note_id: int
    workspace_id: int
    workspace_title: str
    day: str
    snippet: str


async def workspaces(svc: Services) -> list[WorkspaceRow]:
    rows = await in_transaction(svc, service.list_workspaces)
    return [WorkspaceRow(id=w.id, title=w.title, is_public=w.is_public, public_id=w.public_id) for w in rows]


async def days(svc: Services, *, workspace_id: int, through: date | None = None) -> tuple[list[DayRow], str]:
    """The notes of the 30 days ending with `through` (default today), rendered; and the day to ask
    for next ("" when nothing is older)."""
    zone = svc.settings.zone

    def load(session: Session) -> tuple[list[DayRow], str]:
        page = service.notes_by_day(
            session=session, workspace_id=workspace_id, zone=zone, now=utcnow(), through=through
        )
        rows = [
            DayRow(
                day=group.day.isoformat(),
                heading=group.heading,
                notes=[
                    NoteRow(
                        id=note.id,
                        html=render(note.text),
                        text=note.text,
                        time=note.created_at.astimezone(zone).strftime("%H:%M"),
                    )
                    for note in group.notes
                ],
            )
            for group in page.days
        ]
        return rows, page.older_from.isoformat() if page.older_from else ""

    return await in_transaction(svc, load)


async def workspace_rows(svc: Services) -> list[Workspace]:
    """The workspaces as stored (for the JSON API, which shows their creation time)."""
    return await in_transaction(svc, service.list_workspaces)


async def note(svc: Services, *, note_id: int) -> Note | None:
    return await in_transaction(svc, service.get_note, note_id=note_id)


async def notes_before(
    svc: Services, *, workspace_id: int | None, before: tuple[datetime, int] | None, limit: int
) -> list[Note]:
    return await in_transaction(svc, service.notes_before, workspace_id=workspace_id, before=before, limit=limit)


async def search(svc: Services, *, query: str, workspace_id: int | None, limit: int = 50) -> list[HitRow]:
    hits = await in_transaction(
        svc, finding.search, query=query, zone=svc.settings.zone, workspace_id=workspace_id, limit=limit
    )
    return [
        HitRow(
            note_id=hit.note_id,
            workspace_id=hit.workspace_id,
            workspace_title=hit.workspace_title,
            day=hit.day.isoformat(),
            snippet=hit.snippet_html,
        )
        for hit in hits
    ]


async def preview(text: str) -> str:
    """The composer's text as the note will look (bounded: a note is at most NOTE_MAX characters)."""
    return await off_loop(render, text=text[:NOTE_MAX]) if text.strip() else ""


async def public_page(
    svc: Services, *, public_id: str, before: datetime | None, path: str, nonce: str, embed: bool
) -> str | None:
    """A public workspace's page as HTML, or None when there is none at that address (or it is private)."""
    zone = svc.settings.zone

    def load(session: Session) -> str | None:
        workspace = service.public_workspace(session=session, public_id=public_id)
        if workspace is None:
            return None
        page = service.public_page(session=session, workspace_id=workspace.id, zone=zone, now=utcnow(), before=before)
        return public.render_page(
            workspace=workspace,
            page=page,
            zone=zone,
            nonce=nonce,
            embed=embed,
            older_link=public.older_link(path, page.older_before),
        )

    return await in_transaction(svc, load)


async def public_workspace_id(svc: Services, *, public_id: str) -> int | None:
    workspace = await in_transaction(svc, service.public_workspace, public_id=public_id)
    return workspace.id if workspace else None


async def export_zip(svc: Services, *, workspace_id: int) -> tuple[str, bytes] | None:
    """The workspace as a zip of markdown files, one per day (file name, data); None if unknown."""

    def build(session: Session) -> tuple[str, bytes] | None:
        try:
            title, files = service.export_markdown(session=session, workspace_id=workspace_id, zone=svc.settings.zone)
        except service.NotesError:
            return None
        buffer = io.BytesIO()
        with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED) as archive:
            for name, text in files.items():
                archive.writestr(name, text)
        filename = re.sub(r"[^A-Za-z0-9._-]+", "-", title).strip("-") or "notes"
        return f"{filename}.zip", buffer.getvalue()

    return await in_transaction(svc, build)
