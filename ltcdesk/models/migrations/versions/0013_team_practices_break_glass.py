"""need to know: the practices a team cares for, and break-glass grants

Revision ID: 0013
Revises: 0012
Create Date: 2026-12-09

- team_practices: which practices' registered patients a team cares for. An only team is
  linked to every practice (what its staff saw before); of several teams, each is linked
  to the practices whose patients its key workers hold. A team lead or an administrator
  checks the links afterwards (``ltcdesk team practices``).
- break_glass: a member of staff's time-limited access to one patient's record, with the
  reason they gave.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0013"
down_revision = "0012"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "team_practices",
        sa.Column("team_id", sa.Integer(), nullable=False),
        sa.Column("practice_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["practice_id"],
            ["practices.id"],
            name=op.f("fk_team_practices_practice_id_practices"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["team_id"],
            ["teams.id"],
            name=op.f("fk_team_practices_team_id_teams"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("team_id", "practice_id", name=op.f("pk_team_practices")),
    )
    op.create_index("ix_team_practices_practice_id", "team_practices", ["practice_id"])
    op.create_table(
        "break_glass",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("staff_id", sa.Integer(), nullable=False),
        sa.Column("patient_id", sa.Integer(), nullable=False),
        sa.Column("reason", sa.String(length=500), nullable=False),
        sa.Column("granted_at", sa.DateTime(), nullable=False),
        sa.Column("expires_at", sa.DateTime(), nullable=False),
        sa.CheckConstraint("expires_at > granted_at", name=op.f("ck_break_glass_period")),
        sa.ForeignKeyConstraint(
            ["patient_id"],
            ["patients.id"],
            name=op.f("fk_break_glass_patient_id_patients"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["staff_id"], ["staff.id"], name=op.f("fk_break_glass_staff_id_staff")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_break_glass")),
    )
    op.create_index("ix_break_glass_patient_id", "break_glass", ["patient_id"])
    op.create_index(
        "ix_break_glass_staff_patient", "break_glass", ["staff_id", "patient_id", "expires_at"]
    )
    # An upgraded database keeps what its staff see today as far as that can be told: a
    # single team cares for every practice; of several teams, each cares for the practices
    # whose patients its key workers hold. The links are then checked by hand. A new
    # database has no teams yet, so nothing is linked.
    conn = op.get_bind()
    teams = conn.execute(sa.text("SELECT count(*) FROM teams")).scalar_one()
    if teams == 1:
        op.execute(
            "INSERT INTO team_practices (team_id, practice_id) "
            "SELECT teams.id, practices.id FROM teams CROSS JOIN practices"
        )
    elif teams > 1:
        op.execute(
            "INSERT INTO team_practices (team_id, practice_id) "
            "SELECT DISTINCT staff.team_id, patients.practice_id "
            "FROM caseload_assignments "
            "JOIN staff ON staff.id = caseload_assignments.key_worker_id "
            "JOIN patients ON patients.id = caseload_assignments.patient_id "
            "WHERE caseload_assignments.end_date IS NULL AND staff.team_id IS NOT NULL"
        )


def downgrade() -> None:
    op.drop_index("ix_break_glass_staff_patient", table_name="break_glass")
    op.drop_index("ix_break_glass_patient_id", table_name="break_glass")
    op.drop_table("break_glass")
    op.drop_index("ix_team_practices_practice_id", table_name="team_practices")
    op.drop_table("team_practices")
