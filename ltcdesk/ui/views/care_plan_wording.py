"""How the care plan tab words a version and its status."""

from __future__ import annotations

import html
from datetime import date

from ltcdesk.services.careplan_views import LABELS, CarePlanView, PlanStatus, PlanVersionSummary


def _dmy(day: date | None) -> str:
    return f"{day:%d/%m/%Y}" if day else ""


def version_label(summary: PlanVersionSummary) -> str:
    """ "Version 3 · agreed 03/11/2026", "Version 4 · draft", "Version 1 · superseded"."""
    head = f"Version {summary.version}"
    if summary.status == PlanStatus.AGREED.value and summary.agreed_on:
        return f"{head} · agreed {_dmy(summary.agreed_on)}"
    if summary.status == PlanStatus.DRAFT.value:
        return f"{head} · draft (started {summary.created_at:%d/%m/%Y})"
    if summary.status == PlanStatus.SUPERSEDED.value and summary.agreed_on:
        return f"{head} · superseded (agreed {_dmy(summary.agreed_on)})"
    return f"{head} · {LABELS.get(summary.status, summary.status).lower()}"


def status_text(plan: CarePlanView, latest: bool, editable: bool) -> str:
    """A line or two: the version's state, who agreed it, the review, what can be done."""
    parts = [f"<b>{LABELS.get(plan.status, plan.status)}</b>"]
    if plan.agreed_on:
        who = f" with {html.escape(plan.agreed_with)}" if plan.agreed_with else ""
        by = f" by {html.escape(plan.agreed_by)}" if plan.agreed_by else ""
        agreed = "agreed " if plan.status != PlanStatus.AGREED.value else ""
        parts[0] += f" {agreed}{_dmy(plan.agreed_on)}{who}{by}"
    elif plan.status == PlanStatus.DRAFT.value:
        parts[0] += f" since {plan.created_at:%d/%m/%Y} ({html.escape(plan.created_by)})"
    if plan.closed_on:
        reason = f": {html.escape(plan.closed_reason)}" if plan.closed_reason else ""
        parts.append(f"closed {_dmy(plan.closed_on)}{reason}")
    if plan.review_date and plan.status in (PlanStatus.DRAFT.value, PlanStatus.AGREED.value):
        who = f" ({html.escape(plan.reviewer)})" if plan.reviewer else ""
        parts.append(f"review {_dmy(plan.review_date)}{who}")
    if not latest:
        parts.append("<i>an earlier version, read-only</i>")
    elif plan.status == PlanStatus.AGREED.value:
        parts.append("<i>read-only until a review starts</i>")
    elif plan.status == PlanStatus.DRAFT.value and not editable:
        parts.append("<i>read-only for your role</i>")
    return " · ".join(parts)
