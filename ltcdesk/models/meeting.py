"""Whiteboard (MDT) meetings (issue 7): meetings, attendees, agenda items, actions, and
requests to discuss a patient (step up / step down / discuss) waiting for a meeting.

A meeting belongs to a team and has one chair. Its agenda is a list of items, one per
patient, each with the section it came from (new to a caseload, care plan review, flag,
hospital, step up/down, open action, added by hand), the reasons as lines of text, minutes
allowed, and — once discussed — the outcome and decisions. An item the chair removes is
kept with ``removed`` so a rebuild does not propose it again. The agenda is locked by the
chair before the meeting. Actions have an owner, a due date and a patient, and stay open
(carried to each later agenda) until done or cancelled.
"""

from __future__ import annotations

from datetime import date, datetime, time

from sqlalchemy import (
    Boolean,
    CheckConstraint,
    Date,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    Time,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ltcdesk.models.base import Base, utcnow
from ltcdesk.models.patient import Patient
from ltcdesk.models.staff import StaffMember, Team

MEETING_STATUSES = ("planned", "in_progress", "closed")
ATTENDANCE = ("invited", "present", "apologies")
SECTIONS = ("new", "review", "flag", "hospital", "step", "action", "manual")
ACTION_STATUSES = ("open", "done", "cancelled")
REQUEST_KINDS = ("step_up", "step_down", "discuss")


class MeetingSchedule(Base):
    """A recurring meeting: on these ISO weekdays ("2,5" = Tuesday and Friday) at a time."""

    __tablename__ = "meeting_schedules"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    team_id: Mapped[int | None] = mapped_column(ForeignKey("teams.id"))
    weekdays: Mapped[str] = mapped_column(String(20))
    starts_at: Mapped[time] = mapped_column(Time)
    minutes: Mapped[int] = mapped_column(Integer)
    place: Mapped[str] = mapped_column(String(200))
    virtual: Mapped[bool] = mapped_column(Boolean, default=False)
    chair_id: Mapped[int] = mapped_column(ForeignKey("staff.id"))
    first_date: Mapped[date] = mapped_column(Date)
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    created_by_id: Mapped[int] = mapped_column(ForeignKey("staff.id"))


class Meeting(Base):
    __tablename__ = "meetings"
    __table_args__ = (
        CheckConstraint(f"status IN {MEETING_STATUSES!r}", name="status"),
        CheckConstraint("minutes > 0", name="minutes"),
        Index("ix_meetings_team_held", "team_id", "held_on"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    team_id: Mapped[int | None] = mapped_column(ForeignKey("teams.id"))
    schedule_id: Mapped[int | None] = mapped_column(
        ForeignKey("meeting_schedules.id", ondelete="SET NULL")
    )
    held_on: Mapped[date] = mapped_column(Date)
    starts_at: Mapped[time] = mapped_column(Time)
    minutes: Mapped[int] = mapped_column(Integer)
    place: Mapped[str] = mapped_column(String(200))
    virtual: Mapped[bool] = mapped_column(Boolean, default=False)
    chair_id: Mapped[int] = mapped_column(ForeignKey("staff.id"))
    status: Mapped[str] = mapped_column(String(12), default="planned")
    agenda_locked_at: Mapped[datetime | None] = mapped_column(DateTime)
    agenda_locked_by_id: Mapped[int | None] = mapped_column(ForeignKey("staff.id"))
    notes: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    created_by_id: Mapped[int] = mapped_column(ForeignKey("staff.id"))
    updated_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    updated_by_id: Mapped[int | None] = mapped_column(ForeignKey("staff.id"))
    lock_version: Mapped[int] = mapped_column(Integer, nullable=False)

    team: Mapped[Team | None] = relationship()
    chair: Mapped[StaffMember] = relationship(foreign_keys=[chair_id])
    attendees: Mapped[list[MeetingAttendee]] = relationship(
        back_populates="meeting", cascade="all, delete-orphan", order_by="MeetingAttendee.id"
    )
    items: Mapped[list[MeetingItem]] = relationship(
        back_populates="meeting", cascade="all, delete-orphan", order_by="MeetingItem.position"
    )

    __mapper_args__ = {"version_id_col": lock_version}


class MeetingAttendee(Base):
    __tablename__ = "meeting_attendees"
    __table_args__ = (
        UniqueConstraint("meeting_id", "staff_id", name="uq_meeting_attendees_meeting_staff"),
        CheckConstraint(f"attendance IN {ATTENDANCE!r}", name="attendance"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    meeting_id: Mapped[int] = mapped_column(ForeignKey("meetings.id", ondelete="CASCADE"))
    staff_id: Mapped[int] = mapped_column(ForeignKey("staff.id"))
    attendance: Mapped[str] = mapped_column(String(10), default="invited")

    meeting: Mapped[Meeting] = relationship(back_populates="attendees")
    staff: Mapped[StaffMember] = relationship()


class MeetingItem(Base):
    """One patient on a meeting's agenda."""

    __tablename__ = "meeting_items"
    __table_args__ = (
        UniqueConstraint("meeting_id", "patient_id", name="uq_meeting_items_meeting_patient"),
        CheckConstraint(f"section IN {SECTIONS!r}", name="section"),
        CheckConstraint("minutes >= 0", name="minutes"),
        Index("ix_meeting_items_patient", "patient_id"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    meeting_id: Mapped[int] = mapped_column(ForeignKey("meetings.id", ondelete="CASCADE"))
    patient_id: Mapped[int] = mapped_column(ForeignKey("patients.id", ondelete="CASCADE"))
    position: Mapped[int] = mapped_column(Integer)
    section: Mapped[str] = mapped_column(String(10))
    reasons: Mapped[str] = mapped_column(Text)  # one reason per line
    # What brought it here, e.g. "flag:12 action:7 request:3" (handled when the meeting closes).
    sources: Mapped[str] = mapped_column(String(500), default="")
    minutes: Mapped[int] = mapped_column(Integer, default=5)
    removed: Mapped[bool] = mapped_column(Boolean, default=False)
    outcome: Mapped[str | None] = mapped_column(Text)
    decisions: Mapped[str | None] = mapped_column(String(200))  # comma-separated codes
    discussed_at: Mapped[datetime | None] = mapped_column(DateTime)
    added_by_id: Mapped[int | None] = mapped_column(ForeignKey("staff.id"))

    meeting: Mapped[Meeting] = relationship(back_populates="items")
    patient: Mapped[Patient] = relationship()


class MeetingAction(Base):
    """An action agreed at a meeting: owner, due date, patient; open until done."""

    __tablename__ = "meeting_actions"
    __table_args__ = (
        CheckConstraint(f"status IN {ACTION_STATUSES!r}", name="status"),
        Index("ix_meeting_actions_owner_status", "owner_id", "status"),
        Index("ix_meeting_actions_status_due", "status", "due_on"),
        Index("ix_meeting_actions_patient", "patient_id"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    meeting_id: Mapped[int] = mapped_column(ForeignKey("meetings.id", ondelete="CASCADE"))
    item_id: Mapped[int | None] = mapped_column(ForeignKey("meeting_items.id", ondelete="SET NULL"))
    patient_id: Mapped[int] = mapped_column(ForeignKey("patients.id", ondelete="CASCADE"))
    what: Mapped[str] = mapped_column(String(500))
    owner_id: Mapped[int] = mapped_column(ForeignKey("staff.id"))
    due_on: Mapped[date] = mapped_column(Date)
    status: Mapped[str] = mapped_column(String(10), default="open")
    done_on: Mapped[date | None] = mapped_column(Date)
    done_by_id: Mapped[int | None] = mapped_column(ForeignKey("staff.id"))
    note: Mapped[str | None] = mapped_column(String(500))
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    created_by_id: Mapped[int] = mapped_column(ForeignKey("staff.id"))

    meeting: Mapped[Meeting] = relationship()
    patient: Mapped[Patient] = relationship()
    owner: Mapped[StaffMember] = relationship(foreign_keys=[owner_id])


class MeetingRequest(Base):
    """A request to discuss a patient at the next meeting (step up, step down, or other)."""

    __tablename__ = "meeting_requests"
    __table_args__ = (
        CheckConstraint(f"kind IN {REQUEST_KINDS!r}", name="kind"),
        Index("ix_meeting_requests_open", "handled_meeting_id"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    patient_id: Mapped[int] = mapped_column(ForeignKey("patients.id", ondelete="CASCADE"))
    kind: Mapped[str] = mapped_column(String(10))
    reason: Mapped[str] = mapped_column(String(500))
    requested_on: Mapped[date] = mapped_column(Date)
    requested_by_id: Mapped[int] = mapped_column(ForeignKey("staff.id"))
    handled_meeting_id: Mapped[int | None] = mapped_column(
        ForeignKey("meetings.id", ondelete="SET NULL")
    )
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
