"""Turns a User-Agent header into the browser, system and device kind that analytics counts.

Only the standard library and `user_agents` (on `ua-parser`) here, so ingestion, jobs and tests can call it
without Reflex. Families are ua-parser's names (no versions: they split the counts for no gain), with its
"Other" written "Unknown" as the original Phoenix app stored it.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

from user_agents import parse as parse_user_agent
from user_agents.parsers import UserAgent

UNKNOWN = "Unknown"
# A real browser sends well under 300 characters; the cap bounds parse time and the cache's memory
# against junk headers.
MAX_USER_AGENT_LENGTH = 512
CACHE_SIZE = 4096

# Things that are not people, beyond what ua-parser already calls a "Spider". Case-insensitive substrings,
# except where a lookaround keeps a real browser out (noted on the line).
_NOT_PEOPLE_PATTERNS = (
    # Search engines, AI crawlers, SEO tools, uptime monitors.
    "googlebot",
    "bingbot",
    "duckduckbot",
    "baiduspider",
    "yandex(?!search)",  # the Yandex search app (YandexSearch/…) is a person; its crawlers are not
    "applebot",
    "gptbot",
    "claudebot",
    "ccbot",
    "perplexity",
    "bytespider",
    "petalbot",
    "semrush",
    "ahrefs",
    "mj12bot",
    "dotbot",
    "uptimerobot",
    "pingdom",
    "lighthouse",  # PageSpeed Insights and friends run Lighthouse, not a reader
    # Link previews in chat and social apps.
    "facebookexternalhit",
    "twitterbot",
    "slackbot",
    "discordbot",
    "telegrambot",
    "whatsapp",
    "linkedinbot",
    "embedly",
    "pinterest(?:bot|/0\\.)",  # the crawler; the in-app browser says "[Pinterest/Android]" and is a person
    # HTTP libraries and command-line tools.
    "curl/",
    "wget/",
    "python-requests",
    "python-urllib",
    "httpx",
    "go-http-client",
    "java/",
    "okhttp",
    "axios",
    "node-fetch",
    "libwww-perl",
    "scrapy",
    # Generic words. "bot" must end a word-ish token (Googlebot-Image, AdsBot/1.0, bot.html) and not be
    # the CUBOT phone brand ("CUBOT X30", "CUBOT_NOTE"), which would otherwise hide real Android visitors.
    "(?<!cu)bot(?![a-z])",
    "crawler",
    "spider",
)
_NOT_PEOPLE = re.compile("|".join(_NOT_PEOPLE_PATTERNS), re.IGNORECASE)


@dataclass(frozen=True)
class Agent:
    browser: str  # family only: "Chrome", "Mobile Safari", "Edge"…; "Unknown" if not recognised
    os: str  # family only: "Windows", "Mac OS X", "iOS", "Android"…; "Unknown" if not recognised
    device: str  # "Desktop", "Mobile", "Tablet", "Bot" or "Unknown"
    is_bot: bool


_EMPTY = Agent(browser=UNKNOWN, os=UNKNOWN, device="Bot", is_bot=True)


def classify(user_agent: str) -> Agent:
    """The Agent for a User-Agent header. Cheap when the same string was seen lately (most visits are)."""
    return _classify(user_agent[:MAX_USER_AGENT_LENGTH])


@lru_cache(maxsize=CACHE_SIZE)
def _classify(user_agent: str) -> Agent:
    # ua-parser runs its regex list in pure Python: 1-2 ms for a browser, ~9 ms for 512 characters of junk.
    if not user_agent.strip():
        return _EMPTY  # every real browser sends one
    parsed = parse_user_agent(user_agent)
    bot = parsed.is_bot or _NOT_PEOPLE.search(user_agent) is not None
    return Agent(
        browser=_family(parsed.browser.family),
        os=_family(parsed.os.family),
        device=_device(parsed, bot=bot),
        is_bot=bot,
    )


def _family(name: str | None) -> str:
    name = (name or "").strip()
    return UNKNOWN if not name or name == "Other" else name


def _device(parsed: UserAgent, *, bot: bool) -> str:
    if bot:
        return "Bot"
    if parsed.is_tablet:
        return "Tablet"
    if parsed.is_mobile:
        return "Mobile"
    if parsed.is_pc:
        return "Desktop"
    return UNKNOWN
