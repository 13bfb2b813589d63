"""Keeps markdown rendering linear on hostile brackets.

Python-Markdown looks for the end of every `[` (and of every `(` after `]`) by scanning ahead, so
text made of thousands of unmatched or deeply nested brackets costs quadratic time: 16 KB of `[`
took 15 s, 50 KB minutes. Such text is never a real note. When a text has more of them than any real
note does, the text (whose brackets cannot start links: unmatched ones, those nested deeper than
`MAX_DEPTH`, a `(` after `]` that is never closed) is shown as plain text instead: escaping them
would not do, as the renderer's handling of escapes is itself superlinear. Real notes are untouched.
"""

from __future__ import annotations

import html
import re

MAX_DEPTH = 8
TOLERATED = 32  # unmatched brackets a text may have before they are escaped
_FENCE = re.compile(r"^ {0,3}(`{3,}|~{3,})")


def _code_mask(text: str) -> list[bool]:
    """True for the characters inside fenced code blocks and inline code spans (left as written)."""
    mask = [False] * len(text)
    position, fence = 0, ""
    for line in text.splitlines(keepends=True):
        end = position + len(line)
        opening = _FENCE.match(line)
        if fence or opening:
            mask[position:end] = [True] * len(line)
            if fence and opening and opening.group(1)[0] == fence[0] and len(opening.group(1)) >= len(fence):
                fence = ""
            elif not fence and opening:
                fence = opening.group(1)
        position = end
    # A code span runs from a backtick string to the next one of the same length: found in one pass
    # over the strings (a regex search from each of them would be quadratic on hostile input).
    runs = [(match.start(), match.end()) for match in re.finditer(r"`+", text)]
    following: list[int | None] = [None] * len(runs)
    last_of_length: dict[int, int] = {}
    for i in range(len(runs) - 1, -1, -1):
        length = runs[i][1] - runs[i][0]
        following[i] = last_of_length.get(length)
        last_of_length[length] = i
    i = 0
    while i < len(runs):
        closing = following[i]
        if closing is None:
            i += 1
            continue
        start, end = runs[i][0], runs[closing][1]
        mask[start:end] = [True] * (end - start)
        i = closing + 1
    return mask


def is_pathological(text: str) -> bool:
    """True for text with more brackets that cannot start a link (unmatched, nested deeper than
    MAX_DEPTH, or a `(` after `]` never closed) than any real note has. Linear time."""
    if text.count("[") + text.count("(") <= TOLERATED:
        return False
    mask = _code_mask(text)
    squares: list[int] = []
    rounds = deep = 0
    for index, char in enumerate(text):
        if mask[index] or (index and text[index - 1] == "\\"):
            continue
        if char == "[":
            squares.append(index)
            deep += len(squares) > MAX_DEPTH
        elif char == "]" and squares:
            squares.pop()
        elif char == "(" and index and text[index - 1] == "]":
            rounds += 1
        elif char == ")" and rounds:
            rounds -= 1
    return len(squares) + rounds + deep > TOLERATED


def as_plain_text(text: str) -> str:
    """The text as escaped paragraphs: what a pathological note is shown as."""
    paragraphs = (html.escape(part).replace("\n", "<br>") for part in re.split(r"\n\s*\n", text) if part.strip())
    return "".join(f"<p>{part}</p>" for part in paragraphs)
