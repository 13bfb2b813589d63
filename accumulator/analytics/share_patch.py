"""The breakdowns as patches: what takes a tab's lists to the feed's new ones.

A breakdown is a short ranked list (the top values of a range). One page view moves one value's
count in each of a few lists, and sometimes its place; sending each moved list whole made a refresh
of the breakdowns the largest message a dashboard got. A patch gives each list that differs as its
new rows in order, each either the place of an equal row in the list the tab has (a number) or the
row itself (new or changed); assets/live_shares.jsx applies it.

A value's share of its list is worked out in the browser from the list's counts: sent, it would
change every row whenever one count moved the list's total. Goals keep theirs: it is of the range's
visitors (a conversion rate), which the list does not hold. A row's key (what clicking it filters
by) is left out where it is its value."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from accumulator.analytics.dashboard_types import Share

OWN_SHARE = frozenset({"goal"})  # kinds whose share is not of their list's total


def _same(old: Share, new: Share, kind: str) -> bool:
    if kind in OWN_SHARE:
        return old == new
    return old["views"] == new["views"] and old["key"] == new["key"] and old["value"] == new["value"]


def _sent(row: Share, kind: str) -> dict:
    sent = {"value": row["value"], "views": row["views"]}
    if row["key"] != row["value"]:  # mostly the same (a path, a browser); a country's is its code
        sent["key"] = row["key"]
    if kind in OWN_SHARE:
        sent["share"] = row["share"]
    return sent


def share_patch(
    shown: Mapping[str, Sequence[Share]], now: Mapping[str, Sequence[Share]]
) -> dict[str, list[int | dict]]:
    """{kind: [place in the shown list, or row]} for each list of `now` that differs from the one in
    `shown` (a kind `shown` lacks comes as rows); empty when nothing differs."""
    changes: dict[str, list[int | dict]] = {}
    for kind, rows in now.items():
        before = shown.get(kind)
        if before is None:
            changes[kind] = [_sent(row, kind) for row in rows]
            continue
        if len(before) == len(rows) and all(_same(old, new, kind) for old, new in zip(before, rows, strict=True)):
            continue
        places = {row["key"]: place for place, row in enumerate(before)}
        patch: list[int | dict] = []
        for row in rows:
            place = places.get(row["key"])
            patch.append(place if place is not None and _same(before[place], row, kind) else _sent(row, kind))
        changes[kind] = patch
    return changes
