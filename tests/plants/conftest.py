"""Fixtures every plant test module can use."""

from tests.plants.test_mail import smtp as smtp  # a real SMTP server on loopback
