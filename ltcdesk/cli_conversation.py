"""Conversations and navigators' lists on the command line.

``ltcdesk conversation list NHS [--format text|json]``: the patient's care navigator
conversations, newest first. ``ltcdesk navigator list [--navigator U] [--format text|json]``:
a navigator's own list (the acting user's by default) with last contact, next follow-up
and who is due a call. Viewing is audited as in the app.
"""

from __future__ import annotations

import argparse
import dataclasses
from collections.abc import Callable
from typing import Any

Handler = Callable[[argparse.Namespace], int]


def register(sub: Any, common: argparse.ArgumentParser) -> None:
    """Add this module's parsers to the ``ltcdesk`` sub-command parsers."""
    conv = sub.add_parser("conversation", parents=[common], help="care navigator conversations")
    csub = conv.add_subparsers(dest="conversation_command", parser_class=type(common))
    p = csub.add_parser("list", parents=[common], help="a patient's conversations, newest first")
    p.add_argument("nhs", metavar="NHS", help="the patient's NHS number (spaces allowed)")
    p.add_argument("--format", choices=["text", "json"], default="text")
    nav = sub.add_parser("navigator", parents=[common], help="care navigators' own lists")
    nsub = nav.add_subparsers(dest="navigator_command", parser_class=type(common))
    p = nsub.add_parser("list", parents=[common], help="a navigator's list and who is due a call")
    p.add_argument("--navigator", metavar="U", help="the navigator's username (default: you)")
    p.add_argument("--format", choices=["text", "json"], default="text")


def _service(args: argparse.Namespace) -> Any:
    from ltcdesk.cli import _open, _user
    from ltcdesk.services.conversations import ConversationService

    db = _open(args)
    return ConversationService(db.sessions, _user(args))


def cmd_conversation_list(args: argparse.Namespace) -> int:
    from ltcdesk.cli import _print_json

    rows = _service(args).list_for(args.nhs)
    if args.format == "json":
        _print_json([dataclasses.asdict(c) for c in rows])
        return 0
    if not rows:
        print("No conversations recorded.")
    for c in rows:
        who = ", ".join(w for w, on in (("patient", c.with_patient), ("carer", c.with_carer)) if on)
        print(f"{c.held_on:%d/%m/%Y}  {c.mode} with {who}, recorded by {c.recorded_by}")
        for t in c.topics:
            print(f"   {t.code}" + (f": {t.note}" if t.note else ""))
        if c.what_matters:
            print(f"   What matters: {c.what_matters}")
        for service, on in c.signposting:
            print(f"   Signposted to {service} on {on:%d/%m/%Y}")
        for f in c.follow_ups:
            done = f", done {f.done_on:%d/%m/%Y}" if f.done_on else ""
            print(f"   Follow-up: {f.what} by {f.due:%d/%m/%Y} ({f.by_whom or 'navigator'}){done}")
        if c.flag_to_team:
            print(f"   Flagged to the team: {c.flag_reason}")
    return 0


def cmd_navigator_list(args: argparse.Namespace) -> int:
    from ltcdesk.cli import _print_json, _table
    from ltcdesk.domain.nhs_number import format_nhs

    rows = _service(args).my_list(args.navigator)
    if args.format == "json":
        _print_json([dataclasses.asdict(r) for r in rows])
        return 0

    def d(value: Any) -> str:
        return f"{value:%d/%m/%Y}" if value else "never"

    _table(
        ["NHS number", "Name", "Last contact", "Next follow-up", "Due a call"],
        [
            [
                format_nhs(r.nhs_number),
                r.patient_name,
                d(r.last_contact),
                f"{r.next_follow_up:%d/%m/%Y}" if r.next_follow_up else "",
                "yes" if r.due_a_call else "",
            ]
            for r in rows
        ],
    )
    return 0


HANDLERS: dict[str, Handler] = {
    "conversation list": cmd_conversation_list,
    "navigator list": cmd_navigator_list,
}
