"""Notes search over 100,000 notes, on SQLite (FTS5) and on PostgreSQL (tsvector + GIN), and the
public page's time to first byte.

    .venv/bin/python bench/notes_search.py [--notes 100000] [--postgres postgresql://…]

PostgreSQL comes from --postgres or DATABASE_URL (a scratch database is created and dropped there).
Aims: search p95 under 50 ms on SQLite and under 30 ms on PostgreSQL.
"""

from __future__ import annotations

import argparse
import os
import random
import statistics
import sys
import tempfile
import time
import uuid
from datetime import UTC, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import httpx
import sqlalchemy as sa
from sqlalchemy.engine import make_url
from sqlmodel import Session

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from accumulator.db import create_db_engine
from accumulator.notes import search, service
from accumulator.notes.models import Note
from bench.common import running_app
from tests.conftest import alembic_upgrade

# Notes read like notes: a hundred filler words used a lot, then topics, then a long tail
# (a Zipf-like spread over 20,000 words), so a search term matches what it would in real notes.
COMMON = [
    "basil",
    "tomato",
    "monstera",
    "fern",
    "cactus",
    "orchid",
    "repot",
    "water",
    "sunlight",
    "soil",
    "compost",
    "prune",
    "seed",
    "harvest",
    "garden",
    "postgres",
    "sqlite",
    "redis",
    "python",
    "reflex",
    "deploy",
    "backup",
    "migrate",
    "index",
    "query",
    "cache",
    "latency",
    "throughput",
    "meeting",
    "invoice",
    "travel",
    "train",
    "flight",
    "hotel",
    "recipe",
    "bread",
    "coffee",
    "running",
    "cycling",
    "book",
    "chapter",
    "idea",
    "draft",
]
SYLLABLES = ["ka", "lo", "mi", "ren", "to", "sa", "vel", "dra", "nu", "pe", "qui", "zor", "bel", "tam", "ix"]
RARE = sorted({"".join(random.Random(n).choices(SYLLABLES, k=3)) + str(n % 97) for n in range(20_000)})
# The most frequent words are filler; the searched-for words sit lower, as real topics do.
VOCABULARY = RARE[:100] + COMMON + RARE[100:]
WEIGHTS = [1 / (rank + 1) for rank in range(len(VOCABULARY))]
QUERIES = ["basil", "monst", "postgres backup", "coffee", "repot orchid", "latenc", "train hotel", "idea"]


def fill(engine: sa.Engine, count: int) -> tuple[int, str]:
    """`count` notes of 10-60 random words over the last two years, in one workspace."""
    rng = random.Random(7)
    start = datetime.now(UTC) - timedelta(days=730)
    with Session(engine) as session:
        workspace = service.create_workspace(session=session, title="Bench", is_public=True)
        session.commit()
        workspace_id, public_id = workspace.id, workspace.public_id
    rows = [
        {
            "workspace_id": workspace_id,
            "text": " ".join(rng.choices(VOCABULARY, weights=WEIGHTS, k=rng.randint(10, 60))),
            "created_at": start + timedelta(minutes=rng.randint(0, 730 * 24 * 60)),
        }
        for _ in range(count)
    ]
    with engine.begin() as connection:
        for row in rows:
            row["updated_at"] = row["created_at"]
        connection.execute(sa.insert(Note.__table__), rows)
        if engine.dialect.name == "sqlite":
            connection.execute(sa.text("INSERT INTO note_fts(note_fts) VALUES ('rebuild')"))
        else:
            connection.execute(sa.text("ANALYZE note"))
    return workspace_id, public_id


def time_searches(engine: sa.Engine, workspace_id: int, rounds: int = 25) -> list[float]:
    zone = ZoneInfo("UTC")
    timings = []
    with Session(engine) as session:
        search.search(session=session, query="warm", zone=zone)
        for _ in range(rounds):
            for query in QUERIES:
                started = time.perf_counter()
                search.search(session=session, query=query, zone=zone, workspace_id=workspace_id)
                timings.append((time.perf_counter() - started) * 1000)
    return timings


def report(label: str, timings: list[float], aim: float) -> bool:
    p95 = sorted(timings)[int(0.95 * (len(timings) - 1))]
    print(f"{label:30} p50 {statistics.median(timings):6.1f} ms   p95 {p95:6.1f} ms   (aim: p95 under {aim:.0f} ms)")
    return p95 < aim


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--notes", type=int, default=100_000)
    parser.add_argument("--postgres", default=os.environ.get("DATABASE_URL", ""))
    args = parser.parse_args()
    met = True

    data_dir = Path(tempfile.mkdtemp(prefix="acc-bench-"))
    with running_app(data_dir) as (url, _env):
        engine = create_db_engine(f"sqlite:///{data_dir / 'accumulator.db'}")
        workspace_id, public_id = fill(engine, args.notes)
        met &= report(f"SQLite FTS5, {args.notes:,} notes", time_searches(engine, workspace_id), 50)
        # Time to first byte of the public page (the newest 30 days), over HTTP to the real app.
        ttfb = []
        with httpx.Client(timeout=60) as client:
            for _ in range(30):
                started = time.perf_counter()
                with client.stream("GET", f"{url}/public/notes/{public_id}") as response:
                    next(response.iter_raw())
                    ttfb.append((time.perf_counter() - started) * 1000)
                    size = int(response.headers.get("content-length", 0))
        p95 = sorted(ttfb)[int(0.95 * 29)]
        print(f"{'public page, time to 1st byte':30} p50 {statistics.median(ttfb):6.1f} ms   p95 {p95:6.1f} ms")
        print(f"{'':30} ({size:,} bytes: the newest page, up to 200 notes, of a workspace of {args.notes:,})")

    if not args.postgres:
        print("PostgreSQL: skipped (give --postgres or set DATABASE_URL)")
        return 0 if met else 1
    server = make_url(args.postgres.replace("postgresql://", "postgresql+psycopg://", 1))
    admin = sa.create_engine(server, isolation_level="AUTOCOMMIT")
    name = f"acc_bench_{uuid.uuid4().hex[:8]}"
    with admin.connect() as connection:
        connection.execute(sa.text(f'CREATE DATABASE "{name}"'))
    try:
        scratch = server.set(database=name).render_as_string(hide_password=False)
        alembic_upgrade(scratch)
        engine = create_db_engine(scratch)
        workspace_id, _ = fill(engine, args.notes)
        met &= report(f"PostgreSQL GIN, {args.notes:,} notes", time_searches(engine, workspace_id), 30)
        engine.dispose()
    finally:
        with admin.connect() as connection:
            connection.execute(sa.text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    return 0 if met else 1


if __name__ == "__main__":
    sys.exit(main())
