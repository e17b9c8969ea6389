"""Care plans on the command line: ``ltcdesk careplan show NHS [--format text|json]``.

``show`` prints the patient's agreed plan (the one in force): goals with importance,
confidence, status and follow-up (who, when, how), the trend of scores, the contingency
plan and the review date. JSON keys are snake_case and dates ISO; text is for people.
With no agreed plan it says so and exits 2. Viewing is audited as in the app.

``careplan export`` and ``export-caseload`` (PDF) live in ltcdesk.cli_careplan_export.
"""

from __future__ import annotations

import argparse
from collections.abc import Callable
from typing import Any

Handler = Callable[[argparse.Namespace], int]


def register(sub: Any, common: argparse.ArgumentParser) -> None:
    """Add this module's parsers to the ``ltcdesk`` sub-command parsers."""
    careplan = sub.add_parser("careplan", parents=[common], help="show or export care plans")
    csub = careplan.add_subparsers(dest="careplan_command", parser_class=type(common))
    p = csub.add_parser("show", parents=[common], help="show a patient's agreed care plan")
    p.add_argument("nhs", metavar="NHS", help="the patient's NHS number (spaces allowed)")
    p.add_argument("--format", choices=["text", "json"], default="text")
    from ltcdesk.cli_careplan_export import add_export_parsers

    add_export_parsers(csub, common)  # export NHS, export-caseload


def _service(args: argparse.Namespace) -> Any:
    from ltcdesk.cli import _open, _user
    from ltcdesk.services.careplans import CarePlanService

    db = _open(args)
    return CarePlanService(db.sessions, _user(args))


def plan_json(plan: Any) -> dict[str, Any]:
    """The plan as ``show --format json`` prints it (dates still date objects)."""
    return {
        "nhs_number": plan.patient_nhs,
        "patient_name": plan.patient_name,
        "date_of_birth": plan.date_of_birth,
        "version": plan.version,
        "status": plan.status,
        "agreed_on": plan.agreed_on,
        "agreed_by": plan.agreed_by,
        "agreed_with": plan.agreed_with,
        "review_date": plan.review_date,
        "reviewer": plan.reviewer,
        "about_me": plan.about_me,
        "what_matters": plan.what_matters,
        "goals": [
            {
                "position": g.position,
                "description": g.description,
                "importance": g.importance,
                "confidence": g.confidence,
                "quick_win": g.quick_win,
                "status": g.status,
                "comment": g.comment,
                "barriers": g.barriers,
                "move_up": g.move_up,
                "steps": g.steps,
                "follow_up": {
                    "who": g.follow_up_who,
                    "when": g.follow_up_when,
                    "how": g.follow_up_how,
                },
                "scores": g.scores,
            }
            for g in plan.goals
        ],
        "contributions": plan.contributions,
        "contingency": plan.contingency,
        "preventive": plan.preventive,
        "copies": plan.copies,
    }


def _text(plan: Any) -> list[str]:
    from ltcdesk.domain.nhs_number import format_nhs
    from ltcdesk.services.careplan_views import LABELS

    def d(value: Any) -> str:
        return f"{value:%d/%m/%Y}" if value else "not set"

    lines = [
        f"Care plan for {plan.patient_name} (NHS {format_nhs(plan.patient_nhs)}, "
        f"born {plan.date_of_birth:%d/%m/%Y})",
        f"Version {plan.version}, {LABELS[plan.status].lower()} on {d(plan.agreed_on)}"
        f" by {plan.agreed_by or 'unknown'} with {plan.agreed_with or 'unknown'}",
        f"Review date: {d(plan.review_date)}" + (f" ({plan.reviewer})" if plan.reviewer else ""),
        "",
        "Goals",
    ]
    for g in plan.goals:
        win = " (quick win)" if g.quick_win else ""
        lines.append(f"{g.position}. {g.description}{win}")
        lines.append(
            f"   importance {g.importance}/10, confidence {g.confidence}/10, "
            f"{LABELS.get(g.status, g.status).lower()}"
        )
        for st in g.steps:
            by = f"by {st.due_on:%d/%m/%Y}" if st.due_on else None
            lines.append("   - " + ", ".join(x for x in (st.what, st.when, st.how_often, by) if x))
        if g.follow_up_who or g.follow_up_when or g.follow_up_how:
            how = LABELS.get(g.follow_up_how, g.follow_up_how) if g.follow_up_how else None
            parts = [g.follow_up_who, d(g.follow_up_when) if g.follow_up_when else None, how]
            lines.append("   Follow-up: " + ", ".join(p for p in parts if p))
        if len(g.scores) > 1:
            trend = ", ".join(f"{p.on:%d/%m/%Y} {p.importance}/{p.confidence}" for p in g.scores)
            lines.append(f"   Trend (importance/confidence): {trend}")
    lines += ["", "If things change"]
    for r in plan.contingency:
        calls = "; ".join(
            f"{label}: {x}"
            for label, x in (("in hours", r.call_in_hours), ("out of hours", r.call_out_of_hours))
            if x
        )
        lines.append(
            f"{LABELS[r.level]}: {r.signs} -> {r.action}" + (f" ({calls})" if calls else "")
        )
    return lines


def cmd_careplan_show(args: argparse.Namespace) -> int:
    from ltcdesk.cli import _print_json
    from ltcdesk.domain.errors import NotFoundError
    from ltcdesk.domain.nhs_number import format_nhs, normalise

    plan = _service(args).agreed(args.nhs)
    if plan is None:
        raise NotFoundError(f"{format_nhs(normalise(args.nhs))} has no agreed care plan.")
    if args.format == "json":
        _print_json(plan_json(plan))
    else:
        print("\n".join(_text(plan)))
    return 0


def cmd_careplan_export(args: argparse.Namespace) -> int:
    from ltcdesk.cli_careplan_export import cmd_careplan_export as export

    return export(args)


def cmd_careplan_export_caseload(args: argparse.Namespace) -> int:
    from ltcdesk.cli_careplan_export import cmd_careplan_export_caseload as export

    return export(args)


HANDLERS: dict[str, Handler] = {
    "careplan show": cmd_careplan_show,
    "careplan export": cmd_careplan_export,
    "careplan export-caseload": cmd_careplan_export_caseload,
}
