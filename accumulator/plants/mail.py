"""The daily plant digest by e-mail: compose it, and send it through the owner's SMTP server.

`compose_digest` builds one message (plain text with an HTML alternative) listing every plant due
or overdue, most overdue first. `send_email` hands it to SMTP_HOST:SMTP_PORT and raises `MailError`
with a one-line reason on any failure; it blocks, so async callers run it in a thread.
"""

from __future__ import annotations

import html
import smtplib
import ssl
from collections.abc import Sequence
from datetime import date, datetime
from email.message import EmailMessage
from email.utils import format_datetime, getaddresses, make_msgid, parseaddr

from accumulator.plants.due import DuePlant
from accumulator.settings import Settings

DEFAULT_FROM = "accumulator@localhost"
IMPLICIT_TLS_PORT = 465  # SMTPS: TLS from the first byte, so no STARTTLS
WHY_YOU_GET_THIS = "You get this once a day while plants are due; mark them watered or snooze them to stop."


class MailError(Exception):
    """Sending failed; the message says why in one line and never contains the SMTP password."""


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


def _one_line(text: str) -> str:
    return " ".join(text.split())


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


def _sender(settings: Settings) -> str:
    return settings.mail_from or DEFAULT_FROM


def _domain(address: str) -> str:
    domain = parseaddr(address)[1].rpartition("@")[2]
    return domain or "localhost"


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


# ---------------------------------------------------------------------------------------------------------------------
# Sending


def _response(code: int, text: bytes | str) -> str:
    if isinstance(text, bytes):
        text = text.decode("utf-8", "replace")
    text = _one_line(text)
    return f"{code} {text}".strip() if code and code > 0 else text


def _os_reason(exc: OSError) -> str:
    if isinstance(exc, ssl.SSLCertVerificationError) and exc.verify_message:
        return f"certificate verify failed: {exc.verify_message}"
    if isinstance(exc, ssl.SSLError):
        return exc.reason or str(exc) or type(exc).__name__
    if isinstance(exc, TimeoutError):
        return "timed out"
    return exc.strerror or str(exc) or type(exc).__name__


def _reason(exc: Exception, step: str, where: str) -> str:
    """A one-line explanation of `exc`, raised while doing `step` with the server at `where`."""
    if isinstance(exc, smtplib.SMTPAuthenticationError):
        return f"the server refused the login ({_response(exc.smtp_code, exc.smtp_error)})"
    if isinstance(exc, smtplib.SMTPNotSupportedError) and step == "starttls":
        return f"{where} does not offer STARTTLS (set SMTP_STARTTLS=false to send unencrypted)"
    if isinstance(exc, smtplib.SMTPNotSupportedError) and step == "login":
        return f"{where} does not offer a login (AUTH); unset SMTP_USERNAME or use STARTTLS"
    if step == "login" and "No suitable authentication method" in str(exc):
        return f"the server refused the login: no login method in common with {where}"
    if isinstance(exc, smtplib.SMTPRecipientsRefused):
        refused = ", ".join(f"{address} ({_response(code, text)})" for address, (code, text) in exc.recipients.items())
        return f"the server refused the recipient {refused}" if refused else "the message has no recipient"
    if isinstance(exc, smtplib.SMTPSenderRefused):
        sender = exc.sender.decode() if isinstance(exc.sender, bytes) else exc.sender
        return f"the server refused the sender {sender} ({_response(exc.smtp_code, exc.smtp_error)})"
    if isinstance(exc, smtplib.SMTPDataError):
        return f"the server rejected the message ({_response(exc.smtp_code, exc.smtp_error)})"
    if isinstance(exc, smtplib.SMTPConnectError):
        return f"could not connect to {where}: {_response(exc.smtp_code, exc.smtp_error)}"
    if isinstance(exc, smtplib.SMTPServerDisconnected):
        return f"{where} closed the connection during {step}"
    if isinstance(exc, smtplib.SMTPResponseException):
        return f"{where} failed during {step} ({_response(exc.smtp_code, exc.smtp_error)})"
    if isinstance(exc, ssl.SSLError):
        return f"TLS with {where} failed: {_os_reason(exc)}"
    if isinstance(exc, OSError):
        if step == "connect":
            return f"could not connect to {where}: {_os_reason(exc)}"
        return f"lost the connection to {where} during {step}: {_os_reason(exc)}"
    return f"{where} failed during {step}: {_one_line(str(exc)) or type(exc).__name__}"


def _fail(reason: str, settings: Settings) -> MailError:
    if settings.smtp_password:  # servers never should, but never echo the password
        reason = reason.replace(settings.smtp_password, "***")
    return MailError(_one_line(reason))


def send_email(message: EmailMessage, settings: Settings, *, timeout: float = 15.0) -> None:
    """Send `message` through SMTP_HOST:SMTP_PORT; raises MailError with a one-line reason.

    Port 465 means SMTPS (implicit TLS: encrypted from the first byte), so SMTP_STARTTLS is ignored
    there. On any other port the connection starts in plain text and is upgraded with STARTTLS when
    SMTP_STARTTLS is true (the default), checking the server's certificate against the system's
    trusted roots. The login (only when SMTP_USERNAME is set) always happens after that upgrade.
    Blocking: async callers run this in a thread.
    """
    host, port = settings.smtp_host, settings.smtp_port
    where = f"{host}:{port}"
    if not host:
        raise MailError("SMTP_HOST is not set")
    if not getaddresses(message.get_all("To", []) + message.get_all("Cc", []) + message.get_all("Bcc", [])):
        raise MailError("the message has no recipient (set MAIL_TO)")
    step = "connect"
    client: smtplib.SMTP | None = None
    try:
        if port == IMPLICIT_TLS_PORT:
            client = smtplib.SMTP_SSL(host, port, timeout=timeout, context=ssl.create_default_context())
        else:
            client = smtplib.SMTP(host, port, timeout=timeout)
            if settings.smtp_starttls:
                step = "starttls"
                client.starttls(context=ssl.create_default_context())
        if settings.smtp_username:
            step = "login"
            client.login(settings.smtp_username, settings.smtp_password)
        step = "sending"
        client.send_message(message)
    except (smtplib.SMTPException, OSError) as exc:  # ssl.SSLError is an OSError
        if client is not None:
            client.close()
        raise _fail(_reason(exc, step, where), settings) from exc
    try:
        client.quit()
    except (smtplib.SMTPException, OSError):  # the message is already accepted; a rude goodbye changes nothing
        client.close()
