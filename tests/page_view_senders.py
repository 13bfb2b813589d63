"""Readers sending page views to a live instance until stopped, each counting what it sent and
what was answered 202: what the SIGKILL tests compare the database with."""

from __future__ import annotations

import threading
from collections.abc import Callable

import httpx

READER = {
    "User-Agent": "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/130.0 Safari/537.36"
}


class PageViewSenders:
    """`count` readers, reader i sending page views of `/p{i}` to `url` one after the other from
    the addresses `address(i, n)` gives for its n-th (through a trusted proxy), until `stop()` or
    until the server is gone."""

    def __init__(self, url: str, count: int, address: Callable[[int, int], str]) -> None:
        self.url = url
        self.address = address
        self.sent = [0] * count
        self.accepted = [0] * count
        self._stop = threading.Event()
        self._threads = [threading.Thread(target=self._send, args=(index,)) for index in range(count)]

    def _send(self, index: int) -> None:
        with httpx.Client(timeout=5) as client:
            while not self._stop.is_set():
                event = {"type": "pageview", "site": "blog", "path": f"/p{index}", "visitor": f"visitor-{index:04d}-x"}
                self.sent[index] += 1
                reader = {**READER, "X-Forwarded-For": self.address(index, self.sent[index])}
                try:
                    answer = client.post(f"{self.url}/api/event", json=event, headers=reader)
                except httpx.HTTPError:
                    return  # the server is gone
                if answer.status_code == 202:
                    self.accepted[index] += 1

    def start(self) -> None:
        for thread in self._threads:
            thread.start()

    def stop(self) -> None:
        self._stop.set()
        for thread in self._threads:
            thread.join()
