"""Syntax highlighting of paste content: the languages offered, guessing one, and the HTML.

Pygments escapes every character of the content it is given, so its output is safe to place in a
page as it is. Very large pastes are shown as escaped plain text: highlighting a megabyte takes
seconds and produces several megabytes of markup.
"""

from __future__ import annotations

import html
import json
from functools import lru_cache

from pygments import highlight
from pygments.formatters import HtmlFormatter
from pygments.lexers import get_lexer_by_name

from accumulator.inputs import nesting_error
from accumulator.pastes.detect import detect

AUTO = "auto"
PLAIN = "text"

# What the language menu offers: Pygments alias → label. Stored as the alias.
LANGUAGES: dict[str, str] = {
    PLAIN: "Plain text",
    "bash": "Bash / shell",
    "c": "C",
    "cpp": "C++",
    "csharp": "C#",
    "css": "CSS",
    "dart": "Dart",
    "diff": "Diff",
    "docker": "Dockerfile",
    "elixir": "Elixir",
    "erlang": "Erlang",
    "go": "Go",
    "graphql": "GraphQL",
    "haskell": "Haskell",
    "html": "HTML",
    "ini": "INI",
    "java": "Java",
    "javascript": "JavaScript",
    "json": "JSON",
    "jsx": "JSX",
    "kotlin": "Kotlin",
    "latex": "LaTeX",
    "lua": "Lua",
    "make": "Makefile",
    "markdown": "Markdown",
    "nginx": "nginx",
    "nix": "Nix",
    "objective-c": "Objective-C",
    "perl": "Perl",
    "php": "PHP",
    "powershell": "PowerShell",
    "proto": "Protocol Buffers",
    "python": "Python",
    "pytb": "Python traceback",
    "r": "R",
    "ruby": "Ruby",
    "rust": "Rust",
    "scala": "Scala",
    "sql": "SQL",
    "swift": "Swift",
    "terraform": "Terraform",
    "toml": "TOML",
    "tsx": "TSX",
    "typescript": "TypeScript",
    "xml": "XML",
    "yaml": "YAML",
    "zig": "Zig",
}

JSON_CHECK_MAX = 20_000  # characters up to which content is parsed whole to tell JSON
HIGHLIGHT_MAX = 256 * 1024  # characters above which content is shown plain


def label(alias: str) -> str:
    return LANGUAGES.get(alias, LANGUAGES[PLAIN])


def guess(content: str) -> str:
    """The offered language this content looks like (pastes/detect.py), or plain text. Content that
    parses as JSON whole is JSON, as long as it is small enough to parse at once."""
    if content.lstrip()[:1] in ("{", "[") and len(content) <= JSON_CHECK_MAX and nesting_error(content) is None:
        try:
            json.loads(content)
        except (ValueError, RecursionError):
            pass
        else:
            return "json"
    found = detect(content)
    return found if found in LANGUAGES else PLAIN


def shown_as(language: str, content: str) -> str:
    """The language to highlight with: the owner's choice, or the guess for 'auto'."""
    return guess(content) if language == AUTO else language


@lru_cache(maxsize=16)  # the same paste is usually viewed several times in a row
def to_html(content: str, language: str) -> str:
    """The content as a `<div class="highlight"><pre>` block, highlighted when it is small enough."""
    if language == PLAIN or language not in LANGUAGES or len(content) > HIGHLIGHT_MAX:
        return f'<div class="highlight"><pre>{html.escape(content)}</pre></div>'
    return highlight(content, get_lexer_by_name(language), HtmlFormatter(wrapcode=True))
