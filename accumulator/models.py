"""Imports every feature's tables, so Alembic and the tests see the whole schema."""

from accumulator.analytics.models import DailyDimension, DailyPageStat, DailySalt, DailyVisitor, PageStat
from accumulator.auth.models import Owner, OwnerSession

__all__ = ["DailyDimension", "DailyPageStat", "DailySalt", "DailyVisitor", "Owner", "OwnerSession", "PageStat"]
