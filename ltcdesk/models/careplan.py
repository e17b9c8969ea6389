"""Personalised care and support plans: one ``care_plans`` row per version, with its parts.

A review copies the agreed version forward into a new draft (version + 1); the old one stays
as it was, readable, and becomes superseded when the new one is agreed. A goal carried
forward keeps its ``goal_key`` (its lineage), so the scores recorded against every version
of it read as one trend.
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
    UniqueConstraint,
    text,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ltcdesk.models.base import Base, utcnow
from ltcdesk.models.patient import Patient
from ltcdesk.models.staff import StaffMember

# Copies of the vocabularies in ltcdesk.services.careplan_views (models do not import
# services); tests hold the two together.
PLAN_STATUSES = ("draft", "agreed", "superseded", "closed")
GOAL_STATUSES = ("active", "achieved", "partly_achieved", "not_achieved", "stopped")
FOLLOW_UP_HOWS = ("phone", "visit", "clinic", "navigator_call")
RAG_LEVELS = ("green", "amber", "red")
COPY_ROLES = ("patient", "carer", "gp", "other")
_SCORES = "BETWEEN 0 AND 10"


class CarePlan(Base):
    __tablename__ = "care_plans"
    __table_args__ = (
        UniqueConstraint("patient_id", "version", name="uq_care_plans_patient_version"),
        CheckConstraint(f"status IN {PLAN_STATUSES!r}", name="status"),
        CheckConstraint("version >= 1", name="version"),
        # At most one draft per patient: two people cannot start two reviews.
        Index(
            "uq_care_plans_one_draft",
            "patient_id",
            unique=True,
            sqlite_where=text("status = 'draft'"),
            postgresql_where=text("status = 'draft'"),
        ),
        Index("ix_care_plans_status_review", "status", "review_date"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    patient_id: Mapped[int] = mapped_column(ForeignKey("patients.id", ondelete="CASCADE"))
    version: Mapped[int] = mapped_column(Integer)
    status: Mapped[str] = mapped_column(String(12))
    about_me: Mapped[str | None] = mapped_column(Text)
    what_matters: Mapped[str | None] = mapped_column(Text)
    review_date: Mapped[date | None] = mapped_column(Date)
    reviewer_id: Mapped[int | None] = mapped_column(ForeignKey("staff.id"))
    agreed_on: Mapped[date | None] = mapped_column(Date)
    agreed_by_id: Mapped[int | None] = mapped_column(ForeignKey("staff.id"))
    agreed_with: Mapped[str | None] = mapped_column(String(200))
    closed_on: Mapped[date | None] = mapped_column(Date)
    closed_reason: Mapped[str | None] = mapped_column(String(500))
    # Preventive basics: a date means done (or booked) then.
    flu_vaccine: Mapped[date | None] = mapped_column(Date)
    pneumococcal_vaccine: Mapped[date | None] = mapped_column(Date)
    medicines_review: Mapped[date | None] = mapped_column(Date)
    falls_risk_assessed: Mapped[date | None] = mapped_column(Date)
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    created_by_id: Mapped[int] = mapped_column(ForeignKey("staff.id"))
    updated_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    updated_by_id: Mapped[int | None] = mapped_column(ForeignKey("staff.id"))
    lock_version: Mapped[int] = mapped_column(Integer, nullable=False)

    patient: Mapped[Patient] = relationship()
    reviewer: Mapped[StaffMember | None] = relationship(foreign_keys=[reviewer_id])
    agreed_by: Mapped[StaffMember | None] = relationship(foreign_keys=[agreed_by_id])
    created_by: Mapped[StaffMember] = relationship(foreign_keys=[created_by_id])
    updated_by: Mapped[StaffMember | None] = relationship(foreign_keys=[updated_by_id])
    agenda: Mapped[list[PlanAgendaItem]] = relationship(
        order_by="PlanAgendaItem.position", cascade="all, delete-orphan"
    )
    goals: Mapped[list[PlanGoal]] = relationship(
        back_populates="plan", order_by="PlanGoal.position", cascade="all, delete-orphan"
    )
    contributions: Mapped[list[PlanContribution]] = relationship(
        order_by="PlanContribution.position", cascade="all, delete-orphan"
    )
    contingency: Mapped[list[PlanContingency]] = relationship(
        order_by="PlanContingency.position", cascade="all, delete-orphan"
    )
    copies: Mapped[list[PlanCopy]] = relationship(
        order_by="PlanCopy.position", cascade="all, delete-orphan"
    )

    __mapper_args__ = {"version_id_col": lock_version}


class PlanAgendaItem(Base):
    """Something the person wanted to talk about."""

    __tablename__ = "care_plan_agenda"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    plan_id: Mapped[int] = mapped_column(
        ForeignKey("care_plans.id", ondelete="CASCADE"), index=True
    )
    position: Mapped[int] = mapped_column(Integer)
    text: Mapped[str] = mapped_column(String(500))


class PlanGoal(Base):
    __tablename__ = "care_plan_goals"
    __table_args__ = (
        CheckConstraint(f"importance {_SCORES}", name="importance"),
        CheckConstraint(f"confidence {_SCORES}", name="confidence"),
        CheckConstraint(f"status IN {GOAL_STATUSES!r}", name="status"),
        CheckConstraint(
            f"follow_up_how IS NULL OR follow_up_how IN {FOLLOW_UP_HOWS!r}", name="follow_up_how"
        ),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    plan_id: Mapped[int] = mapped_column(
        ForeignKey("care_plans.id", ondelete="CASCADE"), index=True
    )
    # The goal's lineage across versions: the same key in every version it is carried into.
    goal_key: Mapped[str] = mapped_column(String(32), index=True)
    position: Mapped[int] = mapped_column(Integer)
    description: Mapped[str] = mapped_column(Text)
    importance: Mapped[int] = mapped_column(Integer)
    confidence: Mapped[int] = mapped_column(Integer)
    quick_win: Mapped[bool] = mapped_column(Boolean, default=False)
    barriers: Mapped[str | None] = mapped_column(Text)
    move_up: Mapped[str | None] = mapped_column(Text)
    follow_up_who: Mapped[str | None] = mapped_column(String(200))
    follow_up_when: Mapped[date | None] = mapped_column(Date)
    follow_up_how: Mapped[str | None] = mapped_column(String(20))
    status: Mapped[str] = mapped_column(String(20), default="active")
    comment: Mapped[str | None] = mapped_column(Text)

    plan: Mapped[CarePlan] = relationship(back_populates="goals")
    steps: Mapped[list[GoalStep]] = relationship(
        order_by="GoalStep.position", cascade="all, delete-orphan"
    )
    scores: Mapped[list[GoalScore]] = relationship(
        order_by="GoalScore.id", cascade="all, delete-orphan"
    )


class GoalStep(Base):
    """One step of a goal's action plan: what, when, how often, and by when (a date, which
    makes a reminder for the key worker)."""

    __tablename__ = "care_plan_steps"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    goal_id: Mapped[int] = mapped_column(
        ForeignKey("care_plan_goals.id", ondelete="CASCADE"), index=True
    )
    position: Mapped[int] = mapped_column(Integer)
    what: Mapped[str] = mapped_column(String(500))
    timing: Mapped[str | None] = mapped_column(String(100))  # "after breakfast"
    how_often: Mapped[str | None] = mapped_column(String(100))
    due_on: Mapped[date | None] = mapped_column(Date)


class GoalScore(Base):
    """Importance and confidence as recorded on one day: the goal's trend."""

    __tablename__ = "care_plan_scores"
    __table_args__ = (
        CheckConstraint(f"importance {_SCORES}", name="importance"),
        CheckConstraint(f"confidence {_SCORES}", name="confidence"),
        CheckConstraint(f"status IN {GOAL_STATUSES!r}", name="status"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    goal_id: Mapped[int] = mapped_column(
        ForeignKey("care_plan_goals.id", ondelete="CASCADE"), index=True
    )
    recorded_on: Mapped[date] = mapped_column(Date)
    importance: Mapped[int] = mapped_column(Integer)
    confidence: Mapped[int] = mapped_column(Integer)
    status: Mapped[str] = mapped_column(String(20))
    comment: Mapped[str | None] = mapped_column(Text)
    recorded_by_id: Mapped[int] = mapped_column(ForeignKey("staff.id"))
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)

    recorded_by: Mapped[StaffMember] = relationship()


class PlanContribution(Base):
    """What I will do (by_person) or what a named professional or agency will do."""

    __tablename__ = "care_plan_contributions"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    plan_id: Mapped[int] = mapped_column(
        ForeignKey("care_plans.id", ondelete="CASCADE"), index=True
    )
    position: Mapped[int] = mapped_column(Integer)
    by_person: Mapped[bool] = mapped_column(Boolean, default=False)
    who: Mapped[str] = mapped_column(String(200))
    what: Mapped[str] = mapped_column(Text)


class PlanContingency(Base):
    __tablename__ = "care_plan_contingency"
    __table_args__ = (CheckConstraint(f"level IN {RAG_LEVELS!r}", name="level"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    plan_id: Mapped[int] = mapped_column(
        ForeignKey("care_plans.id", ondelete="CASCADE"), index=True
    )
    position: Mapped[int] = mapped_column(Integer)
    level: Mapped[str] = mapped_column(String(5))
    signs: Mapped[str] = mapped_column(Text)
    action: Mapped[str] = mapped_column(Text)
    call_in_hours: Mapped[str | None] = mapped_column(String(200))
    call_out_of_hours: Mapped[str | None] = mapped_column(String(200))


class PlanCopy(Base):
    """Someone who holds a copy of the plan, and when it was shared with them."""

    __tablename__ = "care_plan_copies"
    __table_args__ = (CheckConstraint(f"role IN {COPY_ROLES!r}", name="role"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    plan_id: Mapped[int] = mapped_column(
        ForeignKey("care_plans.id", ondelete="CASCADE"), index=True
    )
    position: Mapped[int] = mapped_column(Integer)
    who: Mapped[str] = mapped_column(String(200))
    role: Mapped[str] = mapped_column(String(10))
    shared_on: Mapped[date | None] = mapped_column(Date)
