"""Byte counts as people read them."""

from __future__ import annotations


def size_text(size: int) -> str:
    """'512 bytes', '1.5 KB', '100 MB' (binary units, one decimal below 10)."""
    if size < 1024:
        return f"{size} byte{'s' if size != 1 else ''}"
    value = float(size)
    for unit in ("KB", "MB", "GB"):
        value /= 1024
        if value < 1024 or unit == "GB":
            return f"{value:.1f} {unit}" if value < 10 else f"{value:.0f} {unit}"
    return f"{value:.0f} GB"
