"""Whiteboard meetings on the command line.

``ltcdesk meeting list [--from D] [--to D] [--format table|json]``
    meetings by date (D is YYYY-MM-DD or DD/MM/YYYY), with status, items and open actions.
``ltcdesk meeting agenda (--id ID | --next) --out FILE.pdf [--initials-only] [--build]``
    the printed agenda of a meeting, or of the next one not yet closed.
``ltcdesk meeting minutes --id ID --out FILE.pdf|FILE.csv [--initials-only]``
    the minutes and actions as a PDF, or the action list as CSV (UTF-8 with a byte order
    mark, formula-safe), chosen by the file's extension.

``--initials-only`` prints patients by initials and NHS number only, for a room with
visitors. Files are written atomically; a missing meeting, a bad date (or ``--from`` after
``--to``), an id out of range, an unknown file type or a file name too long for the disk
exits 2 with one line and writes nothing. Reading a meeting is audited (the service
audits each view).
"""

from __future__ import annotations

import argparse
import dataclasses
from collections.abc import Callable
from datetime import datetime
from pathlib import Path
from typing import Any

from ltcdesk.cli_output import ID, out_file, save

Handler = Callable[[argparse.Namespace], int]
MINUTES_TYPES = (".pdf", ".csv")


def register(sub: Any, common: argparse.ArgumentParser) -> None:
    """Add this module's parsers to the ``ltcdesk`` sub-command parsers."""
    meeting = sub.add_parser("meeting", parents=[common], help="whiteboard meetings")
    msub = meeting.add_subparsers(
        dest="meeting_command",
        required=True,
        metavar="{list,agenda,minutes}",
        parser_class=type(common),
    )
    p = msub.add_parser("list", parents=[common], help="list meetings by date")
    p.add_argument("--from", dest="start", metavar="D", help="from this date")
    p.add_argument("--to", dest="end", metavar="D", help="up to this date")
    p.add_argument("--format", choices=["table", "json"], default="table")
    p = msub.add_parser("agenda", parents=[common], help="save a meeting's agenda as a PDF")
    which = p.add_mutually_exclusive_group(required=True)
    which.add_argument("--id", type=ID, metavar="ID", help="the meeting (see 'meeting list')")
    which.add_argument("--next", action="store_true", help="the next meeting not yet closed")
    p.add_argument("--out", required=True, type=Path, metavar="FILE.pdf")
    p.add_argument(
        "--initials-only", action="store_true", help="patients by initials and NHS number only"
    )
    p.add_argument(
        "--build",
        action="store_true",
        help="first add what the agenda builder proposes (the chair or a team lead; not once "
        "the agenda is locked)",
    )
    p = msub.add_parser(
        "minutes", parents=[common], help="save a meeting's minutes (PDF) or actions (CSV)"
    )
    p.add_argument("--id", type=ID, required=True, metavar="ID")
    p.add_argument("--out", required=True, type=Path, metavar="FILE.pdf|FILE.csv")
    p.add_argument(
        "--initials-only", action="store_true", help="patients by initials and NHS number only"
    )


def _service(args: argparse.Namespace) -> Any:
    from ltcdesk.cli import _open, _user
    from ltcdesk.services.meetings import MeetingService

    return MeetingService(_open(args).sessions, _user(args))


def _out_file(path: Path, types: tuple[str, ...]) -> Path:
    return out_file(path, "--out", types)


def cmd_meeting_list(args: argparse.Namespace) -> int:
    from ltcdesk.cli import _d, _print_json, _table
    from ltcdesk.domain import validate
    from ltcdesk.domain.errors import ValidationError

    start = validate.parse_date(args.start, "--from")
    end = validate.parse_date(args.end, "--to")
    if start and end and start > end:
        raise ValidationError(
            "--from", f"{start:%d/%m/%Y} is after --to {end:%d/%m/%Y}: no meeting could match"
        )
    rows = _service(args).list_meetings(start=start, end=end)
    if args.format == "json":
        # Times as "09:30" (the shared JSON helper knows dates, not times of day).
        _print_json([{**dataclasses.asdict(m), "starts_at": f"{m.starts_at:%H:%M}"} for m in rows])
        return 0
    if not rows:
        print("No meetings.")
        return 0
    _table(
        ["Id", "Date", "Time", "Team", "Place", "Chair", "Status", "Agenda", "Items", "Actions"],
        [
            [
                m.id,
                _d(m.held_on),
                f"{m.starts_at:%H:%M}",
                m.team or "",
                f"Virtual: {m.place}" if m.virtual else m.place,
                m.chair_name,
                m.status.replace("_", " "),
                "locked" if m.agenda_locked else "draft",
                m.items,
                m.open_actions,
            ]
            for m in rows
        ],
    )
    return 0


def cmd_meeting_agenda(args: argparse.Namespace) -> int:
    from ltcdesk.cli import _signed_in
    from ltcdesk.domain.errors import NotFoundError
    from ltcdesk.reports.meeting_agenda import render_agenda

    out = _out_file(args.out, (".pdf",))
    service = _service(args)
    how = f"agenda as PDF to {out.name}"
    if args.next:
        view = service.next_meeting(exported_as=how)
    else:
        view = service.get(args.id, exported_as=how)
    if view is None:
        raise NotFoundError("There is no meeting from today on that is not closed.")
    if args.build:
        view = service.build_agenda(view.id)
    data = render_agenda(
        view,
        printed_by=_signed_in(args).display_name,
        printed_at=datetime.now(),
        initials_only=args.initials_only,
    )
    save(out, data)
    draft = "" if view.agenda_locked else " (draft: not yet locked)"
    print(
        f"Saved the agenda of meeting {view.id} on {view.held_on:%d/%m/%Y} "
        f"({len(view.agenda)} items){draft} to {out}"
    )
    if not view.agenda and not args.build:
        print("The agenda is empty: build it in ltcdesk, or add --build.")
    return 0


def cmd_meeting_minutes(args: argparse.Namespace) -> int:
    from ltcdesk.cli import _signed_in
    from ltcdesk.reports.meeting_agenda import minutes_csv, render_minutes

    out = _out_file(args.out, MINUTES_TYPES)
    kind = "actions as CSV" if out.suffix.lower() == ".csv" else "minutes as PDF"
    view = _service(args).get(args.id, exported_as=f"{kind} to {out.name}")
    if out.suffix.lower() == ".csv":
        data = minutes_csv(view, initials_only=args.initials_only).encode("utf-8")
        what = f"the {len(view.actions)} actions"
    else:
        data = render_minutes(
            view,
            printed_by=_signed_in(args).display_name,
            printed_at=datetime.now(),
            initials_only=args.initials_only,
        )
        what = "the minutes"
    save(out, data)
    print(f"Saved {what} of meeting {view.id} on {view.held_on:%d/%m/%Y} to {out}")
    return 0


HANDLERS: dict[str, Handler] = {
    "meeting list": cmd_meeting_list,
    "meeting agenda": cmd_meeting_agenda,
    "meeting minutes": cmd_meeting_minutes,
}
