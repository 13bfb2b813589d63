"""How single values of the original map to ours: pages, watering rules, device kinds, expiries."""

from __future__ import annotations

from datetime import timedelta

import pytest

from accumulator.importer.mapping import (
    PageMapping,
    Unmappable,
    device_kind,
    expiry_choice,
    upload_path,
    watering_rule,
)


def test_stats_slugs_become_pages_of_the_owners_site() -> None:
    pages = PageMapping()
    assert pages.page("main") == ("blog", "/")
    assert pages.page("blog:nextjs-phoenix-channels") == ("blog", "/blog/nextjs-phoenix-channels")
    assert pages.page("battleship") == ("battleship", "/")
    assert PageMapping(site="aayushsahu.com", blog_path="/posts/{slug}/").page("blog:a") == (
        "aayushsahu.com",
        "/posts/a/",
    )
    for slug in ("blog:", "guestbook", ""):
        with pytest.raises(Unmappable):
            pages.page(slug)
    with pytest.raises(ValueError, match="slug"):
        PageMapping(blog_path="/blog")


@pytest.mark.parametrize(
    ("text", "rule"),
    [
        ("daily", (1, False)),
        ("weekly", (7, False)),
        ("biweekly", (14, False)),
        ("3 days", (3, False)),
        ("2 weeks", (14, False)),
        ("1 week", (7, False)),
        ("every 7 days", (7, False)),
        ("Every 10 Days.", (10, False)),
        ("once a week", (7, False)),
        ("upper soil dry", (3, True)),
        ("when the top soil is dry", (3, True)),
    ],
)
def test_watering_frequencies_the_original_accepted_map_to_a_rule(text: str, rule: tuple[int, bool]) -> None:
    found = watering_rule(text)
    assert (found.interval_days, found.check_soil, found.understood) == (*rule, True)


@pytest.mark.parametrize("text", ["", None, "when it droops", "0 days", "400 days", "sometimes"])
def test_other_frequencies_get_a_default_and_a_reason(text: str | None) -> None:
    found = watering_rule(text)
    assert not found.understood and found.remark
    assert 1 <= found.interval_days <= 365 and not found.check_soil


@pytest.mark.parametrize(
    ("device", "os", "kind"),
    [
        ("Unknown", "Windows", "Desktop"),
        ("Mac", "Mac OS X", "Desktop"),
        ("iPhone", "iOS", "Mobile"),
        ("K", "Android", "Mobile"),
        ("iPad", "iOS", "Tablet"),
        ("Spider", "Unknown", "Bot"),
        ("Unknown", "Unknown", "Unknown"),
    ],
)
def test_device_models_become_kinds_of_device(device: str, os: str, kind: str) -> None:
    assert device_kind(device, os, "Chrome") == kind


def test_the_expiry_offered_on_edit_is_the_nearest() -> None:
    assert expiry_choice(timedelta(minutes=5)) == "10m"
    assert expiry_choice(timedelta(minutes=45)) == "1h"
    assert expiry_choice(timedelta(hours=1)) == "1h"
    assert expiry_choice(timedelta(days=7)) == "1w"
    assert expiry_choice(timedelta(days=30)) == "1mo"
    assert expiry_choice(timedelta(days=3650)) == "never"


def test_a_file_entry_is_found_by_its_old_address_and_never_outside_the_folder() -> None:
    entry = {"access_path": "/uploads/9b05/a song.mp3", "storage_path": "/data/9b05/a song.mp3"}
    assert upload_path(entry) == "9b05/a song.mp3"
    assert upload_path({"storage_path": "/data/9b05/x.txt"}) == "9b05/x.txt"
    for bad in ("/uploads/../etc/passwd", "/uploads//etc/passwd", "/uploads/a/./b", "/elsewhere/a"):
        with pytest.raises(Unmappable):
            upload_path({"access_path": bad})
