"""E-mail to the owner through their SMTP server: one helper every feature sends with.

`send_email` hands a message to SMTP_HOST:SMTP_PORT and raises `MailError` with a one-line reason on
any failure; it blocks, so async callers run it in a thread. `plain_message` builds a short plain-text
message (plants compose their own digest; backups use this for a failure notice).
"""

from __future__ import annotations

import smtplib
import ssl
from datetime import datetime
from email.message import EmailMessage
from email.utils import format_datetime, getaddresses, make_msgid, parseaddr

from accumulator.settings import Settings

DEFAULT_FROM = "accumulator@localhost"
IMPLICIT_TLS_PORT = 465  # SMTPS: TLS from the first byte, so no STARTTLS


class MailError(Exception):
    """Sending failed; the message says why in one line and never contains the SMTP password.
    `permanent`: the server said no for good (a 5xx answer, a refused login) or the settings are
    incomplete, so sending again changes nothing until the owner does; otherwise try again later."""

    def __init__(self, reason: str, *, permanent: bool = False) -> None:
        super().__init__(reason)
        self.permanent = permanent


def _is_permanent(exc: Exception) -> bool:
    """SMTP's own split (RFC 5321): 5xx is a permanent refusal, 4xx and lost connections are not."""
    if isinstance(exc, smtplib.SMTPRecipientsRefused):
        return bool(exc.recipients) and all(500 <= code < 600 for code, _ in exc.recipients.values())
    if isinstance(exc, smtplib.SMTPNotSupportedError | ssl.SSLCertVerificationError):
        return True
    code = getattr(exc, "smtp_code", 0)
    return isinstance(exc, smtplib.SMTPResponseException) and 500 <= code < 600


def one_line(text: str) -> str:
    return " ".join(text.split())


def sender(settings: Settings) -> str:
    return settings.mail_from or DEFAULT_FROM


def domain_of(address: str) -> str:
    domain = parseaddr(address)[1].rpartition("@")[2]
    return domain or "localhost"


def plain_message(*, settings: Settings, subject: str, text: str, tag: str) -> EmailMessage:
    """A plain-text message from MAIL_FROM to MAIL_TO (`tag` goes into its Message-ID)."""
    message = EmailMessage()
    message["From"] = sender(settings)
    if settings.mail_to:
        message["To"] = settings.mail_to
    message["Subject"] = one_line(subject)
    message["Date"] = format_datetime(datetime.now(settings.zone))
    message["Message-ID"] = make_msgid(idstring=tag, domain=domain_of(sender(settings)))
    message["Auto-Submitted"] = "auto-generated"  # RFC 3834: tells vacation responders not to reply
    message.set_content(text, cte="quoted-printable")
    return message


# Sending
def _response(code: int, text: bytes | str) -> str:
    if isinstance(text, bytes):
        text = text.decode("utf-8", "replace")
    text = one_line(text)
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
    return f"{where} failed during {step}: {one_line(str(exc)) or type(exc).__name__}"


def _fail(reason: str, settings: Settings, *, permanent: bool = False) -> MailError:
    if settings.smtp_password:  # servers never should, but never echo the password
        reason = reason.replace(settings.smtp_password, "***")
    return MailError(one_line(reason), permanent=permanent)


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
        raise MailError("SMTP_HOST is not set", permanent=True)
    if not getaddresses(message.get_all("To", []) + message.get_all("Cc", []) + message.get_all("Bcc", [])):
        raise MailError("the message has no recipient (set MAIL_TO)", permanent=True)
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
        raise _fail(_reason(exc, step, where), settings, permanent=_is_permanent(exc)) from exc
    try:
        client.quit()
    except (smtplib.SMTPException, OSError):  # the message is already accepted; a rude goodbye changes nothing
        client.close()
