"""The public and embeddable views of a workspace: small server-rendered HTML, no React bundle.

Every piece of user text is escaped or, for note bodies, rendered by `markdown.render` (allow-list
sanitised). The page's Content-Security-Policy (public_html) admits only its own live script and
style, by nonce.
"""

from __future__ import annotations

import html
from datetime import datetime
from urllib.parse import urlencode
from zoneinfo import ZoneInfo

from accumulator.notes.markdown import render
from accumulator.notes.models import Workspace
from accumulator.notes.service import PublicPage
from accumulator.public_html import document_start

# Keeps the page current: on a change to this workspace the server says so (Server-Sent Events) and
# the page swaps in a fresh copy of its <main>; if the workspace went private, the reload shows 404.
LIVE_SCRIPT = (
    "new EventSource(location.pathname+'/events').addEventListener('change',async()=>{"
    "const r=await fetch(location.href,{cache:'no-store'});if(!r.ok){location.reload();return}"
    "const d=new DOMParser().parseFromString(await r.text(),'text/html');"
    "document.querySelector('main').replaceWith(d.querySelector('main'))})"
)


def render_page(
    *, workspace: Workspace, page: PublicPage, zone: ZoneInfo, nonce: str, embed: bool, older_link: str | None
) -> str:
    """The page's notes, newest first, as a complete HTML document."""
    title = html.escape(workspace.title)
    parts = [
        document_start(workspace.title, nonce, embed=embed),
        "<main>",
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
