"""Printing care plans from the command line (wired into the ``careplan`` group by
``ltcdesk.cli_careplan``):

``ltcdesk careplan export NHS --out FILE.pdf [--large-print] [--summary | --clinical]``
    the person's current agreed plan as a PDF; exit 2 with one line if there is none.
``ltcdesk careplan export-caseload --worker USERNAME --out FOLDER [--large-print] [--summary]``
    the agreed plan of everyone on a key worker's caseload, one PDF each, with progress on
    stderr. Interrupted (Ctrl+C), the files already written stay and none is half-written.

Every file is written atomically. The PDF says who printed it, and when.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable
from datetime import datetime
from pathlib import Path
from typing import Any

from ltcdesk.cli_output import out_file, out_folder, save


def add_export_parsers(csub: Any, common: argparse.ArgumentParser) -> None:
    """Add ``export`` and ``export-caseload`` to the ``careplan`` sub-command parsers."""
    p = csub.add_parser(
        "export", parents=[common], help="save a person's agreed care plan as a PDF"
    )
    p.add_argument("nhs", metavar="NHS", help="NHS number (spaces allowed)")
    p.add_argument("--out", required=True, type=Path, metavar="FILE.pdf")
    _form_options(p, clinical=True)
    p = csub.add_parser(
        "export-caseload",
        parents=[common],
        help="save the agreed care plan of everyone on a key worker's caseload, one PDF each",
    )
    p.add_argument("--worker", required=True, metavar="USERNAME", help="username or name")
    p.add_argument("--out", required=True, type=Path, metavar="FOLDER")
    _form_options(p, clinical=False)


def _form_options(p: argparse.ArgumentParser, *, clinical: bool) -> None:
    p.add_argument("--large-print", action="store_true", help="16 pt and larger type")
    form = p.add_mutually_exclusive_group()
    form.add_argument(
        "--summary",
        action="store_true",
        help="one page: what matters, goals with scores, contingency and review date",
    )
    if clinical:
        form.add_argument(
            "--clinical",
            action="store_true",
            help="for professionals: adds the version history and each goal's score trend",
        )


def _service(args: argparse.Namespace) -> tuple[Any, Any, Any]:
    """The open database, who signed in, and the care plan service acting as them."""
    from ltcdesk.cli import _open, _signed_in
    from ltcdesk.services.careplans import CarePlanService

    db = _open(args)
    who = _signed_in(args)
    return db, who, CarePlanService(db.sessions, who.username)


def _pdf_file(path: Path) -> Path:
    return out_file(path, "--out")


def cmd_careplan_export(args: argparse.Namespace) -> int:
    from ltcdesk.domain.nhs_number import format_nhs, normalise
    from ltcdesk.reports.care_plan import render_care_plan_pdf

    out = _pdf_file(args.out)
    _, who, service = _service(args)
    plan = service.agreed(args.nhs)
    if plan is None:
        shown = format_nhs(normalise(args.nhs))
        print(
            f"ltcdesk careplan export: {shown} has no agreed care plan (agree one first)",
            file=sys.stderr,
        )
        return 2
    data = render_care_plan_pdf(
        plan,
        large_print=args.large_print,
        summary=args.summary,
        clinical=getattr(args, "clinical", False),
        printed_by=who.display_name,
        printed_at=datetime.now(),
    )
    save(out, data)
    print(f"Saved the care plan of {plan.patient_name} to {out}")
    return 0


def cmd_careplan_export_caseload(args: argparse.Namespace) -> int:
    from ltcdesk.cli import _resolve_worker
    from ltcdesk.reports.care_plan_batch import export_plans

    folder: Path = out_folder(args.out, "--out")
    db, who, service = _service(args)
    worker = _resolve_worker(db, who.username, args.worker)
    plans = list(service.plans_for_caseload(worker))
    if not plans:
        print(f"No agreed care plans on the caseload of {worker}; nothing was written.")
        return 0
    paths = export_plans(
        plans,
        folder,
        large_print=args.large_print,
        summary=args.summary,
        printed_by=who.display_name,
        printed_at=datetime.now(),
        progress=_progress_line(sys.stderr.isatty()),
    )
    plural = "" if len(paths) == 1 else "s"
    print(f"Saved {len(paths):,} care plan{plural} to {folder}")
    return 0


def _progress_line(terminal: bool) -> Callable[[int, int], None]:
    """Progress on stderr: one line redrawn in a terminal, a line a file in a log."""

    def show(done: int, total: int) -> None:
        if done == 0:
            return
        text = f"Exported {done:,} of {total:,} care plans"
        if terminal:
            end = "\n" if done == total else ""
            print(f"\r{text}", end=end, file=sys.stderr, flush=True)
        else:
            print(text, file=sys.stderr)

    return show
