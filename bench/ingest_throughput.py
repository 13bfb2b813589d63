"""POST /api/event under load, next to a bare Starlette endpoint served the same way (granian, one
worker) in the same run. Prints requests/s, p50/p99 latency, the ratio, and checks that the page views
in the database equal the events the app accepted (after a graceful stop, which flushes the buffer).

    .venv/bin/python bench/ingest_throughput.py [--seconds 10] [--connections 32]

Needs wrk (Debian: apt-get install wrk). Traffic goes to 127.0.0.1 only and stops by itself.
"""

from __future__ import annotations

import argparse
import os
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import sqlalchemy as sa

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from bench.common import PYTHON, ROOT, free_port, running_app

LUA = ROOT / "bench" / "event.lua"
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


def bare_endpoint(seconds: int, connections: int) -> dict[str, float]:
    port = free_port()
    log = Path(tempfile.mkdtemp()) / "bare.log"
    with log.open("w") as out:
        process = subprocess.Popen(
            [PYTHON, "-m", "granian", "--interface", "asgi", "--workers", "1", "--host", "127.0.0.1",
             "--port", str(port), "--log-level", "warning", "bench.bare_app:app"],
            cwd=ROOT, stdout=out, stderr=subprocess.STDOUT, start_new_session=True,
        )  # fmt: skip
    try:
        import httpx

        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            try:
                httpx.post(f"http://127.0.0.1:{port}/api/event", content=b"{}", timeout=1)
                break
            except httpx.HTTPError:
                time.sleep(0.2)
        return wrk(f"http://127.0.0.1:{port}", seconds, connections)
    finally:
        os.killpg(process.pid, signal.SIGTERM)
        process.wait(timeout=10)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=int, default=10)
    parser.add_argument("--connections", type=int, default=32)
    args = parser.parse_args()
    if not shutil.which("wrk"):
        print("wrk is missing: apt-get install wrk")
        return 2

    bare = bare_endpoint(args.seconds, args.connections)
    data_dir = Path(tempfile.mkdtemp(prefix="acc-bench-"))
    with running_app(data_dir, TRUSTED_PROXY_HOPS="1") as (url, _env):
        # Warm up (first requests parse the user agent and create the day's salt).
        warm = wrk(url, 2, 4)
        ours = wrk(url, args.seconds, args.connections)
    # The app has stopped gracefully: everything it accepted must be in the database.
    engine = sa.create_engine(f"sqlite:///{data_dir / 'accumulator.db'}")
    with engine.connect() as connection:
        stored = connection.execute(sa.text("SELECT COALESCE(SUM(views), 0) FROM page_stat")).scalar_one()
    accepted = sum(run["requests"] - run["non_2xx"] for run in (warm, ours))

    print(f"{'':28}{'requests/s':>12}{'p50 ms':>10}{'p99 ms':>10}{'non-2xx':>10}")
    for label, run in (("bare Starlette endpoint", bare), ("POST /api/event", ours)):
        print(f"{label:28}{run['rps']:>12.0f}{run['p50']:>10.2f}{run['p99']:>10.2f}{run['non_2xx']:>10}")
    ratio = ours["rps"] / bare["rps"]
    print(f"\nratio: {ratio:.0%} of the bare endpoint's rate (aim: at least 35%)")
    print(f"p99: {ours['p99']:.2f} ms (aim: under 25 ms)")
    print(f"socket errors: {ours['socket_errors']}")
    verdict = "nothing lost" if stored == accepted else f"MISMATCH: {accepted - stored} missing"
    print(f"page views accepted (202) in warm-up + run: {accepted}; stored after a graceful stop: {stored}: {verdict}")
    return 0 if stored == accepted else 1


if __name__ == "__main__":
    sys.exit(main())
