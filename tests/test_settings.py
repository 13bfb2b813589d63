"""Settings come from the environment once; a bad value stops start-up with one line naming it."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from accumulator.settings import PROJECT_ROOT, SettingsError, load_settings


def test_the_defaults_need_nothing_installed(tmp_path: Path) -> None:
    settings = load_settings({"DATA_DIR": str(tmp_path)})
    assert settings.database_url == f"sqlite:///{tmp_path / 'accumulator.db'}"
    assert settings.redis_url is None
    assert settings.port == 8000
    assert settings.timezone == "UTC"
    assert settings.allowed_origins == ()
    assert settings.trusted_proxy_hops == 0
    assert settings.analytics_claim_idle == 30


def test_a_generated_secret_key_is_kept_in_the_data_dir(tmp_path: Path) -> None:
    first = load_settings({"DATA_DIR": str(tmp_path)}).secret_key
    assert len(first) >= 32
    assert (tmp_path / "secret_key").stat().st_mode & 0o777 == 0o600
    assert load_settings({"DATA_DIR": str(tmp_path)}).secret_key == first


def test_origins_are_normalised_to_what_browsers_send(tmp_path: Path) -> None:
    settings = load_settings(
        {
            "DATA_DIR": str(tmp_path),
            "ALLOWED_ORIGINS": "https://Blog.Example.com/, http://localhost:3000,https://blog.example.com:443",
        }
    )
    assert settings.allowed_origins == ("https://blog.example.com", "http://localhost:3000")


def test_a_plain_postgres_url_uses_the_psycopg_driver(tmp_path: Path) -> None:
    settings = load_settings({"DATA_DIR": str(tmp_path), "DATABASE_URL": "postgres://u:p@db:5432/acc"})
    assert settings.database_url == "postgresql+psycopg://u:p@db:5432/acc"


@pytest.mark.parametrize(
    ("name", "value"),
    [
        ("PORT", "eighty"),
        ("PORT", "70000"),
        ("TIMEZONE", "Mars/Olympus_Mons"),
        ("ALLOWED_ORIGINS", "blog.example.com"),
        ("ALLOWED_ORIGINS", "https://example.com/blog"),
        ("TRUSTED_PROXY_HOPS", "-1"),
        ("DATABASE_URL", "mysql://root@localhost/acc"),
        ("REDIS_URL", "localhost:6379"),
        ("SECRET_KEY", "short"),
        ("DASHBOARD_PUBLIC", "maybe"),
        ("ANALYTICS_CLAIM_IDLE", "0"),
        ("ANALYTICS_CLAIM_IDLE", "soon"),
    ],
)
def test_an_invalid_value_names_its_variable(tmp_path: Path, name: str, value: str) -> None:
    with pytest.raises(SettingsError) as error:
        load_settings({"DATA_DIR": str(tmp_path), name: value})
    message = str(error.value)
    assert message.startswith(f"{name}:") and "\n" not in message


def test_start_up_stops_with_one_line_on_a_bad_setting(tmp_path: Path) -> None:
    env = {"DATA_DIR": str(tmp_path), "TIMEZONE": "Nowhere/Special", "PATH": "/usr/bin:/bin"}
    for command in (
        [sys.executable, "-c", "import rxconfig"],
        [sys.executable, "-m", "accumulator", "owner-status"],
    ):
        result = subprocess.run(command, cwd=PROJECT_ROOT, env=env, capture_output=True, text=True, timeout=60)
        assert result.returncode == 2
        assert result.stderr.strip().splitlines() == [
            "Accumulator cannot start: TIMEZONE: unknown time zone 'Nowhere/Special' (use a name like Europe/Paris)"
        ]
