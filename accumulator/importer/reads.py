"""The original app's addresses, looked up (one read each, off the event loop)."""

from __future__ import annotations

from accumulator.db import utcnow
from accumulator.importer import links
from accumulator.pastes.models import PasteFile
from accumulator.runtime import Services, in_transaction


async def workspace_public_id(svc: Services, *, old_id: str) -> str | None:
    return await in_transaction(svc, links.workspace_public_id, old_id=old_id)


async def file_for_old_path(svc: Services, *, old_path: str) -> PasteFile | None:
    return await in_transaction(svc, links.file_for_old_path, old_path=old_path, now=utcnow())


async def public_file(svc: Services, *, file_id: str) -> PasteFile | None:
    return await in_transaction(svc, links.public_file, file_id=file_id, now=utcnow())
