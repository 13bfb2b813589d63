"""The event API's visitor rule is one rule, said where a site's developer looks: the 400's reason,
the README's API table and the tracker's source."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from accumulator.analytics.incoming import BadEvent, parse_event
from accumulator.analytics.tracker import TRACKER_SOURCE_PATH

ROOT = Path(__file__).resolve().parents[2]
RULE = "8 to 64 letters, digits, - or _"


def body(visitor: str) -> bytes:
    return json.dumps({"type": "pageview", "site": "blog", "path": "/", "visitor": visitor}).encode()


@pytest.mark.parametrize("visitor", ["1700000000.123", "42", "short", "with space 123", "é" * 10, "x" * 65])
def test_a_token_outside_the_rule_is_refused_with_the_rule_as_the_reason(visitor: str) -> None:
    with pytest.raises(BadEvent, match=RULE):
        parse_event(body(visitor))


@pytest.mark.parametrize("visitor", ["0123456789abcdef0123456789abcdef", "tab-token_1", "A" * 64])
def test_tokens_within_the_rule_are_taken(visitor: str) -> None:
    assert parse_event(body(visitor)).visitor == visitor


def test_the_readme_and_the_tracker_source_state_the_rule() -> None:
    row = next(line for line in (ROOT / "README.md").read_text().splitlines() if line.startswith("| `POST /api/event`"))
    assert "8 to 64 characters, each a letter, digit, `-` or `_`" in row
    assert '8 to 64 characters, each a letter, digit, "-" or "_"' in TRACKER_SOURCE_PATH.read_text()
