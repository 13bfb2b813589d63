"""Apprise channels: any URL the Apprise library understands (ntfy://, gotify://, discord://,
slack://, json://…). Apprise blocks (it uses requests), so a send runs on a worker thread and is
waited for at most TIMEOUT seconds. The URL carries the channel's secrets: it is never shown whole
(`mask`) and kept out of error texts (`_scrub`)."""

from __future__ import annotations

import asyncio
import re
from urllib.parse import urlsplit

from starlette.concurrency import run_in_threadpool

from accumulator.notify.channels.base import Outgoing, Permanent, Transient

URL_MAX = 2000
TIMEOUT = 20.0  # seconds for one send, whatever the service (Apprise's own timeouts are per request)
_STATUS = re.compile(r"error=(\d{3})")
_STAMP = re.compile(r"^\d{4}-\d\d-\d\d [\d:,.]+ - \w+ - ")


def understood(url: str) -> bool:
    """Whether Apprise knows this kind of URL (blocking: the first call loads its plugins)."""
    import apprise

    return bool(apprise.Apprise().add(url))


def mask(url: str) -> str:
    """The scheme, and the host when it looks like one (has a dot): 'ntfy://ntfy.sh/…', 'tgram://…'.
    A Telegram or Discord URL's "host" is a token, so only names with a dot are shown."""
    scheme, _, rest = url.partition("://")
    host = urlsplit(url).hostname or ""
    shown = host if "." in host and "@" not in rest.split("/")[0] else ""
    port = ""
    try:
        port = f":{urlsplit(url).port}" if shown and urlsplit(url).port else ""
    except ValueError:
        port = ""
    return f"{scheme[:20]}://{shown}{port}/…" if shown else f"{scheme[:20]}://…"


def _scrub(text: str, url: str) -> str:
    """`text` without any part of `url` long enough to be a secret (tokens, passwords, paths)."""
    for part in sorted(set(re.split(r"[/:@?&=#]+", url.partition("://")[2])), key=len, reverse=True):
        if len(part) >= 4 and "." not in part:
            text = text.replace(part, "***")
    return text.replace(url, mask(url))


def _send(url: str, message: Outgoing) -> tuple[str, str]:
    """('ok', '') or (outcome, why) after one Apprise notify; blocking."""
    import apprise
    from apprise import AppriseResultStatus

    client = apprise.Apprise()
    if not client.add(url):
        return "permanent", "Apprise does not understand this URL"
    body = message.body or message.title
    if message.link and message.link not in body:
        body += f"\n\n{message.link}"
    result = client.notify(title=message.title, body=body)
    if result.status == AppriseResultStatus.SUCCESS:
        return "ok", ""
    logs = " ".join(_STAMP.sub("", entry.message) for entry in result.logs() if entry.level in ("WARNING", "ERROR"))
    status = _STATUS.search(logs)
    code = int(status.group(1)) if status else 0
    why = logs or f"Apprise reported {result.status.name.lower()}"
    # A 4xx answer (wrong token, unknown topic) repeats until the owner changes something; 408 and
    # 429 say "later". Network errors and 5xx are worth another try.
    permanent = (400 <= code < 500 and code not in (408, 429)) or result.status == AppriseResultStatus.NOMATCH
    return ("permanent" if permanent else "transient"), why


class AppriseTransport:
    def __init__(self, url: str, timeout: float = TIMEOUT) -> None:
        self.url, self.timeout = url, timeout

    async def send(self, message: Outgoing) -> None:
        try:
            outcome, why = await asyncio.wait_for(run_in_threadpool(_send, self.url, message), self.timeout)
        except TimeoutError:
            raise Transient(f"no answer within {self.timeout:g} s") from None
        except Exception as exc:  # a plugin failing in its own way: one line, without the URL
            raise Transient(_scrub(f"{type(exc).__name__}: {exc}", self.url)) from None
        if outcome == "ok":
            return
        why = _scrub(why, self.url)
        raise (Permanent if outcome == "permanent" else Transient)(why)
