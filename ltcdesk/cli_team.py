"""Teams on the command line: which practices each team cares for (need to know), and who
is in which team.

``ltcdesk team list [--format table|json]``: every team, its practices and how many staff.
``ltcdesk team link TEAM CODE`` / ``ltcdesk team unlink TEAM CODE``: the team cares (or no
longer cares) for the patients registered with the practice: its staff see their records.
``ltcdesk team move USERNAME (--to TEAM | --no-team)``: a member of staff changes team.
Administrators manage every team; a team lead their own.
"""

from __future__ import annotations

import argparse
from collections.abc import Callable
from typing import Any

Handler = Callable[[argparse.Namespace], int]


def register(sub: Any, common: argparse.ArgumentParser) -> None:
    """Add this module's parsers to the ``ltcdesk`` sub-command parsers."""
    team = sub.add_parser(
        "team", parents=[common], help="teams, the practices they care for, their staff"
    )
    tsub = team.add_subparsers(dest="team_command", parser_class=type(common))
    p = tsub.add_parser("list", parents=[common], help="teams and the practices they care for")
    p.add_argument("--format", choices=["table", "json"], default="table")
    p = tsub.add_parser(
        "link", parents=[common], help="the team cares for a practice's patients (need to know)"
    )
    p.add_argument("team", metavar="TEAM")
    p.add_argument("code", metavar="CODE", help="the practice's ODS code, e.g. C82001")
    p = tsub.add_parser(
        "unlink", parents=[common], help="the team no longer cares for a practice's patients"
    )
    p.add_argument("team", metavar="TEAM")
    p.add_argument("code", metavar="CODE")
    p = tsub.add_parser("move", parents=[common], help="move a member of staff to a team")
    p.add_argument("username", metavar="USERNAME")
    where = p.add_mutually_exclusive_group(required=True)
    where.add_argument("--to", metavar="TEAM", help="the team they join")
    where.add_argument("--no-team", action="store_true", help="in no team (sees no records)")


def _service(args: argparse.Namespace) -> Any:
    from ltcdesk.cli import _open, _user
    from ltcdesk.services.setup import SetupService

    db = _open(args)
    return SetupService(db.sessions, _user(args))


def _practices(codes: tuple[str, ...]) -> str:
    return ", ".join(codes) if codes else "no practices"


def cmd_team_list(args: argparse.Namespace) -> int:
    from ltcdesk.cli import _print_json, _table

    rows = _service(args).teams()
    if args.format == "json":
        _print_json(rows)
    elif not rows:
        print("No teams yet (a team is made when staff are added to it).")
    else:
        _table(
            ["Team", "Practices cared for", "Staff"],
            [[t.name, _practices(t.practices), t.staff] for t in rows],
        )
    return 0


def cmd_team_link(args: argparse.Namespace) -> int:
    view = _service(args).link_practice(args.team, args.code)
    print(f"{view.name} now cares for {_practices(view.practices)}")
    return 0


def cmd_team_unlink(args: argparse.Namespace) -> int:
    view = _service(args).unlink_practice(args.team, args.code)
    print(f"{view.name} now cares for {_practices(view.practices)}")
    return 0


def cmd_team_move(args: argparse.Namespace) -> int:
    member = _service(args).set_team(args.username, None if args.no_team else args.to)
    print(f"{member.display_name} ({member.username}) is now in {member.team or 'no team'}")
    return 0


HANDLERS: dict[str, Handler] = {
    "team list": cmd_team_list,
    "team link": cmd_team_link,
    "team unlink": cmd_team_unlink,
    "team move": cmd_team_move,
}
