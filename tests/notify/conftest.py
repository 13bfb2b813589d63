"""Fixtures of the notification tests: a real SMTP server (the plants' one) and local HTTP
receivers for Apprise."""

from collections.abc import Iterator

import pytest

from tests.notify.servers import Receiver, running_receiver
from tests.plants.test_mail import smtp as smtp  # a real SMTP server on loopback


@pytest.fixture
def ntfy() -> Iterator[Receiver]:
    with running_receiver() as receiver:
        yield receiver


@pytest.fixture
def webhook() -> Iterator[Receiver]:
    with running_receiver() as receiver:
        yield receiver
