"""Encryption at rest (SQLite + SQLCipher): opening, creating and converting database files.

SQLite only: PostgreSQL encrypts on the server. The `strings` tests read the raw bytes of
the database and its -wal file and look for patients' names.
"""

from __future__ import annotations

import argparse
import re
import sqlite3
from contextlib import closing
from pathlib import Path

import pytest
from sqlalchemy import select, text

import ltcdesk.db as dbmod
from ltcdesk.cli_security import cmd_decrypt, cmd_encrypt, cmd_rekey
from ltcdesk.db import (
    Database,
    PassphraseRequired,
    WrongPassphrase,
    create_database,
    is_encrypted,
    needs_passphrase,
    open_database,
)
from ltcdesk.domain.errors import DomainError, ValidationError
from ltcdesk.encryption import decrypt_sqlite, encrypt_sqlite, rekey_sqlite
from ltcdesk.models import AuditEntry
from ltcdesk.services.demo import generate_demo
from ltcdesk.sqlite_files import connect
from tests.services.held_open import held_open

KEY = "correct horse battery staple"
NEW_KEY = "a different passphrase"
# Quotes, URL syntax, a backslash and non-ASCII: nothing may be lost in the quoting.
AWKWARD = """it's "quoted" %20@host:5432/db?x=1 \\ é ünïcode;--"""


def _state(path: Path) -> dict[str, bytes]:
    """Every file in the folder with its bytes: 'nothing was touched' means equal states."""
    return {p.name: p.read_bytes() for p in sorted(path.parent.iterdir()) if p.is_file()}


def _family_names(db: Database) -> list[str]:
    with db.engine.connect() as conn:
        names = conn.execute(text("SELECT DISTINCT family_name FROM patients")).scalars().all()
    # Short names could turn up by chance in random bytes; the demo's are all longer.
    return [n for n in names if len(n) >= 5]


def _strings(data: bytes) -> str:
    """What `strings -n 4` prints: runs of four or more printable characters."""
    return "\n".join(m.decode() for m in re.findall(rb"[\x20-\x7e]{4,}", data))


def _counts(db: Database) -> dict[str, int]:
    with db.engine.connect() as conn:
        return {
            t: conn.execute(text(f"SELECT count(*) FROM {t}")).scalar_one()
            for t in ("patients", "staff", "carers", "audit_log")
        }


@pytest.fixture
def plain_demo(tmp_path: Path) -> tuple[Path, list[str], dict[str, int]]:
    """A plain database with 200 demo patients: (path, family names, row counts)."""
    path = tmp_path / "team.db"
    db = open_database(path)
    generate_demo(db, patients=200, seed=1)
    names, counts = _family_names(db), _counts(db)
    db.dispose()
    assert len(names) > 50
    return path, names, counts


@pytest.fixture
def encrypted_file(tmp_path: Path) -> Path:
    path = tmp_path / "secret.db"
    db = create_database(path, KEY)
    with db.engine.begin() as conn:
        conn.execute(text("INSERT INTO practices (code, name) VALUES ('C82001', 'Castle')"))
    db.dispose()
    return path


# ------------------------------------------------------------------ opening


def test_a_new_encrypted_database_is_not_sqlite_on_disk(encrypted_file):
    assert encrypted_file.read_bytes()[:16] != b"SQLite format 3\x00"
    assert is_encrypted(encrypted_file)
    assert needs_passphrase(encrypted_file)
    with pytest.raises(sqlite3.DatabaseError):
        sqlite3.connect(encrypted_file).execute("SELECT * FROM sqlite_master").fetchall()


def test_it_opens_with_its_passphrase_with_the_usual_pragmas(encrypted_file):
    db = open_database(encrypted_file, KEY)
    try:
        assert db.encrypted
        assert KEY not in db.url
        assert KEY not in repr(db)
        with db.engine.connect() as conn:
            assert conn.execute(text("SELECT name FROM practices")).scalars().all() == ["Castle"]
            assert conn.execute(text("PRAGMA journal_mode")).scalar() == "wal"
            assert conn.execute(text("PRAGMA foreign_keys")).scalar() == 1
            assert conn.execute(text("PRAGMA busy_timeout")).scalar() == 10000
            assert conn.execute(text("PRAGMA cipher_version")).scalar()
        assert dbmod.current_revision(db.engine) == dbmod.head_revision()
    finally:
        db.dispose()


def test_the_passphrase_can_come_from_the_environment(encrypted_file, monkeypatch):
    monkeypatch.setenv("LTCDESK_DB_PASSPHRASE", KEY)
    db = open_database(encrypted_file)
    assert db.encrypted
    db.dispose()


def test_no_passphrase_is_refused(encrypted_file):
    before = _state(encrypted_file)
    with pytest.raises(PassphraseRequired, match="is encrypted"):
        open_database(encrypted_file)
    assert _state(encrypted_file) == before


@pytest.mark.parametrize("wrong", ["wrong passphrase", KEY.upper(), KEY + " ", "'"])
def test_a_wrong_passphrase_leaves_the_file_byte_identical(encrypted_file, wrong):
    before = _state(encrypted_file)
    with pytest.raises(WrongPassphrase) as caught:
        open_database(encrypted_file, wrong)
    assert str(caught.value) == "The database passphrase is wrong. Nothing was changed."
    assert isinstance(caught.value, DomainError)
    assert _state(encrypted_file) == before  # no -wal, no -shm, no copy, no migration


def test_a_plain_file_ignores_a_passphrase(tmp_path):
    db = open_database(tmp_path / "plain.db", KEY)
    assert not db.encrypted
    db.dispose()
    assert (tmp_path / "plain.db").read_bytes()[:16] == b"SQLite format 3\x00"


def test_awkward_passphrases_mean_the_same_to_the_engine_and_to_sqlcipher(tmp_path):
    path = tmp_path / "awkward.db"
    create_database(path, AWKWARD).dispose()
    conn = connect(path, AWKWARD, readonly=True)  # PRAGMA key with an SQL literal
    assert conn.execute("SELECT count(*) FROM alembic_version").fetchone() == (1,)
    conn.close()
    decrypt_sqlite(path, AWKWARD)  # ATTACH ... KEY with bound parameters
    encrypt_sqlite(path, AWKWARD)
    open_database(path, AWKWARD).dispose()  # the dialect's own quoting


def test_create_refuses_an_existing_file_and_a_weak_passphrase(tmp_path, encrypted_file):
    before = _state(encrypted_file)
    with pytest.raises(ValidationError, match="already exists"):
        create_database(encrypted_file, KEY)
    with pytest.raises(ValidationError, match="at least 10"):
        create_database(tmp_path / "weak.db", "short")
    assert not (tmp_path / "weak.db").exists()
    assert _state(encrypted_file) == before


def test_create_without_a_passphrase_makes_a_plain_database(tmp_path):
    db = create_database(tmp_path / "plain.db", None)
    assert not db.encrypted
    db.dispose()


def test_an_older_encrypted_file_is_copied_aside_encrypted_before_upgrading(
    encrypted_file, monkeypatch
):
    monkeypatch.setattr(dbmod, "current_revision", lambda engine: "0000_older")
    upgraded: list[bool] = []
    monkeypatch.setattr(dbmod, "upgrade", lambda engine: upgraded.append(True))
    open_database(encrypted_file, KEY).dispose()
    (copy,) = encrypted_file.parent.glob("secret.before-upgrade-*.db")
    assert upgraded == [True]
    assert is_encrypted(copy)
    conn = connect(copy, KEY, readonly=True)
    assert conn.execute("SELECT name FROM practices").fetchall() == [("Castle",)]
    conn.close()


# ------------------------------------------------------------------ converting


def test_encrypt_keeps_every_row_and_hides_every_name(plain_demo):
    path, names, counts = plain_demo
    plain = path.read_bytes()
    # The check can see names in a plain file (`strings` shows the ASCII ones).
    assert all(name.encode() in plain for name in names)
    assert all(name in _strings(plain) for name in names if name.isascii())

    assert encrypt_sqlite(path, KEY) == path
    raw = path.read_bytes()
    assert is_encrypted(path)
    found = [n for n in names if n.encode() in raw or n in _strings(raw)]
    assert found == []
    assert sorted(p.name for p in path.parent.iterdir()) == ["team.db"]  # no copies, no temp

    db = open_database(path, KEY)
    try:
        assert _counts(db) == counts
    finally:
        db.dispose()


def test_the_wal_of_an_encrypted_database_holds_no_names(plain_demo):
    path, names, _counts_before = plain_demo
    encrypt_sqlite(path, KEY)
    db = open_database(path, KEY)
    try:
        with db.engine.begin() as conn:
            conn.execute(text("UPDATE patients SET address = family_name || ' Cottage'"))
            conn.execute(text("UPDATE carers SET name = name || ' Junior'"))
        wal = Path(f"{path}-wal")
        assert wal.stat().st_size > 40_000  # the writes are in the WAL, not yet checkpointed
        for part in (path, wal, Path(f"{path}-shm")):
            raw = part.read_bytes()
            assert [n for n in names if n.encode() in raw or n in _strings(raw)] == [], part
    finally:
        db.dispose()


def test_decrypt_gives_back_a_plain_file_with_every_row(plain_demo):
    path, names, counts = plain_demo
    encrypt_sqlite(path, KEY)
    assert decrypt_sqlite(path, KEY) == path
    assert path.read_bytes()[:16] == b"SQLite format 3\x00"
    assert names[0].encode() in path.read_bytes()
    db = open_database(path)
    try:
        assert not db.encrypted
        assert _counts(db) == counts
    finally:
        db.dispose()
    with closing(sqlite3.connect(path)) as conn:
        assert conn.execute("PRAGMA integrity_check").fetchone() == ("ok",)


def test_rekey_the_old_passphrase_fails_and_the_new_one_works(plain_demo):
    path, _names, counts = plain_demo
    encrypt_sqlite(path, KEY)
    rekey_sqlite(path, KEY, NEW_KEY)
    with pytest.raises(WrongPassphrase):
        open_database(path, KEY)
    db = open_database(path, NEW_KEY)
    try:
        assert _counts(db) == counts
    finally:
        db.dispose()
    assert sorted(p.name for p in path.parent.iterdir()) == ["team.db"]


def test_conversions_refuse_the_wrong_kind_of_file(plain_demo, encrypted_file):
    path, _names, _counts = plain_demo
    with pytest.raises(ValidationError, match="is not encrypted"):
        decrypt_sqlite(path, KEY)
    with pytest.raises(ValidationError, match="is not encrypted"):
        rekey_sqlite(path, KEY, NEW_KEY)
    with pytest.raises(ValidationError, match="already encrypted"):
        encrypt_sqlite(encrypted_file, KEY)
    with pytest.raises(ValidationError, match="does not exist"):
        encrypt_sqlite(path.with_name("missing.db"), KEY)
    with pytest.raises(ValidationError, match="at least 10"):
        encrypt_sqlite(path, "short")
    with pytest.raises(ValidationError, match="same as the current"):
        rekey_sqlite(encrypted_file, KEY, KEY)


def test_a_wrong_passphrase_converts_nothing(encrypted_file):
    before = _state(encrypted_file)
    with pytest.raises(WrongPassphrase):
        decrypt_sqlite(encrypted_file, "not the passphrase")
    with pytest.raises(WrongPassphrase):
        rekey_sqlite(encrypted_file, "not the passphrase", NEW_KEY)
    assert _state(encrypted_file) == before


def test_a_database_in_use_is_not_converted(plain_demo):
    path, _names, _counts = plain_demo
    with held_open(path):
        before = _state(path)
        with pytest.raises(DomainError, match="in use"):
            encrypt_sqlite(path, KEY)
        assert _state(path) == before
    assert path.read_bytes()[:16] == b"SQLite format 3\x00"


def test_a_failed_check_leaves_the_database_as_it_was(plain_demo, monkeypatch):
    import ltcdesk.encryption as enc

    path, _names, _counts = plain_demo

    def contents() -> tuple[list[str], str]:
        with closing(sqlite3.connect(path)) as conn:
            return list(conn.iterdump()), conn.execute("PRAGMA journal_mode").fetchone()[0]

    before = contents()
    monkeypatch.setattr(enc, "_verify", lambda *a: "row counts differ in patients")
    with pytest.raises(DomainError, match="left as it was"):
        encrypt_sqlite(path, KEY)
    # Taking the file offline moved SQLite's change counter on, nothing else.
    assert contents() == before
    assert before[1] == "wal"
    assert sorted(p.name for p in path.parent.iterdir()) == ["team.db"]


# ------------------------------------------------------------------ the commands


def _admin_env(monkeypatch: pytest.MonkeyPatch, username: str = "admin") -> None:
    """The CLI signs in as a member of the demo team."""
    from ltcdesk.services.demo_team import DEMO_PASSWORD

    monkeypatch.setenv("LTCDESK_USER", username)
    monkeypatch.setenv("LTCDESK_PASSWORD", DEMO_PASSWORD)


def test_the_encrypt_decrypt_rekey_commands(plain_demo, monkeypatch, capsys):
    from ltcdesk.cli import main

    path, names, counts = plain_demo
    _admin_env(monkeypatch)
    db_arg = ["--db", str(path)]

    monkeypatch.setenv("LTCDESK_NEW_DB_PASSPHRASE", KEY)
    assert main([*db_arg, "encrypt"]) == 0
    assert "Encrypted" in capsys.readouterr().out
    assert not any(n.encode() in path.read_bytes() for n in names)
    assert main([*db_arg, "encrypt"]) == 2  # signing in needs the passphrase now
    assert "is encrypted" in capsys.readouterr().err

    monkeypatch.setenv("LTCDESK_DB_PASSPHRASE", KEY)
    monkeypatch.setenv("LTCDESK_NEW_DB_PASSPHRASE", NEW_KEY)
    assert main([*db_arg, "encrypt"]) == 2
    assert "already encrypted" in capsys.readouterr().err
    assert main([*db_arg, "rekey"]) == 0
    assert main([*db_arg, "rekey"]) == 2  # the old passphrase no longer opens it
    assert "passphrase is wrong" in capsys.readouterr().err

    monkeypatch.setenv("LTCDESK_DB_PASSPHRASE", NEW_KEY)
    assert main([*db_arg, "decrypt"]) == 0
    assert path.read_bytes()[:16] == b"SQLite format 3\x00"
    db = open_database(path)
    assert _counts(db)["patients"] == counts["patients"]
    db.dispose()


def test_only_an_administrator_may_encrypt(plain_demo, monkeypatch, capsys):
    from ltcdesk.cli import main

    path, _names, _counts = plain_demo
    _admin_env(monkeypatch, "k.oconnell")  # a team lead: may back up, not encrypt
    monkeypatch.setenv("LTCDESK_NEW_DB_PASSPHRASE", KEY)
    assert main(["--db", str(path), "encrypt"]) == 2
    assert "may not change settings" in capsys.readouterr().err
    assert path.read_bytes()[:16] == b"SQLite format 3\x00"
    db = open_database(path)
    try:
        with db.sessions() as s:
            denied = s.scalars(
                select(AuditEntry.summary).where(
                    AuditEntry.action == "denied", AuditEntry.username == "k.oconnell"
                )
            ).all()
    finally:
        db.dispose()
    assert denied == ["Refused: settings.manage"]  # the refusal is in the audit log


def test_a_new_passphrase_is_never_taken_without_a_terminal(plain_demo, monkeypatch):
    path, _names, _counts = plain_demo
    _admin_env(monkeypatch)
    monkeypatch.setattr("sys.stdin.isatty", lambda: False, raising=False)
    args = argparse.Namespace(db=str(path), user=None)
    with pytest.raises(ValidationError, match="LTCDESK_NEW_DB_PASSPHRASE"):
        cmd_encrypt(args)
    assert path.read_bytes()[:16] == b"SQLite format 3\x00"
    for handler in (cmd_decrypt, cmd_rekey):
        with pytest.raises(ValidationError, match="not encrypted"):
            handler(argparse.Namespace(db=str(path), user=None))
