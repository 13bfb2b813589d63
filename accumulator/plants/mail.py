"""The daily plant digest by e-mail: compose it; `accumulator.mail` sends it through the owner's
SMTP server (`send_email` and `MailError` are re-exported here for the reminders).

`compose_digest` builds one message (plain text with an HTML alternative) listing every plant due
or overdue, most overdue first.
"""

from __future__ import annotations

import html
from collections.abc import Sequence
from datetime import date, datetime
from email.message import EmailMessage
from email.utils import format_datetime, make_msgid

from accumulator.mail import DEFAULT_FROM, IMPLICIT_TLS_PORT, MailError, send_email
from accumulator.mail import domain_of as _domain
from accumulator.mail import one_line as _one_line
from accumulator.mail import sender as _sender
from accumulator.plants.due import DuePlant
from accumulator.settings import Settings

__all__ = [
    "DEFAULT_FROM",
    "IMPLICIT_TLS_PORT",
    "MailError",
    "compose_digest",
    "digest_parts",
    "digest_subject",
    "send_email",
]

WHY_YOU_GET_THIS = "You get this once a day while plants are due; mark them watered or snooze them to stop."


# ---------------------------------------------------------------------------------------------------------------------
# Composing


def digest_subject(plants: Sequence[DuePlant]) -> str:
    """'1 plant needs water today', '3 plants need a soil check today', '4 plants need care today'."""
    count = len(plants)
    if not count:
        return "No plants need care today"
    soil = sum(1 for plant in plants if plant.check_soil)
    if soil == 0:
        what = "water"
    elif soil == count:
        what = "a soil check"
    else:
        what = "care"
    return f"1 plant needs {what} today" if count == 1 else f"{count} plants need {what} today"


def _when(plant: DuePlant) -> str:
    if plant.overdue_days <= 0:
        return "due today"
    if plant.overdue_days == 1:
        return "1 day overdue"
    return f"{plant.overdue_days} days overdue"


def _action(plant: DuePlant) -> str:
    return "Check the soil" if plant.check_soil else "Water it"


def _most_overdue_first(plants: Sequence[DuePlant]) -> list[DuePlant]:
    return sorted(plants, key=lambda plant: (-plant.overdue_days, plant.name.casefold(), plant.id))


def _long_date(day: date) -> str:
    return f"{day:%A} {day.day} {day:%B %Y}"


def _plain_body(plants: list[DuePlant], base_url: str, today: date) -> str:
    lines = [f"{digest_subject(plants)} ({_long_date(today)}):", ""]
    for plant in plants:
        place = f" ({_one_line(plant.location)})" if plant.location.strip() else ""
        lines.append(f"- {_one_line(plant.name)}{place}: {_when(plant)}. {_action(plant)}.")
        lines.append(f"  {base_url}/plants/{plant.id}")
    lines += ["", f"All plants: {base_url}/plants", "", WHY_YOU_GET_THIS, ""]
    return "\n".join(lines)


def _html_body(plants: list[DuePlant], base_url: str, today: date) -> str:
    def esc(text: str) -> str:
        return html.escape(_one_line(text), quote=True)

    items = []
    for plant in plants:
        place = f" ({esc(plant.location)})" if plant.location.strip() else ""
        link = esc(f"{base_url}/plants/{plant.id}")
        items.append(
            f'<li style="margin-bottom:6px"><a href="{link}"><strong>{esc(plant.name)}</strong></a>{place}: '
            f"{esc(_when(plant))}. {esc(_action(plant))}.</li>"
        )
    listing = "\n".join(items)
    return (
        "<!doctype html>\n"
        '<html><body style="font-family:sans-serif;line-height:1.4">\n'
        f"<p>{esc(digest_subject(plants))} ({esc(_long_date(today))}):</p>\n"
        f"<ul>\n{listing}\n</ul>\n"
        f'<p><a href="{esc(base_url)}/plants">All plants</a></p>\n'
        f'<p style="color:#666;font-size:smaller">{esc(WHY_YOU_GET_THIS)}</p>\n'
        "</body></html>\n"
    )


def digest_parts(plants: Sequence[DuePlant], *, base_url: str, today: date) -> tuple[str, str, str]:
    """(subject, plain text, HTML) of the digest, most overdue first: what every channel sends."""
    ordered = _most_overdue_first(plants)
    return digest_subject(ordered), _plain_body(ordered, base_url, today), _html_body(ordered, base_url, today)


def compose_digest(plants: Sequence[DuePlant], *, settings: Settings, today: date) -> EmailMessage:
    """One e-mail listing `plants` (most overdue first), with links into the app at `settings.base_url`."""
    ordered = _most_overdue_first(plants)
    sender = _sender(settings)
    message = EmailMessage()
    message["From"] = sender
    if settings.mail_to:
        message["To"] = settings.mail_to
    message["Subject"] = digest_subject(ordered)
    message["Date"] = format_datetime(datetime.now(settings.zone))
    message["Message-ID"] = make_msgid(idstring="plants", domain=_domain(sender))
    message["Auto-Submitted"] = "auto-generated"  # RFC 3834: tells vacation responders not to reply
    # Quoted-printable keeps the message 7-bit, so servers without 8BITMIME take it as it is.
    message.set_content(_plain_body(ordered, settings.base_url, today), cte="quoted-printable")
    message.add_alternative(_html_body(ordered, settings.base_url, today), subtype="html", cte="quoted-printable")
    return message
