"""reminders and hospital events

Revision ID: 0009
Revises: 0008
Create Date: 2026-11-22

- hospital_events: admissions, discharges and A&E attendances (manual or imported).
- staff_absences: a worker away; their reminders go to the team lead meanwhile.
- reminder_states: a reminder completed, rescheduled (with a reason) or reassigned, keyed
  by its source and due date (reminders themselves are derived, never stored).
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0009"
down_revision = "0008"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "staff_absences",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("staff_id", sa.Integer(), nullable=False),
        sa.Column("first_day", sa.Date(), nullable=False),
        sa.Column("last_day", sa.Date(), nullable=False),
        sa.Column("reason", sa.String(length=200), nullable=True),
        sa.Column("recorded_by_id", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.CheckConstraint("last_day >= first_day", name=op.f("ck_staff_absences_dates")),
        sa.ForeignKeyConstraint(
            ["recorded_by_id"], ["staff.id"], name=op.f("fk_staff_absences_recorded_by_id_staff")
        ),
        sa.ForeignKeyConstraint(
            ["staff_id"], ["staff.id"], name=op.f("fk_staff_absences_staff_id_staff")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_staff_absences")),
    )
    with op.batch_alter_table("staff_absences", schema=None) as batch_op:
        batch_op.create_index("ix_staff_absences_staff", ["staff_id", "first_day"], unique=False)

    op.create_table(
        "hospital_events",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("patient_id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=10), nullable=False),
        sa.Column("occurred_on", sa.Date(), nullable=False),
        sa.Column("hospital", sa.String(length=200), nullable=False),
        sa.Column("reason", sa.String(length=500), nullable=True),
        sa.Column("expected_discharge", sa.Date(), nullable=True),
        sa.Column("source", sa.String(length=20), nullable=False),
        sa.Column("recorded_by_id", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.CheckConstraint(
            "kind IN ('admission', 'discharge', 'ae')", name=op.f("ck_hospital_events_kind")
        ),
        sa.ForeignKeyConstraint(
            ["patient_id"],
            ["patients.id"],
            name=op.f("fk_hospital_events_patient_id_patients"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["recorded_by_id"], ["staff.id"], name=op.f("fk_hospital_events_recorded_by_id_staff")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_hospital_events")),
    )
    with op.batch_alter_table("hospital_events", schema=None) as batch_op:
        batch_op.create_index("ix_hospital_events_on", ["occurred_on"], unique=False)
        batch_op.create_index(
            "ix_hospital_events_patient_on", ["patient_id", "occurred_on"], unique=False
        )

    op.create_table(
        "reminder_states",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("reminder_key", sa.String(length=120), nullable=False),
        sa.Column("patient_id", sa.Integer(), nullable=False),
        sa.Column("action", sa.String(length=12), nullable=False),
        sa.Column("new_due", sa.Date(), nullable=True),
        sa.Column("new_owner_id", sa.Integer(), nullable=True),
        sa.Column("reason", sa.String(length=500), nullable=True),
        sa.Column("by_id", sa.Integer(), nullable=False),
        sa.Column("at", sa.DateTime(), nullable=False),
        sa.CheckConstraint(
            "action IN ('done', 'rescheduled', 'reassigned')",
            name=op.f("ck_reminder_states_action"),
        ),
        sa.ForeignKeyConstraint(
            ["by_id"], ["staff.id"], name=op.f("fk_reminder_states_by_id_staff")
        ),
        sa.ForeignKeyConstraint(
            ["new_owner_id"], ["staff.id"], name=op.f("fk_reminder_states_new_owner_id_staff")
        ),
        sa.ForeignKeyConstraint(
            ["patient_id"],
            ["patients.id"],
            name=op.f("fk_reminder_states_patient_id_patients"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_reminder_states")),
        sa.UniqueConstraint("reminder_key", name="uq_reminder_states_reminder_key"),
    )


def downgrade() -> None:
    op.drop_table("reminder_states")
    with op.batch_alter_table("hospital_events", schema=None) as batch_op:
        batch_op.drop_index("ix_hospital_events_patient_on")
        batch_op.drop_index("ix_hospital_events_on")

    op.drop_table("hospital_events")
    with op.batch_alter_table("staff_absences", schema=None) as batch_op:
        batch_op.drop_index("ix_staff_absences_staff")

    op.drop_table("staff_absences")
