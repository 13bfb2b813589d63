"""Local HTTP servers that speak what Apprise sends: an ntfy-style publish endpoint (JSON to "/",
the topic in the body, as ntfy's JSON publishing does) and a JSON webhook (json://). Each keeps what
it received and answers with the status it is told to, per topic or path."""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


@dataclass
class Received:
    path: str
    headers: dict[str, str]
    body: dict


@dataclass
class Receiver:
    port: int = 0
    received: list[Received] = field(default_factory=list)
    answers: dict[str, int] = field(default_factory=dict)  # topic or path → status (default 200)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def to(self, where: str) -> list[dict]:
        with self.lock:
            return [item.body for item in self.received if item.path == where or item.body.get("topic") == where]

    def answer(self, where: str, status: int) -> None:
        self.answers[where] = status


def _handler(receiver: Receiver) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            length = int(self.headers.get("content-length") or 0)
            raw = self.rfile.read(length)
            try:
                body = json.loads(raw or b"{}")
            except ValueError:
                body = {"raw": raw.decode("utf-8", "replace")}
            where = body.get("topic") if isinstance(body, dict) and body.get("topic") else self.path
            status = receiver.answers.get(where, 200)
            if status == 200:
                with receiver.lock:
                    receiver.received.append(Received(self.path, dict(self.headers), body))
            answer = b'{"id":"x1"}' if status == 200 else b'{"error":"refused"}'
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(answer)))
            self.end_headers()
            self.wfile.write(answer)

        def log_message(self, *_args: object) -> None:
            return None

    return Handler


@contextmanager
def running_receiver() -> Iterator[Receiver]:
    receiver = Receiver()
    server = ThreadingHTTPServer(("127.0.0.1", 0), _handler(receiver))
    receiver.port = server.server_address[1]
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield receiver
    finally:
        server.shutdown()
        server.server_close()
