"""A public or embedded workspace page of a typical day's notes stays small (under 30 KB), as the
shared paste page does: the inline style carries the highlighting and list rules in a few KB."""

from __future__ import annotations

import gzip

import pytest
from sqlmodel import Session
from starlette.testclient import TestClient

from accumulator import public_html
from accumulator.db import utcnow
from accumulator.notes import service

# A busy day: a dozen notes of the usual kinds, code and lists among them.
DAY = [
    "Standup: deploy moved to **Thursday**; Anna reviews the migration first.",
    "Reading list:\n\n- [Designing Data-Intensive Applications](https://dataintensive.net)\n"
    "- the Postgres docs on `VACUUM`\n  - autovacuum tuning\n  - bloat queries",
    "```python\ndef retry(fn, times=3):\n    for attempt in range(times):\n        try:\n            return fn()\n"
    "        except TimeoutError:\n            if attempt == times - 1:\n                raise\n```",
    "- [x] renew the domain\n- [ ] backup the NAS\n- [ ] book the dentist",
    "Idea: show the plant watering streak on the dashboard. Cheap to compute from the history table.",
    "```sql\nSELECT day, count(*) FROM page_views WHERE site = 'blog' GROUP BY day ORDER BY day DESC LIMIT 14;\n```",
    "Call with the accountant\n\n1. invoices for Q3\n2. the VAT question\n3. next meeting in January",
    "> The best time to plant a tree was 20 years ago. The second best time is now.",
    "Bug: the embed page scrolls horizontally on 375 px when a table is wide. Wrap tables in a scroller.",
    "```bash\nrsync -avz --delete ~/photos/ nas:/volume1/photos/\n```",
    "| plant | every |\n|---|---|\n| fern | 3 days |\n| cactus | 3 weeks |",
    "Dinner: lentil soup, bread from the market, the last of the apples as a crumble.",
]


@pytest.mark.parametrize("kind", ["public", "embed"])
def test_a_typical_day_of_notes_is_a_page_under_30_kb(client: TestClient, session: Session, kind: str) -> None:
    workspace = service.create_workspace(session=session, title="Journal", is_public=True)
    for text in DAY:
        service.add_note(session=session, workspace_id=workspace.id, text=text, now=utcnow())
    session.commit()
    body = client.get(f"/{kind}/notes/{workspace.public_id}").content
    assert b'class="highlight"' in body and b'class="task-list"' in body
    assert len(body) < 30_000
    assert len(gzip.compress(body)) < 6_000


def test_the_inline_style_is_a_few_kb() -> None:
    assert len(public_html.stylesheet()) < 7_000
