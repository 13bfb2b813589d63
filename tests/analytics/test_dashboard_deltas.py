"""An open dashboard is sent what changed, not the whole table: on a 500-page site, an opening tab
fetches the table once over HTTP (the websocket and the tab's state never carry it), and a page
view on one page reaches the owner's tab as that page's row and the new totals, in under 2 KB."""

from __future__ import annotations

import asyncio
import contextlib
import json

import httpx
import pytest

from accumulator.analytics.live_states import DashboardNumbers
from accumulator.analytics.state import DashboardState
from accumulator.analytics.topics import DASHBOARD_TOPIC
from tests.analytics.test_share_patch import applied
from tests.conftest import fresh_database
from tests.live_server import app_environment, free_port, run_python, serve_backend
from tests.reflex_socket import ReflexSocket, event_name

PAGES = 500
DASHBOARD = DashboardState.get_full_name()
PASSWORD = "a long owner password"
READER = {"User-Agent": "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/130.0"}


def page_view(client: httpx.Client, url: str, path: str, n: int) -> None:
    event = {"type": "pageview", "site": "blog", "path": path, "visitor": f"visitor-{n:06d}"}
    # Readers at many addresses, through a proxy (one address alone is rate limited).
    headers = {**READER, "X-Forwarded-For": f"198.51.{n // 250 % 250}.{n % 250 + 1}"}
    assert client.post(f"{url}/api/event", json=event, headers=headers).status_code == 202


async def pushed_until(tab: ReflexSocket, start: int, check, timeout: float = 10) -> None:
    """Wait until what was pushed to `tab` since update `start` passes `check`, then for the rest of
    that push (the feed pushes at most once a second, so a page view may wait that long)."""
    deadline = asyncio.get_running_loop().time() + timeout
    while not check(dashboard_delta(tab.updates[start:])):
        assert asyncio.get_running_loop().time() < deadline, "never pushed"
        await asyncio.sleep(0.05)
    await tab.settle(quiet=0.3)


def dashboard_delta(updates: list[dict]) -> dict:
    merged: dict = {}
    for update in updates:
        for name, values in update.get("delta", {}).items():
            if name.startswith(DASHBOARD):  # the dashboard's state and its substates (live_states.py)
                merged.update({key.removesuffix("_rx_state_"): value for key, value in values.items()})
    return merged


@pytest.fixture(scope="module")
def backend(tmp_path_factory: pytest.TempPathFactory):
    with fresh_database("sqlite", tmp_path_factory) as database:
        port = free_port()
        env = app_environment(tmp_path_factory.mktemp("deltas"), port, DATABASE_URL=database, TRUSTED_PROXY_HOPS="1")
        run_python(
            {**env, "ACCUMULATOR_OWNER_PASSWORD": PASSWORD},
            "-m", "accumulator", "create-owner", "--email", "owner@example.com",
            capture_output=True,
        )  # fmt: skip
        with serve_backend(env) as url, httpx.Client(timeout=10) as client:
            for n in range(PAGES):
                page_view(client, url, f"/posts/{n:03d}-a-reasonably-long-title-of-a-post", n)
            login = client.post(f"{url}/api/auth/login", json={"email": "owner@example.com", "password": PASSWORD})
            assert login.status_code == 200
            yield url, f"acc_session={login.cookies['acc_session']}", client


async def test_a_page_view_sends_one_row_and_the_totals(backend) -> None:
    url, cookie, client = backend
    async with ReflexSocket(url, cookie=cookie, origin=url) as tab:
        opening = await tab.hydrate("/dashboard")
        opened = dashboard_delta(opening)
        table = opened["pages_feed"]
        assert table["full"] and table["rows"] == []  # "fetch the table"
        assert opened["total_views"] == PAGES and opened["page_count"] == PAGES
        assert sum(len(json.dumps(update)) for update in opening) < 20_000
        fetched = await asyncio.to_thread(client.get, f"{url}/api/analytics/pages", headers={"Cookie": cookie})
        assert fetched.status_code == 200 and fetched.headers["cache-control"] == "no-store"
        assert fetched.json()["version"] == table["version"] and len(fetched.json()["rows"]) == PAGES

        path = "/posts/123-a-reasonably-long-title-of-a-post"
        start = len(tab.updates)
        await asyncio.to_thread(page_view, client, url, path, PAGES + 1)
        await pushed_until(tab, start, lambda delta: delta.get("total_views") == PAGES + 1)
        pushed = tab.updates[start:]
        delta = dashboard_delta(pushed)
        assert delta["total_views"] == PAGES + 1
        patch = delta["pages_feed"]
        assert not patch["full"] and patch["base"] == table["version"]
        assert [(row["path"], row["views"], row["viewing"]) for row in patch["rows"]] == [(path, 2, 2)]
        size = sum(len(json.dumps(update)) for update in pushed)
        assert size <= 2048, f"{size} bytes pushed for one page view"


async def test_a_tab_that_missed_a_patch_is_sent_what_it_lacks(backend) -> None:
    url, cookie, client = backend
    async with ReflexSocket(url, cookie=cookie, origin=url) as tab:
        table = dashboard_delta(await tab.hydrate("/dashboard"))["pages_feed"]
        start, path = len(tab.updates), "/posts/007-a-reasonably-long-title-of-a-post"
        await asyncio.to_thread(page_view, client, url, path, PAGES + 2)
        moved = lambda delta: path in [row["path"] for row in delta.get("pages_feed", {}).get("rows", [])]  # noqa: E731
        await pushed_until(tab, start, moved)
        # A browser still at the table's version asks again: it gets the rows changed since.
        resync = event_name(DashboardNumbers, "pages_resync")
        patch = dashboard_delta(await tab.send(resync, {"version": table["version"]}, path="/dashboard"))["pages_feed"]
        assert patch["base"] == table["version"] and [row["path"] for row in patch["rows"]] == [path]
        # A version the server never sent (a hostile or confused tab) is told to fetch the table.
        whole = dashboard_delta(await tab.send(resync, {"version": 10**9}, path="/dashboard"))["pages_feed"]
        assert whole["full"] and whole["rows"] == []
        # Asked the same again, the answer is the same but still a new message: the browser's Reflex
        # keeps an equal value as it was, so a repeat that compared equal would never reach the table.
        again = dashboard_delta(await tab.send(resync, {"version": 10**9}, path="/dashboard"))["pages_feed"]
        assert {**again, "sent": None} == {**whole, "sent": None} and again["sent"] > whole["sent"]


def share_patches(updates: list[dict]) -> list[dict]:
    return [values["shares_feed_rx_state_"] for update in updates for name, values in update.get("delta", {}).items()
            if name == DASHBOARD and "shares_feed_rx_state_" in values]  # fmt: skip


async def test_a_refresh_of_the_breakdowns_sends_the_rows_that_moved(backend) -> None:
    url, cookie, client = backend
    async with ReflexSocket(url, cookie=cookie, origin=url) as tab:
        await tab.hydrate("/dashboard")
        deadline = asyncio.get_running_loop().time() + 15
        while not any(patch["full"] for patch in share_patches(tab.updates)):  # the dashboard's load
            assert asyncio.get_running_loop().time() < deadline, "the breakdowns never came"
            await asyncio.sleep(0.1)
        opened = next(patch for patch in share_patches(tab.updates) if patch["full"])
        assert opened["full"] and len(opened["lists"]["entry"]) == 8  # an opening tab: every list whole
        assert all(isinstance(row, dict) for rows in opened["lists"].values() for row in rows)
        start = len(tab.updates)
        # Two more views of one page: it climbs to the top of entries and exits.
        path = "/posts/321-a-reasonably-long-title-of-a-post"
        for n in range(2):
            await asyncio.to_thread(page_view, client, url, path, PAGES + 10 + n)
        lists, version = applied({}, opened["lists"]), opened["version"]
        deadline = asyncio.get_running_loop().time() + 20  # the breakdowns refresh every few seconds
        while not lists["entry"][0]["key"].endswith(path) or lists["entry"][0]["views"] != 3:
            assert asyncio.get_running_loop().time() < deadline, "the breakdowns never moved"
            await asyncio.sleep(0.2)
            for patch in share_patches(tab.updates):  # from the whole lists on (a refresh may follow at once)
                if patch["version"] > version:
                    assert not patch["full"] and patch["base"] == version  # one follows the other
                    lists, version = applied(lists, patch["lists"]), patch["version"]
                    last = patch
        # The pages that did not move come as their places in the tab's list, not as rows (the opening
        # tab may have been given breakdowns a few seconds old: the patch brings what moved since).
        assert sum(isinstance(row, int) for row in last["lists"]["entry"]) >= 5
        for update in tab.updates[start:]:
            size = len(json.dumps(update, separators=(",", ":")))  # as the server sends it
            assert size <= 2048, f"{size} bytes in one update: " + json.dumps(
                {n: {k: len(json.dumps(v)) for k, v in d.items()} for n, d in update.get("delta", {}).items()}
            )


async def test_a_push_reaches_several_open_tabs_spread_over_half_a_second(backend) -> None:
    url, cookie, client = backend
    async with contextlib.AsyncExitStack() as stack:
        tabs = [await stack.enter_async_context(ReflexSocket(url, cookie=cookie, origin=url)) for _ in range(3)]
        for tab in tabs:
            await tab.hydrate("/dashboard")
        total = dashboard_delta(tabs[0].updates)["total_views"]
        starts = [len(tab.updates) for tab in tabs]
        await asyncio.to_thread(page_view, client, url, "/posts/042-a-reasonably-long-title-of-a-post", PAGES + 50)
        for tab, start in zip(tabs, starts, strict=True):
            await pushed_until(tab, start, lambda delta: delta.get("total_views") == total + 1)
        # When each tab was sent the new total: one after another, not all at the same moment.
        arrivals = sorted(
            next(tab.arrived_at[n] for n in range(start, len(tab.updates))
                 if dashboard_delta([tab.updates[n]]).get("total_views") == total + 1)
            for tab, start in zip(tabs, starts, strict=True)
        )  # fmt: skip
        assert arrivals[-1] - arrivals[0] >= 0.15, arrivals
        assert arrivals[-1] - arrivals[0] <= DASHBOARD_TOPIC.spread + 1.0, arrivals
