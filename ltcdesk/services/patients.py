"""Registering and editing patients: demographics, conditions, carers, consent, death."""

from __future__ import annotations

from datetime import date

from sqlalchemy import func, select, true
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, selectinload
from sqlalchemy.orm.exc import StaleDataError

from ltcdesk.domain import nhs_number, validate
from ltcdesk.domain.errors import ConflictError, NotFoundError, StaleRecordError, ValidationError
from ltcdesk.domain.permissions import Action
from ltcdesk.domain.vocab import (
    AssignmentChange,
    ConsentStatus,
    ContactMethod,
    Sex,
)
from ltcdesk.models import (
    Carer,
    CaseloadAssignment,
    ConditionType,
    ConsentRecord,
    Patient,
    PatientCondition,
    Practice,
    utcnow,
)
from ltcdesk.services.base import Actor, ServiceBase, reach
from ltcdesk.services.patient_views import CarerView as CarerView
from ltcdesk.services.patient_views import ConditionView as ConditionView
from ltcdesk.services.patient_views import ConsentView as ConsentView
from ltcdesk.services.patient_views import NewCarer as NewCarer
from ltcdesk.services.patient_views import NewConsent as NewConsent
from ltcdesk.services.patient_views import NewPatient as NewPatient
from ltcdesk.services.patient_views import PatientChanges as PatientChanges
from ltcdesk.services.patient_views import PatientDetail as PatientDetail
from ltcdesk.services.patient_views import RecordEdits as RecordEdits
from ltcdesk.services.patient_views import patient_detail


class PatientService(ServiceBase):
    # ------------------------------------------------------------------ reading

    def get(self, nhs: str) -> PatientDetail:
        """The whole record. Viewing is audited (who looked at whom, when)."""
        with self._sessions.begin() as s:
            actor = self._actor(s, Action.VIEW_PATIENT)
            patient = self._load(s, nhs, actor)
            self._audit(
                s,
                actor,
                "patient.view",
                "patient",
                entity_id=patient.id,
                patient_id=patient.id,
                summary="Viewed patient record",
            )
            return self._detail(s, patient)

    def require_access(self, nhs: str) -> None:
        """Check, before a record is opened, that the acting user may see all of it (the
        clinical content included): NeedToKnowError (offering to break the glass) if
        not, NotFoundError for an unknown NHS number. Reads nothing of the record, so it
        is not itself audited; a refusal is."""
        with self._sessions.begin() as s:
            actor = self._actor(s, Action.VIEW_PATIENT)
            self._patient(s, validate.nhs(nhs), actor)

    def _load(self, s: Session, nhs: str, actor: Actor | None) -> Patient:
        """The whole record, if ``actor`` may see it (the register's need to know); with no
        actor, unchecked (the record its registrant has just entered)."""
        digits = validate.nhs(nhs)
        allowed = reach(actor, register=True) if actor is not None else true()
        row = s.execute(
            select(Patient, allowed.label("in_reach"))
            .where(Patient.nhs_number == digits)
            .options(
                selectinload(Patient.conditions),
                selectinload(Patient.carers),
                selectinload(Patient.consents).selectinload(ConsentRecord.recorded_by),
                selectinload(Patient.practice),
                selectinload(Patient.updated_by),
            )
        ).first()
        if row is None:
            raise NotFoundError(f"No patient with NHS number {nhs_number.format_nhs(digits)}.")
        patient, in_reach = row
        if not in_reach:
            assert actor is not None
            self._refuse(s, actor, patient)
        return patient

    def _detail(self, s: Session, p: Patient) -> PatientDetail:
        rows = s.scalars(
            select(CaseloadAssignment)
            .where(CaseloadAssignment.patient_id == p.id)
            .options(
                selectinload(CaseloadAssignment.key_worker),
                selectinload(CaseloadAssignment.created_by),
            )
            .order_by(CaseloadAssignment.start_date, CaseloadAssignment.id)
        ).all()
        return patient_detail(p, rows, p.date_of_death or self._today())

    # ------------------------------------------------------------------ writing

    def register(self, new: NewPatient) -> PatientDetail:
        with self._sessions.begin() as s:
            actor = self._actor(s, Action.REGISTER_PATIENT)
            today = self._today()
            digits = validate.nhs(new.nhs_number)
            values = {
                "family_name": validate.name(new.family_name, "family name"),
                "given_name": validate.name(new.given_name, "given name"),
                "date_of_birth": validate.date_of_birth(new.date_of_birth, today),
                "sex": validate.choice(new.sex, Sex, "sex", default=Sex.UNKNOWN).value,
                "address": validate.text(new.address, "address"),
                "postcode": validate.postcode(new.postcode),
                "phone": validate.phone(new.phone),
                "lives_alone": bool(new.lives_alone),
                "preferred_contact": _contact(new.preferred_contact),
                "interpreter_needed": bool(new.interpreter_needed),
                "language": validate.text(new.language, "language", max_len=50),
            }
            practice = self._practice(s, new.practice_code)
            if s.scalar(select(Patient.id).where(Patient.nhs_number == digits)) is not None:
                raise ConflictError(
                    f"NHS number {nhs_number.format_nhs(digits)} is already registered."
                )
            now = utcnow()
            patient = Patient(
                nhs_number=digits,
                practice=practice,
                created_at=now,
                updated_at=now,
                updated_by_id=actor.id,
                **values,
            )
            s.add(patient)
            try:
                s.flush()
            except IntegrityError:
                raise ConflictError(
                    f"NHS number {nhs_number.format_nhs(digits)} is already registered."
                ) from None
            self._audit(
                s,
                actor,
                "patient.register",
                "patient",
                entity_id=patient.id,
                patient_id=patient.id,
                summary=f"Registered at practice {practice.code}",
            )
            return self._detail(s, self._load(s, digits, None))

    def update(self, nhs: str, changes: PatientChanges, expected_version: int) -> PatientDetail:
        """Save demographic edits made to the version the user read."""
        return self.save_record(nhs, RecordEdits(changes=changes), expected_version)

    def _stale(self, nhs: str) -> StaleRecordError:
        with self._sessions.begin() as s:
            p = self._load(s, nhs, None)  # the user had the record open
            return StaleRecordError(
                "This patient's record",
                p.updated_by.display_name if p.updated_by else None,
                p.updated_at,
            )

    def _apply(self, s: Session, p: Patient, c: PatientChanges) -> list[str]:
        today = self._today()
        new: dict[str, object] = {}
        if c.family_name is not None:
            new["family_name"] = validate.name(c.family_name, "family name")
        if c.given_name is not None:
            new["given_name"] = validate.name(c.given_name, "given name")
        if c.date_of_birth is not None:
            dob = validate.date_of_birth(c.date_of_birth, today)
            if dob != p.date_of_birth:
                self._check_events_after(s, p, dob)
            new["date_of_birth"] = dob
        if c.sex is not None:
            new["sex"] = validate.choice(c.sex, Sex, "sex").value
        if c.address is not None:
            new["address"] = validate.text(c.address, "address")
        if c.postcode is not None:
            new["postcode"] = validate.postcode(c.postcode)
        if c.phone is not None:
            new["phone"] = validate.phone(c.phone)
        if c.lives_alone is not None:
            new["lives_alone"] = bool(c.lives_alone)
        if c.preferred_contact is not None:
            new["preferred_contact"] = _contact(c.preferred_contact)
        if c.interpreter_needed is not None:
            new["interpreter_needed"] = bool(c.interpreter_needed)
        if c.language is not None:
            new["language"] = validate.text(c.language, "language", max_len=50)
        if c.practice_code is not None:
            practice = self._practice(s, c.practice_code)
            new["practice_id"] = practice.id
        changed = [k for k, v in new.items() if getattr(p, k) != v]
        for k in changed:
            setattr(p, k, new[k])
        return ["practice" if k == "practice_id" else k for k in changed]

    @staticmethod
    def _check_events_after(s: Session, p: Patient, dob: date) -> None:
        """A new date of birth may not come after anything already recorded for them."""
        dated: list[date] = [c.diagnosed_on for c in p.conditions if c.diagnosed_on]
        dated += [c.support_offered_on for c in p.carers if c.support_offered_on]
        dated += [c.recorded_on for c in p.consents]
        if p.date_of_death is not None:
            dated.append(p.date_of_death)
        first_start = s.scalar(
            select(func.min(CaseloadAssignment.start_date)).where(
                CaseloadAssignment.patient_id == p.id
            )
        )
        if first_start is not None:
            dated.append(first_start)
        if dated and dob > min(dated):
            raise ValidationError(
                "date of birth",
                f"{dob:%d/%m/%Y} is after the record's first dated entry ({min(dated):%d/%m/%Y})",
            )

    @staticmethod
    def _practice(s: Session, code: str) -> Practice:
        normalised = validate.practice_code(code)
        practice = s.scalar(select(Practice).where(Practice.code == normalised))
        if practice is None:
            raise ValidationError("practice", f"no practice with code '{normalised}'")
        return practice

    def _touch(self, s: Session, patient: Patient, actor_id: int) -> None:
        # Any change to the aggregate bumps the patient's version, so a stale editor of the
        # record is told rather than silently overwriting.
        patient.updated_at = utcnow()
        patient.updated_by_id = actor_id

    def add_condition(
        self, nhs: str, code: str, diagnosed_on: str | date | None = None
    ) -> PatientDetail:
        return self.save_record(nhs, RecordEdits(add_conditions=((code, diagnosed_on),)))

    def end_condition(
        self, nhs: str, code: str, ended_on: str | date | None = None, reason: str | None = None
    ) -> PatientDetail:
        return self.save_record(nhs, RecordEdits(end_conditions=((code, ended_on, reason),)))

    def add_carer(
        self,
        nhs: str,
        name: str,
        relationship: str | None = None,
        phone: str | None = None,
        lives_with_patient: bool = False,
        offered_support: bool = False,
        support_offered_on: str | date | None = None,
    ) -> PatientDetail:
        carer = NewCarer(
            name, relationship, phone, lives_with_patient, offered_support, support_offered_on
        )
        return self.save_record(nhs, RecordEdits(add_carers=(carer,)))

    def record_consent(
        self, nhs: str, status: str, recorded_on: str | date | None = None, note: str | None = None
    ) -> PatientDetail:
        return self.save_record(nhs, RecordEdits(consent=NewConsent(status, recorded_on, note)))

    def save_record(
        self, nhs: str, edits: RecordEdits, expected_version: int | None = None
    ) -> PatientDetail:
        """Save everything edited on a patient record in ONE transaction.

        With ``expected_version`` (the version the user opened) a save made after someone
        else's raises StaleRecordError naming them; nothing is written and the caller keeps
        the user's edits. Each part is checked against the acting user's permissions.
        """
        try:
            with self._sessions.begin() as s:
                # Every permission first, before anything is written: a refusal is audited
                # in its own short transaction, which must not wait on this one's lock.
                actor = self._actor(s, Action.VIEW_PATIENT)
                for action in _actions_needed(edits):
                    self._actor(s, action)
                patient = self._load(s, nhs, actor)
                if expected_version is not None and patient.version != expected_version:
                    raise StaleRecordError(
                        "This patient's record",
                        patient.updated_by.display_name if patient.updated_by else None,
                        patient.updated_at,
                    )
                changed: list[str] = []
                if edits.changes != PatientChanges():
                    fields_changed = self._apply(s, patient, edits.changes)
                    if fields_changed:
                        self._audit(
                            s,
                            actor,
                            "patient.update",
                            "patient",
                            entity_id=patient.id,
                            patient_id=patient.id,
                            summary="Changed: " + ", ".join(sorted(fields_changed)),
                        )
                        changed.extend(fields_changed)
                if changed or edits != RecordEdits(changes=edits.changes):
                    # Once, before any flush, so the version goes up by exactly one.
                    self._touch(s, patient, actor.id)
                for code, ended_on, reason in edits.end_conditions:
                    self._end_condition(s, actor, patient, code, ended_on, reason)
                    changed.append("conditions")
                for code, diagnosed_on in edits.add_conditions:
                    self._add_condition(s, actor, patient, code, diagnosed_on)
                    changed.append("conditions")
                for carer in edits.add_carers:
                    self._add_carer(s, actor, patient, carer)
                    changed.append("carers")
                if edits.consent is not None:
                    self._record_consent(s, actor, patient, edits.consent)
                    changed.append("consent")
                # The version column makes the UPDATE match nothing if another session saved
                # in between; SQLAlchemy then raises StaleDataError.
                s.flush()
                return self._detail(s, patient)
        except StaleDataError:
            raise self._stale(nhs) from None

    def _add_condition(
        self, s: Session, actor: Actor, patient: Patient, code: str, diagnosed_on: str | date | None
    ) -> None:
        normalised = validate.condition_code(code)
        ctype = s.get(ConditionType, normalised)
        if ctype is None or not ctype.active:
            raise ValidationError("condition", f"'{normalised}' is not a known long term condition")
        when = validate.event_date(
            diagnosed_on, "diagnosis date", today=self._today(), born=patient.date_of_birth
        )
        if any(c.condition_code == normalised and c.ended_on is None for c in patient.conditions):
            raise ConflictError(f"{ctype.name} is already recorded for this patient.")
        row = PatientCondition(condition_code=normalised, diagnosed_on=when)
        patient.conditions.append(row)
        s.flush()
        self._audit(
            s,
            actor,
            "condition.add",
            "patient_condition",
            entity_id=row.id,
            patient_id=patient.id,
            summary=f"Added condition {normalised}",
        )

    def _end_condition(
        self,
        s: Session,
        actor: Actor,
        patient: Patient,
        code: str,
        ended_on: str | date | None,
        reason: str | None,
    ) -> None:
        normalised = validate.condition_code(code)
        row = next(
            (
                c
                for c in patient.conditions
                if c.condition_code == normalised and c.ended_on is None
            ),
            None,
        )
        if row is None:
            raise NotFoundError(f"This patient has no current condition '{normalised}'.")
        when = validate.event_date(
            ended_on,
            "end date",
            today=self._today(),
            born=patient.date_of_birth,
            default_today=True,
        )
        assert when is not None
        if row.diagnosed_on is not None:
            validate.not_before(when, row.diagnosed_on, "end date", "the diagnosis")
        row.ended_on = when
        row.ended_reason = validate.text(reason, "reason")
        self._audit(
            s,
            actor,
            "condition.end",
            "patient_condition",
            entity_id=row.id,
            patient_id=patient.id,
            summary=f"Ended condition {normalised}",
        )

    def _add_carer(self, s: Session, actor: Actor, patient: Patient, new: NewCarer) -> None:
        offered_on = validate.event_date(
            new.support_offered_on,
            "support offered on",
            today=self._today(),
            born=patient.date_of_birth,
        )
        if new.offered_support and offered_on is None:
            offered_on = self._today()
        carer = Carer(
            name=validate.name(new.name, "carer name"),
            relationship_to_patient=validate.text(new.relationship, "relationship", max_len=50),
            phone=validate.phone(new.phone, "carer phone"),
            lives_with_patient=bool(new.lives_with_patient),
            offered_support=bool(new.offered_support),
            support_offered_on=offered_on if new.offered_support else None,
        )
        patient.carers.append(carer)
        s.flush()
        self._audit(
            s,
            actor,
            "carer.add",
            "carer",
            entity_id=carer.id,
            patient_id=patient.id,
            summary="Added a carer",
        )

    def _record_consent(self, s: Session, actor: Actor, patient: Patient, new: NewConsent) -> None:
        value = validate.choice(new.status, ConsentStatus, "consent")
        when = validate.event_date(
            new.recorded_on,
            "consent date",
            today=self._today(),
            born=patient.date_of_birth,
            default_today=True,
        )
        assert when is not None
        record = ConsentRecord(
            status=value.value,
            recorded_on=when,
            recorded_by_id=actor.id,
            note=validate.text(new.note, "consent note", max_len=2000, multiline=True),
        )
        patient.consents.append(record)
        s.flush()
        self._audit(
            s,
            actor,
            "consent.record",
            "consent",
            entity_id=record.id,
            patient_id=patient.id,
            summary=f"Consent to share: {value.value}",
        )

    def record_death(self, nhs: str, date_of_death: str | date) -> PatientDetail:
        """Record a death: ends any caseload assignment and takes the person off active lists."""
        with self._sessions.begin() as s:
            actor = self._actor(s, Action.RECORD_DEATH)
            patient = self._load(s, nhs, actor)
            when = validate.parse_date(date_of_death, "date of death", required=True)
            assert when is not None
            validate.not_future(when, self._today(), "date of death")
            if when < patient.date_of_birth:
                raise ValidationError("date of death", "is before the date of birth")
            if patient.date_of_death is not None:
                raise ConflictError(
                    f"A death on {patient.date_of_death:%d/%m/%Y} is already recorded."
                )
            patient.date_of_death = when
            open_row = s.scalar(
                select(CaseloadAssignment).where(
                    CaseloadAssignment.patient_id == patient.id,
                    CaseloadAssignment.end_date.is_(None),
                )
            )
            if open_row is not None:
                open_row.end_date = max(when, open_row.start_date)
                open_row.end_change = AssignmentChange.DEATH.value
                open_row.end_reason = "Died"
            self._touch(s, patient, actor.id)
            s.flush()
            self._audit(
                s,
                actor,
                "patient.death",
                "patient",
                entity_id=patient.id,
                patient_id=patient.id,
                summary="Recorded date of death",
            )
            return self._detail(s, patient)

    # ------------------------------------------------------------------ lookups

    def search(self, text: str, limit: int = 50) -> list[tuple[str, str, date]]:
        """(NHS number, 'Family, Given', date of birth) for a name or NHS number fragment,
        among the patients the acting user may see (a record outside their team is opened
        by its whole NHS number, breaking the glass). Not audited: it is typed a letter at
        a time, and opening a record found is audited."""
        term = validate.text(text, "search", max_len=100) or ""
        if not term:
            return []
        with self._sessions.begin() as s:
            actor = self._actor(s, Action.VIEW_PATIENT)
            digits = term.replace(" ", "")
            if digits.isdigit():
                cond = Patient.nhs_number.startswith(digits)
            else:
                # autoescape: a "%" or "_" typed is a character to find, not a wildcard.
                start = term.lower()
                cond = func.lower(Patient.family_name).startswith(
                    start, autoescape=True
                ) | func.lower(Patient.given_name).startswith(start, autoescape=True)
            rows = s.execute(
                select(
                    Patient.nhs_number,
                    Patient.family_name,
                    Patient.given_name,
                    Patient.date_of_birth,
                )
                .where(cond, reach(actor, register=True))
                .order_by(Patient.family_name, Patient.given_name)
                .limit(limit)
            ).all()
            return [(r[0], f"{r[1]}, {r[2]}", r[3]) for r in rows]


def _actions_needed(edits: RecordEdits) -> list[Action]:
    needed = []
    if edits.changes != PatientChanges():
        needed.append(Action.EDIT_DEMOGRAPHICS)
    if edits.add_conditions or edits.end_conditions:
        needed.append(Action.EDIT_CONDITIONS)
    if edits.add_carers:
        needed.append(Action.EDIT_CARERS)
    if edits.consent is not None:
        needed.append(Action.RECORD_CONSENT)
    return needed


def _contact(value: str | None) -> str | None:
    if value is None or not str(value).strip():
        return None
    return validate.choice(value, ContactMethod, "preferred contact").value
