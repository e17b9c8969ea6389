"""The audit log: who did what, to which record, when. Never free-text clinical content.

Append-only: the application never updates or deletes a row, and database triggers
(migration 0003) refuse to. Each row carries the hash of the row before it, so an edited,
inserted or deleted row breaks the chain (``ltcdesk audit verify``). Rows are chained as a
session flushes them, after the one-row ``audit_chain`` table is locked by an UPDATE, so
two writers can never chain from the same row.
"""

from __future__ import annotations

import hashlib
from datetime import datetime
from typing import Any

from sqlalchemy import (
    Connection,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    String,
    event,
    insert,
    inspect,
    select,
    update,
)
from sqlalchemy.orm import Mapped, Session, mapped_column

from ltcdesk.models.base import Base, utcnow

GENESIS = "0" * 64  # the "previous hash" of the first row


class AuditEntry(Base):
    __tablename__ = "audit_log"
    __table_args__ = (
        Index("ix_audit_log_patient_at", "patient_id", "at"),
        Index("ix_audit_log_staff_at", "staff_id", "at"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    staff_id: Mapped[int | None] = mapped_column(ForeignKey("staff.id"))
    # The username is copied so the trail survives renames and reads without a join.
    username: Mapped[str] = mapped_column(String(40))
    action: Mapped[str] = mapped_column(String(40))
    entity: Mapped[str] = mapped_column(String(40))
    entity_id: Mapped[int | None] = mapped_column(Integer)
    # No foreign key: the audit trail outlives the rows it describes.
    patient_id: Mapped[int | None] = mapped_column(Integer)
    summary: Mapped[str] = mapped_column(String(500))
    prev_hash: Mapped[str] = mapped_column(String(64))
    row_hash: Mapped[str] = mapped_column(String(64))


class AuditChain(Base):
    """One row (id 1): the hash of the newest audit row, and how many rows are chained."""

    __tablename__ = "audit_chain"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    last_hash: Mapped[str] = mapped_column(String(64))
    length: Mapped[int] = mapped_column(Integer)


def entry_hash(prev_hash: str, fields: dict[str, Any]) -> str:
    """The hash of one row: its previous hash and every field a reader relies on."""
    at = fields["at"]
    parts = [
        prev_hash,
        at.isoformat(timespec="microseconds") if isinstance(at, datetime) else str(at),
        str(fields["staff_id"] or ""),
        fields["username"],
        fields["action"],
        fields["entity"],
        str(fields["entity_id"] if fields["entity_id"] is not None else ""),
        str(fields["patient_id"] if fields["patient_id"] is not None else ""),
        fields["summary"],
    ]
    return hashlib.sha256("\x1f".join(parts).encode("utf-8")).hexdigest()


CHAINED_FIELDS = ("at", "staff_id", "username", "action", "entity", "entity_id", "patient_id",
                  "summary")  # fmt: skip


def _lock_head(execute: Any, count: int) -> str:
    # The UPDATE takes the write lock (SQLite) or the row lock (PostgreSQL) before the head
    # is read, so the read cannot be stale and no other writer chains until we commit.
    execute(update(AuditChain).where(AuditChain.id == 1).values(length=AuditChain.length + count))
    return str(execute(select(AuditChain.last_hash).where(AuditChain.id == 1)).scalar_one())


def append_rows(conn: Connection, rows: list[dict[str, Any]]) -> None:
    """Insert audit rows with Core (bulk writers such as the demo generator), chained."""
    last = _lock_head(conn.execute, len(rows))
    for row in rows:
        row.setdefault("at", utcnow())
        row["summary"] = (row.get("summary") or "")[:500]
        row["prev_hash"] = last
        row["row_hash"] = last = entry_hash(last, row)
        conn.execute(insert(AuditEntry), [row])  # one at a time: ids follow the chain
    conn.execute(update(AuditChain).where(AuditChain.id == 1).values(last_hash=last))


@event.listens_for(Session, "before_flush")
def _chain_new_entries(session: Session, _context: Any, _instances: Any) -> None:
    new = [obj for obj in session.new if isinstance(obj, AuditEntry)]
    if not new:
        return
    last = _lock_head(session.execute, len(new))
    # In the order the flush will insert them, which is the order of their ids.
    for entry in sorted(new, key=lambda e: inspect(e).insert_order or 0):
        if entry.at is None:
            entry.at = utcnow()
        entry.summary = (entry.summary or "")[:500]
        entry.prev_hash = last
        entry.row_hash = last = entry_hash(last, {f: getattr(entry, f) for f in CHAINED_FIELDS})
    session.execute(update(AuditChain).where(AuditChain.id == 1).values(last_hash=last))
