"""The command line: ``ltcdesk [--db TARGET] [--user USERNAME] COMMAND``.

Exit status: 0 success; 2 bad input, with one line on stderr and nothing written;
1 anything unexpected (the traceback goes to the log, not the screen).

Every command that reads or writes records signs in first (``_open``): the username from
``--user`` or ``$LTCDESK_USER``, the password from ``$LTCDESK_PASSWORD`` or, in a terminal,
a prompt. A password is never taken as an argument (it would be seen in ``ps`` and kept in
the shell's history); a password being set comes from ``$LTCDESK_NEW_PASSWORD`` or a prompt.
Qt, pandas and reportlab are imported only by the commands that need them.
"""

from __future__ import annotations

import argparse
import contextlib
import dataclasses
import getpass
import json
import logging
import os
import sys
from collections.abc import Callable, Sequence
from datetime import UTC, date, datetime
from typing import Any

from ltcdesk import __version__
from ltcdesk.cli_output import bounded_int
from ltcdesk.domain.errors import DomainError, NeedToKnowError, ValidationError
from ltcdesk.domain.vocab import Role

log = logging.getLogger("ltcdesk.cli")
Handler = Callable[[argparse.Namespace], int]


class UsageError(Exception):
    """argparse found the command line malformed (exit 2)."""


class _Parser(argparse.ArgumentParser):
    def error(self, message: str) -> None:  # type: ignore[override]
        raise UsageError(f"{self.prog}: {message}")


def build_parser() -> argparse.ArgumentParser:
    parser = _Parser(
        prog="ltcdesk",
        description="Caseload management for integrated locality care teams.",
        epilog="TARGET is a file path (SQLite) or a SQLAlchemy URL such as "
        "postgresql+psycopg://user@host/ltcdesk. Default: $LTCDESK_DB, else the user data folder.",
    )
    _add_global_options(parser, argparse.SUPPRESS)
    parser.set_defaults(db=None, user=None, break_glass=None)
    parser.add_argument("--version", action="version", version=f"ltcdesk {__version__}")
    # --db and --user are accepted after the command too (``ltcdesk caseload --db x.db``).
    common = _Parser(add_help=False)
    _add_global_options(common, argparse.SUPPRESS)
    sub = parser.add_subparsers(dest="command", parser_class=_Parser)

    sub.add_parser("gui", parents=[common], help="open the desktop application (the default)")

    p = sub.add_parser(
        "init", parents=[common], help="create or upgrade the database and the first administrator"
    )
    p.add_argument(
        "--admin",
        default="admin",
        metavar="USERNAME",
        help="username of the first administrator, if there is none yet (default admin)",
    )
    p.add_argument("--name", default="Administrator", help="the administrator's display name")

    p = sub.add_parser(
        "demo", parents=[common], help="fill an empty database with a believable demo team"
    )
    p.add_argument(
        "--patients", type=bounded_int(1, 1_000_000, "a number of patients"), default=2000
    )
    p.add_argument("--seed", type=bounded_int(0, 2**63 - 1, "a seed"), default=1)

    patient = sub.add_parser("patient", parents=[common], help="register or show a patient")
    psub = patient.add_subparsers(dest="patient_command", required=True, parser_class=_Parser)
    p = psub.add_parser("add", parents=[common], help="register a patient")
    p.add_argument("--nhs", required=True, help="NHS number (spaces allowed)")
    p.add_argument("--family", required=True, help="family name")
    p.add_argument("--given", required=True, help="given name")
    p.add_argument("--dob", required=True, help="date of birth, YYYY-MM-DD or DD/MM/YYYY")
    p.add_argument("--practice", required=True, help="practice code, e.g. C82001")
    p.add_argument("--sex", choices=["female", "male", "other", "unknown"])
    p.add_argument("--address")
    p.add_argument("--postcode")
    p.add_argument("--phone")
    p.add_argument("--lives-alone", action="store_true")
    p.add_argument("--format", choices=["text", "json"], default="text")
    p = psub.add_parser("show", parents=[common], help="show a patient's record")
    p.add_argument("nhs", metavar="NHS")
    p.add_argument("--format", choices=["text", "json"], default="text")

    practice = sub.add_parser("practice", parents=[common], help="add or list GP practices")
    prsub = practice.add_subparsers(dest="practice_command", required=True, parser_class=_Parser)
    p = prsub.add_parser("add", parents=[common], help="add a practice")
    p.add_argument("code", metavar="CODE", help="ODS code, e.g. C82001")
    p.add_argument("name", metavar="NAME")
    p.add_argument("--team", help="the team that cares for its patients (need to know)")
    p = prsub.add_parser("list", parents=[common], help="list practices")
    p.add_argument("--format", choices=["table", "json"], default="table")

    staff = sub.add_parser("staff", parents=[common], help="add or list members of staff")
    ssub = staff.add_subparsers(dest="staff_command", required=True, parser_class=_Parser)
    p = ssub.add_parser("add", parents=[common], help="add a member of staff")
    p.add_argument("username", metavar="USERNAME")
    p.add_argument("--name", required=True, help="display name")
    p.add_argument("--role", required=True, choices=[r.value for r in Role])
    p.add_argument("--team")
    p = ssub.add_parser("list", parents=[common], help="list staff")
    p.add_argument("--format", choices=["table", "json"], default="table")

    p = sub.add_parser("caseload", parents=[common], help="list patients on caseloads")
    p.add_argument("--worker", metavar="NAME", help="key worker: username or display name")
    p.add_argument("--level", type=int, choices=[1, 2, 3])
    p.add_argument("--practice", metavar="CODE")
    p.add_argument("--condition", metavar="CODE", help="e.g. COPD, HF, DM")
    p.add_argument("--search", metavar="TEXT", help="name, NHS number or postcode")
    p.add_argument("--format", choices=["table", "csv", "json"], default="table")

    p = sub.add_parser(
        "workers", parents=[common], help="caseload size per key worker (matrons over 80 flagged)"
    )
    p.add_argument("--format", choices=["table", "json"], default="table")

    for module in _extensions():
        module.register(sub, common)
    return parser


def _add_global_options(parser: argparse.ArgumentParser, default: Any) -> None:
    parser.add_argument("--db", metavar="TARGET", default=default, help="database file or URL")
    parser.add_argument(
        "--user",
        metavar="USERNAME",
        default=default,
        help="who signs in (default $LTCDESK_USER); the password comes from "
        "$LTCDESK_PASSWORD or a prompt, never the command line",
    )
    parser.add_argument(
        "--break-glass",
        metavar="REASON",
        nargs="?",
        const=True,  # audit list --break-glass: list the glass broken
        default=default,
        help="open the record of a patient your team does not care for, saying why "
        "(recorded in the audit log; lasts 8 hours); in audit list, with no reason: "
        "list the times someone did",
    )


# ------------------------------------------------------------------------ helpers


PASSWORD_ENV = "LTCDESK_PASSWORD"  # the password of the person signing in
NEW_PASSWORD_ENV = "LTCDESK_NEW_PASSWORD"  # a password being set (user add, reset-password)
FIRST_ADMIN_HINT = (
    "No one can sign in to this database yet. Create the first administrator: "
    'ltcdesk user add --admin USERNAME --name "Your Name"'
)


class SignInNeeded(DomainError):
    """The command must sign in but was given no way to (exit 2)."""


def _database(args: argparse.Namespace) -> Any:
    """The open Database (opened once per command), not signed in."""
    db = getattr(args, "_database", None)
    if db is None:
        from ltcdesk.db import open_database
        from ltcdesk.leftovers import tidy_on_start

        db = args._database = open_database(args.db)
        for message in tidy_on_start(db):  # what a killed encrypt/decrypt/rekey left
            print(f"ltcdesk: {message}", file=sys.stderr)
    return db


def _open(args: argparse.Namespace) -> Any:
    """The open Database, after signing in (once per command) as ``--user``."""
    db = _database(args)
    if getattr(args, "_signed_in", None) is None:
        from ltcdesk.services.accounts import AccountService

        accounts = AccountService(db.sessions)
        if accounts.needs_first_admin():
            raise SignInNeeded(FIRST_ADMIN_HINT)
        username = _requested_user(args) or _ask("Username: ")
        if not username:
            raise SignInNeeded(
                "Say who is signing in: --user USERNAME or LTCDESK_USER, with the password "
                f"in {PASSWORD_ENV} (or run in a terminal to be asked)."
            )
        password = os.environ.get(PASSWORD_ENV) or _ask(f"Password for {username}: ", secret=True)
        if not password:
            raise SignInNeeded(
                f"Signing in as {username} needs a password: set {PASSWORD_ENV} "
                "(or run in a terminal to be asked)."
            )
        args._signed_in = accounts.sign_in(username, password)
        _break_glass(args, db)
    return db


def _break_glass(args: argparse.Namespace, db: Any) -> None:
    """--break-glass REASON: time-limited access to the patient the command names."""
    reason = getattr(args, "break_glass", None)
    if reason is None or args.command == "audit":  # audit list reads it as a filter
        return
    if reason is True:
        raise ValidationError("--break-glass", "say why you need this record")
    nhs = getattr(args, "nhs", None)
    if not nhs:
        raise ValidationError("--break-glass", "this command names no patient")
    from ltcdesk.services.patients import PatientService

    grant = PatientService(db.sessions, args._signed_in.username).break_glass(nhs, reason)
    if grant.expires_at is not None:
        until = grant.expires_at.replace(tzinfo=UTC).astimezone()
        print(
            f"ltcdesk: you broke the glass for {grant.patient_name}'s record until "
            f"{until:%d/%m/%Y %H:%M} (recorded in the audit log)",
            file=sys.stderr,
        )


def _user(args: argparse.Namespace) -> str:
    """The signed-in username (signing in first if the command has not yet)."""
    _open(args)
    return str(args._signed_in.username)


def _signed_in(args: argparse.Namespace) -> Any:
    """Who signed in (a SignedIn: username, display_name, role)."""
    _open(args)
    return args._signed_in


def _requested_user(args: argparse.Namespace) -> str:
    return (args.user or os.environ.get("LTCDESK_USER") or "").strip().lower()


def _ask(prompt: str, *, secret: bool = False) -> str:
    """What the person at the terminal types; "" when there is no terminal to ask."""
    if not sys.stdin.isatty():
        return ""
    if secret:
        return getpass.getpass(prompt)
    # The prompt goes to stderr so that stdout stays clean for --format json / csv.
    print(prompt, end="", file=sys.stderr, flush=True)
    return sys.stdin.readline().strip()


def _new_password(username: str) -> str:
    """A password being set: $LTCDESK_NEW_PASSWORD, else typed twice at a prompt."""
    from ltcdesk.services.accounts import check_password

    password = os.environ.get(NEW_PASSWORD_ENV)
    if password is None:
        if not sys.stdin.isatty():
            raise SignInNeeded(
                f"Give the new password for {username} in {NEW_PASSWORD_ENV}, or run in a "
                "terminal to be asked (never on the command line)."
            )
        password = _ask(f"New password for {username}: ", secret=True)
        check_password(username, password)
        if _ask("Type it again: ", secret=True) != password:
            raise ValidationError("password", "the two entries differ; nothing was changed")
    check_password(username, password)
    return password


def _jsonable(value: Any) -> Any:
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return {f.name: _jsonable(getattr(value, f.name)) for f in dataclasses.fields(value)}
    if isinstance(value, dict):
        return {k: _jsonable(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_jsonable(v) for v in value]
    if isinstance(value, datetime):
        return value.isoformat(timespec="seconds")
    if isinstance(value, date):
        return value.isoformat()
    return value


def _print_json(value: Any) -> None:
    json.dump(_jsonable(value), sys.stdout, ensure_ascii=False, indent=2)
    sys.stdout.write("\n")


def _table(headers: Sequence[str], rows: Sequence[Sequence[Any]]) -> None:
    cells = [[str(h) for h in headers]] + [["" if c is None else str(c) for c in r] for r in rows]
    widths = [max(len(row[i]) for row in cells) for i in range(len(headers))]
    for n, row in enumerate(cells):
        print("  ".join(c.ljust(w) for c, w in zip(row, widths, strict=True)).rstrip())
        if n == 0:
            print("  ".join("-" * w for w in widths))


def _d(value: date | None) -> str:
    return value.strftime("%d/%m/%Y") if value else ""


# ------------------------------------------------------------------------ commands


def cmd_gui(args: argparse.Namespace) -> int:
    from ltcdesk.app import run_gui

    # The GUI signs in with its own dialog; --user only fills in the username there.
    return run_gui(args.db, _requested_user(args))


def cmd_init(args: argparse.Namespace) -> int:
    from ltcdesk.cli_accounts import create_first_admin
    from ltcdesk.services.accounts import AccountService

    db = _database(args)
    print(f"Database ready: {db.display_name}")
    if AccountService(db.sessions).needs_first_admin():
        if os.environ.get(NEW_PASSWORD_ENV) is None and not sys.stdin.isatty():
            print(FIRST_ADMIN_HINT)
        else:
            create_first_admin(db, args.admin, args.name)
    return 0


def cmd_demo(args: argparse.Namespace) -> int:
    from ltcdesk.services.demo import generate_demo
    from ltcdesk.services.demo_team import DEMO_PASSWORD, STAFF

    db = _open(args)
    summary = generate_demo(db, patients=args.patients, seed=args.seed, actor_username=_user(args))
    print(
        f"Demo data: {summary.patients:,} patients ({summary.on_caseload:,} on caseloads), "
        f"{summary.staff} staff, {summary.practices} practices, {summary.carers:,} carers, "
        f"{summary.conditions:,} long term conditions in {summary.seconds:.1f} s."
    )
    print(f"Database: {db.display_name}")
    print(f"\nEvery demo account signs in with the password: {DEMO_PASSWORD}")
    _table(["Username", "Name", "Role"], [[u, name, role.label] for u, name, role in STAFF])
    return 0


def _patient_service(args: argparse.Namespace) -> Any:
    from ltcdesk.services.patients import PatientService

    return PatientService(_open(args).sessions, _user(args))


def cmd_patient_add(args: argparse.Namespace) -> int:
    from ltcdesk.services.patients import NewPatient

    detail = _patient_service(args).register(
        NewPatient(
            nhs_number=args.nhs,
            family_name=args.family,
            given_name=args.given,
            date_of_birth=args.dob,
            practice_code=args.practice,
            sex=args.sex,
            address=args.address,
            postcode=args.postcode,
            phone=args.phone,
            lives_alone=args.lives_alone,
        )
    )
    if args.format == "json":
        _print_json(detail)
    else:
        from ltcdesk.domain.nhs_number import format_nhs

        print(f"Registered {detail.display_name}, NHS number {format_nhs(detail.nhs_number)}")
    return 0


def cmd_patient_show(args: argparse.Namespace) -> int:
    from ltcdesk.domain.nhs_number import format_nhs
    from ltcdesk.domain.vocab import ConsentStatus

    p = _patient_service(args).get(args.nhs)
    if args.format == "json":
        _print_json(p)
        return 0
    print(f"{p.given_name} {p.family_name.upper()}   NHS {format_nhs(p.nhs_number)}")
    print(f"Born {_d(p.date_of_birth)} (age {p.age}), {p.sex}")
    if p.date_of_death:
        print(f"Died {_d(p.date_of_death)}")
    print(f"Practice: {p.practice_name} ({p.practice_code})")
    print(f"Address: {', '.join(x for x in (p.address, p.postcode) if x) or '—'}")
    print(f"Phone: {p.phone or '—'}   Lives alone: {'yes' if p.lives_alone else 'no'}")
    if p.assignment:
        a = p.assignment
        print(f"Key worker: {a.key_worker_name}, level {a.level} since {_d(a.start_date)}")
    else:
        print("Key worker: not on a caseload")
    consent = ConsentStatus(p.consent.status).label if p.consent else "not recorded"
    print(f"Consent to share: {consent}")
    active = p.active_conditions
    print("Long term conditions: " + (", ".join(c.name for c in active) if active else "none"))
    for c in p.carers:
        print(
            f"Carer: {c.name} ({c.relationship or 'carer'})"
            f"{', offered support' if c.offered_support else ''}"
        )
    return 0


def _resolve_worker(db: Any, user: str, name: str) -> str:
    from ltcdesk.domain.text import quote_input
    from ltcdesk.services.setup import SetupService

    wanted = name.strip().lower()
    staff = SetupService(db.sessions, user).staff()
    for s in staff:
        if s.username == wanted:
            return s.username
    matches = [s for s in staff if wanted in s.display_name.lower()]
    if len(matches) == 1:
        return matches[0].username
    if not matches:
        raise ValidationError("worker", f"no member of staff called {quote_input(name)}")
    names = ", ".join(s.username for s in matches)
    raise ValidationError("worker", f"{quote_input(name)} matches several staff: {names}")


def cmd_caseload(args: argparse.Namespace) -> int:
    from ltcdesk.domain import validate
    from ltcdesk.domain.nhs_number import format_nhs
    from ltcdesk.services.caseload import CaseloadService
    from ltcdesk.services.listing import CaseloadFilter

    # Each filter is checked first: an unknown value could only ever list no one.
    condition = validate.known_condition(args.condition, "--condition") if args.condition else None
    practice = validate.practice_code(args.practice, "--practice") if args.practice else None
    db = _open(args)
    user = _user(args)
    if practice and practice not in {p.code for p in _setup_service(args).practices()}:
        raise ValidationError("--practice", f"no practice with code {practice} (see practice list)")
    worker = _resolve_worker(db, user, args.worker) if args.worker else None
    rows = CaseloadService(db.sessions, user).list_caseload(
        CaseloadFilter(
            worker=worker,
            level=args.level,
            practice=practice,
            condition=condition,
            text=args.search,
        ),
        audit=f"Listed the caseload ({args.format} on the command line)",
    )
    if args.format == "json":
        _print_json([dataclasses.asdict(r) | {"ltc_count": r.ltc_count} for r in rows])
        return 0
    headers = [
        "nhs_number",
        "family_name",
        "given_name",
        "date_of_birth",
        "age",
        "practice",
        "key_worker",
        "level",
        "ltc_count",
        "conditions",
        "lives_alone",
        "carer",
    ]
    table = [
        [
            format_nhs(r.nhs_number),
            r.family_name,
            r.given_name,
            _d(r.date_of_birth),
            r.age,
            r.practice_code,
            r.key_worker_name,
            r.level,
            r.ltc_count,
            " ".join(r.conditions),
            "yes" if r.lives_alone else "no",
            "yes" if r.has_carer else "no",
        ]
        for r in rows
    ]
    if args.format == "csv":
        from ltcdesk.cli_output import print_csv

        print_csv(table, headers)  # formula-safe, as every CSV
    else:
        _table(
            [
                "NHS number",
                "Family name",
                "Given name",
                "Born",
                "Age",
                "Practice",
                "Key worker",
                "Level",
                "LTCs",
                "Conditions",
                "Alone",
                "Carer",
            ],
            table,
        )
        print(f"\n{len(rows):,} patients")
    return 0


def cmd_workers(args: argparse.Namespace) -> int:
    from ltcdesk.services.caseload import CaseloadService

    sizes = CaseloadService(_open(args).sessions, _user(args)).sizes()
    if args.format == "json":
        _print_json([dataclasses.asdict(w) | {"over_limit": w.over_limit} for w in sizes])
        return 0
    _table(
        ["Username", "Name", "Role", "Total", "L1", "L2", "L3", ""],
        [
            [
                w.username,
                w.display_name,
                Role(w.role).label,
                w.total,
                w.level_1,
                w.level_2,
                w.level_3,
                "OVER 80 – unsustainable" if w.over_limit else "",
            ]
            for w in sizes
        ],
    )
    return 0


def _setup_service(args: argparse.Namespace) -> Any:
    from ltcdesk.services.setup import SetupService

    return SetupService(_open(args).sessions, _user(args))


def cmd_practice_add(args: argparse.Namespace) -> int:
    practice = _setup_service(args).add_practice(args.code, args.name, args.team)
    cared = f", cared for by {args.team.strip()}" if args.team and args.team.strip() else ""
    print(f"Added practice {practice.code} {practice.name}{cared}")
    return 0


def cmd_practice_list(args: argparse.Namespace) -> int:
    rows = _setup_service(args).practices()
    if args.format == "json":
        _print_json(rows)
    else:
        _table(["Code", "Name", "Patients"], [[r.code, r.name, f"{r.patients:,}"] for r in rows])
    return 0


def cmd_staff_add(args: argparse.Namespace) -> int:
    member = _setup_service(args).add_staff(args.username, args.name, args.role, args.team)
    print(f"Added {member.display_name} ({member.username}) as {Role(member.role).label}")
    return 0


def cmd_staff_list(args: argparse.Namespace) -> int:
    rows = _setup_service(args).staff()
    if args.format == "json":
        _print_json(rows)
    else:
        _table(
            ["Username", "Name", "Role", "Team", "Active"],
            [
                [
                    r.username,
                    r.display_name,
                    Role(r.role).label,
                    r.team or "",
                    "yes" if r.active else "no",
                ]
                for r in rows
            ],
        )
    return 0


COMMANDS: dict[str, Handler] = {
    "practice add": cmd_practice_add,
    "practice list": cmd_practice_list,
    "staff add": cmd_staff_add,
    "staff list": cmd_staff_list,
    "gui": cmd_gui,
    "init": cmd_init,
    "demo": cmd_demo,
    "patient add": cmd_patient_add,
    "patient show": cmd_patient_show,
    "caseload": cmd_caseload,
    "workers": cmd_workers,
}


# Command groups in modules of their own; each has ``register(sub, common)`` adding its
# parsers (a group's sub-command in ``<group>_command``) and ``HANDLERS``.
_EXTENSION_NAMES = (
    "ltcdesk.cli_accounts",
    "ltcdesk.cli_audit",
    "ltcdesk.cli_security",
    "ltcdesk.cli_careplan",
    "ltcdesk.cli_assessment",
    "ltcdesk.cli_conversation",
    "ltcdesk.cli_meeting",
    "ltcdesk.cli_reminders",
    "ltcdesk.cli_team",
)
_GROUPS = (
    "patient", "practice", "staff", "user", "audit", "careplan", "assessment", "conversation",
    "navigator", "team",
)  # fmt: skip


def _extensions() -> list[Any]:
    import importlib

    return [importlib.import_module(name) for name in _EXTENSION_NAMES]


def _handlers() -> dict[str, Handler]:
    handlers = dict(COMMANDS)
    for module in _extensions():
        handlers.update(module.HANDLERS)
    return handlers


def _password_argument(argv: Sequence[str]) -> bool:
    return any(a.split("=", 1)[0] in ("--password", "--pass", "--new-password") for a in argv)


def main(argv: Sequence[str] | None = None) -> int:
    from ltcdesk.config import restrict_new_files, setup_logging

    given = sys.argv[1:] if argv is None else list(argv)
    if _password_argument(given):
        # Said without echoing the argument list, which holds the password.
        print(
            f"ltcdesk: passwords are never taken on the command line; use {PASSWORD_ENV} "
            f"(signing in) or {NEW_PASSWORD_ENV} (setting one), or the prompt",
            file=sys.stderr,
        )
        return 2
    try:
        args = build_parser().parse_args(given)
    except UsageError as exc:
        message = str(exc)
        if "unrecognized arguments" in message and "user" in given:
            # Not echoed: one of them may be a password typed where none is ever taken.
            message = (
                "ltcdesk: unrecognised arguments (not repeated here); a password is never an "
                f"argument: it comes from {NEW_PASSWORD_ENV} or the prompt"
            )
        from ltcdesk.domain.text import printable_message

        print(printable_message(message), file=sys.stderr)
        return 2
    command = args.command or "gui"
    group = getattr(args, f"{command}_command", None)  # "user add", "audit verify", …
    if group:
        command = f"{command} {group}"
    elif command in _GROUPS:
        print(f"ltcdesk {command}: say what to do (ltcdesk {command} --help)", file=sys.stderr)
        return 2
    restrict_new_files()  # every file and folder made from here on is this user's only
    # A log that cannot be written (a full disk) must not fill the terminal with tracebacks:
    # the command goes on, and says what went wrong in one line.
    logging.raiseExceptions = False
    with contextlib.suppress(OSError):
        setup_logging()
    try:
        return _handlers()[command](args)
    except DomainError as exc:
        from ltcdesk.domain.text import printable_message

        message = str(exc)
        if isinstance(exc, NeedToKnowError):
            message += ' On the command line: repeat the command with --break-glass "REASON".'
        # One line, escaped and capped, whatever input the message quotes.
        print(f"ltcdesk: {printable_message(message)}", file=sys.stderr)
        return 2
    except BrokenPipeError:
        # The reader went away (``ltcdesk caseload | head``): stop quietly.
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        return 0
    except KeyboardInterrupt:
        print("ltcdesk: interrupted; nothing was half-written", file=sys.stderr)
        return 1
    except Exception as exc:
        from ltcdesk.cli_output import DISK_FULL, disk_full, name_too_long, storage_folders
        from ltcdesk.db_errors import busy_message, database_busy

        if disk_full(exc, storage_folders(args.db)):
            print(f"ltcdesk: {DISK_FULL}", file=sys.stderr)
            return 2
        if said := name_too_long(exc):
            print(f"ltcdesk: {said}", file=sys.stderr)
            return 2
        if database_busy(exc):
            log.warning("database busy past the wait in command %s", command)
            print(f"ltcdesk: {busy_message()}", file=sys.stderr)
            return 2
        log.exception("unexpected error in command %s", command)
        from ltcdesk.paths import log_dir

        print(
            f"ltcdesk: unexpected error; details are in {log_dir() / 'ltcdesk.log'}",
            file=sys.stderr,
        )
        return 1
    finally:
        # Close the database the command opened (its pooled connections would otherwise
        # keep the file open in this process, e.g. for a restore that follows in a test).
        db = getattr(args, "_database", None)
        if db is not None:
            db.dispose()
