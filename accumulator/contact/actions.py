"""The only way contact messages change: rate limit, one transaction off the event loop."""

from __future__ import annotations

from typing import Any

from accumulator.comments.actions import check_address
from accumulator.contact import service
from accumulator.db import utcnow
from accumulator.runtime import Services, in_transaction


async def send_message(svc: Services, *, data: dict[str, Any], ip: str) -> str:
    """Take a contact message; its id. Raises spam.Refused saying why not."""
    now = utcnow()
    email, message = service.parse_message(
        data, secret=svc.settings.secret_key, now=now, min_seconds=svc.settings.comments_min_seconds
    )
    await check_address(svc, ip)
    row = await in_transaction(svc, service.store_message, email=email, message=message, now=now)
    return row.id


async def mark_read(svc: Services, *, message_id: str, read: bool = True) -> bool:
    return await in_transaction(svc, service.mark_read, message_id=message_id, now=utcnow(), read=read)


async def delete_message(svc: Services, *, message_id: str) -> bool:
    return await in_transaction(svc, service.delete_message, message_id=message_id)
