"""What every service shares: the session factory, the acting user, the clock, auditing,
and need to know (whose records the acting user may see and change, and breaking the glass)."""

from __future__ import annotations

import gc
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from sqlalchemy import ColumnElement, event, exists, or_, select, true
from sqlalchemy.orm import Session, aliased, sessionmaker

from ltcdesk.domain import nhs_number, validate
from ltcdesk.domain.errors import (
    NeedToKnowError,
    NotFoundError,
    PermissionDeniedError,
    ValidationError,
)
from ltcdesk.domain.permissions import Action, keeps_register, require
from ltcdesk.domain.text import quote_input
from ltcdesk.models import (
    AuditEntry,
    BreakGlass,
    CaseloadAssignment,
    Patient,
    StaffMember,
    team_practices,
    utcnow,
)

# Breaking the glass opens one patient's record to one member of staff for this long.
BREAK_GLASS_HOURS = 8
BREAK_GLASS_REASON_MIN = 10


class _GcPause:
    """Hold off the cyclic garbage collector while building 100,000 rows that hold no
    cycles: it would otherwise walk them again and again (a fifth of a list's load time).
    Pauses in several threads are counted; the collector resumes when the last one ends,
    and only if it was running before the first began."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._pauses = 0
        self._resume = False

    @contextmanager
    def __call__(self) -> Iterator[None]:
        with self._lock:
            if self._pauses == 0:
                self._resume = gc.isenabled()
                gc.disable()
            self._pauses += 1
        try:
            yield
        finally:
            with self._lock:
                self._pauses -= 1
                if self._pauses == 0 and self._resume:
                    gc.enable()


gc_paused = _GcPause()


@dataclass(frozen=True)
class Actor:
    id: int
    username: str
    display_name: str
    role: str
    team_id: int | None = None


@dataclass(frozen=True)
class BreakGlassGrant:
    nhs_number: str
    patient_name: str
    reason: str
    expires_at: Any  # naive UTC datetime


def reach(
    actor: Actor,
    *,
    patient: Any = Patient,
    assignment: Any = None,
    register: bool = False,
) -> ColumnElement[bool]:
    """Whether ``actor`` may see the patient (a row of ``patient``): the patient is
    registered with a practice their team cares for, or on the caseload of someone in their
    team, or they broke the glass for the patient less than BREAK_GLASS_HOURS ago.
    ``assignment``: the patient's open caseload assignment, when the query joins it already
    (otherwise it is looked up). ``register``: the patient register (registration,
    demographics, lists), which the roles that keep it see whole.

    Every part is a subquery the database runs once per statement, so a list costs no
    extra round trip and stays one statement."""
    if register and keeps_register(actor.role):
        return true()
    glass = select(BreakGlass.patient_id).where(
        BreakGlass.staff_id == actor.id, BreakGlass.expires_at > utcnow()
    )
    parts: list[ColumnElement[bool]] = [patient.id.in_(glass)]
    if actor.team_id is not None:
        tp = team_practices
        parts.append(
            patient.practice_id.in_(select(tp.c.practice_id).where(tp.c.team_id == actor.team_id))
        )
        team_staff = select(StaffMember.id).where(StaffMember.team_id == actor.team_id)
        if assignment is not None:
            parts.append(assignment.key_worker_id.in_(team_staff))
        else:
            a = aliased(CaseloadAssignment)
            parts.append(
                exists().where(
                    a.patient_id == patient.id,
                    a.end_date.is_(None),
                    a.key_worker_id.in_(team_staff),
                )
            )
    return or_(*parts)


def _note_flush(session: Session, _context: object) -> None:
    session.info["ltcdesk_wrote"] = True


event.listen(Session, "after_flush", _note_flush)


class ServiceBase:
    def __init__(
        self,
        sessions: sessionmaker[Session],
        username: str,
        *,
        today: Callable[[], date] = date.today,
    ) -> None:
        self._sessions = sessions
        self._username = username
        self._today = today

    def authorise(self, action: Action) -> None:
        """Check that the acting user may do ``action`` before work that is not a service
        write (a file backup, say); a refusal is audited like any other."""
        with self._sessions.begin() as s:
            self._actor(s, action)

    def _actor(self, s: Session, action: Action | None = None) -> Actor:
        staff = s.scalar(select(StaffMember).where(StaffMember.username == self._username))
        if staff is None:
            raise PermissionDeniedError(
                f"{quote_input(self._username)} is not a member of staff here."
            )
        if not staff.active:
            raise PermissionDeniedError(f"The account {quote_input(self._username)} is disabled.")
        if action is not None:
            try:
                require(staff.role, action)
            except PermissionDeniedError as denied:
                # The refusal is itself attributable; it must survive the rollback that
                # follows the exception, so it goes in its own short transaction.
                self._audit_denied(staff, action)
                raise denied from None
        return Actor(staff.id, staff.username, staff.display_name, staff.role, staff.team_id)

    def _audit_denied(self, staff: StaffMember, action: Action) -> None:
        with self._sessions.begin() as s2:
            s2.add(
                AuditEntry(
                    staff_id=staff.id,
                    username=staff.username,
                    action="denied",
                    entity="permission",
                    summary=f"Refused: {action.value}",
                )
            )

    @staticmethod
    def _audit(
        s: Session,
        actor: Actor,
        action: str,
        entity: str,
        *,
        entity_id: int | None = None,
        patient_id: int | None = None,
        summary: str = "",
    ) -> None:
        s.info["ltcdesk_wrote"] = True
        s.add(
            AuditEntry(
                staff_id=actor.id,
                username=actor.username,
                action=action,
                entity=entity,
                entity_id=entity_id,
                patient_id=patient_id,
                summary=summary[:500],
            )
        )

    @classmethod
    def _audit_bulk(
        cls,
        s: Session,
        actor: Actor,
        action: str,
        what: str,
        patients: int,
        *,
        entity_id: int | None = None,
        patient_id: int | None = None,
    ) -> None:
        """The one audit row of a bulk read or export: what was read, how many patients."""
        noun = "patient" if patients == 1 else "patients"
        cls._audit(
            s,
            actor,
            action,
            action.split(".", 1)[0],
            entity_id=entity_id,
            patient_id=patient_id,
            summary=f"{what}: {patients:,} {noun}",
        )

    def _patient(
        self,
        s: Session,
        nhs: str,
        actor: Actor,
        *,
        for_update: bool = False,
        register: bool = False,
    ) -> Patient:
        """The patient with this NHS number, if ``actor`` may see them (see ``reach``);
        otherwise NeedToKnowError, which offers breaking the glass. The check is a column
        of the same statement, so it costs no extra query."""
        digits = nhs_number.normalise(nhs)
        patient = self._patient_where(
            s, Patient.nhs_number == digits, actor, for_update=for_update, register=register
        )
        if patient is None:
            raise NotFoundError(f"No patient with NHS number {nhs_number.format_nhs(digits)}.")
        return patient

    def _patient_by_id(self, s: Session, patient_id: int, actor: Actor) -> Patient:
        """As ``_patient``, for a patient named by a row that refers to them."""
        patient = self._patient_where(s, Patient.id == patient_id, actor)
        if patient is None:
            raise NotFoundError("This patient's record is no longer there.")
        return patient

    def _patient_where(
        self,
        s: Session,
        condition: ColumnElement[bool],
        actor: Actor,
        *,
        for_update: bool = False,
        register: bool = False,
    ) -> Patient | None:
        allowed = reach(actor, register=register).label("in_reach")
        query = select(Patient, allowed).where(condition)
        if for_update:
            query = query.with_for_update(of=Patient)
        row = s.execute(query).first()
        if row is None:
            return None
        patient, in_reach = row
        if not in_reach:
            self._refuse(s, actor, patient)
        return patient

    def _refuse(self, s: Session, actor: Actor, patient: Patient) -> None:
        """Raise NeedToKnowError for ``patient``. The refused look is audited in its own
        short transaction when this one has written nothing yet (so holds no lock that
        transaction would wait on); it is then kept though this one rolls back."""
        if not (s.info.get("ltcdesk_wrote") or s.new or s.dirty or s.deleted):
            with self._sessions.begin() as s2:
                s2.add(
                    AuditEntry(
                        staff_id=actor.id,
                        username=actor.username,
                        action="denied",
                        entity="patient",
                        entity_id=patient.id,
                        patient_id=patient.id,
                        summary="Refused: not cared for by the team (need to know)",
                    )
                )
        raise NeedToKnowError(patient.nhs_number, nhs_number.format_nhs(patient.nhs_number))

    def break_glass(self, nhs: str, reason: str) -> BreakGlassGrant:
        """Open the record of a patient the acting user's team does not care for, for
        BREAK_GLASS_HOURS, giving a reason; audited as "break_glass" with the reason. A
        patient already within reach needs no glass broken: nothing is written then."""
        why = validate.text(reason, "reason", max_len=400, multiline=True) or ""
        if len(why) < BREAK_GLASS_REASON_MIN:
            raise ValidationError(
                "reason",
                f"say why you need this record (at least {BREAK_GLASS_REASON_MIN} characters)",
            )
        with self._sessions.begin() as s:
            actor = self._actor(s, Action.VIEW_PATIENT)
            digits = validate.nhs(nhs)
            row = s.execute(
                select(Patient, reach(actor).label("in_reach")).where(Patient.nhs_number == digits)
            ).first()
            if row is None:
                raise NotFoundError(f"No patient with NHS number {nhs_number.format_nhs(digits)}.")
            patient, in_reach = row
            name = f"{patient.given_name} {patient.family_name}"
            now = utcnow()
            if in_reach:
                current = s.scalar(
                    select(BreakGlass)
                    .where(
                        BreakGlass.staff_id == actor.id,
                        BreakGlass.patient_id == patient.id,
                        BreakGlass.expires_at > now,
                    )
                    .order_by(BreakGlass.expires_at.desc())
                    .limit(1)
                )
                until = current.expires_at if current else None
                return BreakGlassGrant(digits, name, current.reason if current else "", until)
            grant = BreakGlass(
                staff_id=actor.id,
                patient_id=patient.id,
                reason=why,
                granted_at=now,
                expires_at=now + timedelta(hours=BREAK_GLASS_HOURS),
            )
            s.add(grant)
            s.flush()
            self._audit(
                s,
                actor,
                "break_glass",
                "patient",
                entity_id=patient.id,
                patient_id=patient.id,
                summary=f"Broke the glass for {BREAK_GLASS_HOURS} hours: {why}",
            )
            return BreakGlassGrant(digits, name, why, grant.expires_at)

    @staticmethod
    def _staff(s: Session, username: str, field: str = "key worker") -> StaffMember:
        staff = s.scalar(
            select(StaffMember).where(StaffMember.username == username.strip().lower())
        )
        if staff is None:
            raise NotFoundError(
                f"{field}: no member of staff with username {quote_input(username.strip())}."
            )
        return staff


def age_on(dob: date, today: date) -> int:
    return today.year - dob.year - ((today.month, today.day) < (dob.month, dob.day))
