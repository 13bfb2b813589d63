"""The owner's backups page: the schedule, and the last runs with their size or error."""

from __future__ import annotations

import reflex as rx

from accumulator import routes
from accumulator.backup.state import BackupsState, RunRow
from accumulator.ui.layout import page, page_header


def run_card(row: RunRow) -> rx.Component:
    return rx.card(
        rx.vstack(
            rx.hstack(
                rx.badge(
                    row["outcome"],
                    color_scheme=rx.match(row["outcome"], ("ok", "green"), ("error", "red"), "amber"),
                ),
                rx.text(row["kind"], weight="medium"),
                rx.el.span(row["started_ago"], title=row["started"]),
                rx.text(row["size"], color_scheme="gray"),
                wrap="wrap",
                align="center",
            ),
            rx.cond(row["archive"] != "", rx.code(row["archive"])),
            rx.cond(row["error"] != "", rx.text(row["error"], color_scheme="red", size="2")),
            spacing="1",
        ),
        width="100%",
        class_name="backup-run",
    )


@page(route=routes.BACKUPS, title="Backups", owner_only=True, on_load=[BackupsState.load_backups])
def backups_page() -> rx.Component:
    return rx.vstack(
        page_header("Backups"),
        rx.text(BackupsState.schedule, id="backup-schedule"),
        rx.cond(BackupsState.next_run != "", rx.text("Next: ", BackupsState.next_run, color_scheme="gray")),
        rx.text(
            "Take one by hand with ",
            rx.code("python -m accumulator backup"),
            "; restore with ",
            rx.code("python -m accumulator restore ARCHIVE"),
            " (see the README).",
            color_scheme="gray",
            size="2",
        ),
        rx.cond(BackupsState.runs.length() == 0, rx.text("No backup has run yet.", id="no-backups")),
        rx.foreach(BackupsState.runs, run_card),
        spacing="3",
        width="100%",
    )
