"""Database targets, engines, migrations, backup and restore.

A target is a file path (SQLite, the default) or a SQLAlchemy URL such as
``postgresql+psycopg://user@host/ltcdesk`` for a team's shared server. Opening a database
brings it to the newest schema with Alembic; an existing SQLite file is copied aside first.
SQLite-specific SQL lives only in this module.
"""

from __future__ import annotations

import logging
import os
import shutil
import sqlite3
import tempfile
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

from sqlalchemy import Connection, Engine, Table, create_engine, event, inspect, text
from sqlalchemy.engine import make_url
from sqlalchemy.orm import Session, sessionmaker

from ltcdesk import paths
from ltcdesk.domain.errors import DomainError, ValidationError

log = logging.getLogger(__name__)
MIGRATIONS_DIR = Path(__file__).parent / "models" / "migrations"


@dataclass(frozen=True)
class Database:
    """An open database: its engine, a session factory and where it lives."""

    engine: Engine
    sessions: sessionmaker[Session]
    url: str
    sqlite_path: Path | None

    @property
    def display_name(self) -> str:
        """Where the data is, without any password."""
        if self.sqlite_path is not None:
            return str(self.sqlite_path)
        return make_url(self.url).render_as_string(hide_password=True)

    def dispose(self) -> None:
        self.engine.dispose()


def resolve_target(target: str | os.PathLike[str] | None) -> tuple[str, Path | None]:
    """(SQLAlchemy URL, SQLite path or None) for --db / LTCDESK_DB / the default file."""
    raw = os.fspath(target) if target is not None else os.environ.get("LTCDESK_DB")
    if not raw:
        path = paths.default_database()
        return f"sqlite:///{path}", path
    if "://" in raw:
        url = make_url(raw)
        if url.get_backend_name() == "sqlite":
            db = url.database
            return raw, Path(db).resolve() if db and db != ":memory:" else None
        return raw, None
    path = Path(raw).expanduser().resolve()
    return f"sqlite:///{path}", path


def _sqlite_pragmas(dbapi_conn: Any, _record: Any) -> None:
    # Python's sqlite3 opens transactions lazily; SQLAlchemy drives them. The pragmas make
    # a laptop database robust: WAL for readers during writes, enforced foreign keys, and a
    # wait instead of an immediate "database is locked".
    cursor = dbapi_conn.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA busy_timeout=10000")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.close()


def make_engine(url: str) -> Engine:
    if make_url(url).get_backend_name() == "sqlite":
        engine = create_engine(url)
        event.listen(engine, "connect", _sqlite_pragmas)
        return engine
    return create_engine(url, pool_pre_ping=True)


def alembic_config(engine: Engine) -> Any:
    from alembic.config import Config

    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS_DIR))
    cfg.attributes["engine"] = engine
    return cfg


def head_revision() -> str:
    from alembic.script import ScriptDirectory

    cfg = alembic_config(create_engine("sqlite://"))
    head = ScriptDirectory.from_config(cfg).get_current_head()
    assert head is not None
    return head


def current_revision(engine: Engine) -> str | None:
    from alembic.runtime.migration import MigrationContext

    with engine.connect() as conn:
        return MigrationContext.configure(conn).get_current_revision()


def upgrade(engine: Engine) -> None:
    from alembic import command

    command.upgrade(alembic_config(engine), "head")


def open_database(
    target: str | os.PathLike[str] | None = None, *, migrate: bool = True
) -> Database:
    """Open (creating if need be) and migrate the database named by ``target``."""
    url, sqlite_path = resolve_target(target)
    if sqlite_path is not None:
        if sqlite_path.exists() and not _looks_like_sqlite(sqlite_path):
            raise ValidationError("database", f"{sqlite_path} is not an ltcdesk (SQLite) database")
        sqlite_path.parent.mkdir(parents=True, exist_ok=True)
    engine = make_engine(url)
    try:
        if migrate:
            current = current_revision(engine)
            head = head_revision()
            if current != head:
                if current is not None and sqlite_path is not None:
                    aside = sqlite_path.with_name(
                        f"{sqlite_path.stem}.before-upgrade-{datetime.now():%Y%m%d-%H%M%S}.db"
                    )
                    backup_sqlite(sqlite_path, aside)
                    log.info("copied database aside before upgrade from %s", current)
                upgrade(engine)
                log.info("database upgraded to %s", head)
    except Exception:
        engine.dispose()
        raise
    return Database(engine, sessionmaker(engine, expire_on_commit=False), url, sqlite_path)


def _looks_like_sqlite(path: Path) -> bool:
    if path.stat().st_size == 0:
        return True
    with path.open("rb") as fh:
        return fh.read(16) == b"SQLite format 3\x00"


def sync_id_sequences(conn: Connection, tables: Sequence[Table]) -> None:
    """After inserting explicit ids in bulk, move PostgreSQL's id sequences past them.

    Otherwise the next ordinary INSERT would be given an id already in use. SQLite takes
    max(id) + 1 by itself, so there is nothing to do there.
    """
    if conn.dialect.name != "postgresql":
        return
    for table in tables:
        conn.execute(
            text(
                f"SELECT setval(pg_get_serial_sequence('{table.name}', 'id'), "
                f"(SELECT MAX(id) FROM {table.name}))"
            )
        )


def is_empty(db: Database) -> bool:
    """True when no patient has been registered (used to offer demo data)."""
    with db.engine.connect() as conn:
        if not inspect(conn).has_table("patients"):
            return True
        return conn.execute(text("SELECT 1 FROM patients LIMIT 1")).first() is None


# ---------------------------------------------------------------- backup and restore


def backup_sqlite(source: Path, destination: Path) -> Path:
    """Consistent copy of a live SQLite database with the online backup API.

    Written to a temporary file beside the destination, checked, then renamed into place,
    so a half-written backup never carries the final name.
    """
    destination = destination.expanduser().resolve()
    destination.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp_name = tempfile.mkstemp(prefix=".ltcdesk-backup-", suffix=".db", dir=destination.parent)
    os.close(fd)
    tmp = Path(tmp_name)
    try:
        src = sqlite3.connect(f"file:{source}?mode=ro", uri=True)
        dst = sqlite3.connect(tmp)
        try:
            with dst:
                src.backup(dst)
            dst.execute("PRAGMA journal_mode=DELETE")
        finally:
            src.close()
            dst.close()
        problem = integrity_problem(tmp)
        if problem:
            raise DomainError(f"The backup failed its integrity check: {problem}")
        os.replace(tmp, destination)
    finally:
        tmp.unlink(missing_ok=True)
    return destination


def integrity_problem(path: Path) -> str | None:
    """None when ``PRAGMA integrity_check`` says ok, else what it said."""
    try:
        conn = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
        try:
            rows = conn.execute("PRAGMA integrity_check").fetchall()
        finally:
            conn.close()
    except sqlite3.DatabaseError as exc:
        return str(exc)
    verdict = "; ".join(str(r[0]) for r in rows)
    return None if verdict == "ok" else verdict


def restore_sqlite(backup: Path, target: Path) -> Path | None:
    """Replace ``target`` with ``backup`` after checking it; returns where the old file went."""
    backup = backup.expanduser().resolve()
    if not backup.is_file():
        raise ValidationError("backup file", f"{backup} does not exist")
    if not _looks_like_sqlite(backup) or backup.stat().st_size == 0:
        raise ValidationError("backup file", f"{backup} is not an ltcdesk (SQLite) backup")
    problem = integrity_problem(backup)
    if problem:
        raise ValidationError("backup file", f"{backup} is damaged: {problem}")
    conn = sqlite3.connect(f"file:{backup}?mode=ro", uri=True)
    try:
        tables = {r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type='table'")}
    finally:
        conn.close()
    if not {"patients", "alembic_version"} <= tables:
        raise ValidationError("backup file", f"{backup} is not an ltcdesk database")
    kept: Path | None = None
    if target.exists():
        kept = target.with_name(f"{target.stem}.before-restore-{datetime.now():%Y%m%d-%H%M%S}.db")
        backup_sqlite(target, kept)
    staged = target.with_name(f".{target.name}.restoring")
    shutil.copyfile(backup, staged)
    for suffix in ("-wal", "-shm"):
        Path(f"{target}{suffix}").unlink(missing_ok=True)
    os.replace(staged, target)
    return kept
