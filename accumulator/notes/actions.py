"""The only way notes change: each action runs its service call in one transaction (off the event
loop), then announces the change on NOTES_TOPIC for every open view. States and routes call these."""

from __future__ import annotations

from dataclasses import dataclass

from accumulator.db import utcnow
from accumulator.notes import service
from accumulator.notes.models import Note
from accumulator.runtime import Services, Topic, in_transaction, publish


@dataclass(frozen=True)
class NotesChanged:
    workspace_id: int


NOTES_TOPIC = Topic("update:notes", NotesChanged)


async def _announce(svc: Services, workspace_id: int) -> None:
    await publish(svc, NOTES_TOPIC, NotesChanged(workspace_id=workspace_id))


async def create_workspace(svc: Services, *, title: str, is_public: bool) -> int:
    workspace = await in_transaction(svc, service.create_workspace, title=title, is_public=is_public)
    await _announce(svc, workspace.id)
    return workspace.id


async def rename_workspace(svc: Services, *, workspace_id: int, title: str) -> None:
    await in_transaction(svc, service.rename_workspace, workspace_id=workspace_id, title=title)
    await _announce(svc, workspace_id)


async def set_public(svc: Services, *, workspace_id: int, is_public: bool) -> None:
    await in_transaction(svc, service.set_public, workspace_id=workspace_id, is_public=is_public)
    await _announce(svc, workspace_id)


async def regenerate_link(svc: Services, *, workspace_id: int) -> None:
    await in_transaction(svc, service.regenerate_public_id, workspace_id=workspace_id)
    await _announce(svc, workspace_id)


async def delete_workspace(svc: Services, *, workspace_id: int) -> None:
    await in_transaction(svc, service.delete_workspace, workspace_id=workspace_id)
    await _announce(svc, workspace_id)


async def add_note(svc: Services, *, workspace_id: int, text: str) -> Note:
    note = await in_transaction(svc, service.add_note, workspace_id=workspace_id, text=text, now=utcnow())
    await _announce(svc, workspace_id)
    return note


async def edit_note(svc: Services, *, note_id: int, text: str) -> Note:
    note = await in_transaction(svc, service.edit_note, note_id=note_id, text=text, now=utcnow())
    await _announce(svc, note.workspace_id)
    return note


async def delete_note(svc: Services, *, note_id: int) -> None:
    workspace_id = await in_transaction(svc, service.delete_note, note_id=note_id)
    await _announce(svc, workspace_id)
