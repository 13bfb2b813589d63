"""The shapes every `/api/v1` operation shares: strict bodies and lenient query strings, text checked
as every text input of the app is, timestamps with their offset, string ids, the error answer, and
pages with a cursor. The models here are what the routes validate with and what the description
(`openapi.py`) is generated from."""

from __future__ import annotations

import base64
import binascii
import json
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Annotated, Any, Generic, TypeVar

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, PlainSerializer, WithJsonSchema

from accumulator.inputs import clean_text, is_clean, whole_number

LIMIT_DEFAULT, LIMIT_MAX = 50, 100

ID_PATTERN = r"^[0-9]{1,18}$"  # digits; anything else is the same 404
# Row ids are INTEGER columns, 32-bit on PostgreSQL: a larger id names no row (and must never reach
# the database, which would refuse the query itself).
ID_MAX = 2**31 - 1
UUID_PATTERN = r"^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$"  # as uuid4() writes them

ERROR_CODES = {400: "bad_request", 404: "not_found", 409: "conflict", 413: "too_large"}


class ApiError(Exception):
    """An answer other than success, raised by an operation's handler."""

    def __init__(self, status: int, message: str, code: str | None = None) -> None:
        super().__init__(message)
        self.status, self.message, self.code = status, message, code or ERROR_CODES.get(status, "error")


def row_id(value: str | None) -> int | None:
    """The row id `value` names (digits, as `Id` and ID_PATTERN describe), or None when no row can have it."""
    number = whole_number(value)
    return number if number is not None and 0 < number <= ID_MAX else None


def not_found(what: str = "object") -> ApiError:
    return ApiError(404, f"There is no such {what}.")


# Shared shapes


class Strict(BaseModel):
    """Bodies: exactly the fields described, each of its type (no "yes" for true, no 5 for "5")."""

    model_config = ConfigDict(extra="forbid", strict=True)


class Loose(BaseModel):
    """Query parameters arrive as text: numbers are read from it; unknown parameters are ignored."""

    model_config = ConfigDict(extra="ignore")


def _text_check(max_length: int, single_line: bool) -> Callable[[str], str]:
    def check(value: str) -> str:
        return clean_text(value, field="The text", max_length=max_length, single_line=single_line)

    return check


# What `clean_text` refuses, said in the schema too: NUL always; other control characters (besides
# the whitespace that becomes a space) in single-line text.
_NO_NUL = r"^[^\u0000]*$"
_SINGLE_LINE = r"^[^\u0000-\u0008\u000e-\u001b\u007f-\u0084\u0086-\u009f]*$"


def Text(max_length: int, *, single_line: bool = False, min_length: int = 0, description: str = "") -> Any:
    """A text field checked as every text input of the app is (`inputs.clean_text`)."""
    return Annotated[
        str,
        Field(
            max_length=max_length,
            min_length=min_length,
            pattern=_SINGLE_LINE if single_line else _NO_NUL,
            description=description or None,
        ),
        AfterValidator(_text_check(max_length, single_line)),
    ]


# Timestamps as ISO-8601 with their offset ("+00:00", never a bare "Z" nor a naive time).
Timestamp = Annotated[
    datetime,
    PlainSerializer(lambda moment: moment.isoformat(), return_type=str),
    WithJsonSchema({"type": "string", "format": "date-time"}),
]
Id = Annotated[str, Field(pattern=ID_PATTERN, description="An id (digits, as a string).")]


class ErrorDetail(BaseModel):
    code: str = Field(description="Stable, for programs: bad_request, unauthorized, forbidden, not_found, …")
    message: str = Field(description="For people: what is wrong, and what to do.")


class ErrorAnswer(BaseModel):
    error: ErrorDetail


class Page(Loose):
    cursor: str | None = Field(None, max_length=200, description="`next_cursor` of the previous page.")
    limit: int = Field(LIMIT_DEFAULT, ge=1, le=LIMIT_MAX, description="Items per page.")


T = TypeVar("T")


class Listing(BaseModel, Generic[T]):
    items: list[T]
    next_cursor: str | None = Field(description="Pass as `cursor` for the next page; null on the last page.")


def _bad_cursor() -> ApiError:
    return ApiError(400, "The cursor is not one this API gave.", "bad_cursor")


def encode_cursor(value: Any) -> str:
    return base64.urlsafe_b64encode(json.dumps(value, separators=(",", ":")).encode()).decode().rstrip("=")


def decode_cursor(cursor: str | None, default: Any) -> Any:
    if cursor is None:
        return default
    try:
        return json.loads(base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)))
    except (ValueError, binascii.Error, UnicodeDecodeError):
        raise _bad_cursor() from None


def keyset_cursor(moment: datetime, key: int | str) -> str:
    """The cursor after a row of a newest-first list: its time and id (pages stay right while rows
    are added at the top)."""
    return encode_cursor([moment.isoformat(), key])


def decode_keyset(cursor: str | None, key: type[int] | type[str]) -> tuple[datetime, Any] | None:
    """The (time, id) a `keyset_cursor` holds, or None for the first page. A cursor is opaque but
    comes back from anyone: a time without its offset (which the UTC columns refuse) or an id of
    another type is the same 400 as one that is not JSON, never a query that fails."""
    value = decode_cursor(cursor, None)
    if value is None:
        return None
    if not isinstance(value, list) or len(value) != 2 or not isinstance(value[0], str):
        raise _bad_cursor()
    try:  # in UTC as the columns hold it (year 1 at +14:00 does not exist there)
        moment = datetime.fromisoformat(value[0])
        moment = moment.astimezone(UTC) if moment.tzinfo is not None else None
    except (ValueError, OverflowError):
        raise _bad_cursor() from None
    row = value[1]
    if moment is None or isinstance(row, bool) or not isinstance(row, key):
        raise _bad_cursor()
    # An id no row can have: past 32 bits, or text no database takes (NUL, lone surrogates).
    if isinstance(row, int) and not 0 <= row <= ID_MAX:
        raise _bad_cursor()
    if isinstance(row, str) and (len(row) > 64 or not is_clean(row)):
        raise _bad_cursor()
    return moment, row


def offset_page(items: list[Any], page: Page) -> dict[str, Any]:
    """A page (as a `Listing`) of a list the feature's read function gives whole (bounded lists:
    pastes, plants, pages)."""
    offset = decode_cursor(page.cursor, 0)
    if not isinstance(offset, int) or isinstance(offset, bool) or offset < 0:
        raise _bad_cursor()
    chunk = items[offset : offset + page.limit]
    more = offset + page.limit < len(items)
    return {"items": chunk, "next_cursor": encode_cursor(offset + page.limit) if more else None}
