"""Reading the audit log: search it, export it as CSV, and check its hash chain.

Only admins and team leads may read the log (``Action.VIEW_AUDIT``); a refusal is itself
audited by ``ServiceBase._actor``. Searching is not audited (the viewer searches on every
click and would bury the log in its own entries); an export is, since it takes the log
out of the application.

Times are stored as naive UTC. ``AuditRow.at`` is timezone-aware UTC, and the date filters
are days in local (UK) time, as people read them: "22/11/2026" means local midnight to
midnight, an hour off UTC in summer.

``verify`` recomputes every row's hash in id order. It finds an edited row, a row deleted
or inserted in the middle (the next row's ``prev_hash`` no longer follows), and rows
deleted from the end (the ``audit_chain`` head counts more rows than there are). It cannot
catch someone who rewrites every hash after the change *and* the head row: a hash chain
without a secret key proves the log is internally consistent, not who wrote it.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from typing import Any, Final

from sqlalchemy import Select, select
from sqlalchemy.orm import Session

from ltcdesk.domain import nhs_number, validate
from ltcdesk.domain.errors import ValidationError
from ltcdesk.domain.permissions import Action
from ltcdesk.models import AuditChain, AuditEntry, Patient
from ltcdesk.models.audit import GENESIS, entry_hash
from ltcdesk.services.base import ServiceBase

DEFAULT_LIMIT: Final = 5000
CSV_HEADERS: Final = ("Id", "When", "User", "Action", "Record", "Patient NHS number", "Summary")
_FORMULA_STARTS: Final = ("=", "+", "-", "@", "\t", "\r")
_VERIFY_BATCH: Final = 2000
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


@dataclass(frozen=True)
class AuditCheck:
    ok: bool
    rows_checked: int
    first_bad_id: int | None
    message: str


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


def safe_cell(text: str) -> str:
    """A cell starting like a formula would run as one in a spreadsheet."""
    return f"'{text}" if text.startswith(_FORMULA_STARTS) else text


def csv_bytes(rows: Iterable[AuditRow]) -> bytes:
    """UTF-8 with a byte order mark, so Excel shows "María" rather than "MarÃ­a"."""
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(CSV_HEADERS)
    for r in rows:
        writer.writerow(
            [
                str(r.id),
                f"{r.local_at:%d/%m/%Y %H:%M:%S}",
                safe_cell(r.username),
                safe_cell(r.action),
                safe_cell(r.record),
                nhs_number.format_nhs(r.patient_nhs) if r.patient_nhs else "",
                safe_cell(r.summary),
            ]
        )
    return out.getvalue().encode("utf-8-sig")


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

    def verify(self) -> AuditCheck:
        """Recompute the hash chain over every row; the first problem found, in plain English.

        Read-only and lock-free, so people keep working meanwhile. Each statement may see
        rows committed since the one before (PostgreSQL's read committed; SQLite outside an
        explicit BEGIN), so the head is read before the walk and again after it: every row
        counted by the first read must be there and end in its hash, and no more rows may
        exist than the second read counts (the head's length grows in the same transaction
        as the rows it counts, so rows written meanwhile never exceed it).
        """
        with self._sessions.begin() as s:
            self._actor(s, Action.VIEW_AUDIT)
            before = _head(s)
            if before is None:
                return _missing_head()
            walked = _walk(_stream(s), *before)
            if isinstance(walked, AuditCheck):
                return walked
            after = _head(s)
            if after is None:
                return _missing_head()
            return _compare_counts(walked, after[1])


_HEAD_MISSING: Final = "The audit chain record is missing: the audit log has been altered."


def _head(s: Session) -> tuple[str, int] | None:
    row = s.execute(
        select(AuditChain.last_hash, AuditChain.length).where(AuditChain.id == 1)
    ).one_or_none()
    return None if row is None else (row.last_hash, row.length)


def _missing_head() -> AuditCheck:
    return AuditCheck(False, 0, None, _HEAD_MISSING)


def _stream(s: Session) -> Iterable[Sequence[Any]]:
    query = select(
        AuditEntry.id,
        AuditEntry.at,
        AuditEntry.staff_id,
        AuditEntry.username,
        AuditEntry.action,
        AuditEntry.entity,
        AuditEntry.entity_id,
        AuditEntry.patient_id,
        AuditEntry.summary,
        AuditEntry.prev_hash,
        AuditEntry.row_hash,
    ).order_by(AuditEntry.id)
    return s.execute(query.execution_options(yield_per=_VERIFY_BATCH))


def _entries(n: int) -> str:
    return "1 audit entry" if n == 1 else f"{n:,} audit entries"


def _rows_word(n: int) -> str:
    return "1 row" if n == 1 else f"{n:,} rows"


@dataclass(frozen=True)
class _Walked:
    count: int
    beyond: list[int]  # ids of the rows past the head's length when the walk began


def _walk(rows: Iterable[Sequence[Any]], head_hash: str, head_length: int) -> AuditCheck | _Walked:
    """Check every link and hash; an AuditCheck at the first problem, else what was seen."""
    previous, previous_id, count = GENESIS, None, 0
    hash_at_head, id_at_head = GENESIS, None
    beyond: list[int] = []
    for (
        row_id,
        at,
        staff_id,
        user,
        action,
        entity,
        entity_id,
        patient_id,
        summary,
        prev,
        own,
    ) in rows:
        count += 1
        if prev != previous:
            if previous_id is None:
                message = (
                    f"Row {row_id} should be the first in the chain but is not: "
                    "earlier rows have been deleted. The audit log has been altered."
                )
            else:
                message = (
                    f"Row {row_id} does not follow on from row {previous_id}: a row between "
                    "them has been deleted or inserted. The audit log has been altered."
                )
            return AuditCheck(False, count, row_id, message)
        fields = {
            "at": at,
            "staff_id": staff_id,
            "username": user,
            "action": action,
            "entity": entity,
            "entity_id": entity_id,
            "patient_id": patient_id,
            "summary": summary,
        }
        if entry_hash(previous, fields) != own:
            return AuditCheck(
                False,
                count,
                row_id,
                f"Row {row_id} does not match its hash: the audit log has been altered.",
            )
        previous, previous_id = own, row_id
        if count == head_length:
            hash_at_head, id_at_head = own, row_id
        elif count > head_length:
            beyond.append(row_id)
    if count < head_length:
        missing = head_length - count
        if previous_id is None:
            found = "is empty: every row has been deleted."
        else:
            gone = "the last row has" if missing == 1 else f"the last {missing:,} rows have"
            found = f"ends at row {previous_id} after {_rows_word(count)}: {gone} been deleted."
        return AuditCheck(
            False, count, None, f"The audit log should hold {_rows_word(head_length)} but {found}"
        )
    if hash_at_head != head_hash:
        where = f"Row {id_at_head}" if id_at_head is not None else "The empty log"
        return AuditCheck(
            False,
            count,
            id_at_head,
            f"{where} should end the chain recorded by ltcdesk but does not match it: "
            "the audit log has been altered.",
        )
    return _Walked(count, beyond)


def _compare_counts(walked: _Walked, length_after: int) -> AuditCheck:
    count = walked.count
    if count > length_after:
        extra = count - length_after
        first = walked.beyond[-extra] if extra <= len(walked.beyond) else None
        return AuditCheck(
            False,
            count,
            first,
            f"The audit log holds {_rows_word(count)} but ltcdesk recorded {length_after:,}: "
            f"{_rows_word(extra)} {'was' if extra == 1 else 'were'} added outside ltcdesk. "
            "The audit log has been altered.",
        )
    return AuditCheck(True, count, None, f"Audit log intact: {_rows_word(count)} checked.")
