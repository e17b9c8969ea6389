"""Backups of SQLite databases, plain and encrypted: the daily automatic backup, what the
status bar shows, ``backup_sqlite`` / ``restore_sqlite`` and the commands over them."""

from __future__ import annotations

import errno
import sqlite3
from contextlib import closing
from datetime import datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.orm import sessionmaker

import ltcdesk.sqlite_files as files
from ltcdesk import paths
from ltcdesk.db import (
    Database,
    PassphraseRequired,
    WrongPassphrase,
    auto_backup,
    backup_sqlite,
    create_database,
    integrity_problem,
    is_encrypted,
    last_backup,
    open_database,
    plaintext_copies,
    restore_sqlite,
)
from ltcdesk.domain.errors import DomainError, ValidationError
from ltcdesk.encryption import encrypt_sqlite
from tests.services.held_open import held_open

KEY = "correct horse battery staple"
MORNING = datetime(2026, 11, 22, 8, 30, 0)


def _add_practice(db: Database, code: str, name: str) -> None:
    with db.engine.begin() as conn:
        conn.execute(
            text("INSERT INTO practices (code, name) VALUES (:c, :n)"), {"c": code, "n": name}
        )


def _practices(path: Path, key: str | None = None) -> list[str]:
    db = open_database(path, key)
    try:
        with db.engine.connect() as conn:
            return list(conn.execute(text("SELECT name FROM practices ORDER BY code")).scalars())
    finally:
        db.dispose()


@pytest.fixture
def plain(tmp_path: Path) -> Database:
    db = open_database(tmp_path / "team.db")
    _add_practice(db, "C82001", "Castle Street Surgery")
    yield db
    db.dispose()


@pytest.fixture
def encrypted(tmp_path: Path) -> Database:
    db = create_database(tmp_path / "vault.db", KEY)
    _add_practice(db, "C82001", "Castle Street Surgery")
    yield db
    db.dispose()


# ------------------------------------------------------------------ automatic backups


def test_auto_backup_runs_once_a_calendar_day(plain, tmp_path):
    folder = tmp_path / "backups"
    first = auto_backup(plain, folder, now=MORNING)
    assert first == folder / "team-backup-20261122-083000.db"
    assert integrity_problem(first) is None
    assert auto_backup(plain, folder, now=MORNING + timedelta(hours=9)) is None
    late = datetime(2026, 11, 22, 23, 59, 59)
    assert auto_backup(plain, folder, now=late) is None
    second = auto_backup(plain, folder, now=datetime(2026, 11, 23, 0, 0, 1))
    assert second is not None
    assert sorted(p.name for p in folder.iterdir()) == [
        "team-backup-20261122-083000.db",
        "team-backup-20261123-000001.db",
    ]


def test_auto_backup_keeps_the_newest_fourteen(plain, tmp_path):
    folder = tmp_path / "backups"
    folder.mkdir()
    other = folder / "elsewhere-backup-20200101-000000.db"  # another database's: not ours
    other.write_bytes(b"")
    notes = folder / "notes.txt"
    notes.write_text("keep me")
    made = [auto_backup(plain, folder, now=MORNING + timedelta(days=d)) for d in range(20)]
    kept = sorted(p for p in folder.glob("team-backup-*.db"))
    assert len(kept) == 14
    assert kept == sorted(p for p in made[-14:] if p is not None)
    assert other.exists()
    assert notes.exists()
    assert last_backup(folder) == MORNING + timedelta(days=19)


def test_auto_backup_keep_is_configurable(plain, tmp_path):
    folder = tmp_path / "b"
    for day in range(5):
        auto_backup(plain, folder, keep=3, now=MORNING + timedelta(days=day))
    assert len(list(folder.iterdir())) == 3
    with pytest.raises(ValidationError, match="at least one"):
        auto_backup(plain, folder, keep=0, now=MORNING + timedelta(days=9))


def test_auto_backup_goes_to_the_data_folder_by_default(plain):
    assert last_backup(plain) is None
    made = auto_backup(plain, now=MORNING)
    assert made is not None
    assert made.parent == paths.data_dir() / "backups"
    assert last_backup(plain) == MORNING
    assert last_backup() == MORNING


def test_the_encrypted_backup_cannot_be_read_without_the_key(encrypted, tmp_path):
    made = auto_backup(encrypted, tmp_path / "b", now=MORNING)
    assert made is not None
    raw = made.read_bytes()
    assert is_encrypted(made)
    assert b"Castle Street Surgery" not in raw
    with (
        closing(sqlite3.connect(made)) as conn,
        pytest.raises(sqlite3.DatabaseError, match="not a database"),
    ):
        conn.execute("SELECT * FROM practices").fetchall()
    with pytest.raises(PassphraseRequired):
        integrity_problem(made)
    with pytest.raises(WrongPassphrase):
        integrity_problem(made, "not the passphrase")
    assert integrity_problem(made, KEY) is None
    assert _practices(made, KEY) == ["Castle Street Surgery"]


def test_a_full_disk_is_a_clear_error_and_leaves_no_half_backup(plain, tmp_path, monkeypatch):
    folder = tmp_path / "b"

    def full(_path: Path) -> None:
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(files, "fsync_file", full)
    with pytest.raises(DomainError, match="No space left on device"):
        auto_backup(plain, folder, now=MORNING)
    assert list(folder.iterdir()) == []
    assert last_backup(folder) is None


def test_an_unusable_backup_folder_is_a_clear_error(plain, tmp_path):
    blocked = tmp_path / "not-a-folder"
    blocked.write_text("a file where the folder should be")
    with pytest.raises(DomainError, match="automatic backup"):
        auto_backup(plain, blocked, now=MORNING)


def test_a_server_database_is_not_backed_up_here(tmp_path):
    engine = create_engine("sqlite://")
    server_like = Database(engine, sessionmaker(engine), "postgresql://x/y", None)
    assert auto_backup(server_like, tmp_path, now=MORNING) is None
    assert last_backup(server_like) is None


# ------------------------------------------------------------------ backup and restore


def test_backup_of_an_encrypted_database_keeps_its_key(encrypted, tmp_path, monkeypatch):
    out = backup_sqlite(encrypted.sqlite_path, tmp_path / "copy.db", KEY)
    assert is_encrypted(out)
    assert _practices(out, KEY) == ["Castle Street Surgery"]
    with pytest.raises(WrongPassphrase):
        backup_sqlite(encrypted.sqlite_path, tmp_path / "other.db", "wrong passphrase")
    with pytest.raises(PassphraseRequired):
        backup_sqlite(encrypted.sqlite_path, tmp_path / "other.db")
    monkeypatch.setenv("LTCDESK_DB_PASSPHRASE", KEY)
    assert is_encrypted(backup_sqlite(encrypted.sqlite_path, tmp_path / "other.db"))
    assert not list(tmp_path.glob(".ltcdesk-backup-*"))


def test_restore_keeps_a_copy_of_the_current_file(plain, tmp_path):
    path = plain.sqlite_path
    backup = backup_sqlite(path, tmp_path / "monday.db")
    _add_practice(plain, "C82002", "Riverside Medical Centre")
    plain.dispose()
    kept = restore_sqlite(backup, path)
    assert kept is not None
    assert kept.name.startswith("team.before-restore-")
    assert _practices(path) == ["Castle Street Surgery"]
    assert _practices(kept) == ["Castle Street Surgery", "Riverside Medical Centre"]


def test_restore_of_an_encrypted_backup(encrypted, tmp_path):
    path = encrypted.sqlite_path
    backup = auto_backup(encrypted, tmp_path / "b", now=MORNING)
    assert backup is not None
    _add_practice(encrypted, "C82002", "Riverside Medical Centre")
    encrypted.dispose()
    before = path.read_bytes()
    with pytest.raises(PassphraseRequired):
        restore_sqlite(backup, path)
    with pytest.raises(WrongPassphrase):
        restore_sqlite(backup, path, "wrong passphrase")
    assert path.read_bytes() == before
    kept = restore_sqlite(backup, path, KEY)
    assert is_encrypted(path)
    assert kept is not None
    assert is_encrypted(kept)
    assert _practices(path, KEY) == ["Castle Street Surgery"]
    assert _practices(kept, KEY) == ["Castle Street Surgery", "Riverside Medical Centre"]


def test_a_damaged_or_foreign_backup_is_refused_and_nothing_is_touched(plain, tmp_path):
    path = plain.sqlite_path
    plain.dispose()
    before = path.read_bytes()
    junk = tmp_path / "junk.db"
    junk.write_bytes(b"not a database at all")
    foreign = tmp_path / "foreign.db"
    with closing(sqlite3.connect(foreign)) as conn:
        conn.execute("CREATE TABLE t (x)")
        conn.commit()
    for bad, message in [
        (junk, "not an ltcdesk"),
        (foreign, "not an ltcdesk database"),
        (tmp_path / "missing.db", "does not exist"),
    ]:
        with pytest.raises(ValidationError, match=message):
            restore_sqlite(bad, path)
    assert path.read_bytes() == before
    assert not list(tmp_path.glob("*.before-restore-*"))


def test_restore_refuses_a_database_that_is_open_elsewhere(plain, tmp_path):
    path = plain.sqlite_path
    backup = backup_sqlite(path, tmp_path / "monday.db")
    plain.dispose()
    with held_open(path), pytest.raises(DomainError, match="in use"):
        restore_sqlite(backup, path)
    assert not list(tmp_path.glob("*.before-restore-*"))


def test_plain_copies_are_listed_after_encrypting(plain, tmp_path):
    folder = tmp_path / "b"
    made = auto_backup(plain, folder, now=MORNING)
    plain.dispose()
    encrypt_sqlite(plain.sqlite_path, KEY)
    assert plaintext_copies(plain.sqlite_path, folder) == [made]


# ------------------------------------------------------------------ the commands


def test_backup_and_restore_commands_on_an_encrypted_database(tmp_path, monkeypatch, capsys):
    from ltcdesk.cli import main
    from ltcdesk.services.demo import generate_demo
    from ltcdesk.services.demo_team import DEMO_PASSWORD

    path = tmp_path / "team.db"
    db = open_database(path)
    generate_demo(db, patients=30, seed=1)
    db.dispose()
    encrypt_sqlite(path, KEY)
    monkeypatch.setenv("LTCDESK_USER", "admin")
    monkeypatch.setenv("LTCDESK_PASSWORD", DEMO_PASSWORD)
    out = tmp_path / "saved.db"

    assert main(["--db", str(path), "backup", "--out", str(out)]) == 2
    assert "is encrypted" in capsys.readouterr().err
    assert not out.exists()

    monkeypatch.setenv("LTCDESK_DB_PASSPHRASE", KEY)
    assert main(["--db", str(path), "backup", "--out", str(out)]) == 0
    assert "encrypted with the database passphrase" in capsys.readouterr().out
    assert is_encrypted(out)

    assert main(["--db", str(path), "restore", str(out)]) == 0
    said = capsys.readouterr().out
    assert "(encrypted)" in said
    assert "the replaced file is kept at" in said
    assert is_encrypted(path)
    assert len(list(tmp_path.glob("team.before-restore-*.db"))) == 1
