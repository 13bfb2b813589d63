"""The plant digest e-mail, sent to a real SMTP server (aiosmtpd) on loopback: what arrives, how it
reads in plain text and HTML (user input escaped), SMTP AUTH, and one-line errors that never leak
the password."""

from __future__ import annotations

import email
import email.policy
import socket
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult, Envelope, LoginPassword

from accumulator.plants.due import DuePlant
from accumulator.plants.mail import MailError, compose_digest, digest_subject, send_email
from accumulator.settings import Settings, load_settings

TODAY = date(2026, 5, 12)
USER, PASSWORD = "gardener", "s3cret-hunter2"


def plant(id: int, name: str, overdue_days: int = 0, *, location: str = "", check_soil: bool = False) -> DuePlant:
    return DuePlant(
        id=id,
        name=name,
        location=location,
        due_on=date.fromordinal(TODAY.toordinal() - overdue_days),
        overdue_days=overdue_days,
        check_soil=check_soil,
    )


DIGEST = [
    plant(7, "Basil", 0, location="Kitchen"),
    plant(12, "Fern <b>&", 1),
    plant(3, "Monstera", 4, location="Living room", check_soil=True),
]


@dataclass
class Inbox:
    """An aiosmtpd handler that keeps what it receives, and refuses the recipients it is told to."""

    envelopes: list[Envelope] = field(default_factory=list)
    refuse: set[str] = field(default_factory=set)
    logins: list[tuple[str, str]] = field(default_factory=list)

    async def handle_RCPT(self, server: Any, session: Any, envelope: Envelope, address: str, options: list) -> str:
        if address in self.refuse:
            return "550 5.1.1 No such mailbox"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server: Any, session: Any, envelope: Envelope) -> str:
        self.envelopes.append(envelope)
        return "250 Message accepted for delivery"

    def authenticate(self, server: Any, session: Any, envelope: Envelope, mechanism: str, data: Any) -> AuthResult:
        assert isinstance(data, LoginPassword)
        login, password = data.login.decode(), data.password.decode()
        self.logins.append((login, password))
        return AuthResult(success=(login, password) == (USER, PASSWORD), handled=False, auth_data=data)


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture
def smtp() -> Iterator[tuple[Inbox, int]]:
    inbox = Inbox()
    port = free_port()
    controller = Controller(
        inbox,
        hostname="127.0.0.1",
        port=port,
        auth_require_tls=False,
        authenticator=inbox.authenticate,
        ready_timeout=5.0,
    )
    controller.start()
    try:
        yield inbox, port
    finally:
        controller.stop()


def make_settings(tmp_path: Path, port: int, **extra: str) -> Settings:
    env = {
        "DATA_DIR": str(tmp_path),
        "SMTP_HOST": "127.0.0.1",
        "SMTP_PORT": str(port),
        "SMTP_STARTTLS": "false",
        "MAIL_FROM": "plants@example.com",
        "MAIL_TO": "owner@example.com",
        "PUBLIC_URL": "https://acc.example.com",
    }
    return load_settings({**env, **extra})


def received(inbox: Inbox) -> email.message.EmailMessage:
    (envelope,) = inbox.envelopes
    return email.message_from_bytes(envelope.content, policy=email.policy.default)


def test_digest_arrives_most_overdue_first_with_links_and_escaped_html(tmp_path: Path, smtp: tuple[Inbox, int]):
    inbox, port = smtp
    settings = make_settings(tmp_path, port)

    send_email(compose_digest(DIGEST, settings=settings, today=TODAY), settings, timeout=5)

    (envelope,) = inbox.envelopes
    assert envelope.mail_from == "plants@example.com"
    assert envelope.rcpt_tos == ["owner@example.com"]
    message = received(inbox)
    assert message["Subject"] == "3 plants need care today"
    assert message["From"] == "plants@example.com"
    assert message["To"] == "owner@example.com"
    assert message["Date"] and message["Message-ID"].endswith("@example.com>")

    text = message.get_body(preferencelist=("plain",)).get_content()
    lines = [line.strip() for line in text.splitlines() if line.strip()]
    entries = [line for line in lines if line.startswith("- ")]
    assert entries == [
        "- Monstera (Living room): 4 days overdue. Check the soil.",
        "- Fern <b>&: 1 day overdue. Water it.",
        "- Basil (Kitchen): due today. Water it.",
    ]
    links = [lines[lines.index(entry) + 1] for entry in entries]
    assert links == [f"https://acc.example.com/plants/{id}" for id in (3, 12, 7)]
    assert "All plants: https://acc.example.com/plants" in lines
    assert "Tuesday 12 May 2026" in text
    assert lines[-1] == "You get this once a day while plants are due; mark them watered or snooze them to stop."

    page = message.get_body(preferencelist=("html",)).get_content()
    assert "Fern &lt;b&gt;&amp;" in page
    assert "<b>&" not in page
    assert '<a href="https://acc.example.com/plants">' in page
    assert page.index("/plants/3") < page.index("/plants/12") < page.index("/plants/7")
    assert "4 days overdue. Check the soil." in page


def test_login_uses_the_configured_credentials(tmp_path: Path, smtp: tuple[Inbox, int]):
    inbox, port = smtp
    settings = make_settings(tmp_path, port, SMTP_USERNAME=USER, SMTP_PASSWORD=PASSWORD)

    send_email(compose_digest(DIGEST[:1], settings=settings, today=TODAY), settings, timeout=5)

    assert inbox.logins == [(USER, PASSWORD)]
    assert received(inbox)["Subject"] == "1 plant needs water today"


def test_wrong_password_is_a_login_error_without_the_password(tmp_path: Path, smtp: tuple[Inbox, int]):
    inbox, port = smtp
    wrong = "not-the-s3cret"
    settings = make_settings(tmp_path, port, SMTP_USERNAME=USER, SMTP_PASSWORD=wrong)

    with pytest.raises(MailError) as caught:
        send_email(compose_digest(DIGEST, settings=settings, today=TODAY), settings, timeout=5)

    assert "refused the login" in str(caught.value)
    assert wrong not in str(caught.value)
    assert "\n" not in str(caught.value)
    assert inbox.logins and all(login == (USER, wrong) for login in inbox.logins)
    assert inbox.envelopes == []


def test_nothing_listening_fails_fast_naming_host_and_port(tmp_path: Path):
    port = free_port()
    settings = make_settings(tmp_path, port)
    started = time.monotonic()

    with pytest.raises(MailError, match=rf"^could not connect to 127\.0\.0\.1:{port}: "):
        send_email(compose_digest(DIGEST, settings=settings, today=TODAY), settings, timeout=1)

    assert time.monotonic() - started < 2


def test_refused_recipient_is_named(tmp_path: Path, smtp: tuple[Inbox, int]):
    inbox, port = smtp
    inbox.refuse.add("owner@example.com")
    settings = make_settings(tmp_path, port)

    with pytest.raises(MailError, match=r"^the server refused the recipient owner@example\.com \(550 "):
        send_email(compose_digest(DIGEST, settings=settings, today=TODAY), settings, timeout=5)


def test_starttls_required_but_not_offered(tmp_path: Path, smtp: tuple[Inbox, int]):
    inbox, port = smtp
    settings = make_settings(tmp_path, port, SMTP_STARTTLS="true")

    with pytest.raises(MailError, match=rf"127\.0\.0\.1:{port} does not offer STARTTLS"):
        send_email(compose_digest(DIGEST, settings=settings, today=TODAY), settings, timeout=5)
    assert inbox.envelopes == []


@pytest.mark.parametrize(
    ("plants", "subject"),
    [
        ([plant(1, "A")], "1 plant needs water today"),
        ([plant(1, "A", 2), plant(2, "B")], "2 plants need water today"),
        ([plant(1, "A", check_soil=True)], "1 plant needs a soil check today"),
        ([plant(1, "A", check_soil=True), plant(2, "B")], "2 plants need care today"),
    ],
)
def test_subject(plants: list[DuePlant], subject: str):
    assert digest_subject(plants) == subject


def test_without_mail_from_or_public_url(tmp_path: Path):
    settings = load_settings({"DATA_DIR": str(tmp_path), "PORT": "8123", "MAIL_TO": "owner@example.com"})

    message = compose_digest([plant(5, "Ivy", 2)], settings=settings, today=TODAY)

    assert message["From"] == "accumulator@localhost"
    text = message.get_body(preferencelist=("plain",)).get_content()
    assert "- Ivy: 2 days overdue. Water it." in text
    assert "http://localhost:8123/plants/5" in text
