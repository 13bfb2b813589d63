"""The weekly digest as text and as HTML, from what the features read (notify/weekly.py gathers it).

The HTML is what mail clients render well: nested tables, inline styles, one column at most 600 px
wide that narrows to a phone's 375, no images, no style sheet, no script. Every piece of text from
the data (page paths, referrers, track names, plant names) is escaped. A section with nothing in it
is left out of both parts, so they say the same things.
"""

from __future__ import annotations

import html
from dataclasses import dataclass
from datetime import date

from accumulator.analytics.summaries import WeekTraffic
from accumulator.comments.week import CommentsWeek
from accumulator.plants.week import PlantsWeek
from accumulator.spotify.stats import Ranked

FONT = "font-family:-apple-system,Segoe UI,Roboto,Helvetica,Arial,sans-serif"
MUTED = "color:#6b7280"


@dataclass(frozen=True)
class Digest:
    first: date  # the week's first and last local days, both included
    last: date
    traffic: WeekTraffic
    comments: CommentsWeek
    notes: int
    plants: PlantsWeek
    tracks: list[Ranked]


@dataclass(frozen=True)
class Section:
    title: str
    lines: list[str]  # plain-text lines (the HTML shows the same, as paragraphs)
    rows: list[tuple[str, str]]  # a two-column table: label, figure


def change(now: int, before: int) -> str:
    if before == 0:
        return "new" if now else "0"
    percent = round(100 * (now - before) / before)
    return f"{percent:+d}%"


def seconds_text(seconds: int) -> str:
    minutes, rest = divmod(max(seconds, 0), 60)
    return f"{minutes} min {rest} s" if minutes else f"{rest} s"


def period_text(digest: Digest) -> str:
    return f"{digest.first:%a %d %b} to {digest.last:%a %d %b %Y}"


def sections(digest: Digest) -> list[Section]:
    found: list[Section] = []
    traffic = digest.traffic
    if traffic.views or traffic.views_before:
        lines = [
            f"{traffic.views:,} page views ({change(traffic.views, traffic.views_before)} on the week before, "
            f"{traffic.views_before:,}), {traffic.visitors:,} visitors."
        ]
        rows = [
            (f"{page.site}{page.path}", f"{page.views:,} ({change(page.views, page.views_before)})")
            for page in traffic.top_pages
        ]
        found.append(Section("Top pages", lines, rows))
    if traffic.timed > 0:
        line = f"Average reading time {seconds_text(traffic.reading_avg_seconds)}"
        if traffic.reading_median_seconds >= 0:
            line += f" (median {seconds_text(traffic.reading_median_seconds)})"
        found.append(Section("Reading time", [f"{line}, over {traffic.timed:,} page views."], []))
    if traffic.new_referrers:
        rows = [(host, f"{views:,} views") for host, views in traffic.new_referrers]
        found.append(Section("New referrers", ["Sites that sent readers for the first time:"], rows))
    comments = digest.comments
    if comments.received:
        waiting = f" ({comments.held:,} waiting for your approval)" if comments.held else ""
        lines = [f"{comments.received:,} comment{'s' if comments.received != 1 else ''} received{waiting}."]
        rows = [(f"{site}{path}", f"{count:,}") for site, path, count in comments.pages]
        found.append(Section("Comments", lines, rows))
    if digest.notes:
        found.append(Section("Notes", [f"You wrote {digest.notes:,} note{'s' if digest.notes != 1 else ''}."], []))
    plants = digest.plants
    if plants.waterings or plants.overdue:
        lines = [f"Watered {plants.waterings:,} times ({plants.plants_watered:,} plants)."] if plants.waterings else []
        if plants.overdue:
            lines.append(f"{len(plants.overdue):,} overdue:")
        rows = [
            (plant.name, f"{plant.overdue_days} day{'s' if plant.overdue_days != 1 else ''} late")
            for plant in plants.overdue
        ]
        found.append(Section("Plants", lines, rows))
    if digest.tracks:
        rows = [
            (f"{track.name} \u2014 {track.detail}", f"{track.plays:,} play{'s' if track.plays != 1 else ''}")
            for track in digest.tracks
        ]
        found.append(Section("Most played", [], rows))
    return found


def subject(digest: Digest) -> str:
    return f"Your week: {digest.first:%d %b} to {digest.last:%d %b}"


def text(digest: Digest, *, link: str) -> str:
    parts = [f"Your week in Accumulator, {period_text(digest)}."]
    found = sections(digest)
    if not found:
        parts.append("A quiet week: nothing to report.")
    for section in found:
        block = [section.title, "-" * len(section.title), *section.lines]
        block += [f"  {label}: {figure}" for label, figure in section.rows]
        parts.append("\n".join(block))
    parts.append(f"The dashboard: {link}")
    return "\n\n".join(parts) + "\n"


def _cell(value: str, *, right: bool = False) -> str:
    align = "right;white-space:nowrap;padding-left:12px" if right else "left;word-break:break-word"
    return f'<td style="padding:4px 0;border-bottom:1px solid #e5e7eb;text-align:{align};font-size:14px">{value}</td>'


def _section_html(section: Section) -> str:
    out = [f'<h2 style="margin:24px 0 8px;font-size:17px;{FONT}">{html.escape(section.title)}</h2>']
    paragraph = '<p style="margin:0 0 8px;font-size:15px;line-height:1.5">'
    out += [f"{paragraph}{html.escape(line)}</p>" for line in section.lines]
    if section.rows:
        rows = "".join(
            f"<tr>{_cell(html.escape(label))}{_cell(html.escape(figure), right=True)}</tr>"
            for label, figure in section.rows
        )
        out.append(f'<table role="presentation" width="100%" cellpadding="0" cellspacing="0" border="0">{rows}</table>')
    return "".join(out)


def html_part(digest: Digest, *, link: str) -> str:
    found = sections(digest)
    body = "".join(_section_html(section) for section in found) or (
        '<p style="font-size:15px">A quiet week: nothing to report.</p>'
    )
    title = html.escape(subject(digest))
    return (
        '<!DOCTYPE html><html><head><meta charset="utf-8">'
        '<meta name="viewport" content="width=device-width,initial-scale=1">'
        f"<title>{title}</title></head>"
        f'<body style="margin:0;padding:0;background:#f3f4f6;{FONT};color:#111827">'
        '<table role="presentation" width="100%" cellpadding="0" cellspacing="0" border="0" style="background:#f3f4f6">'
        '<tr><td align="center" style="padding:16px 8px">'
        '<table role="presentation" width="100%" cellpadding="0" cellspacing="0" border="0" '
        'style="max-width:600px;background:#ffffff;border-radius:8px">'
        f'<tr><td style="padding:20px 16px;{FONT}">'
        f'<h1 style="margin:0 0 4px;font-size:20px">{title}</h1>'
        f'<p style="margin:0;font-size:14px;{MUTED}">{html.escape(period_text(digest))}</p>'
        f"{body}"
        f'<p style="margin:24px 0 0;font-size:14px"><a href="{html.escape(link, quote=True)}" '
        'style="color:#2563eb">Open the dashboard</a></p>'
        "</td></tr></table></td></tr></table></body></html>"
    )
