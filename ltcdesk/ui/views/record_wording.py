"""How the patient record puts unsaved edits and someone else's changes into words."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from ltcdesk.services.patients import PatientDetail, RecordEdits

# PatientChanges field -> how the pending-changes line names it.
FIELD_NAMES = {
    "family_name": "family name",
    "given_name": "given name",
    "date_of_birth": "date of birth",
    "sex": "sex",
    "address": "address",
    "postcode": "postcode",
    "phone": "telephone",
    "practice_code": "practice",
    "lives_alone": "lives alone",
    "preferred_contact": "preferred contact",
    "interpreter_needed": "interpreter",
    "language": "language",
}


def _count(n: int, noun: str) -> str:
    return f"{n} {noun}" if n == 1 else f"{n} {noun}s"


def pending_parts(edits: RecordEdits) -> list[str]:
    """What is unsaved: the changed fields, then the rows queued, then consent."""
    parts = [FIELD_NAMES[name] for name, value in vars(edits.changes).items() if value is not None]
    if edits.add_conditions:
        parts.append(_count(len(edits.add_conditions), "condition") + " to add")
    if edits.end_conditions:
        parts.append(_count(len(edits.end_conditions), "condition") + " to end")
    if edits.add_carers:
        parts.append(_count(len(edits.add_carers), "carer") + " to add")
    if edits.consent is not None:
        parts.append("consent")
    return parts


def differences(mine: PatientDetail, theirs: PatientDetail) -> list[str]:
    """What the other user changed, in words, comparing the version read with theirs."""
    fields = {
        **FIELD_NAMES,
        "conditions": "conditions",
        "carers": "carers",
        "consent": "consent",
        "date_of_death": "date of death",
    }
    return [words for name, words in fields.items() if getattr(mine, name) != getattr(theirs, name)]
