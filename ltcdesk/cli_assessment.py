"""Assessments on the command line.

``ltcdesk assessment show NHS [--format text|json]``
    the patient's latest completed single assessment: date, mode, assessor, every domain
    with its structured fields, notes and needs, then the summary of needs. JSON keys are
    snake_case and dates ISO; text is for people.
``ltcdesk assessment print NHS --out FILE.pdf [--id ID]``
    the printed summary (the latest completed assessment, or assessment ID, draft or not),
    with the changes since the assessment before it; the file is written atomically.
``ltcdesk assessment history NHS [--format table|json]``
    every assessment of the patient, newest first.

With no completed assessment ``show`` and ``print`` say so and exit 2. Viewing and printing
are audited as in the app (the service audits each view).
"""

from __future__ import annotations

import argparse
from collections.abc import Callable
from datetime import datetime
from pathlib import Path
from typing import Any

from ltcdesk.cli_output import ID, out_file, save

Handler = Callable[[argparse.Namespace], int]


def register(sub: Any, common: argparse.ArgumentParser) -> None:
    """Add this module's parsers to the ``ltcdesk`` sub-command parsers."""
    assessment = sub.add_parser(
        "assessment", parents=[common], help="show, print or list assessments"
    )
    asub = assessment.add_subparsers(dest="assessment_command", parser_class=type(common))
    p = asub.add_parser("show", parents=[common], help="show a patient's latest assessment")
    p.add_argument("nhs", metavar="NHS", help="the patient's NHS number (spaces allowed)")
    p.add_argument("--format", choices=["text", "json"], default="text")
    p = asub.add_parser(
        "print", parents=[common], help="save a printable summary of an assessment as a PDF"
    )
    p.add_argument("nhs", metavar="NHS", help="the patient's NHS number (spaces allowed)")
    p.add_argument("--out", required=True, type=Path, metavar="FILE.pdf")
    p.add_argument(
        "--id",
        type=ID,
        metavar="ID",
        help="which assessment (see 'assessment history'); default the latest completed",
    )
    p = asub.add_parser("history", parents=[common], help="list a patient's assessments")
    p.add_argument("nhs", metavar="NHS", help="the patient's NHS number (spaces allowed)")
    p.add_argument("--format", choices=["table", "json"], default="table")


def assessment_json(a: Any) -> dict[str, Any]:
    """The assessment as ``show --format json`` prints it (dates still date objects)."""
    return {
        "id": a.id,
        "nhs_number": a.patient_nhs,
        "patient_name": a.patient_name,
        "assessed_on": a.assessed_on,
        "mode": a.mode,
        "assessor": a.assessor,
        "assessor_role": a.assessor_role,
        "status": a.status,
        "domains": [
            {
                "key": d.key,
                "label": d.label,
                "clinical": d.clinical,
                "fields": d.fields,
                "computed": d.computed,
                "note": d.note,
                "need_identified": d.need_identified,
                "need": d.need_text,
                "confirmed": getattr(d, "confirmed", None),
            }
            for d in a.domains
        ],
        "needs": [
            {
                "domain": n.domain,
                "label": n.label,
                "need": n.text,
                "goal_id": n.goal_id,
                "action_id": getattr(n, "action_id", None),
            }
            for n in a.needs
        ],
    }


def _shown(value: Any) -> str:
    if value is True:
        return "yes"
    if value is False:
        return "no"
    return str(value)


def _text(a: Any) -> list[str]:
    from ltcdesk.domain import assessment_domains as ad
    from ltcdesk.domain.nhs_number import format_nhs

    mode = "face to face" if a.mode == "face_to_face" else "telephone"
    lines = [
        f"Assessment of {a.patient_name} (NHS {format_nhs(a.patient_nhs)})",
        f"{a.assessed_on:%d/%m/%Y}, {mode}, by {a.assessor}",
    ]
    for d in a.domains:
        spec = ad.domain(d.key)
        parts = [f"{spec.field(k).label} {_shown(v)}" for k, v in d.fields.items()]
        parts += [k for k, v in d.computed.items() if v is True]
        if not parts and not d.note and not d.need_identified:
            continue
        lines += ["", d.label]
        if parts:
            lines.append("   " + "; ".join(parts))
        if d.note:
            lines.append(f"   Note: {d.note}")
        if d.need_identified:
            lines.append(f"   Need: {d.need_text}")
    lines += ["", "Needs"]
    lines += [
        f"- {n.label}: {n.text}"
        + (" (a goal in the care plan)" if n.goal_id else "")
        + (" (a team action in the care plan)" if getattr(n, "action_id", None) else "")
        for n in a.needs
    ] or ["- none identified"]
    return lines


def cmd_assessment_show(args: argparse.Namespace) -> int:
    from ltcdesk.cli import _open, _print_json, _user
    from ltcdesk.domain.errors import NotFoundError
    from ltcdesk.domain.nhs_number import format_nhs, normalise
    from ltcdesk.services.assessments import AssessmentService

    a = AssessmentService(_open(args).sessions, _user(args)).latest(args.nhs)
    if a is None:
        raise NotFoundError(f"{format_nhs(normalise(args.nhs))} has no completed assessment.")
    if args.format == "json":
        _print_json(assessment_json(a))
    else:
        print("\n".join(_text(a)))
    return 0


def _pdf_file(path: Path) -> Path:
    return out_file(path, "--out")


def _has_earlier(history: list[Any], a: Any) -> bool:
    """Whether a completed assessment comes before ``a`` (else every field would show as
    a change)."""
    return any(
        h.status == "complete" and (h.assessed_on, h.id) < (a.assessed_on, a.id) for h in history
    )


def cmd_assessment_print(args: argparse.Namespace) -> int:
    from ltcdesk.cli import _open, _signed_in
    from ltcdesk.domain.errors import NotFoundError
    from ltcdesk.domain.nhs_number import format_nhs, normalise
    from ltcdesk.reports.assessment_summary import render_assessment_summary
    from ltcdesk.services.assessments import AssessmentService

    out = _pdf_file(args.out)
    shown = format_nhs(normalise(args.nhs))
    who = _signed_in(args)
    service = AssessmentService(_open(args).sessions, who.username)
    history = service.history(args.nhs)
    a = service.get(args.nhs, args.id) if args.id is not None else service.latest(args.nhs)
    if a is None:
        drafts = [h for h in history if h.status != "complete"]
        hint = f"; print the draft with --id {drafts[0].id}" if drafts else ""
        raise NotFoundError(f"{shown} has no completed assessment{hint}.")
    differences = service.differences(args.nhs, a.id) if _has_earlier(history, a) else None
    data = render_assessment_summary(
        a, printed_by=who.display_name, printed_at=datetime.now(), differences=differences
    )
    save(out, data)
    draft = " (a draft)" if a.status != "complete" else ""
    print(f"Saved the assessment of {a.patient_name} on {a.assessed_on:%d/%m/%Y}{draft} to {out}")
    return 0


def cmd_assessment_history(args: argparse.Namespace) -> int:
    from ltcdesk.cli import _d, _open, _print_json, _table, _user
    from ltcdesk.services.assessments import AssessmentService

    rows = AssessmentService(_open(args).sessions, _user(args)).history(args.nhs, audit=True)
    if args.format == "json":
        _print_json(rows)
        return 0
    if not rows:
        print("No assessments.")
        return 0
    _table(
        ["Id", "Date", "How", "Assessor", "Status", "Needs"],
        [
            [
                h.id,
                _d(h.assessed_on),
                "face to face" if h.mode == "face_to_face" else h.mode,
                h.assessor,
                h.status,
                h.needs,
            ]
            for h in rows
        ],
    )
    return 0


HANDLERS: dict[str, Handler] = {
    "assessment show": cmd_assessment_show,
    "assessment print": cmd_assessment_print,
    "assessment history": cmd_assessment_history,
}
