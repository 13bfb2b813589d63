"""The page a public read of the owner's sites names in its query string: `site`, and `path` or
none (the whole site), checked the way `POST /api/event` checks what it stores, so nothing a
visitor types reaches the database, a cache key or an image unchecked."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from accumulator.analytics.incoming import SITE_NAME
from accumulator.analytics.models import PATH_MAX, SITE_MAX
from accumulator.inputs import InputError, clean_name


class BadQuery(InputError):
    """The query cannot be answered; the message says why and is safe to return."""


@dataclass(frozen=True)
class PageRef:
    site: str
    path: str | None  # None: every page of the site

    @property
    def key(self) -> tuple[str, str | None]:
        return (self.site, self.path)


def page_from_query(params: Mapping[str, str]) -> PageRef:
    """`site` (required) and `path` (optional; empty means none). BadQuery says what is wrong."""
    site = clean_name(params.get("site", ""), field="'site'", max_length=SITE_MAX, error=BadQuery)
    if not SITE_NAME.fullmatch(site):
        # Any other name could never have been stored: refused, not answered with a zero.
        raise BadQuery(f"Give 'site': up to {SITE_MAX} letters, digits or . _ : -")
    path = clean_name(params.get("path", ""), field="'path'", max_length=PATH_MAX, error=BadQuery)
    if path and not path.startswith("/"):
        raise BadQuery(f"'path' must start with / (up to {PATH_MAX} characters), or be left out for the whole site.")
    return PageRef(site=site, path=path or None)


def choice(params: Mapping[str, str], name: str, options: tuple[str, ...]) -> str:
    """The value of `name`, one of `options` (the first when it is absent)."""
    value = params.get(name, options[0])
    if value not in options:
        raise BadQuery(f"'{name}' must be {' or '.join(repr(option) for option in options)}.")
    return value
