"""Text and JSON from outside, checked before anything else looks at them.

Every text field of every input goes through `clean_text` (or `clean_name` for names shown and
offered back as they are): it must be a string of valid Unicode that any encoding can write (no
lone surrogates, which JSON's \\ud800 escapes can carry), without NUL (PostgreSQL refuses it), and
of bounded length. JSON bodies go through `parse_json`, which refuses nesting deeper than
`MAX_DEPTH` before the parser sees it (Python's parser recurses and would hit the recursion limit).
Every check runs in time linear in the input, in C-speed string operations.

The refusals raise `InputError` (a ValueError) by default, or the caller's own error class, with a
message that names the field and is safe to show.
"""

from __future__ import annotations

import json
import re
import unicodedata
from functools import lru_cache
from typing import Any
from urllib.parse import urlsplit

MAX_DEPTH = 32
URL_MAX = 2048

_SURROGATE = re.compile("[\ud800-\udfff]")
_CONTROL = re.compile("[\x00-\x1f\x7f-\x9f]")
# The joiners shape emoji and Indic and Arabic words; they cannot reorder what is shown.
_JOINERS = frozenset("\u200c\u200d")
_INVISIBLE = frozenset(("Cf", "Zl", "Zp"))  # format characters (bidi, zero-width), line separators

# JSON nesting, counted on the brackets outside strings (a string is skipped whole).
_STRING = re.compile(r'"[^"\\]*(?:\\[\s\S][^"\\]*)*"')
_NOT_BRACKET = re.compile(r"[^\[\]{}]+")


class InputError(ValueError):
    """A refused input; the message names the field and is safe to show as it is."""


def clean_text(
    value: object,
    *,
    field: str,
    max_length: int,
    single_line: bool = False,
    error: type[Exception] = InputError,
) -> str:
    """`value` if it is text that can be stored: a string of valid Unicode without NUL, at most
    `max_length` characters. With `single_line`, runs of whitespace (line breaks included) become
    one space, the ends are trimmed, and any other control character is refused.

    `field` is the field as messages name it ("The title", "'path'"); refusals raise `error`."""
    if not isinstance(value, str):
        raise error(f"{field} must be text.")
    if _SURROGATE.search(value):
        raise error(f"{field} must be valid Unicode text (it holds a lone surrogate).")
    if "\x00" in value:
        raise error(f"{field} must not contain NUL characters.")
    if single_line:
        value = " ".join(value.split())
        if _CONTROL.search(value):
            raise error(f"{field} must not contain control characters.")
    if len(value) > max_length:
        raise error(f"{field} must not be longer than {max_length:,} characters.")
    return value


def clean_name(value: object, *, field: str, max_length: int, error: type[Exception] = InputError) -> str:
    """`value`, unchanged, if it is a name that shows what it is (a file name, a path): text as
    `clean_text` wants it, without any control character and without invisible format characters
    (bidirectional overrides and isolates, zero-width marks, line separators) that could make
    "invoice\\u202egpj.exe" look like "invoiceexe.jpg"."""
    value = clean_text(value, field=field, max_length=max_length, error=error)
    if _CONTROL.search(value):
        raise error(f"{field} must not contain control characters.")
    if not value.isascii():  # the length is bounded already, so this loop is too
        for char in value:
            if char not in _JOINERS and unicodedata.category(char) in _INVISIBLE:
                raise error(f"{field} must not contain invisible formatting characters (U+{ord(char):04X}).")
    return value


def web_url(value: object, *, max_length: int = URL_MAX) -> str:
    """`value` if it is an absolute http(s) URL with a host, else "": for links that go into an
    href or an img src, where a `javascript:` or `data:` one must never get, whoever sent it."""
    if not isinstance(value, str) or len(value) > max_length or not is_clean(value):
        return ""
    if any(char.isspace() or not char.isprintable() for char in value):
        return ""
    try:
        parts = urlsplit(value)
    except ValueError:  # brackets of an IPv6 host that do not close
        return ""
    return value if parts.scheme in ("https", "http") and parts.hostname else ""


def is_clean(value: object) -> bool:
    """Whether `value` is a string that can be stored as text (valid Unicode, no NUL): for
    lookups, where text that cannot be stored simply matches nothing."""
    return isinstance(value, str) and "\x00" not in value and not _SURROGATE.search(value)


def whole_number(value: object, *, max_digits: int = 18) -> int | None:
    """The number `value` spells in ASCII digits (no sign, no space), or None. `str.isdigit`
    alone is not the test: it accepts "³" and "①", which int() refuses with a ValueError."""
    if isinstance(value, str) and 0 < len(value) <= max_digits and value.isascii() and value.isdigit():
        return int(value)
    return None


def nesting_error(text: str, *, max_depth: int = MAX_DEPTH) -> str | None:
    """Why the JSON `text` is refused before parsing (nested deeper than `max_depth`, or brackets
    that do not pair up), or None when it may be parsed.

    Strings are dropped, then the brackets left must form a sequence of pairs at most `max_depth`
    deep: one regular expression with possessive repeats, so one pass and no backtracking."""
    if text.count("[") + text.count("{") <= max_depth:
        return None
    brackets = _NOT_BRACKET.sub("", _STRING.sub("", text))
    if _balanced(max_depth).fullmatch(brackets):
        return None
    opened = brackets.count("[") + brackets.count("{")
    if opened * 2 != len(brackets):
        return "The body is not valid JSON."
    return f"The JSON is nested more than {max_depth} levels deep."


@lru_cache(maxsize=4)
def _balanced(depth: int) -> re.Pattern[str]:
    """Pairs of brackets nested at most `depth` deep (the kind of bracket is the parser's business)."""
    pattern = ""
    for _ in range(depth):
        pattern = r"(?:[\[{]" + pattern + r"[\]}])*+"
    return re.compile(pattern)


def parse_json(body: bytes | str, *, max_depth: int = MAX_DEPTH, error: type[Exception] = InputError) -> Any:
    """The JSON value of `body` (bytes in UTF-8, -16 or -32, as `json.loads` reads them), nested
    at most `max_depth` deep. Raises `error` with a one-line reason otherwise."""
    try:
        text = body.decode(json.detect_encoding(body), "surrogatepass") if isinstance(body, bytes) else body
    except UnicodeDecodeError:
        raise error("The body is not valid JSON.") from None
    reason = nesting_error(text, max_depth=max_depth)
    if reason:
        raise error(reason)
    try:
        return json.loads(text)
    except (ValueError, RecursionError):
        raise error("The body is not valid JSON.") from None
