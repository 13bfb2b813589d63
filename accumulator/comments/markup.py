"""Markdown-lite for comments: emphasis, links, inline and block code, paragraphs; nothing else.

Rendered on the server when a comment is written and kept beside its source, then cleaned with an
allow-list far shorter than the notes' one: no images, headings, tables, classes or styles. Every
link is marked `nofollow ugc noopener` and may only be http(s) or mailto.
"""

from __future__ import annotations

import markdown as md
import nh3

from accumulator.notes.brackets import as_plain_text, is_pathological

TAGS = {"p", "br", "em", "strong", "del", "a", "code", "pre", "blockquote", "ul", "ol", "li"}
ATTRIBUTES = {"a": {"href"}}
URL_SCHEMES = {"http", "https", "mailto"}
LINK_REL = "nofollow ugc noopener"
EXTENSIONS = ["fenced_code", "sane_lists", "nl2br", "pymdownx.magiclink", "pymdownx.tilde"]


def sanitize(html: str) -> str:
    return nh3.clean(html, tags=TAGS, attributes=ATTRIBUTES, url_schemes=URL_SCHEMES, link_rel=LINK_REL)


def render(text: str) -> str:
    """The comment's text as HTML safe to place in any page: raw HTML in it goes through the same
    allow-list (a <script> is dropped with its content, an <img> or a handler never survives)."""
    if is_pathological(text):
        return sanitize(as_plain_text(text))
    converter = md.Markdown(extensions=EXTENSIONS, output_format="html")
    return sanitize(converter.convert(text))
