"""Where the original app's public links lead now. No Reflex; the routes in `api.py` call these.

Only what the original showed to anyone is found: a public workspace, a file of a paste (the
original served those to anyone with the address). Everything else is None, the same answer as
for an address that never existed.
"""

from __future__ import annotations

from datetime import datetime

from sqlmodel import Session, col, select

from accumulator.importer.models import ImportLedger
from accumulator.inputs import is_clean, whole_number
from accumulator.notes.models import Workspace
from accumulator.pastes import service as pastes
from accumulator.pastes.models import PasteFile
from accumulator.storage import FILE_ID

OLD_ID_MAX = 20
OLD_PATH_MAX = 600


def _usable_workspace(session: Session, entry: ImportLedger) -> Workspace | None:
    if (target := whole_number(entry.target_id)) is None:
        return None
    workspace = session.get(Workspace, target)
    # A new public id ("New link") retires every earlier address, this one included.
    if workspace is None or not workspace.is_public or workspace.public_id != entry.link_target:
        return None
    return workspace


def workspace_public_id(*, session: Session, old_id: str) -> str | None:
    """The public id of the workspace the original showed at /notes/public/<old_id>: an imported
    workspace by its old id, or for "default" the first public one (the original's rule)."""
    if old_id == "default":
        entries = session.exec(select(ImportLedger).where(ImportLedger.kind == "workspace")).all()
        for entry in sorted(entries, key=lambda item: whole_number(item.source_id) or 0):
            if (workspace := _usable_workspace(session, entry)) is not None:
                return workspace.public_id
        return None
    if whole_number(old_id, max_digits=OLD_ID_MAX) is None:
        return None
    entry = session.exec(
        select(ImportLedger).where(ImportLedger.kind == "workspace", ImportLedger.source_id == str(int(old_id)))
    ).first()
    workspace = _usable_workspace(session, entry) if entry is not None else None
    return workspace.public_id if workspace is not None else None


def _live_file(session: Session, file_id: str, now: datetime) -> PasteFile | None:
    file = session.get(PasteFile, file_id)
    if file is None or file.paste_id is None:
        return None
    return file if pastes.get_paste(session=session, paste_id=file.paste_id, now=now) is not None else None


def file_for_old_path(*, session: Session, old_path: str, now: datetime) -> PasteFile | None:
    """The imported file the original served at /uploads/<old_path>, while its paste is here."""
    if not old_path or len(old_path) > OLD_PATH_MAX or not is_clean(old_path):
        return None
    file_id = session.exec(
        select(ImportLedger.target_id).where(ImportLedger.kind == "paste_file", ImportLedger.source_id == old_path)
    ).first()
    return _live_file(session, file_id, now) if file_id else None


def public_file(*, session: Session, file_id: str, now: datetime) -> PasteFile | None:
    """A file at its new public address: only files imported from the original are public this way."""
    if not FILE_ID.match(file_id):
        return None
    imported = session.exec(
        select(col(ImportLedger.id)).where(ImportLedger.kind == "paste_file", ImportLedger.target_id == file_id)
    ).first()
    return _live_file(session, file_id, now) if imported is not None else None
