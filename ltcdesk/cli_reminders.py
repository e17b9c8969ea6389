"""Reminders, hospital events and absences on the command line (issue 8).

``ltcdesk reminders [--worker USERNAME | --team] [--within DAYS] [--overdue]
[--format table|json|csv|ics|pdf] [--out FILE] [--day D]``
    the worklist: the signed-in user's (default), a worker's or the whole team's. ``ics``
    is a calendar (RFC 5545) with one all-day event per reminder on its due date; a phone's
    calendar is less private than ltcdesk, so an event shows the person's initials and NHS
    number only, never their name (a name typed in a goal or action becomes initials too).
    Each event keeps its UID from one export to the next, so importing again updates the
    calendar rather than doubling it. ``pdf`` is the printed day list for home visits
    (``--day``, default today). ``csv`` files are UTF-8 with a byte order mark, formula-safe.
``ltcdesk events import FILE.csv`` / ``events list NHS`` / ``events add NHS --type …``
    hospital admissions, discharges and A&E attendances.
``ltcdesk absence add USERNAME --from D --to D`` / ``absence list`` / ``absence end ID``
    a worker away: their reminders go to a team lead meanwhile.

Bad input exits 2 with one line naming the field, and writes nothing; files are written
atomically.
"""

from __future__ import annotations

import argparse
import dataclasses
import json
import sys
from collections.abc import Callable, Sequence
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

from ltcdesk.cli_output import DAYS, ID, out_file, save
from ltcdesk.domain.redact import Redactor
from ltcdesk.domain.redact import initials_of as initials

Handler = Callable[[argparse.Namespace], int]
FORMATS = ("table", "json", "csv", "ics", "pdf")
PRODID = "-//ltcdesk//EN"
UID_DOMAIN = "ltcdesk"
CSV_HEADERS = (
    "Due", "Group", "Urgent", "What", "Patient", "NHS number", "Why", "Key worker",
    "Covering for", "Note", "Reminder key",
)  # fmt: skip


def register(sub: Any, common: argparse.ArgumentParser) -> None:
    """Add this module's parsers to the ``ltcdesk`` sub-command parsers."""
    parser_class = type(common)
    p = sub.add_parser(
        "reminders",
        parents=[common],
        help="the worklist: reminders due, as a table, JSON, CSV, calendar (ICS) or day list",
        description="The worklist of reminders. A calendar file (--format ics) shows each "
        "person by initials and NHS number only, never by name: a phone's calendar is less "
        "private than ltcdesk. --format pdf prints the day list for home visits.",
    )
    who = p.add_mutually_exclusive_group()
    who.add_argument(
        "--worker", metavar="USERNAME", help="whose reminders (default: yours); username or name"
    )
    who.add_argument("--team", action="store_true", help="everyone's in your team")
    p.add_argument("--within", type=DAYS, metavar="DAYS", help="only those due within DAYS days")
    p.add_argument("--overdue", action="store_true", help="only those overdue")
    p.add_argument(
        "--format",
        choices=FORMATS,
        help="default: from --out's extension, else table; ics names patients by initials "
        "and NHS number only",
    )
    p.add_argument("--out", type=Path, metavar="FILE", help="save to FILE (.json .csv .ics .pdf)")
    p.add_argument("--day", metavar="D", help="the day list's day (with --format pdf; today)")

    events = sub.add_parser("events", parents=[common], help="hospital admissions and discharges")
    esub = events.add_subparsers(
        dest="events_command", required=True, metavar="{import,list,add}", parser_class=parser_class
    )
    p = esub.add_parser(
        "import",
        parents=[common],
        help="import a CSV list (NHS number, event type, date, hospital)",
    )
    p.add_argument("file", type=Path, metavar="FILE.csv")
    p = esub.add_parser("list", parents=[common], help="a person's hospital events")
    p.add_argument("nhs", metavar="NHS")
    p.add_argument("--format", choices=["table", "json"], default="table")
    p = esub.add_parser("add", parents=[common], help="record an admission, discharge or A&E")
    p.add_argument("nhs", metavar="NHS")
    p.add_argument("--type", dest="kind", required=True, choices=["admission", "discharge", "ae"])
    p.add_argument("--date", required=True, metavar="D", help="YYYY-MM-DD or DD/MM/YYYY")
    p.add_argument("--hospital", required=True)
    p.add_argument("--reason")
    p.add_argument("--expected-discharge", metavar="D", help="for an admission")

    absence = sub.add_parser("absence", parents=[common], help="staff absences (cover)")
    asub = absence.add_subparsers(
        dest="absence_command", required=True, metavar="{add,list,end}", parser_class=parser_class
    )
    p = asub.add_parser("add", parents=[common], help="record a worker's absence")
    p.add_argument("username", metavar="USERNAME")
    p.add_argument("--from", dest="first", required=True, metavar="D", help="first day away")
    p.add_argument("--to", dest="last", required=True, metavar="D", help="last day away")
    p.add_argument("--reason")
    p = asub.add_parser("list", parents=[common], help="list absences")
    p.add_argument("--current", action="store_true", help="only those covering today")
    p.add_argument("--format", choices=["table", "json"], default="table")
    p = asub.add_parser("end", parents=[common], help="end (or remove) an absence")
    p.add_argument("id", type=ID, metavar="ID")


# ------------------------------------------------------------------------ helpers


def _services(args: argparse.Namespace, service: type[Any]) -> Any:
    from ltcdesk.cli import _open, _user

    return service(_open(args).sessions, _user(args))


def _out_file(path: Path, fmt: str) -> Path:
    from ltcdesk.domain.errors import ValidationError
    from ltcdesk.domain.text import quote_input

    if path.suffix.lower() != f".{fmt}":
        raise ValidationError(
            "--out", f"{quote_input(path.name)} is not a .{fmt} file name (--format {fmt})"
        )
    return out_file(path, "--out")


def _format(args: argparse.Namespace) -> str:
    from ltcdesk.domain import validate
    from ltcdesk.domain.errors import ValidationError

    fmt = args.format
    if fmt is None:
        suffix = args.out.suffix.lower().lstrip(".") if args.out else ""
        if args.out is not None and suffix not in FORMATS[1:]:
            raise ValidationError(
                "--out",
                f"{validate.shown(args.out.name)}: say --format, or end the name "
                ".json .csv .ics .pdf",
            )
        fmt = suffix or "table"
    if fmt == "table" and args.out is not None:
        raise ValidationError("--out", "a table is for the screen; save as json, csv, ics or pdf")
    if fmt == "pdf":
        if args.out is None:
            raise ValidationError("--out", "the day list (pdf) needs a file: --out FILE.pdf")
        if args.team:
            raise ValidationError("--team", "the day list is for one worker; use --worker")
    elif args.day is not None:
        raise ValidationError("--day", "is for the day list (--format pdf)")
    return str(fmt)


def without_name(text: str | None, name: str) -> str:
    """``text`` with the person's name, and each part of it, replaced by their initials."""
    if not text:
        return ""
    return Redactor([("", name, initials(name))], active=True).text(text, "") or ""


def calendar_ics(
    reminders: Sequence[Any], *, today: date, calendar_name: str, now: datetime | None = None
) -> bytes:
    """The reminders as an RFC 5545 calendar: one all-day VEVENT each, named by initials."""
    from icalendar import Calendar, Event

    from ltcdesk.domain.nhs_number import format_nhs
    from ltcdesk.services.reminders import group_of

    stamp = (now or datetime.now(UTC)).astimezone(UTC)
    cal = Calendar()
    cal.add("prodid", PRODID)
    cal.add("version", "2.0")
    cal.add("calscale", "GREGORIAN")
    cal.add("method", "PUBLISH")
    cal.add("x-wr-calname", calendar_name)
    for r in reminders:
        who = initials(r.patient_name)
        lines = [
            f"{r.what} for {who}, NHS {format_nhs(r.nhs_number)}",
            without_name(r.why, r.patient_name),
            f"Due {r.due:%d/%m/%Y}" + (" (urgent)" if r.urgent else ""),
        ]
        if r.owner_name:
            cover = f" (covering for {r.covering_for})" if r.covering_for else ""
            lines.append(f"Key worker: {r.owner_name}{cover}")
        if r.note:
            lines.append(without_name(r.note, r.patient_name))
        lines.append("Details in ltcdesk.")
        event = Event()
        event.add("uid", f"{r.key.replace(':', '-')}@{UID_DOMAIN}")
        event.add("dtstamp", stamp)
        event.add("dtstart", r.due)
        event.add("dtend", r.due + timedelta(days=1))
        event.add("summary", f"{'URGENT ' if r.urgent else ''}{r.what}: {who}")
        event.add("description", "\n".join(x for x in lines if x))
        event.add("categories", [group_of(r.due, today).value])
        event.add("class", "CONFIDENTIAL")
        event.add("transp", "TRANSPARENT")  # a reminder does not make the day busy
        cal.add_component(event)
    return bytes(cal.to_ical())


def reminders_csv(reminders: Sequence[Any], today: date) -> str:
    """CSV text starting with a byte order mark, through the one formula-safe writer."""
    from ltcdesk.domain.csvsafe import write_csv
    from ltcdesk.domain.nhs_number import format_nhs
    from ltcdesk.services.reminders import group_of

    return write_csv(
        (
            [
                f"{r.due:%d/%m/%Y}",
                group_of(r.due, today).value,
                "yes" if r.urgent else "",
                r.what,
                r.patient_name,
                format_nhs(r.nhs_number),
                r.why,
                r.owner_name,
                r.covering_for,
                r.note,
                r.key,
            ]
            for r in reminders
        ),
        CSV_HEADERS,
        bom=True,
    )


def reminders_json(reminders: Sequence[Any], today: date) -> list[dict[str, Any]]:
    return [
        {
            "key": r.key,
            "source": r.source.value,
            "what": r.what,
            "group": r.group(today).value,
            "due": r.due,
            "urgent": r.urgent,
            "nhs_number": r.nhs_number,
            "patient_name": r.patient_name,
            "why": r.why,
            "owner_username": r.owner_username,
            "owner_name": r.owner_name,
            "covering_for": r.covering_for,
            "note": r.note,
            "original_due": r.original_due,
        }
        for r in reminders
    ]


def _worker(args: argparse.Namespace) -> tuple[str | None, str]:
    """(username for the service or None for oneself, display name)."""
    from ltcdesk.cli import _open, _resolve_worker, _signed_in, _user
    from ltcdesk.services.setup import SetupService

    if args.team:
        return None, "team"
    if not args.worker:
        return None, str(_signed_in(args).display_name)
    db, user = _open(args), _user(args)
    username = _resolve_worker(db, user, args.worker)
    staff = {s.username: s.display_name for s in SetupService(db.sessions, user).staff()}
    return username, staff.get(username, username)


# ------------------------------------------------------------------------ reminders


def _exported_as(fmt: str, out: Any) -> str:
    """How the list leaves the screen, for the audit log: "as ICS to visits.ics"."""
    return f"as {fmt.upper()} " + (f"to {out.name}" if out is not None else "to the terminal")


def cmd_reminders(args: argparse.Namespace) -> int:
    from ltcdesk.cli import _print_json, _signed_in, _table
    from ltcdesk.domain import validate
    from ltcdesk.domain.nhs_number import format_nhs
    from ltcdesk.services.reminders import ReminderService

    fmt = _format(args)
    out = _out_file(args.out, fmt) if args.out is not None else None
    today = date.today()
    day = validate.parse_date(args.day, "--day") or today
    username, name = _worker(args)
    rows = _services(args, ReminderService).worklist(
        worker=username,
        team=args.team,
        within_days=args.within,
        overdue_only=args.overdue,
        exported_as=None if fmt == "table" else _exported_as(fmt, out),
    )
    data: bytes
    if fmt == "table":
        if not rows:
            print("No reminders.")
            return 0
        _table(
            ["Due", "Group", "What", "Patient", "NHS number", "Why"]
            + (["Key worker"] if args.team else [])
            + [""],
            [
                [
                    f"{r.due:%d/%m/%Y}",
                    r.group(today).value,
                    r.what,
                    r.patient_name,
                    format_nhs(r.nhs_number),
                    r.why,
                    *([r.owner_name or "—"] if args.team else []),
                    " ".join(
                        x
                        for x in (
                            "URGENT" if r.urgent else "",
                            f"(covering for {r.covering_for})" if r.covering_for else "",
                        )
                        if x
                    ),
                ]
                for r in rows
            ],
        )
        print(f"\n{len(rows):,} reminder{'s' if len(rows) != 1 else ''}")
        return 0
    if fmt == "json":
        if out is None:
            _print_json(reminders_json(rows, today))
            return 0
        from ltcdesk.cli import _jsonable

        text = json.dumps(_jsonable(reminders_json(rows, today)), ensure_ascii=False, indent=2)
        data = (text + "\n").encode("utf-8")
    elif fmt == "csv":
        text = reminders_csv(rows, today)
        if out is None:
            sys.stdout.write(text.lstrip("\ufeff"))  # the mark is for a spreadsheet's file
            return 0
        data = text.encode("utf-8")
    elif fmt == "ics":
        data = calendar_ics(rows, today=today, calendar_name=f"ltcdesk: {name}")
        if out is None:
            sys.stdout.write(data.decode("utf-8"))
            return 0
    else:
        from ltcdesk.reports.day_list import render_day_list

        data = render_day_list(
            rows,
            worker_name=name,
            day=day,
            printed_by=_signed_in(args).display_name,
            printed_at=datetime.now(),
        )
    assert out is not None
    save(out, data)
    what = f"the day list for {day:%d/%m/%Y}" if fmt == "pdf" else f"{len(rows)} reminders"
    print(f"Saved {what} ({name}) to {out}")
    return 0


# ------------------------------------------------------------------------ events


def cmd_events_import(args: argparse.Namespace) -> int:
    from ltcdesk.domain import validate
    from ltcdesk.services.events import EventService, ImportRefused

    path: Path = args.file
    try:
        report = _services(args, EventService).import_csv(path)
    except ImportRefused as refused:
        # Every bad row, so the list can be corrected in one go (exit 2, nothing written).
        n, listed = refused.count, len(refused.rows)
        rows = "1 row needs" if n == 1 else f"{n:,} rows need"
        print(
            f"ltcdesk: nothing was imported from {validate.shown(path.name, 60)}: {rows} "
            "correcting" + (f" (the first {listed:,} are listed)" if n > listed else "") + ":",
            file=sys.stderr,
        )
        for line in refused.lines():
            print(line, file=sys.stderr)
        return 2
    n, m = report.saved, report.duplicates
    print(
        f"Saved {n:,} event{'s' if n != 1 else ''} for {report.patients:,} "
        f"patient{'s' if report.patients != 1 else ''} (read as {report.encoding})"
        + (f"; {m:,} row{'s' if m != 1 else ''} already recorded, skipped:" if m else ".")
    )
    for line in report.lines():
        print(line)
    return 0


def cmd_events_list(args: argparse.Namespace) -> int:
    from ltcdesk.cli import _d, _print_json, _table
    from ltcdesk.services.events import EventService

    rows = _services(args, EventService).list_for(args.nhs)
    if args.format == "json":
        _print_json([{**dataclasses.asdict(r), "label": r.label} for r in rows])
        return 0
    if not rows:
        print("No hospital events.")
        return 0
    _table(
        ["Date", "Event", "Hospital", "Reason", "Expected home", "Source", "Recorded by"],
        [
            [
                _d(r.occurred_on),
                r.label,
                r.hospital,
                r.reason or "",
                _d(r.expected_discharge),
                r.source,
                r.recorded_by,
            ]
            for r in rows
        ],
    )
    return 0


def cmd_events_add(args: argparse.Namespace) -> int:
    from ltcdesk.domain.nhs_number import format_nhs, normalise
    from ltcdesk.services.events import EventService

    view = _services(args, EventService).record(
        args.nhs,
        args.kind,
        args.date,
        args.hospital,
        reason=args.reason,
        expected_discharge=args.expected_discharge,
    )
    print(
        f"Recorded {view.label.lower()} on {view.occurred_on:%d/%m/%Y} at {view.hospital} "
        f"for NHS {format_nhs(normalise(args.nhs))}"
    )
    return 0


# ------------------------------------------------------------------------ absences


def cmd_absence_add(args: argparse.Namespace) -> int:
    from ltcdesk.services.reminders import ReminderService

    a = _services(args, ReminderService).add_absence(
        args.username, args.first, args.last, args.reason
    )
    print(
        f"Recorded absence {a.id}: {a.name} ({a.username}) away {a.first_day:%d/%m/%Y} to "
        f"{a.last_day:%d/%m/%Y}; a team lead covers their reminders"
    )
    return 0


def cmd_absence_list(args: argparse.Namespace) -> int:
    from ltcdesk.cli import _d, _print_json, _table
    from ltcdesk.services.reminders import ReminderService

    rows = _services(args, ReminderService).absences(current_only=args.current)
    if args.format == "json":
        _print_json(rows)
        return 0
    if not rows:
        print("No absences.")
        return 0
    _table(
        ["Id", "Username", "Name", "From", "To", "Reason"],
        [[a.id, a.username, a.name, _d(a.first_day), _d(a.last_day), a.reason or ""] for a in rows],
    )
    return 0


def cmd_absence_end(args: argparse.Namespace) -> int:
    from ltcdesk.services.reminders import ReminderService

    _services(args, ReminderService).end_absence(args.id)
    print(f"Ended absence {args.id}")
    return 0


HANDLERS: dict[str, Handler] = {
    "reminders": cmd_reminders,
    "events import": cmd_events_import,
    "events list": cmd_events_list,
    "events add": cmd_events_add,
    "absence add": cmd_absence_add,
    "absence list": cmd_absence_list,
    "absence end": cmd_absence_end,
}
