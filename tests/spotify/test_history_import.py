"""Importing Spotify's Extended streaming history: a generated year of plays (and its second run
adding nothing), the command line, and bad files refused or rows skipped with a reason, never a
crash or half an import."""

from __future__ import annotations

import json
import random
import subprocess
import sys
from datetime import UTC, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy.engine import Engine
from sqlmodel import Session, func, select

from accumulator.db import session_scope
from accumulator.settings import PROJECT_ROOT
from accumulator.spotify import history_import
from accumulator.spotify.models import SpotifyPlay, SpotifyTrack
from tests.conftest import alembic_upgrade

ZONE = ZoneInfo("Europe/Berlin")


def export_year(seed: int = 7, count: int = 6000) -> list[dict]:
    """A year of rows as Spotify writes them: songs, skips, podcast episodes and gone tracks."""
    rng = random.Random(seed)
    moment, rows = datetime(2025, 1, 1, tzinfo=UTC), []
    for _ in range(count):
        moment += timedelta(minutes=rng.randint(4, 170))
        track = rng.randint(1, 400)
        row = {
            "ts": moment.strftime("%Y-%m-%dT%H:%M:%SZ"),
            "platform": "iOS",
            "ms_played": rng.choice((215_000, 180_500, 31_000, 12_000, 0)),
            "conn_country": "DE",
            "master_metadata_track_name": f"Song {track}",
            "master_metadata_album_artist_name": f"Artist {track % 37}",
            "master_metadata_album_album_name": f"Album {track % 90}",
            "spotify_track_uri": f"spotify:track:{track:022d}",
            "episode_name": None,
            "episode_show_name": None,
            "spotify_episode_uri": None,
            "skipped": None,
        }
        kind = rng.random()
        if kind < 0.03:
            row |= {"master_metadata_track_name": None, "spotify_track_uri": None, "episode_name": "Episode 12"}
            row["spotify_episode_uri"] = "spotify:episode:abc"
        elif kind < 0.04:
            row |= {"master_metadata_track_name": None, "spotify_track_uri": None}  # no longer on Spotify
        rows.append(row)
    return rows


def expected_plays(rows: list[dict]) -> int:
    return sum(
        1 for r in rows if r["master_metadata_track_name"] and not r["episode_name"] and r["ms_played"] >= 30_000
    )


def play_count(session: Session) -> int:
    session.expire_all()
    return session.exec(select(func.count()).select_from(SpotifyPlay)).one()


def test_a_year_of_history_imports_once_with_a_summary(engine: Engine, session: Session) -> None:
    rows = export_year()
    half = len(rows) // 2
    files = [
        ("Streaming_History_Audio_2025_0.json", json.dumps(rows[:half]).encode()),
        ("Streaming_History_Audio_2025_1.json", json.dumps(rows[half:]).encode()),
    ]
    with session_scope(engine) as db:
        report = history_import.import_files(db, files=files, zone=ZONE)
    assert (report.files, report.read) == (2, len(rows))
    assert report.added == expected_plays(rows) == play_count(session)
    episodes = sum(1 for r in rows if r["episode_name"])
    assert report.skipped["podcast episode"] == episodes
    short = sum(1 for r in rows if r["master_metadata_track_name"] and r["ms_played"] < 30_000)
    assert report.skipped["under 30 s (a skip; Spotify does not count it as a play either)"] == short
    assert "Added:" in report.render() and "podcast episode" in report.render()
    # What a play says: its start (ts is the end), the time listened, measured, in the owner's zone.
    first = next(r for r in rows if r["master_metadata_track_name"] and r["ms_played"] >= 30_000)
    ended = datetime.fromisoformat(first["ts"].replace("Z", "+00:00"))
    play = session.exec(select(SpotifyPlay).order_by(SpotifyPlay.played_at)).first()
    assert play.played_at == ended - timedelta(milliseconds=first["ms_played"])
    assert (play.listened_ms, play.estimated, play.source) == (first["ms_played"], False, "import")
    assert play.local_hour == play.played_at.astimezone(ZONE).hour
    # The second run (the owner uploads the same files again) adds nothing.
    with session_scope(engine) as db:
        again = history_import.import_files(db, files=files, zone=ZONE)
    assert (again.added, again.already) == (0, report.added)
    assert play_count(session) == report.added
    counted = session.exec(select(func.sum(SpotifyTrack.plays))).one()
    assert counted == report.added  # the per-track totals moved once too


BAD_FILES = {
    b"not json at all": "not valid JSON",
    b'{"ts": "2025-01-01T00:00:00Z"}': "expected a JSON list",
    b"[1, 2, 3]": "no ts and ms_played",
    b"[" * 100 + b"]" * 100: "nested",
    b'["\\ud800"]': "no ts and ms_played",
}


@pytest.mark.parametrize("body", list(BAD_FILES), ids=["text", "object", "numbers", "deep", "surrogate"])
def test_a_file_that_is_not_an_export_is_refused_and_nothing_is_imported(
    body: bytes, engine: Engine, session: Session
) -> None:
    good = ("good.json", json.dumps(export_year(count=50)).encode())
    with pytest.raises(history_import.ImportRefused) as refused, session_scope(engine) as db:
        history_import.import_files(db, files=[good, ("bad.json", body)], zone=ZONE)
    assert BAD_FILES[body] in str(refused.value) and "bad.json" in str(refused.value)
    assert play_count(session) == 0  # the good file was not half-imported either


def test_rows_that_cannot_be_stored_are_skipped_with_their_reason(engine: Engine, session: Session) -> None:
    good = {
        "ts": "2025-01-05T09:00:00Z",
        "ms_played": 200_000,
        "master_metadata_track_name": "Fine",
        "master_metadata_album_artist_name": "Someone",
        "master_metadata_album_album_name": "Record",
        "spotify_track_uri": "spotify:track:4uLU6hMCjMI75M1A2tKUQC",
        "episode_name": None,
    }
    rows = [
        good,
        good | {"ts": "2025-02-01T10:00:00Z", "master_metadata_track_name": "Bad\x00Name"},
        good | {"ts": "2025-02-01T11:00:00Z", "master_metadata_album_artist_name": "x" * 100_000},
        good | {"ts": "2025-02-01T12:00:00Z", "master_metadata_album_album_name": ["not", "text"]},
        good | {"ts": "yesterday"},
        good | {"ts": "2025-02-01T13:00:00Z", "ms_played": "200000"},
        good | {"ts": "2025-02-01T14:00:00Z", "ms_played": -5},
        good | {"ts": "2099-01-01T00:00:00Z"},
        "a string",
    ]
    with session_scope(engine) as db:
        report = history_import.import_files(db, files=[("f.json", json.dumps(rows).encode())], zone=ZONE)
    assert report.added == 1 and play_count(session) == 1
    assert report.skipped == {
        "text that cannot be stored (not text, NUL, broken Unicode or over 500 characters)": 3,
        "no valid ts": 1,
        "no valid ms_played": 2,
        "in the future": 1,
        "not an object": 1,
    }


def test_the_command_imports_files_and_prints_the_summary(tmp_path: Path) -> None:
    alembic_upgrade(f"sqlite:///{tmp_path / 'accumulator.db'}")
    rows = export_year(count=300)
    export = tmp_path / "Streaming_History_Audio_2025.json"
    export.write_text(json.dumps(rows))
    bad = tmp_path / "notes.txt"
    bad.write_text("hello")
    env = {"DATA_DIR": str(tmp_path), "PATH": "/usr/bin:/bin", "TIMEZONE": "Europe/Berlin"}

    def run(*files: Path) -> subprocess.CompletedProcess[str]:
        command = [sys.executable, "-m", "accumulator", "import-spotify-history", *map(str, files)]
        return subprocess.run(command, cwd=PROJECT_ROOT, env=env, capture_output=True, text=True, timeout=120)

    first = run(export)
    assert first.returncode == 0, first.stderr
    assert f"Added:            {expected_plays(rows)}" in first.stdout
    second = run(export)
    assert "Added:            0" in second.stdout and f"Already recorded: {expected_plays(rows)}" in second.stdout
    refused = run(export, bad)
    assert refused.returncode == 2 and "notes.txt" in refused.stderr and "nothing was" in refused.stderr
    missing = run(tmp_path / "nowhere.json")
    assert missing.returncode == 2 and "nowhere.json" in missing.stderr
