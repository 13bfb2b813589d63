"""The e-mail channel: the owner's SMTP server (SMTP_HOST…, to MAIL_TO), through `accumulator.mail`."""

from __future__ import annotations

import html
from email.message import EmailMessage

from starlette.concurrency import run_in_threadpool

from accumulator import mail
from accumulator.notify.channels.base import Outgoing, Permanent, Transient
from accumulator.settings import Settings


def _html_actions(message: Outgoing) -> str:
    links = [
        f'<a href="{html.escape(action["url"], quote=True)}" style="margin-right:12px">'
        f"{html.escape(action['label'])}</a>"
        for action in message.actions
        if action.get("url")
    ]
    return f"<p>{''.join(links)}</p>\n" if links else ""


def compose(message: Outgoing, settings: Settings) -> EmailMessage:
    """Plain text (with the action links, each asking for one confirming click) and, when the alert
    has one, its HTML part."""
    text = message.body or message.title
    if message.link and message.link not in text:
        text += f"\n\n{message.link}"
    actions = [f"{action['label']}: {action['url']}" for action in message.actions if action.get("url")]
    if actions:
        text += "\n\n" + "\n".join(actions)
    email = mail.plain_message(settings=settings, subject=message.title, text=text + "\n", tag=message.kind)
    if message.html:
        body = message.html
        extra = _html_actions(message)
        body = body.replace("</body>", extra + "</body>", 1) if "</body>" in body else body + extra
        email.add_alternative(body, subtype="html", cte="quoted-printable")
    return email


class EmailTransport:
    def __init__(self, settings: Settings) -> None:
        self.settings = settings

    async def send(self, message: Outgoing) -> None:
        try:
            await run_in_threadpool(mail.send_email, compose(message, self.settings), self.settings)
        except mail.MailError as exc:
            raise (Permanent if exc.permanent else Transient)(str(exc)) from None
