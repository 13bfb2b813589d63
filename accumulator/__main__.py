"""Command line: `python -m accumulator create-owner --email E`, `python -m accumulator owner-status`."""

from __future__ import annotations

import argparse
import getpass
import os
import sys

from accumulator.auth import service
from accumulator.db import session_scope
from accumulator.settings import SettingsError, get_settings

MAKE_OWNER_HINT = "make owner EMAIL=you@example.com"


def _read_password() -> str:
    from_env = os.environ.get("ACCUMULATOR_OWNER_PASSWORD")
    if from_env:
        return from_env
    if not sys.stdin.isatty():
        raise service.AuthError("No terminal to ask for a password: set ACCUMULATOR_OWNER_PASSWORD.")
    first = getpass.getpass(f"Password (at least {service.PASSWORD_MIN_LENGTH} characters): ")
    service.check_password_rules(first)
    if getpass.getpass("Same password again: ") != first:
        raise service.AuthError("The two passwords differ.")
    return first


def create_owner(email: str) -> int:
    try:
        email = service.normalise_email(email)
        password = _read_password()
        with session_scope() as session:
            replaced = service.get_owner(session=session) is not None
            service.set_owner(session=session, email=email, password=password)
    except service.AuthError as error:
        print(f"Not saved: {error}", file=sys.stderr)
        return 1
    if replaced:
        print(f"Owner updated: {email}. Every existing session was logged out.")
    else:
        print(f"Owner created: {email}. Log in at /login.")
    return 0


def owner_status() -> int:
    """Printed by `make run` before serving, so a newcomer knows how to log in."""
    with session_scope() as session:
        owner = service.get_owner(session=session)
    if owner is None:
        print("\n  No owner account yet. To be able to log in, run in another terminal:")
        print(f"      {MAKE_OWNER_HINT}")
        print("  (or: .venv/bin/python -m accumulator create-owner --email you@example.com)\n")
    else:
        print(f"Owner account: {owner.email}")
    return 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m accumulator", description="Accumulator administration.")
    commands = parser.add_subparsers(dest="command", required=True)
    create = commands.add_parser("create-owner", help="create the owner account, or change its e-mail and password")
    create.add_argument("--email", required=True)
    commands.add_parser("owner-status", help="say whether an owner account exists and how to make one")
    args = parser.parse_args(argv)
    try:
        get_settings()
    except SettingsError as error:
        print(f"Accumulator cannot start: {error}", file=sys.stderr)
        return 2
    if args.command == "create-owner":
        return create_owner(args.email)
    return owner_status()


if __name__ == "__main__":
    sys.exit(main())
