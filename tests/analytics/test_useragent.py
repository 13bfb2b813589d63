"""The user-agent classifier on real-world headers: who is a person, and on what."""

from __future__ import annotations

import pytest

from accumulator.analytics import useragent
from accumulator.analytics.useragent import Agent, classify

CHROME_WINDOWS = (
    "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/124.0.0.0 Safari/537.36"
)
HEADLESS_CHROME = (
    "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) HeadlessChrome/124.0.6367.60 Safari/537.36"
)

# (user agent, browser, os, device, is_bot)
CASES = {
    "desktop Chrome on Windows": (CHROME_WINDOWS, "Chrome", "Windows", "Desktop", False),
    "Firefox on Linux": (
        "Mozilla/5.0 (X11; Linux x86_64; rv:125.0) Gecko/20100101 Firefox/125.0",
        "Firefox",
        "Linux",
        "Desktop",
        False,
    ),
    "Safari on macOS": (
        "Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/605.1.15 (KHTML, like Gecko) "
        "Version/17.4.1 Safari/605.1.15",
        "Safari",
        "Mac OS X",
        "Desktop",
        False,
    ),
    "Edge on Windows": (
        "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) "
        "Chrome/124.0.0.0 Safari/537.36 Edg/124.0.2478.80",
        "Edge",
        "Windows",
        "Desktop",
        False,
    ),
    "iPhone Safari": (
        "Mozilla/5.0 (iPhone; CPU iPhone OS 17_4_1 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) "
        "Version/17.4.1 Mobile/15E148 Safari/604.1",
        "Mobile Safari",
        "iOS",
        "Mobile",
        False,
    ),
    "Android Chrome phone": (
        "Mozilla/5.0 (Linux; Android 14; Pixel 8) AppleWebKit/537.36 (KHTML, like Gecko) "
        "Chrome/124.0.6367.82 Mobile Safari/537.36",
        "Chrome Mobile",
        "Android",
        "Mobile",
        False,
    ),
    "Android Chrome phone, reduced UA": (
        "Mozilla/5.0 (Linux; Android 10; K) AppleWebKit/537.36 (KHTML, like Gecko) "
        "Chrome/124.0.0.0 Mobile Safari/537.36",
        "Chrome Mobile",
        "Android",
        "Mobile",
        False,
    ),
    "iPad Safari": (
        "Mozilla/5.0 (iPad; CPU OS 17_4_1 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) "
        "Version/17.4.1 Mobile/15E148 Safari/604.1",
        "Mobile Safari",
        "iOS",
        "Tablet",
        False,
    ),
    "Android tablet (Galaxy Tab S9)": (
        "Mozilla/5.0 (Linux; Android 13; SM-X710) AppleWebKit/537.36 (KHTML, like Gecko) "
        "Chrome/124.0.0.0 Safari/537.36",
        "Chrome",
        "Android",
        "Tablet",
        False,
    ),
    "CUBOT phone": (
        "Mozilla/5.0 (Linux; Android 10; CUBOT X30) AppleWebKit/537.36 (KHTML, like Gecko) "
        "Chrome/124.0.0.0 Mobile Safari/537.36",
        "Chrome Mobile",
        "Android",
        "Mobile",
        False,
    ),
    "CUBOT phone, underscore model": (
        "Mozilla/5.0 (Linux; Android 11; CUBOT_NOTE_20_PRO Build/RP1A.200720.011) AppleWebKit/537.36 "
        "(KHTML, like Gecko) Chrome/124.0.0.0 Mobile Safari/537.36",
        "Chrome Mobile",
        "Android",
        "Mobile",
        False,
    ),
    "HeadlessChrome (our browser tests)": (HEADLESS_CHROME, "HeadlessChrome", "Linux", "Desktop", False),
    "Googlebot": (
        "Mozilla/5.0 (compatible; Googlebot/2.1; +http://www.google.com/bot.html)",
        "Googlebot",
        "Unknown",
        "Bot",
        True,
    ),
    "Googlebot smartphone": (
        "Mozilla/5.0 (Linux; Android 6.0.1; Nexus 5X Build/MMB29P) AppleWebKit/537.36 (KHTML, like Gecko) "
        "Chrome/124.0.6367.201 Mobile Safari/537.36 (compatible; Googlebot/2.1; +http://www.google.com/bot.html)",
        "Googlebot",
        "Android",
        "Bot",
        True,
    ),
    "Bingbot": (
        "Mozilla/5.0 (compatible; bingbot/2.0; +http://www.bing.com/bingbot.htm)",
        "bingbot",
        "Unknown",
        "Bot",
        True,
    ),
    "curl": ("curl/8.5.0", "curl", "Unknown", "Bot", True),
    "python-requests": ("python-requests/2.31.0", "Python Requests", "Unknown", "Bot", True),
    "facebookexternalhit": (
        "facebookexternalhit/1.1 (+http://www.facebook.com/externalhit_uatext.php)",
        "FacebookBot",
        "Unknown",
        "Bot",
        True,
    ),
    "Slackbot link expander": (
        "Slackbot-LinkExpanding 1.0 (+https://api.slack.com/robots)",
        "Slackbot-LinkExpanding",
        "Unknown",
        "Bot",
        True,
    ),
    "empty": ("", "Unknown", "Unknown", "Bot", True),
    "garbage": ("hello", "Unknown", "Unknown", "Unknown", False),
}


@pytest.mark.parametrize(("user_agent", "browser", "os", "device", "is_bot"), CASES.values(), ids=CASES.keys())
def test_it_classifies_real_world_user_agents(
    user_agent: str, browser: str, os: str, device: str, is_bot: bool
) -> None:
    assert classify(user_agent) == Agent(browser=browser, os=os, device=device, is_bot=is_bot)


@pytest.mark.parametrize(
    "user_agent",
    [
        "Mozilla/5.0 AppleWebKit/537.36 (KHTML, like Gecko; compatible; GPTBot/1.2; +https://openai.com/gptbot)",
        "Mozilla/5.0 AppleWebKit/537.36 (KHTML, like Gecko; compatible; ClaudeBot/1.0; +claudebot@anthropic.com)",
        "Mozilla/5.0 (compatible; YandexBot/3.0; +http://yandex.com/bots)",
        "Mozilla/5.0 (compatible; AhrefsBot/7.0; +http://ahrefs.com/robot/)",
        "Mozilla/5.0 (compatible; SemrushBot/7~bl; +http://www.semrush.com/bot.html)",
        "Mozilla/5.0 (compatible; Discordbot/2.0; +https://discordapp.com)",
        "TelegramBot (like TwitterBot)",
        "WhatsApp/2.23.20.0",
        "Mozilla/5.0 (compatible; UptimeRobot/2.0; http://www.uptimerobot.com/)",
        "Pingdom.com_bot_version_1.4_(http://www.pingdom.com/)",
        "Mozilla/5.0 (Linux; Android 11; moto g power (2022)) AppleWebKit/537.36 (KHTML, like Gecko) "
        "Chrome/124.0.0.0 Mobile Safari/537.36 Chrome-Lighthouse",
        "Wget/1.21.4",
        "python-httpx/0.27.0",
        "Python-urllib/3.11",
        "Go-http-client/2.0",
        "Java/17.0.2",
        "okhttp/4.12.0",
        "axios/1.6.8",
        "node-fetch/1.0 (+https://github.com/bitinn/node-fetch)",
        "libwww-perl/6.72",
        "Scrapy/2.11.1 (+https://scrapy.org)",
        "Mozilla/5.0 (compatible; SomeNewCrawler/1.0)",
        "my-little-spider",
        "   ",
    ],
)
def test_it_counts_crawlers_previewers_monitors_and_http_libraries_as_bots(user_agent: str) -> None:
    agent = classify(user_agent)
    assert agent.is_bot
    assert agent.device == "Bot"


@pytest.mark.parametrize(
    "user_agent",
    [
        # In-app browsers of the apps whose crawlers are bots: the people reading in them are not.
        "Mozilla/5.0 (Linux; Android 13; SM-G991B Build/TP1A.220624.014; wv) AppleWebKit/537.36 (KHTML, like Gecko) "
        "Version/4.0 Chrome/124.0.6367.82 Mobile Safari/537.36 [Pinterest/Android]",
        "Mozilla/5.0 (iPhone; CPU iPhone OS 17_4 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) "
        "Mobile/15E148 [LinkedInApp]/9.29.8",
        "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) "
        "Chrome/122.0.0.0 YaBrowser/24.4.0.0 Safari/537.36",
        "Mozilla/5.0 (Linux; Android 12; SM-A525F) AppleWebKit/537.36 (KHTML, like Gecko) "
        "Chrome/124.0.0.0 Mobile Safari/537.36 YandexSearch/24.40.1",
        HEADLESS_CHROME,
    ],
)
def test_it_counts_people_in_in_app_and_headless_browsers_as_people(user_agent: str) -> None:
    assert not classify(user_agent).is_bot


def test_it_only_parses_the_first_512_characters() -> None:
    padded = CHROME_WINDOWS + " " * (useragent.MAX_USER_AGENT_LENGTH - len(CHROME_WINDOWS))
    # Past the cap a bot marker is not even read: the header is cut before it is parsed or cached.
    assert classify(padded + "Googlebot/2.1") == classify(padded + "something else") == classify(CHROME_WINDOWS)
    assert classify(padded + "x" * 100_000).browser == "Chrome"


def test_it_parses_each_string_once_and_then_answers_from_the_cache() -> None:
    user_agent = CHROME_WINDOWS + " CacheProbe/1"
    useragent._classify.cache_clear()
    first = classify(user_agent)
    assert classify(user_agent) is first
    info = useragent._classify.cache_info()
    assert (info.hits, info.misses, info.maxsize) == (1, 1, 4096)
