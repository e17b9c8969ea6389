"""The audit log on the command line: ``ltcdesk audit verify`` and ``ltcdesk audit list``.

``audit verify`` checks every entry's signature, the keyed chain and this computer's signed
checkpoint (ltcdesk.services.audit_verify), then prints the checkpoint. Exit status 0 and
"Audit log intact: N rows checked." when it holds; exit status 1, with the problem in plain
English on stdout (the report a scheduled check mails on), when it does not. A broken
chain is not bad input (2, as for the rest of the CLI): the command worked, and what it
found needs a person to look at the database. Being refused permission is bad input (2).

``audit list`` prints entries newest first, filtered by ``--by USERNAME`` (who acted;
``--user`` stays the acting user, as for every command), ``--nhs``, ``--from``,
``--to`` (days in local time, DD/MM/YYYY or YYYY-MM-DD, both inclusive) and ``--action``
(``--break-glass``: only the times someone broke the glass);
``--format csv`` is an export (UTF-8, formula-safe cells, audited); table and JSON show the
newest ``--limit`` entries (default 5,000). Both need the audit permission (admins and
team leads).
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable
from typing import Any

from ltcdesk.cli_output import LIMIT_MAX, bounded_int

Handler = Callable[[argparse.Namespace], int]
LIST_LIMIT = 5000


def register(sub: Any, common: argparse.ArgumentParser) -> None:
    """Add this module's parsers to the ``ltcdesk`` sub-command parsers."""
    audit = sub.add_parser("audit", parents=[common], help="check or list the audit log")
    # Not required: with none given, ltcdesk.cli says "say what to do" (exit 2).
    asub = audit.add_subparsers(dest="audit_command", parser_class=type(common))
    asub.add_parser(
        "verify",
        parents=[common],
        help="check the audit log's signatures, chain and checkpoint (exit 1 if altered)",
        description="Checks every audit entry's signature and the keyed chain with this "
        "installation's audit key ($LTCDESK_AUDIT_KEY_FILE, else audit.key in the data "
        "folder; a team on one PostgreSQL server gives every computer a copy of the same "
        "key file), and compares the log with the signed checkpoint this computer keeps in "
        "its log folder, which catches truncation, a wiped log and an older copy put back.",
    )
    # --break-glass (every command's option) here lists the glass broken (see _action).
    asub.add_parser(
        "key",
        parents=[common],
        help="where this computer's audit key is, its fingerprint, and whether it is the "
        "one this database is sealed with",
    )
    p = asub.add_parser("list", parents=[common], help="list audit entries, newest first")
    # Not --user: every command takes --user as the acting member of staff.
    p.add_argument("--by", dest="audit_user", metavar="USERNAME", help="entries by this user")
    p.add_argument("--nhs", metavar="NHS", help="the patient's NHS number (spaces allowed)")
    p.add_argument(
        "--from", dest="date_from", metavar="DATE", help="from this day: DD/MM/YYYY or YYYY-MM-DD"
    )
    p.add_argument("--to", dest="date_to", metavar="DATE", help="to this day, inclusive")
    p.add_argument("--action", metavar="ACTION", help="e.g. patient.view (see the table)")
    p.add_argument(
        "--limit",
        type=bounded_int(1, LIMIT_MAX, "a number of entries"),
        metavar="N",
        help=f"at most N entries (default {LIST_LIMIT:,}; every entry for csv)",
    )
    p.add_argument("--format", choices=["table", "csv", "json"], default="table")


def _service(args: argparse.Namespace) -> Any:
    from ltcdesk.cli import _open, _user
    from ltcdesk.services.audit import AuditService

    db = _open(args)
    user = _user(args)
    return AuditService(db.sessions, user)


def cmd_audit_verify(args: argparse.Namespace) -> int:
    check = _service(args).verify()
    print(check.message)
    if check.checkpoint:
        print(f"Checkpoint: {check.checkpoint}")
    return 0 if check.ok else 1


def cmd_audit_key(args: argparse.Namespace) -> int:
    status = _service(args).sealing_key()
    print(f"This computer's audit key: {status.path} (fingerprint {status.fingerprint})")
    if status.database_fingerprint is None:
        print("This database has not been sealed yet; its first entry will use this key.")
    elif status.matches:
        print("This database is sealed with this key.")
    else:
        print(
            f"This database is sealed with another key (fingerprint "
            f"{status.database_fingerprint}): copy the team's key file to this computer and "
            "name it in LTCDESK_AUDIT_KEY_FILE."
        )
        return 1
    return 0


def _filter(args: argparse.Namespace) -> Any:
    from ltcdesk.domain import validate
    from ltcdesk.services.audit import AuditFilter

    return AuditFilter(
        username=args.audit_user,
        nhs_number=args.nhs,
        date_from=validate.parse_date(args.date_from, "--from"),
        date_to=validate.parse_date(args.date_to, "--to"),
        action=_action(args),
    )


def _action(args: argparse.Namespace) -> str | None:
    from ltcdesk.domain.errors import ValidationError

    """--action, or with --break-glass (no reason) the times someone broke the glass."""
    flag = getattr(args, "break_glass", None)
    if flag is None:
        return args.action
    if flag is not True:
        raise ValidationError("--break-glass", "takes no reason in audit list")
    if args.action and args.action.strip() != "break_glass":
        raise ValidationError("--break-glass", "lists one action: leave out --action")
    return "break_glass"


def cmd_audit_list(args: argparse.Namespace) -> int:
    from ltcdesk.cli import _print_json, _table
    from ltcdesk.domain.nhs_number import format_nhs

    flt = _filter(args)
    service = _service(args)
    if args.format == "csv":
        # Text, not bytes: the byte order mark is for Excel opening a file, not for a pipe.
        sys.stdout.write(service.export_csv(flt, args.limit).decode("utf-8-sig"))
        return 0
    limit = args.limit if args.limit is not None else LIST_LIMIT
    rows = service.search(flt, limit)
    if args.format == "json":
        _print_json(rows)
        return 0
    _table(
        ["When", "User", "Action", "Record", "Patient", "Summary"],
        [
            [
                f"{r.local_at:%d/%m/%Y %H:%M}",
                r.username,
                r.action,
                r.record,
                format_nhs(r.patient_nhs) if r.patient_nhs else "",
                r.summary,
            ]
            for r in rows
        ],
    )
    entries = "1 entry" if len(rows) == 1 else f"{len(rows):,} entries"
    more = " (the newest; there may be more: narrow the search or raise --limit)"
    print(f"\n{entries}{more if len(rows) == limit else ''}")
    return 0


HANDLERS: dict[str, Handler] = {
    "audit verify": cmd_audit_verify,
    "audit key": cmd_audit_key,
    "audit list": cmd_audit_list,
}
