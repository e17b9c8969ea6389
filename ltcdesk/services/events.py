"""Hospital events (issue 8): admissions, discharges and A&E attendances, recorded by hand or
imported from a CSV list the hospital or the practice sends.

An admission of someone on a caseload makes an urgent "plan the discharge" reminder for the
key worker and puts them on the next whiteboard meeting's agenda; a discharge makes a
follow-up due within 2 working days (both derived from the events, see reminder_sources and
meeting_agenda: an import writes events only).

Import (issue 13), all or nothing: the file is read and every row checked first, outside
any transaction (ltcdesk.importers: size checked before reading, encoding found, columns
matched loosely); if any row is wrong nothing is written and every bad row is named
(ImportRefused). Otherwise the events go in with one bulk INSERT in one short write
transaction with one audit row, so a colleague's save waits a fraction of a second at most.
Rows already recorded (same person, type and date), in the database or earlier in the same
file, are skipped and listed, never doubled.
"""

from __future__ import annotations

import os
from collections import Counter
from dataclasses import dataclass
from datetime import date
from operator import itemgetter
from pathlib import Path
from typing import cast

from sqlalchemy import Column, Integer, MetaData, Table, insert, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from ltcdesk.domain import validate
from ltcdesk.domain.errors import ValidationError
from ltcdesk.domain.hospital_events import (
    HOSPITAL_MAX,
    KIND_WORDS,
    KINDS,
    REASON_MAX,
    check_dates,
    kind_of,
)
from ltcdesk.domain.permissions import Action
from ltcdesk.importers.csv_text import read_csv
from ltcdesk.importers.events_csv import PatientFacts, RowProblem, check_rows
from ltcdesk.models import HospitalEvent, Patient, utcnow
from ltcdesk.services.base import Actor, ServiceBase, gc_paused, reach

__all__ = [
    "HOSPITAL_MAX",
    "KINDS",
    "KIND_WORDS",
    "MAX_BYTES",
    "MAX_ROWS",
    "REASON_MAX",
    "EventService",
    "EventView",
    "ImportRefused",
    "ImportReport",
    "Rejected",
]

MAX_BYTES = 20 * 1024 * 1024
MAX_ROWS = 200_000
Rejected = RowProblem  # a row not imported: its spreadsheet number and why
_EVENTS = cast(Table, HospitalEvent.__table__)  # Core, for a plain executemany
# The rows of one import, staged on the importing connection only (see _insert).
_STAGED = Table(
    "staged_hospital_events",
    MetaData(),
    Column("n", Integer, nullable=False),
    *(Column(c.name, c.type, nullable=c.nullable) for c in _EVENTS.columns if c.name != "id"),
    prefixes=["TEMPORARY"],
)


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
class ImportReport:
    """An import that was written: ``saved`` events for ``patients`` people; ``skipped``
    rows already recorded (or repeated in the file), each with its row number."""

    saved: int
    patients: int
    skipped: tuple[Rejected, ...]
    encoding: str = "UTF-8"

    @property
    def duplicates(self) -> int:
        return len(self.skipped)

    def lines(self) -> list[str]:
        return [f"Row {r.row}: {r.message}" for r in self.skipped]


class ImportRefused(ValidationError):
    """Some rows are wrong, so nothing was imported. ``rows``: the first MAX_LISTED of
    them, in order; ``count``: how many rows in all."""

    def __init__(self, rows: tuple[Rejected, ...], count: int) -> None:
        first = rows[0]
        more = count - 1
        tail = f" (and {more:,} more row{'s' if more != 1 else ''})" if more else ""
        super().__init__(f"Row {first.row}", f"{first.message}{tail}; nothing was imported")
        self.rows = rows
        self.count = count

    def lines(self) -> list[str]:
        return [f"Row {r.row}: {r.message}" for r in self.rows]


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
            patient = self._patient(s, nhs, actor)
            row = self._checked(
                actor, patient, kind, occurred_on, hospital, reason, expected_discharge, "manual"
            )
            s.add(row)
            s.flush()
            self._audit(
                s,
                actor,
                "event.record",
                "hospital_event",
                entity_id=row.id,
                patient_id=row.patient_id,
                summary=f"Recorded {row.kind} on {row.occurred_on} ({row.source})",
            )
            return self._view(row, actor.display_name)

    def list_for(self, nhs: str) -> list[EventView]:
        with self._sessions.begin() as s:
            actor = self._actor(s, Action.VIEW_PATIENT)
            patient = self._patient(s, nhs, actor)
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

    def import_csv(self, source: bytes | str | os.PathLike[str]) -> ImportReport:
        """Import a CSV list of events, all or nothing: ImportRefused (naming every bad row)
        when any row is wrong, ValidationError("file", …) when the file cannot be read as a
        list; otherwise every new event saved and the rows already recorded skipped."""
        name = Path(source).name if not isinstance(source, bytes) else "a CSV list"
        table = read_csv(source, max_bytes=MAX_BYTES, max_rows=MAX_ROWS)
        with gc_paused():
            patients = self._patient_facts()
            checked = check_rows(table, patients, today=self._today())
            if checked.problems:
                raise ImportRefused(tuple(checked.problems), checked.problem_rows)
            if not checked.events and not checked.repeated:
                raise ValidationError("file", "has no events below the header row")
            events, rows = checked.events, checked.rows
            known, last_id = self._recorded(events)
            skipped = list(checked.repeated)
            fresh = self._new(events, rows, known, skipped)
            saved = self._write(fresh, last_id, skipped, name)
        skipped.sort(key=lambda r: r.row)
        people = len({e["patient_id"] for e in saved})
        return ImportReport(len(saved), people, tuple(skipped), table.encoding)

    # ------------------------------------------------------------------ import phases

    def _patient_facts(self) -> dict[str, PatientFacts]:
        """Everyone an event may be imported for, keyed by NHS number: one short read,
        which also checks the permission (a refusal is audited)."""
        with self._sessions.begin() as s:
            actor = self._actor(s, Action.RECORD_EVENT)
            rows = s.execute(
                select(
                    Patient.nhs_number,
                    Patient.id,
                    Patient.date_of_birth,
                    Patient.date_of_death,
                    reach(actor).label("in_reach"),
                )
            ).all()
        return {nhs: PatientFacts(pid, born, died, bool(ok)) for nhs, pid, born, died, ok in rows}

    def _recorded(self, events: list[dict[str, object]]) -> tuple[set[tuple[object, ...]], int]:
        """The events already recorded between the list's first and last dates (person,
        type, date), and the highest event id now: a second short read."""
        with self._sessions.begin() as s:
            last_id = s.scalar(select(HospitalEvent.id).order_by(HospitalEvent.id.desc()).limit(1))
            known = self._keys(s, events, None)
        return known, last_id or 0

    @staticmethod
    def _keys(
        s: Session, events: list[dict[str, object]], after: int | None
    ) -> set[tuple[object, ...]]:
        if not events:
            return set()
        days = [e["occurred_on"] for e in events]
        e = HospitalEvent
        query = select(e.patient_id, e.kind, e.occurred_on).where(
            e.occurred_on >= min(days),  # type: ignore[type-var]
            e.occurred_on <= max(days),  # type: ignore[type-var]
        )
        if after is not None:
            query = query.where(e.id > after)
        return {tuple(r) for r in s.execute(query)}

    @staticmethod
    def _new(
        events: list[dict[str, object]],
        rows: list[int],
        known: set[tuple[object, ...]],
        skipped: list[Rejected],
    ) -> list[dict[str, object]]:
        if not known:
            return events
        fresh = []
        for event, row in zip(events, rows, strict=True):
            if (event["patient_id"], event["kind"], event["occurred_on"]) in known:
                skipped.append(Rejected(row, "already recorded (same person, type, date)"))
            else:
                fresh.append(event)
        return fresh

    def _write(
        self,
        events: list[dict[str, object]],
        last_id: int,
        skipped: list[Rejected],
        name: str,
    ) -> list[dict[str, object]]:
        """One write transaction: the events in one bulk INSERT (plain dicts, no ORM
        objects) and one audit row. Events another import saved since ``_recorded`` read
        are dropped first (an indexed read of the newest ids only)."""
        try:
            with self._sessions.begin() as s:
                actor = self._actor(s, Action.RECORD_EVENT)
                raced = self._keys(s, events, last_id)
                if raced:
                    events = [
                        e
                        for e in events
                        if (e["patient_id"], e["kind"], e["occurred_on"]) not in raced
                    ]
                if events:
                    self._insert(s, events, actor.id)
                self._audit(
                    s,
                    actor,
                    "event.import",
                    "hospital_event",
                    summary=self._summary(events, skipped, name),
                )
        except IntegrityError:
            # A person in the list was removed between the check and the write.
            raise ValidationError(
                "file", "someone was removed from the register while importing; import again"
            ) from None
        return events

    @staticmethod
    def _insert(s: Session, events: list[dict[str, object]], staff_id: int) -> None:
        """The events into a temporary table of this connection first (which takes no lock
        on the shared tables: on SQLite the database's write lock is not yet taken), then
        into hospital_events with one INSERT … SELECT, so the lock that every colleague's
        save waits on is held for the shortest time: a third of a plain executemany's, as
        the row binding is done before it (bench/bench_import.py)."""
        # In index order, quicker to insert; a stable sort, so a same-day admission and
        # discharge keep the list's order (the later id is the later event).
        ordered = sorted(events, key=itemgetter("patient_id", "occurred_on"))
        common = {"source": "import", "recorded_by_id": staff_id, "created_at": utcnow()}
        rows = [{**e, **common, "n": n} for n, e in enumerate(ordered)]
        conn = s.connection()
        _STAGED.drop(conn, checkfirst=True)  # left by a failed import on this connection
        _STAGED.create(conn)
        conn.execute(insert(_STAGED), rows)
        names = [c.name for c in _STAGED.columns if c.name != "n"]
        conn.execute(
            insert(_EVENTS).from_select(
                names, select(*(_STAGED.c[n] for n in names)).order_by(_STAGED.c.n)
            )
        )
        _STAGED.drop(conn)

    @staticmethod
    def _summary(events: list[dict[str, object]], skipped: list[Rejected], name: str) -> str:
        kinds = Counter(e["kind"] for e in events)
        people = len({e["patient_id"] for e in events})
        parts = ", ".join(
            f"{kinds[k]:,} {label.lower()}{'s' if kinds[k] != 1 else ''}"
            for k, label in (
                ("admission", "Admission"),
                ("discharge", "Discharge"),
                ("ae", "A&E attendance"),
            )
            if kinds[k]
        )
        text = (
            f"Imported {len(events):,} hospital events for {people:,} patients "
            f"from {validate.shown(name, 80)}" + (f" ({parts})" if parts else "")
        )
        if skipped:
            text += f"; {len(skipped):,} rows already recorded were skipped"
        return text

    # ------------------------------------------------------------------ internals

    def _checked(
        self,
        actor: Actor,
        patient: Patient,
        kind: str,
        occurred_on: date | str | None,
        hospital: str | None,
        reason: str | None,
        expected_discharge: date | str | None,
        source: str,
    ) -> HospitalEvent:
        what = kind if kind in KINDS else kind_of(kind)
        on = validate.parse_date(occurred_on, "date", required=True)
        assert on is not None
        where = validate.required_text(hospital, "hospital", max_len=HOSPITAL_MAX)
        why = validate.text(reason, "reason", max_len=REASON_MAX)
        expected = validate.parse_date(expected_discharge, "expected discharge")
        check_dates(
            what,
            on,
            expected,
            born=patient.date_of_birth,
            died=patient.date_of_death,
            today=self._today(),
        )
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
