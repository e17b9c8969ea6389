"""Accounts: ``ltcdesk user add|disable|enable|reset-password|change-password|list``.

``user add --admin USERNAME`` on a database nobody can sign in to yet makes the first
administrator without signing in; every other use signs in as an administrator. Passwords
being set come from ``$LTCDESK_NEW_PASSWORD`` or a prompt (twice), never an argument.
"""

from __future__ import annotations

import argparse
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

from ltcdesk.cli import _database, _new_password, _open, _print_json, _table, _user
from ltcdesk.domain import validate
from ltcdesk.domain.errors import ValidationError
from ltcdesk.domain.vocab import Role

Handler = Callable[[argparse.Namespace], int]


def register(sub: Any, common: argparse.ArgumentParser) -> None:
    """Add this module's parsers to the ``ltcdesk`` sub-command parsers."""
    user = sub.add_parser("user", parents=[common], help="manage sign-in accounts")
    # Not required: with none given, ltcdesk.cli says "say what to do" (exit 2).
    usub = user.add_subparsers(dest="user_command", parser_class=type(common))

    p = usub.add_parser(
        "add",
        parents=[common],
        help="add a member of staff who signs in (the password from $LTCDESK_NEW_PASSWORD "
        "or a prompt)",
    )
    p.add_argument("username", metavar="USERNAME")
    p.add_argument("--name", help="display name (default Administrator with --admin)")
    p.add_argument("--role", choices=[r.value for r in Role])
    p.add_argument("--team")
    p.add_argument(
        "--admin",
        action="store_true",
        help="an administrator; on a new database, the first one (no sign-in needed)",
    )
    for name, text in [
        ("disable", "stop an account signing in (its records stay)"),
        ("enable", "let a disabled account sign in again"),
        ("reset-password", "set a new password (from $LTCDESK_NEW_PASSWORD or a prompt)"),
    ]:
        p = usub.add_parser(name, parents=[common], help=text)
        p.add_argument("username", metavar="USERNAME")
    usub.add_parser(
        "change-password",
        parents=[common],
        help="change your own password (the new one from $LTCDESK_NEW_PASSWORD or a prompt)",
    )
    p = usub.add_parser("list", parents=[common], help="list accounts")
    p.add_argument("--format", choices=["table", "json"], default="table")


def create_first_admin(db: Any, username: str, display_name: str) -> None:
    """Make the first administrator (``user add --admin``, ``init``); no sign-in."""
    from ltcdesk.services.accounts import AccountService

    name = validate.username(username)
    admin = AccountService(db.sessions).create_first_admin(name, display_name, _new_password(name))
    print(f"Created the first administrator: {admin.username} ({admin.display_name})")
    print(f"Sign in with --user {admin.username} (or LTCDESK_USER) and your password.")


def _admin(args: argparse.Namespace) -> Any:
    from ltcdesk.services.accounts import AccountAdmin

    return AccountAdmin(_open(args).sessions, _user(args))


def cmd_user_add(args: argparse.Namespace) -> int:
    from ltcdesk.services.accounts import AccountService

    if args.admin:
        if args.role not in (None, Role.ADMIN.value):
            raise ValidationError("role", "--admin makes an administrator; leave out --role")
        if AccountService(_database(args).sessions).needs_first_admin():
            create_first_admin(_database(args), args.username, args.name or "Administrator")
            return 0
        role = Role.ADMIN.value
    elif args.role is None:
        raise ValidationError("role", "say which: --role ROLE (or --admin)")
    else:
        role = args.role
    if not args.name:
        raise ValidationError("name", 'say what to call them: --name "Display Name"')
    admin = _admin(args)  # signs in before the new password is asked for
    username = validate.username(args.username)
    view = admin.add_user(username, args.name, role, _new_password(username), args.team)
    print(f"Added {view.display_name} ({view.username}) as {Role(view.role).label}")
    return 0


def cmd_user_disable(args: argparse.Namespace) -> int:
    _admin(args).disable(args.username)
    print(f"Disabled {args.username.strip().lower()}: they can no longer sign in")
    return 0


def cmd_user_enable(args: argparse.Namespace) -> int:
    _admin(args).enable(args.username)
    print(f"Enabled {args.username.strip().lower()}")
    return 0


def cmd_user_reset_password(args: argparse.Namespace) -> int:
    admin = _admin(args)
    username = args.username.strip().lower()
    admin.reset_password(username, _new_password(username))
    print(f"New password set for {username}; any lock-out is cleared")
    return 0


def cmd_user_change_password(args: argparse.Namespace) -> int:
    import os

    from ltcdesk.cli import PASSWORD_ENV, _ask

    admin = _admin(args)
    username = _user(args)
    # Asked again when it was typed at the sign-in prompt, as passwd(1) does.
    old = os.environ.get(PASSWORD_ENV) or _ask("Current password: ", secret=True)
    admin.change_own_password(old, _new_password(username))
    print(f"Password changed for {username}")
    return 0


def _when(value: datetime | None) -> str:
    if value is None:
        return ""
    return value.replace(tzinfo=UTC).astimezone().strftime("%d/%m/%Y %H:%M")


def cmd_user_list(args: argparse.Namespace) -> int:
    rows = _admin(args).list_users()
    if args.format == "json":
        _print_json(rows)
        return 0
    _table(
        ["Username", "Name", "Role", "Active", "Password", "Locked until", "Password set"],
        [
            [
                r.username,
                r.display_name,
                Role(r.role).label,
                "yes" if r.active else "no",
                "set" if r.has_password else "none",
                _when(r.locked_until),
                _when(r.last_changed),
            ]
            for r in rows
        ],
    )
    return 0


HANDLERS: dict[str, Handler] = {
    "user add": cmd_user_add,
    "user disable": cmd_user_disable,
    "user enable": cmd_user_enable,
    "user reset-password": cmd_user_reset_password,
    "user change-password": cmd_user_change_password,
    "user list": cmd_user_list,
}
