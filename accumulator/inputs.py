"""Checks every text input goes through: valid, encodable Unicode, no NUL, a bounded length.

A lone surrogate (JSON `"\\ud800"`) decodes into a Python str that no database or file can store;
refused here, it is a clear 400 (or a handler's message) instead of a failure later.
"""

from __future__ import annotations

from typing import Any


class InputError(ValueError):
    """A text field the app refuses; the message names the field and is safe to show."""


def clean_text(value: Any, *, field: str, max_length: int, single_line: bool = False) -> str:
    """`value` if it is a str of at most `max_length` characters of valid Unicode without NUL (and,
    for `single_line`, without line breaks or other control characters); InputError otherwise."""
    if not isinstance(value, str):
        raise InputError(f"{field} must be text.")
    if len(value) > max_length:
        raise InputError(f"{field} is longer than {max_length:,} characters.")
    if "\x00" in value:
        raise InputError(f"{field} contains a NUL character.")
    try:
        value.encode("utf-8")
    except UnicodeEncodeError:
        raise InputError(f"{field} is not valid Unicode.") from None
    if single_line and any(ord(ch) < 32 or ord(ch) == 127 for ch in value):
        raise InputError(f"{field} must be a single line without control characters.")
    return value
