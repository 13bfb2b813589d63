"""The Content-Security-Policy of the Reflex pages (the owner's pages, the dashboard, Spotify).

Scripts may come from this origin only, plus the few inline scripts the front-end build itself
writes into its HTML, each allowed by its SHA-256: a tag injected into a page (a sanitiser's miss,
a hostile note) runs nothing. `'unsafe-eval'` stays because Reflex runs the server's own
`rx.call_script` events through `eval`; those strings come from our code, never from user input.
"""

from __future__ import annotations

import base64
import hashlib
import logging
import re
from functools import cache
from pathlib import Path

log = logging.getLogger(__name__)

_INLINE_SCRIPT = re.compile(r"<script(?![^>]*\ssrc=)[^>]*>(.*?)</script>", re.DOTALL | re.IGNORECASE)


def frontend_dir() -> Path:
    """Where `reflex run`/`reflex export` leave the built front end."""
    from reflex.utils import prerequisites
    from reflex_base import constants

    return prerequisites.get_web_dir() / constants.Dirs.STATIC


def inline_script_hashes(directory: Path) -> list[str]:
    """The CSP source of every inline script in the built pages, in a stable order."""
    found: set[str] = set()
    for page in sorted(directory.rglob("*.html")):
        for script in _INLINE_SCRIPT.finditer(page.read_text(encoding="utf-8", errors="replace")):
            digest = hashlib.sha256(script.group(1).encode("utf-8")).digest()
            found.add(f"'sha256-{base64.b64encode(digest).decode()}'")
    return sorted(found)


def policy(hashes: list[str]) -> str:
    return "; ".join(
        (
            "default-src 'self'",
            f"script-src 'self' 'unsafe-eval' {' '.join(hashes)}".rstrip(),
            "style-src 'self' 'unsafe-inline'",  # Radix and Emotion write their styles at run time
            "img-src 'self' data: blob: https:",
            "font-src 'self' data:",
            "connect-src 'self'",
            "object-src 'none'",
            "base-uri 'none'",
            "form-action 'self'",
            "frame-ancestors 'none'",
        )
    )


@cache
def page_policy() -> str:
    """The policy for the built pages (read once: the build does not change under a running server)."""
    directory = frontend_dir()
    hashes = inline_script_hashes(directory) if directory.is_dir() else []
    if not hashes:
        log.warning("no built front end found in %s: Reflex pages get a policy without inline scripts", directory)
    return policy(hashes)
