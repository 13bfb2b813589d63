"""Pieces shared by the SVG images other sites show with `<img>` (the Spotify cards, the analytics
badge): the light and dark palettes, the font, escaping, and the headers every such image carries.

An SVG opened on its own is a document that could run script: everything put in one is escaped
here, and the headers forbid it to load or run anything."""

from __future__ import annotations

import html

THEMES: dict[str, dict[str, str]] = {
    "light": {"bg": "#ffffff", "border": "#e0e1e6", "fg": "#1c2024", "muted": "#60646c", "bar": "#e8e8ec"},
    "dark": {"bg": "#18191b", "border": "#2e3135", "fg": "#edeef0", "muted": "#b0b4ba", "bar": "#2e3135"},
}
FONT_FAMILY = "-apple-system,Segoe UI,Helvetica,Arial,sans-serif"
FONT = f'font-family="{FONT_FAMILY}"'
MEDIA_TYPE = "image/svg+xml; charset=utf-8"
# Opened on its own, an image still runs nothing and loads nothing (inline styles only).
POLICY = "default-src 'none'; style-src 'unsafe-inline'"


def escape(text: str) -> str:
    """Text for an SVG element or attribute: XML needs the same escapes as HTML, quotes included."""
    return html.escape(text, quote=True)


def clip(text: str, limit: int) -> str:
    """`text` cut to `limit` characters, with an ellipsis when cut."""
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


def headers(*, cache_control: str, policy: str = POLICY) -> dict[str, str]:
    """The headers of an SVG answer: its cache lifetime, the no-script policy, no type sniffing."""
    return {"Cache-Control": cache_control, "Content-Security-Policy": policy, "X-Content-Type-Options": "nosniff"}
