"""`/api/v1` for pastes: what `/api/pastes` does for the owner's pages (list, create, read, replace,
delete, upload a file to attach), for tokens. Thin: pastes/reads.py and pastes/actions.py do the
work, `pastes.service.parse_input` keeps the rules (the models here only describe the shape)."""

from __future__ import annotations

import re
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field
from starlette.requests import ClientDisconnect

from accumulator.apiv1.contract import Call, Operation, PathParam
from accumulator.apiv1.shapes import ApiError, Listing, Loose, Page, Strict, Text, Timestamp, not_found, offset_page
from accumulator.inputs import whole_number
from accumulator.pastes import actions, highlight, reads, service
from accumulator.pastes.api import MAX_JSON_BODY, SAFE_CONTENT_TYPE
from accumulator.pastes.models import CONTENT_MAX, NAME_MAX, TITLE_MAX, Paste, PasteFile
from accumulator.storage import FILE_ID, TooLarge
from accumulator.web import public_origin

PASTE_ID = {"paste_id": PathParam("The paste's id.", pattern=r"^[A-Za-z0-9_-]{1,24}$", max_length=24)}
Language = Literal[tuple([highlight.AUTO, *highlight.LANGUAGES])]  # type: ignore[misc]
Expiry = Literal[tuple(service.EXPIRY)]  # type: ignore[misc]
FileId = Annotated[
    str, Field(pattern=FILE_ID.pattern, description="An upload's id (from POST /api/v1/pastes/uploads).")
]
# What parse_input asks besides the shape: some text (not only spaces) or at least one file.
SOMETHING = {
    "anyOf": [
        {"required": ["content"], "properties": {"content": {"pattern": "\\S"}}},
        {"required": ["files"], "properties": {"files": {"minItems": 1}}},
    ]
}


class PasteSummaryOut(BaseModel):
    id: str
    title: str
    size: int = Field(description="Bytes of text.")
    files: int
    visibility: Literal["private", "shared"]
    burn_after_reading: bool
    expires_at: Timestamp | None
    updated_at: Timestamp


class PasteFileOut(BaseModel):
    id: str
    name: str
    size: int
    content_type: str


class PasteOut(BaseModel):
    id: str
    slug: str
    title: str
    content: str
    language: str = Field(description="As chosen ('auto': detected).")
    shown_as: str = Field(description="The highlighting used.")
    expiry: str
    expires_at: Timestamp | None
    burn_after_reading: bool
    visibility: Literal["private", "shared"]
    files: list[PasteFileOut]
    url: str = Field(description="The paste on the owner's pages.")
    share_url: str | None = Field(description="The link others may open, when shared.")


class PasteIn(Strict):
    model_config = ConfigDict(extra="forbid", strict=True, json_schema_extra=SOMETHING)

    title: Text(TITLE_MAX, single_line=True) = ""
    content: Text(CONTENT_MAX, description="The text (at most 1 MB of UTF-8).") = ""
    language: Language = highlight.AUTO
    expiry: Expiry = service.DEFAULT_EXPIRY
    burn_after_reading: bool = False
    visibility: Literal["private", "shared"] = "private"
    files: list[FileId] = Field(
        default_factory=list, max_length=service.MAX_FILES, description="Uploads to attach; leave one out to remove it."
    )


class PastesQuery(Page):
    q: Text(200, single_line=True) = Field("", description="Words the title must contain.")


class UploadQuery(Loose):
    name: Text(NAME_MAX, min_length=1, description="The file's name, as it will be offered on download.")


class UploadOut(BaseModel):
    id: str
    name: str
    size: int


def _paste_out(call: Call, paste: Paste, files: list[PasteFile]) -> dict[str, Any]:
    found = reads.paste_json(paste, files)  # the same fields the owner's route answers
    origin = public_origin(call.request, call.svc.settings.trusted_proxy_hops)
    found["url"] = origin + found["url"]
    found["share_url"] = origin + found["share_url"] if found["share_url"] else None
    found["expires_at"] = paste.expires_at
    return found


async def list_pastes(call: Call) -> dict[str, Any]:
    rows = await reads.summaries(call.svc, query=call.query.q)
    items = [
        {
            "id": row.id,
            "title": row.title,
            "size": row.size,
            "files": row.file_count,
            "visibility": "shared" if row.is_shared else "private",
            "burn_after_reading": row.burn_after_reading,
            "expires_at": row.expires_at,
            "updated_at": row.updated_at,
        }
        for row in rows
    ]
    return offset_page(items, call.query)


async def create_paste(call: Call) -> dict[str, Any]:
    data = service.parse_input(call.body.model_dump())
    return _paste_out(call, *await actions.create_paste(call.svc, data=data))


async def get_paste(call: Call) -> dict[str, Any]:
    found = await reads.paste_with_files(call.svc, paste_id=call.path["paste_id"])
    if found is None:
        raise not_found("paste")
    return _paste_out(call, *found)


async def replace_paste(call: Call) -> dict[str, Any]:
    data = service.parse_input(call.body.model_dump())
    saved = await actions.update_paste(call.svc, paste_id=call.path["paste_id"], data=data)
    if saved is None:
        raise not_found("paste")
    return _paste_out(call, *saved)


async def delete_paste(call: Call) -> None:
    if not await actions.delete_paste(call.svc, paste_id=call.path["paste_id"]):
        raise not_found("paste")


async def upload_file(call: Call) -> dict[str, Any]:
    """Streamed to disk as it arrives (never held whole in memory), as the owner's upload route does."""
    svc, request = call.svc, call.request
    name = service.check_file_name(call.query.name)
    limit = svc.settings.max_upload_bytes
    declared = request.headers.get("content-length")
    if declared is not None and ((size := whole_number(declared)) is None or size > limit):
        raise ApiError(413, f"The file is larger than {svc.settings.max_upload_mb} MB.")
    if declared == "0" or (declared is None and "transfer-encoding" not in request.headers):
        raise ApiError(400, "The file is empty: send its bytes as the body.")
    content_type = request.headers.get("content-type", "").split(";")[0].strip()
    if not SAFE_CONTENT_TYPE.match(content_type) or re.match(r"^multipart/", content_type):
        content_type = "application/octet-stream"
    try:
        upload = await actions.upload_file(svc, name=name, content_type=content_type, chunks=request.stream())
    except TooLarge:
        raise ApiError(413, f"The file is larger than {svc.settings.max_upload_mb} MB.") from None
    except ClientDisconnect:
        raise ApiError(400, "The upload was cut off.") from None
    return {"id": upload.id, "name": upload.name, "size": upload.size}


OPERATIONS = [
    Operation(
        "GET",
        "/pastes",
        "listPastes",
        "List live pastes, newest change first",
        "pastes",
        "read",
        list_pastes,
        answer=Listing[PasteSummaryOut],
        query=PastesQuery,
    ),
    Operation(
        "POST",
        "/pastes",
        "createPaste",
        "Create a paste",
        "pastes",
        "write",
        create_paste,
        answer=PasteOut,
        status=201,
        body=PasteIn,
        body_limit=MAX_JSON_BODY,
    ),
    Operation(
        "POST",
        "/pastes/uploads",
        "uploadFile",
        "Upload a file to attach to a paste",
        "pastes",
        "write",
        upload_file,
        answer=UploadOut,
        status=201,
        query=UploadQuery,
        raw_body="application/octet-stream",
        description="The file is the body. Answers its id: list it in a paste's `files` within a day.",
    ),
    Operation(
        "GET",
        "/pastes/{paste_id}",
        "getPaste",
        "Get a paste with its text",
        "pastes",
        "read",
        get_paste,
        answer=PasteOut,
        path_params=PASTE_ID,
    ),
    Operation(
        "PUT",
        "/pastes/{paste_id}",
        "replacePaste",
        "Replace a paste (its expiry counts from now)",
        "pastes",
        "write",
        replace_paste,
        answer=PasteOut,
        body=PasteIn,
        body_limit=MAX_JSON_BODY,
        path_params=PASTE_ID,
    ),
    Operation(
        "DELETE",
        "/pastes/{paste_id}",
        "deletePaste",
        "Delete a paste and its files",
        "pastes",
        "write",
        delete_paste,
        status=204,
        path_params=PASTE_ID,
    ),
]
