"""Shared fixtures.

``db`` is a fresh database per test built by ``alembic upgrade head`` (through
``ltcdesk.db.open_database``), on SQLite always and on PostgreSQL too when
``LTCDESK_TEST_PG_URL`` names a scratch database.
"""

from __future__ import annotations

import os
import secrets
import tempfile
from collections.abc import Iterator
from datetime import date
from pathlib import Path

import pytest
from sqlalchemy import create_engine, text

from ltcdesk.db import Database, open_database
from ltcdesk.services.setup import SetupService, ensure_admin

PG_URL = os.environ.get("LTCDESK_TEST_PG_URL")
TODAY = date(2026, 11, 22)
BACKENDS = ["sqlite", "postgresql"] if PG_URL else ["sqlite"]

# One audit key for the whole run (and the CLI subprocesses it starts), so that databases
# made by session-wide fixtures verify under every test's own data folder.
_KEY_FILE = os.path.join(tempfile.mkdtemp(prefix="ltcdesk-test-key-"), "audit.key")
with open(os.open(_KEY_FILE, os.O_WRONLY | os.O_CREAT, 0o600), "w") as _out:
    _out.write(secrets.token_hex(32) + "\n")
os.environ["LTCDESK_AUDIT_KEY_FILE"] = _KEY_FILE


@pytest.fixture(autouse=True)
def _isolated_home(
    tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Never touch the real user data folder or the developer's LTCDESK_DB."""
    monkeypatch.setenv("LTCDESK_HOME", str(tmp_path_factory.mktemp("home")))
    monkeypatch.delenv("LTCDESK_DB", raising=False)
    monkeypatch.delenv("LTCDESK_USER", raising=False)


def _reset_postgres(url: str) -> None:
    engine = create_engine(url)
    with engine.begin() as conn:
        conn.execute(text("DROP SCHEMA public CASCADE"))
        conn.execute(text("CREATE SCHEMA public"))
    engine.dispose()


@pytest.fixture(params=BACKENDS)
def db(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Database]:
    if request.param == "postgresql":
        assert PG_URL is not None
        _reset_postgres(PG_URL)
        database = open_database(PG_URL)
    else:
        database = open_database(tmp_path / "test.db")
    try:
        yield database
    finally:
        database.dispose()


@pytest.fixture
def team(db: Database) -> Database:
    """A database with an admin, two practices and a small team that cares for them."""
    ensure_admin(db.sessions)
    setup = SetupService(db.sessions, "admin")
    setup.add_practice("C82001", "Castle Street Surgery", team="Northfield")
    setup.add_practice("C82002", "Riverside Medical Centre", team="Northfield")
    for username, name, role in [
        ("lead", "Tessa Lead", "team_lead"),
        ("matron1", "Mary Matron", "community_matron"),
        ("matron2", "Martin Matron", "community_matron"),
        ("nurse", "Nia Nurse", "district_nurse"),
        ("navigator", "Nadia Navigator", "care_navigator"),
    ]:
        setup.add_staff(username, name, role, team="Northfield")
    setup.set_team("admin", "Northfield")  # the team's records clerk (need to know)
    return db
