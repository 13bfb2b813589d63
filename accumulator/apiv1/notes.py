"""`/api/v1` for notes: workspaces, notes (list, search, quick capture, edit, delete). Thin: reads
and changes go through notes/reads.py and notes/actions.py, the rules stay in notes/service.py."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, Field

from accumulator.apiv1.contract import PREFIX, Call, Operation, PathParam
from accumulator.apiv1.shapes import (
    ApiError,
    Id,
    Listing,
    Page,
    Strict,
    Text,
    Timestamp,
    decode_cursor,
    decode_keyset,
    encode_cursor,
    keyset_cursor,
    not_found,
    offset_page,
    row_id,
)
from accumulator.notes import actions, reads
from accumulator.notes.models import NOTE_MAX, TITLE_MAX, Note, Workspace
from accumulator.web import public_origin

SEARCH_DEPTH_MAX = 500  # results reachable by paging a search (the ranking is recomputed per page)
NOTE_ID = {"note_id": PathParam("The note's id.")}
# A note is at most 100,000 characters; JSON escapes can make that several times as many bytes.
NOTE_BODY_MAX = 1024 * 1024


class WorkspaceOut(BaseModel):
    id: str
    title: str
    is_public: bool
    public_url: str | None = Field(description="The public page, when the workspace is public.")
    created_at: Timestamp


class NoteOut(BaseModel):
    id: str
    workspace_id: str
    text: str = Field(description="Markdown, as written.")
    created_at: Timestamp
    updated_at: Timestamp
    url: str = Field(description="This note in the API.")
    public_url: str | None = Field(description="The public page showing it, when its workspace is public.")


class SearchHitOut(BaseModel):
    note_id: str
    workspace_id: str
    workspace_title: str
    day: str = Field(description="The owner's day of the note, YYYY-MM-DD.")
    snippet_html: str = Field(description="Escaped text around the first match, matches in <mark>.")


class NotesQuery(Page):
    workspace: Id | None = Field(None, description="Only this workspace's notes.")


class SearchQuery(Page):
    q: Text(200, single_line=True, min_length=1, description="Words to find (each as a word prefix).")
    workspace: Id | None = Field(None, description="Only this workspace.")


class NoteCreate(Strict):
    text: Text(NOTE_MAX, min_length=1, description="The note (markdown).")
    workspace: Text(TITLE_MAX, min_length=1) | None = Field(
        None, description="A workspace id or title; default: the first workspace."
    )


class NoteEdit(Strict):
    text: Text(NOTE_MAX, min_length=1, description="The note's new text (markdown).")


class WorkspacesQuery(Page):
    pass


def _origin(call: Call) -> str:
    return public_origin(call.request, call.svc.settings.trusted_proxy_hops)


def _workspace_out(call: Call, workspace: Workspace) -> dict[str, Any]:
    public = f"{_origin(call)}/public/notes/{workspace.public_id}" if workspace.is_public else None
    return {
        "id": str(workspace.id),
        "title": workspace.title,
        "is_public": workspace.is_public,
        "public_url": public,
        "created_at": workspace.created_at,
    }


def _note_out(call: Call, note: Note, workspaces: dict[int, Workspace]) -> dict[str, Any]:
    workspace = workspaces.get(note.workspace_id)
    public = None
    if workspace is not None and workspace.is_public:
        public = f"{_origin(call)}/public/notes/{workspace.public_id}"
    return {
        "id": str(note.id),
        "workspace_id": str(note.workspace_id),
        "text": note.text,
        "created_at": note.created_at,
        "updated_at": note.updated_at,
        "url": f"{_origin(call)}{PREFIX}/notes/{note.id}",
        "public_url": public,
    }


async def _workspaces(call: Call) -> dict[int, Workspace]:
    return {workspace.id: workspace for workspace in await reads.workspace_rows(call.svc)}


async def list_workspaces(call: Call) -> dict[str, Any]:
    rows = [_workspace_out(call, workspace) for workspace in (await _workspaces(call)).values()]
    return offset_page(rows, call.query)


def _known_workspace(workspaces: dict[int, Workspace], wanted: str | None) -> int | None:
    """The workspace a query names (None: every workspace); 404 for one that does not exist."""
    if wanted is None:
        return None
    workspace_id = row_id(wanted)
    if workspace_id not in workspaces:
        raise not_found("workspace")
    return workspace_id


async def list_notes(call: Call) -> dict[str, Any]:
    query: NotesQuery = call.query
    workspaces = await _workspaces(call)
    workspace_id = _known_workspace(workspaces, query.workspace)
    notes = await reads.notes_before(
        call.svc, workspace_id=workspace_id, before=decode_keyset(query.cursor, int), limit=query.limit + 1
    )
    more = len(notes) > query.limit
    notes = notes[: query.limit]
    cursor = keyset_cursor(notes[-1].created_at, notes[-1].id) if more else None
    return {"items": [_note_out(call, note, workspaces) for note in notes], "next_cursor": cursor}


async def search_notes(call: Call) -> dict[str, Any]:
    query: SearchQuery = call.query
    offset = decode_cursor(query.cursor, 0)
    if not isinstance(offset, int) or isinstance(offset, bool) or not 0 <= offset < SEARCH_DEPTH_MAX:
        raise ApiError(400, "The cursor is not one this API gave.", "bad_cursor")
    workspace_id = _known_workspace(await _workspaces(call), query.workspace)
    hits = await reads.search(
        call.svc,
        query=query.q,
        workspace_id=workspace_id,
        limit=min(offset + query.limit + 1, SEARCH_DEPTH_MAX),
    )
    chunk = hits[offset : offset + query.limit]
    more = len(hits) > offset + query.limit
    items = [
        {
            "note_id": str(hit["note_id"]),
            "workspace_id": str(hit["workspace_id"]),
            "workspace_title": hit["workspace_title"],
            "day": hit["day"],
            "snippet_html": hit["snippet"],
        }
        for hit in chunk
    ]
    return {"items": items, "next_cursor": encode_cursor(offset + query.limit) if more else None}


def _pick_workspace(workspaces: dict[int, Workspace], wanted: str | None) -> Workspace:
    if not workspaces:
        raise not_found("workspace")
    if wanted is None:
        return workspaces[min(workspaces)]
    if row_id(wanted) in workspaces:
        return workspaces[row_id(wanted)]
    for workspace in workspaces.values():
        if workspace.title == wanted:
            return workspace
    raise not_found("workspace")


async def create_note(call: Call) -> dict[str, Any]:
    body: NoteCreate = call.body
    workspaces = await _workspaces(call)
    workspace = _pick_workspace(workspaces, body.workspace)
    note = await actions.add_note(call.svc, workspace_id=workspace.id, text=body.text)
    return _note_out(call, note, workspaces)


async def _existing(call: Call) -> Note:
    note = await reads.note(call.svc, note_id=int(call.path["note_id"]))
    if note is None:
        raise not_found("note")
    return note


async def get_note(call: Call) -> dict[str, Any]:
    return _note_out(call, await _existing(call), await _workspaces(call))


async def edit_note(call: Call) -> dict[str, Any]:
    await _existing(call)  # a missing note is 404, not the service's "does not exist any more" (400)
    note = await actions.edit_note(call.svc, note_id=int(call.path["note_id"]), text=call.body.text)
    return _note_out(call, note, await _workspaces(call))


async def delete_note(call: Call) -> None:
    await _existing(call)
    await actions.delete_note(call.svc, note_id=int(call.path["note_id"]))


OPERATIONS = [
    Operation(
        "GET",
        "/workspaces",
        "listWorkspaces",
        "List workspaces",
        "notes",
        "read",
        list_workspaces,
        answer=Listing[WorkspaceOut],
        query=WorkspacesQuery,
    ),
    Operation(
        "GET",
        "/notes",
        "listNotes",
        "List notes, newest first",
        "notes",
        "read",
        list_notes,
        answer=Listing[NoteOut],
        query=NotesQuery,
        errors=(404,),
    ),
    Operation(
        "GET",
        "/notes/search",
        "searchNotes",
        "Search notes",
        "notes",
        "read",
        search_notes,
        answer=Listing[SearchHitOut],
        query=SearchQuery,
        errors=(404,),
    ),
    Operation(
        "POST",
        "/notes",
        "createNote",
        "Quick capture: add a note",
        "notes",
        "write",
        create_note,
        answer=NoteOut,
        status=201,
        body=NoteCreate,
        body_limit=NOTE_BODY_MAX,
        errors=(404,),
        description="Adds the note to `workspace` (an id or a title; default: the first workspace). "
        "Answers the note with its address (`url`) and, for a public workspace, its public page.",
    ),
    Operation(
        "GET",
        "/notes/{note_id}",
        "getNote",
        "Get a note",
        "notes",
        "read",
        get_note,
        answer=NoteOut,
        path_params=NOTE_ID,
    ),
    Operation(
        "PATCH",
        "/notes/{note_id}",
        "editNote",
        "Edit a note's text",
        "notes",
        "write",
        edit_note,
        answer=NoteOut,
        body=NoteEdit,
        body_limit=NOTE_BODY_MAX,
        path_params=NOTE_ID,
    ),
    Operation(
        "DELETE",
        "/notes/{note_id}",
        "deleteNote",
        "Delete a note",
        "notes",
        "write",
        delete_note,
        status=204,
        path_params=NOTE_ID,
    ),
]
