"""A push service of our own for tests, standing in for Mozilla's autopush or Google's FCM: it takes
Web Push POSTs on http://127.0.0.1:<port>/push/<name>, keeps what it received, and answers 201
Created unless told to answer something else for a name (410 Gone when the browser unsubscribed…).

Like the real ones it insists on a TTL header, on aes128gcm bodies, and on a VAPID Authorization
header (RFC 8292) whose JWT is signed by the key it carries and addressed to this service's origin;
a request that fails those checks is still recorded, and answered 400 or 401 with the reason.
"""

from __future__ import annotations

import base64
import json
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.asymmetric.utils import encode_dss_signature

PREFIX = "/push/"


@dataclass(frozen=True)
class ReceivedPush:
    name: str
    headers: dict[str, str]  # names in lower case
    body: bytes


@dataclass(frozen=True)
class Vapid:
    """A checked VAPID Authorization header: the claims of its JWT and the key that signed it."""

    claims: dict
    key: str  # the `k=` parameter: the sender's public key, base64url


def b64url_decode(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def check_vapid(authorization: str, audience: str) -> Vapid:
    """Parse `vapid t=<jwt>, k=<key>`, verify the JWT's ES256 signature with k, and check its `aud`
    is `audience` and its `exp` is in the next 24 hours. Raises ValueError saying what is wrong."""
    scheme, _, rest = authorization.partition(" ")
    if scheme.lower() != "vapid":
        raise ValueError(f"expected the vapid scheme, got {scheme!r}")
    params = {}
    for part in rest.split(","):
        name, _, value = part.strip().partition("=")
        params[name.strip()] = value.strip()
    if not params.get("t") or not params.get("k"):
        raise ValueError("the vapid header needs t= and k=")
    try:
        public_key = ec.EllipticCurvePublicKey.from_encoded_point(ec.SECP256R1(), b64url_decode(params["k"]))
        header_b64, claims_b64, signature_b64 = params["t"].split(".")
        header = json.loads(b64url_decode(header_b64))
        claims = json.loads(b64url_decode(claims_b64))
        signature = b64url_decode(signature_b64)
    except ValueError as exc:  # bad base64, JSON, point or token shape
        raise ValueError(f"malformed vapid header: {exc}") from None
    if header.get("alg") != "ES256" or len(signature) != 64:
        raise ValueError("the JWT must be signed with ES256")
    der = encode_dss_signature(int.from_bytes(signature[:32], "big"), int.from_bytes(signature[32:], "big"))
    try:
        public_key.verify(der, f"{header_b64}.{claims_b64}".encode("ascii"), ec.ECDSA(hashes.SHA256()))
    except InvalidSignature:
        raise ValueError("the JWT signature does not match k") from None
    if claims.get("aud") != audience:
        raise ValueError(f"aud is {claims.get('aud')!r}, expected {audience!r}")
    if not isinstance(claims.get("exp"), int) or not time.time() < claims["exp"] <= time.time() + 86400:
        raise ValueError("exp must be within the next 24 hours")
    return Vapid(claims=claims, key=params["k"])


class FakePushService:
    def __init__(self) -> None:
        self.received: list[ReceivedPush] = []
        self._answers: dict[str, int] = {}
        self._lock = threading.Lock()
        self._server = ThreadingHTTPServer(("127.0.0.1", 0), self._handler())
        self._server.daemon_threads = True
        self.origin = f"http://127.0.0.1:{self._server.server_address[1]}"
        self._thread = threading.Thread(
            target=self._server.serve_forever, args=(0.05,), name="fake-push-service", daemon=True
        )

    def endpoint(self, name: str) -> str:
        return f"{self.origin}{PREFIX}{name}"

    def answer(self, name: str, status: int) -> None:
        """From now on, answer pushes to `name` with `status`."""
        with self._lock:
            self._answers[name] = status

    def pushes_to(self, name: str) -> list[ReceivedPush]:
        with self._lock:
            return [push for push in self.received if push.name == name]

    def _respond(self, name: str, headers: dict[str, str], body: bytes) -> tuple[int, str]:
        with self._lock:
            self.received.append(ReceivedPush(name=name, headers=headers, body=body))
            status = self._answers.get(name, 201)
        if "ttl" not in headers:
            return 400, "missing TTL header"
        if body and headers.get("content-encoding") != "aes128gcm":
            return 400, "expected Content-Encoding: aes128gcm"
        try:
            check_vapid(headers.get("authorization", ""), self.origin)
        except ValueError as exc:
            return 401, str(exc)
        return status, ""

    def _handler(self) -> type[BaseHTTPRequestHandler]:
        service = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def do_POST(self) -> None:
                body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
                if not self.path.startswith(PREFIX) or len(self.path) == len(PREFIX):
                    self._reply(404, "no such subscription")
                    return
                headers = {name.lower(): value for name, value in self.headers.items()}
                status, reason = service._respond(self.path[len(PREFIX) :], headers, body)
                self._reply(status, reason)

            def _reply(self, status: int, reason: str) -> None:
                payload = json.dumps({"code": status, "message": reason}).encode() if reason else b""
                self.send_response(status)
                if status == 201:
                    self.send_header("Location", f"{service.origin}/m/{len(service.received)}")
                if payload:
                    self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(payload)))
                self.end_headers()
                self.wfile.write(payload)

            def log_message(self, format: str, *args: object) -> None:  # quiet test output
                pass

        return Handler

    def start(self) -> None:
        self._thread.start()

    def stop(self) -> None:
        self._server.shutdown()
        self._server.server_close()
        self._thread.join(timeout=5)


@contextmanager
def running_push_service() -> Iterator[FakePushService]:
    service = FakePushService()
    service.start()
    try:
        yield service
    finally:
        service.stop()
