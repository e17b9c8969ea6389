"""Assessments on the command line: ``ltcdesk assessment show NHS [--format text|json]``.

``show`` prints the patient's latest completed single assessment: date, mode, assessor,
every domain with its structured fields, notes and needs, then the summary of needs. JSON
keys are snake_case and dates ISO; text is for people. With no completed assessment it says
so and exits 2. Viewing is audited as in the app.
"""

from __future__ import annotations

import argparse
from collections.abc import Callable
from typing import Any

Handler = Callable[[argparse.Namespace], int]


def register(sub: Any, common: argparse.ArgumentParser) -> None:
    """Add this module's parsers to the ``ltcdesk`` sub-command parsers."""
    assessment = sub.add_parser("assessment", parents=[common], help="show assessments")
    asub = assessment.add_subparsers(dest="assessment_command", parser_class=type(common))
    p = asub.add_parser("show", parents=[common], help="show a patient's latest assessment")
    p.add_argument("nhs", metavar="NHS", help="the patient's NHS number (spaces allowed)")
    p.add_argument("--format", choices=["text", "json"], default="text")


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
            }
            for d in a.domains
        ],
        "needs": [
            {"domain": n.domain, "label": n.label, "need": n.text, "goal_id": n.goal_id}
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
        f"- {n.label}: {n.text}" + (" (a goal in the care plan)" if n.goal_id else "")
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


HANDLERS: dict[str, Handler] = {"assessment show": cmd_assessment_show}
