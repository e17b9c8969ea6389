"""keyed audit seal: entries signed as written, chained after commit

Revision ID: 0011
Revises: 0010
Create Date: 2026-12-08

- audit_log.entry_nonce, audit_log.entry_mac: each new entry carries a random nonce and an
  HMAC-SHA256 of its fields under the installation's audit key, computed as it is written
  (no shared row is locked for that). Rows written before this revision keep their unkeyed
  chain in prev_hash/row_hash; new rows leave those two empty.
- audit_seal: one row per entry, in the order entries were sealed (``seq``, after their
  transaction committed): an HMAC chain over the entries' MACs. Append-only, like audit_log.
- audit_chain gains the identity of the chain (``chain_id``, written into checkpoints),
  the fingerprint of the key that seals it, and the end of the unkeyed rows (``legacy_*``)
  that the keyed chain begins from. ``length``/``last_hash`` now describe the keyed chain.
- audit_checkpoint: signed checkpoints carried inside a backup file (see ltcdesk.backups).
"""

from __future__ import annotations

import uuid

import sqlalchemy as sa
from alembic import op

revision = "0011"
down_revision = "0010"
branch_labels = None
depends_on = None


def upgrade() -> None:
    conn = op.get_bind()
    op.add_column("audit_log", sa.Column("entry_nonce", sa.String(length=32), nullable=True))
    op.add_column("audit_log", sa.Column("entry_mac", sa.String(length=64), nullable=True))
    op.create_index("ix_audit_log_entry_nonce", "audit_log", ["entry_nonce"], unique=True)
    op.create_table(
        "audit_seal",
        sa.Column("seq", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("entry_id", sa.Integer(), nullable=False),
        sa.Column("prev_hash", sa.String(length=64), nullable=False),
        sa.Column("seal_hash", sa.String(length=64), nullable=False),
        sa.PrimaryKeyConstraint("seq", name=op.f("pk_audit_seal")),
        sa.UniqueConstraint("entry_id", name=op.f("uq_audit_seal_entry_id")),
    )
    op.create_table(
        "audit_checkpoint",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("written_at", sa.DateTime(), nullable=False),
        sa.Column("body", sa.String(length=2000), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_audit_checkpoint")),
    )
    for name, column in (
        ("chain_id", sa.String(length=32)),
        ("key_id", sa.String(length=16)),
        ("legacy_upto", sa.Integer()),
        ("legacy_length", sa.Integer()),
        ("legacy_hash", sa.String(length=64)),
    ):
        op.add_column("audit_chain", sa.Column(name, column, nullable=True))

    chain = sa.table(
        "audit_chain",
        sa.column("id", sa.Integer), sa.column("last_hash", sa.String),
        sa.column("length", sa.Integer), sa.column("chain_id", sa.String),
        sa.column("legacy_upto", sa.Integer), sa.column("legacy_length", sa.Integer),
        sa.column("legacy_hash", sa.String),
    )  # fmt: skip
    upto = conn.execute(sa.text("SELECT MAX(id) FROM audit_log")).scalar() or 0
    head = conn.execute(sa.select(chain.c.last_hash, chain.c.length).where(chain.c.id == 1)).one()
    conn.execute(
        chain.update()
        .where(chain.c.id == 1)
        .values(
            chain_id=uuid.uuid4().hex,
            legacy_upto=upto,
            legacy_length=head.length,
            legacy_hash=head.last_hash,
            length=0,
            last_hash="",
        )
    )

    if conn.dialect.name == "postgresql":
        for verb in ("UPDATE", "DELETE"):
            op.execute(
                f"CREATE TRIGGER audit_seal_no_{verb.lower()} BEFORE {verb} ON audit_seal "
                "FOR EACH ROW EXECUTE FUNCTION audit_log_append_only()"
            )
    else:
        for verb in ("UPDATE", "DELETE"):
            op.execute(
                f"CREATE TRIGGER audit_seal_no_{verb.lower()} BEFORE {verb} ON audit_seal "
                "BEGIN SELECT RAISE(ABORT, 'The audit log is append-only.'); END"
            )


def downgrade() -> None:
    conn = op.get_bind()
    for verb in ("update", "delete"):
        op.execute(
            f"DROP TRIGGER IF EXISTS audit_seal_no_{verb}"
            + (" ON audit_seal" if conn.dialect.name == "postgresql" else "")
        )
    chain = sa.table(
        "audit_chain",
        sa.column("id", sa.Integer), sa.column("last_hash", sa.String),
        sa.column("length", sa.Integer), sa.column("legacy_length", sa.Integer),
        sa.column("legacy_hash", sa.String),
    )  # fmt: skip
    # Back to the unkeyed head of the rows written before; keyed rows cannot be chained
    # the old way without rewriting them, so a downgraded log reports them as added.
    conn.execute(
        chain.update()
        .where(chain.c.id == 1)
        .values(length=chain.c.legacy_length, last_hash=chain.c.legacy_hash)
    )
    with op.batch_alter_table("audit_chain", schema=None) as batch_op:
        for name in ("legacy_hash", "legacy_length", "legacy_upto", "key_id", "chain_id"):
            batch_op.drop_column(name)
    op.drop_table("audit_checkpoint")
    op.drop_table("audit_seal")
    op.drop_index("ix_audit_log_entry_nonce", table_name="audit_log")
    op.drop_column("audit_log", "entry_mac")
    op.drop_column("audit_log", "entry_nonce")
