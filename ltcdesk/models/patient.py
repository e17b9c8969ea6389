"""The patient aggregate: demographics, long term conditions, carers, consent."""

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

from ltcdesk.domain.vocab import CONDITIONS, ConsentStatus, ContactMethod, Sex
from ltcdesk.models.base import Base, utcnow
from ltcdesk.models.staff import Practice, StaffMember

SEX_VALUES = tuple(s.value for s in Sex)
CONSENT_VALUES = tuple(c.value for c in ConsentStatus)
CONTACT_VALUES = tuple(c.value for c in ContactMethod)
CONDITION_CODES = tuple(code for code, _ in CONDITIONS)


class ConditionType(Base):
    """The maintained list of QOF-style registers (seeded by the first migration)."""

    __tablename__ = "condition_types"

    code: Mapped[str] = mapped_column(String(10), primary_key=True)
    name: Mapped[str] = mapped_column(String(100))
    active: Mapped[bool] = mapped_column(Boolean, default=True)


class Patient(Base):
    __tablename__ = "patients"
    __table_args__ = (
        CheckConstraint(f"sex IN {SEX_VALUES!r}", name="sex"),
        CheckConstraint(
            f"preferred_contact IS NULL OR preferred_contact IN {CONTACT_VALUES!r}",
            name="preferred_contact",
        ),
        CheckConstraint("length(nhs_number) = 10", name="nhs_number_length"),
        Index("ix_patients_family_given", "family_name", "given_name"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    nhs_number: Mapped[str] = mapped_column(String(10), unique=True)
    family_name: Mapped[str] = mapped_column(String(100))
    given_name: Mapped[str] = mapped_column(String(100))
    date_of_birth: Mapped[date] = mapped_column(Date)
    sex: Mapped[str] = mapped_column(String(10), default=Sex.UNKNOWN.value)
    address: Mapped[str | None] = mapped_column(String(200))
    postcode: Mapped[str | None] = mapped_column(String(8), index=True)
    phone: Mapped[str | None] = mapped_column(String(20))
    practice_id: Mapped[int] = mapped_column(ForeignKey("practices.id"), index=True)
    date_of_death: Mapped[date | None] = mapped_column(Date)
    lives_alone: Mapped[bool] = mapped_column(Boolean, default=False)
    preferred_contact: Mapped[str | None] = mapped_column(String(20))
    interpreter_needed: Mapped[bool] = mapped_column(Boolean, default=False)
    language: Mapped[str | None] = mapped_column(String(50))
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    updated_by_id: Mapped[int | None] = mapped_column(ForeignKey("staff.id"))
    version: Mapped[int] = mapped_column(Integer, nullable=False)

    practice: Mapped[Practice] = relationship()
    updated_by: Mapped[StaffMember | None] = relationship()
    conditions: Mapped[list[PatientCondition]] = relationship(
        back_populates="patient", order_by="PatientCondition.id"
    )
    carers: Mapped[list[Carer]] = relationship(back_populates="patient", order_by="Carer.id")
    consents: Mapped[list[ConsentRecord]] = relationship(
        back_populates="patient", order_by="ConsentRecord.id"
    )

    __mapper_args__ = {"version_id_col": version}


class PatientCondition(Base):
    __tablename__ = "patient_conditions"
    __table_args__ = (
        Index("ix_patient_conditions_patient_code", "patient_id", "condition_code"),
        # Current conditions only, covering what lists read (migration 0002).
        Index(
            "ix_patient_conditions_current",
            "patient_id",
            "condition_code",
            sqlite_where=text("ended_on IS NULL"),
            postgresql_where=text("ended_on IS NULL"),
        ),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    patient_id: Mapped[int] = mapped_column(ForeignKey("patients.id", ondelete="CASCADE"))
    condition_code: Mapped[str] = mapped_column(ForeignKey("condition_types.code"), index=True)
    diagnosed_on: Mapped[date | None] = mapped_column(Date)
    ended_on: Mapped[date | None] = mapped_column(Date)
    ended_reason: Mapped[str | None] = mapped_column(String(200))

    patient: Mapped[Patient] = relationship(back_populates="conditions")
    condition: Mapped[ConditionType] = relationship()


class Carer(Base):
    __tablename__ = "carers"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    patient_id: Mapped[int] = mapped_column(
        ForeignKey("patients.id", ondelete="CASCADE"), index=True
    )
    name: Mapped[str] = mapped_column(String(100))
    relationship_to_patient: Mapped[str | None] = mapped_column(String(50))
    phone: Mapped[str | None] = mapped_column(String(20))
    lives_with_patient: Mapped[bool] = mapped_column(Boolean, default=False)
    offered_support: Mapped[bool] = mapped_column(Boolean, default=False)
    support_offered_on: Mapped[date | None] = mapped_column(Date)

    patient: Mapped[Patient] = relationship(back_populates="carers")


class ConsentRecord(Base):
    """Consent to share information with the team; the newest record is the current one."""

    __tablename__ = "consent_records"
    __table_args__ = (CheckConstraint(f"status IN {CONSENT_VALUES!r}", name="status"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    patient_id: Mapped[int] = mapped_column(
        ForeignKey("patients.id", ondelete="CASCADE"), index=True
    )
    status: Mapped[str] = mapped_column(String(10))
    recorded_on: Mapped[date] = mapped_column(Date)
    recorded_by_id: Mapped[int] = mapped_column(ForeignKey("staff.id"))
    note: Mapped[str | None] = mapped_column(Text)

    patient: Mapped[Patient] = relationship(back_populates="consents")
    recorded_by: Mapped[StaffMember] = relationship()
