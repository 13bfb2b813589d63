"""Starting the built app the way `make run` does, on a free port with its own data folder.
Shared by the browser tests and the benchmarks."""

from __future__ import annotations

import http.server
import os
import signal
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import httpx

from accumulator.settings import PROJECT_ROOT

# Debian's Chromium, kept off the network (the flags MACHINE-NOTES lists).
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_FLAGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
START_TIMEOUT = 420  # the first build installs the front-end packages


class AppDidNotStart(RuntimeError):
    pass


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def app_environment(data_dir: Path, port: int, **extra: str) -> dict[str, str]:
    """This environment, minus the server URLs (the app gets SQLite in `data_dir`), plus bun."""
    env = {key: value for key, value in os.environ.items() if key not in {"DATABASE_URL", "REDIS_URL", "SECRET_KEY"}}
    env.update(
        DATA_DIR=str(data_dir),
        PORT=str(port),
        PATH=f"{PROJECT_ROOT / '.tools/node_modules/.bin'}:{Path(sys.executable).parent}:{env.get('PATH', '')}",
        REFLEX_USE_SYSTEM_BUN="1",
        REFLEX_CHECK_LATEST_VERSION="0",
        PYTHONUNBUFFERED="1",
        **extra,
    )
    return env


def run_python(env: dict[str, str], *args: str, **kwargs: object) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, *args], cwd=PROJECT_ROOT, env=env, check=True, **kwargs)


@dataclass
class Server:
    url: str
    process: subprocess.Popen

    def kill(self) -> None:
        """SIGKILL: the process dies at once, as in a crash or an out-of-memory kill."""
        os.killpg(self.process.pid, signal.SIGKILL)
        self.process.wait()


@contextmanager
def _serving(env: dict[str, str], command: list[str], log: Path, *, timeout: float) -> Iterator[Server]:
    """Migrate, start `command` with `env` (its output in `log`) and wait for /healthz; yields the URL.
    Stopped with SIGTERM (a graceful stop, so buffered work is written), then SIGKILL if it hangs."""
    run_python(env, "-m", "alembic", "upgrade", "head", capture_output=True)
    with log.open("w") as log_file:
        process = subprocess.Popen(
            command, cwd=PROJECT_ROOT, env=env, stdout=log_file, stderr=subprocess.STDOUT, start_new_session=True
        )
    url = f"http://127.0.0.1:{env['PORT']}"
    try:
        _wait_until_healthy(process, url, log, timeout=timeout)
        yield Server(url, process)
    finally:
        if process.poll() is None:
            _stop(process)


@contextmanager
def serve_app(env: dict[str, str]) -> Iterator[str]:
    """Build and serve the app as `make run` does, with `env`; yields its URL."""
    command = [sys.executable, "-m", "reflex", "run", "--env", "prod", "--loglevel", "warning"]
    with _serving(env, command, Path(env["DATA_DIR"]) / "app.log", timeout=START_TIMEOUT) as server:
        yield server.url


@contextmanager
def serve_backend(env: dict[str, str]) -> Iterator[str]:
    """The app's backend alone; yields its URL (see `backend_server`)."""
    with backend_server(env) as server:
        yield server.url


def backend_server(env: dict[str, str]):
    """The app's backend alone (every HTTP route and the websocket, no front-end build), started as
    the Docker image starts it; for tests that speak HTTP and socket.io to it. Yields a Server."""
    backend_env = {**env, "REFLEX_ENV_MODE": "prod", "__REFLEX_SKIP_COMPILE": "true", "GRANIAN_WORKERS": "1"}
    command = [
        sys.executable, "-m", "granian", "--interface", "asgi", "--factory", "--host", "127.0.0.1",
        "--port", env["PORT"], "accumulator.accumulator:app",
    ]  # fmt: skip
    return _serving(backend_env, command, Path(env["DATA_DIR"]) / "backend.log", timeout=120)


def _wait_until_healthy(process: subprocess.Popen, url: str, log: Path, *, timeout: float) -> None:
    deadline = time.monotonic() + timeout
    while True:
        if process.poll() is not None:
            raise AppDidNotStart(f"the app exited with {process.returncode}:\n{log.read_text()[-3000:]}")
        try:
            if httpx.get(f"{url}/healthz", timeout=2).status_code == 200:
                return
        except httpx.HTTPError:
            pass
        if time.monotonic() > deadline:
            raise AppDidNotStart(f"the app did not answer within {timeout} s:\n{log.read_text()[-3000:]}")
        time.sleep(0.3)


def _stop(process: subprocess.Popen) -> None:
    os.killpg(process.pid, signal.SIGTERM)
    try:
        process.wait(timeout=30)
    except subprocess.TimeoutExpired:
        os.killpg(process.pid, signal.SIGKILL)
        process.wait()


@contextmanager
def local_site(page: Callable[[], str], pages: Callable[[str], str | None] | None = None) -> Iterator[str]:
    """Another local origin standing for the owner's blog: every path answers the HTML `page()`
    returns, or `pages(path)` when that gives one (the favicon: 404). Yields its URL."""

    class Handler(http.server.BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            if self.path == "/favicon.ico":
                self.send_error(404)
                return
            body = ((pages(self.path) if pages else None) or page()).encode()
            self.send_response(200)
            self.send_header("Content-Type", "text/html; charset=utf-8")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args: object) -> None:
            pass

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()
