"""Spotify's Accounts service and Web API, as far as we use them, over httpx.

Every way a call can go wrong becomes one of a few exceptions, so the caller decides what to do
(refresh, wait, keep the old data) without looking at HTTP details.
"""

from __future__ import annotations

import base64
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlencode

import httpx

IMAGE_MAX = 256 * 1024  # a cover is tens of KB; anything bigger is not a cover


class SpotifyError(Exception):
    """A call did not give us data; the message says why, briefly (shown as the data's staleness)."""


class Unauthorized(SpotifyError):
    """The access token was refused (expired or revoked)."""


class Revoked(SpotifyError):
    """The refresh token was refused: the owner must connect again."""


class RateLimited(SpotifyError):
    def __init__(self, retry_after: float) -> None:
        super().__init__(f"rate limited for {retry_after:.0f} s")
        self.retry_after = retry_after


class Unavailable(SpotifyError):
    """Spotify failed, was too slow, or answered something we cannot read: try again later."""


@dataclass(frozen=True)
class Tokens:
    access_token: str
    expires_in: int
    refresh_token: str | None  # present when Spotify issues a new one (rotation)
    scope: str


def _retry_after(response: httpx.Response) -> float:
    try:
        return max(1.0, float(response.headers.get("retry-after", "5")))
    except ValueError:
        return 5.0


def _json(response: httpx.Response) -> Any:
    try:
        return response.json()
    except ValueError:
        raise Unavailable(f"unreadable answer (HTTP {response.status_code})") from None


class SpotifyClient:
    def __init__(
        self, *, accounts_url: str, api_url: str, client_id: str, client_secret: str, timeout: float = 5.0
    ) -> None:
        self.accounts_url = accounts_url
        self.api_url = api_url
        self.client_id = client_id
        self._basic = base64.b64encode(f"{client_id}:{client_secret}".encode()).decode()
        self._http = httpx.AsyncClient(timeout=httpx.Timeout(timeout, connect=min(timeout, 3.0)))

    async def aclose(self) -> None:
        await self._http.aclose()

    def authorize_url(self, *, redirect_uri: str, state: str, scopes: str) -> str:
        query = urlencode(
            {
                "client_id": self.client_id,
                "response_type": "code",
                "redirect_uri": redirect_uri,
                "scope": scopes,
                "state": state,
            }
        )
        return f"{self.accounts_url}/authorize?{query}"

    async def _send(self, method: str, url: str, **kwargs: Any) -> httpx.Response:
        try:
            response = await self._http.request(method, url, **kwargs)
        except httpx.TimeoutException:
            raise Unavailable("Spotify did not answer in time") from None
        except httpx.HTTPError as exc:
            raise Unavailable(f"could not reach Spotify ({type(exc).__name__})") from None
        if response.status_code == 429:
            raise RateLimited(_retry_after(response))
        if response.status_code >= 500:
            raise Unavailable(f"Spotify failed (HTTP {response.status_code})")
        return response

    async def _token(self, form: dict[str, str]) -> Tokens:
        response = await self._send(
            "POST", f"{self.accounts_url}/api/token", data=form, headers={"Authorization": f"Basic {self._basic}"}
        )
        body = _json(response)
        if response.status_code == 400 and isinstance(body, dict) and body.get("error") == "invalid_grant":
            raise Revoked(str(body.get("error_description") or "the refresh token was refused"))
        if response.status_code != 200 or not isinstance(body, dict) or not isinstance(body.get("access_token"), str):
            raise Unavailable(f"token request refused (HTTP {response.status_code})")
        try:
            expires_in = int(body.get("expires_in", 3600))
        except (TypeError, ValueError):
            expires_in = 3600
        refresh = body.get("refresh_token")
        return Tokens(
            access_token=body["access_token"],
            expires_in=expires_in,
            refresh_token=refresh if isinstance(refresh, str) and refresh else None,
            scope=str(body.get("scope", "")),
        )

    async def exchange_code(self, *, code: str, redirect_uri: str) -> Tokens:
        return await self._token({"grant_type": "authorization_code", "code": code, "redirect_uri": redirect_uri})

    async def refresh(self, refresh_token: str) -> Tokens:
        return await self._token({"grant_type": "refresh_token", "refresh_token": refresh_token})

    async def get(self, path: str, *, token: str, params: dict[str, Any] | None = None) -> Any | None:
        """The JSON of a Web API GET; None for 204 (nothing to report)."""
        response = await self._send(
            "GET", f"{self.api_url}{path}", params=params, headers={"Authorization": f"Bearer {token}"}
        )
        if response.status_code == 401:
            raise Unauthorized("access token refused")
        if response.status_code == 204:
            return None
        if response.status_code != 200:
            raise Unavailable(f"Spotify refused the request (HTTP {response.status_code})")
        return _json(response)

    async def image(self, url: str) -> tuple[str, bytes] | None:
        """A cover image's type and bytes, or None if it cannot be had (the card shows none)."""
        if not url.startswith(("https://", "http://")):
            return None
        try:
            response = await self._send("GET", url)
        except SpotifyError:
            return None
        kind = response.headers.get("content-type", "").split(";")[0].strip()
        if response.status_code != 200 or kind not in ("image/jpeg", "image/png") or len(response.content) > IMAGE_MAX:
            return None
        return kind, response.content
