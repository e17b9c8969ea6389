"""Caseloads: assigning a key worker and level, steps up and down, transfers, discharge,
and the size of each worker's caseload. Reading lists is in ltcdesk.services.listing."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date

from sqlalchemy import and_, exists, false, func, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from ltcdesk.domain import nhs_number, validate
from ltcdesk.domain.errors import (
    ConflictError,
    DomainError,
    NeedToKnowError,
    ValidationError,
)
from ltcdesk.domain.permissions import Action, keeps_register
from ltcdesk.domain.vocab import (
    KEY_WORKER_ROLES,
    MATRON_CASELOAD_LIMIT,
    AssignmentChange,
    Role,
)
from ltcdesk.models import (
    CarePlan,
    CaseloadAssignment,
    Patient,
    StaffMember,
    utcnow,
)
from ltcdesk.services.base import Actor
from ltcdesk.services.listing import ListService

REASON_MAX = 500
# Two people changing one patient's caseload at the same moment. PostgreSQL makes the
# second wait for the first (the patient row is locked) and then judge what it sees; SQLite
# cannot lock a row, so the second may have read the caseload before the first saved. Its
# change is then refused with this, rather than the database's "UNIQUE constraint failed"
# or, worse, an ended row quietly re-ended.
RACED = (
    "Someone else changed this patient's caseload at the same moment; nothing was saved. "
    "Look at the caseload again and repeat the change if it is still needed."
)


@dataclass(frozen=True)
class AssignmentView:
    """One period on a caseload: the rows of a patient are its caseload history."""

    id: int
    key_worker_username: str
    key_worker_name: str
    level: int
    start_date: date
    start_change: str
    start_reason: str | None
    end_date: date | None
    end_change: str | None
    end_reason: str | None
    recorded_by: str


def assignment_view(a: CaseloadAssignment) -> AssignmentView:
    return AssignmentView(
        id=a.id,
        key_worker_username=a.key_worker.username,
        key_worker_name=a.key_worker.display_name,
        level=a.level,
        start_date=a.start_date,
        start_change=a.start_change,
        start_reason=a.start_reason,
        end_date=a.end_date,
        end_change=a.end_change,
        end_reason=a.end_reason,
        recorded_by=a.created_by.display_name,
    )


@dataclass(frozen=True)
class WorkerCaseload:
    username: str
    display_name: str
    role: str
    total: int
    level_1: int
    level_2: int
    level_3: int
    no_care_plan: int = 0  # people on the caseload with no agreed care plan

    @property
    def over_limit(self) -> bool:
        """DH 2005: more than 80 is unsustainable for a community matron."""
        return self.role == Role.COMMUNITY_MATRON.value and self.total > MATRON_CASELOAD_LIMIT


@dataclass(frozen=True)
class BulkResult:
    moved: int
    to_worker: str


class CaseloadService(ListService):
    # ------------------------------------------------------------------ reading

    def sizes(self) -> list[WorkerCaseload]:
        """Every active key worker with the size and level mix of their caseload: those of
        the acting user's team (need to know), or everyone's for those who keep the
        register."""
        with self._sessions.begin() as s:
            actor = self._actor(s, Action.VIEW_PATIENT)
            a, w, p = CaseloadAssignment, StaffMember, Patient
            level_counts = {
                (wid, level): n
                for wid, level, n in s.execute(
                    select(a.key_worker_id, a.level, func.count())
                    .join(p, p.id == a.patient_id)
                    .where(a.end_date.is_(None), p.date_of_death.is_(None))
                    .group_by(a.key_worker_id, a.level)
                )
            }
            agreed = exists().where(
                CarePlan.patient_id == a.patient_id, CarePlan.status == "agreed"
            )
            no_plan = dict(
                s.execute(
                    select(a.key_worker_id, func.count())
                    .join(p, p.id == a.patient_id)
                    .where(a.end_date.is_(None), p.date_of_death.is_(None), ~agreed)
                    .group_by(a.key_worker_id)
                ).all()
            )
            query = select(w).where(w.active.is_(True)).order_by(w.display_name)
            if not keeps_register(actor.role):
                query = query.where(w.team_id == actor.team_id if actor.team_id else false())
            workers = s.scalars(query).all()
            result = []
            for worker in workers:
                l1, l2, l3 = (level_counts.get((worker.id, lv), 0) for lv in (1, 2, 3))
                if worker.role not in KEY_WORKER_ROLES and l1 + l2 + l3 == 0:
                    continue
                result.append(
                    WorkerCaseload(
                        worker.username,
                        worker.display_name,
                        worker.role,
                        l1 + l2 + l3,
                        l1,
                        l2,
                        l3,
                        no_plan.get(worker.id, 0),
                    )
                )
            return result

    def history(self, nhs: str) -> list[AssignmentView]:
        with self._sessions.begin() as s:
            actor = self._actor(s, Action.VIEW_PATIENT)
            patient = self._patient(s, nhs, actor, register=True)
            rows = s.scalars(
                select(CaseloadAssignment)
                .where(CaseloadAssignment.patient_id == patient.id)
                .order_by(CaseloadAssignment.start_date, CaseloadAssignment.id)
            ).all()
            self._audit(
                s,
                actor,
                "caseload.history",
                "patient",
                entity_id=patient.id,
                patient_id=patient.id,
                summary="Viewed caseload history",
            )
            return [assignment_view(r) for r in rows]

    # ------------------------------------------------------------------ writing

    def assign(
        self,
        nhs: str,
        key_worker: str,
        level: int | str,
        reason: str | None = None,
        start_date: str | date | None = None,
    ) -> AssignmentView:
        """Accept a patient onto a key worker's caseload at a level."""
        with self._sessions.begin() as s:
            actor = self._actor(s, Action.MANAGE_CASELOAD)
            patient = self._patient(s, nhs, actor, for_update=True)
            self._alive(patient)
            worker = self._key_worker(s, key_worker)
            lvl = validate.level(level)
            start = self._date(start_date, "start date")
            validate.not_before(start, patient.date_of_birth, "start date", "the date of birth")
            current = self._open(s, patient.id)
            if current is not None:
                raise ConflictError(
                    f"Already on {current.key_worker.display_name}'s caseload; "
                    "use transfer or step up/down instead."
                )
            row = self._start(
                s,
                patient,
                worker,
                lvl,
                start,
                AssignmentChange.ACCEPTED,
                validate.text(reason, "reason", max_len=REASON_MAX),
                actor,
            )
            self._audit(
                s,
                actor,
                "caseload.assign",
                "caseload_assignment",
                entity_id=row.id,
                patient_id=patient.id,
                summary=f"Accepted at level {lvl} with key worker {worker.username}",
            )
            return assignment_view(row)

    def transfer(
        self, nhs: str, to_worker: str, reason: str, on_date: str | date | None = None
    ) -> AssignmentView:
        with self._sessions.begin() as s:
            actor = self._actor(s, Action.TRANSFER_CASELOAD)
            worker = self._key_worker(s, to_worker, "new key worker")
            row = self._transfer_one(
                s, actor, nhs, worker, _reason(reason), self._date(on_date, "transfer date")
            )
            return assignment_view(row)

    def bulk_transfer(
        self,
        nhs_numbers: Sequence[str],
        to_worker: str,
        reason: str,
        on_date: str | date | None = None,
    ) -> BulkResult:
        """Transfer many patients at once: all of them move, or (on any error) none do."""
        if not nhs_numbers:
            raise ValidationError("patients", "none selected")
        with self._sessions.begin() as s:
            actor = self._actor(s, Action.TRANSFER_CASELOAD)
            worker = self._key_worker(s, to_worker, "new key worker")
            why = _reason(reason)
            when = self._date(on_date, "transfer date")
            for index, nhs in enumerate(nhs_numbers, start=1):
                try:
                    self._transfer_one(s, actor, nhs, worker, why, when)
                except DomainError as exc:
                    raise _in_batch(exc, index, len(nhs_numbers)) from None
            return BulkResult(len(nhs_numbers), worker.display_name)

    def _transfer_one(
        self, s: Session, actor: Actor, nhs: str, worker: StaffMember, reason: str, when: date
    ) -> CaseloadAssignment:
        patient = self._patient(s, nhs, actor, for_update=True)
        self._alive(patient)
        current = self._require_open(s, patient)
        if current.key_worker_id == worker.id:
            raise ConflictError(f"Already on {worker.display_name}'s caseload.")
        self._end(s, current, when, AssignmentChange.TRANSFER, reason)
        row = self._start(
            s, patient, worker, current.level, when, AssignmentChange.TRANSFER, reason, actor
        )
        self._audit(
            s,
            actor,
            "caseload.transfer",
            "caseload_assignment",
            entity_id=row.id,
            patient_id=patient.id,
            summary=f"Transferred from {current.key_worker.username} to {worker.username}",
        )
        return row

    def change_level(
        self,
        nhs: str,
        level: int | str,
        reason: str,
        key_worker: str | None = None,
        on_date: str | date | None = None,
    ) -> AssignmentView:
        """Step up or down (the direction follows from the levels); optionally a new key worker."""
        with self._sessions.begin() as s:
            actor = self._actor(s, Action.MANAGE_CASELOAD)
            patient = self._patient(s, nhs, actor, for_update=True)
            self._alive(patient)
            current = self._require_open(s, patient)
            lvl = validate.level(level)
            if lvl == current.level:
                raise ValidationError("level", f"is already {lvl}")
            worker = self._key_worker(s, key_worker) if key_worker else current.key_worker
            row = self._step(
                s,
                actor,
                patient,
                current,
                lvl,
                worker,
                _reason(reason),
                self._date(on_date, "date"),
            )
            return assignment_view(row)

    def _step(
        self,
        s: Session,
        actor: Actor,
        patient: Patient,
        current: CaseloadAssignment,
        lvl: int,
        worker: StaffMember,
        why: str,
        when: date,
    ) -> CaseloadAssignment:
        change = AssignmentChange.STEP_UP if lvl > current.level else AssignmentChange.STEP_DOWN
        self._end(s, current, when, change, why)
        row = self._start(s, patient, worker, lvl, when, change, why, actor)
        self._audit(
            s,
            actor,
            f"caseload.{change.value}",
            "caseload_assignment",
            entity_id=row.id,
            patient_id=patient.id,
            summary=f"Level {current.level} to {lvl}, key worker {worker.username}",
        )
        return row

    def bulk_change_level(self, nhs_numbers: Sequence[str], level: int | str, reason: str) -> int:
        """Change the level of many patients in one transaction (all or none)."""
        if not nhs_numbers:
            raise ValidationError("patients", "none selected")
        with self._sessions.begin() as s:
            actor = self._actor(s, Action.MANAGE_CASELOAD)
            lvl = validate.level(level)
            why = _reason(reason)
            when = self._today()
            changed = 0
            for index, nhs in enumerate(nhs_numbers, start=1):
                try:
                    patient = self._patient(s, nhs, actor, for_update=True)
                    self._alive(patient)
                    current = self._require_open(s, patient)
                except DomainError as exc:
                    raise _in_batch(exc, index, len(nhs_numbers)) from None
                if current.level == lvl:
                    continue
                self._step(s, actor, patient, current, lvl, current.key_worker, why, when)
                changed += 1
            return changed

    def discharge(self, nhs: str, reason: str, on_date: str | date | None = None) -> AssignmentView:
        with self._sessions.begin() as s:
            actor = self._actor(s, Action.MANAGE_CASELOAD)
            patient = self._patient(s, nhs, actor, for_update=True)
            current = self._require_open(s, patient)
            self._end(
                s,
                current,
                self._date(on_date, "discharge date"),
                AssignmentChange.DISCHARGE,
                _reason(reason),
            )
            s.flush()
            self._audit(
                s,
                actor,
                "caseload.discharge",
                "caseload_assignment",
                entity_id=current.id,
                patient_id=patient.id,
                summary=f"Discharged from {current.key_worker.username}'s caseload",
            )
            return assignment_view(current)

    # ------------------------------------------------------------------ helpers

    def _date(self, value: str | date | None, field: str) -> date:
        today = self._today()
        when = validate.parse_date(value, field) or today
        validate.not_future(when, today, field)
        return when

    @staticmethod
    def _alive(patient: Patient) -> None:
        if patient.date_of_death is not None:
            raise ConflictError(
                f"This patient died on {patient.date_of_death:%d/%m/%Y}; caseloads cannot change."
            )

    def _key_worker(
        self, s: Session, username: str | None, field: str = "key worker"
    ) -> StaffMember:
        # Checked before it goes near a query: PostgreSQL refuses a NUL in any text.
        worker = self._staff(s, validate.username(username, field), field)
        if not worker.active:
            raise ValidationError(field, f"{worker.display_name}'s account is disabled")
        if worker.role not in KEY_WORKER_ROLES:
            raise ValidationError(
                field, f"a {Role(worker.role).label.lower()} cannot hold a caseload as key worker"
            )
        return worker

    @staticmethod
    def _open(s: Session, patient_id: int) -> CaseloadAssignment | None:
        return s.scalar(
            select(CaseloadAssignment).where(
                and_(
                    CaseloadAssignment.patient_id == patient_id,
                    CaseloadAssignment.end_date.is_(None),
                )
            )
        )

    def _require_open(self, s: Session, patient: Patient) -> CaseloadAssignment:
        current = self._open(s, patient.id)
        if current is None:
            raise ConflictError(
                f"{nhs_number.format_nhs(patient.nhs_number)} is not on anyone's caseload."
            )
        return current

    @staticmethod
    def _end(
        s: Session, row: CaseloadAssignment, when: date, change: AssignmentChange, reason: str
    ) -> None:
        if when < row.start_date:
            raise ValidationError(
                "date", f"is before the current assignment began ({row.start_date:%d/%m/%Y})"
            )
        # Only if it is still open: a row someone else ended since it was read stays as
        # they left it (and the in-session row takes the new values when this one matches).
        ended = s.execute(
            update(CaseloadAssignment)
            .where(CaseloadAssignment.id == row.id, CaseloadAssignment.end_date.is_(None))
            .values(end_date=when, end_change=change.value, end_reason=reason)
        )
        if ended.rowcount != 1:  # type: ignore[attr-defined]
            raise ConflictError(RACED)

    @staticmethod
    def _start(
        s: Session,
        patient: Patient,
        worker: StaffMember,
        level: int,
        when: date,
        change: AssignmentChange,
        reason: str | None,
        actor: Actor,
    ) -> CaseloadAssignment:
        # End first, then insert: the partial unique index allows one open row per patient.
        s.flush()
        row = CaseloadAssignment(
            patient_id=patient.id,
            key_worker=worker,
            level=level,
            start_date=when,
            start_change=change.value,
            start_reason=reason,
            created_by_id=actor.id,
            created_at=utcnow(),
        )
        s.add(row)
        try:
            s.flush()
        except IntegrityError as exc:
            if not _open_row_clash(exc):
                raise
            raise ConflictError(RACED) from None
        return row


def _open_row_clash(exc: IntegrityError) -> bool:
    """Whether the insert broke "one open assignment per patient" (SQLite names the column,
    PostgreSQL the index)."""
    said = str(exc.orig)
    return "uq_caseload_assignments_open" in said or "caseload_assignments.patient_id" in said


def _in_batch(exc: DomainError, index: int, total: int) -> DomainError:
    """The same kind of error, saying which patient of a batch it was about."""
    where = f"Patient {index} of {total}"
    if isinstance(exc, NeedToKnowError):
        return NeedToKnowError(exc.nhs, exc.formatted, where=where)
    if isinstance(exc, ValidationError):
        return ValidationError(exc.field, f"{exc.message} ({where.lower()})")
    try:
        return type(exc)(f"{where}: {exc}")
    except TypeError:  # an error class whose constructor takes other arguments
        return DomainError(f"{where}: {exc}")


def _reason(reason: str | None) -> str:
    value = validate.text(reason, "reason", required=True, max_len=REASON_MAX)
    assert value is not None
    return value
