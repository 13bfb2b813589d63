"""DASHBOARD_PUBLIC decides whether /dashboard needs the owner's session."""

from __future__ import annotations

import subprocess
import sys

import pytest

from accumulator.settings import PROJECT_ROOT

CHECK = """
from accumulator.analytics import pages  # declares the page
from accumulator.ui.layout import PAGES
from accumulator.ui.owner import OwnerState
entry = next(page for page in PAGES if page["route"] == "/dashboard")
guard = entry["on_load"][0]
print("owner" if guard is OwnerState.require_owner else "public")
"""


@pytest.mark.parametrize(("value", "expected"), [("", "public"), ("true", "public"), ("false", "owner")])
def test_the_dashboard_is_public_unless_the_owner_says_otherwise(tmp_path, value: str, expected: str) -> None:
    env = {"DATA_DIR": str(tmp_path), "PATH": "/usr/bin:/bin", "DASHBOARD_PUBLIC": value}
    result = subprocess.run(
        [sys.executable, "-c", CHECK], cwd=PROJECT_ROOT, env=env, capture_output=True, text=True, timeout=120
    )
    assert result.returncode == 0, result.stderr[-2000:]
    assert result.stdout.strip().splitlines()[-1] == expected
