"""The shared views of a paste: the page, the burn-after-reading confirmation, the embed.

The content is placed as Pygments output (every character escaped) and every other piece of user
text is escaped here, so nothing a paste holds can become markup.
"""

from __future__ import annotations

import html
from collections.abc import Callable
from datetime import datetime

from accumulator.pastes import highlight
from accumulator.pastes.models import Paste, PasteFile
from accumulator.public_html import document_start
from accumulator.sizes import size_text
from accumulator.timefmt import left_text

PASTE_CSS = """
main{max-width:1100px}
.meta{color:var(--muted);font-size:.9rem;margin:0 0 16px;display:flex;flex-wrap:wrap;gap:4px 16px}
.actions{display:flex;gap:8px;margin:0 0 16px;flex-wrap:wrap}.files{margin:16px 0;padding:0;list-style:none}
.files li{padding:6px 0;border-bottom:1px solid var(--line);display:flex;justify-content:space-between;gap:12px;
overflow-wrap:anywhere}.files .size{color:var(--muted);white-space:nowrap}
.highlight pre{margin:0;font:13px/1.5 ui-monospace,SFMono-Regular,Menlo,Consolas,monospace;tab-size:4}
.notice{border:1px solid var(--line);border-radius:8px;padding:16px;margin:24px 0}
body.embed h1{font-size:1.1rem}body.embed .highlight pre{max-height:none}
"""

# The Copy button: the text is copied from the page, not fetched again.
COPY_SCRIPT = (
    "document.getElementById('copy').addEventListener('click',e=>{"
    "navigator.clipboard.writeText(document.querySelector('.highlight pre').innerText)"
    ".then(()=>{e.target.textContent='Copied'})})"
)

FileLink = Callable[[PasteFile], str]


def _title(paste: Paste) -> str:
    return paste.title or "Untitled paste"


def _meta(paste: Paste, now: datetime) -> str:
    items = [
        highlight.label(paste.shown_as),
        size_text(paste.size),
        "never expires" if paste.expires_at is None else f"expires in {left_text(paste.expires_at, now)}",
    ]
    if paste.burned_at is not None:
        items.append("deleted now that you have read it")
    return "<p class=meta>" + "".join(f"<span>{html.escape(item)}</span>" for item in items) + "</p>"


def _files(files: list[PasteFile], link: FileLink) -> str:
    if not files:
        return ""
    rows = "".join(
        f"<li><a href={html.escape(link(file), quote=True)} download>{html.escape(file.name)}</a>"
        f"<span class=size>{size_text(file.size)}</span></li>"
        for file in files
    )
    return f"<h2>Files</h2><ul class=files>{rows}</ul>"


def render_paste(
    *, paste: Paste, files: list[PasteFile], now: datetime, nonce: str, embed: bool, file_link: FileLink, raw_url: str
) -> str:
    title = _title(paste)
    actions = (
        ""
        if embed or paste.burned_at is not None
        else f"<div class=actions><a class=button href={html.escape(raw_url, quote=True)}>Raw</a>"
        "<button id=copy type=button>Copy</button></div>"
    )
    body = highlight.to_html(paste.content, paste.shown_as) if paste.content else ""
    return "".join(
        (
            document_start(title, nonce, embed=embed, extra_css=PASTE_CSS),
            f"<main><h1>{html.escape(title)}</h1>",
            _meta(paste, now),
            actions,
            body,
            _files(files, file_link),
            "</main>",
            "" if embed or paste.burned_at is not None else f"<script nonce={nonce}>{COPY_SCRIPT}</script>",
            "</body></html>",
        )
    )


def render_confirmation(*, paste: Paste, nonce: str, embed: bool, action: str) -> str:
    """The step before a burn-after-reading paste is shown: a link preview or a crawler fetching the
    address sees this, and only a person pressing the button (a POST) reads and burns it."""
    title = _title(paste)
    return "".join(
        (
            document_start(title, nonce, embed=embed, extra_css=PASTE_CSS),
            f"<main><h1>{html.escape(title)}</h1>",
            "<div class=notice><p><strong>This paste can be read once.</strong> "
            "It will be deleted as soon as you open it, so nobody (you included) can open it again.</p>",
            f"<form method=post action={html.escape(action, quote=True)}>"
            "<button class=primary type=submit>Show it and delete it</button></form></div>",
            "</main></body></html>",
        )
    )


def render_gone(*, nonce: str, embed: bool) -> str:
    return "".join(
        (
            document_start("Paste not found", nonce, embed=embed, extra_css=PASTE_CSS),
            "<main><h1>Paste not found</h1>",
            "<p class=sub>There is no paste at this address. It may have expired, been deleted, or "
            "been read already if it could be read only once.</p></main></body></html>",
        )
    )
