"""Reflex configuration, taken from our own settings so there is one source of truth."""

import sys

import reflex as rx

from accumulator.settings import SettingsError, get_settings
from accumulator.ui import theme
from accumulator.ui.bundling import ChunkGroups

try:
    settings = get_settings()
except SettingsError as error:
    # One line naming the variable, not a traceback.
    print(f"Accumulator cannot start: {error}", file=sys.stderr)  # noqa: T201
    raise SystemExit(2) from None

config = rx.Config(
    app_name="accumulator",
    telemetry_enabled=False,
    show_built_with_reflex=False,
    # `reflex run --env prod` serves front end and backend together on this one port.
    frontend_port=settings.port,
    backend_port=settings.port,
    trusted_proxy_hops=settings.trusted_proxy_hops,
    # The websocket (socket.io checks the handshake's Origin against this list) is for the app's own
    # pages only. Reflex's HTTP CORS layer, which also reads it, is removed (accumulator.py).
    cors_allowed_origins=list(settings.own_origins),
    # With REDIS_URL, Reflex keeps every tab's state in Redis too, so any instance can answer any tab.
    # A week without a single event before a tab's state is dropped: an owner who keeps using a tab
    # never loses it (each event renews it).
    redis_url=settings.redis_url,
    redis_token_expiration=7 * 24 * 3600,
    plugins=[
        ChunkGroups(),
        rx.plugins.RadixThemesPlugin(
            theme=rx.theme(accent_color=theme.ACCENT, gray_color=theme.GRAY, radius=theme.RADIUS, has_background=True)
        ),
    ],
    disable_plugins=[rx.plugins.SitemapPlugin],
)
