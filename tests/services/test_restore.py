"""``ltcdesk restore``: signed in with the right role, encryption kept unless told, audited
in the restored database as its first new entry, and saying plainly what is rolled back."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest
from sqlalchemy import select

from ltcdesk.audit_checkpoints import in_backup
from ltcdesk.audit_keys import audit_key
from ltcdesk.cli import main
from ltcdesk.db import open_database
from ltcdesk.encryption import encrypt_sqlite
from ltcdesk.models import AuditEntry, Practice
from ltcdesk.services.accounts import AccountAdmin, AccountService
from ltcdesk.services.audit import AuditService
from ltcdesk.services.setup import SetupService

PASSWORD = "heron-tidal-lantern-42"
KEY = "a long enough passphrase for the team"


@pytest.fixture
def world(tmp_path, monkeypatch):
    """A team database with an admin, a team lead and a read-only user, one practice,
    and a backup taken before a second practice was added."""
    path = tmp_path / "team.db"
    db = open_database(path)
    AccountService(db.sessions).create_first_admin("admin", "Ann Admin", PASSWORD)
    admin = AccountAdmin(db.sessions, "admin")
    admin.add_user("lead", "Tessa Lead", "team_lead", PASSWORD)
    admin.add_user("viewer", "Vic Viewer", "read_only", PASSWORD)
    SetupService(db.sessions, "admin").add_practice("C82001", "Castle Street Surgery")
    db.dispose()
    monkeypatch.setenv("LTCDESK_USER", "lead")
    monkeypatch.setenv("LTCDESK_PASSWORD", PASSWORD)
    backup = tmp_path / "saved.db"
    assert main(["--db", str(path), "backup", "--out", str(backup)]) == 0
    db = open_database(path)
    SetupService(db.sessions, "admin").add_practice("C82002", "Riverside Medical Centre")
    db.dispose()
    return path, backup


def practices(path: Path) -> list[str]:
    db = open_database(path)
    try:
        with db.sessions() as s:
            return list(s.scalars(select(Practice.code).order_by(Practice.code)))
    finally:
        db.dispose()


def entries(path: Path) -> list[AuditEntry]:
    db = open_database(path)
    try:
        with db.sessions() as s:
            return list(s.scalars(select(AuditEntry).order_by(AuditEntry.id)))
    finally:
        db.dispose()


def test_every_backup_carries_a_signed_checkpoint_of_its_audit_chain(world):
    _path, backup = world
    conn = sqlite3.connect(backup)
    try:
        checkpoint = in_backup(conn, audit_key())
        (count,) = conn.execute("SELECT COUNT(*) FROM audit_log").fetchone()
    finally:
        conn.close()
    assert checkpoint is not None
    assert checkpoint.total == count


@pytest.mark.parametrize(
    ("env", "said"),
    [
        ({"LTCDESK_USER": None}, "Say who is signing in"),
        ({"LTCDESK_PASSWORD": None}, "needs a password"),
        ({"LTCDESK_PASSWORD": "not the password"}, "username or password"),
        ({"LTCDESK_USER": "nobody"}, "username or password"),
        ({"LTCDESK_USER": "viewer"}, "may not back up or restore the database"),
    ],
    ids=["no user", "no password", "wrong password", "unknown user", "read-only role"],
)
def test_restore_is_refused_without_a_sign_in_and_the_role(world, monkeypatch, capsys, env, said):
    path, backup = world
    for name, value in env.items():
        if value is None:
            monkeypatch.delenv(name)
        else:
            monkeypatch.setenv(name, value)
    before = practices(path), len(entries(path))
    assert main(["--db", str(path), "restore", str(backup)]) == 2
    assert said in capsys.readouterr().err
    after = practices(path), len(entries(path))
    assert after[0] == before[0] == ["C82001", "C82002"]
    assert list(path.parent.glob("*.before-restore-*")) == []
    if env.get("LTCDESK_USER") == "viewer":
        assert entries(path)[-1].action == "denied"


def test_restore_is_audited_in_the_restored_database_and_says_what_is_rolled_back(
    world, capsys
):
    path, backup = world
    capsys.readouterr()
    in_backup_count = len(entries(backup))
    assert main(["--db", str(path), "restore", str(backup)]) == 0
    said = capsys.readouterr().out
    assert f"Restored {path} from {backup}, as lead." in said
    assert "Records and audit entries made after " in said
    assert "will no longer be in the database; the replaced file is kept at " in said
    kept = list(path.parent.glob("team.before-restore-*.db"))
    assert len(kept) == 1
    assert str(kept[0]) in said
    assert practices(path) == ["C82001"]
    log = entries(path)
    first_new = log[in_backup_count]
    assert first_new.action == "database.restore"
    assert first_new.username == "lead"
    assert first_new.summary.startswith("Restored from backup saved.db taken ")
    assert f"({in_backup_count:,} audit entries, audit head " in first_new.summary
    # The rollback was done by ltcdesk, so the log verifies against this computer's
    # checkpoint, which now records the restore.
    db = open_database(path)
    try:
        check = AuditService(db.sessions, "lead").verify()
    finally:
        db.dispose()
    assert check.ok, check.message


def test_a_plain_backup_is_not_restored_over_an_encrypted_database_unless_told(
    world, monkeypatch, capsys
):
    path, backup = world
    encrypt_sqlite(path, KEY)
    monkeypatch.setenv("LTCDESK_DB_PASSPHRASE", KEY)
    assert main(["--db", str(path), "restore", str(backup)]) == 2
    assert "would store the records unencrypted" in capsys.readouterr().err
    assert practices_encrypted(path) == ["C82001", "C82002"]
    assert main(["--db", str(path), "restore", "--change-encryption", str(backup)]) == 0
    assert practices(path) == ["C82001"]


def practices_encrypted(path: Path) -> list[str]:
    db = open_database(path, KEY)
    try:
        with db.sessions() as s:
            return list(s.scalars(select(Practice.code).order_by(Practice.code)))
    finally:
        db.dispose()


def test_an_encrypted_backup_needs_its_passphrase_and_is_not_put_over_a_plain_file_silently(
    world, tmp_path, monkeypatch, capsys
):
    path, backup = world
    encrypt_sqlite(backup, KEY)
    assert main(["--db", str(path), "restore", str(backup)]) == 2
    assert "is encrypted but the database is not" in capsys.readouterr().err
    monkeypatch.setenv("LTCDESK_DB_PASSPHRASE", "the wrong passphrase entirely")
    assert main(["--db", str(path), "restore", "--change-encryption", str(backup)]) == 2
    capsys.readouterr()
    assert practices(path) == ["C82001", "C82002"]
    monkeypatch.setenv("LTCDESK_DB_PASSPHRASE", KEY)
    assert main(["--db", str(path), "restore", "--change-encryption", str(backup)]) == 0
    assert practices_encrypted(path) == ["C82001"]


def test_a_backup_whose_checkpoint_was_altered_is_refused(world, capsys):
    path, backup = world
    conn = sqlite3.connect(backup)
    conn.execute("UPDATE audit_checkpoint SET body = replace(body, '\"length\":', '\"length\":1')")
    conn.commit()
    conn.close()
    assert main(["--db", str(path), "restore", str(backup)]) == 2
    assert "carries an audit checkpoint that does not verify" in capsys.readouterr().err
    assert practices(path) == ["C82001", "C82002"]


def test_with_the_database_damaged_the_restorer_signs_in_on_the_backup(world, capsys):
    path, backup = world
    for side in path.parent.glob("team.db-*"):
        side.unlink()
    path.write_bytes(b"SQLite format 3\x00" + b"\x00" * 4080)
    assert main(["--db", str(path), "restore", str(backup)]) == 0
    assert practices(path) == ["C82001"]
    assert entries(path)[-1].action == "database.restore"
