"""Channels: small transports with one contract (see base.py), and the registry naming them."""
