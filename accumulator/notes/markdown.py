"""Markdown to safe HTML, on the server: rendered with `markdown`, then cleaned with an allow-list.

Nothing the owner (or anyone who can edit a note) types reaches a page as raw HTML: tags, attributes
and URL schemes outside the lists below are dropped, whatever the markdown produced.
"""

from __future__ import annotations

import re
from functools import lru_cache

import markdown as md
import nh3
from markdown.extensions import Extension
from markdown.preprocessors import Preprocessor

from accumulator.notes.brackets import as_plain_text, is_pathological

_ITEM = re.compile(r"^( *)([-*+]|\d{1,9}[.)])( +)(?=\S)")
_RULE = re.compile(r"^ {0,3}([-*_])(?: *\1){2,} *$")
_FENCE = re.compile(r"^ *(`{3,}|~{3,})")


def _shifted(line: str, by: int) -> str:
    return " " * by + line if by >= 0 else line[min(-by, len(line) - len(line.lstrip(" "))) :]


class _GfmLists(Preprocessor):
    """Lists as GitHub, and the original app's Earmark, read them: a list may start on the line
    right after a paragraph, an item nests under another when indented to that item's text (two
    spaces under "- "), and a bullet after a numbered item starts a new list. Python-Markdown wants
    blank lines and four spaces for these; this rewrites the lines so it gets them. Fenced code is
    left as it is."""

    def run(self, lines: list[str]) -> list[str]:
        out: list[str] = []
        columns: list[int] = []  # where the text of each open item starts, outermost first
        fence, shift = "", 0
        numbered = after_item = blank_since_item = False
        for line in lines:
            if fence:
                out.append(_shifted(line, shift))
                fence = "" if line.strip().startswith(fence) and not line.strip().strip(fence[0]) else fence
                continue
            if not line.strip():
                out.append(line)
                blank_since_item, after_item = bool(columns), False
                continue
            indent = len(line) - len(line.lstrip(" "))
            item = None if _RULE.match(line) else _ITEM.match(line)
            if item and (columns or indent <= 3):
                in_list, text_before = bool(columns), bool(out and out[-1].strip())
                while columns and indent < columns[-1]:
                    columns.pop()
                is_numbered = item.group(2)[0].isdigit()
                if text_before and (
                    not in_list  # a list right after a paragraph
                    or (not columns and is_numbered != numbered)  # another kind of list
                    or (blank_since_item and not after_item)  # after a loose item's paragraph
                ):
                    out.append("")
                if not columns:
                    numbered = is_numbered
                out.append(" " * (4 * len(columns)) + item.group(2).replace(")", ".") + " " + line[item.end() :])
                columns.append(indent + len(item.group(2)) + len(item.group(3)))
                after_item, blank_since_item = True, False
                continue
            after_item = False
            if columns:
                level = max((i for i, column in enumerate(columns) if indent >= column), default=None)
                if level is None and not out[-1].strip():
                    columns = []  # an unindented paragraph after a blank line ends the list
                else:
                    shift = 0 if level is None else 4 * (level + 1) - columns[level]
                    out.append(_shifted(line, shift))
                    fence = found.group(1) if (found := _FENCE.match(line)) else ""
                    continue
            if found := _FENCE.match(line):
                fence, shift = found.group(1), 0
            out.append(line)
        return out


class GfmLists(Extension):
    def extendMarkdown(self, md_instance: md.Markdown) -> None:
        # After whitespace is normalised (30), before fenced code is taken out (25).
        md_instance.preprocessors.register(_GfmLists(md_instance), "gfm_lists", 28)


EXTENSIONS = [
    GfmLists(),
    "smarty",  # curly quotes, dashes and ellipses, as the original app's Earmark (smartypants) made them
    "tables",
    "fenced_code",
    "codehilite",
    "sane_lists",
    "pymdownx.tasklist",
    "pymdownx.magiclink",
    "pymdownx.tilde",
]
EXTENSION_CONFIGS = {
    "codehilite": {"guess_lang": False, "css_class": "highlight"},
    "pymdownx.tasklist": {"custom_checkbox": False, "clickable_checkbox": False},
    "pymdownx.magiclink": {"repo_url_shortener": False},
}

ALLOWED_TAGS = {
    "a", "abbr", "b", "blockquote", "br", "code", "del", "div", "em", "h1", "h2", "h3", "h4", "h5", "h6",
    "hr", "i", "img", "input", "kbd", "li", "mark", "ol", "p", "pre", "s", "span", "strong", "sub", "sup",
    "table", "tbody", "td", "tfoot", "th", "thead", "tr", "ul",
}  # fmt: skip
ALLOWED_ATTRIBUTES = {
    "a": {"href", "title"},
    "img": {"src", "alt", "title"},
    "input": {"type", "checked", "disabled"},
    "td": {"align"},
    "th": {"align"},
    "ol": {"start"},
    # Classes only carry highlighting and task-list styling; with a strict CSP they cannot run code.
    "code": {"class"},
    "div": {"class"},
    "li": {"class"},
    "pre": {"class"},
    "span": {"class"},
    "ul": {"class"},
}
URL_SCHEMES = {"http", "https", "mailto"}


def _checkbox_only(tag: str, attribute: str, value: str) -> str | None:
    # <input> is allowed for task lists only: a disabled checkbox, nothing else.
    if tag == "input":
        if attribute == "type":
            return "checkbox" if value == "checkbox" else None
        if attribute == "disabled":
            return ""
    return value


def sanitize(html: str) -> str:
    """Keep only the allow-listed tags, attributes and URL schemes; links get rel=noopener etc."""
    return nh3.clean(
        html,
        tags=ALLOWED_TAGS,
        attributes=ALLOWED_ATTRIBUTES,
        url_schemes=URL_SCHEMES,
        link_rel="noopener noreferrer nofollow",
        attribute_filter=_checkbox_only,
        strip_comments=True,
    )


@lru_cache(maxsize=2048)
def render(text: str) -> str:
    """The note's markdown as HTML that is safe to put in a page."""
    converter = md.Markdown(extensions=EXTENSIONS, extension_configs=EXTENSION_CONFIGS, output_format="html")
    if is_pathological(text):
        return as_plain_text(text)
    return sanitize(converter.convert(text))
