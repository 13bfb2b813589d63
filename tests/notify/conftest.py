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


from tests.spotify.conftest import fake as fake  # noqa: E402  (a fake Spotify on loopback)
from tests.spotify.conftest import spotify_settings as spotify_settings  # noqa: E402
from tests.spotify.conftest import sync as sync  # noqa: E402
