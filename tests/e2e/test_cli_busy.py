"""A database still busy past the wait: one plain line and exit 2, never "unexpected error"."""

from __future__ import annotations

import sqlite3

from sqlalchemy import select

from ltcdesk.cli import main
from ltcdesk.db import open_database
from ltcdesk.db_errors import database_busy
from ltcdesk.models import Practice
from ltcdesk.services.accounts import AccountService

PASSWORD = "heron-tidal-lantern-42"


def test_a_write_waiting_past_the_busy_timeout_is_told_what_to_do(tmp_path, monkeypatch, capsys):
    path = tmp_path / "team.db"
    db = open_database(path)
    AccountService(db.sessions).create_first_admin("admin", "Ann Admin", PASSWORD)
    db.dispose()
    monkeypatch.setenv("LTCDESK_USER", "admin")
    monkeypatch.setenv("LTCDESK_PASSWORD", PASSWORD)
    monkeypatch.setenv("LTCDESK_BUSY_TIMEOUT_MS", "300")
    # Someone else's long import holds the write lock.
    other = sqlite3.connect(path, isolation_level=None)
    other.execute("BEGIN IMMEDIATE")
    try:
        code = main(["--db", str(path), "practice", "add", "C82003", "Hill Top Surgery"])
        err = capsys.readouterr().err
    finally:
        other.execute("ROLLBACK")
        other.close()
    assert code == 2
    assert err.startswith("ltcdesk: the database is busy with someone else's long task")
    assert "within 0.3 seconds; nothing was saved. Try again in a minute" in err
    assert "unexpected" not in err
    assert err.count("\n") == 1
    # Once the lock is gone the same command works, and nothing was half-written before.
    assert main(["--db", str(path), "practice", "add", "C82003", "Hill Top Surgery"]) == 0
    db = open_database(path)
    try:
        with db.sessions() as s:
            assert list(s.scalars(select(Practice.code))) == ["C82003"]
    finally:
        db.dispose()


def test_other_database_errors_are_not_taken_for_busy():
    assert database_busy(sqlite3.OperationalError("database is locked"))
    assert not database_busy(sqlite3.OperationalError("no such table: patients"))
    assert not database_busy(ValueError("database is locked"))
