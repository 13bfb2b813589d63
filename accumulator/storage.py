"""Uploaded files on disk (paste attachments, plant photos), under names we generate.

A file is written to `incoming/` while it arrives and moved into place only once it is complete,
so a file in place is always whole. Its path comes from its generated id alone (checked against
the alphabet ids are made of): nothing a user sends ever becomes part of a path.
"""

from __future__ import annotations

import os
import re
import secrets
import time
from collections.abc import AsyncIterator, Iterator
from pathlib import Path

from starlette.concurrency import run_in_threadpool

FILE_ID = re.compile(r"^[A-Za-z0-9_-]{16,24}$")
INCOMING = "incoming"
WRITE_BATCH = 1024 * 1024  # bytes gathered before one write: few thread hops, bounded memory


class TooLarge(Exception):
    """The upload went past its limit; nothing of it was kept."""


def new_file_id() -> str:
    return secrets.token_urlsafe(16)


class FileStore:
    def __init__(self, root: Path) -> None:
        self.root = root

    def path(self, file_id: str) -> Path:
        if not FILE_ID.match(file_id):
            raise ValueError("not a file id")
        # Two-character shards keep directories small.
        return self.root / file_id[:2] / file_id

    async def save(self, file_id: str, chunks: AsyncIterator[bytes], *, limit: int) -> int:
        """Write the stream as `file_id`; returns its size. Past `limit` bytes, or if the stream
        breaks off, the partial file is removed and the error raised."""
        final = self.path(file_id)
        incoming = self.root / INCOMING / file_id
        await run_in_threadpool(incoming.parent.mkdir, parents=True, exist_ok=True)
        handle = await run_in_threadpool(open, incoming, "xb")
        size, batch = 0, bytearray()
        try:
            async for chunk in chunks:
                size += len(chunk)
                if size > limit:
                    raise TooLarge
                batch += chunk
                if len(batch) >= WRITE_BATCH:
                    await run_in_threadpool(handle.write, batch)
                    batch = bytearray()
            if batch:
                await run_in_threadpool(handle.write, batch)
            await run_in_threadpool(handle.close)
            await run_in_threadpool(final.parent.mkdir, exist_ok=True)
            await run_in_threadpool(os.replace, incoming, final)
        except BaseException:
            handle.close()
            incoming.unlink(missing_ok=True)
            raise
        return size

    def delete(self, file_id: str) -> bool:
        try:
            self.path(file_id).unlink()
        except FileNotFoundError:
            return False
        return True

    def stored(self, older_than: float = 0.0) -> Iterator[str]:
        """Ids of the complete files on disk last written more than `older_than` seconds ago."""
        cutoff = time.time() - older_than
        if not self.root.is_dir():
            return
        for shard in self.root.iterdir():
            if shard.name == INCOMING or not shard.is_dir():
                continue
            for entry in shard.iterdir():
                if FILE_ID.match(entry.name) and entry.stat().st_mtime <= cutoff:
                    yield entry.name

    def abandoned_incoming(self, older_than: float) -> list[Path]:
        """Partial uploads no live request is writing any more (left by a crash)."""
        folder = self.root / INCOMING
        cutoff = time.time() - older_than
        if not folder.is_dir():
            return []
        return [entry for entry in folder.iterdir() if entry.stat().st_mtime <= cutoff]
