"""Starting the real app (as `make run` does) for a benchmark, in a scratch data folder."""

from __future__ import annotations

import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from tests.live_server import app_environment, free_port, serve_app  # noqa: E402

PYTHON = sys.executable


@contextmanager
def running_app(data_dir: Path, **extra: str) -> Iterator[tuple[str, dict[str, str]]]:
    """The built app on a free port; yields (url, env). Stopped with SIGTERM, so buffers are flushed."""
    env = app_environment(data_dir, free_port(), **extra)
    with serve_app(env) as url:
        yield url, env


__all__ = ["PYTHON", "ROOT", "free_port", "running_app"]
