"""The live half of `analytics_scale.py run`: the built app on the seeded database, measured the way
the owner meets it.

- dashboard open time in headless Chromium (navigation until the pages table and totals are shown);
- ingestion (wrk, 32 connections) with 0, 1 and 5 dashboards open in Chromium, as a share of the
  rate with none;
- bytes pushed to an open dashboard per page view (a raw websocket client, as a tab speaks it);
- memory per open dashboard: the app's resident memory with 50 dashboards open over the same with
  none, per dashboard, next to 50 tabs on a plain page (what any Reflex tab costs).
"""

from __future__ import annotations

import asyncio
import json
import statistics
import tempfile
import threading
from pathlib import Path

import httpx
from playwright.sync_api import sync_playwright

from accumulator import routes
from bench.common import running_app
from bench.ingest_throughput import wrk
from tests.live_server import CHROMIUM, CHROMIUM_FLAGS, run_python
from tests.reflex_socket import ReflexSocket

EMAIL, PASSWORD = "bench-owner@example.com", "a long bench password"
READER = {"User-Agent": "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/130.0"}
TABS_FOR_MEMORY = 50
# The totals and the first row of the pages table are on screen. The total must be the seeded
# database's (not 0): the page's HTML is drawn before any state comes, with a 0 in it.
SHOWN = (
    "() => /^[1-9]\\d*$/.test(document.querySelector('#total-views')?.textContent ?? '')"
    " && document.querySelector('.page-row') !== null"
)
# The moment that first holds, in the page's own clock (from the navigation's start): checked on
# each change of the document, stamped once the next frame is drawn. Measured from outside (a
# clock around goto and a predicate polled every frame) it came out the same within noise, plus
# Playwright's own round trips.
STAMP_SHOWN = f"""
(() => {{
  const shown = {SHOWN};
  const check = () => {{
    if (window.__shownAt !== undefined || !shown()) return;
    window.__shownAt = null;
    observer.disconnect();
    requestAnimationFrame(() => requestAnimationFrame(() => {{ window.__shownAt = performance.now(); }}));
  }};
  const observer = new MutationObserver(check);
  observer.observe(document, {{ subtree: true, childList: true, characterData: true }});
}})();
"""


def _resident_kb(data_dir: Path) -> int:
    """Resident memory of every process of the app (found by its DATA_DIR), in KB."""
    marker = f"DATA_DIR={data_dir}".encode()
    total = 0
    for proc in Path("/proc").iterdir():
        if not proc.name.isdigit():
            continue
        try:
            if marker not in (proc / "environ").read_bytes().split(b"\0"):
                continue
            status = (proc / "status").read_text()
        except OSError:
            continue
        total += next((int(line.split()[1]) for line in status.splitlines() if line.startswith("VmRSS:")), 0)
    return total


def _page_view(client: httpx.Client, url: str, n: int, path: str = "/posts/1") -> None:
    event = {"type": "pageview", "site": "blog", "path": path, "visitor": f"bench-reader-{n:06d}"}
    headers = {**READER, "X-Forwarded-For": f"10.77.{n // 250 % 250}.{n % 250 + 1}"}
    client.post(f"{url}/api/event", json=event, headers=headers).raise_for_status()


def _delta_bytes(updates: list[dict]) -> int:
    return sum(len(json.dumps(update, separators=(",", ":"))) for update in updates)


async def _open_tab(url: str, cookie: str | None, path: str) -> ReflexSocket:
    tab = ReflexSocket(url, cookie=cookie, origin=url)
    await tab.__aenter__()
    await tab.hydrate(path)
    if path == "/dashboard":  # as the page does: fetch the table the websocket does not carry
        async with httpx.AsyncClient(headers={"Cookie": cookie or ""}) as client:
            (await client.get(f"{url}{routes.DASHBOARD_PAGES}")).raise_for_status()
    tab.updates.clear()
    return tab


async def _memory_per_tab(url: str, cookie: str, data_dir: Path) -> tuple[float, float]:
    """(KB per tab on a plain page, KB per open dashboard); each wave stays open while the next is
    measured, so freed memory reused by the second cannot hide its cost."""
    tabs, grown = [], []
    for path, owner in (("/login", None), ("/dashboard", cookie)):
        before = _resident_kb(data_dir)
        tabs += [await _open_tab(url, owner, path) for _ in range(TABS_FOR_MEMORY)]
        await asyncio.sleep(1)
        grown.append((_resident_kb(data_dir) - before) / TABS_FOR_MEMORY)
    for tab in tabs:
        await tab.__aexit__()
    return grown[0], grown[1]


async def _bytes_per_update(url: str, cookie: str, client: httpx.Client, views: int = 20) -> list[int]:
    tab = await _open_tab(url, cookie, "/dashboard")
    sizes = []
    try:
        for n in range(views):
            start = len(tab.updates)
            await asyncio.to_thread(_page_view, client, url, 500_000 + n, f"/posts/{n % 7}")
            await tab.settle(quiet=0.6)
            sizes.append(_delta_bytes(tab.updates[start:]))
    finally:
        await tab.__aexit__()
    return sizes


def _open_dashboard(context, url: str) -> float:
    """Milliseconds from the navigation's start (the page's clock) to the dashboard shown."""
    page = context.new_page()
    page.goto(f"{url}/dashboard")
    page.wait_for_function("() => typeof window.__shownAt === 'number'", timeout=60_000, polling=100)
    elapsed = page.evaluate("window.__shownAt")
    page.close()
    return elapsed


def live_figures(database_url: str, seconds: int = 8) -> None:
    data_dir = Path(tempfile.mkdtemp(prefix="acc-bench-live-"))
    with running_app(data_dir, DATABASE_URL=database_url, TRUSTED_PROXY_HOPS="1") as (url, env):
        run_python({**env, "ACCUMULATOR_OWNER_PASSWORD": PASSWORD}, "-m", "accumulator", "create-owner",
                   "--email", EMAIL, capture_output=True)  # fmt: skip
        with httpx.Client(timeout=30) as client:
            login = client.post(f"{url}/api/auth/login", json={"email": EMAIL, "password": PASSWORD})
            login.raise_for_status()
            cookie = f"acc_session={login.cookies['acc_session']}"
            # First, while nothing else moves: wrk's readers would age out of presence later and
            # make every push carry the rows they leave.
            sizes = asyncio.run(_bytes_per_update(url, cookie, client))
            print(f"bytes pushed to an open dashboard per page view: median {statistics.median(sizes):.0f}, "
                  f"max {max(sizes)} (aim ≤ 2048)")  # fmt: skip
            plain, dashboard = asyncio.run(_memory_per_tab(url, cookie, data_dir))
            print(f"memory per open dashboard: {dashboard:.0f} KB ({TABS_FOR_MEMORY} open; a tab on a plain page: "
                  f"{plain:.0f} KB) (aim ≤ 300 KB)")  # fmt: skip
            with sync_playwright() as playwright:
                browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_FLAGS)
                context = browser.new_context()
                context.add_cookies([{"name": "acc_session", "value": login.cookies["acc_session"], "url": url}])
                context.add_init_script(STAMP_SHOWN)
                opens = [_open_dashboard(context, url) for _ in range(6)]
                warm = opens[1:]
                print(f"dashboard open in Chromium: first {opens[0]:.0f} ms, then median "
                      f"{statistics.median(warm):.0f} ms, max {max(warm):.0f} ms (aim ≤ 1000 ms)")  # fmt: skip

                wrk(url, 2, 8)  # warm up
                rates: dict[int | str, dict] = {}
                open_pages = []
                for dashboards in (0, 1, 5):
                    while len(open_pages) < dashboards:
                        page = context.new_page()
                        page.goto(f"{url}/dashboard")
                        page.wait_for_function(SHOWN, timeout=60_000)
                        open_pages.append(page)
                    rates[dashboards] = wrk(url, seconds, 32)
                for page in open_pages:
                    page.close()
                browser.close()
            # The same five as websocket clients only: what the server pays, without five browsers
            # drawing every push on the same two cores.
            loop = asyncio.new_event_loop()
            threading.Thread(target=loop.run_forever, daemon=True).start()
            tabs = [asyncio.run_coroutine_threadsafe(_open_tab(url, cookie, "/dashboard"), loop).result()
                    for _ in range(5)]  # fmt: skip
            rates["5 (websocket only)"] = wrk(url, seconds, 32)
            for tab in tabs:
                asyncio.run_coroutine_threadsafe(tab.__aexit__(), loop).result()
            none = rates[0]["rps"]
            print(f"{'ingestion, 32 connections':34}{'requests/s':>12}{'p99 ms':>9}{'of none':>9}")
            for dashboards, run in rates.items():
                print(f"{f'  {dashboards} dashboards open':34}{run['rps']:>12.0f}{run['p99']:>9.1f}"
                      f"{run['rps'] / none:>9.0%}")  # fmt: skip
            print("  (aim: with 5 open, ≥ 80% of the rate with none and p99 ≤ 50 ms)")
