"""Declared access for Reflex event handlers: `@owner` and `@public`.

Over the websocket anyone can call any handler with any arguments, so a handler is an entry point
like an HTTP route. Each one of ours is declared where it is written:

    @owner
    async def delete_note(self, note_id: int): ...

The declaration does the checks, before the handler's body runs: the arguments against the
annotations (type, size, valid Unicode without NUL, bounded nesting; anything else is refused with a
message), then for `owner` the session behind the websocket's cookie and the connection's origin,
checked against the database on every call. A failed check clears every owner state of the tab and
sends it to the login page. Handlers without a declaration are refused by `AccessMiddleware`
(`ui/owner.py`), and a test walks every state of the app to find them.
"""

from __future__ import annotations

import functools
import inspect
import logging
import math
import types
import typing
from collections.abc import Callable
from dataclasses import dataclass
from typing import Annotated, Any

import reflex as rx

from accumulator.auth.access import OWNER, PUBLIC, Access, declare
from accumulator.inputs import InputError, clean_text, whole_number
from accumulator.settings import Settings

log = logging.getLogger(__name__)

TEXT_MAX = 2_000  # characters of a str argument, unless the annotation says otherwise
FORM_FIELDS_MAX = 32
LIST_ITEMS_MAX = 100
INT_RANGE = (-(2**63), 2**63 - 1)  # what the databases store


@dataclass(frozen=True)
class MaxLength:
    """`Annotated[str, MaxLength(n)]`: a longer text argument (e.g. a note) is allowed up to n."""

    value: int


class ArgumentError(ValueError):
    """An argument a handler cannot take; the message is safe to show."""


Check = Callable[[Any, str], Any]


def _text(limit: int) -> Check:
    def check(value: Any, name: str) -> str:
        try:
            return clean_text(value, field=name, max_length=limit)
        except InputError as exc:
            raise ArgumentError(str(exc)) from None

    return check


def _integer(value: Any, name: str) -> int:
    if isinstance(value, bool) or not isinstance(value, int):
        if isinstance(value, str) and (number := whole_number(value.removeprefix("-"), max_digits=19)) is not None:
            value = -number if value.startswith("-") else number
        else:
            raise ArgumentError(f"{name} must be a whole number.")
    if not INT_RANGE[0] <= value <= INT_RANGE[1]:
        raise ArgumentError(f"{name} is out of range.")
    return value


def _number(value: Any, name: str) -> float:
    if isinstance(value, bool) or not isinstance(value, int | float) or not math.isfinite(value):
        raise ArgumentError(f"{name} must be a number.")
    return float(value)


def _boolean(value: Any, name: str) -> bool:
    if not isinstance(value, bool):
        raise ArgumentError(f"{name} must be true or false.")
    return value


def _form(limit: int) -> Check:
    """A submitted form: a flat object of at most 32 named text, number or true/false fields."""
    text, key = _text(limit), _text(64)

    def check(value: Any, name: str) -> dict[str, Any]:
        if not isinstance(value, dict) or len(value) > FORM_FIELDS_MAX:
            raise ArgumentError(f"{name} must be a form of at most {FORM_FIELDS_MAX} fields.")
        form: dict[str, Any] = {}
        for field_name, field_value in value.items():
            field_name = key(field_name, "a field name")
            if field_value is None or isinstance(field_value, bool):
                form[field_name] = field_value
            elif isinstance(field_value, int):
                form[field_name] = _integer(field_value, field_name)
            elif isinstance(field_value, float):
                form[field_name] = _number(field_value, field_name)
            else:
                form[field_name] = text(field_value, field_name)
        return form

    return check


def _one_of(checks: list[Check]) -> Check:
    def check(value: Any, name: str) -> Any:
        for candidate in checks:
            try:
                return candidate(value, name)
            except ArgumentError:
                continue
        raise ArgumentError(f"{name} has the wrong type.")

    return check


def _list_of(item: Check) -> Check:
    def check(value: Any, name: str) -> list[Any]:
        if not isinstance(value, list) or len(value) > LIST_ITEMS_MAX:
            raise ArgumentError(f"{name} must be a list of at most {LIST_ITEMS_MAX} items.")
        return [item(element, name) for element in value]

    return check


def _none(value: Any, name: str) -> None:
    if value is not None:
        raise ArgumentError(f"{name} has the wrong type.")


def checker(hint: Any, limit: int | None = None) -> Check:
    """The check for one annotation; TypeError for an annotation a handler may not take (Any,
    nested structures, classes): every argument has a type we can bound."""
    origin = typing.get_origin(hint)
    if origin is Annotated:
        base, *extras = typing.get_args(hint)
        sizes = [extra.value for extra in extras if isinstance(extra, MaxLength)]
        return checker(base, sizes[0] if sizes else limit)
    if hint is str:
        return _text(limit or TEXT_MAX)
    if hint is bool:
        return _boolean
    if hint is int:
        return _integer
    if hint is float:
        return _number
    if hint is dict or origin is dict:
        return _form(limit or TEXT_MAX)
    if hint is type(None):
        return _none
    if origin is list:
        (item,) = typing.get_args(hint)
        return _list_of(checker(item, limit))
    if origin in (typing.Union, types.UnionType):
        return _one_of([checker(option, limit) for option in typing.get_args(hint)])
    raise TypeError(f"a handler argument cannot be {hint!r}: use str, int, float, bool, a form dict or a list")


@functools.cache
def argument_checks(fn: Callable) -> dict[str, Check]:
    """The checks of every argument of a handler (after `self`), from its annotations."""
    hints = typing.get_type_hints(fn, include_extras=True)
    checks: dict[str, Check] = {}
    for name, parameter in list(inspect.signature(fn).parameters.items())[1:]:
        if parameter.kind in (parameter.VAR_POSITIONAL, parameter.VAR_KEYWORD):
            raise TypeError(f"{fn.__qualname__}: *args and **kwargs cannot be checked")
        if name not in hints:
            raise TypeError(f"{fn.__qualname__}: argument {name!r} has no annotation")
        checks[name] = checker(hints[name])
    return checks


def check_arguments(fn: Callable, arguments: dict[str, Any]) -> dict[str, Any]:
    checks = argument_checks(fn)
    unknown = set(arguments) - set(checks)
    if unknown:
        raise ArgumentError("Unexpected arguments.")
    return {name: checks[name](value, name.replace("_", " ")) for name, value in arguments.items()}


def _declare_handler(fn: Callable, access: Access) -> Any:
    if inspect.isgeneratorfunction(fn) or inspect.isasyncgenfunction(fn):
        raise TypeError(f"{fn.__qualname__}: declared handlers return their events; they do not yield")

    @functools.wraps(fn)
    async def guarded(self: Any, **arguments: Any) -> Any:
        try:
            arguments = check_arguments(fn, arguments)
        except ArgumentError as exc:
            log.info("refused %s: %s", fn.__qualname__, exc)
            return rx.toast.error(f"Not done: {exc}")
        if access.kind == OWNER and not await self._owner_check(access):
            return self._refusal()
        result = fn(self, **arguments)
        return await result if inspect.isawaitable(result) else result

    return rx.event(declare(guarded, access))


def owner(fn: Callable | None = None, *, public_if: Callable[[Settings], bool] | None = None) -> Any:
    """A handler for the owner's tab only (see the module docstring). `public_if`: a setting that
    opens it to everyone (the dashboard's DASHBOARD_PUBLIC)."""
    access = Access(OWNER, public_if=public_if)
    return _declare_handler(fn, access) if fn is not None else lambda f: _declare_handler(f, access)


def public(fn: Callable) -> Any:
    """A handler anyone's tab may call: its arguments are still checked."""
    return _declare_handler(fn, Access(PUBLIC))
