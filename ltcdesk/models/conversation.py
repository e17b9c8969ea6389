"""Care navigator conversations (issue 6, point 3) and navigators' own lists (point 4).

A conversation is a dated record of a guided conversation with a patient (and/or carer):
its topics with a note each, what matters in the person's words, signposting given,
agreed follow-ups and an optional flag to the team (for the next whiteboard meeting,
which marks it handled through ``flag_handled_at``). Topics are an editable list.
A navigator assignment puts a patient on one care navigator's list; at most one open
assignment per patient (end_date NULL), like caseload_assignments.
"""

from __future__ import annotations

from datetime import date, datetime

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
    text,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ltcdesk.models.base import Base, utcnow
from ltcdesk.models.patient import Patient
from ltcdesk.models.staff import StaffMember

CONVERSATION_MODES = ("visit", "phone", "video", "group")


class ConversationTopic(Base):
    """One entry of the editable topic list (seeded by migration 0006)."""

    __tablename__ = "conversation_topics"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    code: Mapped[str] = mapped_column(String(40), unique=True)
    label: Mapped[str] = mapped_column(String(100))
    active: Mapped[bool] = mapped_column(Boolean, default=True)


class Conversation(Base):
    __tablename__ = "conversations"
    __table_args__ = (
        CheckConstraint(f"mode IN {CONVERSATION_MODES!r}", name="mode"),
        Index("ix_conversations_patient_held", "patient_id", "held_on"),
        Index("ix_conversations_open_flags", "flag_to_team", "flag_handled_at"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    patient_id: Mapped[int] = mapped_column(ForeignKey("patients.id", ondelete="CASCADE"))
    held_on: Mapped[date] = mapped_column(Date)
    mode: Mapped[str] = mapped_column(String(10))
    with_patient: Mapped[bool] = mapped_column(Boolean, default=True)
    with_carer: Mapped[bool] = mapped_column(Boolean, default=False)
    what_matters: Mapped[str | None] = mapped_column(Text)
    flag_to_team: Mapped[bool] = mapped_column(Boolean, default=False)
    flag_reason: Mapped[str | None] = mapped_column(String(500))
    flag_handled_at: Mapped[datetime | None] = mapped_column(DateTime)
    recorded_by_id: Mapped[int] = mapped_column(ForeignKey("staff.id"))
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)

    patient: Mapped[Patient] = relationship()
    recorded_by: Mapped[StaffMember] = relationship()
    topics: Mapped[list[ConversationTopicNote]] = relationship(
        cascade="all, delete-orphan", order_by="ConversationTopicNote.id"
    )
    signposting: Mapped[list[ConversationSignpost]] = relationship(
        cascade="all, delete-orphan", order_by="ConversationSignpost.id"
    )
    follow_ups: Mapped[list[ConversationFollowUp]] = relationship(
        cascade="all, delete-orphan", order_by="ConversationFollowUp.id"
    )


class ConversationTopicNote(Base):
    __tablename__ = "conversation_topic_notes"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    conversation_id: Mapped[int] = mapped_column(
        ForeignKey("conversations.id", ondelete="CASCADE"), index=True
    )
    topic_code: Mapped[str] = mapped_column(String(40))
    note: Mapped[str | None] = mapped_column(Text)


class ConversationSignpost(Base):
    __tablename__ = "conversation_signposts"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    conversation_id: Mapped[int] = mapped_column(
        ForeignKey("conversations.id", ondelete="CASCADE"), index=True
    )
    service: Mapped[str] = mapped_column(String(200))
    given_on: Mapped[date] = mapped_column(Date)


class ConversationFollowUp(Base):
    __tablename__ = "conversation_follow_ups"
    __table_args__ = (Index("ix_conversation_follow_ups_due", "done_on", "due_on"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    conversation_id: Mapped[int] = mapped_column(
        ForeignKey("conversations.id", ondelete="CASCADE"), index=True
    )
    what: Mapped[str] = mapped_column(String(500))
    due_on: Mapped[date] = mapped_column(Date)
    by_whom: Mapped[str | None] = mapped_column(String(200))
    by_staff_id: Mapped[int | None] = mapped_column(ForeignKey("staff.id"))
    done_on: Mapped[date | None] = mapped_column(Date)


class NavigatorAssignment(Base):
    """One period of a patient on a care navigator's own list (separate from the key worker)."""

    __tablename__ = "navigator_assignments"
    __table_args__ = (
        CheckConstraint("end_date IS NULL OR end_date >= start_date", name="dates"),
        Index(
            "uq_navigator_assignments_open",
            "patient_id",
            unique=True,
            sqlite_where=text("end_date IS NULL"),
            postgresql_where=text("end_date IS NULL"),
        ),
        Index("ix_navigator_assignments_navigator_open", "navigator_id", "end_date"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    patient_id: Mapped[int] = mapped_column(
        ForeignKey("patients.id", ondelete="CASCADE"), index=True
    )
    navigator_id: Mapped[int] = mapped_column(ForeignKey("staff.id"))
    start_date: Mapped[date] = mapped_column(Date)
    end_date: Mapped[date | None] = mapped_column(Date)
    assigned_by_id: Mapped[int] = mapped_column(ForeignKey("staff.id"))
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)

    patient: Mapped[Patient] = relationship()
    navigator: Mapped[StaffMember] = relationship(foreign_keys=[navigator_id])
