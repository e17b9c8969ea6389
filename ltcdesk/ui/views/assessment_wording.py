"""How the Assessment tab words things: versions, values, differences, computed flags.

Pure functions (no widgets), so the live "changes since last assessment" list compares
what is on screen with the previous assessment exactly as the service's ``differences``
compares what is saved.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date

from ltcdesk.domain import assessment_domains as ad
from ltcdesk.services.assessments import AssessmentSummary, AssessmentView, Difference, DomainView

MODE_LABELS = {"face_to_face": "Face to face", "telephone": "Telephone"}
STATUS_LABELS = {"draft": "Draft", "complete": "Complete"}
NOT_RECORDED = "not recorded"


def mode_label(mode: str) -> str:
    return MODE_LABELS.get(mode, mode.replace("_", " ").capitalize())


def version_label(summary: AssessmentSummary) -> str:
    """ "22/11/2026 · Telephone · Mary Matron · Draft"."""
    return (
        f"{summary.assessed_on:%d/%m/%Y} · {mode_label(summary.mode)} · {summary.assessor}"
        f" · {STATUS_LABELS.get(summary.status, summary.status)}"
    )


def heading(view: AssessmentView) -> str:
    """ "Telephone assessment on 22/11/2026 by Mary Matron (community matron)"."""
    role = view.assessor_role.replace("_", " ")
    return (
        f"{mode_label(view.mode)} assessment on {view.assessed_on:%d/%m/%Y} "
        f"by {view.assessor} ({role})"
    )


def choice_label(choice: str) -> str:
    """ "social_rented" → "Social rented"."""
    return choice.replace("_", " ").capitalize()


def value_text(spec: ad.FieldSpec | None, value: object) -> str:
    """A stored value as a person reads it: "Yes", "12/03/2026", "Private rented"."""
    if value is None or value == "":
        return NOT_RECORDED
    if isinstance(value, bool):
        return "Yes" if value else "No"
    if spec is not None and spec.kind is ad.Kind.DATE and isinstance(value, str):
        try:
            return f"{date.fromisoformat(value):%d/%m/%Y}"
        except ValueError:
            return value
    if spec is not None and spec.kind is ad.Kind.CHOICE and isinstance(value, str):
        return choice_label(value)
    return str(value)


def computed_text(flags: Mapping[str, object]) -> list[str]:
    """The computed flags that are set, in words."""
    out = []
    if flags.get("polypharmacy"):
        out.append(f"Polypharmacy: {ad.POLYPHARMACY_AT}+ regular medicines")
    return out


def domain_content(
    view: DomainView | None,
) -> tuple[dict[str, object], str | None, bool, str | None]:
    if view is None:
        return {}, None, False, None
    return dict(view.fields), view.note, view.need_identified, view.need_text


def live_differences(
    spec: ad.DomainSpec,
    before: DomainView | None,
    fields: Mapping[str, object],
    note: str | None,
    need: bool,
    need_text: str | None,
) -> list[Difference]:
    """What differs in one domain between the previous assessment and the screen."""
    was, was_note, was_need, was_text = domain_content(before)
    out = [
        Difference(spec.label, f.label, was.get(f.key), fields.get(f.key))
        for f in spec.fields
        if was.get(f.key) != fields.get(f.key)
    ]
    pairs = (
        ("note", was_note, note or None),
        ("need identified", was_need, need),
        ("need", was_text, (need_text or None) if need else None),
    )
    out += [Difference(spec.label, n, b, c) for n, b, c in pairs if b != c]
    return out


def difference_text(diff: Difference) -> str:
    """ "regular medicines: 12 (was 6)"."""
    spec = next((d for d in ad.DOMAINS if d.label == diff.domain), None)
    field = None
    if spec is not None:
        field = next((f for f in spec.fields if f.label == diff.field), None)

    def show(value: object) -> str:
        text = value_text(field, value)
        return text if len(text) <= 60 else text[:57] + "…"

    return f"{diff.field}: {show(diff.after)} (was {show(diff.before)})"
