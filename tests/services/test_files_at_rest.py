"""Files at rest: everything ltcdesk writes is 0600 in 0700 folders, and what a killed
ltcdesk left (print previews, the copies of an interrupted encrypt or decrypt) is found at
the next start, reported and removed without ever touching the real database.

Every test runs with umask 022, the usual default that makes new files readable by
everyone, so a mode of 0600 is ltcdesk's doing. SQLite only (files on this computer).
"""

from __future__ import annotations

import logging
import os
import shutil
import signal
import sqlite3
import stat
import subprocess
import sys
import textwrap
from collections.abc import Iterator
from contextlib import closing
from datetime import datetime
from pathlib import Path

import pytest
from sqlalchemy import text

from ltcdesk import paths
from ltcdesk.backups import auto_backup, plaintext_copies
from ltcdesk.config import PrivateRotatingFileHandler
from ltcdesk.db import Database, backup_sqlite, open_database
from ltcdesk.domain.errors import DomainError
from ltcdesk.encryption import decrypt_sqlite, encrypt_sqlite, lock_name
from ltcdesk.fileio import write_atomically
from ltcdesk.leftovers import (
    find_conversion_leftovers,
    remove_stale_temp,
    tidy_conversion_leftovers,
    tidy_on_start,
)
from ltcdesk.sqlite_files import private_database_file, sidecars

KEY = "correct horse battery staple"
ADMIN_PASSWORD = "files at rest: a long sign-in phrase"
MAGIC = b"SQLite format 3\x00"
ROOT = Path(__file__).resolve().parents[2]

pytestmark = pytest.mark.skipif(os.name != "posix", reason="POSIX file modes")


@pytest.fixture(autouse=True)
def _umask_022() -> Iterator[None]:
    before = os.umask(0o022)
    try:
        yield
    finally:
        os.umask(before)


def _mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def _practices(path: Path, key: str | None = None) -> list[str]:
    db = open_database(path, key)
    try:
        with db.engine.connect() as conn:
            return list(conn.execute(text("SELECT name FROM practices ORDER BY code")).scalars())
    finally:
        db.dispose()


@pytest.fixture
def plain(tmp_path: Path) -> Path:
    """A plain database in a folder of its own, holding one practice and an administrator."""
    folder = tmp_path / "team"
    folder.mkdir()
    path = folder / "team.db"
    from ltcdesk.services.accounts import AccountService

    db = open_database(path)
    with db.engine.begin() as conn:
        conn.execute(text("INSERT INTO practices (code, name) VALUES ('C82001', 'Castle St')"))
    AccountService(db.sessions).create_first_admin("admin", "Administrator", ADMIN_PASSWORD)
    db.dispose()
    return path


@pytest.fixture
def cli(monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]):
    """Run ``ltcdesk ARGS`` in this process as the administrator: (exit status, stderr)."""
    from ltcdesk.cli import main

    monkeypatch.setenv("LTCDESK_USER", "admin")
    monkeypatch.setenv("LTCDESK_PASSWORD", ADMIN_PASSWORD)

    def run(*args: str) -> tuple[int, str]:
        capsys.readouterr()
        code = main(list(args))
        return code, capsys.readouterr().err

    return run


# ------------------------------------------------------------------ folders and files


def test_the_data_log_backup_and_temp_folders_are_0700(tmp_path, monkeypatch):
    home = tmp_path / "home"
    home.mkdir(mode=0o755)
    monkeypatch.setenv("LTCDESK_HOME", str(home))
    assert _mode(home) == 0o755
    folders = [
        paths.data_dir(),
        paths.log_dir(),
        paths.backups_dir(),
        paths.temp_dir(),
        paths.session_temp_dir(),
    ]
    assert [_mode(f) for f in folders] == [0o700] * 5
    assert paths.data_dir() == home  # an existing folder is tightened, not replaced


def test_the_system_temp_folder_is_used_only_if_it_is_this_users_own(tmp_path, monkeypatch):
    monkeypatch.delenv("LTCDESK_HOME")
    monkeypatch.setattr("tempfile.tempdir", str(tmp_path))
    monkeypatch.setattr(paths, "user_data_path", lambda *a, **k: tmp_path / "data")
    mine = paths.temp_dir()
    assert mine == tmp_path / f"ltcdesk-{os.getuid()}"
    assert _mode(mine) == 0o700
    # A name taken by someone else (here: a symbolic link planted to a folder of theirs).
    shutil.rmtree(mine)
    elsewhere = tmp_path / "planted"
    elsewhere.mkdir()
    elsewhere.chmod(0o777)
    mine.symlink_to(elsewhere)
    assert paths.temp_dir() == tmp_path / "data" / "tmp"
    assert _mode(elsewhere) == 0o777  # not used, not touched


def test_a_database_made_by_the_command_line_is_0600_with_its_wal_and_shm(
    tmp_path, cli, monkeypatch
):
    monkeypatch.setenv("LTCDESK_NEW_PASSWORD", ADMIN_PASSWORD)
    path = tmp_path / "new.db"
    assert cli("--db", str(path), "init")[0] == 0
    db = open_database(path)
    try:
        with db.engine.connect() as conn:
            conn.execute(text("SELECT count(*) FROM patients")).scalar()
            parts = [path, Path(f"{path}-wal"), Path(f"{path}-shm")]
            assert [_mode(p) for p in parts] == [0o600] * 3
    finally:
        db.dispose()


def test_sqlite_makes_the_wal_and_shm_private_once_the_file_is(tmp_path):
    new = tmp_path / "fresh.db"
    private_database_file(new)
    assert new.stat().st_size == 0
    assert _mode(new) == 0o600
    db = open_database(new)
    try:
        with db.engine.connect() as conn:
            conn.execute(text("SELECT count(*) FROM patients")).scalar()
            assert [_mode(p) for p in (new, Path(f"{new}-wal"), Path(f"{new}-shm"))] == [0o600] * 3
    finally:
        db.dispose()
    # An existing database left readable by an older ltcdesk is tightened, sidecars too.
    old = tmp_path / "old.db"
    with closing(sqlite3.connect(old)) as conn:
        conn.execute("PRAGMA journal_mode=WAL")
        conn.execute("CREATE TABLE t (x)")
        conn.commit()
        Path(f"{old}-wal").touch()
        Path(f"{old}-shm").touch()
        assert _mode(old) == 0o644
        private_database_file(old)
    assert all(_mode(p) == 0o600 for p in (old, *sidecars(old)) if p.exists())


def test_backups_are_0600_in_a_0700_folder(plain, tmp_path):
    db = open_database(plain)
    try:
        made = auto_backup(db, now=datetime(2026, 11, 22, 8, 30))
        assert made is not None
        assert made.parent == paths.backups_dir()
        assert (_mode(made), _mode(made.parent)) == (0o600, 0o700)
        older = made.with_name("team-backup-20261120-083000.db")
        shutil.copyfile(made, older)
        older.chmod(0o644)  # as an older ltcdesk left it
        auto_backup(db, now=datetime(2026, 11, 23, 8, 30))
        assert _mode(older) == 0o600
        out = backup_sqlite(plain, tmp_path / "new folder" / "monday.db")
        assert (_mode(out), _mode(out.parent)) == (0o600, 0o700)
    finally:
        db.dispose()


def test_the_log_file_and_its_rotations_are_0600(tmp_path):
    log_file = tmp_path / "ltcdesk.log"
    log_file.write_text("written by an older ltcdesk\n")
    assert _mode(log_file) == 0o644
    handler = PrivateRotatingFileHandler(log_file, maxBytes=300, backupCount=2, encoding="utf-8")
    logger = logging.getLogger("tests.files_at_rest")
    logger.addHandler(handler)
    logger.propagate = False
    try:
        for i in range(40):
            logger.warning("line %d of the log, long enough to rotate it now and again", i)
    finally:
        logger.removeHandler(handler)
        handler.close()
    files = sorted(tmp_path.glob("ltcdesk.log*"))
    assert [p.name for p in files] == ["ltcdesk.log", "ltcdesk.log.1", "ltcdesk.log.2"]
    assert [_mode(p) for p in files] == [0o600] * 3


def test_setup_logging_writes_a_0600_log_in_the_0700_log_folder():
    code = textwrap.dedent(
        """
        import logging, os, stat
        os.umask(0o022)
        from ltcdesk import config, paths
        config.setup_logging()
        logging.getLogger("t").warning("hello")
        log = paths.log_dir() / "ltcdesk.log"
        print(oct(stat.S_IMODE(log.stat().st_mode)), oct(stat.S_IMODE(log.parent.stat().st_mode)))
        """
    )
    done = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT, check=True
    )
    assert done.stdout.split() == ["0o600", "0o700"]


@pytest.mark.parametrize("name", ["caseload.csv", "care-plan.pdf"])
def test_exports_are_0600_even_over_a_readable_file(tmp_path, name):
    new = write_atomically(tmp_path / name, b"NHS number,Name\n")
    assert _mode(new) == 0o600
    existing = tmp_path / f"old-{name}"
    existing.write_bytes(b"old")
    existing.chmod(0o644)
    write_atomically(existing, b"new")
    assert (_mode(existing), existing.read_bytes()) == (0o600, b"new")


def test_converted_databases_are_0600_and_nothing_is_left_beside_them(plain):
    plain.chmod(0o644)
    encrypt_sqlite(plain, KEY)
    assert _mode(plain) == 0o600
    assert sorted(p.name for p in plain.parent.iterdir()) == ["team.db"]
    plain.chmod(0o644)
    decrypt_sqlite(plain, KEY)
    assert _mode(plain) == 0o600
    assert sorted(p.name for p in plain.parent.iterdir()) == ["team.db"]
    assert _practices(plain) == ["Castle St"]


# ------------------------------------------------------------------ temporary files


PREVIEW = """
    import os, signal, sys, time
    from ltcdesk import paths
    from ltcdesk.fileio import write_atomically
    folder = paths.session_temp_dir()
    write_atomically(folder / "care-plan-v3.pdf", b"%PDF-1.4 a patient's plan")
    print(folder, flush=True)
    if sys.argv[-1] == "crash":
        os.kill(os.getpid(), signal.SIGKILL)
    time.sleep(120)
"""


def _ltcdesk_previewing(then: str) -> subprocess.Popen[str]:
    """A process that writes a preview as ltcdesk does, prints its folder, then crashes
    (``then`` = "crash") or stays running."""
    return subprocess.Popen(
        [sys.executable, "-c", textwrap.dedent(PREVIEW), then],
        cwd=ROOT,
        stdout=subprocess.PIPE,
        text=True,
    )


def test_previews_left_by_a_crash_are_removed_at_the_next_start(plain, cli):
    crashed = _ltcdesk_previewing("crash")
    dead_folder = Path(crashed.communicate(timeout=60)[0].strip())
    assert crashed.returncode == -signal.SIGKILL
    running = _ltcdesk_previewing("stay")
    try:
        assert running.stdout is not None
        live_folder = Path(running.stdout.readline().strip())
        own = paths.session_temp_dir()  # this process's own, in use
        other = paths.temp_dir() / "ltcdesk-restore-x1y2"  # not a session's: left alone
        other.mkdir()
        assert (dead_folder / "care-plan-v3.pdf").is_file()
        assert _mode(dead_folder / "care-plan-v3.pdf") == 0o600
        assert dead_folder.parent == paths.temp_dir() == live_folder.parent == own.parent

        assert cli("--db", str(plain), "practice", "list")[0] == 0  # the next start

        assert not dead_folder.exists()
        assert not dead_folder.with_name(f"{dead_folder.name}.lock").exists()
        assert (live_folder / "care-plan-v3.pdf").is_file()  # another ltcdesk's, still open
        assert own.is_dir()
        assert other.is_dir()
    finally:
        running.kill()
        running.wait()
    assert remove_stale_temp() == [live_folder]
    assert own.is_dir()


# ------------------------------------------------------------------ conversion leftovers


def _aside(db: Path, action: str) -> Path:
    return db.with_name(f"{db.stem}.before-{action}-20261122-083000{db.suffix}")


def test_an_encrypt_killed_after_the_swap_leaves_a_plaintext_copy_that_the_next_start_removes(
    plain, cli, monkeypatch
):
    original = plain.read_bytes()
    encrypt_sqlite(plain, KEY)
    aside = _aside(plain, "encrypt")
    aside.write_bytes(original)  # the old file, still beside the encrypted one
    lock_name(plain).touch()  # its lock, held by nobody now
    assert find_conversion_leftovers(plain)[0].plaintext

    code, err = cli("--db", str(plain), "practice", "list")
    assert code == 2  # the database is encrypted: the command needs the passphrase
    assert aside.exists()  # nothing is removed before the real database has been checked

    monkeypatch.setenv("LTCDESK_DB_PASSPHRASE", KEY)
    code, err = cli("--db", str(plain), "practice", "list")
    assert code == 0
    assert f"removed {aside.name}, an UNENCRYPTED copy of the records" in err
    assert "encrypt" in err
    assert sorted(p.name for p in plain.parent.iterdir() if MAGIC in p.read_bytes()[:16]) == []
    assert not aside.exists()
    assert not lock_name(plain).exists()
    assert _practices(plain, KEY) == ["Castle St"]


def test_an_encrypt_killed_before_the_swap_keeps_the_plain_database_and_says_so(plain, cli):
    # Killed with the old file's second name made (a hard link) and the new copy written.
    aside = _aside(plain, "encrypt")
    os.link(plain, aside)
    half = plain.with_name(".team.db.k3x9q1.encrypt")
    half.write_bytes(os.urandom(8192))
    Path(f"{half}-journal").write_bytes(b"\0" * 512)

    code, err = cli("--db", str(plain), "practice", "list")
    assert code == 0
    assert f"removed {aside.name}, a second name" in err
    assert f"removed {half.name}" in err
    assert "still NOT encrypted: run `ltcdesk encrypt` again" in err
    sidecar_names = {p.name for p in sidecars(plain)}
    assert [p.name for p in plain.parent.iterdir() if p.name not in sidecar_names] == ["team.db"]
    assert _practices(plain) == ["Castle St"]  # the real database is the original, intact


def test_a_decrypt_killed_before_the_swap_leaves_a_hidden_plain_copy_that_goes(
    plain, cli, monkeypatch
):
    encrypt_sqlite(plain, KEY)
    hidden = plain.with_name(".team.db.a81bc2.decrypt")
    decrypted = plain.with_name("elsewhere.db")
    shutil.copyfile(plain, decrypted)
    decrypt_sqlite(decrypted, KEY)
    decrypted.rename(hidden)  # the plain copy it was about to swap in
    assert plaintext_copies(plain) == [hidden]

    monkeypatch.setenv("LTCDESK_DB_PASSPHRASE", KEY)
    code, err = cli("--db", str(plain), "practice", "list")
    assert code == 0
    assert f"removed {hidden.name}, an UNENCRYPTED copy" in err
    assert "still encrypted (the decrypt did not finish)" in err
    assert not hidden.exists()
    assert _practices(plain, KEY) == ["Castle St"]


def test_encrypt_on_an_encrypted_database_removes_and_reports_a_leftover_plain_copy(
    plain, cli, monkeypatch
):
    db = open_database(plain)
    backup = auto_backup(db, now=datetime(2026, 11, 22, 8, 30))  # plain, made before
    db.dispose()
    original = plain.read_bytes()
    encrypt_sqlite(plain, KEY)
    aside = _aside(plain, "encrypt")
    aside.write_bytes(original)

    monkeypatch.setenv("LTCDESK_DB_PASSPHRASE", KEY)
    monkeypatch.setenv("LTCDESK_NEW_DB_PASSPHRASE", KEY)
    code, err = cli("--db", str(plain), "encrypt")
    assert code == 2
    assert f"removed {aside.name}, an UNENCRYPTED copy" in err
    assert "already encrypted" in err
    assert "These older copies are NOT encrypted" in err
    assert str(backup) in err  # a real backup: listed, not deleted
    assert not aside.exists()
    assert backup is not None
    assert backup.exists()


def test_leftovers_are_kept_when_the_real_database_does_not_check_out(plain):
    aside = _aside(plain, "encrypt")
    shutil.copyfile(plain, aside)
    with plain.open("r+b") as fh:  # damage the real database past its first page
        fh.seek(4096)
        fh.write(b"\xff" * 8192)
    told = tidy_conversion_leftovers(plain, None)
    assert len(told) == 1
    assert "NOT removed" in told[0]
    assert str(aside) in told[0]
    assert aside.exists()
    plain.unlink()  # gone altogether: still kept
    assert "NOT removed" in tidy_conversion_leftovers(plain, None)[0]
    assert aside.exists()


def test_a_conversion_running_elsewhere_is_left_alone(plain):
    half = plain.with_name(".team.db.zz11yy.encrypt")
    half.write_bytes(os.urandom(4096))
    fd = paths.open_private(lock_name(plain), os.O_RDWR | os.O_CREAT)
    try:
        assert paths.lock_held(fd)  # as the running conversion holds it
        assert tidy_conversion_leftovers(plain, None) == []
        assert half.exists()
    finally:
        os.close(fd)
    assert tidy_conversion_leftovers(plain, None)[0].startswith(f"removed {half.name}")
    assert not half.exists()


def test_nothing_to_tidy_says_nothing_and_an_old_readable_database_is_tightened(plain):
    db: Database = open_database(plain)
    try:
        with db.engine.connect() as conn:
            conn.execute(text("SELECT count(*) FROM patients")).scalar()
            for part in (plain, Path(f"{plain}-wal"), Path(f"{plain}-shm")):
                part.chmod(0o644)  # as SQLite made them for an older ltcdesk
            assert tidy_on_start(db) == []
            assert [_mode(p) for p in (plain, Path(f"{plain}-wal"), Path(f"{plain}-shm"))] == [
                0o600
            ] * 3
    finally:
        db.dispose()


def test_a_second_conversion_of_the_same_file_is_refused_while_one_runs(plain):
    fd = paths.open_private(lock_name(plain), os.O_RDWR | os.O_CREAT)
    try:
        assert paths.lock_held(fd)
        before = plain.read_bytes()
        with pytest.raises(DomainError, match="being converted by another ltcdesk"):
            encrypt_sqlite(plain, KEY)
        assert plain.read_bytes() == before
        assert lock_name(plain).exists()  # the running one's lock is not taken from it
    finally:
        os.close(fd)
