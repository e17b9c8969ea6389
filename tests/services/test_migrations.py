"""The Alembic migrations build exactly the schema the models describe, on every backend,
and an existing SQLite file is copied aside before it is upgraded."""

from __future__ import annotations

import sqlite3

from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import text

import ltcdesk.db as dbmod
from ltcdesk.models import Base


def test_migrated_schema_matches_the_models(db):
    with db.engine.connect() as conn:
        diff = compare_metadata(MigrationContext.configure(conn), Base.metadata)
    assert diff == []


def test_condition_registers_are_seeded(db):
    with db.engine.connect() as conn:
        names = dict(conn.execute(text("SELECT code, name FROM condition_types")).all())
    assert len(names) == 20
    assert names["COPD"] == "COPD"
    assert names["HF"] == "Heart failure"


def test_sqlite_pragmas_are_on(tmp_path):
    db = dbmod.open_database(tmp_path / "p.db")
    with db.engine.connect() as conn:
        assert conn.execute(text("PRAGMA journal_mode")).scalar() == "wal"
        assert conn.execute(text("PRAGMA foreign_keys")).scalar() == 1
        assert conn.execute(text("PRAGMA busy_timeout")).scalar() == 10000
    db.dispose()


def test_an_older_sqlite_file_is_copied_aside_before_upgrading(tmp_path, monkeypatch):
    path = tmp_path / "team.db"
    db = dbmod.open_database(path)
    with db.engine.begin() as conn:
        conn.execute(text("INSERT INTO practices (code, name) VALUES ('C82001', 'Castle')"))
    db.dispose()
    # Pretend the file was written by an older release.
    monkeypatch.setattr(dbmod, "current_revision", lambda engine: "0000_older")
    upgraded: list[bool] = []
    monkeypatch.setattr(dbmod, "upgrade", lambda engine: upgraded.append(True))
    dbmod.open_database(path).dispose()
    copies = list(tmp_path.glob("team.before-upgrade-*.db"))
    assert upgraded == [True]
    assert len(copies) == 1
    with sqlite3.connect(copies[0]) as conn:
        assert conn.execute("SELECT name FROM practices").fetchall() == [("Castle",)]
        assert conn.execute("PRAGMA integrity_check").fetchone() == ("ok",)


def test_a_current_database_is_not_copied(tmp_path):
    path = tmp_path / "team.db"
    dbmod.open_database(path).dispose()
    dbmod.open_database(path).dispose()
    assert list(tmp_path.glob("*.before-upgrade-*")) == []
