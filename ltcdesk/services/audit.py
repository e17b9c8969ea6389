"""Reading the audit log: search it, export it as CSV, and check its hash chain.

Only admins and team leads may read the log (``Action.VIEW_AUDIT``); a refusal is itself
audited by ``ServiceBase._actor``. Searching is not audited (the viewer searches on every
click and would bury the log in its own entries); an export is, since it takes the log
out of the application.

Times are stored as naive UTC. ``AuditRow.at`` is timezone-aware UTC, and the date filters
are days in local (UK) time, as people read them: "22/11/2026" means local midnight to
midnight, an hour off UTC in summer.

``verify`` checks the keyed chain, the entries' signatures and this computer's signed
checkpoint (``ltcdesk.services.audit_verify`` says exactly what that does and does not prove).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from typing import Any, Final

from sqlalchemy import Select, select
from sqlalchemy.orm import Session

from ltcdesk.domain import nhs_number, validate
from ltcdesk.domain.csvsafe import write_csv
from ltcdesk.domain.errors import ValidationError
from ltcdesk.domain.permissions import Action
from ltcdesk.models import AuditChain, AuditEntry, Patient
from ltcdesk.services.audit_verify import AuditCheck, verify_log
from ltcdesk.services.base import ServiceBase

__all__ = ["AuditCheck", "AuditFilter", "AuditKeyStatus", "AuditRow", "AuditService"]

DEFAULT_LIMIT: Final = 5000
CSV_HEADERS: Final = ("Id", "When", "User", "Action", "Record", "Patient NHS number", "Summary")
# id, at, username, action, entity, entity_id, the patient's NHS number, summary
_RowQuery = Select[int, datetime, str, str, str, int | None, str, str]


@dataclass(frozen=True)
class AuditFilter:
    username: str | None = None
    nhs_number: str | None = None
    date_from: date | None = None  # local day, inclusive
    date_to: date | None = None  # local day, inclusive
    action: str | None = None


@dataclass(frozen=True)
class AuditRow:
    id: int
    at: datetime  # timezone-aware UTC
    username: str
    action: str
    entity: str
    entity_id: int | None
    patient_nhs: str | None  # ten digits, or None when no patient (or the patient is gone)
    summary: str

    @property
    def local_at(self) -> datetime:
        return self.at.astimezone()

    @property
    def record(self) -> str:
        """The record acted on, as people read it: "patient 42", "caseload assignment 7"."""
        kind = self.entity.replace("_", " ")
        return kind if self.entity_id is None else f"{kind} {self.entity_id}"


# ------------------------------------------------------------------ filter checking


@dataclass(frozen=True)
class _Checked:
    username: str | None
    nhs: str | None
    start: datetime | None  # naive UTC, inclusive
    end: datetime | None  # naive UTC, exclusive


def _utc_start_of(day: date, field: str) -> datetime:
    """Local midnight at the start of ``day``, as naive UTC (how ``at`` is stored)."""
    try:
        return datetime.combine(day, time.min).astimezone(UTC).replace(tzinfo=None)
    except (OverflowError, ValueError, OSError):
        raise ValidationError(field, f"{day:%d/%m/%Y} is out of range") from None


def _check(flt: AuditFilter) -> _Checked:
    username = validate.text(flt.username, "user", max_len=40)
    nhs = (
        nhs_number.normalise(flt.nhs_number, "NHS number")
        if flt.nhs_number is not None and str(flt.nhs_number).strip()
        else None
    )
    # parse_date passes dates through and turns text (from a caller that skipped typing)
    # into a clear ValidationError rather than an AttributeError.
    first = validate.parse_date(flt.date_from, "date from")
    last = validate.parse_date(flt.date_to, "date to")
    if first is not None and last is not None and last < first:
        raise ValidationError(
            "date to", f"{last:%d/%m/%Y} is before the 'from' date {first:%d/%m/%Y}"
        )
    start = _utc_start_of(first, "date from") if first is not None else None
    end = None
    if last is not None:
        if last == date.max:
            raise ValidationError("date to", f"{last:%d/%m/%Y} is out of range")
        end = _utc_start_of(last + timedelta(days=1), "date to")
    return _Checked(username.lower() if username else None, nhs, start, end)


def _query(flt: AuditFilter, limit: int | None) -> _RowQuery:
    c = _check(flt)
    action = validate.text(flt.action, "action", max_len=40)
    query = select(
        AuditEntry.id,
        AuditEntry.at,
        AuditEntry.username,
        AuditEntry.action,
        AuditEntry.entity,
        AuditEntry.entity_id,
        Patient.nhs_number,
        AuditEntry.summary,
    ).outerjoin(Patient, Patient.id == AuditEntry.patient_id)
    if c.username is not None:
        query = query.where(AuditEntry.username == c.username)
    if c.nhs is not None:
        query = query.where(Patient.nhs_number == c.nhs)
    if c.start is not None:
        query = query.where(AuditEntry.at >= c.start)
    if c.end is not None:
        query = query.where(AuditEntry.at < c.end)
    if action is not None:
        query = query.where(AuditEntry.action == action)
    # Ids follow the chain, which is the order rows were written: newest first.
    query = query.order_by(AuditEntry.id.desc())
    if limit is not None:
        if limit < 1:
            raise ValidationError("limit", f"must be at least 1, not {limit}")
        query = query.limit(limit)
    return query


def _rows(s: Session, query: _RowQuery) -> list[AuditRow]:
    return [
        AuditRow(i, at.replace(tzinfo=UTC), user, action, entity, entity_id, nhs, summary)
        for i, at, user, action, entity, entity_id, nhs, summary in s.execute(query)
    ]


def describe(flt: AuditFilter) -> str:
    """The filter in words, for the export's own audit entry and file headings."""
    parts = []
    if flt.username:
        parts.append(f"user {flt.username.strip().lower()}")
    if flt.nhs_number:
        parts.append(f"patient {nhs_number.format_nhs(nhs_number.normalise(flt.nhs_number))}")
    if flt.date_from:
        parts.append(f"from {flt.date_from:%d/%m/%Y}")
    if flt.date_to:
        parts.append(f"to {flt.date_to:%d/%m/%Y}")
    if flt.action:
        parts.append(f"action {flt.action.strip()}")
    return ", ".join(parts) if parts else "all entries"


# ------------------------------------------------------------------ CSV


def csv_bytes(rows: Iterable[AuditRow]) -> bytes:
    """UTF-8 with a byte order mark (Excel shows "María", not "MarÃ­a"), every cell
    formula-safe: the one CSV writer (``ltcdesk.domain.csvsafe``)."""
    return write_csv(
        (
            [
                str(r.id),
                f"{r.local_at:%d/%m/%Y %H:%M:%S}",
                r.username,
                r.action,
                r.record,
                nhs_number.format_nhs(r.patient_nhs) if r.patient_nhs else "",
                r.summary,
            ]
            for r in rows
        ),
        CSV_HEADERS,
        bom=True,
    ).encode("utf-8")


@dataclass(frozen=True)
class AuditKeyStatus:
    path: str  # this computer's key file
    fingerprint: str  # of that key
    database_fingerprint: str | None  # the key the database is sealed with

    @property
    def matches(self) -> bool:
        return self.database_fingerprint in (None, self.fingerprint)


# ------------------------------------------------------------------ the service


class AuditService(ServiceBase):
    def search(self, flt: AuditFilter, limit: int = DEFAULT_LIMIT) -> list[AuditRow]:
        """Entries matching every filter given, newest first, at most ``limit``."""
        with self._sessions.begin() as s:
            self._actor(s, Action.VIEW_AUDIT)
            return _rows(s, _query(flt, limit))

    def actions(self) -> list[str]:
        """Every action in the log, for a filter list."""
        return self._distinct(AuditEntry.action)

    def usernames(self) -> list[str]:
        """Everyone who appears in the log, including staff since renamed or removed."""
        return self._distinct(AuditEntry.username)

    def _distinct(self, column: Any) -> list[str]:
        with self._sessions.begin() as s:
            self._actor(s, Action.VIEW_AUDIT)
            return list(s.scalars(select(column).distinct().order_by(column)))

    def export_csv(self, flt: AuditFilter, limit: int | None = None) -> bytes:
        """Every matching entry (or the newest ``limit``) as CSV; the export is audited."""
        with self._sessions.begin() as s:
            actor = self._actor(s, Action.VIEW_AUDIT)
            rows = _rows(s, _query(flt, limit))
            self._audit(
                s,
                actor,
                "audit.export",
                "audit_log",
                summary=f"Exported {_entries(len(rows))} as CSV ({describe(flt)})",
            )
            return csv_bytes(rows)

    def sealing_key(self) -> AuditKeyStatus:
        """This computer's audit key file and fingerprint, and the fingerprint the database
        is sealed with (None before its first seal): what a team copying the key checks."""
        from ltcdesk.audit_keys import audit_key, key_id, key_path

        with self._sessions.begin() as s:
            self._actor(s, Action.VIEW_AUDIT)
            stored = s.scalar(select(AuditChain.key_id).where(AuditChain.id == 1))
        return AuditKeyStatus(str(key_path()), key_id(audit_key()), stored)

    def verify(self) -> AuditCheck:
        """Check the whole log against its keys and this computer's checkpoint
        (``ltcdesk.services.audit_verify``); the first problem found, in plain English.

        Seals any committed entry not yet sealed, then reads without locking anything, so
        people keep working meanwhile.
        """
        with self._sessions.begin() as s:
            self._actor(s, Action.VIEW_AUDIT)
            engine = s.get_bind().engine
        return verify_log(engine)


def _entries(n: int) -> str:
    return "1 audit entry" if n == 1 else f"{n:,} audit entries"
