"""single holistic assessment

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-22

- assessments: one row per assessment of a patient (date, face to face or telephone, the
  assessor and their role, draft or complete, lock version for the stale-save check).
- assessment_domains: one row per domain of an assessment, its structured fields as JSON
  text, a note, and the "need identified" flag with its description.
- assessment_need_goals: a need turned into a care plan goal, linking back to the need.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "assessments",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("patient_id", sa.Integer(), nullable=False),
        sa.Column("assessed_on", sa.Date(), nullable=False),
        sa.Column("mode", sa.String(length=12), nullable=False),
        sa.Column("assessor_id", sa.Integer(), nullable=False),
        sa.Column("assessor_role", sa.String(length=40), nullable=False),
        sa.Column("status", sa.String(length=10), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("created_by_id", sa.Integer(), nullable=False),
        sa.Column("updated_at", sa.DateTime(), nullable=False),
        sa.Column("updated_by_id", sa.Integer(), nullable=True),
        sa.Column("lock_version", sa.Integer(), nullable=False),
        sa.CheckConstraint(
            "mode IN ('face_to_face', 'telephone')", name=op.f("ck_assessments_mode")
        ),
        sa.CheckConstraint("status IN ('draft', 'complete')", name=op.f("ck_assessments_status")),
        sa.ForeignKeyConstraint(
            ["assessor_id"], ["staff.id"], name=op.f("fk_assessments_assessor_id_staff")
        ),
        sa.ForeignKeyConstraint(
            ["created_by_id"], ["staff.id"], name=op.f("fk_assessments_created_by_id_staff")
        ),
        sa.ForeignKeyConstraint(
            ["patient_id"],
            ["patients.id"],
            name=op.f("fk_assessments_patient_id_patients"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["updated_by_id"], ["staff.id"], name=op.f("fk_assessments_updated_by_id_staff")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_assessments")),
    )
    with op.batch_alter_table("assessments", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_assessments_patient_id"), ["patient_id"], unique=False)

    op.create_table(
        "assessment_domains",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("assessment_id", sa.Integer(), nullable=False),
        sa.Column("domain", sa.String(length=40), nullable=False),
        sa.Column("fields_json", sa.Text(), nullable=False),
        sa.Column("note", sa.Text(), nullable=True),
        sa.Column("need_identified", sa.Boolean(), nullable=False),
        sa.Column("need_text", sa.String(length=500), nullable=True),
        sa.ForeignKeyConstraint(
            ["assessment_id"],
            ["assessments.id"],
            name=op.f("fk_assessment_domains_assessment_id_assessments"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_assessment_domains")),
        sa.UniqueConstraint(
            "assessment_id", "domain", name="uq_assessment_domains_assessment_domain"
        ),
    )
    with op.batch_alter_table("assessment_domains", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_assessment_domains_assessment_id"), ["assessment_id"], unique=False
        )

    op.create_table(
        "assessment_need_goals",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("domain_entry_id", sa.Integer(), nullable=False),
        sa.Column("goal_id", sa.Integer(), nullable=True),
        sa.Column("goal_key", sa.String(length=32), nullable=True),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("created_by_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["created_by_id"],
            ["staff.id"],
            name=op.f("fk_assessment_need_goals_created_by_id_staff"),
        ),
        sa.ForeignKeyConstraint(
            ["domain_entry_id"],
            ["assessment_domains.id"],
            name=op.f("fk_assessment_need_goals_domain_entry_id_assessment_domains"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["goal_id"],
            ["care_plan_goals.id"],
            name=op.f("fk_assessment_need_goals_goal_id_care_plan_goals"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_assessment_need_goals")),
    )
    with op.batch_alter_table("assessment_need_goals", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_assessment_need_goals_domain_entry_id"),
            ["domain_entry_id"],
            unique=False,
        )
        batch_op.create_index(
            batch_op.f("ix_assessment_need_goals_goal_id"), ["goal_id"], unique=False
        )


def downgrade() -> None:
    op.drop_table("assessment_need_goals")
    op.drop_table("assessment_domains")
    op.drop_table("assessments")
