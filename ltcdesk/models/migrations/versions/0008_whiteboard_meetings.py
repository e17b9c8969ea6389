"""whiteboard (MDT) meetings

Revision ID: 0008
Revises: 0007
Create Date: 2026-11-22

- meeting_schedules: a recurring meeting (ISO weekdays, time, place, chair).
- meetings: one meeting of a team, with one chair, a status and an agenda lock.
- meeting_attendees: invited / present / apologies.
- meeting_items: the agenda, one patient per item, with section, reasons, minutes,
  removed-by-the-chair, outcome and decisions.
- meeting_actions: owner, due date, patient; open until done or cancelled.
- meeting_requests: a step up / step down / discussion request waiting for a meeting.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "meeting_schedules",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("team_id", sa.Integer(), nullable=True),
        sa.Column("weekdays", sa.String(length=20), nullable=False),
        sa.Column("starts_at", sa.Time(), nullable=False),
        sa.Column("minutes", sa.Integer(), nullable=False),
        sa.Column("place", sa.String(length=200), nullable=False),
        sa.Column("virtual", sa.Boolean(), nullable=False),
        sa.Column("chair_id", sa.Integer(), nullable=False),
        sa.Column("first_date", sa.Date(), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("created_by_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["chair_id"], ["staff.id"], name=op.f("fk_meeting_schedules_chair_id_staff")
        ),
        sa.ForeignKeyConstraint(
            ["created_by_id"], ["staff.id"], name=op.f("fk_meeting_schedules_created_by_id_staff")
        ),
        sa.ForeignKeyConstraint(
            ["team_id"], ["teams.id"], name=op.f("fk_meeting_schedules_team_id_teams")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_meeting_schedules")),
    )
    op.create_table(
        "meetings",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("team_id", sa.Integer(), nullable=True),
        sa.Column("schedule_id", sa.Integer(), nullable=True),
        sa.Column("held_on", sa.Date(), nullable=False),
        sa.Column("starts_at", sa.Time(), nullable=False),
        sa.Column("minutes", sa.Integer(), nullable=False),
        sa.Column("place", sa.String(length=200), nullable=False),
        sa.Column("virtual", sa.Boolean(), nullable=False),
        sa.Column("chair_id", sa.Integer(), nullable=False),
        sa.Column("status", sa.String(length=12), nullable=False),
        sa.Column("agenda_locked_at", sa.DateTime(), nullable=True),
        sa.Column("agenda_locked_by_id", sa.Integer(), nullable=True),
        sa.Column("notes", sa.Text(), nullable=True),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("created_by_id", sa.Integer(), nullable=False),
        sa.Column("updated_at", sa.DateTime(), nullable=False),
        sa.Column("updated_by_id", sa.Integer(), nullable=True),
        sa.Column("lock_version", sa.Integer(), nullable=False),
        sa.CheckConstraint(
            "status IN ('planned', 'in_progress', 'closed')", name=op.f("ck_meetings_status")
        ),
        sa.CheckConstraint("minutes > 0", name=op.f("ck_meetings_minutes")),
        sa.ForeignKeyConstraint(
            ["agenda_locked_by_id"],
            ["staff.id"],
            name=op.f("fk_meetings_agenda_locked_by_id_staff"),
        ),
        sa.ForeignKeyConstraint(
            ["chair_id"], ["staff.id"], name=op.f("fk_meetings_chair_id_staff")
        ),
        sa.ForeignKeyConstraint(
            ["created_by_id"], ["staff.id"], name=op.f("fk_meetings_created_by_id_staff")
        ),
        sa.ForeignKeyConstraint(
            ["schedule_id"],
            ["meeting_schedules.id"],
            name=op.f("fk_meetings_schedule_id_meeting_schedules"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(["team_id"], ["teams.id"], name=op.f("fk_meetings_team_id_teams")),
        sa.ForeignKeyConstraint(
            ["updated_by_id"], ["staff.id"], name=op.f("fk_meetings_updated_by_id_staff")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_meetings")),
    )
    with op.batch_alter_table("meetings", schema=None) as batch_op:
        batch_op.create_index("ix_meetings_team_held", ["team_id", "held_on"], unique=False)

    op.create_table(
        "meeting_attendees",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("meeting_id", sa.Integer(), nullable=False),
        sa.Column("staff_id", sa.Integer(), nullable=False),
        sa.Column("attendance", sa.String(length=10), nullable=False),
        sa.CheckConstraint(
            "attendance IN ('invited', 'present', 'apologies')",
            name=op.f("ck_meeting_attendees_attendance"),
        ),
        sa.ForeignKeyConstraint(
            ["meeting_id"],
            ["meetings.id"],
            name=op.f("fk_meeting_attendees_meeting_id_meetings"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["staff_id"], ["staff.id"], name=op.f("fk_meeting_attendees_staff_id_staff")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_meeting_attendees")),
        sa.UniqueConstraint("meeting_id", "staff_id", name="uq_meeting_attendees_meeting_staff"),
    )
    op.create_table(
        "meeting_items",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("meeting_id", sa.Integer(), nullable=False),
        sa.Column("patient_id", sa.Integer(), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("section", sa.String(length=10), nullable=False),
        sa.Column("reasons", sa.Text(), nullable=False),
        sa.Column("sources", sa.String(length=500), nullable=False),
        sa.Column("minutes", sa.Integer(), nullable=False),
        sa.Column("removed", sa.Boolean(), nullable=False),
        sa.Column("outcome", sa.Text(), nullable=True),
        sa.Column("decisions", sa.String(length=200), nullable=True),
        sa.Column("discussed_at", sa.DateTime(), nullable=True),
        sa.Column("added_by_id", sa.Integer(), nullable=True),
        sa.CheckConstraint(
            "section IN ('new', 'review', 'flag', 'hospital', 'step', 'action', 'manual')",
            name=op.f("ck_meeting_items_section"),
        ),
        sa.CheckConstraint("minutes >= 0", name=op.f("ck_meeting_items_minutes")),
        sa.ForeignKeyConstraint(
            ["added_by_id"], ["staff.id"], name=op.f("fk_meeting_items_added_by_id_staff")
        ),
        sa.ForeignKeyConstraint(
            ["meeting_id"],
            ["meetings.id"],
            name=op.f("fk_meeting_items_meeting_id_meetings"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["patient_id"],
            ["patients.id"],
            name=op.f("fk_meeting_items_patient_id_patients"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_meeting_items")),
        sa.UniqueConstraint("meeting_id", "patient_id", name="uq_meeting_items_meeting_patient"),
    )
    with op.batch_alter_table("meeting_items", schema=None) as batch_op:
        batch_op.create_index("ix_meeting_items_patient", ["patient_id"], unique=False)

    op.create_table(
        "meeting_requests",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("patient_id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=10), nullable=False),
        sa.Column("reason", sa.String(length=500), nullable=False),
        sa.Column("requested_on", sa.Date(), nullable=False),
        sa.Column("requested_by_id", sa.Integer(), nullable=False),
        sa.Column("handled_meeting_id", sa.Integer(), nullable=True),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.CheckConstraint(
            "kind IN ('step_up', 'step_down', 'discuss')", name=op.f("ck_meeting_requests_kind")
        ),
        sa.ForeignKeyConstraint(
            ["handled_meeting_id"],
            ["meetings.id"],
            name=op.f("fk_meeting_requests_handled_meeting_id_meetings"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["patient_id"],
            ["patients.id"],
            name=op.f("fk_meeting_requests_patient_id_patients"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["requested_by_id"],
            ["staff.id"],
            name=op.f("fk_meeting_requests_requested_by_id_staff"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_meeting_requests")),
    )
    with op.batch_alter_table("meeting_requests", schema=None) as batch_op:
        batch_op.create_index("ix_meeting_requests_open", ["handled_meeting_id"], unique=False)

    op.create_table(
        "meeting_actions",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("meeting_id", sa.Integer(), nullable=False),
        sa.Column("item_id", sa.Integer(), nullable=True),
        sa.Column("patient_id", sa.Integer(), nullable=False),
        sa.Column("what", sa.String(length=500), nullable=False),
        sa.Column("owner_id", sa.Integer(), nullable=False),
        sa.Column("due_on", sa.Date(), nullable=False),
        sa.Column("status", sa.String(length=10), nullable=False),
        sa.Column("done_on", sa.Date(), nullable=True),
        sa.Column("done_by_id", sa.Integer(), nullable=True),
        sa.Column("note", sa.String(length=500), nullable=True),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("created_by_id", sa.Integer(), nullable=False),
        sa.CheckConstraint(
            "status IN ('open', 'done', 'cancelled')", name=op.f("ck_meeting_actions_status")
        ),
        sa.ForeignKeyConstraint(
            ["created_by_id"], ["staff.id"], name=op.f("fk_meeting_actions_created_by_id_staff")
        ),
        sa.ForeignKeyConstraint(
            ["done_by_id"], ["staff.id"], name=op.f("fk_meeting_actions_done_by_id_staff")
        ),
        sa.ForeignKeyConstraint(
            ["item_id"],
            ["meeting_items.id"],
            name=op.f("fk_meeting_actions_item_id_meeting_items"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["meeting_id"],
            ["meetings.id"],
            name=op.f("fk_meeting_actions_meeting_id_meetings"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["owner_id"], ["staff.id"], name=op.f("fk_meeting_actions_owner_id_staff")
        ),
        sa.ForeignKeyConstraint(
            ["patient_id"],
            ["patients.id"],
            name=op.f("fk_meeting_actions_patient_id_patients"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_meeting_actions")),
    )
    with op.batch_alter_table("meeting_actions", schema=None) as batch_op:
        batch_op.create_index(
            "ix_meeting_actions_owner_status", ["owner_id", "status"], unique=False
        )
        batch_op.create_index("ix_meeting_actions_patient", ["patient_id"], unique=False)
        batch_op.create_index("ix_meeting_actions_status_due", ["status", "due_on"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("meeting_actions", schema=None) as batch_op:
        batch_op.drop_index("ix_meeting_actions_status_due")
        batch_op.drop_index("ix_meeting_actions_patient")
        batch_op.drop_index("ix_meeting_actions_owner_status")

    op.drop_table("meeting_actions")
    with op.batch_alter_table("meeting_requests", schema=None) as batch_op:
        batch_op.drop_index("ix_meeting_requests_open")

    op.drop_table("meeting_requests")
    with op.batch_alter_table("meeting_items", schema=None) as batch_op:
        batch_op.drop_index("ix_meeting_items_patient")

    op.drop_table("meeting_items")
    op.drop_table("meeting_attendees")
    with op.batch_alter_table("meetings", schema=None) as batch_op:
        batch_op.drop_index("ix_meetings_team_held")

    op.drop_table("meetings")
    op.drop_table("meeting_schedules")
