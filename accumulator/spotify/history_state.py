"""State of /spotify/history: thin over reads.listening_stats (stats.py) and the recent plays.
The owner's, unless SPOTIFY_HISTORY_PUBLIC opens it (then every handler here is public)."""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated, ClassVar, TypedDict

from accumulator.db import utcnow
from accumulator.inputs import whole_number
from accumulator.runtime import get_services
from accumulator.settings import Settings
from accumulator.spotify import reads, stats
from accumulator.spotify.actions import SPOTIFY_TOPIC, SpotifyChanged
from accumulator.ui.access import MaxLength, owner
from accumulator.ui.live import follow
from accumulator.ui.owner import OwnerState

WEEKDAYS = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")
DAY_NAMES = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")
RANGE_KEYS = (*stats.PRESETS, "year", "custom")


def _public(settings: Settings) -> bool:
    return settings.spotify_history_public


history = owner(public_if=_public)


class RankRow(TypedDict):
    rank: int
    name: str
    detail: str
    plays: int
    time: str


class Bar(TypedDict):
    label: str
    height: str  # a CSS percentage of the busiest bar
    value: str


class RecentRow(TypedDict):
    when: str
    name: str
    artists: str
    listened: str


def duration_text(ms: int) -> str:
    minutes = ms // 60_000
    if minutes < 60:
        return f"{minutes} min"
    return f"{minutes // 60:,} h {minutes % 60} min"


def _ranked(rows: list[stats.Ranked]) -> list[RankRow]:
    return [
        RankRow(rank=i, name=r.name, detail=r.detail, plays=r.plays, time=duration_text(r.listened_ms))
        for i, r in enumerate(rows, start=1)
    ]


def _bars(labels: list[str], values: list[int]) -> list[Bar]:
    top = max(values) or 1
    return [
        Bar(label=label, height=f"{100 * value / top:.0f}%", value=duration_text(value))
        for label, value in zip(labels, values, strict=True)
    ]


def _day(value: str) -> date | None:
    try:
        return date.fromisoformat(value)
    except ValueError:
        return None


class HistoryState(OwnerState):
    follows: ClassVar[tuple] = (SPOTIFY_TOPIC,)

    range_key: str = "30d"
    year_choice: str = ""
    custom_from: str = ""
    custom_to: str = ""
    years: list[str] = []
    error: str = ""
    label: str = ""
    plays: int = 0
    listened: str = "0 min"
    days_active: int = 0
    streak: str = ""
    busiest: str = ""
    top_tracks: list[RankRow] = []
    top_artists: list[RankRow] = []
    top_albums: list[RankRow] = []
    hours: list[Bar] = []
    weekdays: list[Bar] = []
    new_artists: list[str] = []
    new_artist_count: int = 0
    review: list[str] = []  # the year in review, as sentences
    recent: list[RecentRow] = []
    loaded: bool = False

    def _bounds(self) -> stats.Range | None:
        zone, now = get_services().settings.zone, utcnow()
        if self.range_key in stats.PRESETS:
            return stats.preset(self.range_key, now=now, zone=zone)
        if self.range_key == "year" and (year := whole_number(self.year_choice, max_digits=4)):
            return stats.year(year, zone=zone)
        first, last = _day(self.custom_from), _day(self.custom_to)
        if self.range_key == "custom" and first and last and first <= last:
            return stats.local_dates(first, last, zone=zone)
        return None

    async def _load(self) -> None:
        svc = get_services()
        bounds = self._bounds()
        if bounds is None:
            self.error = "Choose a year, or a first and last day (the first not after the last)."
            return
        self.error = ""
        result, years = await reads.listening_stats(svc, bounds=bounds)
        self.years = [str(y) for y in years]
        if not self.year_choice and self.years:
            self.year_choice = self.years[0]
        self._show(result)
        zone, now = svc.settings.zone, utcnow()
        self.recent = [
            RecentRow(
                when=_when(play.played_at, now, zone),
                name=play.name,
                artists=play.artists,
                listened=("≈ " if play.estimated else "") + duration_text(play.listened_ms),
            )
            for play in await reads.recent_plays(svc, limit=10)
        ]
        self.loaded = True

    def _show(self, result: stats.Stats) -> None:
        self.label, self.plays, self.days_active = result.label, result.plays, result.days_active
        self.listened = duration_text(result.listened_ms)
        start = result.streak_start
        self.streak = f"{result.longest_streak} days from {start:%d %b %Y}" if start else "none"
        busiest = result.busiest_day
        self.busiest = f"{busiest[0]:%A %d %b %Y} ({duration_text(busiest[1])})" if busiest else "none"
        self.top_tracks, self.top_artists = _ranked(result.top_tracks), _ranked(result.top_artists)
        self.top_albums = _ranked(result.top_albums)
        self.hours = _bars([f"{h:02d}" for h in range(24)], result.by_hour)
        self.weekdays = _bars(list(WEEKDAYS), result.by_weekday)
        self.new_artists = [name for name, _ in result.new_artists]
        self.new_artist_count = result.new_artist_count
        self.review = year_in_review(result) if self.range_key == "year" else []

    async def _on_change(self, message: SpotifyChanged) -> None:
        if message.what == "history" and self.loaded:
            await self._load()

    @history
    async def load_history(self):
        follow(self, visitors=get_services().settings.spotify_history_public)
        await self._load()

    @history
    async def set_range(self, value: Annotated[str | list[str], MaxLength(10)]):
        value = value if isinstance(value, str) else (value[0] if value else "")
        if value in RANGE_KEYS:
            self.range_key = value
            await self._load()

    @history
    async def set_year(self, value: Annotated[str, MaxLength(4)]):
        if value in self.years:
            self.year_choice, self.range_key = value, "year"
            await self._load()

    @history
    async def set_custom_from(self, value: Annotated[str, MaxLength(10)]):
        self.custom_from = value

    @history
    async def set_custom_to(self, value: Annotated[str, MaxLength(10)]):
        self.custom_to = value

    @history
    async def apply_custom(self):
        self.range_key = "custom"
        await self._load()

    @owner
    async def imported(self):
        """The page's upload finished (over HTTP): show the new numbers."""
        await self._load()


def _when(played_at: datetime, now: datetime, zone) -> str:
    local = played_at.astimezone(zone)
    return local.strftime("%H:%M") if local.date() == now.astimezone(zone).date() else local.strftime("%d %b %H:%M")


def year_in_review(result: stats.Stats) -> list[str]:
    """The year told in a few sentences, as a "wrapped" would."""
    if not result.plays:
        return [f"Nothing was recorded in {result.label}."]
    said = [
        f"In {result.label} you listened for {duration_text(result.listened_ms)}: {result.plays:,} plays "
        f"of {result.distinct_tracks:,} songs by {result.distinct_artists:,} artists, on {result.days_active} days."
    ]
    if result.top_artists:
        artist = result.top_artists[0]
        said.append(
            f"Your artist of the year: {artist.name} ({artist.plays:,} plays, {duration_text(artist.listened_ms)})."
        )
    if result.top_tracks:
        track = result.top_tracks[0]
        said.append(f"Your song of the year: {track.name} by {track.detail}, played {track.plays:,} times.")
    if result.new_artist_count:
        first = result.new_artists[0][0]
        said.append(f"You discovered {result.new_artist_count:,} artists, the first of them {first}.")
    if result.longest_streak > 1 and result.streak_start:
        said.append(f"Your longest streak: {result.longest_streak} days in a row, from {result.streak_start:%d %B}.")
    hour = max(range(24), key=lambda h: result.by_hour[h])
    weekday = max(range(7), key=lambda d: result.by_weekday[d])
    said.append(f"You listen most around {hour:02d}:00, and most of all on {DAY_NAMES[weekday]}s.")
    if result.by_month:
        month = max(result.by_month, key=lambda m: result.by_month[m])
        said.append(f"Your biggest month: {date.fromisoformat(month + '-01'):%B}.")
    return said
