"""assessment domains confirmed by the assessor; needs turned into team actions

Revision ID: 0007
Revises: 0006
Create Date: 2026-11-22

- assessment_domains.confirmed: the assessor has confirmed (or changed) this domain in this
  assessment; a pre-filled assessment is completed only when every domain is confirmed.
  Existing rows of completed assessments count as confirmed.
- assessment_need_goals.contribution_id: a need turned into a team action ("who does
  what") in the care plan rather than a goal.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("assessment_domains", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("confirmed", sa.Boolean(), nullable=False, server_default=sa.false())
        )
    op.execute(
        "UPDATE assessment_domains SET confirmed = "
        + ("TRUE" if op.get_bind().dialect.name == "postgresql" else "1")
        + " WHERE assessment_id IN (SELECT id FROM assessments WHERE status = 'complete')"
    )
    with op.batch_alter_table("assessment_need_goals", schema=None) as batch_op:
        batch_op.add_column(sa.Column("contribution_id", sa.Integer(), nullable=True))
        batch_op.create_foreign_key(
            batch_op.f("fk_assessment_need_goals_contribution_id_care_plan_contributions"),
            "care_plan_contributions",
            ["contribution_id"],
            ["id"],
            ondelete="SET NULL",
        )
        batch_op.create_index(
            batch_op.f("ix_assessment_need_goals_contribution_id"),
            ["contribution_id"],
            unique=False,
        )


def downgrade() -> None:
    with op.batch_alter_table("assessment_need_goals", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_assessment_need_goals_contribution_id"))
        batch_op.drop_constraint(
            batch_op.f("fk_assessment_need_goals_contribution_id_care_plan_contributions"),
            type_="foreignkey",
        )
        batch_op.drop_column("contribution_id")
    with op.batch_alter_table("assessment_domains", schema=None) as batch_op:
        batch_op.drop_column("confirmed")
