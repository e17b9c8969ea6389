"""Hospital events: the three kinds, the words hospital lists use for them, and the date
rules every event obeys whether it is typed in or imported (pure: no I/O)."""

from __future__ import annotations

from datetime import date

from ltcdesk.domain import validate
from ltcdesk.domain.errors import ValidationError

KINDS = {"admission": "Admission", "discharge": "Discharge", "ae": "A&E attendance"}
KIND_WORDS = {
    "admission": "admission",
    "admitted": "admission",
    "admit": "admission",
    "inpatient admission": "admission",
    "discharge": "discharge",
    "discharged": "discharge",
    "ae": "ae",
    "a&e": "ae",
    "a and e": "ae",
    "a & e": "ae",
    "a&e attendance": "ae",
    "ed": "ae",
    "emergency department": "ae",
}
HOSPITAL_MAX = 200
REASON_MAX = 500


def kind_of(raw: str | None) -> str:
    """``admission``, ``discharge`` or ``ae`` for the words a list may use ("Admitted",
    "A & E", "ED" …), in any case and spacing."""
    text = " ".join((raw or "").strip().lower().replace("_", " ").split())
    kind = KIND_WORDS.get(text)
    if kind is None:
        raise ValidationError(
            "event type", f"'{validate.shown(raw)}' is not admission, discharge or A&E"
        )
    return kind


def check_dates(
    kind: str,
    on: date,
    expected: date | None,
    *,
    born: date,
    died: date | None,
    today: date,
) -> None:
    """An event happens between birth and death, not in the future; an expected discharge
    belongs to an admission and does not come before it."""
    validate.not_future(on, today, "date")
    validate.not_before(on, born, "date", "the date of birth")
    if died is not None and on > died:
        raise ValidationError("date", "is after the person's death")
    if expected is not None:
        if kind != "admission":
            raise ValidationError("expected discharge", "is for admissions only")
        if expected < on:
            raise ValidationError("expected discharge", "must not be before the admission")
