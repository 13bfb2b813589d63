"""The breakdowns travel as patches: applied as the browser applies them (assets/live_shares.jsx),
a patch takes the lists a tab has to the new ones, and carries only the rows that changed."""

from __future__ import annotations

import json
import random

from accumulator.analytics.share_patch import share_patch


def row(key: str, views: int, share: float = 10.0, value: str = "") -> dict:
    return {"value": value or key, "key": key, "views": views, "share": share}


def sent(share: dict) -> dict:
    """A row as a patch carries it: its share of the list is the browser's to work out, its key
    is left out where it is its value."""
    return {
        name: value for name, value in share.items() if name != "share" and (name != "key" or value != share["value"])
    }


def ranked(counts: dict[str, int]) -> list[dict]:
    """A breakdown as range_view.shares makes it: each value's share of the list."""
    total = sum(counts.values()) or 1
    return [row(key, views, round(100 * views / total, 1)) for key, views in counts.items()]


def applied(shown: dict[str, list[dict]], patch: dict[str, list]) -> dict[str, list[dict]]:
    """What live_shares.jsx does with a patch (before it works out the shares)."""
    lists = dict(shown)
    for kind, items in patch.items():
        lists[kind] = [shown[kind][item] if isinstance(item, int) else {"key": item["value"], **item} for item in items]
    return lists


def with_shares(lists: dict[str, list[dict]]) -> dict[str, list[dict]]:
    """What live_shares.jsx shows: each value's share of its list, unless the row has its own."""
    shown = {}
    for kind, rows in lists.items():
        total = sum(row["views"] for row in rows) or 1
        shown[kind] = [
            row if "share" in row else {**row, "share": round(100 * row["views"] / total, 1)} for row in rows
        ]
    return shown


def test_a_tab_with_nothing_gets_every_list_whole() -> None:
    now = {"browser": ranked({"chrome": 5, "firefox": 2}), "os": [], "goal": [row("signup", 3, 1.5)],
           "country": [row("CA", 2, 100.0, value="🇨🇦 Canada")]}  # fmt: skip
    assert share_patch({}, now) == {
        "browser": [{"value": "chrome", "views": 5}, {"value": "firefox", "views": 2}],
        "os": [],
        "goal": [{"value": "signup", "views": 3, "share": 1.5}],  # a conversion rate: sent
        "country": [{"value": "🇨🇦 Canada", "key": "CA", "views": 2}],  # filtered by its code
    }
    assert with_shares(applied({}, share_patch({}, now))) == now


def test_unchanged_lists_send_nothing() -> None:
    now = {"browser": [row("chrome", 5)], "os": [row("linux", 5)]}
    assert share_patch(now, {kind: [dict(r) for r in rows] for kind, rows in now.items()}) == {}


def in_the_browser(shown: dict[str, list[dict]], now: dict[str, list[dict]]) -> dict[str, list[dict]]:
    """What a tab shows that was sent `shown` whole, then the patch to `now`."""
    kept = applied({}, share_patch({}, shown))
    return with_shares(applied(kept, share_patch(shown, now)))


def test_one_count_moved_sends_that_row_and_the_places_of_the_others() -> None:
    counts = {f"site-{n}.example": 100 - n for n in range(8)}
    shown = {"referrer": ranked(counts), "os": ranked({"linux": 5})}
    now = {"referrer": ranked({**counts, "site-3.example": 98}), "os": shown["os"]}
    patch = share_patch(shown, now)  # every share moved a little; only one count did
    assert patch == {"referrer": [0, 1, 2, sent(now["referrer"][3]), 4, 5, 6, 7]}
    assert in_the_browser(shown, now) == now


def test_a_goals_conversion_rate_is_sent_as_it_moves() -> None:
    shown = {"goal": [row("signup", 3, 1.5)]}
    now = {"goal": [row("signup", 3, 1.4)]}  # more visitors in the range, the same three converted
    assert share_patch(shown, now) == {"goal": [{"value": "signup", "views": 3, "share": 1.4}]}
    assert in_the_browser(shown, now) == now


def test_a_value_that_climbs_and_one_that_drops_out_cost_one_row() -> None:
    counts = {f"/posts/{n}-a-long-title-of-a-post": 50 - n for n in range(8)}
    shown = {"entry": ranked(counts)}
    now = {"entry": ranked({"/posts/new-a-long-title-of-a-post": 60, **dict(list(counts.items())[:7])})}
    patch = share_patch(shown, now)
    assert patch == {"entry": [sent(now["entry"][0]), 0, 1, 2, 3, 4, 5, 6]}
    assert in_the_browser(shown, now) == now
    assert len(json.dumps(patch)) < len(json.dumps(now)) / 4


def test_any_change_of_lists_is_carried_exactly() -> None:
    randomly = random.Random(14)
    keys = [f"value-{n}" for n in range(12)]
    shown: dict[str, list[dict]] = {}
    kept: dict[str, list[dict]] = {}  # what the browser keeps
    for _ in range(500):
        now = {
            kind: ranked({key: randomly.randint(1, 3) for key in randomly.sample(keys, randomly.randint(0, 8))})
            for kind in ("browser", "os", "referrer")
        }
        now["goal"] = [row(key, randomly.randint(1, 3), randomly.choice([1.0, 2.5])) for key in keys[:2]]
        kept = applied(kept, share_patch(shown, now))
        assert with_shares(kept) == now
        shown = now
