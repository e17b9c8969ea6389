"""Register, recall, review (issue 8): hospital events, staff absences, and what people did
with a reminder.

Reminders themselves are not stored: they are derived from the data every time (a care
plan's review date, a goal's follow-up, a meeting action …), so they cannot go stale. What
is stored is what a person did with one: completed it, rescheduled it (with a reason) or
reassigned it, keyed by the reminder's source and its due date, so a new due date (a new
review agreed, say) is a new reminder.
"""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import (
    CheckConstraint,
    Date,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    String,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ltcdesk.models.base import Base, utcnow
from ltcdesk.models.patient import Patient
from ltcdesk.models.staff import StaffMember

EVENT_KINDS = ("admission", "discharge", "ae")
REMINDER_ACTIONS = ("done", "rescheduled", "reassigned")


class HospitalEvent(Base):
    """An admission, a discharge or an A&E attendance."""

    __tablename__ = "hospital_events"
    __table_args__ = (
        CheckConstraint(f"kind IN {EVENT_KINDS!r}", name="kind"),
        Index("ix_hospital_events_patient_on", "patient_id", "occurred_on"),
        Index("ix_hospital_events_on", "occurred_on"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    patient_id: Mapped[int] = mapped_column(ForeignKey("patients.id", ondelete="CASCADE"))
    kind: Mapped[str] = mapped_column(String(10))
    occurred_on: Mapped[date] = mapped_column(Date)
    hospital: Mapped[str] = mapped_column(String(200))
    reason: Mapped[str | None] = mapped_column(String(500))
    expected_discharge: Mapped[date | None] = mapped_column(Date)
    source: Mapped[str] = mapped_column(String(20), default="manual")  # manual | import
    recorded_by_id: Mapped[int] = mapped_column(ForeignKey("staff.id"))
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)

    patient: Mapped[Patient] = relationship()
    recorded_by: Mapped[StaffMember] = relationship()


class StaffAbsence(Base):
    """A worker away (leave, sickness): their reminders go to the team lead meanwhile."""

    __tablename__ = "staff_absences"
    __table_args__ = (
        CheckConstraint("last_day >= first_day", name="dates"),
        Index("ix_staff_absences_staff", "staff_id", "first_day"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    staff_id: Mapped[int] = mapped_column(ForeignKey("staff.id"))
    first_day: Mapped[date] = mapped_column(Date)
    last_day: Mapped[date] = mapped_column(Date)
    reason: Mapped[str | None] = mapped_column(String(200))
    recorded_by_id: Mapped[int] = mapped_column(ForeignKey("staff.id"))
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)

    staff: Mapped[StaffMember] = relationship(foreign_keys=[staff_id])


class ReminderState(Base):
    """What someone did with one reminder (the latest row for a key counts)."""

    __tablename__ = "reminder_states"
    __table_args__ = (
        UniqueConstraint("reminder_key", name="uq_reminder_states_reminder_key"),
        CheckConstraint(f"action IN {REMINDER_ACTIONS!r}", name="action"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    # "<source>:<id>:<due ISO date>", e.g. "review:412:2026-12-01"
    reminder_key: Mapped[str] = mapped_column(String(120))
    patient_id: Mapped[int] = mapped_column(ForeignKey("patients.id", ondelete="CASCADE"))
    action: Mapped[str] = mapped_column(String(12))
    new_due: Mapped[date | None] = mapped_column(Date)
    new_owner_id: Mapped[int | None] = mapped_column(ForeignKey("staff.id"))
    reason: Mapped[str | None] = mapped_column(String(500))
    by_id: Mapped[int] = mapped_column(ForeignKey("staff.id"))
    at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
