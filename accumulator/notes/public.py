"""The public and embeddable views of a workspace: small server-rendered HTML, no React bundle.

Every piece of user text is escaped or, for note bodies, rendered by `markdown.render` (allow-list
sanitised). The page carries a strict Content-Security-Policy: no script at all, styles only from
the one inline block (by nonce), images over http(s) only.
"""

from __future__ import annotations

import html
from datetime import datetime
from functools import cache
from urllib.parse import urlencode
from zoneinfo import ZoneInfo

from pygments.formatters import HtmlFormatter

from accumulator.notes.markdown import render
from accumulator.notes.models import Workspace
from accumulator.notes.service import PublicPage

BASE_CSS = """
:root{color-scheme:light dark;--fg:#1c2024;--muted:#60646c;--line:#e0e1e6;--bg:#fff;--accent:#3e63dd}
@media (prefers-color-scheme:dark){:root{--fg:#edeef0;--muted:#b0b4ba;--line:#2e3135;--bg:#111113;--accent:#9eb1ff}}
*{box-sizing:border-box}body{margin:0;font:16px/1.6 system-ui,-apple-system,Segoe UI,sans-serif;color:var(--fg);
background:var(--bg)}main{max-width:760px;margin:0 auto;padding:24px 16px}h1{font-size:1.6rem;margin:0 0 4px}
.sub{color:var(--muted);margin:0 0 24px}h2{font-size:.95rem;color:var(--muted);font-weight:600;margin:28px 0 8px;
border-bottom:1px solid var(--line);padding-bottom:4px}article{padding:8px 0;border-bottom:1px dashed var(--line);
overflow-wrap:anywhere}article:last-child{border-bottom:0}time{font-size:.8rem;color:var(--muted)}
a{color:var(--accent)}img{max-width:100%}pre{overflow:auto;padding:12px;border-radius:8px;background:rgba(127,127,127,.12)}
table{border-collapse:collapse}td,th{border:1px solid var(--line);padding:4px 8px}
ul.task-list{list-style:none;padding-left:8px}
.older{display:inline-block;margin-top:24px}.empty{color:var(--muted)}body.embed main{padding:12px}
"""


# Keeps the page current: on a change to this workspace the server says so (Server-Sent Events) and
# the page swaps in a fresh copy of its <main>; if the workspace went private, the reload shows 404.
LIVE_SCRIPT = (
    "new EventSource(location.pathname+'/events').addEventListener('change',async()=>{"
    "const r=await fetch(location.href,{cache:'no-store'});if(!r.ok){location.reload();return}"
    "const d=new DOMParser().parseFromString(await r.text(),'text/html');"
    "document.querySelector('main').replaceWith(d.querySelector('main'))})"
)


@cache
def _css() -> str:
    highlight = HtmlFormatter(style="default").get_style_defs(".highlight")
    return " ".join((BASE_CSS + highlight).split())


def content_security_policy(nonce: str, *, frameable: bool) -> str:
    ancestors = "*" if frameable else "'none'"
    return "; ".join(
        (
            "default-src 'none'",
            f"script-src 'nonce-{nonce}'",
            "connect-src 'self'",
            f"style-src 'nonce-{nonce}'",
            "img-src https: http: data:",
            "base-uri 'none'",
            "form-action 'none'",
            f"frame-ancestors {ancestors}",
        )
    )


def render_page(
    *, workspace: Workspace, page: PublicPage, zone: ZoneInfo, nonce: str, embed: bool, older_link: str | None
) -> str:
    """The page's notes, newest first, as a complete HTML document."""
    title = html.escape(workspace.title)
    parts = [
        "<!doctype html><html lang=en><head><meta charset=utf-8>",
        '<meta name=viewport content="width=device-width,initial-scale=1">',
        '<meta name=robots content="noindex">' if embed else "",
        f"<title>{title}</title><style nonce={nonce}>{_css()}</style></head>",
        f"<body{' class=embed' if embed else ''}><main>",
        "" if embed else f"<h1>{title}</h1><p class=sub>Notes, newest first.</p>",
    ]
    if not page.days:
        parts.append("<p class=empty>No notes in these 30 days.</p>")
    for group in page.days:
        parts.append(f"<section><h2>{html.escape(group.heading)}</h2>")
        for note in group.notes:
            moment = note.created_at.astimezone(zone)
            parts.append(
                f"<article id=note-{note.id}><time datetime={moment.isoformat()}>{moment:%H:%M}</time>"
                f"{render(note.text)}</article>"
            )
        parts.append("</section>")
    if older_link:
        parts.append(f"<a class=older href={html.escape(older_link, quote=True)}>Older notes</a>")
    parts.append(f"</main><script nonce={nonce}>{LIVE_SCRIPT}</script></body></html>")
    return "".join(parts)


def older_link(base: str, older_before: datetime | None) -> str | None:
    return f"{base}?{urlencode({'before': older_before.isoformat()})}" if older_before else None
