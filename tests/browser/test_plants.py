"""Plants in a real browser: add a plant, mark it watered, see its next date; a photo; a wrong date."""

from __future__ import annotations

import io
import re
from datetime import date, timedelta

import pytest
from PIL import Image
from playwright.sync_api import Browser, Page, expect

from accumulator import routes
from tests.browser.conftest import LiveApp, log_in

pytestmark = pytest.mark.browser


def open_plants(browser: Browser, live_app: LiveApp) -> tuple[object, Page]:
    context = browser.new_context(base_url=live_app.url)
    context.set_default_timeout(15_000)
    tab = context.new_page()
    tab.goto(routes.PLANTS)
    tab.wait_for_url("**/login?next=/plants")
    log_in(tab)
    expect(tab.get_by_role("heading", name="Plants")).to_be_visible()
    return context, tab


def test_add_a_plant_water_it_and_see_its_next_date(browser: Browser, live_app: LiveApp, tmp_path) -> None:
    context, tab = open_plants(browser, live_app)
    try:
        tab.locator("#add-plant").click()
        tab.locator("#plant-name").fill("Monstera <deliciosa>")
        tab.locator("#plant-location").fill("Living room")
        tab.locator("#plant-interval").fill("5")
        tab.locator("#plant-notes").fill("Likes **bright** light")
        tab.locator("#plant-save").click()
        card = tab.locator(".plant-card", has_text="Monstera <deliciosa>")
        expect(card).to_be_visible()
        expect(card.locator(".due-badge")).to_have_text("due today")  # never watered: due now

        card.get_by_role("link", name="Monstera <deliciosa>").click()
        tab.wait_for_url(re.compile(r".*/plants/\d+/?$"))
        expect(tab.locator(".plant-notes strong")).to_have_text("bright")
        tab.locator("#water-now").click()
        next_due = date.today() + timedelta(days=5)  # the owner's zone is UTC in the tests
        expect(tab.locator("#next-date")).to_contain_text(f"{next_due:%A %-d %B %Y}")
        expect(tab.locator(".due-badge")).to_have_text("due in 5 days")
        expect(tab.locator("#plant-history")).to_contain_text("Watered")

        # A watering date in the future is refused with a message, and changes nothing.
        tab.locator("#water-date").evaluate(
            "(field, day) => { field.removeAttribute('max'); field.value = day }",
            (date.today() + timedelta(days=2)).isoformat(),
        )
        tab.locator("#water-now").click()
        expect(tab.locator("#plant-error")).to_contain_text("in the future")
        expect(tab.locator(".history-row")).to_have_count(1)

        # A photo goes up over HTTP and shows (resized on the server).
        photo = tmp_path / "monstera.png"
        buffer = io.BytesIO()
        Image.new("RGB", (2400, 1600), (40, 160, 60)).save(buffer, "PNG")
        photo.write_bytes(buffer.getvalue())
        tab.locator("#plant-photo-input").set_input_files(str(photo))
        expect(tab.locator("#plant-photo")).to_be_visible()
        assert tab.locator("#plant-photo").evaluate("img => img.naturalWidth") == 1280

        tab.goto(routes.PLANTS)
        expect(tab.locator(".plant-card", has_text="Monstera").locator(".due-badge")).to_have_text("due in 5 days")
    finally:
        context.close()
