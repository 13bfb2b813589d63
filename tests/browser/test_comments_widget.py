"""The comment widget in Chromium, on the owner's blog (another local origin): a held comment is
invisible to readers and waits in the owner's queue; approved, it arrives live; comments and
replies arrive live in another tab; the owner's reply carries the author mark; the contact form
lands in the inbox with its unread count in the navigation."""

from __future__ import annotations

import re
from collections.abc import Iterator

import pytest
from playwright.sync_api import Browser, BrowserContext, Page, expect

from accumulator import routes
from tests.browser.conftest import LiveApp, log_in

pytestmark = pytest.mark.browser

POST = "/comments/a-post"  # the blog serves the widget under /comments/ (tests/browser/conftest.py)


@pytest.fixture
def reader(browser: Browser, live_app: LiveApp) -> Iterator[callable]:
    """Opens the blog post in a browser of its own (a phone-sized one), as a reader does."""
    contexts: list[BrowserContext] = []

    def open_post() -> Page:
        context = browser.new_context(viewport={"width": 375, "height": 800})
        context.set_default_timeout(15_000)
        contexts.append(context)
        tab = context.new_page()
        tab.goto(f"{live_app.site_url}{POST}")
        expect(tab.locator(".acc-count")).to_contain_text("comment")
        return tab

    yield open_post
    for context in contexts:
        context.close()


def write(tab: Page, text: str, *, name: str = "", within: str = ".acc-c > .acc-form", button: str = "Send") -> None:
    form = tab.locator(within)
    if name:
        form.locator("input[name=name]").fill(name)
    form.locator("textarea[name=text]").fill(text)
    tab.wait_for_timeout(1100)  # the least time between opening the form and sending it
    form.get_by_role("button", name=button).click()


def owner_tab(browser: Browser, live_app: LiveApp) -> tuple[BrowserContext, Page]:
    context = browser.new_context(base_url=live_app.url)
    context.set_default_timeout(15_000)
    tab = context.new_page()
    tab.goto(routes.COMMENTS)
    tab.wait_for_url("**/login?next=/comments")  # no session: the login page, nothing of the page
    log_in(tab)
    expect(tab.get_by_role("heading", name="Comments", exact=True)).to_be_visible()
    return context, tab


def test_a_held_comment_waits_for_the_owner_and_then_arrives_live(browser: Browser, live_app: LiveApp, reader) -> None:
    writer, other = reader(), reader()
    write(writer, "Is this *held*?", name="Newcomer")
    expect(writer.locator(".acc-c > .acc-form .note")).to_contain_text("once approved")
    other.reload()
    expect(other.locator(".acc-count")).to_have_text("0 comments")
    expect(other.get_by_text("Is this held?")).to_have_count(0)

    context, owner = owner_tab(browser, live_app)
    try:
        queue = owner.locator("#comment-queue .owner-comment")
        expect(queue).to_have_count(1)
        expect(queue.first).to_contain_text("Newcomer")
        expect(owner.locator(f"a[href='{routes.COMMENTS}'] .nav-count")).to_have_text("1")
        queue.first.locator(".approve").click()
        expect(owner.locator("#queue-empty")).to_be_visible()
        # The reader's open page gets it without reloading.
        expect(other.locator(".acc-list .it")).to_have_count(1)
        expect(other.locator(".acc-list .it em")).to_have_text("held")
        # From now on, this site publishes at once.
        owner.locator("button[role=switch]").first.click()
        expect(owner.locator("button[role=switch]").first).to_have_attribute("data-state", "unchecked")
    finally:
        context.close()


def publish_at_once(browser: Browser, live_app: LiveApp) -> None:
    """The owner switches the blog to publishing comments at once (if it is not already) and
    approves what waits (a site is listed once it has a comment)."""
    context, owner = owner_tab(browser, live_app)
    try:
        switch = owner.locator("button[role=switch]").first
        if switch.get_attribute("data-state") == "checked":
            switch.click()
        expect(switch).to_have_attribute("data-state", "unchecked")
        waiting = owner.locator("#comment-queue .owner-comment .approve")
        while waiting.count():
            count = waiting.count()
            waiting.first.click()
            expect(waiting).to_have_count(count - 1)
    finally:
        context.close()


def test_comments_and_replies_arrive_live_and_the_owner_reply_is_marked(
    browser: Browser, live_app: LiveApp, reader
) -> None:
    first, second = reader(), reader()
    write(first, "An earlier comment", name="Ann")  # held or not, as the site is set
    publish_at_once(browser, live_app)
    expect(second.locator(".acc-list > .it", has_text="An earlier comment")).to_have_count(1)
    before = first.locator(".acc-list > .it").count()
    write(first, "A comment from the first tab", name="Ann")
    expect(second.locator(".acc-list > .it")).to_have_count(before + 1)
    comment = second.locator(".acc-list > .it", has_text="A comment from the first tab")
    expect(comment.locator(".who")).to_have_text("Ann")

    comment.locator(":scope > .rp").click()
    write(
        second,
        "A reply from the second tab",
        within=".acc-list > .it:has-text('A comment from the first tab') > .acc-form",
        button="Reply",
    )
    mine = first.locator(".acc-list > .it", has_text="A comment from the first tab")
    expect(mine.locator(".rs .it")).to_have_count(1)
    expect(mine.locator(".rs .it")).to_contain_text("A reply from the second tab")

    context, owner = owner_tab(browser, live_app)
    try:
        owner.locator(".comment-page", has_text=POST).locator("a").click()
        card = owner.locator("#page-comments .owner-comment", has_text="A comment from the first tab")
        card.locator(".reply").click()
        owner.locator("#owner-reply-text").fill("Thanks, **Ann**!")
        owner.locator("#owner-reply-send").click()
        marked = first.locator(".rs .it", has_text="Thanks, Ann!")
        expect(marked.locator(".mk")).to_have_text("author")
        expect(marked.locator("strong")).to_have_text("Ann")
    finally:
        context.close()
    # The reader's choice of order: newest first puts the latest top-level comment first.
    first.locator(".acc-c select").select_option("newest")
    expect(first.locator(".acc-list > .it").first).to_contain_text("A comment from the first tab")
    first.locator(".acc-c select").select_option("oldest")
    expect(first.locator(".acc-list > .it").first).not_to_contain_text("A comment from the first tab")
    # Readable on a phone: nothing wider than the screen.
    assert first.evaluate("document.documentElement.scrollWidth") <= 375


def test_a_contact_message_reaches_the_inbox_with_an_unread_count(browser: Browser, live_app: LiveApp, reader) -> None:
    site = reader()
    answer = site.evaluate(
        """async (hub) => {
            const {stamp} = await (await fetch(hub + '/api/contact')).json();
            await new Promise(r => setTimeout(r, 1100));
            const body = new URLSearchParams({email: 'reader@example.org', message: 'Hello <b>owner</b>', stamp});
            const r = await fetch(hub + '/api/contact', {method: 'POST', body});
            return [r.status, await r.json()];
        }""",
        live_app.url,
    )
    assert answer[0] == 201 and answer[1]["status"] == "success"
    context = browser.new_context(base_url=live_app.url)
    context.set_default_timeout(15_000)
    try:
        tab = context.new_page()
        tab.goto(routes.MESSAGES)
        tab.wait_for_url("**/login?next=/messages")
        log_in(tab)
        message = tab.locator(".contact-message", has_text="reader@example.org")
        expect(message.locator(".message-text")).to_have_text("Hello <b>owner</b>")  # as text, never markup
        badge = tab.locator(f"a[href='{routes.MESSAGES}'] .nav-count")
        expect(badge).to_have_text("1")
        message.locator(".mark-read").click()
        expect(badge).to_have_count(0)
        message.locator(".delete-message").click()
        tab.get_by_role("alertdialog").get_by_role("button", name="Delete").click()
        expect(tab.locator(".contact-message", has_text="reader@example.org")).to_have_count(0)
    finally:
        context.close()


def test_the_frameable_page_shows_the_same_comments_inside_the_blog(browser: Browser, live_app: LiveApp) -> None:
    context = browser.new_context()
    context.set_default_timeout(15_000)
    try:
        tab = context.new_page()
        tab.goto(f"{live_app.site_url}/framed/a-post")
        frame = tab.frame_locator("#comments-frame")
        expect(frame.locator(".acc-list > .it", has_text="A comment from the first tab")).to_be_visible()
        expect(frame.locator(".mk")).to_have_text("author")
        # Its stylesheet ran under the page's policy (nonce), in the dark theme asked for.
        colour = frame.locator(".acc-c").evaluate("node => getComputedStyle(node).color")
        assert colour == "rgb(237, 238, 240)"

        # The owner deletes the comment (after confirming): it leaves the open page with its replies.
        owner_context, owner = owner_tab(browser, live_app)
        try:
            owner.locator(".comment-page", has_text=POST).locator("a").click()
            card = owner.locator("#page-comments .owner-comment", has_text="A comment from the first tab")
            card.locator(".delete").click()
            owner.get_by_role("alertdialog").get_by_role("button", name="Delete").click()
            expect(
                owner.locator("#page-comments .owner-comment", has_text="A comment from the first tab")
            ).to_have_count(0)
        finally:
            owner_context.close()
        expect(frame.locator(".it", has_text="A comment from the first tab")).to_have_count(0)
        expect(frame.locator(".it", has_text="A reply from the second tab")).to_have_count(0)
        expect(frame.locator(".acc-list > .it", has_text="Is this held?")).to_be_visible()
    finally:
        context.close()


def test_the_dashboard_counts_a_pages_comments_live(browser: Browser, live_app: LiveApp, reader) -> None:
    # A comment for the owner to answer (refused when earlier tests used up this address's minute).
    write(reader(), "Before the count", name="Cy")
    publish_at_once(browser, live_app)
    context, owner = owner_tab(browser, live_app)
    try:
        # The post has been read (the blog's tracker would have sent this), so it has a row.
        view = {"type": "pageview", "site": "blog", "path": POST, "visitor": "comment-count-reader"}
        agent = {"User-Agent": "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/130.0"}
        assert owner.request.post(f"{live_app.url}/api/event", data=view, headers=agent).status == 202
        dashboard = context.new_page()
        dashboard.goto(routes.DASHBOARD)
        dashboard.locator("#page-filter").fill("/comments/")  # other tests' pages may fill the top fifty
        expect(dashboard.locator(".sort-comments")).to_have_text("Comments")
        cell = dashboard.locator(f".page-row[data-path='{POST}'] .cell-comments")
        expect(cell).to_have_text(re.compile(r"^[1-9]\d*$"))
        before = int(cell.inner_text())

        owner.locator(".comment-page", has_text=POST).locator("a").click()
        owner.locator("#page-comments .owner-comment .reply").first.click()
        owner.locator("#owner-reply-text").fill("Counted on the dashboard")
        owner.locator("#owner-reply-send").click()
        expect(cell).to_have_text(str(before + 1))  # live: the dashboard was not reloaded

        dashboard.locator(".sort-comments").click()  # a number column: the most commented first
        expect(dashboard.locator(".sort-comments")).to_have_attribute("aria-sort", "descending")
        counts = [int(text) for text in dashboard.locator(".page-row .cell-comments").all_inner_texts()]
        assert counts == sorted(counts, reverse=True) and counts[0] >= before + 1
    finally:
        context.close()
