"""/spotify/history: the listening history's stats for a range, the year in review, the last plays
and (for the owner) the import of Spotify's export. The owner's unless SPOTIFY_HISTORY_PUBLIC."""

from __future__ import annotations

import reflex as rx

from accumulator import routes
from accumulator.settings import get_settings
from accumulator.spotify import stats
from accumulator.spotify.history_state import Bar, HistoryState, RankRow, RecentRow
from accumulator.ui.layout import page, page_header

SPOTIFY_GREEN = "#1db954"
PUBLIC = get_settings().spotify_history_public  # read once, when the pages are built


def figure(label: str, value, figure_id: str) -> rx.Component:
    return rx.card(
        rx.vstack(
            rx.text(label, size="1", color_scheme="gray"),
            rx.text(value, size="5", weight="bold", id=figure_id),
            spacing="1",
        ),
        min_width="150px",
    )


def range_picker() -> rx.Component:
    items = [*stats.PRESETS.items(), ("year", "A year"), ("custom", "From–to")]
    return rx.vstack(
        rx.segmented_control.root(
            *(rx.segmented_control.item(label, value=key) for key, label in items),
            value=HistoryState.range_key,
            on_change=HistoryState.set_range,
            id="history-range",
            size="1",
        ),
        rx.cond(
            HistoryState.range_key == "year",
            rx.select(HistoryState.years, value=HistoryState.year_choice, on_change=HistoryState.set_year, id="year"),
        ),
        rx.cond(
            HistoryState.range_key == "custom",
            rx.hstack(
                rx.input(type="date", value=HistoryState.custom_from, on_change=HistoryState.set_custom_from),
                rx.input(type="date", value=HistoryState.custom_to, on_change=HistoryState.set_custom_to),
                rx.button("Show", on_click=HistoryState.apply_custom, size="1"),
                wrap="wrap",
            ),
        ),
        rx.cond(HistoryState.error != "", rx.text(HistoryState.error, color_scheme="orange", size="2")),
        width="100%",
    )


def ranked(row: RankRow) -> rx.Component:
    return rx.hstack(
        rx.text(row["rank"], size="2", color_scheme="gray", width="20px", text_align="right"),
        rx.vstack(
            rx.text(row["name"], size="2", weight="medium"),
            rx.cond(row["detail"] != "", rx.text(row["detail"], size="1", color_scheme="gray")),
            spacing="0",
            min_width="0",
            flex="1",
            style={"overflow_wrap": "anywhere"},
        ),
        rx.text(row["plays"], " plays · ", row["time"], size="1", color_scheme="gray"),
        width="100%",
        align="center",
    )


def top(title: str, rows, list_id: str) -> rx.Component:
    return rx.vstack(
        rx.heading(title, size="4"),
        rx.cond(
            rows.length() > 0,
            rx.vstack(rx.foreach(rows, ranked), width="100%", spacing="2"),
            rx.text("Nothing in this range.", size="2", color_scheme="gray"),
        ),
        width="100%",
        id=list_id,
    )


def bars(title: str, rows, chart_id: str) -> rx.Component:
    def bar(row: Bar) -> rx.Component:
        return rx.tooltip(
            rx.vstack(
                rx.box(
                    rx.box(height=row["height"], width="100%", background=SPOTIFY_GREEN, border_radius="2px"),
                    height="80px",
                    width="100%",
                    display="flex",
                    align_items="flex-end",
                ),
                rx.text(row["label"], size="1", color_scheme="gray"),
                spacing="1",
                flex="1",
                align="center",
            ),
            content=row["value"],
        )

    return rx.vstack(
        rx.heading(title, size="4"),
        rx.hstack(rx.foreach(rows, bar), width="100%", spacing="1", id=chart_id),
        width="100%",
    )


def recent_row(row: RecentRow) -> rx.Component:
    return rx.hstack(
        rx.text(row["when"], size="1", color_scheme="gray", width="90px"),
        rx.vstack(
            rx.text(row["name"], size="2", weight="medium"),
            rx.text(row["artists"], size="1", color_scheme="gray"),
            spacing="0",
            flex="1",
            min_width="0",
        ),
        rx.text(row["listened"], size="1", color_scheme="gray"),
        width="100%",
        class_name="recent-play",
    )


def import_box() -> rx.Component:
    # Sent as the request body over HTTP (assets/js/spotify-history.js), not over the websocket.
    return rx.cond(
        HistoryState.is_owner,
        rx.card(
            rx.vstack(
                rx.heading("Import Spotify's export", size="3"),
                rx.text(
                    "Ask for your Extended streaming history at spotify.com/account/privacy, then choose its "
                    "Streaming_History_Audio_*.json files here (64 MB each at most). "
                    "Importing again adds nothing twice.",
                    size="2",
                ),
                rx.el.input(type="file", accept=".json,application/json", multiple=True, id="history-import-input"),
                rx.text("", id="history-import-message", size="2"),
                rx.button("Show the new numbers", on_click=HistoryState.imported, size="1", variant="soft"),
                spacing="2",
            ),
            width="100%",
        ),
    )


def review() -> rx.Component:
    return rx.cond(
        HistoryState.review.length() > 0,
        rx.card(
            rx.vstack(
                rx.heading(HistoryState.label, " in review", size="5"),
                rx.foreach(HistoryState.review, lambda line: rx.text(line, size="3")),
                spacing="2",
                id="year-in-review",
            ),
            width="100%",
        ),
    )


@page(
    route=routes.SPOTIFY_HISTORY,
    title="Listening history",
    owner_only=not PUBLIC,
    on_load=[HistoryState.load_history],
)
def history_page() -> rx.Component:
    return rx.vstack(
        page_header("Listening history", rx.link("Now playing", href=routes.SPOTIFY)),
        rx.text(
            "Public: anyone can read this page, /api/spotify/recent and its card (SPOTIFY_HISTORY_PUBLIC is on)."
            if PUBLIC
            else "Only you see this page, /api/spotify/recent and its card (set SPOTIFY_HISTORY_PUBLIC=true to share).",
            size="1",
            color_scheme="gray",
            id="history-visibility",
        ),
        range_picker(),
        review(),
        rx.flex(
            figure("Listening time", HistoryState.listened, "history-listened"),
            figure("Plays", HistoryState.plays, "history-plays"),
            figure("Days with music", HistoryState.days_active, "history-days"),
            figure("Longest streak", HistoryState.streak, "history-streak"),
            figure("Busiest day", HistoryState.busiest, "history-busiest"),
            wrap="wrap",
            gap="3",
            width="100%",
        ),
        rx.grid(
            top("Tracks", HistoryState.top_tracks, "history-top-tracks"),
            top("Artists", HistoryState.top_artists, "history-top-artists"),
            top("Albums", HistoryState.top_albums, "history-top-albums"),
            columns=rx.breakpoints(initial="1", md="3"),
            spacing="5",
            width="100%",
        ),
        bars("By hour of day", HistoryState.hours, "history-hours"),
        bars("By weekday", HistoryState.weekdays, "history-weekdays"),
        rx.vstack(
            rx.heading("First heard in this range", size="4"),
            rx.text(HistoryState.new_artist_count, " new artists", size="2", color_scheme="gray"),
            rx.text(rx.foreach(HistoryState.new_artists, lambda name: rx.text.span(name, " · ")), size="2"),
            width="100%",
        ),
        rx.vstack(
            rx.heading("Last plays", size="4"),
            rx.foreach(HistoryState.recent, recent_row),
            width="100%",
            id="history-recent",
        ),
        import_box(),
        width="100%",
        spacing="5",
    )
