"""Caseload assignments: who is the key worker, at which level, and the history of changes."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import CheckConstraint, Date, DateTime, ForeignKey, Index, Integer, String, text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ltcdesk.domain.vocab import AssignmentChange
from ltcdesk.models.base import Base, utcnow
from ltcdesk.models.patient import Patient
from ltcdesk.models.staff import StaffMember

CHANGE_VALUES = tuple(c.value for c in AssignmentChange)


class CaseloadAssignment(Base):
    """One period of a patient on one key worker's caseload at one level.

    A step up/down or transfer ends the open row and starts a new one, so the rows of a
    patient are the full history. At most one row per patient is open (end_date NULL).
    """

    __tablename__ = "caseload_assignments"
    __table_args__ = (
        CheckConstraint("level IN (1, 2, 3)", name="level"),
        CheckConstraint(f"start_change IN {CHANGE_VALUES!r}", name="start_change"),
        CheckConstraint(
            f"end_change IS NULL OR end_change IN {CHANGE_VALUES!r}", name="end_change"
        ),
        CheckConstraint("end_date IS NULL OR end_date >= start_date", name="dates"),
        Index(
            "uq_caseload_assignments_open",
            "patient_id",
            unique=True,
            sqlite_where=text("end_date IS NULL"),
            postgresql_where=text("end_date IS NULL"),
        ),
        Index("ix_caseload_assignments_worker_open", "key_worker_id", "end_date"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    patient_id: Mapped[int] = mapped_column(
        ForeignKey("patients.id", ondelete="CASCADE"), index=True
    )
    key_worker_id: Mapped[int] = mapped_column(ForeignKey("staff.id"))
    level: Mapped[int] = mapped_column(Integer)
    start_date: Mapped[date] = mapped_column(Date)
    start_change: Mapped[str] = mapped_column(String(20))
    start_reason: Mapped[str | None] = mapped_column(String(500))
    end_date: Mapped[date | None] = mapped_column(Date)
    end_change: Mapped[str | None] = mapped_column(String(20))
    end_reason: Mapped[str | None] = mapped_column(String(500))
    created_by_id: Mapped[int] = mapped_column(ForeignKey("staff.id"))
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)

    patient: Mapped[Patient] = relationship()
    key_worker: Mapped[StaffMember] = relationship(foreign_keys=[key_worker_id])
    created_by: Mapped[StaffMember] = relationship(foreign_keys=[created_by_id])
