"""Listening history at scale: generates Spotify export files (a year is ~25,000 plays), times their
import, then times each stats query at PLAYS plays (200,000 by default), on SQLite, and on
PostgreSQL too when DATABASE_URL is set.

    .venv/bin/python bench/listening_history.py [--plays 200000] [--repeat 20]

Prints the import rate, and p50/p95 per stats query and range (the target: each ≤ 100 ms).
"""

from __future__ import annotations

import argparse
import json
import os
import random
import statistics
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from accumulator.db import create_db_engine, session_scope
from accumulator.spotify import history_import, stats
from tests.conftest import POSTGRES_URL, _scratch_postgres_url, alembic_upgrade

ZONE = ZoneInfo("Europe/Berlin")
NOW = datetime(2026, 12, 1, 12, tzinfo=UTC)
PER_YEAR = 25_000


def export_rows(count: int, *, end: datetime, seed: int = 1) -> list[dict]:
    """`count` plays ending at `end`, a realistic spread: ~8,000 artists, ~40,000 tracks, a few
    favourites played far more often, daytime-heavy, some skips, episodes and ads mixed in."""
    rng = random.Random(seed)
    rows, moment = [], end - timedelta(days=365 * count / PER_YEAR)
    step = (end - moment) / count
    for i in range(count):
        moment += step
        track = int(rng.paretovariate(1.2)) % 40_000
        artist = track % 8_000
        row = {
            "ts": (moment + timedelta(seconds=rng.randint(0, 60))).strftime("%Y-%m-%dT%H:%M:%SZ"),
            "platform": "android",
            "ms_played": rng.choice((200_000, 180_000, 240_000, 35_000, 5_000)),
            "master_metadata_track_name": f"Track {track}",
            "master_metadata_album_artist_name": f"Artist {artist}",
            "master_metadata_album_album_name": f"Album {track // 12}",
            "spotify_track_uri": f"spotify:track:{track:022d}",
            "episode_name": None,
            "spotify_episode_uri": None,
        }
        if i % 97 == 0:
            row |= {"master_metadata_track_name": None, "spotify_track_uri": None, "episode_name": "A podcast"}
        rows.append(row)
    return rows


def timed(fn, repeat: int) -> tuple[float, float]:
    samples = []
    for _ in range(repeat):
        start = time.perf_counter()
        fn()
        samples.append((time.perf_counter() - start) * 1000)
    samples.sort()
    return statistics.median(samples), samples[min(len(samples) - 1, round(0.95 * (len(samples) - 1)))]


AIM_QUERY_MS, AIM_YEAR_IMPORT_S = 100.0, 60.0


def run(url: str, label: str, plays: int, repeat: int, folder: Path) -> list[str]:
    """Runs the benchmark on one database; returns the aims it missed."""
    missed = []
    alembic_upgrade(url)
    engine = create_db_engine(url)
    print(f"\n== {label}")
    # One year first, as the owner's first import would be: the time that must stay under a minute.
    year = export_rows(PER_YEAR, end=NOW, seed=2)
    files = [("Streaming_History_Audio_2026.json", json.dumps(year).encode())]
    start = time.perf_counter()
    with session_scope(engine) as session:
        report = history_import.import_files(session, files=files, zone=ZONE)
    took = time.perf_counter() - start
    print(f"import of one year: {report.read} rows, {report.added} added in {took:.1f} s")
    if took > AIM_YEAR_IMPORT_S:
        missed.append(f"{label}: a year imported in {took:.0f} s")
    start = time.perf_counter()
    with session_scope(engine) as session:
        again = history_import.import_files(session, files=files, zone=ZONE)
    print(f"  again: {again.added} added, {again.already} already there, in {time.perf_counter() - start:.1f} s")
    # Then the rest of the history, older years, up to `plays` plays.
    # A fifth of the rows are skips under 30 s and 1 % episodes: rows enough for `plays` plays.
    rest = export_rows(max(0, int(plays / 0.79) - PER_YEAR), end=NOW - timedelta(days=365), seed=3)
    start = time.perf_counter()
    for offset in range(0, len(rest), 30_000):
        chunk = json.dumps(rest[offset : offset + 30_000]).encode()
        with session_scope(engine) as session:
            history_import.import_files(session, files=[("older.json", chunk)], zone=ZONE)
    with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
        total = connection.exec_driver_sql("SELECT count(*) FROM spotify_play").scalar()
        if engine.dialect.name == "postgresql":  # as autovacuum would: index-only scans need it
            connection.exec_driver_sql("VACUUM ANALYZE spotify_play")
            connection.exec_driver_sql("VACUUM ANALYZE spotify_track")
        else:
            connection.exec_driver_sql("ANALYZE")
    print(f"older plays imported in {time.perf_counter() - start:.1f} s; {total} plays in all")
    ranges = {
        "7 days": stats.last_days(7, now=NOW, zone=ZONE),
        "30 days": stats.last_days(30, now=NOW, zone=ZONE),
        "365 days": stats.last_days(365, now=NOW, zone=ZONE),
        "year 2025": stats.year(2025, zone=ZONE),
        "all time": stats.ALL_TIME,
    }
    print(f"{'range':<10} {'query':<12} {'p50 ms':>8} {'p95 ms':>8}")
    worst = 0.0
    with session_scope(engine) as session:
        for name, bounds in ranges.items():
            for part, fn in [*stats.PARTS.items(), ("whole view", None)]:
                if fn is None:
                    p50, p95 = timed(lambda b=bounds: stats.stats_for(session, bounds=b), repeat)
                    if p95 > AIM_QUERY_MS:
                        missed.append(f"{label}: the {name} view took {p95:.0f} ms (p95)")
                else:
                    p50, p95 = timed(lambda f=fn, b=bounds: f(session, stats.Stats(label=""), b), repeat)
                    worst = max(worst, p95)
                print(f"{name:<10} {part:<12} {p50:>8.1f} {p95:>8.1f}")
        p50, p95 = timed(lambda: stats.recent(session, limit=10), repeat)
        print(f"{'recent':<10} {'last 10':<12} {p50:>8.1f} {p95:>8.1f}")
    print(f"slowest single query p95: {worst:.1f} ms")
    engine.dispose()
    return missed


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--plays", type=int, default=200_000)
    parser.add_argument("--repeat", type=int, default=20)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        missed = run(f"sqlite:///{folder}/bench.db", "SQLite", args.plays, args.repeat, Path(folder))
        if POSTGRES_URL or os.environ.get("DATABASE_URL"):
            url, admin = _scratch_postgres_url()
            try:
                missed += run(url, "PostgreSQL", args.plays, args.repeat, Path(folder))
            finally:
                with admin.connect() as connection:
                    name = url.rsplit("/", 1)[1]
                    connection.exec_driver_sql(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
                admin.dispose()
    for line in missed:
        print(f"MISSED: {line} (aim: a year in {AIM_YEAR_IMPORT_S:.0f} s, each view in {AIM_QUERY_MS:.0f} ms)")
    sys.exit(1 if missed else 0)


if __name__ == "__main__":
    main()
