"""What goes into and comes out of PatientService: plain frozen dataclasses, no ORM.

Inputs are strings as typed (the service validates them); views are what the record
screen shows, built from ORM rows while the session is still open (no lazy loads later).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, datetime

from ltcdesk.domain.vocab import CONDITION_NAMES
from ltcdesk.models import CaseloadAssignment, Patient
from ltcdesk.services.base import age_on
from ltcdesk.services.caseload import AssignmentView, assignment_view


@dataclass(frozen=True)
class NewPatient:
    """What the register dialog and ``ltcdesk patient add`` collect. Strings as typed."""

    nhs_number: str
    family_name: str
    given_name: str
    date_of_birth: str | date
    practice_code: str
    sex: str | None = None
    address: str | None = None
    postcode: str | None = None
    phone: str | None = None
    lives_alone: bool = False
    preferred_contact: str | None = None
    interpreter_needed: bool = False
    language: str | None = None


@dataclass(frozen=True)
class PatientChanges:
    """Fields to change; None means leave as is. Use "" to clear an optional text field."""

    family_name: str | None = None
    given_name: str | None = None
    date_of_birth: str | date | None = None
    sex: str | None = None
    address: str | None = None
    postcode: str | None = None
    phone: str | None = None
    practice_code: str | None = None
    lives_alone: bool | None = None
    preferred_contact: str | None = None
    interpreter_needed: bool | None = None
    language: str | None = None


@dataclass(frozen=True)
class NewCarer:
    name: str
    relationship: str | None = None
    phone: str | None = None
    lives_with_patient: bool = False
    offered_support: bool = False
    support_offered_on: str | date | None = None


@dataclass(frozen=True)
class NewConsent:
    status: str  # given / declined / not_asked
    recorded_on: str | date | None = None  # default today
    note: str | None = None


@dataclass(frozen=True)
class RecordEdits:
    """Everything a user changed on the patient record before pressing Save."""

    changes: PatientChanges = PatientChanges()
    add_conditions: tuple[tuple[str, str | date | None], ...] = ()  # (code, diagnosed on)
    end_conditions: tuple[tuple[str, str | date | None, str | None], ...] = ()  # (code, on, why)
    add_carers: tuple[NewCarer, ...] = ()
    consent: NewConsent | None = None


@dataclass(frozen=True)
class ConditionView:
    id: int
    code: str
    name: str
    diagnosed_on: date | None
    ended_on: date | None
    ended_reason: str | None


@dataclass(frozen=True)
class CarerView:
    id: int
    name: str
    relationship: str | None
    phone: str | None
    lives_with_patient: bool
    offered_support: bool
    support_offered_on: date | None


@dataclass(frozen=True)
class ConsentView:
    status: str
    recorded_on: date
    recorded_by: str
    note: str | None


@dataclass(frozen=True)
class PatientDetail:
    id: int
    nhs_number: str
    family_name: str
    given_name: str
    date_of_birth: date
    age: int
    sex: str
    address: str | None
    postcode: str | None
    phone: str | None
    practice_code: str
    practice_name: str
    date_of_death: date | None
    lives_alone: bool
    preferred_contact: str | None
    interpreter_needed: bool
    language: str | None
    version: int
    updated_at: datetime
    updated_by: str | None
    conditions: tuple[ConditionView, ...] = ()
    carers: tuple[CarerView, ...] = ()
    consent: ConsentView | None = None
    assignment: AssignmentView | None = None
    history: tuple[AssignmentView, ...] = field(default=())

    @property
    def display_name(self) -> str:
        return f"{self.given_name} {self.family_name}"

    @property
    def active_conditions(self) -> tuple[ConditionView, ...]:
        return tuple(c for c in self.conditions if c.ended_on is None)


def patient_detail(
    p: Patient, assignments: Sequence[CaseloadAssignment], today: date
) -> PatientDetail:
    """The whole record; ``assignments`` oldest first, ``today`` the date the age is on."""
    history = tuple(assignment_view(a) for a in assignments)
    current = next((a for a in reversed(history) if a.end_date is None), None)
    consent = p.consents[-1] if p.consents else None
    return PatientDetail(
        id=p.id,
        nhs_number=p.nhs_number,
        family_name=p.family_name,
        given_name=p.given_name,
        date_of_birth=p.date_of_birth,
        age=age_on(p.date_of_birth, today),
        sex=p.sex,
        address=p.address,
        postcode=p.postcode,
        phone=p.phone,
        practice_code=p.practice.code,
        practice_name=p.practice.name,
        date_of_death=p.date_of_death,
        lives_alone=p.lives_alone,
        preferred_contact=p.preferred_contact,
        interpreter_needed=p.interpreter_needed,
        language=p.language,
        version=p.version,
        updated_at=p.updated_at,
        updated_by=p.updated_by.display_name if p.updated_by else None,
        conditions=tuple(
            ConditionView(
                c.id,
                c.condition_code,
                CONDITION_NAMES.get(c.condition_code, c.condition_code),
                c.diagnosed_on,
                c.ended_on,
                c.ended_reason,
            )
            for c in p.conditions
        ),
        carers=tuple(
            CarerView(
                c.id,
                c.name,
                c.relationship_to_patient,
                c.phone,
                c.lives_with_patient,
                c.offered_support,
                c.support_offered_on,
            )
            for c in p.carers
        ),
        consent=ConsentView(
            consent.status, consent.recorded_on, consent.recorded_by.display_name, consent.note
        )
        if consent
        else None,
        assignment=current,
        history=history,
    )
