"""POST /api/event under load, next to a bare Starlette endpoint served the same way (granian, one
worker) in the same run.

Prints requests/s and p50/p99 latency at saturation (32 connections) and at a moderate load
(4 connections), the ratio of the rates, and checks that nothing is lost: a fixed number of events is
sent, the app is stopped gracefully right away (which writes its buffer), and the page views in the
database must have grown by exactly the number of events answered 202.

    .venv/bin/python bench/ingest_throughput.py [--seconds 10] [--connections 32]

Needs wrk (Debian: apt-get install wrk). Traffic goes to 127.0.0.1 only and stops by itself.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from contextlib import contextmanager
from pathlib import Path

import httpx
import sqlalchemy as sa

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from bench.common import PYTHON, ROOT, free_port, running_app

LUA = ROOT / "bench" / "event.lua"
RATE_AIM = 0.5  # of the bare endpoint's rate at saturation (issue 14)
P99_AIM_MS = 25  # at saturation
UNITS = {"us": 0.001, "ms": 1.0, "s": 1000.0}


def wrk(url: str, seconds: int, connections: int) -> dict[str, float]:
    result = subprocess.run(
        ["wrk", "-t2", f"-c{connections}", f"-d{seconds}s", "--latency", "-s", str(LUA), url],
        capture_output=True,
        text=True,
        check=True,
    )
    out = result.stdout

    def latency(label: str) -> float:
        value, unit = re.search(rf"^\s+{label}%\s+([\d.]+)(us|ms|s)\s*$", out, re.M).groups()
        return float(value) * UNITS[unit]

    total = int(re.search(r"(\d+) requests in", out).group(1))
    errors = re.search(r"Non-2xx or 3xx responses: (\d+)", out)
    socket_errors = re.search(r"Socket errors: (.*)", out)
    return {
        "rps": float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1)),
        "p50": latency("50"),
        "p99": latency("99"),
        "requests": total,
        "non_2xx": int(errors.group(1)) if errors else 0,
        "socket_errors": socket_errors.group(1) if socket_errors else "none",
    }


@contextmanager
def bare_endpoint():
    """The bare Starlette endpoint under granian with one worker, as the app is served."""
    port = free_port()
    log = Path(tempfile.mkdtemp()) / "bare.log"
    with log.open("w") as out:
        process = subprocess.Popen(
            [PYTHON, "-m", "granian", "--interface", "asgi", "--workers", "1", "--host", "127.0.0.1",
             "--port", str(port), "--log-level", "warning", "bench.bare_app:app"],
            cwd=ROOT, stdout=out, stderr=subprocess.STDOUT, start_new_session=True,
        )  # fmt: skip
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            try:
                httpx.post(f"{url}/api/event", content=b"{}", timeout=1)
                break
            except httpx.HTTPError:
                time.sleep(0.2)
        yield url
    finally:
        os.killpg(process.pid, signal.SIGTERM)
        process.wait(timeout=10)


def server_pid(url: str) -> int:
    """The process listening at `url` (granian's worker: the one that runs the app's Python)."""
    port = url.rsplit(":", 1)[1]
    listing = subprocess.run(["ss", "-ltnpH", f"sport = :{port}"], capture_output=True, text=True).stdout
    return int(re.findall(r"pid=(\d+)", listing)[0])


def thread_cpu(pid: int) -> dict[str, float]:
    """CPU seconds used so far by each thread of `pid`, by thread name (numbered when shared)."""
    tick = os.sysconf("SC_CLK_TCK")
    used: dict[str, float] = {}
    for tid in sorted(os.listdir(f"/proc/{pid}/task"), key=int):
        try:
            name = Path(f"/proc/{pid}/task/{tid}/comm").read_text().strip()
            fields = Path(f"/proc/{pid}/task/{tid}/stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue  # the thread ended
        label = name if name not in used else f"{name} #{sum(key.startswith(name) for key in used) + 1}"
        used[label] = (int(fields[11]) + int(fields[12])) / tick
    return used


def children(pid: int) -> list[int]:
    """The processes `pid` started (the app's journal writer)."""
    try:
        listed = Path(f"/proc/{pid}/task/{pid}/children").read_text().split()
    except OSError:
        return []
    return [int(child) for child in listed]


def process_cpu(pid: int) -> dict[str, float]:
    """CPU seconds by thread of `pid`, and of each process it started (named "writer process")."""
    used = thread_cpu(pid)
    for child in children(pid):
        used[f"writer process {child}"] = sum(thread_cpu(child).values())
    return used


def cpu_per_request(url: str, seconds: int, connections: int) -> tuple[dict, dict[str, float]]:
    """One wrk run, and the server's CPU microseconds per request by thread (and by process it
    started) during it. Unlike the rate, this barely depends on what else the machine runs: it says
    where the time goes."""
    pid = server_pid(url)
    before = process_cpu(pid)
    run = wrk(url, seconds, connections)
    time.sleep(1)  # the writer process counts what the run left in the journal
    after = process_cpu(pid)
    spent = {name: 1e6 * (after[name] - before.get(name, 0.0)) / run["requests"] for name in after}
    return run, {name: micros for name, micros in sorted(spent.items(), key=lambda kv: -kv[1]) if micros >= 1}


def median_run(runs: list[dict]) -> dict:
    """The run with the median rate (the machine is shared: one round can be unlucky)."""
    return sorted(runs, key=lambda run: run["rps"])[len(runs) // 2]


async def send_exactly(url: str, count: int, concurrency: int = 32) -> int:
    """Send `count` page views with `concurrency` at a time; returns how many were answered 202."""
    import asyncio

    accepted = 0
    queue = iter(range(count))
    ua = "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/120.0 Safari/537.36"

    async def worker(client: httpx.AsyncClient) -> None:
        nonlocal accepted
        for number in queue:
            body = f'{{"type":"pageview","site":"exact","path":"/p{number % 7}","visitor":"exact{number:08d}"}}'
            ip = f"10.9.{number // 250 % 250}.{number % 250 + 1}"
            response = await client.post(
                f"{url}/api/event",
                content=body,
                headers={"Content-Type": "text/plain", "X-Forwarded-For": ip, "User-Agent": ua},
            )
            accepted += response.status_code == 202

    async with httpx.AsyncClient(timeout=30) as client:
        await asyncio.gather(*(worker(client) for _ in range(concurrency)))
    return accepted


def stored_views(database: Path) -> tuple[int, int]:
    """Page views stored: in the pages' totals, and in the sites' hours."""
    engine = sa.create_engine(f"sqlite:///{database}")
    with engine.connect() as connection:
        return tuple(
            connection.execute(sa.text(f"SELECT COALESCE(SUM(views), 0) FROM {table}")).scalar_one()
            for table in ("page_stat", "hourly_site_stat")
        )


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=int, default=6)
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--connections", type=int, default=32)
    parser.add_argument("--exact", type=int, default=5000, help="events sent for the exactness check")
    args = parser.parse_args()
    if not shutil.which("wrk"):
        print("wrk is missing: apt-get install wrk")
        return 2

    load = os.getloadavg()  # a shared machine: other work skews both rates, and their ratio less
    data_dir = Path(tempfile.mkdtemp(prefix="acc-bench-"))
    database = data_dir / "accumulator.db"
    results: dict[str, list[dict]] = {"bare": [], "ours": [], "bare_light": [], "ours_light": []}
    with bare_endpoint() as bare_url, running_app(data_dir, TRUSTED_PROXY_HOPS="1") as (url, _env):
        wrk(url, 2, 4)  # warm up: the day's salt, the user-agent cache
        for _ in range(args.rounds):  # alternate, so both see the same machine
            results["bare"].append(wrk(bare_url, args.seconds, args.connections))
            results["ours"].append(wrk(url, args.seconds, args.connections))
            results["bare_light"].append(wrk(bare_url, args.seconds, 4))
            results["ours_light"].append(wrk(url, args.seconds, 4))
        _, bare_cpu = cpu_per_request(bare_url, args.seconds, args.connections)
        _, ours_cpu = cpu_per_request(url, args.seconds, args.connections)
        time.sleep(1)  # the writer has stored everything from the timed runs
        before = stored_views(database)
        accepted = asyncio.run(send_exactly(url, args.exact))
        # Leaving the block stops the app at once (SIGTERM): what is still buffered must be written.
    stored, in_hours = (after - earlier for after, earlier in zip(stored_views(database), before, strict=True))
    bare, ours, bare_light, ours_light = (median_run(results[key]) for key in results)

    print(f"medians of {args.rounds} alternating rounds of {args.seconds} s")
    print(f"{'':34}{'requests/s':>12}{'p50 ms':>10}{'p99 ms':>10}{'non-2xx':>10}")
    rows = (
        (f"bare endpoint, {args.connections} connections", bare),
        (f"POST /api/event, {args.connections} connections", ours),
        ("bare endpoint, 4 connections", bare_light),
        ("POST /api/event, 4 connections", ours_light),
    )
    for label, run in rows:
        print(f"{label:34}{run['rps']:>12.0f}{run['p50']:>10.2f}{run['p99']:>10.2f}{run['non_2xx']:>10}")
    ratio = ours["rps"] / bare["rps"]
    print(f"\nratio at saturation: {ratio:.0%} of the bare endpoint's rate (aim: at least {RATE_AIM:.0%})")
    print(f"p99 at saturation: {ours['p99']:.1f} ms (bare: {bare['p99']:.1f} ms; aim: at most {P99_AIM_MS} ms); "
          f"at 4 connections: {ours_light['p99']:.1f} ms (bare: {bare_light['p99']:.1f} ms)")  # fmt: skip
    print(f"socket errors: {ours['socket_errors']}")
    print(f"server CPU per request at {args.connections} connections, by thread (microseconds):")
    for label, spent in (("bare", bare_cpu), ("ours", ours_cpu)):
        threads = ", ".join(f"{name} {micros:.0f}" for name, micros in spent.items())
        print(f"  {label}: {sum(spent.values()):.0f} in all ({threads})")
    verdict = "nothing lost" if stored == accepted == in_hours else f"MISMATCH: {accepted - stored} missing"
    print(
        f"exactness: {args.exact} events sent, {accepted} answered 202, "
        f"{stored} stored after a graceful stop ({in_hours} in the hours): {verdict}"
    )
    print(f"load average of the machine (1 min) before and after: {load[0]:.1f}, {os.getloadavg()[0]:.1f}")
    met = ratio >= RATE_AIM and ours["p99"] <= P99_AIM_MS and stored == accepted == in_hours
    return 0 if met else 1


if __name__ == "__main__":
    sys.exit(main())
