"""What the paste pages and routes show, read in one transaction off the event loop (highlighting
included: Pygments' work grows with the paste)."""

from __future__ import annotations

from datetime import datetime
from typing import Any, TypedDict

from sqlmodel import Session

from accumulator.db import utcnow
from accumulator.pastes import burn, highlight, receipts, service
from accumulator.pastes.models import Paste, PasteFile
from accumulator.runtime import Services, in_transaction
from accumulator.sizes import size_text
from accumulator.timefmt import left_text, local_text


class PasteRow(TypedDict):
    id: str
    title: str
    size: str
    files: int
    is_shared: bool
    burn: bool
    expires: str
    share_url: str


class FileRow(TypedDict):
    id: str
    name: str
    size: str
    url: str


class BotRow(TypedDict):
    label: str
    opens: int
    last: str


class PasteView(TypedDict):
    title: str
    content_html: str
    language: str
    size: str
    expires: str
    created: str
    is_shared: bool
    burn: bool
    share_url: str
    files: list[FileRow]
    read_text: str  # "Read by people 3 times, last 2026-12-02 14:05"; "" for a paste never shared
    bots: list[BotRow]  # link previews and crawlers: listed apart, not counted as readers


def receipt_text(found: receipts.Receipts, zone) -> str:
    if not found.reads or found.last_read_at is None:
        return "Not read by anyone yet (link previews and crawlers aside)."
    times = "once" if found.reads == 1 else f"{found.reads} times"
    views = ", ".join(f"{view} {count}" for view, count in sorted(found.by_view.items()))
    return f"Read by people {times}, last at {local_text(found.last_read_at, zone)} ({views})."


class EditorFields(TypedDict):
    id: str
    title: str
    content: str
    language: str
    expiry: str
    burn: bool
    shared: bool
    files: list[FileRow]


def expires_text(expiry: datetime | None, now: datetime) -> str:
    return "never" if expiry is None else f"in {left_text(expiry, now)}"


def file_rows(paste_id: str, files: list[PasteFile]) -> list[FileRow]:
    return [
        FileRow(id=f.id, name=f.name, size=size_text(f.size), url=f"/api/pastes/{paste_id}/files/{f.id}") for f in files
    ]


def paste_json(paste: Paste, files: list[PasteFile]) -> dict[str, Any]:
    """A paste as the HTTP API answers it."""
    return {
        "id": paste.id,
        "slug": paste.slug,
        "title": paste.title,
        "content": paste.content,
        "language": paste.language,
        "shown_as": paste.shown_as,
        "expiry": paste.expiry,
        "expires_at": paste.expires_at.isoformat() if paste.expires_at else None,
        "burn_after_reading": paste.burn_after_reading,
        "visibility": "shared" if paste.is_shared else "private",
        "files": [{"id": f.id, "name": f.name, "size": f.size, "content_type": f.content_type} for f in files],
        "url": f"/bin/{paste.id}",
        "share_url": f"/p/{paste.slug}" if paste.is_shared else None,
    }


async def summaries(svc: Services, *, query: str) -> list[service.PasteSummary]:
    return await in_transaction(svc, service.list_pastes, now=utcnow(), query=query)


async def rows(svc: Services, *, query: str) -> list[PasteRow]:
    """The /bin list: every live paste whose title has the query's words."""
    now = utcnow()
    return [
        PasteRow(
            id=row.id,
            title=row.title or "Untitled paste",
            size=size_text(row.size + row.file_bytes),
            files=row.file_count,
            is_shared=row.is_shared,
            burn=row.burn_after_reading,
            expires=expires_text(row.expires_at, now),
            share_url=f"/p/{row.slug}" if row.is_shared else "",
        )
        for row in await summaries(svc, query=query)
    ]


async def paste_with_files(svc: Services, *, paste_id: str) -> tuple[Paste, list[PasteFile]] | None:
    def load(session: Session) -> tuple[Paste, list[PasteFile]] | None:
        paste = service.get_paste(session=session, paste_id=paste_id, now=utcnow())
        return (paste, service.files_of(session=session, paste_id=paste_id)) if paste else None

    return await in_transaction(svc, load)


async def view(svc: Services, *, paste_id: str) -> PasteView | None:
    """/bin/<id>: the paste highlighted, with its files; None when there is no such live paste."""
    zone = svc.settings.zone

    def load(session: Session) -> PasteView | None:
        now = utcnow()
        paste = service.get_paste(session=session, paste_id=paste_id, now=now)
        if paste is None:
            return None
        found = receipts.receipts_of(session=session, paste_id=paste.id)
        shown = paste.is_shared or found.reads or found.bots
        return PasteView(
            title=paste.title or "Untitled paste",
            content_html=highlight.to_html(paste.content, paste.shown_as) if paste.content else "",
            language=highlight.label(paste.shown_as),
            size=size_text(paste.size),
            expires=expires_text(paste.expires_at, now),
            created=local_text(paste.created_at, zone),
            is_shared=paste.is_shared,
            burn=paste.burn_after_reading,
            share_url=f"/p/{paste.slug}" if paste.is_shared else "",
            files=file_rows(paste.id, service.files_of(session=session, paste_id=paste_id)),
            read_text=receipt_text(found, zone) if shown else "",
            bots=[BotRow(label=b.label, opens=b.opens, last=local_text(b.last_at, zone)) for b in found.bots],
        )

    return await in_transaction(svc, load)


async def editor_fields(svc: Services, *, paste_id: str) -> EditorFields | None:
    found = await paste_with_files(svc, paste_id=paste_id)
    if found is None:
        return None
    paste, files = found
    return EditorFields(
        id=paste.id,
        title=paste.title,
        content=paste.content,
        language=paste.language,
        expiry=paste.expiry,
        burn=paste.burn_after_reading,
        shared=paste.is_shared,
        files=file_rows(paste.id, files),
    )


async def owner_file(svc: Services, *, paste_id: str, file_id: str) -> PasteFile | None:
    return await in_transaction(svc, service.owner_file, paste_id=paste_id, file_id=file_id, now=utcnow())


async def shared_file(svc: Services, *, slug: str, file_id: str, key: str | None) -> PasteFile | None:
    return await in_transaction(
        svc,
        burn.shared_file,
        slug=slug,
        file_id=file_id,
        now=utcnow(),
        key=key,
        secret=svc.settings.secret_key,
    )
