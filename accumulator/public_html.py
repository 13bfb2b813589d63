"""What every server-rendered public page shares (public notes, shared pastes): the document head,
one stylesheet, and the security headers.

These pages carry no React bundle. Their Content-Security-Policy allows only the inline style and
script that carry the page's nonce, so no injected markup can run or load anything. The same
highlighting and list rules, with the app's `.dark` theme, are the owner pages' assets/markdown.css.
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
.older{display:inline-block;margin-top:24px}.empty{color:var(--muted)}body.embed main{padding:12px;max-width:none}
button,.button{font:inherit;border:1px solid var(--line);border-radius:6px;padding:6px 14px;background:transparent;
color:var(--fg);cursor:pointer;text-decoration:none;display:inline-block}
button.primary{background:var(--accent);border-color:var(--accent);color:var(--bg)}
"""


LIGHT_STYLE, DARK_STYLE = "default", "github-dark"
# What a token class set in one style and not in the other goes back to, so no light bold, border or
# background shows through in dark mode.
_RESET = {
    "color": "inherit",
    "background-color": "transparent",
    "font-weight": "normal",
    "font-style": "normal",
    "text-decoration": "none",
    "border": "0",
}


def _token_styles(style: str) -> dict[str, dict[str, str]]:
    """Pygments' declarations per token class ('k' → {'color': '#008000', 'font-weight': 'bold'});
    the class '' is the text around the tokens."""
    return {
        name: dict(part.split(": ", 1) for part in declarations.split("; "))
        for name, (declarations, _, _) in HtmlFormatter(style=style).class2style.items()
        if declarations
    }


def _block(selector: str, style: str, styles: dict[str, dict[str, str]]) -> str:
    # Classes of the same look share one rule: `.highlight :is(.c,.c1,.cm){…}` has the specificity of
    # `.highlight .c` at a fraction of the size of Pygments' rule per class. A token of a type outside
    # Pygments' standard set (a class with a dash) also carries its parent's class, so its rule
    # comes after the others.
    box = {"background": HtmlFormatter(style=style).style.background_color, **styles.pop("", {})}
    groups: dict[tuple[bool, str], list[str]] = {}
    for name, declarations in sorted(styles.items(), key=lambda item: ("-" in item[0], item[0])):
        body = ";".join(f"{key}:{value}" for key, value in declarations.items())
        groups.setdefault(("-" in name, body), []).append(f".{name}")
    rules = [f"{selector}{{{';'.join(f'{key}:{value}' for key, value in box.items())}}}"]
    rules += [f"{selector} :is({','.join(names)}){{{body}}}" for (_, body), names in groups.items()]
    return "".join(rules)


@cache
def _highlight_blocks() -> tuple[str, str]:
    """The light rules under `.highlight`, and the dark ones with `{scope}` before `.highlight`."""
    light, dark = _token_styles(LIGHT_STYLE), _token_styles(DARK_STYLE)
    for name, declarations in light.items():
        dark[name] = {**{key: _RESET[key] for key in declarations if key in _RESET}, **dark.get(name, {})}
    return _block(".highlight", LIGHT_STYLE, light), _block("{scope} .highlight", DARK_STYLE, dark)


def highlight_css(*, app: bool = True, system: bool = True) -> str:
    """Pygments token colours for `.highlight`: light, and dark when the app's theme (`app`: the
    `.dark` class Reflex puts on <html>) or the reader's system (`system`: pages whose body has the
    class `auto-theme`) asks for it."""
    light, dark = _highlight_blocks()
    parts = [light]
    if app:
        parts.append(dark.replace("{scope}", ".dark"))
    if system:
        parts.append(f"@media (prefers-color-scheme:dark){{{dark.replace('{scope}', '.auto-theme')}}}")
    return "".join(parts)


def list_css(scope: str) -> str:
    """Rendered markdown's lists as lists, under `scope`, whatever reset came before (Reflex's takes
    every marker away): bullets, then circles and squares as they nest; numbers, then letters and
    roman numerals; a task item shows its box instead of a bullet, and the other items of its list
    keep theirs."""
    return (
        f"{scope} :is(ul,ol){{padding-left:1.6em;margin:.3em 0}}"
        f"{scope} li :is(ul,ol){{margin:.1em 0}}"
        f"{scope} li{{display:list-item}}{scope} li>p{{margin:.1em 0}}"
        f"{scope} ul>li{{list-style-type:disc}}{scope} ol>li{{list-style-type:decimal}}"
        f"{scope} :is(ul,ol) ul>li{{list-style-type:circle}}"
        f"{scope} :is(ul,ol) :is(ul,ol) ul>li{{list-style-type:square}}"
        f"{scope} :is(ul,ol) ol>li{{list-style-type:lower-alpha}}"
        f"{scope} :is(ul,ol) :is(ul,ol) ol>li{{list-style-type:lower-roman}}"
        f"{scope} li.task-list-item{{list-style-type:none}}"
        f"{scope} li.task-list-item>input{{margin:0 .4em .15em 0;vertical-align:middle}}"
    )


def owner_stylesheet() -> str:
    """assets/markdown.css, for the owner's Reflex pages (tests/notes/test_markdown_css.py checks that
    the file is this): code highlighting as on the public pages, with the app's light and dark
    themes, and lists for every rendered-markdown container of class `markdown-body`."""
    header = "/* Generated from accumulator/public_html.py (owner_stylesheet); do not edit by hand. */\n"
    return header + highlight_css(app=True, system=False) + "\n" + list_css(".markdown-body") + "\n"


@cache
def stylesheet(extra: str = "") -> str:
    # No `.dark` rules: these pages follow the reader's system, through the `auto-theme` body class.
    return " ".join((BASE_CSS + extra + list_css("main") + highlight_css(app=False)).split())


NONE, FORMS_SELF = "'none'", "'self'"


def content_security_policy(nonce: str, *, frameable: bool, forms: bool = False, ancestors: str | None = None) -> str:
    """`ancestors`: who may frame the page when it is frameable (default: anyone)."""
    framers = (ancestors or "*") if frameable else NONE
    return "; ".join(
        (
            "default-src 'none'",
            f"script-src 'nonce-{nonce}'",
            "connect-src 'self'",
            f"style-src 'nonce-{nonce}'",
            "img-src https: http: data:",
            "base-uri 'none'",
            f"form-action {FORMS_SELF if forms else NONE}",
            f"frame-ancestors {framers}",
        )
    )


def headers(
    nonce: str, *, frameable: bool, forms: bool = False, cache_control: str, ancestors: str | None = None
) -> dict[str, str]:
    return {
        "Content-Security-Policy": content_security_policy(
            nonce, frameable=frameable, forms=forms, ancestors=ancestors
        ),
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
