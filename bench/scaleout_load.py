"""Two instances sharing one PostgreSQL and one Redis, under reader load, with dashboards open on both.

    DATABASE_URL=postgresql://… REDIS_URL=redis://… .venv/bin/python bench/scaleout_load.py
        [--readers 200] [--dashboards 20] [--seconds 20] [--workers 1]

Two real instances (as `make run` starts them, GRANIAN_WORKERS=--workers each) share a scratch
PostgreSQL database (created on the server DATABASE_URL names, dropped at the end) and a Redis
database of their own (--redis-db of the REDIS_URL server, flushed before and after). Half the
dashboards are open on each instance, in headless Chromium.

Each simulated reader (asyncio, a keep-alive connection of its own, readers spread over both
instances, each with its own visitor id and X-Forwarded-For address, as behind a load balancer) sends
a page view, then a heartbeat about every second (the real tracker: every 15 s), and reads another
page every --read-seconds. Every two seconds a probe page view for a new path goes to one instance
or the other; the time until its row shows is noted in every dashboard (a MutationObserver in the
page), and the time until each dashboard's state naming it was pushed by its instance is noted from
Redis (Reflex stores a tab's state there as it sends the change: a keyspace notification marks it).

Prints accepted events/s, request latency p50/p99, dashboard update delay p50/p95 (shown, and pushed),
the memory the instances' processes (and Redis) gained per connected dashboard, where the CPU went, and
whether the page views stored equal the page views answered 202, exactly, and every dashboard shows
that total. Exits non-zero when the stored count does not match. Without DATABASE_URL and REDIS_URL
it says it skipped and exits 0. Traffic stays on 127.0.0.1.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import os
import random
import re
import secrets
import shutil
import statistics
import sys
import tempfile
import threading
import time
import uuid
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import redis
import sqlalchemy as sa
from alembic import command
from alembic.config import Config
from playwright.sync_api import Error as PlaywrightError
from playwright.sync_api import Page, sync_playwright
from sqlalchemy.engine import make_url

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from accumulator.settings import PROJECT_ROOT, load_settings
from bench.common import free_port
from bench.paste_transfer import server_processes
from tests.live_server import CHROMIUM, CHROMIUM_FLAGS, app_environment, serve_app

MB = 1024 * 1024
SITE = "scaleout"
# Page views from scripts are taken for bots (and not counted): these readers use "a browser".
USER_AGENT = "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/130.0 Safari/537.36"
TOTAL_SHOWN = "/^[\\d,]+$/.test(document.querySelector('#total-views')?.innerText ?? '')"
# In each dashboard: when each probe's row first appears (epoch milliseconds, like the sender's clock).
WATCH_PROBES = """
() => {
  window.__seen = {};
  const look = () => {
    const now = performance.timeOrigin + performance.now();
    for (const row of document.querySelectorAll('.page-row[data-path^="/probe-"]')) {
      if (!(row.dataset.path in window.__seen)) window.__seen[row.dataset.path] = now;
    }
  };
  new MutationObserver(look).observe(document.body, {childList: true, subtree: true, characterData: true});
  look();
}
"""


# Before the app's own scripts, in every dashboard:
# - The WebSocket goes to the instance that served the page. The built front end names the backend
#   with the port of the instance that built it last (.web/env.json; only the host is taken from the
#   page), so without this every dashboard would talk to one instance. Behind one public address (a
#   load balancer, https) the page's own host and port are used, as here.
# - When a message first names each probe (the update reached the page; the row shows once React has
#   rendered it), and how many messages and characters the page was sent.
WATCH_FRAMES = """
(() => {
  window.__delivered = {};
  window.__messages = 0;
  window.__characters = 0;
  const Native = window.WebSocket;
  window.WebSocket = class extends Native {
    constructor(url, ...rest) {
      const target = new URL(url, location.href);
      if (target.hostname === location.hostname) target.port = location.port;
      super(target.href, ...rest);
      this.addEventListener('message', (event) => {
        if (typeof event.data !== 'string') return;
        const now = performance.timeOrigin + performance.now();
        window.__messages += 1;
        window.__characters += event.data.length;
        for (const path of event.data.match(/\\/probe-\\d+/g) ?? []) {
          if (!(path in window.__delivered)) window.__delivered[path] = now;
        }
      });
    }
  };
})();
"""


MESSAGES = "[window.__messages, window.__characters]"
CATCH_UP = 60  # seconds after the load for every dashboard to show the final count


@dataclass
class Instance:
    url: str
    data_dir: Path

    def rss(self) -> int:
        """Resident memory of every process of this instance (reflex run, granian, its workers)."""
        total = 0
        for pid in server_processes(self.data_dir):
            with contextlib.suppress(OSError):
                for line in Path(f"/proc/{pid}/status").read_text().splitlines():
                    if line.startswith("VmRSS:"):
                        total += int(line.split()[1]) * 1024
        return total


def _stat(pid: int) -> list[str]:
    raw = Path(f"/proc/{pid}/stat").read_text()
    return raw[raw.rindex(")") + 2 :].split()  # state, ppid, pgrp, session, …, utime (11), stime (12)


def cpu_seconds(pids: set[int]) -> dict[int, float]:
    """User + system CPU time of each process still running."""
    ticks = os.sysconf("SC_CLK_TCK")
    used = {}
    for pid in pids:
        with contextlib.suppress(OSError, IndexError):
            fields = _stat(pid)
            used[pid] = (int(fields[11]) + int(fields[12])) / ticks
    return used


def descendants(root: int) -> set[int]:
    """Every process below `root` (here: Playwright's driver and Chromium, and the instances)."""
    children: dict[int, list[int]] = {}
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            with contextlib.suppress(OSError, IndexError):
                children.setdefault(int(_stat(int(entry.name))[1]), []).append(int(entry.name))
    found, todo = set(), [root]
    while todo:
        for child in children.get(todo.pop(), []):
            found.add(child)
            todo.append(child)
    return found


def lower_priority(pids: set[int], niceness: int) -> None:
    """Renice every thread of these processes (on Linux a process's niceness is per thread)."""
    for pid in pids:
        with contextlib.suppress(OSError):
            for task in Path(f"/proc/{pid}/task").iterdir():
                with contextlib.suppress(OSError):
                    os.setpriority(os.PRIO_PROCESS, int(task.name), niceness)


def cpu_growth(before: dict[int, float], after: dict[int, float]) -> float:
    return sum(after[pid] - before[pid] for pid in after if pid in before)


@dataclass
class Dashboard:
    page: Page
    instance: int


@dataclass
class Load:
    latencies: list[float] = field(default_factory=list)  # ms, every reader request
    sent: Counter[str] = field(default_factory=Counter)
    accepted: Counter[str] = field(default_factory=Counter)
    refused: Counter[str] = field(default_factory=Counter)  # status codes other than 202, and errors
    probes: list[tuple[str, float, int]] = field(default_factory=list)  # path, sent (epoch ms), instance
    seconds: float = 0.0
    cpu: float = 0.0  # CPU time of the thread that sends


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(share * (len(ordered) - 1)))]


def with_database(url: str, number: int) -> str:
    return urlunsplit(urlsplit(url)._replace(path=f"/{number}"))


class Connection:
    """One reader's keep-alive HTTP/1.1 connection to one instance, as a browser tab keeps one. Plain
    asyncio streams: httpx took about 4 ms of CPU a request here, half a CPU at this load, which this
    2-CPU machine's servers need."""

    def __init__(self, url: str, ip: str) -> None:
        parts = urlsplit(url)
        self.address = (parts.hostname, parts.port)
        self.head = (
            f"POST /api/event HTTP/1.1\r\nHost: {parts.netloc}\r\nUser-Agent: {USER_AGENT}\r\n"
            f"X-Forwarded-For: {ip}\r\nContent-Type: application/json\r\n"
        ).encode()
        self.streams: tuple[asyncio.StreamReader, asyncio.StreamWriter] | None = None

    async def _post(self, body: bytes) -> int:
        if self.streams is None:
            self.streams = await asyncio.open_connection(*self.address)
        reader, writer = self.streams
        writer.write(self.head + b"Content-Length: %d\r\n\r\n" % len(body) + body)
        status = int((await reader.readline()).split()[1])
        length, keep = 0, True
        while (line := await reader.readline()) not in (b"\r\n", b""):
            name, _, value = line.partition(b":")
            name = name.strip().lower()
            if name == b"content-length":
                length = int(value)
            elif name == b"connection" and b"close" in value.lower():
                keep = False
        await reader.readexactly(length)
        if not keep:
            self.close()
        return status

    async def post(self, body: bytes) -> int:
        try:
            return await asyncio.wait_for(self._post(body), 60)
        except BaseException:
            self.close()  # a half-read answer leaves the connection unusable
            raise

    def close(self) -> None:
        if self.streams is not None:
            self.streams[1].close()
            self.streams = None


async def post(connection: Connection, kind: str, path: str, visitor: str, load: Load) -> float | None:
    """Send one event; count it. Returns its latency in ms, or None when it was not accepted."""
    body = json.dumps({"type": kind, "site": SITE, "path": path, "visitor": visitor}).encode()
    load.sent[kind] += 1
    started = time.perf_counter()
    try:
        status = await connection.post(body)
    except (OSError, EOFError, ValueError, IndexError, TimeoutError) as error:
        load.refused[type(error).__name__] += 1
        return None
    elapsed = (time.perf_counter() - started) * 1000
    if status != 202:
        load.refused[str(status)] += 1
        return None
    load.accepted[kind] += 1
    return elapsed


async def reader(number: int, url: str, args: argparse.Namespace, stop: float, load: Load) -> None:
    """One reader: a page view, a heartbeat about every second, another page every --read-seconds."""
    rng = random.Random(number)
    visitor = f"reader{number:04d}-{secrets.token_hex(6)}"
    connection = Connection(url, ip=f"10.20.{number // 250}.{number % 250 + 1}")
    loop = asyncio.get_running_loop()
    await asyncio.sleep(rng.uniform(0, args.interval))  # not all at once
    ticks_per_page = max(1, round(args.read_seconds / args.interval))
    tick = 0
    try:
        while loop.time() < stop:
            kind = "pageview" if tick % ticks_per_page == 0 else "heartbeat"
            if kind == "pageview":
                path = f"/posts/{rng.randrange(args.pages):03d}"
            started = loop.time()
            latency = await post(connection, kind, path, visitor, load)
            if latency is not None:
                load.latencies.append(latency)
            tick += 1
            await asyncio.sleep(max(0.0, started + args.interval * rng.uniform(0.8, 1.2) - loop.time()))
    finally:
        connection.close()


async def prober(urls: list[str], args: argparse.Namespace, stop: float, load: Load) -> None:
    """A page view for a new path every --probe-every seconds, to each instance in turn."""
    loop = asyncio.get_running_loop()
    await asyncio.sleep(1.5)  # the readers have arrived
    number, sending = 0, []

    async def probe(number: int) -> None:
        instance = number % len(urls)
        path = f"/probe-{number:03d}"
        connection = Connection(urls[instance], ip=f"10.99.{number // 250}.{number % 250 + 1}")
        sent = time.time() * 1000
        if await post(connection, "pageview", path, f"probe-visitor-{number:04d}", load) is not None:
            load.probes.append((path, sent, instance))
        connection.close()

    while loop.time() < stop - 1.0:  # on the clock, whether or not the last one was answered yet
        sending.append(asyncio.create_task(probe(number)))
        number += 1
        await asyncio.sleep(args.probe_every)
    await asyncio.gather(*sending)


async def run_load(urls: list[str], args: argparse.Namespace, load: Load) -> None:
    loop = asyncio.get_running_loop()
    started, cpu = loop.time(), time.thread_time()
    stop = started + args.seconds
    await asyncio.gather(
        prober(urls, args, stop, load),
        *(reader(n, urls[n % len(urls)], args, stop, load) for n in range(args.readers)),
    )
    load.seconds, load.cpu = loop.time() - started, time.thread_time() - cpu


class PushWatcher:
    """When each dashboard's instance pushed it a state naming each probe. Reflex writes a tab's state
    to Redis right after sending it the change; Redis announces the write (Reflex turns keyspace
    notifications on), and the state written names the pages the tab was sent. A thread of its own, so
    the time is the server's, whatever the browsers are busy with."""

    def __init__(self, url: str, tokens: dict[str, int]) -> None:
        self.client = redis.Redis.from_url(url)
        self.tokens = tokens  # a tab's token -> its dashboard's number
        self.pushed: dict[tuple[int, str], float] = {}  # (dashboard, probe path) -> epoch ms
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def _run(self) -> None:
        database = self.client.connection_pool.connection_kwargs.get("db", 0)
        pubsub = self.client.pubsub(ignore_subscribe_messages=True)
        # The pages table is in DashboardNumbers (its get_full_name()).
        pubsub.psubscribe(f"__keyspace@{database}__:*.owner.dashboard.numbers")
        try:
            while not self._stop.is_set():
                message = pubsub.get_message(timeout=0.2)
                if message is None or message["data"] in (b"del", b"expired"):
                    continue
                key = message["channel"].split(b":", 1)[1]
                dashboard = self.tokens.get(key.split(b"_", 1)[0].decode())
                if dashboard is None:
                    continue
                state = self.client.get(key) or b""
                now = time.time() * 1000
                for path in re.findall(rb"/probe-\d+", state):
                    self.pushed.setdefault((dashboard, path.decode()), now)
        finally:
            pubsub.close()

    def __enter__(self) -> PushWatcher:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join()
        self.client.close()


def migrate(url: str) -> None:
    config = Config(str(PROJECT_ROOT / "alembic.ini"))
    config.attributes["database_url"] = url
    command.upgrade(config, "head")


def redis_bytes(url: str) -> int:
    """What the keys of this Redis database take (MEMORY USAGE), the Reflex states among them."""
    client = redis.Redis.from_url(url)
    try:
        return sum(client.memory_usage(key) or 0 for key in client.scan_iter(count=1000))
    finally:
        client.close()


def stored_views(database: str) -> int:
    engine = sa.create_engine(database)
    try:
        with engine.connect() as connection:
            query = sa.text("SELECT COALESCE(SUM(views), 0) FROM page_stat WHERE site = :site")
            return connection.execute(query, {"site": SITE}).scalar_one()
    finally:
        engine.dispose()


def shown_totals(dashboards: list[Dashboard]) -> list[int | None]:
    """Each dashboard's "Page views" number (None where the page does not show one)."""
    texts = [d.page.evaluate("document.querySelector('#total-views')?.innerText ?? ''") for d in dashboards]
    return [int(text.replace(",", "")) if text.replace(",", "").isdigit() else None for text in texts]


def describe(totals: list[int | None]) -> str:
    counts = Counter("none" if total is None else str(total) for total in totals)
    return ", ".join(f"{value} ({count}×)" if len(counts) > 1 else value for value, count in counts.most_common())


def wait_until(check, seconds: float, poll: Page) -> bool:
    deadline = time.monotonic() + seconds
    while not check():
        if time.monotonic() > deadline:
            return False
        poll.wait_for_timeout(200)
    return True


def note(message: str) -> None:
    print(f"· {message}", file=sys.stderr, flush=True)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--readers", type=int, default=200)
    parser.add_argument("--dashboards", type=int, default=20)
    parser.add_argument("--seconds", type=float, default=20.0, help="how long the readers send")
    parser.add_argument("--workers", type=int, default=1, help="GRANIAN_WORKERS of each instance")
    parser.add_argument("--interval", type=float, default=1.0, help="seconds between a reader's heartbeats")
    parser.add_argument("--read-seconds", type=float, default=5.0, help="how long a reader stays on a page")
    parser.add_argument("--pages", type=int, default=20, help="how many pages the readers read")
    parser.add_argument("--probe-every", type=float, default=2.0)
    parser.add_argument(
        "--client-nice", type=int, default=10, help="niceness of Chromium during the load (0: as the servers)"
    )
    parser.add_argument("--redis-db", type=int, default=12, help="the Redis database the instances use (flushed)")
    args = parser.parse_args()
    if args.dashboards < 2:
        parser.error("--dashboards: at least 2 (one on each instance)")
    postgres, redis_server = os.environ.get("DATABASE_URL", ""), os.environ.get("REDIS_URL", "")
    if not postgres.startswith("postgres") or not redis_server:
        print("skipped: set DATABASE_URL and REDIS_URL (a PostgreSQL server and a Redis server)")
        return 0
    if not Path(CHROMIUM).exists():
        print(f"{CHROMIUM} is missing: apt-get install chromium")
        return 2

    server = make_url(load_settings({"DATABASE_URL": postgres, "DATA_DIR": "/tmp"}).database_url)
    admin = sa.create_engine(server, isolation_level="AUTOCOMMIT")
    name = f"acc_bench_{uuid.uuid4().hex[:8]}"
    with admin.connect() as connection:
        connection.execute(sa.text(f'CREATE DATABASE "{name}"'))
    database = server.set(database=name).render_as_string(hide_password=False)
    shared_redis = with_database(redis_server, args.redis_db)
    redis.Redis.from_url(shared_redis).flushdb()
    secret = secrets.token_hex(32)
    load = Load()
    try:
        migrate(database)
        with contextlib.ExitStack() as running:
            instances = []
            for number in range(2):  # one after another: each `reflex run` builds the front end
                data_dir = Path(tempfile.mkdtemp(prefix=f"acc-bench-scaleout-{number}-"))
                running.callback(shutil.rmtree, data_dir, ignore_errors=True)  # once the instance has stopped
                env = app_environment(
                    data_dir,
                    free_port(),
                    DATABASE_URL=database,
                    REDIS_URL=shared_redis,
                    SECRET_KEY=secret,
                    GRANIAN_WORKERS=str(args.workers),
                    TRUSTED_PROXY_HOPS="1",  # as behind a load balancer: each reader has its own address
                )
                started = time.monotonic()
                instances.append(Instance(running.enter_context(serve_app(env)), data_dir))
                note(f"instance {number + 1} up at {instances[-1].url} in {time.monotonic() - started:.0f} s")

            playwright = running.enter_context(sync_playwright())
            browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_FLAGS, headless=True)
            running.callback(browser.close)

            def open_dashboard(instance: int) -> Dashboard:
                try:
                    return try_dashboard(instance)
                except RuntimeError as error:  # .web is rebuilt under us (another `reflex run`): once more
                    note(str(error))
                    time.sleep(5)
                    return try_dashboard(instance)

            def try_dashboard(instance: int) -> Dashboard:
                context = browser.new_context(base_url=instances[instance].url, reduced_motion="reduce")
                context.add_init_script(WATCH_FRAMES)
                page = context.new_page()
                trouble: list[str] = []
                page.on("console", lambda m: m.type == "error" and trouble.append(f"console: {m.text[:200]}"))
                page.on("response", lambda r: r.status >= 400 and trouble.append(f"{r.status} {r.url}"))
                page.on("requestfailed", lambda r: trouble.append(f"failed {r.url}: {r.failure}"))
                page.goto("/dashboard")
                try:
                    page.wait_for_function(TOTAL_SHOWN, timeout=30_000)
                except PlaywrightError:
                    body = page.evaluate("document.body?.innerText ?? ''")[:300]
                    context.close()
                    raise RuntimeError(
                        f"a dashboard on {page.url} did not load: {body!r}\n" + "\n".join(trouble[:20])
                    ) from None
                return Dashboard(page, instance)

            # One dashboard opened and closed on each instance first: what the first one costs (imports,
            # the first queries, the compiled page) is not a connected client's.
            for instance in range(len(instances)):
                open_dashboard(instance).page.context.close()
            time.sleep(2)
            before = [instance.rss() for instance in instances]
            redis_before = redis_bytes(shared_redis)
            dashboards = [open_dashboard(n % len(instances)) for n in range(args.dashboards)]
            for dashboard in dashboards:
                dashboard.page.evaluate(WATCH_PROBES)
            dashboards[0].page.wait_for_timeout(3000)  # settle
            after = [instance.rss() for instance in instances]
            redis_after = redis_bytes(shared_redis)
            note(f"{len(dashboards)} dashboards open; {args.readers} readers for {args.seconds:.0f} s")

            # Where the CPU goes during the load: the instances, Chromium (and Playwright), this script.
            servers = [set(server_processes(instance.data_dir)) for instance in instances]
            clients = descendants(os.getpid()).difference(*servers)
            if args.client_nice:  # the dashboards stand for owners' own machines: the servers come first
                lower_priority(clients, args.client_nice)
            cpu_before = [cpu_seconds(pids) for pids in (*servers, clients)]
            own_before = time.process_time()
            messages_before = [d.page.evaluate(MESSAGES) for d in dashboards]
            tokens = {d.page.evaluate("sessionStorage.getItem('token')"): n for n, d in enumerate(dashboards)}
            watcher = running.enter_context(PushWatcher(shared_redis, tokens))
            sender = threading.Thread(target=lambda: asyncio.run(run_load([i.url for i in instances], args, load)))
            sender.start()
            while sender.is_alive():  # keep Playwright's connection read while the load runs
                dashboards[0].page.wait_for_timeout(250)
            sender.join()
            load_end = time.monotonic()
            cpu = [cpu_growth(b, cpu_seconds(set(b))) for b in cpu_before] + [time.process_time() - own_before]
            loaded = [instance.rss() for instance in instances]

            # Counts: what was answered 202 must be stored, and shown on every dashboard, exactly.
            expected = load.accepted["pageview"]
            stored_ok = wait_until(lambda: stored_views(database) == expected, 10, dashboards[0].page)
            stored = stored_views(database)
            # A page that fell behind answers only once it has worked through what it was sent.
            shown_ok = wait_until(
                lambda: all(t == expected for t in shown_totals(dashboards)),
                CATCH_UP - (time.monotonic() - load_end),
                dashboards[0].page,
            )
            caught_up = time.monotonic() - load_end
            shown = shown_totals(dashboards)
            for dashboard, total in zip(dashboards, shown, strict=True):
                if total is None:  # what the page shows instead
                    body = dashboard.page.evaluate("document.body?.innerText ?? ''")
                    note(f"a dashboard at {dashboard.page.url} shows no total: {body[:300]!r}")
            # Sent during the load (the feed pushes only on changes; by now the pages have read it all).
            messages = [
                [now - then for now, then in zip(d.page.evaluate(MESSAGES), b, strict=True)]
                for d, b in zip(dashboards, messages_before, strict=True)
            ]
            seen = [d.page.evaluate("window.__seen") for d in dashboards]
            delivered = [d.page.evaluate("window.__delivered") for d in dashboards]
    finally:
        redis.Redis.from_url(shared_redis).flushdb()
        with admin.connect() as connection:
            connection.execute(sa.text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()

    shown_delays: dict[str, list[float]] = {"same": [], "other": []}
    pushed_delays: list[float] = []
    arrived_delays: list[float] = []
    missed = 0
    for number, (dashboard, noted, arrived) in enumerate(zip(dashboards, seen, delivered, strict=True)):
        for path, sent, instance in load.probes:
            if path in noted:
                shown_delays["same" if instance == dashboard.instance else "other"].append(noted[path] - sent)
            else:
                missed += 1
            if path in arrived:
                arrived_delays.append(arrived[path] - sent)
            if (number, path) in watcher.pushed:
                pushed_delays.append(watcher.pushed[number, path] - sent)
    every_delay = shown_delays["same"] + shown_delays["other"]
    accepted = sum(load.accepted.values())
    pushed = sum(count for count, _ in messages)
    characters = sum(size for _, size in messages)
    lost = sum(count for what, count in load.refused.items() if not what.isdigit())
    counts_match = stored_ok and stored == expected and not lost

    def row(label: str, figure: str, detail: str = "") -> None:
        print(f"{label:44}{figure:>16}  {detail}".rstrip())

    def p50_p95(values: list[float]) -> str:
        return f"{statistics.median(values):.0f} / {percentile(values, 0.95):.0f}" if values else "-"

    print(
        f"2 instances (GRANIAN_WORKERS={args.workers} each) on PostgreSQL + Redis, {args.readers} readers "
        f"for {load.seconds:.1f} s, {len(dashboards)} dashboards ({len(dashboards) // 2} on each)"
    )
    refused = ", ".join(f"{count} × {what}" for what, count in load.refused.most_common()) or "none refused"
    row("accepted events/s (both instances)", f"{accepted / load.seconds:.0f}",
        f"{accepted} answered 202 of {sum(load.sent.values())} sent ({load.sent['pageview']} page views, "
        f"{load.sent['heartbeat']} heartbeats); {refused}")  # fmt: skip
    if load.latencies:
        row("request latency p50 / p99 (ms)",
            f"{statistics.median(load.latencies):.1f} / {percentile(load.latencies, 0.99):.1f}",
            f"max {max(load.latencies):.0f}")  # fmt: skip
    row("dashboard update delay p50 / p95 (ms)", p50_p95(every_delay),
        f"probe sent → its row shows; {len(load.probes)} probes × {len(dashboards)} dashboards"
        + (f", max {max(every_delay):.0f}" if every_delay else ""))  # fmt: skip
    row("   probe sent to the dashboard's instance", p50_p95(shown_delays["same"]))
    row("   probe sent to the other instance", p50_p95(shown_delays["other"]))
    row("   pushed by the dashboard's instance", p50_p95(pushed_delays),
        "probe sent → the tab's new state stored in Redis, beside its message")  # fmt: skip
    row("   message handled in the page", p50_p95(arrived_delays))
    if missed:
        row("   probe rows never shown", str(missed))
    row("messages to each dashboard", f"{pushed / len(dashboards) / load.seconds:.1f}/s",
        f"during the load, {characters / max(pushed, 1) / 1024:.1f} kB each on average")  # fmt: skip
    row("memory per connected dashboard (MB)", f"{(sum(after) - sum(before)) / len(dashboards) / MB:.2f}",
        f"RSS of both instances: {sum(before) / MB:.0f} MB → {sum(after) / MB:.0f} MB with the dashboards "
        f"→ {sum(loaded) / MB:.0f} MB after the load")  # fmt: skip
    row("   and in Redis (kB)", f"{(redis_after - redis_before) / len(dashboards) / 1024:.1f}",
        f"the instances' Redis keys: {redis_before / 1024:.0f} kB → {redis_after / 1024:.0f} kB")  # fmt: skip
    row("CPU used by the instances during the load (s)", f"{cpu[0]:.1f} + {cpu[1]:.1f}",
        f"Chromium and Playwright {cpu[2]:.1f} (nice {args.client_nice}), this script {cpu[3]:.1f}; "
        f"{load.seconds:.0f} s × {os.cpu_count()} CPUs here")  # fmt: skip
    row("counts match exactly", "yes" if counts_match else "NO",
        f"{expected} page views answered 202, {stored} stored")  # fmt: skip
    if lost:
        print(f"   {lost} requests ended without an answer: whether they were counted is unknown")
    row("every dashboard shows that total", "yes" if shown_ok else "NO",
        f"{caught_up:.1f} s after the load" if shown_ok else f"after {caught_up:.0f} s: {describe(shown)}")  # fmt: skip
    return 0 if counts_match else 1


if __name__ == "__main__":
    sys.exit(main())
