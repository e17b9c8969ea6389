"""What every service shares: the session factory, the acting user, the clock and auditing."""

from __future__ import annotations

import gc
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date

from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from ltcdesk.domain import nhs_number
from ltcdesk.domain.errors import NotFoundError, PermissionDeniedError
from ltcdesk.domain.permissions import Action, require
from ltcdesk.models import AuditEntry, Patient, StaffMember


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
            raise PermissionDeniedError(f"'{self._username}' is not a member of staff here.")
        if not staff.active:
            raise PermissionDeniedError(f"The account '{self._username}' is disabled.")
        if action is not None:
            try:
                require(staff.role, action)
            except PermissionDeniedError as denied:
                # The refusal is itself attributable; it must survive the rollback that
                # follows the exception, so it goes in its own short transaction.
                self._audit_denied(staff, action)
                raise denied from None
        return Actor(staff.id, staff.username, staff.display_name, staff.role)

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

    @staticmethod
    def _patient(s: Session, nhs: str, *, for_update: bool = False) -> Patient:
        digits = nhs_number.normalise(nhs)
        query = select(Patient).where(Patient.nhs_number == digits)
        if for_update:
            query = query.with_for_update()
        patient = s.scalar(query)
        if patient is None:
            raise NotFoundError(f"No patient with NHS number {nhs_number.format_nhs(digits)}.")
        return patient

    @staticmethod
    def _staff(s: Session, username: str, field: str = "key worker") -> StaffMember:
        staff = s.scalar(
            select(StaffMember).where(StaffMember.username == username.strip().lower())
        )
        if staff is None:
            raise NotFoundError(f"{field}: no member of staff with username '{username.strip()}'.")
        return staff


def age_on(dob: date, today: date) -> int:
    return today.year - dob.year - ((today.month, today.day) < (dob.month, dob.day))
