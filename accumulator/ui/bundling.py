"""How the front end's JavaScript is cut into files: a few shared chunks instead of dozens.

Left to itself the bundler gives every lucide icon its own file, so a page asked for some forty
small files before it could draw, each costing the browser's main thread a few milliseconds to
take in. Icons go into one file, and the libraries the pages use (React, Radix, socket.io) into
another. (A large library that only some pages use should be left out of that one too, by name,
as the icons are, so that it stays with those pages.)
"""

from __future__ import annotations

import reflex as rx

VITE_CONFIG = "vite.config.js"
# Reflex's own group (its env.json), after which ours are added.
ANCHOR = "codeSplitting: {\n          groups: ["
# A group takes the modules that match it and, first come by priority, what they import; the
# catch-all leaves out the icons, which then take what remains of theirs.
ICONS = "lucide-react"
GROUPS = rf"""
            {{ name: "vendor", test: /node_modules[\\/](?!({ICONS})[\\/])/, priority: 30 }},
            {{ name: "icons", test: /node_modules[\\/]{ICONS}[\\/]/, priority: 20 }},"""


def with_our_groups(config: str) -> str:
    """The generated vite config with our chunk groups in it (the build fails if Reflex's changed)."""
    if ANCHOR not in config:
        raise RuntimeError(f"{VITE_CONFIG} no longer has {ANCHOR!r}: see accumulator/ui/bundling.py")
    return config.replace(ANCHOR, ANCHOR + GROUPS, 1)


class ChunkGroups(rx.plugins.Plugin):
    """Adds our chunk groups to the vite config Reflex writes at each compile."""

    def pre_compile(self, **context) -> None:
        context["add_modify_task"](VITE_CONFIG, with_our_groups)
