"""The ground floor every input goes through: text that can be stored, names that show what they
are, and JSON of bounded nesting, checked in time that grows no faster than the input."""

from __future__ import annotations

import json
import time

import pytest

from accumulator.inputs import (
    MAX_DEPTH,
    InputError,
    clean_name,
    clean_text,
    is_clean,
    nesting_error,
    parse_json,
    whole_number,
)


class FieldError(ValueError):
    pass


def test_clean_text_gives_back_valid_text_and_single_line_text_tidied() -> None:
    assert clean_text("a\n\tb  ", field="The note", max_length=10) == "a\n\tb  "
    assert clean_text("  a\n\tb\x85\u2028c ", field="The title", max_length=10, single_line=True) == "a b c"
    assert clean_text("été 👩‍💻", field="The title", max_length=10) == "été 👩‍💻"


@pytest.mark.parametrize(
    ("value", "options", "message"),
    [
        (5, {}, "The title must be text."),
        (None, {}, "The title must be text."),
        ("a\ud800", {}, "The title must be valid Unicode text"),
        ("a\udfff b", {"single_line": True}, "The title must be valid Unicode text"),
        ("a\x00", {}, "The title must not contain NUL characters."),
        ("a\x1b[31m", {"single_line": True}, "The title must not contain control characters."),
        ("a\x9b31m", {"single_line": True}, "The title must not contain control characters."),
        ("x" * 11, {}, "The title must not be longer than 10 characters."),
    ],
)
def test_clean_text_refuses_with_a_message_naming_the_field(value, options: dict, message: str) -> None:
    with pytest.raises(InputError) as caught:
        clean_text(value, field="The title", max_length=10, **options)
    assert str(caught.value).startswith(message)
    with pytest.raises(FieldError):  # or the caller's own error class, which its routes already map
        clean_text(value, field="The title", max_length=10, error=FieldError, **options)


@pytest.mark.parametrize(
    "char", ["\u202a", "\u202b", "\u202c", "\u202d", "\u202e", "\u2066", "\u2067", "\u2068", "\u2069"]
)
def test_clean_name_refuses_every_bidirectional_override_and_isolate(char: str) -> None:
    with pytest.raises(InputError, match=f"U\\+{ord(char):04X}"):
        clean_name(f"invoice{char}gpj.exe", field="The file name", max_length=255)


@pytest.mark.parametrize(
    "name", ["a\u200bb", "a\u200eb", "a\u200fb", "a\ufeffb", "a\u2060b", "a\u061cb", "a\u2028b", "a\tb"]
)
def test_clean_name_refuses_other_invisible_and_control_characters(name: str) -> None:
    with pytest.raises(InputError):
        clean_name(name, field="The file name", max_length=255)


def test_clean_name_keeps_names_in_every_script_unchanged() -> None:
    for name in ("  spaced  name.txt", "отчёт.pdf", "تقرير.pdf", "می‌خواهم.txt", "👩‍💻.txt", "報告.txt"):
        assert clean_name(name, field="The file name", max_length=255) == name


def test_is_clean_answers_without_raising() -> None:
    assert is_clean("fine") and not is_clean("a\x00") and not is_clean("\ud800") and not is_clean(None)


# JSON


def nested(depth: int) -> str:
    return "[" * depth + "]" * depth


def test_json_exactly_as_deep_as_allowed_is_read_and_one_level_more_is_refused() -> None:
    assert parse_json(nested(MAX_DEPTH).encode()) == json.loads(nested(MAX_DEPTH))
    wide = json.dumps(
        {"rows": [[{"a": [1]}, {"b": [2]}] for _ in range(500)], "deep": json.loads(nested(MAX_DEPTH - 1))}
    )
    assert parse_json(wide.encode())["rows"][0] == [{"a": [1]}, {"b": [2]}]
    with pytest.raises(InputError, match="nested more than 32 levels"):
        parse_json(nested(MAX_DEPTH + 1).encode())
    with pytest.raises(InputError, match="nested more than 32 levels"):
        parse_json(("[{}," * 40 + "1" + "]" * 40).encode())  # deep, though no 33 brackets open in a row


@pytest.mark.parametrize(
    "body",
    [b"[" * 100_000, b"]" * 100_000, b"{" * 50_000, b"[" * 40 + b"}" * 40, b'["' + b"[" * 5000, b"\xff\xfe\x00"],
)
def test_bodies_that_are_not_json_are_refused_without_a_recursion_error(body: bytes) -> None:
    with pytest.raises(InputError):
        parse_json(body)


def test_brackets_in_strings_and_escaped_quotes_do_not_count() -> None:
    text = json.dumps({"code": "[" * 10_000 + '"\\"' + "{" * 10_000, "list": [1, [2, [3]]]})
    assert nesting_error(text) is None
    assert parse_json(text.encode("utf-16"))["list"] == [1, [2, [3]]]


def test_the_nesting_check_takes_time_linear_in_the_body() -> None:
    # About 8 MB (a paste body's limit) of the worst shapes: pairs 32 deep side by side, a comb of
    # shallow pairs, a run of opening brackets. One pass each; a pass per level would take seconds.
    shapes = [("[" * 32 + "]" * 32) * 125_000, ("[" + "[]" * 20 + "]") * 180_000, "[" * 8_000_000]
    for text in shapes:
        started = time.perf_counter()
        nesting_error(text)
        assert time.perf_counter() - started < 3.0  # well under a second on an idle machine


@pytest.mark.parametrize(
    ("value", "number"),
    [("0", 0), ("42", 42), ("007", 7), ("9" * 18, int("9" * 18)), ("9" * 19, None), ("", None), ("-1", None),
     (" 1", None), ("1.0", None), ("\u00b3", None), ("\u2460", None), ("\u0663", None), (None, None), (3, None)],
)  # fmt: skip
def test_whole_number_reads_only_ascii_digits_and_never_raises(value: object, number: int | None) -> None:
    assert whole_number(value) == number
