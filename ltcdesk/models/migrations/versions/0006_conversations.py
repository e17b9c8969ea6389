"""care navigator conversations and navigators' lists

Revision ID: 0006
Revises: 0005
Create Date: 2026-11-22

- conversation_topics: the editable topic list, seeded with the ten standard topics.
- conversations: a dated guided conversation (mode, who took part, what matters, flag to
  the team with a reason and when the flag was handled), with conversation_topic_notes,
  conversation_signposts and conversation_follow_ups.
- navigator_assignments: a patient on a care navigator's own list; at most one open
  assignment per patient (a partial unique index).
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None

TOPICS = [
    ("keeping_warm", "Keeping warm"),
    ("safe_at_home", "Staying safe at home"),
    ("keeping_active", "Keeping active"),
    ("eating_well", "Eating well"),
    ("loneliness", "Loneliness and social contact"),
    ("money_worries", "Money worries"),
    ("care_plan", "Understanding my care plan"),
    ("transport", "Transport"),
    ("community_groups", "Community groups and services"),
    ("carer_support", "Carer support"),
]


def upgrade() -> None:
    topics = op.create_table(
        "conversation_topics",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("code", sa.String(length=40), nullable=False),
        sa.Column("label", sa.String(length=100), nullable=False),
        sa.Column("active", sa.Boolean(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_conversation_topics")),
        sa.UniqueConstraint("code", name=op.f("uq_conversation_topics_code")),
    )
    op.bulk_insert(
        topics, [{"code": code, "label": label, "active": True} for code, label in TOPICS]
    )
    op.create_table(
        "conversations",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("patient_id", sa.Integer(), nullable=False),
        sa.Column("held_on", sa.Date(), nullable=False),
        sa.Column("mode", sa.String(length=10), nullable=False),
        sa.Column("with_patient", sa.Boolean(), nullable=False),
        sa.Column("with_carer", sa.Boolean(), nullable=False),
        sa.Column("what_matters", sa.Text(), nullable=True),
        sa.Column("flag_to_team", sa.Boolean(), nullable=False),
        sa.Column("flag_reason", sa.String(length=500), nullable=True),
        sa.Column("flag_handled_at", sa.DateTime(), nullable=True),
        sa.Column("recorded_by_id", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.CheckConstraint(
            "mode IN ('visit', 'phone', 'video', 'group')", name=op.f("ck_conversations_mode")
        ),
        sa.ForeignKeyConstraint(
            ["patient_id"],
            ["patients.id"],
            name=op.f("fk_conversations_patient_id_patients"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["recorded_by_id"], ["staff.id"], name=op.f("fk_conversations_recorded_by_id_staff")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_conversations")),
    )
    op.create_index(
        "ix_conversations_patient_held", "conversations", ["patient_id", "held_on"], unique=False
    )
    op.create_index(
        "ix_conversations_open_flags",
        "conversations",
        ["flag_to_team", "flag_handled_at"],
        unique=False,
    )
    op.create_table(
        "conversation_topic_notes",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("conversation_id", sa.Integer(), nullable=False),
        sa.Column("topic_code", sa.String(length=40), nullable=False),
        sa.Column("note", sa.Text(), nullable=True),
        sa.ForeignKeyConstraint(
            ["conversation_id"],
            ["conversations.id"],
            name=op.f("fk_conversation_topic_notes_conversation_id_conversations"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_conversation_topic_notes")),
    )
    op.create_index(
        op.f("ix_conversation_topic_notes_conversation_id"),
        "conversation_topic_notes",
        ["conversation_id"],
        unique=False,
    )
    op.create_table(
        "conversation_signposts",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("conversation_id", sa.Integer(), nullable=False),
        sa.Column("service", sa.String(length=200), nullable=False),
        sa.Column("given_on", sa.Date(), nullable=False),
        sa.ForeignKeyConstraint(
            ["conversation_id"],
            ["conversations.id"],
            name=op.f("fk_conversation_signposts_conversation_id_conversations"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_conversation_signposts")),
    )
    op.create_index(
        op.f("ix_conversation_signposts_conversation_id"),
        "conversation_signposts",
        ["conversation_id"],
        unique=False,
    )
    op.create_table(
        "conversation_follow_ups",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("conversation_id", sa.Integer(), nullable=False),
        sa.Column("what", sa.String(length=500), nullable=False),
        sa.Column("due_on", sa.Date(), nullable=False),
        sa.Column("by_whom", sa.String(length=200), nullable=True),
        sa.Column("by_staff_id", sa.Integer(), nullable=True),
        sa.Column("done_on", sa.Date(), nullable=True),
        sa.ForeignKeyConstraint(
            ["by_staff_id"], ["staff.id"], name=op.f("fk_conversation_follow_ups_by_staff_id_staff")
        ),
        sa.ForeignKeyConstraint(
            ["conversation_id"],
            ["conversations.id"],
            name=op.f("fk_conversation_follow_ups_conversation_id_conversations"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_conversation_follow_ups")),
    )
    op.create_index(
        op.f("ix_conversation_follow_ups_conversation_id"),
        "conversation_follow_ups",
        ["conversation_id"],
        unique=False,
    )
    op.create_index(
        "ix_conversation_follow_ups_due",
        "conversation_follow_ups",
        ["done_on", "due_on"],
        unique=False,
    )
    op.create_table(
        "navigator_assignments",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("patient_id", sa.Integer(), nullable=False),
        sa.Column("navigator_id", sa.Integer(), nullable=False),
        sa.Column("start_date", sa.Date(), nullable=False),
        sa.Column("end_date", sa.Date(), nullable=True),
        sa.Column("assigned_by_id", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.CheckConstraint(
            "end_date IS NULL OR end_date >= start_date",
            name=op.f("ck_navigator_assignments_dates"),
        ),
        sa.ForeignKeyConstraint(
            ["assigned_by_id"],
            ["staff.id"],
            name=op.f("fk_navigator_assignments_assigned_by_id_staff"),
        ),
        sa.ForeignKeyConstraint(
            ["navigator_id"], ["staff.id"], name=op.f("fk_navigator_assignments_navigator_id_staff")
        ),
        sa.ForeignKeyConstraint(
            ["patient_id"],
            ["patients.id"],
            name=op.f("fk_navigator_assignments_patient_id_patients"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_navigator_assignments")),
    )
    op.create_index(
        op.f("ix_navigator_assignments_patient_id"),
        "navigator_assignments",
        ["patient_id"],
        unique=False,
    )
    op.create_index(
        "ix_navigator_assignments_navigator_open",
        "navigator_assignments",
        ["navigator_id", "end_date"],
        unique=False,
    )
    op.create_index(
        "uq_navigator_assignments_open",
        "navigator_assignments",
        ["patient_id"],
        unique=True,
        sqlite_where=sa.text("end_date IS NULL"),
        postgresql_where=sa.text("end_date IS NULL"),
    )


def downgrade() -> None:
    op.drop_table("navigator_assignments")
    op.drop_table("conversation_follow_ups")
    op.drop_table("conversation_signposts")
    op.drop_table("conversation_topic_notes")
    op.drop_table("conversations")
    op.drop_table("conversation_topics")
