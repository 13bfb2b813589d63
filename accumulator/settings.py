"""Every setting Accumulator reads from the environment, parsed once into one typed object.

Each variable is documented in README.md. A bad value raises `SettingsError` whose message is a
single line naming the variable, so start-up can stop with that line and nothing else.
"""

from __future__ import annotations

import os
import secrets
from collections.abc import Mapping
from dataclasses import dataclass
from functools import cached_property, lru_cache
from pathlib import Path
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

PROJECT_ROOT = Path(__file__).resolve().parent.parent


class SettingsError(ValueError):
    """A setting has a value we cannot use; the message names the variable."""


@dataclass(frozen=True)
class Settings:
    data_dir: Path
    database_url: str
    redis_url: str | None
    secret_key: str
    port: int
    timezone: str
    allowed_origins: tuple[str, ...]
    trusted_proxy_hops: int
    dashboard_public: bool = True
    upload_dir: Path | None = None  # None: DATA_DIR/uploads
    max_upload_mb: int = 100
    spotify_client_id: str = ""
    spotify_client_secret: str = ""
    spotify_refresh_token: str = ""  # optional: seeds the connection without the Connect button
    spotify_accounts_url: str = "https://accounts.spotify.com"
    spotify_api_url: str = "https://api.spotify.com/v1"
    # The listening history, its stats and /api/spotify/recent are the owner's unless this opens them.
    spotify_history_public: bool = False
    public_url: str = ""  # the app's address as people reach it, for links in e-mails
    reminder_time: str = "09:00"  # HH:MM in the owner's time zone
    smtp_host: str = ""
    smtp_port: int = 587
    smtp_username: str = ""
    smtp_password: str = ""
    smtp_starttls: bool = True
    mail_from: str = ""
    mail_to: str = ""
    # With REDIS_URL: seconds a page view read from the stream by an instance may stay unwritten
    # before another instance takes it over (the reader is taken for dead).
    analytics_claim_idle: int = 30
    # Without REDIS_URL: page views are answered once in a journal on local disk and counted into the
    # database by a writer process (analytics/journal.py); off: once committed, by this process.
    analytics_journal: bool = True
    backup_dir: Path | None = None  # None: no scheduled backups
    backup_time: str = "03:00"  # HH:MM in the owner's time zone
    backup_keep: int = 14  # archives kept in backup_dir, the oldest removed beyond this
    # Comments and contact messages: the least time between opening a form and sending it (a
    # person reads and types; a bot posts at once), and the least time between two digests.
    comments_min_seconds: int = 3
    notify_digest_minutes: int = 5
    api_rate_limit: int = 120  # requests per minute per API token (/api/v1); more answer 429

    @property
    def uploads(self) -> Path:
        """Where paste attachments live (a directory every instance must share)."""
        return self.upload_dir or self.data_dir / "uploads"

    @property
    def spotify_configured(self) -> bool:
        return bool(self.spotify_client_id and self.spotify_client_secret)

    @property
    def mail_configured(self) -> bool:
        return bool(self.smtp_host and self.mail_to)

    @property
    def base_url(self) -> str:
        """Where links in e-mails point: PUBLIC_URL, or this machine on PORT."""
        return self.public_url or f"http://localhost:{self.port}"

    @cached_property  # asked on every cross-origin request (each page view)
    def own_origins(self) -> tuple[str, ...]:
        """The origins of this app's own pages: PUBLIC_URL's, or this machine on PORT when it is unset.
        Credentialed requests and the websocket are accepted from these alone."""
        if self.public_url:
            parts = urlsplit(self.public_url)
            return (normalise_origin(f"{parts.scheme}://{parts.netloc}", name="PUBLIC_URL"),)
        return tuple(f"http://{host}:{self.port}" for host in ("localhost", "127.0.0.1", "[::1]"))

    @property
    def max_upload_bytes(self) -> int:
        return self.max_upload_mb * 1024 * 1024

    @property
    def zone(self) -> ZoneInfo:
        return ZoneInfo(self.timezone)

    @property
    def is_sqlite(self) -> bool:
        return self.database_url.startswith("sqlite")


def _int(env: Mapping[str, str], name: str, default: int, *, low: int, high: int) -> int:
    raw = env.get(name, "").strip()
    if not raw:
        return default
    try:
        value = int(raw)
    except ValueError:
        raise SettingsError(f"{name}: expected a whole number, got {raw!r}") from None
    if not low <= value <= high:
        raise SettingsError(f"{name}: must be between {low} and {high}, got {value}")
    return value


def _bool(env: Mapping[str, str], name: str, default: bool) -> bool:
    raw = env.get(name, "").strip().lower()
    if not raw:
        return default
    if raw in {"1", "true", "yes", "on"}:
        return True
    if raw in {"0", "false", "no", "off"}:
        return False
    raise SettingsError(f"{name}: expected true or false, got {raw!r}")


def normalise_origin(raw: str, *, name: str = "ALLOWED_ORIGINS") -> str:
    """`https://Example.com:443/` → `https://example.com`: the exact form browsers send in `Origin`."""
    parts = urlsplit(raw.strip())
    if parts.scheme not in {"http", "https"} or not parts.hostname:
        raise SettingsError(f"{name}: {raw!r} is not an origin like https://example.com")
    if parts.path not in {"", "/"} or parts.query or parts.fragment:
        raise SettingsError(f"{name}: {raw!r} must be scheme://host[:port] without a path")
    default_port = 443 if parts.scheme == "https" else 80
    try:
        port = parts.port
    except ValueError:
        raise SettingsError(f"{name}: {raw!r} has an invalid port") from None
    host = parts.hostname.lower()
    if ":" in host:  # IPv6 literal
        host = f"[{host}]"
    suffix = f":{port}" if port and port != default_port else ""
    return f"{parts.scheme}://{host}{suffix}"


def _database_url(env: Mapping[str, str], data_dir: Path) -> str:
    raw = env.get("DATABASE_URL", "").strip()
    if not raw:
        return f"sqlite:///{data_dir / 'accumulator.db'}"
    return database_url_from(raw)


def database_url_from(raw: str, *, name: str = "DATABASE_URL") -> str:
    """A database URL as the engine wants it (postgresql:// → postgresql+psycopg://); SettingsError
    naming `name` for anything else than SQLite or PostgreSQL."""
    raw = raw.strip()
    if raw.startswith(("postgres://", "postgresql://")):
        # psycopg 3 is the only PostgreSQL driver we ship.
        raw = "postgresql+psycopg://" + raw.split("://", 1)[1]
    if not raw.startswith(("sqlite:///", "postgresql+psycopg://")):
        raise SettingsError(
            f"{name}: expected sqlite:///path or postgresql://user@host/db, got {raw.split('://', 1)[0]}://…"
        )
    return raw


def _redis_url(env: Mapping[str, str]) -> str | None:
    raw = env.get("REDIS_URL", "").strip()
    if not raw:
        return None
    if not raw.startswith(("redis://", "rediss://", "unix://")):
        raise SettingsError("REDIS_URL: expected redis://host:port/db, rediss://… or unix://…")
    return raw


def _secret_key(env: Mapping[str, str], data_dir: Path) -> str:
    raw = env.get("SECRET_KEY", "").strip()
    if raw:
        if len(raw) < 32:
            raise SettingsError("SECRET_KEY: must be at least 32 characters")
        return raw
    # Generated once and kept beside the data, so sessions survive restarts.
    path = data_dir / "secret_key"
    if path.exists():
        return path.read_text().strip()
    key = secrets.token_urlsafe(48)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "w") as handle:
        handle.write(key)
    return key


def _timezone(env: Mapping[str, str]) -> str:
    raw = env.get("TIMEZONE", "").strip() or "UTC"
    try:
        ZoneInfo(raw)
    except (ZoneInfoNotFoundError, ValueError):
        raise SettingsError(f"TIMEZONE: unknown time zone {raw!r} (use a name like Europe/Paris)") from None
    return raw


def _public_url(env: Mapping[str, str]) -> str:
    if not env.get("PUBLIC_URL", "").strip():
        return ""
    return _base_url(env, "PUBLIC_URL", "https://accumulator.example.com")


def _clock_time(env: Mapping[str, str], name: str, default: str) -> str:
    raw = env.get(name, "").strip() or default
    try:
        hours, minutes = (int(part) for part in raw.split(":"))
    except ValueError:
        hours = minutes = -1
    if not (0 <= hours < 24 and 0 <= minutes < 60):
        raise SettingsError(f"{name}: expected a time of day as HH:MM, got {raw!r}")
    return f"{hours:02d}:{minutes:02d}"


def _address(env: Mapping[str, str], name: str) -> str:
    raw = env.get(name, "").strip()
    if raw and ("@" not in raw or any(ch in raw for ch in "\r\n")):
        raise SettingsError(f"{name}: expected an e-mail address, got {raw!r}")
    return raw


def _base_url(env: Mapping[str, str], name: str, default: str) -> str:
    raw = env.get(name, "").strip() or default
    parts = urlsplit(raw)
    if parts.scheme not in ("http", "https") or not parts.hostname or parts.query or parts.fragment:
        raise SettingsError(f"{name}: expected an http(s) base URL such as {default}, got {raw!r}")
    return raw.rstrip("/")


def _directory(env: Mapping[str, str], name: str) -> Path | None:
    raw = env.get(name, "").strip()
    if not raw:
        return None
    path = Path(raw).resolve()
    try:
        path.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise SettingsError(f"{name}: cannot create {path}: {exc.strerror}") from None
    return path


def load_settings(env: Mapping[str, str] | None = None) -> Settings:
    """Parse the environment; raises SettingsError with a one-line message on a bad value."""
    env = os.environ if env is None else env
    data_dir = Path(env.get("DATA_DIR", "").strip() or PROJECT_ROOT / "data").resolve()
    try:
        data_dir.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise SettingsError(f"DATA_DIR: cannot create {data_dir}: {exc.strerror}") from None
    origins = tuple(
        dict.fromkeys(normalise_origin(item) for item in env.get("ALLOWED_ORIGINS", "").split(",") if item.strip())
    )
    return Settings(
        data_dir=data_dir,
        database_url=_database_url(env, data_dir),
        redis_url=_redis_url(env),
        secret_key=_secret_key(env, data_dir),
        port=_int(env, "PORT", 8000, low=1, high=65535),
        timezone=_timezone(env),
        allowed_origins=origins,
        trusted_proxy_hops=_int(env, "TRUSTED_PROXY_HOPS", 0, low=0, high=10),
        dashboard_public=_bool(env, "DASHBOARD_PUBLIC", True),
        upload_dir=_directory(env, "UPLOAD_DIR"),
        max_upload_mb=_int(env, "MAX_UPLOAD_MB", 100, low=1, high=10240),
        spotify_client_id=env.get("SPOTIFY_CLIENT_ID", "").strip(),
        spotify_client_secret=env.get("SPOTIFY_CLIENT_SECRET", "").strip(),
        spotify_refresh_token=env.get("SPOTIFY_REFRESH_TOKEN", "").strip(),
        spotify_accounts_url=_base_url(env, "SPOTIFY_ACCOUNTS_URL", "https://accounts.spotify.com"),
        spotify_api_url=_base_url(env, "SPOTIFY_API_URL", "https://api.spotify.com/v1"),
        spotify_history_public=_bool(env, "SPOTIFY_HISTORY_PUBLIC", False),
        public_url=_public_url(env),
        reminder_time=_clock_time(env, "REMINDER_TIME", "09:00"),
        smtp_host=env.get("SMTP_HOST", "").strip(),
        smtp_port=_int(env, "SMTP_PORT", 587, low=1, high=65535),
        smtp_username=env.get("SMTP_USERNAME", "").strip(),
        smtp_password=env.get("SMTP_PASSWORD", ""),
        smtp_starttls=_bool(env, "SMTP_STARTTLS", True),
        mail_from=_address(env, "MAIL_FROM"),
        mail_to=_address(env, "MAIL_TO"),
        analytics_claim_idle=_int(env, "ANALYTICS_CLAIM_IDLE", 30, low=1, high=3600),
        analytics_journal=_bool(env, "ANALYTICS_JOURNAL", True),
        backup_dir=_directory(env, "BACKUP_DIR"),
        backup_time=_clock_time(env, "BACKUP_TIME", "03:00"),
        backup_keep=_int(env, "BACKUP_KEEP", 14, low=1, high=1000),
        comments_min_seconds=_int(env, "COMMENTS_MIN_SECONDS", 3, low=0, high=600),
        notify_digest_minutes=_int(env, "NOTIFY_DIGEST_MINUTES", 5, low=0, high=1440),
        api_rate_limit=_int(env, "API_RATE_LIMIT", 120, low=1, high=100_000),
    )


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    """The process-wide settings, read from the environment on first use."""
    return load_settings()
