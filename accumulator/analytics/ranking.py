"""How every list of counts on the dashboard and in the reports is ordered."""

from __future__ import annotations

from collections.abc import Iterable
from typing import TypeVar

K = TypeVar("K")


def largest_first(rows: Iterable[tuple[K, int]], limit: int | None = None) -> list[tuple[K, int]]:
    """(key, count) pairs by count, largest first, ties by key; the first `limit` (None: all)."""
    return sorted(rows, key=lambda row: (-row[1], row[0]))[:limit]
