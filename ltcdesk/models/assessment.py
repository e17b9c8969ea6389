"""Single holistic assessment (issue 6): one ``assessments`` row per assessment, dated, with
one ``assessment_domains`` row per domain (structured fields as JSON text, validated by the
service against ``ltcdesk.domain.assessment_domains``), and ``assessment_need_goals`` linking
a flagged need to the care plan goal it was turned into.
"""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import (
    Boolean,
    CheckConstraint,
    Date,
    DateTime,
    ForeignKey,
    Integer,
    String,
    Text,
    UniqueConstraint,
    false,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ltcdesk.models.base import Base, utcnow
from ltcdesk.models.patient import Patient
from ltcdesk.models.staff import StaffMember

ASSESSMENT_MODES = ("face_to_face", "telephone")
ASSESSMENT_STATUSES = ("draft", "complete")


class Assessment(Base):
    __tablename__ = "assessments"
    __table_args__ = (
        CheckConstraint(f"mode IN {ASSESSMENT_MODES!r}", name="mode"),
        CheckConstraint(f"status IN {ASSESSMENT_STATUSES!r}", name="status"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    patient_id: Mapped[int] = mapped_column(
        ForeignKey("patients.id", ondelete="CASCADE"), index=True
    )
    assessed_on: Mapped[date] = mapped_column(Date)
    mode: Mapped[str] = mapped_column(String(12))
    assessor_id: Mapped[int] = mapped_column(ForeignKey("staff.id"))
    assessor_role: Mapped[str] = mapped_column(String(40))
    status: Mapped[str] = mapped_column(String(10))
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    created_by_id: Mapped[int] = mapped_column(ForeignKey("staff.id"))
    updated_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    updated_by_id: Mapped[int | None] = mapped_column(ForeignKey("staff.id"))
    lock_version: Mapped[int] = mapped_column(Integer, nullable=False)

    patient: Mapped[Patient] = relationship()
    assessor: Mapped[StaffMember] = relationship(foreign_keys=[assessor_id])
    created_by: Mapped[StaffMember] = relationship(foreign_keys=[created_by_id])
    updated_by: Mapped[StaffMember | None] = relationship(foreign_keys=[updated_by_id])
    domains: Mapped[list[AssessmentDomain]] = relationship(
        back_populates="assessment", order_by="AssessmentDomain.id", cascade="all, delete-orphan"
    )

    __mapper_args__ = {"version_id_col": lock_version}


class AssessmentDomain(Base):
    __tablename__ = "assessment_domains"
    __table_args__ = (
        UniqueConstraint("assessment_id", "domain", name="uq_assessment_domains_assessment_domain"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    assessment_id: Mapped[int] = mapped_column(
        ForeignKey("assessments.id", ondelete="CASCADE"), index=True
    )
    domain: Mapped[str] = mapped_column(String(40))
    fields_json: Mapped[str] = mapped_column(Text, default="{}")
    note: Mapped[str | None] = mapped_column(Text)
    need_identified: Mapped[bool] = mapped_column(Boolean, default=False)
    need_text: Mapped[str | None] = mapped_column(String(500))
    # The assessor confirmed (or changed) this domain in this assessment.
    confirmed: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())

    assessment: Mapped[Assessment] = relationship(back_populates="domains")


class AssessmentNeedGoal(Base):
    """A need turned into a care plan goal or team action ("linking back to the need")."""

    __tablename__ = "assessment_need_goals"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    domain_entry_id: Mapped[int] = mapped_column(
        ForeignKey("assessment_domains.id", ondelete="CASCADE"), index=True
    )
    goal_id: Mapped[int | None] = mapped_column(
        ForeignKey("care_plan_goals.id", ondelete="SET NULL"), index=True
    )
    goal_key: Mapped[str | None] = mapped_column(String(32))
    # Or a team action ("who does what") instead of a goal.
    contribution_id: Mapped[int | None] = mapped_column(
        ForeignKey("care_plan_contributions.id", ondelete="SET NULL"), index=True
    )
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    created_by_id: Mapped[int] = mapped_column(ForeignKey("staff.id"))
