"""sign-in, settings, read-only role, chained append-only audit log

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-22

- staff: an Argon2id password hash, when it was set, failed sign-ins and a lock-out time;
  the read-only role.
- settings: team-wide preferences (idle lock, backups), one row per key changed.
- audit_log: each row holds the hash of the row before it and its own (rows already there
  are chained here, oldest first); audit_chain holds the newest hash. Triggers refuse any
  UPDATE or DELETE of the audit log.
"""

from __future__ import annotations

import hashlib
from datetime import datetime

import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None

# Copies, not imports: a migration must not change when the application does.
OLD_ROLES = (
    "community_matron", "district_nurse", "gp", "social_worker", "occupational_therapist",
    "physiotherapist", "pharmacist", "mental_health_worker", "care_navigator", "team_lead",
    "admin",
)  # fmt: skip
NEW_ROLES = (*OLD_ROLES, "read_only")
GENESIS = "0" * 64


def _roles(values: tuple[str, ...]) -> str:
    return "role IN (" + ", ".join(f"'{v}'" for v in values) + ")"


def _hash(prev: str, row: sa.Row) -> str:
    at = row.at
    if isinstance(at, str):
        at = datetime.fromisoformat(at)
    parts = [
        prev,
        at.isoformat(timespec="microseconds"),
        str(row.staff_id or ""),
        row.username,
        row.action,
        row.entity,
        str(row.entity_id if row.entity_id is not None else ""),
        str(row.patient_id if row.patient_id is not None else ""),
        row.summary,
    ]
    return hashlib.sha256("\x1f".join(parts).encode("utf-8")).hexdigest()


def upgrade() -> None:
    with op.batch_alter_table("staff", schema=None) as batch_op:
        batch_op.add_column(sa.Column("password_hash", sa.String(length=200), nullable=True))
        batch_op.add_column(sa.Column("password_changed_at", sa.DateTime(), nullable=True))
        batch_op.add_column(
            sa.Column("failed_sign_ins", sa.Integer(), nullable=False, server_default="0")
        )
        batch_op.add_column(sa.Column("locked_until", sa.DateTime(), nullable=True))
        batch_op.drop_constraint(op.f("ck_staff_role"), type_="check")
        batch_op.create_check_constraint("role", sa.text(_roles(NEW_ROLES)))

    op.create_table(
        "settings",
        sa.Column("key", sa.String(length=60), nullable=False),
        sa.Column("value", sa.String(length=500), nullable=False),
        sa.Column("updated_by", sa.String(length=40), nullable=False),
        sa.Column("updated_at", sa.DateTime(), nullable=False),
        sa.PrimaryKeyConstraint("key", name=op.f("pk_settings")),
    )
    op.create_table(
        "audit_chain",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("last_hash", sa.String(length=64), nullable=False),
        sa.Column("length", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_audit_chain")),
    )

    with op.batch_alter_table("audit_log", schema=None) as batch_op:
        batch_op.add_column(sa.Column("prev_hash", sa.String(length=64), nullable=True))
        batch_op.add_column(sa.Column("row_hash", sa.String(length=64), nullable=True))
    conn = op.get_bind()
    audit = sa.table(
        "audit_log",
        sa.column("id", sa.Integer), sa.column("at", sa.DateTime),
        sa.column("staff_id", sa.Integer), sa.column("username", sa.String),
        sa.column("action", sa.String), sa.column("entity", sa.String),
        sa.column("entity_id", sa.Integer), sa.column("patient_id", sa.Integer),
        sa.column("summary", sa.String), sa.column("prev_hash", sa.String),
        sa.column("row_hash", sa.String),
    )  # fmt: skip
    last, count = GENESIS, 0
    for row in conn.execute(sa.select(audit).order_by(audit.c.id)).all():
        digest = _hash(last, row)
        conn.execute(
            audit.update().where(audit.c.id == row.id).values(prev_hash=last, row_hash=digest)
        )
        last, count = digest, count + 1
    conn.execute(
        sa.table("audit_chain", sa.column("id"), sa.column("last_hash"), sa.column("length"))
        .insert()
        .values(id=1, last_hash=last, length=count)
    )
    with op.batch_alter_table("audit_log", schema=None) as batch_op:
        batch_op.alter_column("prev_hash", existing_type=sa.String(length=64), nullable=False)
        batch_op.alter_column("row_hash", existing_type=sa.String(length=64), nullable=False)

    if conn.dialect.name == "postgresql":
        op.execute(
            "CREATE FUNCTION audit_log_append_only() RETURNS trigger AS $$ BEGIN "
            "RAISE EXCEPTION 'The audit log is append-only.'; END; $$ LANGUAGE plpgsql"
        )
        for verb in ("UPDATE", "DELETE"):
            op.execute(
                f"CREATE TRIGGER audit_log_no_{verb.lower()} BEFORE {verb} ON audit_log "
                "FOR EACH ROW EXECUTE FUNCTION audit_log_append_only()"
            )
    else:
        for verb in ("UPDATE", "DELETE"):
            op.execute(
                f"CREATE TRIGGER audit_log_no_{verb.lower()} BEFORE {verb} ON audit_log "
                "BEGIN SELECT RAISE(ABORT, 'The audit log is append-only.'); END"
            )


def downgrade() -> None:
    conn = op.get_bind()
    for verb in ("update", "delete"):
        op.execute(
            f"DROP TRIGGER IF EXISTS audit_log_no_{verb}"
            + (" ON audit_log" if conn.dialect.name == "postgresql" else "")
        )
    if conn.dialect.name == "postgresql":
        op.execute("DROP FUNCTION IF EXISTS audit_log_append_only()")
    with op.batch_alter_table("audit_log", schema=None) as batch_op:
        batch_op.drop_column("row_hash")
        batch_op.drop_column("prev_hash")
    op.drop_table("audit_chain")
    op.drop_table("settings")
    with op.batch_alter_table("staff", schema=None) as batch_op:
        batch_op.drop_constraint(op.f("ck_staff_role"), type_="check")
        batch_op.create_check_constraint("role", sa.text(_roles(OLD_ROLES)))
        batch_op.drop_column("locked_until")
        batch_op.drop_column("failed_sign_ins")
        batch_op.drop_column("password_changed_at")
        batch_op.drop_column("password_hash")
