"""sign-in attempts counted per typed username; the demo database marker

Revision ID: 0012
Revises: 0011
Create Date: 2026-12-08

- sign_in_attempts: wrong passwords in a row per username, real or not, keyed by an
  HMAC-SHA256 of the lower-cased name (never the typed text). Replaces staff.failed_sign_ins
  and staff.locked_until, which are no longer read; a streak they held is carried over.
- settings 'sign_in_name_key': the random key of that HMAC, one per database.
- settings 'demo_database': marks a database made by the demo generator (only there does
  the published demo password sign in); set here when the audit log shows demo data.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from datetime import UTC, datetime

import sqlalchemy as sa
from alembic import op

revision = "0012"
down_revision = "0011"
branch_labels = None
depends_on = None

_settings = sa.table(
    "settings",
    sa.column("key", sa.String),
    sa.column("value", sa.String),
    sa.column("updated_by", sa.String),
    sa.column("updated_at", sa.DateTime),
)
_staff = sa.table(
    "staff",
    sa.column("username", sa.String),
    sa.column("failed_sign_ins", sa.Integer),
    sa.column("locked_until", sa.DateTime),
)
_audit = sa.table("audit_log", sa.column("action", sa.String))


def upgrade() -> None:
    attempts = op.create_table(
        "sign_in_attempts",
        sa.Column("name_key", sa.String(length=64), nullable=False),
        sa.Column("failures", sa.Integer(), nullable=False),
        sa.Column("locked_until", sa.DateTime(), nullable=True),
        sa.Column("last_failed_at", sa.DateTime(), nullable=False),
        sa.PrimaryKeyConstraint("name_key", name=op.f("pk_sign_in_attempts")),
    )
    op.create_index(
        op.f("ix_sign_in_attempts_last_failed_at"), "sign_in_attempts", ["last_failed_at"]
    )
    conn = op.get_bind()
    now = datetime.now(UTC).replace(tzinfo=None)
    key = secrets.token_hex(32)
    rows = [{"key": "sign_in_name_key", "value": key, "updated_by": "ltcdesk", "updated_at": now}]
    demo = conn.execute(
        sa.select(_audit.c.action).where(_audit.c.action == "demo.generate").limit(1)
    ).first()
    if demo is not None:
        rows.append(
            {"key": "demo_database", "value": "yes", "updated_by": "ltcdesk", "updated_at": now}
        )
    conn.execute(sa.insert(_settings), rows)
    streaks = conn.execute(
        sa.select(_staff.c.username, _staff.c.failed_sign_ins, _staff.c.locked_until).where(
            _staff.c.failed_sign_ins > 0
        )
    ).all()
    if streaks:
        conn.execute(
            sa.insert(attempts),
            [
                {
                    "name_key": hmac.new(
                        key.encode(), username.encode(), hashlib.sha256
                    ).hexdigest(),
                    "failures": failures,
                    "locked_until": locked_until,
                    "last_failed_at": now,
                }
                for username, failures, locked_until in streaks
            ],
        )


def downgrade() -> None:
    op.execute(
        sa.delete(_settings).where(_settings.c.key.in_(["sign_in_name_key", "demo_database"]))
    )
    op.drop_index(op.f("ix_sign_in_attempts_last_failed_at"), table_name="sign_in_attempts")
    op.drop_table("sign_in_attempts")
