"""Hospital events (issue 8): admissions, discharges and A&E attendances, recorded by hand or
imported from a CSV list the hospital or the practice sends.

An admission of someone on a caseload makes an urgent "plan the discharge" reminder for the
key worker and puts them on the next whiteboard meeting's agenda; a discharge makes a
follow-up due within 2 working days (both derived, see reminder_sources and meeting_agenda).

Import: one row per event with the NHS number, the event type, the date and the hospital
(reason and expected discharge optional). Column names are matched loosely ("NHS number",
"nhs_number", "Event type", "type" …); dates are DD/MM/YYYY or YYYY-MM-DD; the file may be
comma, semicolon or tab separated, UTF-8 (with or without BOM) or Windows-1252. Every valid
row is saved in one transaction; every other row is reported with its row number and the
reason, and nothing about it is written. A file that is not a CSV list is refused whole.
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass
from datetime import date
from pathlib import Path

from sqlalchemy import select
from sqlalchemy.orm import Session

from ltcdesk.domain import nhs_number, validate
from ltcdesk.domain.errors import DomainError, ValidationError
from ltcdesk.domain.permissions import Action
from ltcdesk.models import HospitalEvent, Patient, utcnow
from ltcdesk.services.base import Actor, ServiceBase

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
COLUMNS = {
    "nhs": ("nhs number", "nhs_number", "nhs no", "nhsnumber", "nhs"),
    "kind": ("event type", "event_type", "type", "event", "kind"),
    "on": ("date", "event date", "event_date", "occurred on", "occurred_on"),
    "hospital": ("hospital", "provider", "site", "trust"),
    "reason": ("reason", "diagnosis", "presenting complaint", "notes"),
    "expected": ("expected discharge", "expected_discharge", "edd"),
}
MAX_BYTES = 20 * 1024 * 1024
MAX_ROWS = 50_000
HOSPITAL_MAX = 200
REASON_MAX = 500


@dataclass(frozen=True)
class EventView:
    id: int
    kind: str
    occurred_on: date
    hospital: str
    reason: str | None
    expected_discharge: date | None
    source: str
    recorded_by: str

    @property
    def label(self) -> str:
        return KINDS[self.kind]


@dataclass(frozen=True)
class Rejected:
    row: int  # the row number as a spreadsheet shows it (the header is row 1)
    message: str


@dataclass(frozen=True)
class ImportReport:
    saved: int
    rejected: tuple[Rejected, ...]
    duplicates: int

    def lines(self) -> list[str]:
        return [f"Row {r.row}: {r.message}" for r in self.rejected]


def _kind(raw: str | None) -> str:
    text = " ".join((raw or "").strip().lower().replace("_", " ").split())
    kind = KIND_WORDS.get(text)
    if kind is None:
        raise ValidationError(
            "event type", f"'{validate.shown(raw)}' is not admission, discharge or A&E"
        )
    return kind


def _decode(data: bytes) -> str:
    if len(data) > MAX_BYTES:
        raise ValidationError("file", f"is larger than {MAX_BYTES // (1024 * 1024)} MB")
    if b"\x00" in data[:4096] or data[:5] == b"%PDF-" or data[:2] == b"PK":
        raise ValidationError("file", "is not a CSV text file (it looks like a binary file)")
    for encoding in ("utf-8-sig", "cp1252"):
        try:
            return data.decode(encoding)
        except UnicodeDecodeError:
            continue
    raise ValidationError("file", "is not readable text (UTF-8 or Windows-1252)")


def _reader(text: str) -> tuple[list[str], csv.DictReader[str]]:
    """A reader split on whichever of comma, semicolon or tab the header line uses most."""
    first = text.lstrip("\ufeff").split("\n", 1)[0]
    delimiter = max((",", ";", "\t"), key=first.count)
    reader = csv.DictReader(io.StringIO(text.lstrip("\ufeff"), newline=""), delimiter=delimiter)
    header = [h.strip() for h in (reader.fieldnames or [])]
    return header, reader


def _columns(header: list[str]) -> dict[str, str]:
    found: dict[str, str] = {}
    folded = {" ".join(h.lower().replace("_", " ").split()): h for h in header}
    for field, names in COLUMNS.items():
        for name in names:
            key = " ".join(name.replace("_", " ").split())
            if key in folded:
                found[field] = folded[key]
                break
    missing = [f for f in ("nhs", "kind", "on", "hospital") if f not in found]
    if missing:
        words = {"nhs": "NHS number", "kind": "event type", "on": "date", "hospital": "hospital"}
        raise ValidationError(
            "file",
            "is missing the column(s) "
            + ", ".join(words[m] for m in missing)
            + f" (found: {', '.join(header) or 'no header'})",
        )
    return found


class EventService(ServiceBase):
    def record(
        self,
        nhs: str,
        kind: str,
        occurred_on: date | str,
        hospital: str,
        *,
        reason: str | None = None,
        expected_discharge: date | str | None = None,
    ) -> EventView:
        with self._sessions.begin() as s:
            actor = self._actor(s, Action.RECORD_EVENT)
            patient = self._patient(s, nhs)
            row = self._checked(
                s, actor, patient, kind, occurred_on, hospital, reason, expected_discharge, "manual"
            )
            s.add(row)
            s.flush()
            self._audit_event(s, actor, row)
            return self._view(row, actor.display_name)

    def list_for(self, nhs: str) -> list[EventView]:
        with self._sessions.begin() as s:
            actor = self._actor(s, Action.VIEW_PATIENT)
            patient = self._patient(s, nhs)
            rows = s.scalars(
                select(HospitalEvent)
                .where(HospitalEvent.patient_id == patient.id)
                .order_by(HospitalEvent.occurred_on.desc(), HospitalEvent.id.desc())
            ).all()
            self._audit(
                s,
                actor,
                "event.view",
                "hospital_event",
                patient_id=patient.id,
                summary=f"Viewed hospital events ({len(rows)})",
            )
            return [self._view(r, r.recorded_by.display_name) for r in rows]

    def import_csv(self, source: bytes | str | Path) -> ImportReport:
        """Import a CSV list of events: valid rows saved together, the others reported."""
        data = Path(source).read_bytes() if isinstance(source, str | Path) else source
        header, reader = _reader(_decode(data))
        columns = _columns(header)
        rejected: list[Rejected] = []
        saved = duplicates = 0
        with self._sessions.begin() as s:
            actor = self._actor(s, Action.RECORD_EVENT)
            patients = {nhs: p for nhs, p in s.execute(select(Patient.nhs_number, Patient))}
            seen = {
                (pid, kind, on)
                for pid, kind, on in s.execute(
                    select(HospitalEvent.patient_id, HospitalEvent.kind, HospitalEvent.occurred_on)
                )
            }
            for count, row in enumerate(reader, start=1):
                number = reader.line_num  # as a spreadsheet numbers it (blank lines too)
                if count > MAX_ROWS:
                    rejected.append(Rejected(number, f"more than {MAX_ROWS:,} rows: not read"))
                    break
                if not any((v or "").strip() for v in row.values() if isinstance(v, str)):
                    continue  # a blank line
                try:
                    event = self._from_row(s, actor, patients, row, columns)
                except DomainError as err:
                    rejected.append(Rejected(number, str(err)))
                    continue
                key = (event.patient_id, event.kind, event.occurred_on)
                if key in seen:
                    duplicates += 1
                    rejected.append(Rejected(number, "already recorded (same person, type, date)"))
                    continue
                seen.add(key)
                s.add(event)
                s.flush()
                self._audit_event(s, actor, event)
                saved += 1
            self._audit(
                s,
                actor,
                "event.import",
                "hospital_event",
                summary=f"Imported {saved} events; {len(rejected)} rows rejected",
            )
        return ImportReport(saved, tuple(rejected), duplicates)

    # ------------------------------------------------------------------ internals

    def _from_row(
        self,
        s: Session,
        actor: Actor,
        patients: dict[str, Patient],
        row: dict[str, str | None],
        columns: dict[str, str],
    ) -> HospitalEvent:
        def cell(field: str) -> str | None:
            name = columns.get(field)
            value = row.get(name) if name else None
            return value.strip() if isinstance(value, str) else None

        digits = nhs_number.normalise(cell("nhs") or "")
        patient = patients.get(digits)
        if patient is None:
            raise ValidationError(
                "NHS number", f"{nhs_number.format_nhs(digits)} is not registered here"
            )
        return self._checked(
            s,
            actor,
            patient,
            cell("kind") or "",
            cell("on"),
            cell("hospital"),
            cell("reason"),
            cell("expected"),
            "import",
        )

    def _checked(
        self,
        s: Session,
        actor: Actor,
        patient: Patient,
        kind: str,
        occurred_on: date | str | None,
        hospital: str | None,
        reason: str | None,
        expected_discharge: date | str | None,
        source: str,
    ) -> HospitalEvent:
        what = kind if kind in KINDS else _kind(kind)
        today = self._today()
        on = validate.parse_date(occurred_on, "date", required=True)
        assert on is not None
        validate.not_future(on, today, "date")
        validate.not_before(on, patient.date_of_birth, "date", "the date of birth")
        if patient.date_of_death is not None and on > patient.date_of_death:
            raise ValidationError("date", "is after the person's death")
        where = validate.required_text(hospital, "hospital", max_len=HOSPITAL_MAX)
        why = validate.text(reason, "reason", max_len=REASON_MAX)
        expected = validate.parse_date(expected_discharge, "expected discharge")
        if expected is not None:
            if what != "admission":
                raise ValidationError("expected discharge", "is for admissions only")
            if expected < on:
                raise ValidationError("expected discharge", "must not be before the admission")
        return HospitalEvent(
            patient_id=patient.id,
            kind=what,
            occurred_on=on,
            hospital=where,
            reason=why,
            expected_discharge=expected,
            source=source,
            recorded_by_id=actor.id,
            created_at=utcnow(),
        )

    def _audit_event(self, s: Session, actor: Actor, row: HospitalEvent) -> None:
        self._audit(
            s,
            actor,
            "event.record",
            "hospital_event",
            entity_id=row.id,
            patient_id=row.patient_id,
            summary=f"Recorded {row.kind} on {row.occurred_on} ({row.source})",
        )

    @staticmethod
    def _view(row: HospitalEvent, by: str) -> EventView:
        return EventView(
            row.id,
            row.kind,
            row.occurred_on,
            row.hospital,
            row.reason,
            row.expected_discharge,
            row.source,
            by,
        )
