"""/spotify: what the owner is playing now, and their top tracks and artists. Readable by anyone."""

from __future__ import annotations

import reflex as rx

from accumulator import routes
from accumulator.spotify import history_pages, service
from accumulator.spotify.state import SpotifyState, TrackRow
from accumulator.ui.confirm import confirm
from accumulator.ui.layout import leave_for, page, page_header

SPOTIFY_GREEN = "#1db954"


def connect_button(label: str = "Connect Spotify") -> rx.Component:
    # The server sets the one-time state cookie and sends the browser on to Spotify.
    return rx.button(rx.icon("music", size=16), label, id="spotify-connect", on_click=leave_for("/api/spotify/connect"))


def disconnect_button() -> rx.Component:
    return confirm(
        rx.button("Disconnect", variant="soft", color_scheme="gray"),
        title=("Disconnect Spotify?",),
        description="The stored token and everything fetched with it are deleted. You can connect again at any time.",
        action="Disconnect",
        on_confirm=SpotifyState.disconnect,
    )


def owner_controls() -> rx.Component:
    return rx.cond(
        SpotifyState.is_owner,
        rx.cond(
            SpotifyState.status == "connected",
            disconnect_button(),
            rx.cond(SpotifyState.status == "not configured", rx.fragment(), connect_button()),
        ),
    )


def setup_help() -> rx.Component:
    step = lambda *parts: rx.el.li(rx.text(*parts, size="2"))  # noqa: E731
    return rx.card(
        rx.vstack(
            rx.heading("Set up Spotify", size="4"),
            rx.el.ol(
                step(
                    "Create an app at ",
                    rx.link("developer.spotify.com/dashboard", href="https://developer.spotify.com/dashboard"),
                    " (Web API).",
                ),
                step("Add this Redirect URI to it: ", rx.code(SpotifyState.callback_url, id="spotify-callback-url")),
                step("Set ", rx.code("SPOTIFY_CLIENT_ID"), " and ", rx.code("SPOTIFY_CLIENT_SECRET"), " and restart."),
                step("Come back here and press Connect Spotify."),
                style={"padding_left": "20px", "display": "grid", "gap": "6px"},
            ),
            spacing="3",
        ),
        width="100%",
    )


def progress_bar() -> rx.Component:
    now = SpotifyState.now
    return rx.vstack(
        rx.box(
            rx.box(
                id="np-bar",
                height="100%",
                width=SpotifyState.progress_percent,
                background=SPOTIFY_GREEN,
                border_radius="2px",
            ),
            id="np-progress",
            width="100%",
            height="4px",
            background=rx.color("gray", 5),
            border_radius="2px",
            custom_attrs={
                "data-progress": now["progress_ms"].to_string(),
                "data-duration": now["duration_ms"].to_string(),
                "data-moving": now["moving"].to_string(),
            },
        ),
        rx.hstack(
            rx.text("", id="np-elapsed", size="1", color_scheme="gray"),
            rx.spacer(),
            rx.text("", id="np-duration", size="1", color_scheme="gray"),
            width="100%",
        ),
        width="100%",
        spacing="1",
    )


def now_playing_card() -> rx.Component:
    now = SpotifyState.now
    return rx.card(
        rx.hstack(
            rx.cond(
                now["cover_url"] != "",
                rx.image(src=now["cover_url"], width="112px", height="112px", border_radius="8px", alt="Album cover"),
                rx.center(rx.icon("disc-3", size=40), width="112px", height="112px", background=rx.color("gray", 3)),
            ),
            rx.vstack(
                rx.text(now["label"], size="1", weight="bold", style={"letter_spacing": "0.08em"}, color=SPOTIFY_GREEN),
                rx.link(now["name"], href=now["url"], is_external=True, size="5", weight="bold", id="np-name"),
                rx.text(now["artists"], size="3", id="np-artists"),
                rx.text(now["album"], size="2", color_scheme="gray"),
                rx.cond(now["duration_ms"] > 0, progress_bar()),
                rx.cond(
                    now["stale"],
                    rx.badge(
                        "Spotify is not answering; shown as of ", now["updated"], color_scheme="orange", id="np-stale"
                    ),
                ),
                spacing="1",
                flex="1",
                min_width="0",
                style={"overflow_wrap": "anywhere"},
            ),
            spacing="4",
            align="center",
            width="100%",
        ),
        width="100%",
        id="now-playing",
    )


def top_item(row: TrackRow) -> rx.Component:
    return rx.hstack(
        rx.text(row["rank"], size="2", color_scheme="gray", width="20px", text_align="right"),
        rx.cond(
            row["image_url"] != "",
            rx.image(src=row["image_url"], width="40px", height="40px", border_radius="4px", alt=""),
            rx.box(width="40px", height="40px"),
        ),
        rx.vstack(
            rx.link(row["name"], href=row["url"], is_external=True, size="2", weight="medium"),
            rx.cond(row["detail"] != "", rx.text(row["detail"], size="1", color_scheme="gray")),
            spacing="0",
            min_width="0",
            style={"overflow_wrap": "anywhere"},
        ),
        align="center",
        spacing="3",
        width="100%",
        class_name="top-item",
    )


def top_list(title: str, rows, list_id: str) -> rx.Component:
    return rx.vstack(
        rx.heading(title, size="4"),
        rx.cond(
            rows.length() > 0,
            rx.vstack(rx.foreach(rows, top_item), spacing="2", width="100%"),
            rx.text("Nothing yet.", size="2", color_scheme="gray"),
        ),
        width="100%",
        id=list_id,
    )


def top_lists() -> rx.Component:
    return rx.vstack(
        rx.hstack(
            rx.heading("Top", size="5"),
            rx.spacer(),
            rx.segmented_control.root(
                *(rx.segmented_control.item(label, value=key) for key, label in service.RANGES.items()),
                value=SpotifyState.time_range,
                on_change=SpotifyState.set_range,
                id="spotify-range",
                size=rx.breakpoints(initial="1", sm="2"),  # fits a 375 px phone
            ),
            width="100%",
            align="center",
            wrap="wrap",
        ),
        rx.cond(
            SpotifyState.lists_stale,
            rx.text("Some lists could not be refreshed; showing the last ones.", size="1", color_scheme="orange"),
        ),
        rx.grid(
            top_list("Tracks", SpotifyState.top_tracks, "top-tracks"),
            top_list("Artists", SpotifyState.top_artists, "top-artists"),
            columns=rx.breakpoints(initial="1", md="2"),
            spacing="5",
            width="100%",
        ),
        width="100%",
        spacing="4",
    )


def widget_help() -> rx.Component:
    return rx.cond(
        SpotifyState.is_owner & (SpotifyState.status == "connected"),
        rx.card(
            rx.vstack(
                rx.heading("On your website", size="3"),
                rx.text(
                    "An image card (light or dark), or JSON at /api/spotify/now-playing for your own design:", size="2"
                ),
                rx.code(
                    '<img src="',
                    SpotifyState.origin,
                    '/api/spotify/now-playing.svg?theme=dark" alt="What I am listening to">',
                    id="spotify-widget-snippet",
                    style={"overflow_wrap": "anywhere"},
                ),
                rx.text(
                    "The last plays (private unless SPOTIFY_HISTORY_PUBLIC is true), as a card or JSON at "
                    "/api/spotify/recent:",
                    size="2",
                ),
                rx.code(
                    '<img src="',
                    SpotifyState.origin,
                    '/api/spotify/recent.svg?theme=dark" alt="What I listened to lately">',
                    id="spotify-recent-snippet",
                    style={"overflow_wrap": "anywhere"},
                ),
                spacing="2",
            ),
            width="100%",
        ),
    )


@page(route=routes.SPOTIFY, title="Spotify", on_load=[SpotifyState.load_page])
def spotify_page() -> rx.Component:
    return rx.vstack(
        page_header("Spotify", owner_controls()),
        rx.cond(
            SpotifyState.notice != "",
            rx.callout(SpotifyState.notice, color_scheme=SpotifyState.notice_color, id="spotify-notice", width="100%"),
        ),
        rx.cond(
            SpotifyState.status == "needs reconnect",
            rx.callout.root(
                rx.callout.icon(rx.icon("triangle-alert")),
                rx.callout.text("Spotify no longer accepts this connection (it was revoked or expired). "),
                rx.cond(SpotifyState.is_owner, connect_button("Connect again")),
                color_scheme="orange",
                id="spotify-reconnect",
                width="100%",
            ),
        ),
        rx.cond(
            SpotifyState.status == "not configured",
            rx.cond(SpotifyState.is_owner, setup_help(), rx.text("Nothing to show yet.", color_scheme="gray")),
        ),
        rx.cond(
            SpotifyState.now["has_track"],
            now_playing_card(),
            rx.cond(
                SpotifyState.status == "connected",
                rx.text("Nothing played yet.", color_scheme="gray"),
                rx.cond(
                    (SpotifyState.status == "not connected") & ~SpotifyState.is_owner,
                    rx.text("Nothing to show yet.", color_scheme="gray"),
                ),
            ),
        ),
        rx.cond(
            SpotifyState.is_owner | history_pages.PUBLIC,
            rx.link("Listening history and stats →", href=routes.SPOTIFY_HISTORY, id="spotify-history-link"),
        ),
        rx.cond(SpotifyState.status != "not configured", top_lists()),
        widget_help(),
        width="100%",
        spacing="5",
    )
