"""A damaged archive is refused with one line saying why, and nothing is written: not a row, not a file."""

from __future__ import annotations

import hashlib
import io
import json
import shutil
import tarfile
from collections.abc import Callable
from pathlib import Path

import pytest

from accumulator.backup.archive import MANIFEST, MANIFEST_SUM
from tests.backup.conftest import cli, files_by_name, fill, installation, only_archive, rows_by_table


@pytest.fixture(scope="module")
def good_archive(tmp_path_factory: pytest.TempPathFactory) -> Path:
    with installation("sqlite", tmp_path_factory) as source:
        fill(source)
        folder = tmp_path_factory.mktemp("archives")
        assert cli(source, "backup", "--to", str(folder)).returncode == 0
        return only_archive(folder)


def members(path: Path) -> list[tarfile.TarInfo]:
    with tarfile.open(path) as tar:
        return tar.getmembers()


def flip_byte(path: Path, offset: int) -> None:
    data = bytearray(path.read_bytes())
    data[offset] ^= 0x01
    path.write_bytes(bytes(data))


def rewrite(path: Path, change: Callable[[str, bytes], bytes | None]) -> None:
    """Write the archive again, each member's bytes passed through `change` (None leaves it out)."""
    copy = path.with_suffix(".new")
    with tarfile.open(path) as old, tarfile.open(copy, "w", format=tarfile.PAX_FORMAT) as new:
        for member in old.getmembers():
            data = change(member.name, old.extractfile(member).read())
            if data is not None:
                member.size = len(data)
                new.addfile(member, io.BytesIO(data))
    copy.replace(path)


def truncate_half(path: Path) -> None:
    path.write_bytes(path.read_bytes()[: path.stat().st_size // 2])


def truncate_after_last_member(path: Path) -> None:
    last = members(path)[-1]
    end = last.offset_data + ((last.size + 511) // 512) * 512
    path.write_bytes(path.read_bytes()[:end])


def flip_in_a_file(path: Path) -> None:
    member = next(m for m in members(path) if m.name.startswith("files/pastes/"))
    flip_byte(path, member.offset_data + member.size // 2)


def flip_in_a_table(path: Path) -> None:
    member = next(m for m in members(path) if m.name == "tables/note.jsonl.gz")
    flip_byte(path, member.offset_data + member.size // 2)


def flip_in_the_manifest(path: Path) -> None:
    member = next(m for m in members(path) if m.name == MANIFEST)
    flip_byte(path, member.offset_data + 40)


def drop_a_file(path: Path) -> None:
    doomed = next(m.name for m in members(path) if m.name.startswith("files/photos/"))
    rewrite(path, lambda name, data: None if name == doomed else data)


def newer_revision(path: Path) -> None:
    """As a newer Accumulator would write it: consistent, at a revision this code does not have."""
    manifest = {}

    def change(name: str, data: bytes) -> bytes:
        if name == MANIFEST:
            manifest["body"] = json.dumps({**json.loads(data), "revision": "0999"}).encode()
            return manifest["body"]
        if name == MANIFEST_SUM:
            return hashlib.sha256(manifest["body"]).hexdigest().encode()
        return data

    rewrite(path, change)


CASES = {
    "cut in half": (truncate_half, "damaged or truncated"),
    "cut after the last member": (truncate_after_last_member, "truncated"),
    "a flipped byte in a file": (flip_in_a_file, "does not match its SHA-256"),
    "a flipped byte in a table": (flip_in_a_table, "does not match its SHA-256"),
    "a flipped byte in the manifest": (flip_in_the_manifest, "manifest does not match"),
    "a missing file": (drop_a_file, "is missing files/photos/"),
    "a newer revision": (newer_revision, "revision 0999, which this Accumulator does not know"),
}


@pytest.mark.parametrize("case", list(CASES))
def test_a_damaged_archive_is_refused_and_nothing_is_written(
    case: str, good_archive: Path, tmp_path: Path, tmp_path_factory: pytest.TempPathFactory
) -> None:
    damage, reason = CASES[case]
    archive = tmp_path / good_archive.name
    shutil.copy(good_archive, archive)
    damage(archive)
    with installation("sqlite", tmp_path_factory) as target:
        before = rows_by_table(target)
        result = cli(target, "restore", str(archive))
        assert result.returncode == 1
        lines = result.stderr.strip().splitlines()
        assert len(lines) == 1 and lines[0].startswith("Not restored: "), result.stderr
        assert reason in lines[0]
        assert rows_by_table(target) == before
        assert files_by_name(target) == {}


def test_the_undamaged_archive_restores(good_archive: Path, tmp_path_factory: pytest.TempPathFactory) -> None:
    with installation("sqlite", tmp_path_factory) as target:
        result = cli(target, "restore", str(good_archive))
        assert result.returncode == 0, result.stderr
        assert len(files_by_name(target)) == 6
