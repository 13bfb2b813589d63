"""The app shell (navigation, theme switch, log out) and the page template every page uses."""

from __future__ import annotations

from collections.abc import Callable

import reflex as rx

from accumulator import routes
from accumulator.feature import NavEntry
from accumulator.ui import theme
from accumulator.ui.nav_counts import COUNTERS, NavCountsState
from accumulator.ui.owner import OwnerState

# The features' navigation entries, in order; the app assembly hands them in (`set_navigation`).
NAV_ITEMS: list[tuple[str, str, str]] = []


def set_navigation(entries: list[NavEntry]) -> None:
    NAV_ITEMS[:] = [(entry.label, entry.href, entry.icon) for entry in sorted(entries, key=lambda e: e.order)]
    COUNTERS.clear()
    COUNTERS.update({entry.href: entry.count for entry in entries if entry.count is not None})


def nav_badge(href: str) -> rx.Component:
    """The entry's count for the owner (unread messages…), when it has one."""
    if href not in COUNTERS:
        return rx.fragment()
    count = NavCountsState.counts[href].to(str)
    return rx.cond(count, rx.badge(count, color_scheme="red", variant="solid", radius="full", class_name="nav-count"))


def brand() -> rx.Component:
    return rx.link(
        rx.hstack(rx.icon("layers", size=20), rx.text("Accumulator", weight="bold", size="4"), align="center"),
        href=routes.HOME,
        color_scheme="gray",
        high_contrast=True,
        underline="none",
    )


def nav_link(label: str, href: str, icon: str, active: bool) -> rx.Component:
    return rx.link(
        rx.hstack(rx.icon(icon, size=18), rx.text(label, size="3"), nav_badge(href), align="center", spacing="3"),
        href=href,
        underline="none",
        color_scheme="gray" if not active else theme.ACCENT,
        high_contrast=not active,
        weight="medium" if active else "regular",
        padding_x=theme.space(3),
        padding_y=theme.space(2),
        border_radius="var(--radius-3)",
        background=rx.color(theme.ACCENT, 3) if active else "transparent",
        _hover={"background": rx.color("gray", 3)},
        width="100%",
        aria_current="page" if active else None,
    )


# Reflex's forms always cancel the browser's own submission, so leaving the page for a server
# route is done by script: the server clears the HttpOnly cookie, then the browser goes to /login.
LOG_OUT = rx.call_script("fetch('/api/auth/logout',{method:'POST'}).then(()=>location.assign('/login'))")


def leave_for(path: str) -> rx.event.EventSpec:
    """A full page load of a server route (the router would otherwise handle the address itself)."""
    return rx.call_script(f"window.location.assign({path!r})")


def logout_button(**props) -> rx.Component:
    return rx.button(
        rx.icon("log-out", size=16), "Log out", variant="soft", color_scheme="gray", on_click=LOG_OUT, **props
    )


def account_controls() -> rx.Component:
    return rx.vstack(
        rx.cond(
            OwnerState.is_owner,
            rx.vstack(
                rx.text(OwnerState.owner_email, size="1", color_scheme="gray", trim="both"),
                logout_button(width="100%"),
                width="100%",
            ),
            rx.link(
                rx.button(rx.icon("log-in", size=16), "Log in", variant="soft", width="100%"),
                href=routes.LOGIN,
                width="100%",
            ),
        ),
        rx.color_mode.button(variant="ghost", aria_label="Switch light or dark theme"),
        width="100%",
        spacing="3",
    )


def sidebar(active: str) -> rx.Component:
    return rx.el.nav(
        rx.vstack(
            brand(),
            rx.vstack(
                *(nav_link(label, href, icon, href == active) for label, href, icon in NAV_ITEMS),
                width="100%",
                spacing="1",
            ),
            rx.spacer(),
            account_controls(),
            height="100%",
            spacing="5",
            padding=theme.space(4),
        ),
        display=theme.DESKTOP_ONLY,
        width=theme.SIDEBAR_WIDTH,
        min_width=theme.SIDEBAR_WIDTH,
        height="100vh",
        position="sticky",
        top="0",
        border_right=f"1px solid {rx.color('gray', 4)}",
        background=rx.color("gray", 2),
        aria_label="Main",
    )


def mobile_bar(active: str) -> rx.Component:
    return rx.el.nav(
        rx.hstack(
            brand(),
            rx.spacer(),
            rx.color_mode.button(variant="ghost", aria_label="Switch light or dark theme"),
            rx.menu.root(
                rx.menu.trigger(rx.icon_button(rx.icon("menu"), variant="soft", aria_label="Open menu")),
                rx.menu.content(
                    *(
                        rx.menu.item(rx.hstack(rx.icon(icon, size=16), rx.text(label)), on_select=rx.redirect(href))
                        for label, href, icon in NAV_ITEMS
                    ),
                    rx.menu.separator(),
                    rx.cond(
                        OwnerState.is_owner,
                        rx.menu.item(
                            rx.hstack(rx.icon("log-out", size=16), rx.text("Log out")),
                            on_select=LOG_OUT,
                        ),
                        rx.menu.item(
                            rx.hstack(rx.icon("log-in", size=16), rx.text("Log in")),
                            on_select=rx.redirect(routes.LOGIN),
                        ),
                    ),
                ),
            ),
            width="100%",
            align="center",
            padding_x=theme.space(3),
            padding_y=theme.space(2),
        ),
        display=theme.MOBILE_ONLY,
        border_bottom=f"1px solid {rx.color('gray', 4)}",
        background=rx.color("gray", 2),
        position="sticky",
        top="0",
        z_index="10",
        aria_label="Main",
    )


def shell(content: rx.Component, *, active: str) -> rx.Component:
    return rx.flex(
        sidebar(active),
        rx.box(
            mobile_bar(active),
            rx.box(
                content,
                as_="main",
                padding=theme.PAGE_PADDING,
                max_width=theme.CONTENT_MAX_WIDTH,
                margin_x="auto",
                width="100%",
            ),
            flex="1",
            min_width="0",
        ),
        direction="row",
        min_height="100vh",
    )


def checking_session() -> rx.Component:
    # Shown for the instant between page load and the server's answer about the session.
    return rx.center(rx.spinner(size="3"), padding=theme.space(9), aria_label="Checking your session")


def page_header(title: str, *children: rx.Component) -> rx.Component:
    return rx.hstack(
        rx.heading(title, size="7", style={"overflow_wrap": "anywhere"}),
        rx.spacer(),
        *children,
        align="center",
        width="100%",
        margin_bottom=theme.space(2),
        wrap="wrap",  # long titles and their buttons share a phone's width
    )


# Filled by @page as feature modules are imported; accumulator.py adds each to the app.
PAGES: list[dict] = []


def page(
    *,
    route: str,
    title: str,
    owner_only: bool = False,
    on_load: list | None = None,
    with_shell: bool = True,
) -> Callable[[Callable[[], rx.Component]], Callable[[], rx.Component]]:
    """Declare a page. Owner pages check the session first and stay hidden until it holds."""
    guard = OwnerState.require_owner if owner_only else OwnerState.detect_owner

    def decorator(content: Callable[[], rx.Component]) -> Callable[[], rx.Component]:
        def render() -> rx.Component:
            body = content()
            if owner_only:
                body = rx.cond(OwnerState.is_owner, body, checking_session())
            return shell(body, active=route) if with_shell else body

        render.__name__ = content.__name__
        # Reflex writes a page's memoised components to a module named after the page function's:
        # the feature's own, so a page loads its feature's components only (the login page no
        # charts, the dashboard no paste editor) instead of every page's from one file.
        render.__module__ = content.__module__
        PAGES.append(
            {
                "component": render,
                "route": route,
                "title": f"{title} · Accumulator",
                "on_load": [guard, NavCountsState.load_counts, *(on_load or [])],
            }
        )
        return content

    return decorator
