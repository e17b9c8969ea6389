"""personalised care plans

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-22

- care_plans: one row per version of a patient's plan (draft, agreed, superseded, closed),
  with about me, what matters, review date and reviewer, who agreed it and when, the
  preventive basics as four dates, and a lock version for the stale-save check. At most
  one draft per patient (a partial unique index).
- care_plan_agenda, care_plan_contributions, care_plan_contingency, care_plan_copies: the
  plan's parts, in order.
- care_plan_goals (with a goal_key kept across versions), care_plan_steps (the action
  plan) and care_plan_scores (importance and confidence at each follow-up: the trend).
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "care_plans",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("patient_id", sa.Integer(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("status", sa.String(length=12), nullable=False),
        sa.Column("about_me", sa.Text(), nullable=True),
        sa.Column("what_matters", sa.Text(), nullable=True),
        sa.Column("review_date", sa.Date(), nullable=True),
        sa.Column("reviewer_id", sa.Integer(), nullable=True),
        sa.Column("agreed_on", sa.Date(), nullable=True),
        sa.Column("agreed_by_id", sa.Integer(), nullable=True),
        sa.Column("agreed_with", sa.String(length=200), nullable=True),
        sa.Column("closed_on", sa.Date(), nullable=True),
        sa.Column("closed_reason", sa.String(length=500), nullable=True),
        sa.Column("flu_vaccine", sa.Date(), nullable=True),
        sa.Column("pneumococcal_vaccine", sa.Date(), nullable=True),
        sa.Column("medicines_review", sa.Date(), nullable=True),
        sa.Column("falls_risk_assessed", sa.Date(), nullable=True),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("created_by_id", sa.Integer(), nullable=False),
        sa.Column("updated_at", sa.DateTime(), nullable=False),
        sa.Column("updated_by_id", sa.Integer(), nullable=True),
        sa.Column("lock_version", sa.Integer(), nullable=False),
        sa.CheckConstraint(
            "status IN ('draft', 'agreed', 'superseded', 'closed')",
            name=op.f("ck_care_plans_status"),
        ),
        sa.CheckConstraint("version >= 1", name=op.f("ck_care_plans_version")),
        sa.ForeignKeyConstraint(
            ["agreed_by_id"], ["staff.id"], name=op.f("fk_care_plans_agreed_by_id_staff")
        ),
        sa.ForeignKeyConstraint(
            ["created_by_id"], ["staff.id"], name=op.f("fk_care_plans_created_by_id_staff")
        ),
        sa.ForeignKeyConstraint(
            ["patient_id"],
            ["patients.id"],
            name=op.f("fk_care_plans_patient_id_patients"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["reviewer_id"], ["staff.id"], name=op.f("fk_care_plans_reviewer_id_staff")
        ),
        sa.ForeignKeyConstraint(
            ["updated_by_id"], ["staff.id"], name=op.f("fk_care_plans_updated_by_id_staff")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_care_plans")),
        sa.UniqueConstraint("patient_id", "version", name="uq_care_plans_patient_version"),
    )
    with op.batch_alter_table("care_plans", schema=None) as batch_op:
        batch_op.create_index(
            "ix_care_plans_status_review", ["status", "review_date"], unique=False
        )
        batch_op.create_index(
            "uq_care_plans_one_draft",
            ["patient_id"],
            unique=True,
            sqlite_where=sa.text("status = 'draft'"),
            postgresql_where=sa.text("status = 'draft'"),
        )

    op.create_table(
        "care_plan_agenda",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("plan_id", sa.Integer(), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("text", sa.String(length=500), nullable=False),
        sa.ForeignKeyConstraint(
            ["plan_id"],
            ["care_plans.id"],
            name=op.f("fk_care_plan_agenda_plan_id_care_plans"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_care_plan_agenda")),
    )
    with op.batch_alter_table("care_plan_agenda", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_care_plan_agenda_plan_id"), ["plan_id"], unique=False)

    op.create_table(
        "care_plan_contingency",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("plan_id", sa.Integer(), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("level", sa.String(length=5), nullable=False),
        sa.Column("signs", sa.Text(), nullable=False),
        sa.Column("action", sa.Text(), nullable=False),
        sa.Column("call_in_hours", sa.String(length=200), nullable=True),
        sa.Column("call_out_of_hours", sa.String(length=200), nullable=True),
        sa.CheckConstraint(
            "level IN ('green', 'amber', 'red')", name=op.f("ck_care_plan_contingency_level")
        ),
        sa.ForeignKeyConstraint(
            ["plan_id"],
            ["care_plans.id"],
            name=op.f("fk_care_plan_contingency_plan_id_care_plans"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_care_plan_contingency")),
    )
    with op.batch_alter_table("care_plan_contingency", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_care_plan_contingency_plan_id"), ["plan_id"], unique=False
        )

    op.create_table(
        "care_plan_contributions",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("plan_id", sa.Integer(), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("by_person", sa.Boolean(), nullable=False),
        sa.Column("who", sa.String(length=200), nullable=False),
        sa.Column("what", sa.Text(), nullable=False),
        sa.ForeignKeyConstraint(
            ["plan_id"],
            ["care_plans.id"],
            name=op.f("fk_care_plan_contributions_plan_id_care_plans"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_care_plan_contributions")),
    )
    with op.batch_alter_table("care_plan_contributions", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_care_plan_contributions_plan_id"), ["plan_id"], unique=False
        )

    op.create_table(
        "care_plan_copies",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("plan_id", sa.Integer(), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("who", sa.String(length=200), nullable=False),
        sa.Column("role", sa.String(length=10), nullable=False),
        sa.Column("shared_on", sa.Date(), nullable=True),
        sa.CheckConstraint(
            "role IN ('patient', 'carer', 'gp', 'other')", name=op.f("ck_care_plan_copies_role")
        ),
        sa.ForeignKeyConstraint(
            ["plan_id"],
            ["care_plans.id"],
            name=op.f("fk_care_plan_copies_plan_id_care_plans"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_care_plan_copies")),
    )
    with op.batch_alter_table("care_plan_copies", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_care_plan_copies_plan_id"), ["plan_id"], unique=False)

    op.create_table(
        "care_plan_goals",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("plan_id", sa.Integer(), nullable=False),
        sa.Column("goal_key", sa.String(length=32), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("description", sa.Text(), nullable=False),
        sa.Column("importance", sa.Integer(), nullable=False),
        sa.Column("confidence", sa.Integer(), nullable=False),
        sa.Column("quick_win", sa.Boolean(), nullable=False),
        sa.Column("barriers", sa.Text(), nullable=True),
        sa.Column("move_up", sa.Text(), nullable=True),
        sa.Column("follow_up_who", sa.String(length=200), nullable=True),
        sa.Column("follow_up_when", sa.Date(), nullable=True),
        sa.Column("follow_up_how", sa.String(length=20), nullable=True),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("comment", sa.Text(), nullable=True),
        sa.CheckConstraint(
            "follow_up_how IS NULL OR follow_up_how IN ('phone', 'visit', 'clinic', 'navigator_call')",
            name=op.f("ck_care_plan_goals_follow_up_how"),
        ),
        sa.CheckConstraint(
            "status IN ('active', 'achieved', 'partly_achieved', 'not_achieved', 'stopped')",
            name=op.f("ck_care_plan_goals_status"),
        ),
        sa.CheckConstraint(
            "confidence BETWEEN 0 AND 10", name=op.f("ck_care_plan_goals_confidence")
        ),
        sa.CheckConstraint(
            "importance BETWEEN 0 AND 10", name=op.f("ck_care_plan_goals_importance")
        ),
        sa.ForeignKeyConstraint(
            ["plan_id"],
            ["care_plans.id"],
            name=op.f("fk_care_plan_goals_plan_id_care_plans"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_care_plan_goals")),
    )
    with op.batch_alter_table("care_plan_goals", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_care_plan_goals_goal_key"), ["goal_key"], unique=False)
        batch_op.create_index(batch_op.f("ix_care_plan_goals_plan_id"), ["plan_id"], unique=False)

    op.create_table(
        "care_plan_scores",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("goal_id", sa.Integer(), nullable=False),
        sa.Column("recorded_on", sa.Date(), nullable=False),
        sa.Column("importance", sa.Integer(), nullable=False),
        sa.Column("confidence", sa.Integer(), nullable=False),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("comment", sa.Text(), nullable=True),
        sa.Column("recorded_by_id", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.CheckConstraint(
            "status IN ('active', 'achieved', 'partly_achieved', 'not_achieved', 'stopped')",
            name=op.f("ck_care_plan_scores_status"),
        ),
        sa.CheckConstraint(
            "confidence BETWEEN 0 AND 10", name=op.f("ck_care_plan_scores_confidence")
        ),
        sa.CheckConstraint(
            "importance BETWEEN 0 AND 10", name=op.f("ck_care_plan_scores_importance")
        ),
        sa.ForeignKeyConstraint(
            ["goal_id"],
            ["care_plan_goals.id"],
            name=op.f("fk_care_plan_scores_goal_id_care_plan_goals"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["recorded_by_id"], ["staff.id"], name=op.f("fk_care_plan_scores_recorded_by_id_staff")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_care_plan_scores")),
    )
    with op.batch_alter_table("care_plan_scores", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_care_plan_scores_goal_id"), ["goal_id"], unique=False)

    op.create_table(
        "care_plan_steps",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("goal_id", sa.Integer(), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("what", sa.String(length=500), nullable=False),
        sa.Column("timing", sa.String(length=100), nullable=True),
        sa.Column("how_often", sa.String(length=100), nullable=True),
        sa.ForeignKeyConstraint(
            ["goal_id"],
            ["care_plan_goals.id"],
            name=op.f("fk_care_plan_steps_goal_id_care_plan_goals"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_care_plan_steps")),
    )
    with op.batch_alter_table("care_plan_steps", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_care_plan_steps_goal_id"), ["goal_id"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("care_plan_steps", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_care_plan_steps_goal_id"))

    op.drop_table("care_plan_steps")
    with op.batch_alter_table("care_plan_scores", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_care_plan_scores_goal_id"))

    op.drop_table("care_plan_scores")
    with op.batch_alter_table("care_plan_goals", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_care_plan_goals_plan_id"))
        batch_op.drop_index(batch_op.f("ix_care_plan_goals_goal_key"))

    op.drop_table("care_plan_goals")
    with op.batch_alter_table("care_plan_copies", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_care_plan_copies_plan_id"))

    op.drop_table("care_plan_copies")
    with op.batch_alter_table("care_plan_contributions", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_care_plan_contributions_plan_id"))

    op.drop_table("care_plan_contributions")
    with op.batch_alter_table("care_plan_contingency", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_care_plan_contingency_plan_id"))

    op.drop_table("care_plan_contingency")
    with op.batch_alter_table("care_plan_agenda", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_care_plan_agenda_plan_id"))

    op.drop_table("care_plan_agenda")
    with op.batch_alter_table("care_plans", schema=None) as batch_op:
        batch_op.drop_index(
            "uq_care_plans_one_draft",
            sqlite_where=sa.text("status = 'draft'"),
            postgresql_where=sa.text("status = 'draft'"),
        )
        batch_op.drop_index("ix_care_plans_status_review")

    op.drop_table("care_plans")
