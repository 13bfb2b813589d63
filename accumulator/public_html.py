"""What every server-rendered public page shares (public notes, shared pastes): the document head,
one stylesheet, and the security headers.

These pages carry no React bundle. Their Content-Security-Policy allows only the inline style and
script that carry the page's nonce, so no injected markup can run or load anything.
"""

from __future__ import annotations

import html
from functools import cache

from pygments.formatters import HtmlFormatter

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
.older{display:inline-block;margin-top:24px}.empty{color:var(--muted)}body.embed main{padding:12px;max-width:none}
button,.button{font:inherit;border:1px solid var(--line);border-radius:6px;padding:6px 14px;background:transparent;
color:var(--fg);cursor:pointer;text-decoration:none;display:inline-block}
button.primary{background:var(--accent);border-color:var(--accent);color:var(--bg)}
"""


@cache
def highlight_css() -> str:
    """Pygments token colours for `.highlight`: light, and dark when the reader's system or the
    app's theme (the `.dark` class Reflex puts on <html>) asks for it."""
    light = HtmlFormatter(style="default").get_style_defs(".highlight")
    dark = HtmlFormatter(style="github-dark")
    return (
        f"{light}\n{dark.get_style_defs('.dark .highlight')}\n"
        f"@media (prefers-color-scheme:dark){{{dark.get_style_defs('.auto-theme .highlight')}}}"
    )


@cache
def stylesheet(extra: str = "") -> str:
    return " ".join((BASE_CSS + extra + highlight_css()).split())


NONE, FORMS_SELF = "'none'", "'self'"


def content_security_policy(nonce: str, *, frameable: bool, forms: bool = False) -> str:
    return "; ".join(
        (
            "default-src 'none'",
            f"script-src 'nonce-{nonce}'",
            "connect-src 'self'",
            f"style-src 'nonce-{nonce}'",
            "img-src https: http: data:",
            "base-uri 'none'",
            f"form-action {FORMS_SELF if forms else NONE}",
            f"frame-ancestors {'*' if frameable else NONE}",
        )
    )


def headers(nonce: str, *, frameable: bool, forms: bool = False, cache_control: str) -> dict[str, str]:
    return {
        "Content-Security-Policy": content_security_policy(nonce, frameable=frameable, forms=forms),
        "X-Content-Type-Options": "nosniff",
        "Referrer-Policy": "no-referrer",
        "Cache-Control": cache_control,
    }


def document_start(title: str, nonce: str, *, embed: bool, extra_css: str = "") -> str:
    """Everything up to and including <body>; the caller adds <main>…</main></body></html>."""
    return "".join(
        (
            "<!doctype html><html lang=en><head><meta charset=utf-8>",
            '<meta name=viewport content="width=device-width,initial-scale=1">',
            '<meta name=robots content="noindex">',
            f"<title>{html.escape(title)}</title><style nonce={nonce}>{stylesheet(extra_css)}</style></head>",
            f'<body class="auto-theme{" embed" if embed else ""}">',
        )
    )
