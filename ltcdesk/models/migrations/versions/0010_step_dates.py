"""action plan steps with dates

Revision ID: 0010
Revises: 0009
Create Date: 2026-11-23

- care_plan_steps.due_on: an optional "by when" for a step of a goal's action plan; a step
  with a date on an agreed plan is a reminder for the person's key worker.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0010"
down_revision = "0009"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("care_plan_steps", schema=None) as batch_op:
        batch_op.add_column(sa.Column("due_on", sa.Date(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("care_plan_steps", schema=None) as batch_op:
        batch_op.drop_column("due_on")
