"""`python -m accumulator create-owner` and the hint a newcomer sees when no owner exists."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from accumulator.settings import PROJECT_ROOT
from tests.conftest import alembic_upgrade


@pytest.fixture
def env(tmp_path: Path) -> dict[str, str]:
    alembic_upgrade(f"sqlite:///{tmp_path / 'accumulator.db'}")
    return {"DATA_DIR": str(tmp_path), "PATH": "/usr/bin:/bin"}


def run(env: dict[str, str], *args: str, password: str | None = None) -> subprocess.CompletedProcess[str]:
    extra = {"ACCUMULATOR_OWNER_PASSWORD": password} if password else {}
    return subprocess.run(
        [sys.executable, "-m", "accumulator", *args],
        cwd=PROJECT_ROOT,
        env={**env, **extra},
        capture_output=True,
        text=True,
        timeout=60,
        stdin=subprocess.DEVNULL,
    )


def test_a_newcomer_is_told_exactly_how_to_make_the_owner(env: dict[str, str]) -> None:
    result = run(env, "owner-status")
    assert result.returncode == 0
    assert "No owner account yet" in result.stdout
    assert "make owner EMAIL=you@example.com" in result.stdout


def test_create_owner_takes_the_password_from_the_environment(env: dict[str, str]) -> None:
    created = run(env, "create-owner", "--email", "Me@Example.com", password="ten chars!")
    assert created.returncode == 0, created.stderr
    assert "Owner created: me@example.com" in created.stdout
    assert "Owner account: me@example.com" in run(env, "owner-status").stdout

    changed = run(env, "create-owner", "--email", "me@example.com", password="a new password")
    assert changed.returncode == 0
    assert "every existing session was logged out" in changed.stdout.lower()


def test_create_owner_refuses_a_short_password_and_saves_nothing(env: dict[str, str]) -> None:
    result = run(env, "create-owner", "--email", "me@example.com", password="too short")
    assert result.returncode == 1
    assert "at least 10 characters" in result.stderr
    assert "No owner account yet" in run(env, "owner-status").stdout


def test_create_owner_without_a_terminal_or_password_explains_what_to_set(env: dict[str, str]) -> None:
    result = run(env, "create-owner", "--email", "me@example.com")
    assert result.returncode == 1
    assert "ACCUMULATOR_OWNER_PASSWORD" in result.stderr
