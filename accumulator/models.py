"""Imports every feature's tables, so Alembic and the tests see the whole schema."""

from accumulator.auth.models import Owner, OwnerSession

__all__ = ["Owner", "OwnerSession"]
