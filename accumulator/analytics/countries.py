"""The country of an address, looked up at ingestion in the database that ships with the
`geoip2fast` package (no download at run time), then the address is discarded: only the
country's code is counted. Private, reserved and unknown addresses have no country ("").

A lookup takes microseconds, but loading a table does not (IPv4: about 0.1 s; IPv6: about 2 s and
50 MB), so tables load on a thread of their own and never on the event loop: the IPv4 one at
start-up (`warm`), the IPv6 one when the first IPv6 address comes. Until a table is there, its
addresses count as unknown.
"""

from __future__ import annotations

import ipaddress
import logging
import socket
import threading
from typing import Any

log = logging.getLogger(__name__)

_IPV6_FILE = "geoip2fast-ipv6.dat.gz"  # holds IPv4 and IPv6
_tables: dict[int, Any] = {}
_loading: set[int] = set()
_lock = threading.Lock()


def _load(version: int) -> None:
    try:
        from geoip2fast import GeoIP2Fast  # imported here: it reads its data file

        table = GeoIP2Fast(geoip2fast_data_file=_IPV6_FILE) if version == 6 else GeoIP2Fast()
        _tables[version] = table
    except Exception:  # no table: countries stay unknown, page views are counted all the same
        log.exception("the country table for IPv%s could not be loaded", version)


def _start_loading(version: int) -> None:
    with _lock:
        if version in _tables or version in _loading:
            return
        _loading.add(version)
    threading.Thread(target=_load, args=(version,), name=f"geoip-v{version}", daemon=True).start()


def warm() -> None:
    """Start loading the IPv4 table (returns at once)."""
    _start_loading(4)


def loaded(version: int) -> bool:
    return version in _tables


# IPv4 by first byte: whole blocks that are not global ("this network", private 10/8, loopback,
# reserved 240/4 with the broadcast address), and blocks that are partly so (shared, link-local,
# private, documentation, benchmarking; multicast, whose status has changed between Pythons). An
# address in neither is global; only one in a partly global block needs `ipaddress`'s own, slower,
# check.
_NOT_GLOBAL = frozenset({0, 10, 127, *range(240, 256)})
_PARTLY_GLOBAL = frozenset({100, 169, 172, 192, 198, 203, *range(224, 240)})


def _address(ip: str) -> ipaddress.IPv4Address | ipaddress.IPv6Address | None:
    """The global address `ip` names, or None. A dotted IPv4 address (nearly every reader) is read
    by the C library, which is many times faster than `ipaddress` reading the text."""
    try:
        packed = socket.inet_pton(socket.AF_INET, ip)
    except OSError:
        try:
            address = ipaddress.ip_address(ip)
        except ValueError:
            return None
        if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped is not None:
            address = address.ipv4_mapped
    else:
        if packed[0] in _NOT_GLOBAL:
            return None
        address = ipaddress.IPv4Address(packed)
        if packed[0] not in _PARTLY_GLOBAL:
            return address
    return address if address.is_global else None


def country(ip: str) -> str:
    """The ISO 3166 code of `ip`'s country, or "" when it has none (private, reserved, unknown)."""
    address = _address(ip)
    if address is None:
        return ""
    table = _tables.get(address.version)
    if table is None:
        _start_loading(address.version)
        return ""
    try:
        code = table.lookup(str(address)).country_code
    except Exception:  # a broken data file must not lose the page view
        log.exception("country lookup failed")
        return ""
    return code if isinstance(code, str) and len(code) == 2 and code.isascii() and code.isalpha() else ""


def label(code: str) -> str:
    """How a country shows on the dashboard: its flag and name ("🇬🇧 United Kingdom"), or "Unknown"."""
    if len(code) != 2 or not code.isascii() or not code.isalpha():
        return "Unknown"
    flag = "".join(chr(0x1F1E6 + ord(letter) - ord("A")) for letter in code.upper())
    return f"{flag} {_names().get(code.upper(), code.upper())}"


def _names() -> dict[str, str]:
    if 4 not in _tables:
        return {}
    from geoip2fast import geoip2fast  # loaded with the table: the names of its countries

    return getattr(geoip2fast, "geoipCountryNamesDict", None) or {}
