"""Posting a comment or a contact message through the actions, as the HTTP routes do."""

from __future__ import annotations

from accumulator.comments import actions as comments
from accumulator.comments import spam
from accumulator.contact import actions as contact
from accumulator.db import utcnow
from accumulator.runtime import Services


async def send_comment(svc: Services, *, text: str, ip: str, name: str = "", path: str = "/posts/hello"):
    stamp = spam.form_stamp(svc.settings.secret_key, utcnow())
    data = {"site": "blog", "path": path, "text": text, "name": name, "stamp": stamp}
    return await comments.post_comment(svc, data=data, ip=ip)


async def send_contact(svc: Services, *, message: str, ip: str, email: str = "reader@example.org") -> str:
    stamp = spam.form_stamp(svc.settings.secret_key, utcnow())
    return await contact.send_message(svc, data={"email": email, "message": message, "stamp": stamp}, ip=ip)
