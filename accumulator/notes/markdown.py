"""Markdown to safe HTML, on the server: rendered with `markdown`, then cleaned with an allow-list.

Nothing the owner (or anyone who can edit a note) types reaches a page as raw HTML: tags, attributes
and URL schemes outside the lists below are dropped, whatever the markdown produced.
"""

from __future__ import annotations

from functools import lru_cache

import markdown as md
import nh3

EXTENSIONS = [
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
    return sanitize(converter.convert(text))
