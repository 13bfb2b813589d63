"""The tokens page's state: thin; the rules live in service.py."""

from __future__ import annotations

import reflex as rx

from accumulator.runtime import get_services
from accumulator.tokens import actions, reads, service
from accumulator.tokens.reads import TokenRow
from accumulator.ui.access import owner
from accumulator.ui.owner import OwnerState

__all__ = ["TokenRow", "TokensState"]

EXPIRY_CHOICES = ("never", "7", "30", "90", "365")


class TokensState(OwnerState):
    tokens: list[TokenRow] = []
    # The token just made, shown once: it is forgotten on the next load of the page.
    new_token: str = ""
    new_token_name: str = ""
    error: str = ""

    async def _load(self) -> None:
        self.tokens = await reads.tokens(get_services())

    @owner
    async def load_tokens(self):
        self.new_token, self.new_token_name, self.error = "", "", ""
        await self._load()

    @owner
    async def create_token(self, form: dict):
        """The form's name, scope and expiry (days, or "never")."""
        name = form.get("name", "")
        try:
            expires = service.check_expiry_days(form.get("expires_days", "never"))
            raw = await actions.create_token(
                get_services(), name=name, scope=form.get("scope", "read"), expires_days=expires
            )
        except service.TokenError as exc:
            self.error = str(exc)
            return None
        self.error = ""
        self.new_token, self.new_token_name = raw, service.check_name(name)
        await self._load()
        return rx.toast.success("Token created: copy it now, it is shown only once.")

    @owner
    async def dismiss_token(self):
        self.new_token, self.new_token_name = "", ""

    @owner
    async def revoke(self, token_id: int):
        found = await actions.revoke_token(get_services(), token_id=token_id)
        await self._load()
        return rx.toast.success("Token revoked.") if found else rx.toast.info("That token was already revoked.")
