"""Reading an archive back: every member read, hashed and checked against the manifest (sizes,
SHA-256, row counts, format, revision) before anything is written anywhere; then its rows and files."""

from __future__ import annotations

import gzip
import hashlib
import json
import tarfile
import zlib
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import IO, Any

from accumulator.backup.archive import CHUNK, FORMAT, MANIFEST, MANIFEST_SUM, SECRET_KEY_MEMBER, VERSION, ArchiveError


class Archive:
    """An archive whose every member was read, hashed and found to match its manifest."""

    def __init__(self, tar: tarfile.TarFile, manifest: dict[str, Any], path: Path) -> None:
        self._tar, self.manifest, self.path = tar, manifest, path

    @property
    def revision(self) -> str:
        return self.manifest["revision"]

    @property
    def tables(self) -> dict[str, dict[str, Any]]:
        return self.manifest["tables"]

    def rows(self, table: str) -> Iterator[list[Any]]:
        source = self._tar.extractfile(self.tables[table]["member"])
        assert source is not None
        with gzip.open(source, "rt", encoding="utf-8", newline="\n") as lines:
            for line in lines:
                yield json.loads(line)

    def files(self) -> Iterator[tuple[str, str, IO[bytes]]]:
        """(store, file id, readable) of every stored file, in archive order."""
        for member in self._tar.getmembers():
            parts = member.name.split("/")
            if len(parts) == 3 and parts[0] == "files":
                source = self._tar.extractfile(member)
                assert source is not None
                yield parts[1], parts[2], source

    def secret_key(self) -> str | None:
        if SECRET_KEY_MEMBER not in self.manifest["members"]:
            return None
        source = self._tar.extractfile(SECRET_KEY_MEMBER)
        assert source is not None
        return source.read().decode().strip()

    def close(self) -> None:
        self._tar.close()


def open_verified(path: Path, *, check_revision: Callable[[str], None]) -> Archive:
    """Read the whole archive once and check it against its manifest (sizes, SHA-256, row counts,
    format, revision) before anything is written anywhere. Raises ArchiveError with a one-line reason."""
    if not path.is_file():
        raise ArchiveError(f"{path} is not a file")
    try:
        tar = tarfile.open(path, mode="r:")  # noqa: SIM115 (the Archive closes it)
    except (tarfile.TarError, OSError) as exc:
        raise ArchiveError(f"{path.name} is not a backup archive (not a tar file: {exc})") from None
    try:
        found, lines, manifest_body = _read_all(tar, path)
        manifest = _check_manifest(found, lines, manifest_body, path)
        check_revision(manifest["revision"])
    except BaseException:
        tar.close()
        raise
    return Archive(tar, manifest, path)


def _read_all(tar: tarfile.TarFile, path: Path) -> tuple[dict[str, dict[str, Any]], dict[str, int], dict[str, bytes]]:
    found: dict[str, dict[str, Any]] = {}
    lines: dict[str, int] = {}  # newline count of each gzip'd table, decompressed as it is hashed
    small: dict[str, bytes] = {}
    try:
        for member in tar:
            if not member.isfile():
                raise ArchiveError(f"{path.name} holds {member.name!r}, which is not a file: not a backup archive")
            source = tar.extractfile(member)
            assert source is not None
            sha, size = hashlib.sha256(), 0
            inflate = zlib.decompressobj(wbits=31) if member.name.endswith(".jsonl.gz") else None
            count = 0
            while chunk := source.read(CHUNK):
                sha.update(chunk)
                size += len(chunk)
                if inflate is not None:
                    try:
                        count += inflate.decompress(chunk).count(b"\n")
                    except zlib.error:  # damaged: its checksum says so below, naming the member
                        inflate, count = None, -1
                if member.name in (MANIFEST, MANIFEST_SUM):
                    small[member.name] = small.get(member.name, b"") + chunk
            if inflate is not None:
                count += inflate.flush().count(b"\n")
            if member.name.endswith(".jsonl.gz"):
                lines[member.name] = count
            found[member.name] = {"bytes": size, "sha256": sha.hexdigest()}
        end = tar.offset
    except (tarfile.TarError, EOFError, OSError, zlib.error) as exc:
        raise ArchiveError(f"{path.name} is damaged or truncated ({exc})") from None
    # Two zero blocks end a tar; an archive cut short of them was not written to the end.
    if path.stat().st_size < end + 2 * tarfile.BLOCKSIZE:
        raise ArchiveError(f"{path.name} is truncated (it ends before the end of the archive)")
    return found, lines, small


def _check_manifest(
    found: dict[str, dict[str, Any]], lines: dict[str, int], small: dict[str, bytes], path: Path
) -> dict[str, Any]:
    name = path.name
    if MANIFEST not in small or MANIFEST_SUM not in small:
        raise ArchiveError(f"{name} has no manifest: it is incomplete or not a backup archive")
    if hashlib.sha256(small[MANIFEST]).hexdigest() != small[MANIFEST_SUM].decode(errors="replace").strip():
        raise ArchiveError(f"{name} is damaged: its manifest does not match the manifest's checksum")
    try:
        manifest = json.loads(small[MANIFEST])
    except ValueError:
        raise ArchiveError(f"{name} is damaged: its manifest is not valid JSON") from None
    if manifest.get("format") != FORMAT:
        raise ArchiveError(f"{name} is not an Accumulator backup")
    if not isinstance(manifest.get("version"), int) or manifest["version"] > VERSION:
        raise ArchiveError(
            f"{name} was written in backup format {manifest.get('version')}, newer than this Accumulator "
            f"reads ({VERSION}): upgrade Accumulator first"
        )
    expected = manifest["members"]
    for member, entry in expected.items():
        if member not in found:
            raise ArchiveError(f"{name} is missing {member}, which its manifest lists")
        if found[member] != entry:
            raise ArchiveError(f"{name} is damaged: {member} does not match its SHA-256 in the manifest")
    extra = set(found) - set(expected) - {MANIFEST, MANIFEST_SUM}
    if extra:
        raise ArchiveError(f"{name} holds {sorted(extra)[0]}, which its manifest does not list")
    for table, entry in manifest["tables"].items():
        if lines.get(entry["member"]) != entry["rows"]:
            raise ArchiveError(
                f"{name} is damaged: table {table} has {lines.get(entry['member'])} rows, not {entry['rows']}"
            )
    return manifest
