"""Starting the real app (as `make run` does) for a benchmark, in a scratch data folder."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from contextlib import contextmanager
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parent.parent
PYTHON = sys.executable


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def wait_healthy(url: str, process: subprocess.Popen, log: Path, timeout: float = 300) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise SystemExit(f"the app exited:\n{log.read_text()[-2000:]}")
        try:
            if httpx.get(url, timeout=2).status_code == 200:
                return
        except httpx.HTTPError:
            pass
        time.sleep(0.3)
    raise SystemExit(f"no answer from {url} within {timeout} s")


def app_env(data_dir: Path, port: int, **extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k not in {"DATABASE_URL", "REDIS_URL"}}
    env.update(
        DATA_DIR=str(data_dir),
        PORT=str(port),
        PATH=f"{ROOT / '.tools/node_modules/.bin'}:{Path(PYTHON).parent}:{env.get('PATH', '')}",
        REFLEX_USE_SYSTEM_BUN="1",
        REFLEX_CHECK_LATEST_VERSION="0",
        **extra,
    )
    return env


@contextmanager
def running_app(data_dir: Path, **extra: str):
    """The built app on a free port; yields (url, env). Stopped with SIGTERM, so buffers are flushed."""
    port = free_port()
    env = app_env(data_dir, port, **extra)
    subprocess.run([PYTHON, "-m", "alembic", "upgrade", "head"], cwd=ROOT, env=env, check=True, capture_output=True)
    log = data_dir / "app.log"
    with log.open("w") as out:
        process = subprocess.Popen(
            [PYTHON, "-m", "reflex", "run", "--env", "prod", "--loglevel", "warning"],
            cwd=ROOT,
            env=env,
            stdout=out,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    url = f"http://127.0.0.1:{port}"
    try:
        wait_healthy(f"{url}/healthz", process, log)
        yield url, env
    finally:
        os.killpg(process.pid, signal.SIGTERM)
        try:
            process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
