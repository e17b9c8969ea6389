"""A database from before the keyed audit log (migration 0011): its unkeyed rows still
verify, the keyed chain carries on from them, and tampering with the old rows is caught."""

from __future__ import annotations

from datetime import datetime

from alembic import command
from sqlalchemy import insert, select, text, update

from ltcdesk.db import alembic_config, make_engine, open_database
from ltcdesk.models import AuditChain, AuditEntry
from ltcdesk.models.audit import GENESIS, entry_hash
from ltcdesk.services.audit import AuditService
from ltcdesk.services.setup import SetupService, ensure_admin

OLD_ROWS = 5


def _old_database(path):
    """At revision 0010 with OLD_ROWS audit rows chained the way ltcdesk then did."""
    engine = make_engine(f"sqlite:///{path}")
    command.upgrade(alembic_config(engine), "0010")
    last = GENESIS
    with engine.begin() as conn:
        conn.execute(
            text("INSERT INTO staff (username, display_name, role, active, failed_sign_ins, "
                 "created_at) VALUES ('admin', 'Administrator', 'admin', 1, 0, :at)"),
            {"at": datetime(2026, 1, 1)},
        )  # fmt: skip
        for n in range(OLD_ROWS):
            fields = {
                "at": datetime(2026, 1, 2, 9, n),
                "staff_id": 1,
                "username": "admin",
                "action": "practice.add",
                "entity": "practice",
                "entity_id": n + 1,
                "patient_id": None,
                "summary": f"Old entry {n}",
            }
            digest = entry_hash(last, fields)
            table = AuditEntry.__table__
            columns = {c.name for c in table.columns} - {"entry_nonce", "entry_mac", "id"}
            row = {k: v for k, v in (fields | {"prev_hash": last, "row_hash": digest}).items()
                   if k in columns}  # fmt: skip
            conn.execute(insert(table).values(**row))
            last = digest
        conn.execute(text("UPDATE audit_chain SET last_hash = :h, length = :n"),
                     {"h": last, "n": OLD_ROWS})  # fmt: skip
    engine.dispose()


def test_old_rows_verify_and_new_ones_are_keyed_after_them(tmp_path):
    path = tmp_path / "old.db"
    _old_database(path)
    db = open_database(path)  # upgrades to the keyed log
    try:
        ensure_admin(db.sessions)
        SetupService(db.sessions, "admin").add_practice("C82001", "Castle Street Surgery")
        check = AuditService(db.sessions, "admin").verify()
        assert check.ok, check.message
        with db.sessions() as s:
            total = s.scalar(select(AuditEntry.id).order_by(AuditEntry.id.desc()).limit(1))
            head = s.get(AuditChain, 1)
        assert check.rows_checked == total
        assert (head.legacy_length, head.legacy_upto) == (OLD_ROWS, OLD_ROWS)
        assert head.length == total - OLD_ROWS
    finally:
        db.dispose()


def _upgraded_and_checked(tmp_path):
    """The old database upgraded, verified once (so this computer has its checkpoint),
    and opened to tampering as an attacker would: the append-only trigger dropped."""
    path = tmp_path / "old.db"
    _old_database(path)
    db = open_database(path)
    assert AuditService(db.sessions, "admin").verify().ok
    with db.engine.begin() as conn:
        conn.execute(text("DROP TRIGGER audit_log_no_update"))
    return db


def test_an_old_row_edited_after_the_upgrade_is_caught(tmp_path):
    db = _upgraded_and_checked(tmp_path)
    try:
        with db.engine.begin() as conn:
            conn.execute(update(AuditEntry).where(AuditEntry.id == 3).values(summary="Nothing"))
        check = AuditService(db.sessions, "admin").verify()
        assert not check.ok
        assert check.first_bad_id == 3
        assert check.message == "Row 3 does not match its hash. The audit log has been altered."
    finally:
        db.dispose()


def test_old_rows_rechained_without_the_key_are_caught(tmp_path):
    """Rewriting the unkeyed rows and their recorded head is not enough: the keyed chain
    begins from an HMAC of that head."""
    db = _upgraded_and_checked(tmp_path)
    try:
        with db.engine.begin() as conn:
            rows = conn.execute(select(AuditEntry).order_by(AuditEntry.id)).all()
            last = GENESIS
            for row in rows[:OLD_ROWS]:
                fields = {f: getattr(row, f) for f in
                          ("at", "staff_id", "username", "action", "entity", "entity_id",
                           "patient_id", "summary")}  # fmt: skip
                if row.id == 2:
                    fields["summary"] = "Nothing"
                digest = entry_hash(last, fields)
                conn.execute(update(AuditEntry).where(AuditEntry.id == row.id).values(
                    summary=fields["summary"], prev_hash=last, row_hash=digest))  # fmt: skip
                last = digest
            conn.execute(update(AuditChain).values(legacy_hash=last))
        check = AuditService(db.sessions, "admin").verify()
        assert not check.ok
        assert check.message == (
            "The chain head does not match its start. The audit log has been altered."
        )
    finally:
        db.dispose()
