"""Paste attachments: upload and download throughput of 10 MB and 100 MB files, with the server's
peak memory during each transfer.

    .venv/bin/python bench/paste_transfer.py [--rounds 3] [--gigabyte]

Each file (random bytes) is uploaded with `POST /api/pastes/uploads`, attached to a shared paste
and downloaded through the paste's shared link; the download is hashed and compared with the
original. Both ends stream, in 1 MB pieces, so the client's memory plays no part. While a transfer
runs, the resident memory (VmRSS) of the server's processes is sampled every 20 ms (and their
kernel high-water marks, VmHWM, are reset before and read after it).

Aim: memory does not grow with the file's size (the growth for 100 MB within 2x that for 10 MB).
--gigabyte adds a 1 GB file (about 2 GB of scratch disk, freed as it goes). Traffic stays on
127.0.0.1.
"""

from __future__ import annotations

import argparse
import hashlib
import os
import shutil
import statistics
import sys
import tempfile
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import httpx

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from accumulator.auth import service as auth
from accumulator.db import create_db_engine, session_scope
from bench.common import running_app

MB = 1024 * 1024
CHUNK = MB
SAMPLE_EVERY = 0.02
OWNER_EMAIL = "owner@example.com"
OWNER_PASSWORD = "a long bench owner password"
# Below this much growth, the difference between two sizes is allocator noise, not the file.
NOISE_FLOOR = 4 * MB


# The server's memory, from /proc


def _stat_fields(pid: int) -> list[str]:
    raw = Path(f"/proc/{pid}/stat").read_text()
    return raw[raw.rindex(")") + 2 :].split()  # after "pid (comm) ": state, ppid, pgrp, session, …


def _status(pid: int, key: str) -> int:
    """A `kB` line of /proc/<pid>/status, in bytes (0 once the process is gone)."""
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith(key + ":"):
                return int(line.split()[1]) * 1024
    except (FileNotFoundError, ProcessLookupError):
        pass
    return 0


def _command(pid: int) -> str:
    try:
        return " ".join(Path(f"/proc/{pid}/cmdline").read_bytes().decode(errors="replace").split("\0")).strip()[:70]
    except FileNotFoundError:
        return "?"


def server_processes(data_dir: Path) -> list[int]:
    """Every process of the app: the session `serve_app` started (`reflex run`, granian and its
    worker), found through a process whose environment names our scratch DATA_DIR."""
    marker = f"DATA_DIR={data_dir}".encode()
    sessions = set()
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            if marker in (entry / "environ").read_bytes().split(b"\0"):
                sessions.add(_stat_fields(int(entry.name))[3])
        except (OSError, IndexError):
            continue
    pids = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                if _stat_fields(int(entry.name))[3] in sessions:
                    pids.append(int(entry.name))
            except (OSError, IndexError):
                continue
    return sorted(pids)


def reset_high_water(pid: int) -> bool:
    """Start the kernel's own peak (VmHWM) afresh: it catches spikes between two samples."""
    try:
        Path(f"/proc/{pid}/clear_refs").write_text("5")
    except OSError:
        return False
    return True


class MemorySampler:
    """VmRSS of the server's processes every 20 ms on a thread: the sum over them and the largest
    single process (the granian worker that handles the requests). Where the kernel lets us reset
    VmHWM, the peak also counts each process's own high-water mark, so nothing shorter than a
    sample interval is missed (their sum bounds the true joint peak from above)."""

    def __init__(self, pids: list[int]) -> None:
        self.pids = pids
        self.peak_total = self.peak_single = 0
        self.samples = 0
        self.high_water = False
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def read(self) -> tuple[int, int]:
        sizes = [_status(pid, "VmRSS") for pid in self.pids]
        return sum(sizes), max(sizes)

    def _note(self, total: int, single: int) -> None:
        self.peak_total = max(self.peak_total, total)
        self.peak_single = max(self.peak_single, single)

    def _run(self) -> None:
        while not self._stop.is_set():
            self._note(*self.read())
            self.samples += 1
            self._stop.wait(SAMPLE_EVERY)

    def __enter__(self) -> MemorySampler:
        self.high_water = all([reset_high_water(pid) for pid in self.pids])
        self.baseline_total, self.baseline_single = self.read()
        self._note(self.baseline_total, self.baseline_single)
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join()
        self._note(*self.read())
        if self.high_water:
            peaks = [_status(pid, "VmHWM") for pid in self.pids]
            self._note(sum(peaks), max(peaks))

    @property
    def growth(self) -> int:
        return self.peak_total - self.baseline_total


# The transfers


def make_file(path: Path, size: int) -> str:
    """`size` random bytes written in 1 MB pieces; returns their sha256."""
    digest = hashlib.sha256()
    with path.open("wb") as out:
        left = size
        while left:
            piece = os.urandom(min(CHUNK, left))
            digest.update(piece)
            out.write(piece)
            left -= len(piece)
    return digest.hexdigest()


def read_pieces(path: Path) -> Iterator[bytes]:
    with path.open("rb") as source:
        while piece := source.read(CHUNK):
            yield piece


@dataclass
class Result:
    size: int
    upload_seconds: float
    download_seconds: float
    matches: bool
    upload: MemorySampler
    download: MemorySampler

    @property
    def growth(self) -> int:
        return max(self.upload.growth, self.download.growth)


def transfer(client: httpx.Client, url: str, pids: list[int], path: Path, size: int, digest: str) -> Result:
    # Content-Length given, so httpx streams the generator without chunked encoding.
    with MemorySampler(pids) as upload_memory:
        started = time.perf_counter()
        response = client.post(
            f"{url}/api/pastes/uploads",
            params={"name": path.name},
            content=read_pieces(path),
            headers={"Content-Length": str(size), "Content-Type": "application/octet-stream", "Origin": url},
        )
        upload_seconds = time.perf_counter() - started
    if response.status_code != 201:
        raise RuntimeError(f"upload: {response.status_code} {response.text[:300]}")
    upload = response.json()
    if upload["size"] != size:
        raise RuntimeError(f"upload: the server stored {upload['size']} bytes of {size}")

    response = client.post(
        f"{url}/api/pastes",
        json={
            "title": f"bench {path.name}",
            "content": "",
            "language": "auto",
            "expiry": "1d",
            "burn_after_reading": False,
            "visibility": "shared",
            "files": [upload["id"]],
        },
        headers={"Origin": url},
    )
    if response.status_code != 201:
        raise RuntimeError(f"paste: {response.status_code} {response.text[:300]}")
    paste = response.json()

    # Anyone's download: a fresh client, without the owner's cookie.
    received = hashlib.sha256()
    length = 0
    with httpx.Client(timeout=600) as anyone, MemorySampler(pids) as download_memory:
        started = time.perf_counter()
        with anyone.stream("GET", f"{url}{paste['share_url']}/files/{upload['id']}") as stream:
            if stream.status_code != 200:
                raise RuntimeError(f"download: {stream.status_code} {stream.read()[:300]!r}")
            for piece in stream.iter_bytes(CHUNK):
                received.update(piece)
                length += len(piece)
        download_seconds = time.perf_counter() - started

    # Delete the paste, which deletes its file from the server's disk.
    client.delete(f"{url}/api/pastes/{paste['id']}", headers={"Origin": url}).raise_for_status()
    return Result(
        size=size,
        upload_seconds=upload_seconds,
        download_seconds=download_seconds,
        matches=length == size and received.hexdigest() == digest,
        upload=upload_memory,
        download=download_memory,
    )


def log_in(client: httpx.Client, url: str) -> None:
    response = client.post(
        f"{url}/api/auth/login", json={"email": OWNER_EMAIL, "password": OWNER_PASSWORD}, headers={"Origin": url}
    )
    if response.status_code != 200 or not client.cookies.get(auth.SESSION_COOKIE):
        raise RuntimeError(f"login: {response.status_code} {response.text[:300]}")


def mb(value: float) -> str:
    return f"{value / MB:.1f}"


def report(size: int, rounds: list[Result]) -> int:
    """One line for a size: median rates over the rounds, the largest growth; returns it."""
    up = statistics.median(size / MB / r.upload_seconds for r in rounds)
    down = statistics.median(size / MB / r.download_seconds for r in rounds)
    matches = "OK" if all(r.matches for r in rounds) else "MISMATCH"
    worst = max(rounds, key=lambda r: r.growth)
    print(
        f"{size // MB:6} MB  {up:11.0f}  {down:13.0f}  {matches:8}  {mb(worst.upload.baseline_total):>11}"
        f"  {mb(worst.upload.peak_total):>10}  {mb(worst.download.peak_total):>12}  {mb(worst.growth):>9}"
        f"  {mb(max(r.upload.peak_single - r.upload.baseline_single for r in rounds)):>9}"
        f"  {mb(max(r.download.peak_single - r.download.baseline_single for r in rounds)):>11}"
    )
    return worst.growth


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--gigabyte", action="store_true", help="also transfer a 1 GB file")
    parser.add_argument("--rounds", type=int, default=3, help="transfers of each size (rates: the median)")
    args = parser.parse_args()
    sizes = [10 * MB, 100 * MB] + ([1024 * MB] if args.gigabyte else [])

    data_dir = Path(tempfile.mkdtemp(prefix="acc-bench-"))
    scratch = Path(tempfile.mkdtemp(prefix="acc-bench-files-"))
    results: dict[int, list[Result]] = {}
    try:
        with running_app(data_dir, MAX_UPLOAD_MB=str(max(sizes) // MB + 10)) as (url, _env):
            engine = create_db_engine(f"sqlite:///{data_dir / 'accumulator.db'}")
            with session_scope(engine) as session:
                auth.set_owner(session=session, email=OWNER_EMAIL, password=OWNER_PASSWORD)
            engine.dispose()
            pids = server_processes(data_dir)
            print("server processes:")
            for pid in pids:
                rss = mb(_status(pid, "VmRSS"))
                print(f"  pid {pid:>7}  parent {_stat_fields(pid)[1]:>7}  {rss:>6} MB now  {_command(pid)}")

            with httpx.Client(timeout=600) as client:
                log_in(client, url)
                # Warm up: the first upload and download (imports, thread pool, first queries)
                # would otherwise count as growth of the smallest size.
                warm = scratch / "warm-up.bin"
                for _ in range(3):
                    transfer(client, url, pids, warm, MB, make_file(warm, MB))
                warm.unlink()
                for size in sizes:
                    path = scratch / f"random-{size // MB}MB.bin"
                    digest = make_file(path, size)
                    results[size] = [transfer(client, url, pids, path, size, digest) for _ in range(args.rounds)]
                    path.unlink()
            high_water = all(r.upload.high_water and r.download.high_water for rs in results.values() for r in rs)
    finally:
        # The big files: ours, and any the server kept (each paste is deleted after its round).
        shutil.rmtree(scratch, ignore_errors=True)
        shutil.rmtree(data_dir / "uploads", ignore_errors=True)

    print()
    print(f"rounds per size: {args.rounds}; memory in MB, resident, summed over the server's processes:")
    print("     file  upload MB/s  download MB/s  sha256    baseline MB  peak up MB  peak down MB  growth MB"
          "  worker+up  worker+down")  # fmt: skip
    growth = {size: report(size, rounds) for size, rounds in results.items()}
    how = "sampled every 20 ms and the kernel's VmHWM" if high_water else "sampled every 20 ms (VmHWM not resettable)"
    print(f"(peaks: {how}; growth = peak minus the baseline just before the upload or download, the worst round;")
    print(" worker+: the same growth for the largest single process)")

    small, big = growth[sizes[0]], growth[sizes[1]]
    flat = big <= 2 * max(small, NOISE_FLOOR)
    all_match = all(r.matches for rounds in results.values() for r in rounds)
    print(
        f"memory growth: {mb(big)} MB for {sizes[1] // MB} MB vs {mb(small)} MB for {sizes[0] // MB} MB"
        f" → {'flat' if flat else 'GROWS WITH SIZE'} (aim: within 2x; growth under {NOISE_FLOOR // MB} MB counts"
        f" as {NOISE_FLOOR // MB} MB)"
    )
    if not all_match:
        print("a download did not match its upload: MISMATCH")
    return 0 if flat and all_match else 1


if __name__ == "__main__":
    sys.exit(main())
