"""The audit log's own protections, and ``verify`` after tampering by someone with write
access to the database file or server but not this installation's audit key.

Entries are signed (HMAC) as they are written and sealed into a keyed chain after commit;
a signed checkpoint outside the database catches what a consistent-looking log cannot show:
truncation with the head fixed up, a wiped log, an older copy put back.
"""

from __future__ import annotations

import json
import os
import shutil
import sqlite3
import stat
import threading
from datetime import datetime
from pathlib import Path

import pytest
from sqlalchemy import event, insert, select, text
from sqlalchemy.exc import DBAPIError

from ltcdesk.audit_checkpoints import checkpoint_file
from ltcdesk.audit_keys import KEY_FILE_ENV, AuditKeyError, audit_key, key_id
from ltcdesk.db import open_database
from ltcdesk.models import AuditChain, AuditEntry, AuditSeal
from ltcdesk.models.audit import CHAINED_FIELDS, entry_mac, keyed_genesis, seal_hash
from ltcdesk.services.audit import AuditService
from ltcdesk.services.patients import NewPatient, PatientService
from ltcdesk.services.setup import SetupService, ensure_admin
from tests.conftest import TODAY
from tests.services.audit_seed import NHS_A, NHS_B, seed_log

FORGER_KEY = b"attacker does not have the key!!"


@pytest.fixture
def logged(team):
    return seed_log(team)


def verify(db):
    return AuditService(db.sessions, "admin").verify()


def _ids(db):
    with db.sessions() as s:
        return list(s.scalars(select(AuditEntry.id).order_by(AuditEntry.id)))


def _seals(db):
    with db.sessions() as s:
        return s.execute(select(AuditSeal).order_by(AuditSeal.seq)).scalars().all()


def _drop_triggers(db):
    """What an attacker with write access does first: remove the append-only guards."""
    pg = db.engine.dialect.name == "postgresql"
    with db.engine.begin() as conn:
        for table in ("audit_log", "audit_seal"):
            for verb in ("update", "delete"):
                on = f" ON {table}" if pg else ""
                conn.execute(text(f"DROP TRIGGER {table}_no_{verb}{on}"))


def _tamper(db, *statements, **params):
    _drop_triggers(db)
    with db.engine.begin() as conn:
        for statement in statements:
            conn.execute(text(statement), params)


def _verified(db):
    """A checked log: the checkpoint on this computer now covers every entry."""
    check = verify(db)
    assert check.ok, check.message
    return check


# ------------------------------------------------------------------ as written


def test_every_entry_is_signed_and_sealed_in_order(team):
    svc = PatientService(team.sessions, "lead", today=lambda: TODAY)
    svc.register(NewPatient("9434765919", "O'Kon", "María", "1940-01-01", "C82001"))
    svc.get("9434765919")
    key = audit_key()
    with team.sessions() as s:
        entries = {e.id: e for e in s.scalars(select(AuditEntry))}
        head = s.get(AuditChain, 1)
    seals = _seals(team)
    assert len(entries) >= 3
    # Every entry is sealed once, by the time the action that wrote it has returned.
    assert sorted(seal.entry_id for seal in seals) == sorted(entries)
    previous = keyed_genesis(key, head.chain_id, head.legacy_hash, head.legacy_length)
    for n, seal in enumerate(seals, start=1):
        entry = entries[seal.entry_id]
        fields = {f: getattr(entry, f) for f in CHAINED_FIELDS}
        assert entry.entry_mac == entry_mac(key, entry.entry_nonce, fields)
        assert seal.seq == n
        assert seal.prev_hash == previous
        assert seal.seal_hash == seal_hash(key, previous, n, entry.id, entry.entry_mac)
        previous = seal.seal_hash
    assert (head.length, head.last_hash, head.key_id) == (len(seals), previous, key_id(key))
    # The database holds the key's fingerprint, never the key.
    with team.engine.connect() as conn:
        dump = " ".join(str(v) for row in conn.execute(select(AuditChain)) for v in row)
    assert key.hex() not in dump


def test_a_writer_never_touches_the_chain_head_inside_its_own_transaction(team):
    """No shared row is held for the length of anyone's transaction: the head is taken
    only by the short seal after commit."""
    statements = []

    def capture(conn, cursor, statement, parameters, context, executemany):
        statements.append((conn.in_transaction(), statement))

    svc = PatientService(team.sessions, "lead", today=lambda: TODAY)
    session = team.sessions()
    session.begin()
    seen_in_transaction = []
    event.listen(team.engine, "before_cursor_execute", capture)
    try:
        svc.register(NewPatient("9434765919", "O'Kon", "María", "1940-01-01", "C82001"))
    finally:
        event.remove(team.engine, "before_cursor_execute", capture)
        session.close()
    # The register transaction: statements up to (and including) its audit INSERT.
    first_audit_insert = next(i for i, (_t, sql) in enumerate(statements) if "audit_log" in sql)
    seen_in_transaction = [sql for _t, sql in statements[: first_audit_insert + 1]]
    assert not any("audit_chain" in sql for sql in seen_in_transaction)
    # And after it, the seal did take the head and chain the entry.
    assert any("audit_chain" in sql for _t, sql in statements[first_audit_insert + 1 :])
    assert _verified(team)


def test_a_colleague_is_not_held_up_by_an_open_transaction_holding_audit_rows(team):
    """On PostgreSQL the open transaction holds no lock anyone else needs; on SQLite the
    file has one writer at a time, so there the colleague waits only for the commit."""
    svc = PatientService(team.sessions, "lead", today=lambda: TODAY)
    svc.register(NewPatient(NHS_A, "O'Kon", "María", "1940-01-01", "C82001"))
    long_write = team.sessions()
    long_write.begin()
    long_write.add(AuditEntry(username="lead", action="import", entity="events", summary="x"))
    long_write.flush()
    done = threading.Event()

    def colleague():
        PatientService(team.sessions, "nurse", today=lambda: TODAY).get(NHS_A)
        done.set()

    worker = threading.Thread(target=colleague)
    worker.start()
    if team.engine.dialect.name == "postgresql":
        assert done.wait(5), "the colleague waited for someone else's transaction"
        long_write.commit()
    else:
        long_write.commit()
        assert done.wait(15)
    worker.join()
    long_write.close()
    assert _verified(team).rows_checked == len(_ids(team))


@pytest.mark.parametrize("table", ["audit_log", "audit_seal"])
@pytest.mark.parametrize("verb", ["UPDATE {t} SET {c} = 'x'", "DELETE FROM {t}"])
def test_the_database_refuses_to_change_or_delete_audit_rows(team, table, verb):
    column = "summary" if table == "audit_log" else "seal_hash"
    before = _ids(team), [s.seal_hash for s in _seals(team)]
    assert before[0]
    with pytest.raises(DBAPIError, match="append-only"), team.engine.begin() as conn:
        conn.execute(text(verb.format(t=table, c=column)))
    assert (_ids(team), [s.seal_hash for s in _seals(team)]) == before


# ------------------------------------------------------------------ verify, untouched


def test_verify_passes_on_a_fresh_database_and_writes_a_private_checkpoint(team):
    checkpoint_file().unlink()  # as on a computer that has never sealed this database
    check = verify(team)
    assert check.ok
    assert check.first_bad_id is None
    assert check.rows_checked == len(_ids(team))
    assert check.message == f"Audit log intact: {check.rows_checked} rows checked."
    assert "the first checkpoint of this database on this computer" in check.checkpoint
    assert stat.S_IMODE(checkpoint_file().stat().st_mode) == 0o600
    again = verify(team)
    assert again.ok
    assert "first checkpoint" not in again.checkpoint
    assert f"{again.rows_checked} entries ending" in again.checkpoint


def test_verify_reads_nothing_into_the_log(logged):
    rows = len(_ids(logged))
    assert verify(logged).rows_checked == rows
    assert verify(logged).rows_checked == rows == len(_ids(logged))


def test_rows_written_while_verify_runs_do_not_break_it(logged):
    _verified(logged)
    PatientService(logged.sessions, "nurse", today=lambda: TODAY).get(NHS_B)
    assert _verified(logged).rows_checked == len(_ids(logged))


# ------------------------------------------------------------------ the five attacks


def test_attack_1_deleting_the_last_rows_and_fixing_the_chain_head_is_caught(logged):
    _verified(logged)
    seals = _seals(logged)
    keep = seals[-3]
    _tamper(
        logged,
        "DELETE FROM audit_log WHERE id IN (SELECT entry_id FROM audit_seal WHERE seq > :n)",
        "DELETE FROM audit_seal WHERE seq > :n",
        "UPDATE audit_chain SET length = :n, last_hash = :h",
        n=keep.seq,
        h=keep.seal_hash,
    )
    check = verify(logged)
    assert not check.ok
    assert "2 rows have been removed, or an older copy" in check.message
    assert "has been altered" in check.message


def test_attack_2_a_forged_row_with_a_correctly_computed_hash_is_caught(logged):
    """The forger computes the hash as the code does, but without the installation's key."""
    fields = {
        "at": datetime(2026, 1, 13, 12, 0),
        "staff_id": None,
        "username": "lead",
        "action": "patient.view",
        "entity": "patient",
        "entity_id": None,
        "patient_id": None,
        "summary": "Forged",
    }
    nonce = "ab" * 16
    row = fields | {
        "prev_hash": "",
        "row_hash": "",
        "entry_nonce": nonce,
        "entry_mac": entry_mac(FORGER_KEY, nonce, fields),
    }
    with logged.engine.begin() as conn:  # INSERT is allowed: the log is append-only
        conn.execute(insert(AuditEntry), [row])
    forged = _ids(logged)[-1]
    check = verify(logged)
    assert not check.ok
    assert check.first_bad_id == forged
    assert f"Row {forged} does not match its signature" in check.message


def test_attack_2b_a_forged_row_with_a_forged_seal_is_caught(logged):
    _verified(logged)
    last = _seals(logged)[-1]
    fields = {f: None for f in CHAINED_FIELDS} | {
        "at": datetime(2026, 1, 13, 12, 0),
        "username": "lead",
        "action": "x",
        "entity": "y",
        "summary": "Forged",
    }
    with logged.engine.begin() as conn:
        conn.execute(
            insert(AuditEntry),
            [fields | {"prev_hash": "", "row_hash": "", "entry_nonce": "cd" * 16,
                       "entry_mac": entry_mac(FORGER_KEY, "cd" * 16, fields)}],
        )  # fmt: skip
        forged = conn.execute(select(AuditEntry.id).order_by(AuditEntry.id.desc())).scalar()
        mac = entry_mac(FORGER_KEY, "cd" * 16, fields)
        digest = seal_hash(FORGER_KEY, last.seal_hash, last.seq + 1, forged, mac)
        conn.execute(
            insert(AuditSeal),
            [{"seq": last.seq + 1, "entry_id": forged, "prev_hash": last.seal_hash,
              "seal_hash": digest}],
        )  # fmt: skip
        conn.execute(text("UPDATE audit_chain SET length = length + 1, last_hash = :h"),
                     {"h": digest})  # fmt: skip
    check = verify(logged)
    assert not check.ok
    assert check.first_bad_id == forged


def test_attack_3_editing_a_row_and_recomputing_every_later_hash_is_caught(logged):
    seals = _seals(logged)
    target = seals[4]
    _drop_triggers(logged)
    with logged.engine.begin() as conn:
        entry = conn.execute(select(AuditEntry).where(AuditEntry.id == target.entry_id)).one()
        fields = {f: getattr(entry, f) for f in CHAINED_FIELDS} | {"summary": "Nothing"}
        mac = entry_mac(FORGER_KEY, entry.entry_nonce, fields)
        conn.execute(
            text("UPDATE audit_log SET summary = 'Nothing', entry_mac = :m WHERE id = :i"),
            {"m": mac, "i": entry.id},
        )
        previous = target.prev_hash
        for seal in seals[4:]:
            own = mac if seal.entry_id == entry.id else None
            if own is None:
                own = conn.execute(
                    select(AuditEntry.entry_mac).where(AuditEntry.id == seal.entry_id)
                ).scalar()
            previous = seal_hash(FORGER_KEY, previous, seal.seq, seal.entry_id, own)
            conn.execute(
                text("UPDATE audit_seal SET prev_hash = :p, seal_hash = :h WHERE seq = :s"),
                {"p": seal.prev_hash if seal is target else previous, "h": previous,
                 "s": seal.seq},
            )  # fmt: skip
        conn.execute(text("UPDATE audit_chain SET last_hash = :h"), {"h": previous})
    check = verify(logged)
    assert not check.ok
    assert check.first_bad_id == target.entry_id
    assert "does not match its signature" in check.message


def test_attack_4_wiping_every_row_and_resetting_the_head_is_caught(logged):
    count = _verified(logged).rows_checked
    _tamper(
        logged,
        "DELETE FROM audit_seal",
        "DELETE FROM audit_log",
        "UPDATE audit_chain SET length = 0, last_hash = ''",
    )
    check = verify(logged)
    assert not check.ok
    assert check.rows_checked == 0
    assert f"this computer recorded {count:,}" in check.message


def test_attack_5_an_older_backup_copied_back_is_caught(tmp_path):
    path = tmp_path / "team.db"
    db = open_database(path)
    ensure_admin(db.sessions)
    SetupService(db.sessions, "admin").add_practice("C82001", "Castle Street Surgery")
    _verified(db)
    older = tmp_path / "older.db"
    src, dst = sqlite3.connect(path), sqlite3.connect(older)
    src.backup(dst)
    src.close()
    dst.close()
    SetupService(db.sessions, "admin").add_practice("C82002", "Riverside Medical Centre")
    newer = _verified(db).rows_checked
    db.dispose()
    for suffix in ("-wal", "-shm"):
        (tmp_path / f"team.db{suffix}").unlink(missing_ok=True)
    shutil.copyfile(older, path)
    db = open_database(path)
    try:
        check = verify(db)
    finally:
        db.dispose()
    assert not check.ok
    assert f"this computer recorded {newer:,}" in check.message
    assert "older copy of the database was put back without ltcdesk restore" in check.message


# ------------------------------------------------------------------ other tampering


def test_an_edited_row_is_caught(logged):
    target = _seals(logged)[5].entry_id
    _tamper(logged, "UPDATE audit_log SET summary = 'Nothing happened' WHERE id = :i", i=target)
    check = verify(logged)
    assert not check.ok
    assert check.first_bad_id == target
    assert check.message == (
        f"Row {target} does not match its signature: it was edited, or written outside "
        "ltcdesk. The audit log has been altered."
    )


def test_a_deleted_row_is_caught_whether_or_not_its_seal_went_too(logged):
    seals = _seals(logged)
    _tamper(logged, "DELETE FROM audit_log WHERE id = :i", i=seals[3].entry_id)
    check = verify(logged)
    assert not check.ok
    assert (
        check.message
        == f"Row {seals[3].entry_id} has been deleted. The audit log has been altered."
    )
    _tamper_more = "DELETE FROM audit_seal WHERE seq = :s"
    with logged.engine.begin() as conn:
        conn.execute(text(_tamper_more), {"s": seals[3].seq})
    check = verify(logged)
    assert not check.ok
    assert "are missing: they have been deleted" in check.message


def test_a_copied_row_is_caught(logged):
    with logged.engine.begin() as conn:
        conn.execute(text("DROP INDEX ix_audit_log_entry_nonce"))
        original = conn.execute(select(AuditEntry).order_by(AuditEntry.id).limit(1)).one()
        copy = {c: getattr(original, c) for c in AuditEntry.__table__.columns.keys() if c != "id"}  # noqa: SIM118
        conn.execute(insert(AuditEntry), [copy])
    check = verify(logged)
    assert not check.ok
    assert f"is a copy of row {original.id}" in check.message


def test_a_missing_chain_head_or_table_is_reported_as_altered(logged):
    with logged.engine.begin() as conn:
        conn.execute(text("DELETE FROM audit_chain"))
    check = verify(logged)
    assert not check.ok
    assert check.message == "The audit chain record is missing. The audit log has been altered."
    with logged.engine.begin() as conn:
        conn.execute(text("DROP TABLE audit_seal"))
        conn.execute(text("DROP TABLE audit_chain"))
    check = verify(logged)
    assert not check.ok
    assert (
        check.message
    ) == "The audit tables are missing or damaged. The audit log has been altered."


def test_a_rewritten_chain_head_is_caught(logged):
    with logged.engine.begin() as conn:
        conn.execute(AuditChain.__table__.update().values(last_hash="f" * 64))
    check = verify(logged)
    assert not check.ok
    assert "should end the chain recorded by ltcdesk but does not match it" in check.message


def test_an_altered_checkpoint_file_is_reported(logged):
    _verified(logged)
    target = checkpoint_file()
    entries = json.loads(target.read_text())
    (location,) = entries
    body = json.loads(entries[location])
    body["checkpoint"]["length"] = 1
    entries[location] = json.dumps(body)
    target.write_text(json.dumps(entries))
    check = verify(logged)
    assert not check.ok
    assert "does not verify: its signature does not match" in check.message


# ------------------------------------------------------------------ keys


def test_the_installation_key_is_made_once_private_and_only_its_fingerprint_is_public(
    monkeypatch,
):
    monkeypatch.delenv(KEY_FILE_ENV)
    key = audit_key()
    path = Path(os.environ["LTCDESK_HOME"]) / "audit.key"
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert audit_key() == key
    assert bytes.fromhex(path.read_text().strip()) == key
    assert len(key_id(key)) == 16
    assert key.hex()[:16] != key_id(key)


def test_a_database_sealed_with_another_key_is_not_written_to_and_not_verified(
    logged, tmp_path, monkeypatch
):
    other = tmp_path / "other.key"
    other.write_text(os.urandom(32).hex())
    monkeypatch.setenv(KEY_FILE_ENV, str(other))
    check = verify(logged)
    assert not check.ok
    assert "sealed with another key" in check.message
    with pytest.raises(AuditKeyError, match="sealed with another key"):
        PatientService(logged.sessions, "nurse", today=lambda: TODAY).get(NHS_A)
