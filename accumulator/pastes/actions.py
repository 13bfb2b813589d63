"""The only way pastes and their files change. Each action: one transaction (off the event loop),
files touched only after it committed (a crash in between leaves an orphan file for the cleanup,
never a record without its file), then a PasteChanged on PASTES_TOPIC."""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import UTC, datetime

from sqlmodel import Session
from starlette.concurrency import run_in_threadpool

from accumulator import routes
from accumulator.auth import service as auth_service
from accumulator.db import utcnow
from accumulator.notify import actions as notify
from accumulator.notify.alerts import Alert
from accumulator.pastes import burn, cleanup, receipts, service
from accumulator.pastes.models import Paste, PasteFile
from accumulator.runtime import Services, Topic, in_transaction, publish
from accumulator.storage import new_file_id

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class PasteChanged:
    paste_id: str  # "" when several changed (the cleanup)


PASTES_TOPIC = Topic("update:pastes", PasteChanged)


@dataclass(frozen=True)
class Upload:
    id: str
    name: str
    size: int


async def _announce(svc: Services, paste_id: str) -> None:
    await publish(svc, PASTES_TOPIC, PasteChanged(paste_id=paste_id))


async def _forget_files(svc: Services, file_ids: list[str]) -> None:
    for file_id in file_ids:
        await run_in_threadpool(svc.file_store.delete, file_id)


async def upload_file(svc: Services, *, name: str, content_type: str, chunks: AsyncIterator[bytes]) -> Upload:
    """Stream one attachment to disk, then record it as an upload no paste holds yet. Raises
    storage.TooLarge past MAX_UPLOAD_MB (nothing kept); no record without its whole file."""
    file_id = new_file_id()
    size = await svc.file_store.save(file_id, chunks, limit=svc.settings.max_upload_bytes)
    try:
        await in_transaction(
            svc, service.stage_upload, file_id=file_id, name=name, content_type=content_type, size=size, now=utcnow()
        )
    except BaseException:
        await run_in_threadpool(svc.file_store.delete, file_id)  # no record, no file: nothing half-stored
        raise
    return Upload(id=file_id, name=name, size=size)


async def create_paste(svc: Services, *, data: service.PasteInput) -> tuple[Paste, list[PasteFile]]:
    def create(session: Session) -> tuple[Paste, list[PasteFile]]:
        paste = service.create_paste(session=session, data=data, now=utcnow())
        return paste, service.files_of(session=session, paste_id=paste.id)

    paste, files = await in_transaction(svc, create)
    await _announce(svc, paste.id)
    return paste, files


async def update_paste(
    svc: Services, *, paste_id: str, data: service.PasteInput
) -> tuple[Paste, list[PasteFile]] | None:
    """A new version (expiry counted from now); the files no longer listed are deleted. None when
    there is no such paste."""

    def save(session: Session) -> tuple[Paste, list[PasteFile], list[str]]:
        paste, detached = service.update_paste(session=session, paste_id=paste_id, data=data, now=utcnow())
        return paste, service.files_of(session=session, paste_id=paste_id), detached

    try:
        paste, files, detached = await in_transaction(svc, save)
    except LookupError:
        return None
    await _forget_files(svc, detached)
    await _announce(svc, paste_id)
    return paste, files


async def delete_paste(svc: Services, *, paste_id: str) -> bool:
    """Delete a paste and its files; False if it was already gone."""
    removed = await in_transaction(svc, service.delete_paste, paste_id=paste_id, now=utcnow())
    if removed is None:
        return False
    await _forget_files(svc, removed)
    await _announce(svc, paste_id)
    return True


@dataclass(frozen=True)
class Opener:
    """Who asked for a shared view, as far as receipts care: the view ("page", "raw", "embed"; None
    for a HEAD, which reads nothing), the User-Agent header (classified, never kept) and the owner's
    session cookie if the browser sent one (the owner reading their own paste is no receipt)."""

    view: str | None
    user_agent: str | None = None
    session_token: str | None = None


def _receipt(session: Session, svc: Services, paste: Paste, opener: Opener, shown: bool, now: datetime) -> None:
    """Count the open (people only when they saw the paste; a preview bot fetching the burn-after-
    reading confirmation is listed too) and raise "paste_read" on a person's first open after a
    quiet spell. The alert goes out with the next dispatch run (every 30 s), not in this request."""
    reader = receipts.classify(opener.user_agent)
    if opener.view is None or not (shown or reader.bot):
        return
    if opener.session_token and auth_service.resolve_session(
        session=session, token=opener.session_token, now=now, secret=svc.settings.secret_key
    ):
        return
    still_there = session.get(Paste, paste.id) is not None  # a burned paste without files is deleted
    tell = (
        receipts.record_open(session=session, paste_id=paste.id, view=opener.view, reader=reader, now=now)
        if still_there
        else not reader.bot
    )
    if tell:
        notify.raise_in_session(
            session=session, settings=svc.settings, alert=receipts_alert(paste, opener.view, now, still_there), now=now
        )


def receipts_alert(paste: Paste, view: str, now: datetime, still_there: bool = True) -> Alert:
    title = paste.title or "Untitled paste"
    how = {"page": "its page", "raw": "the raw text", "embed": "an embed"}[view]
    gone = "" if still_there else " It could be read once, so it is gone now."
    return Alert(
        kind="paste_read",
        key=f"paste_read:{paste.id}:{now:%Y-%m-%dT%H}",
        title="A shared paste was opened",
        body=f"Someone opened your shared paste \u201c{title}\u201d ({how}).{gone}",
        link=f"{routes.PASTES}/{paste.id}" if still_there else routes.PASTES,
        tag=f"paste-{paste.id}"[:40],
    )


async def read_shared(
    svc: Services, *, slug: str, confirmed: bool, opener: Opener | None = None
) -> tuple[Paste, list[PasteFile]] | None:
    """What a link shows: the paste and its files. A confirmed reading of a burn-after-reading
    paste burns it (exactly one reader gets it). None for private, expired, burned or unknown.
    With an `opener`, the open is a read receipt unless it is the owner's."""
    now = utcnow()

    def read(session: Session) -> tuple[tuple[Paste, list[PasteFile]] | None, bool]:
        paste = service.get_shared(session=session, slug=slug, now=now)
        if paste is None:
            return None, False
        if paste.burn_after_reading and confirmed:
            burned = burn.burn(session=session, slug=slug, now=now)
            if burned is not None and opener is not None:
                _receipt(session, svc, burned.paste, opener, True, now)
            return ((burned.paste, burned.files) if burned else None), burned is not None
        if opener is not None and not confirmed:  # a POST to a paste that does not burn is sent to its GET
            _receipt(session, svc, paste, opener, not paste.burn_after_reading, now)
        return (paste, service.files_of(session=session, paste_id=paste.id)), False

    found, burned = await in_transaction(svc, read)
    if burned and found is not None:
        await _announce(svc, found[0].id)
    return found


async def clean_up(svc: Services, *, now: datetime | None = None) -> cleanup.CleanupReport:
    """The cleanup job: expired pastes and their files, stale uploads, orphaned files (cleanup.py)."""
    now = now or datetime.now(UTC)
    report, doomed = await in_transaction(svc, cleanup.remove_records, now=now)
    known = await in_transaction(svc, cleanup.known_files)  # read after the commit: no file of a live record goes
    report = await run_in_threadpool(cleanup.remove_files, report, store=svc.file_store, doomed=doomed, known=known)
    await in_transaction(svc, receipts.forget_old, now=now)
    if report.pastes:
        await _announce(svc, "")
    return report
