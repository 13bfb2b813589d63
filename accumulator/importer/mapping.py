"""How one value of the original app becomes one of ours: pure functions, no database.

Each refuses what it cannot map with `Unmappable`, whose message is the reason shown in the report.
"""

from __future__ import annotations

import math
import mimetypes
import re
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from accumulator.analytics.models import PATH_MAX, SITE_MAX, VALUE_MAX
from accumulator.pastes.service import EXPIRY
from accumulator.plants.models import INTERVAL_MAX

DEFAULT_SITE = "blog"
DEFAULT_BLOG_PATH = "/blog/{slug}"
BATTLESHIP_SITE = "battleship"
# "upper soil dry" has no interval in the original; a check-the-soil plant here is checked this often.
SOIL_CHECK_DAYS = 3
UNKNOWN = "Unknown"
UPLOADS_PREFIX = "/uploads/"
PLANT_IMAGES_PREFIX = "/uploads/plants/"


class Unmappable(ValueError):
    """The value has no counterpart here; the message says why."""


def utc(moment: datetime | None) -> datetime | None:
    """The original stores UTC in `timestamp without time zone`: make it aware."""
    if moment is None:
        return None
    return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment.astimezone(UTC)


# Page counters


@dataclass(frozen=True)
class PageMapping:
    site: str = DEFAULT_SITE
    blog_path: str = DEFAULT_BLOG_PATH  # "{slug}" is replaced by the post's slug

    def __post_init__(self) -> None:
        if not self.site or len(self.site) > SITE_MAX:
            raise ValueError(f"the site name must be 1 to {SITE_MAX} characters")
        if not self.blog_path.startswith("/") or "{slug}" not in self.blog_path:
            raise ValueError("the blog path must start with / and contain {slug}")

    def page(self, slug: str) -> tuple[str, str]:
        """`main` → the site's "/", `blog:<slug>` → the post's path, `battleship` → its own site."""
        if slug == "main":
            return self.site, "/"
        if slug == "battleship":
            return BATTLESHIP_SITE, "/"
        if slug.startswith("blog:"):
            post = slug.removeprefix("blog:").strip("/")
            if not post:
                raise Unmappable(f"stats slug {slug!r} names no post")
            path = self.blog_path.replace("{slug}", post)
            if len(path) > PATH_MAX:
                raise Unmappable(f"the path of {slug!r} is longer than {PATH_MAX} characters")
            return self.site, path
        raise Unmappable(f"unknown stats slug {slug!r} (expected main, battleship or blog:<slug>)")


_MOBILE_SYSTEMS = {"ios", "android", "windows phone", "blackberry os", "kaios", "firefox os", "symbian os", "tizen"}
_DESKTOP_SYSTEMS = {
    "windows", "mac os x", "macos", "linux", "ubuntu", "chrome os", "chromeos", "fedora", "debian",
    "freebsd", "openbsd", "netbsd", "arch linux", "linux mint",
}  # fmt: skip


def dimension_value(value: str | None) -> str:
    value = (value or "").strip()
    return value[:VALUE_MAX] if value and value != "Other" else UNKNOWN


def device_kind(device: str | None, os: str | None, browser: str | None) -> str:
    """The original counted device models ("iPhone", "Mac", "K", "Unknown"); we count kinds of
    device. The kind is told from the model where it says so, else from the operating system."""
    model = (device or "").strip().lower()
    system = (os or "").strip().lower()
    if model == "spider" or "bot" in (browser or "").lower():
        return "Bot"
    if "ipad" in model or "tablet" in model or "kindle" in model:
        return "Tablet"
    if system in _MOBILE_SYSTEMS or model in {"iphone", "ipod", "generic smartphone"}:
        return "Mobile"
    if system in _DESKTOP_SYSTEMS or model == "mac":
        return "Desktop"
    return UNKNOWN


# Plants


@dataclass(frozen=True)
class WateringRule:
    interval_days: int
    check_soil: bool
    understood: bool  # False: a default was used and the owner should look at it
    remark: str = ""


_UNITS = {"d": 1, "day": 1, "days": 1, "w": 7, "week": 7, "weeks": 7}
_WORDS = {
    "daily": 1, "day": 1, "other day": 2, "weekly": 7, "week": 7,
    "biweekly": 14, "fortnightly": 14, "fortnight": 14, "two weeks": 14,
}  # fmt: skip
_FILLER = re.compile(r"^(every|once|each|a|an)\s+")
_COUNT = re.compile(r"^(\d{1,4})\s*(d|days?|w|weeks?)$")
_SOIL = re.compile(r"^(when\s+)?(the\s+)?(upper|top)\s+(soil|layer)(\s+is)?\s+dry$")


def watering_rule(raw: str | None) -> WateringRule:
    """The original's free text ("weekly", "3 days", "upper soil dry", …) as a rule here."""
    text = " ".join((raw or "").lower().split()).rstrip(".!")
    while (shorter := _FILLER.sub("", text, count=1)) != text:  # "once every", "every", "a", …
        text = shorter
    if not text:
        return WateringRule(7, False, False, "no watering frequency in the original; set to every 7 days")
    if _SOIL.match(text):
        return WateringRule(SOIL_CHECK_DAYS, True, True)
    days = _WORDS.get(text)
    match = _COUNT.match(text)
    if days is None and match:
        days = int(match.group(1)) * _UNITS[match.group(2)]
    if days is None:
        return WateringRule(7, False, False, f"watering frequency {raw!r} not understood; set to every 7 days")
    if days < 1:
        return WateringRule(1, False, False, f"watering frequency {raw!r} is under a day; set to every day")
    if days > INTERVAL_MAX:
        return WateringRule(INTERVAL_MAX, False, False, f"watering frequency {raw!r} is over a year; set to 365 days")
    return WateringRule(days, False, True)


def plant_notes(*, info: str | None, care: str | None, potting: str | None, watering: str | None) -> str:
    """The original's separate text fields as one markdown text, each under its heading."""
    parts = []
    for heading, text in (("About", info), ("Care", care), ("Potting", potting)):
        if text and text.strip():
            parts.append(f"### {heading}\n\n{text.strip()}")
    if watering is not None:
        parts.append(f"Watering in the original app: {watering}")
    return "\n\n".join(parts)


def plant_image_name(image: str | None) -> str | None:
    """The file name under `<files>/plants/` of an image path like `/uploads/plants/fern.jpg`."""
    if not image:
        return None
    if not image.startswith(PLANT_IMAGES_PREFIX):
        raise Unmappable(f"image {image!r} is not under {PLANT_IMAGES_PREFIX}")
    return safe_relative(image.removeprefix(UPLOADS_PREFIX))


# Pastes


def safe_relative(path: str) -> str:
    """A relative path inside the files folder, refusing anything that would leave it."""
    parts = path.split("/")
    if any(part in ("", ".", "..") for part in parts) or "\\" in path or "\x00" in path:
        raise Unmappable(f"file path {path!r} would leave the files folder")
    return path


def upload_path(entry: dict) -> str:
    """`<uuid>/<name>`, the part of a file's public address after /uploads/ (its old link)."""
    access = entry.get("access_path")
    if isinstance(access, str) and access.startswith(UPLOADS_PREFIX):
        return safe_relative(access.removeprefix(UPLOADS_PREFIX))
    storage = entry.get("storage_path")
    if isinstance(storage, str) and storage.startswith("/data/"):
        return safe_relative(storage.removeprefix("/data/"))
    raise Unmappable("the file has neither an access_path under /uploads/ nor a storage_path under /data/")


_CONTENT_TYPE = re.compile(r"^[A-Za-z0-9][\w.+-]*/[\w.+-]+$")


def content_type(declared: object, name: str) -> str:
    if isinstance(declared, str) and _CONTENT_TYPE.match(declared.strip()) and len(declared) <= 200:
        return declared.strip()
    guessed, _ = mimetypes.guess_type(name)
    return guessed or "application/octet-stream"


def expiry_choice(lifetime: timedelta) -> str:
    """The expiry of ours nearest to the original's lifetime (on a log scale), offered when the
    paste is edited. Lifetimes of half a year and more are nearest to "never"."""
    best, best_distance = "never", math.inf
    seconds = max(lifetime.total_seconds(), 60.0)
    for key, (_label, span) in EXPIRY.items():
        span_seconds = (span or timedelta(days=365)).total_seconds()
        distance = abs(math.log(seconds / span_seconds))
        if distance < best_distance:
            best, best_distance = key, distance
    return best


def one_line(text: str | None, limit: int) -> tuple[str, bool]:
    """Whitespace collapsed, cut to `limit` characters; says whether it was cut."""
    line = " ".join((text or "").split())
    return (line[: limit - 1] + "…", True) if len(line) > limit else (line, False)
