"""Database targets, engines, migrations, backup and restore.

A target is a file path (SQLite, the default) or a SQLAlchemy URL such as
``postgresql+psycopg://user@host/ltcdesk`` for a team's shared server. Opening a database
brings it to the newest schema with Alembic; an existing SQLite file is copied aside first.
SQLite-specific SQL lives only in this module (and ``sqlite_files``, ``encryption``,
``backups`` beside it).

An SQLite file may be encrypted at rest with SQLCipher (dialect ``sqlite+pysqlcipher``):
``open_database(path, passphrase)`` opens either kind, ``create_database(path, passphrase)``
makes a new encrypted one, and ``ltcdesk.encryption`` converts an existing file.
"""

from __future__ import annotations

import logging
import os
import shutil
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

from sqlalchemy import Connection, Engine, Table, create_engine, event, inspect, text
from sqlalchemy.engine import URL, make_url
from sqlalchemy.orm import Session, sessionmaker
from sqlalchemy.pool import QueuePool

from ltcdesk import paths
from ltcdesk.backups import auto_backup, last_backup, plaintext_copies
from ltcdesk.db_errors import busy_timeout_ms
from ltcdesk.domain.errors import ValidationError
from ltcdesk.sqlite_files import (
    PASSPHRASE_ENV,
    PassphraseRequired,
    WrongPassphrase,
    backup_sqlite,
    check_new_passphrase,
    check_passphrase,
    connect,
    database_errors,
    exclusive,
    file_kind,
    fsync_dir,
    fsync_file,
    integrity_problem,
    is_encrypted,
    key_for,
    passphrase_from_env,
    private_database_file,
    sidecars,
)

__all__ = [
    "PASSPHRASE_ENV",
    "Database",
    "PassphraseRequired",
    "WrongPassphrase",
    "auto_backup",
    "backup_sqlite",
    "check_backup",
    "check_new_passphrase",
    "create_database",
    "integrity_problem",
    "is_encrypted",
    "last_backup",
    "needs_passphrase",
    "open_database",
    "passphrase_from_env",
    "plaintext_copies",
    "resolve_target",
    "restore_sqlite",
]

log = logging.getLogger(__name__)
MIGRATIONS_DIR = Path(__file__).parent / "models" / "migrations"


@dataclass(frozen=True)
class Database:
    """An open database: its engine, a session factory and where it lives.

    ``passphrase`` is the SQLCipher key of an encrypted file (kept for backups and
    restores made while the database is open); None for a plain file or PostgreSQL.
    """

    engine: Engine
    sessions: sessionmaker[Session]
    url: str
    sqlite_path: Path | None
    encrypted: bool = False
    passphrase: str | None = field(default=None, repr=False, compare=False)

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
    cursor.execute(f"PRAGMA busy_timeout={busy_timeout_ms()}")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.close()


def _sqlcipher_pragmas(dbapi_conn: Any, _record: Any) -> None:
    # Runs after the dialect's ``PRAGMA key``. Sorts and temporary tables stay in memory so
    # nothing decrypted reaches a temp file; then the usual SQLite pragmas.
    cursor = dbapi_conn.cursor()
    cursor.execute("PRAGMA temp_store=MEMORY")
    cursor.close()
    _sqlite_pragmas(dbapi_conn, _record)


def make_engine(url: str | URL) -> Engine:
    url = make_url(url)
    if url.get_backend_name() != "sqlite":
        # A row lock held past the wait is refused (ltcdesk.db_errors says so in words)
        # rather than waited on for ever.
        return create_engine(
            url,
            pool_pre_ping=True,
            connect_args={"options": f"-c lock_timeout={busy_timeout_ms()}"},
        )
    if url.get_driver_name() == "pysqlcipher":
        # The dialect keys each new connection from the URL's password (quoting it); its
        # default SingletonThreadPool would give every worker thread a connection of its
        # own, so use the same pool as for a plain file.
        engine = create_engine(url, poolclass=QueuePool)
        event.listen(engine, "connect", _sqlcipher_pragmas)
        return engine
    engine = create_engine(url)
    event.listen(engine, "connect", _sqlite_pragmas)
    return engine


def _cipher_url(path: Path, passphrase: str) -> URL:
    # URL.create keeps the passphrase verbatim: no escaping of '@', ':' or '%' to get wrong.
    return URL.create("sqlite+pysqlcipher", password=passphrase, database=str(path))


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


def needs_passphrase(target: str | os.PathLike[str] | None = None) -> bool:
    """True when ``target`` is an existing encrypted SQLite file (ask for the passphrase)."""
    _url, sqlite_path = resolve_target(target)
    return sqlite_path is not None and file_kind(sqlite_path) == "encrypted"


def open_database(
    target: str | os.PathLike[str] | None = None,
    passphrase: str | None = None,
    *,
    migrate: bool = True,
) -> Database:
    """Open and migrate the database named by ``target``; a missing SQLite file is created
    plain (use ``create_database`` for a new encrypted one).

    An encrypted file is opened with ``passphrase``, else ``$LTCDESK_DB_PASSPHRASE``:
    PassphraseRequired when there is neither, WrongPassphrase when it does not fit (the
    file is then untouched: it is checked read-only before anything else happens). A
    passphrase given for a plain file or PostgreSQL is ignored.
    """
    url: str | URL
    url, sqlite_path = resolve_target(target)
    key: str | None = None
    if sqlite_path is not None:
        parsed = make_url(url)
        if parsed.get_driver_name() == "pysqlcipher":
            # A cipher URL names the file and may carry the passphrase; a missing file
            # named this way is meant to be created encrypted.
            passphrase = passphrase or (str(parsed.password) if parsed.password else None)
            if passphrase and file_kind(sqlite_path) == "missing":
                return create_database(sqlite_path, passphrase)
            url = f"sqlite:///{sqlite_path}"
        key = key_for(sqlite_path, passphrase)
        if key is not None:
            check_passphrase(sqlite_path, key)
            url = _cipher_url(sqlite_path, key)
        sqlite_path.parent.mkdir(parents=True, exist_ok=True)
    return _open_engine(url, sqlite_path, key, migrate=migrate)


def create_database(
    target: str | os.PathLike[str] | None = None, passphrase: str | None = None
) -> Database:
    """Create a new database at ``target``, encrypted with ``passphrase`` (SQLite only;
    plain when it is None), migrated to the newest schema, and return it open.

    Refuses a file that already holds data (open that with ``open_database``), a weak
    passphrase (``check_new_passphrase``) and a passphrase for PostgreSQL. If building the
    schema fails the half-made file is removed.
    """
    url, sqlite_path = resolve_target(target)
    if sqlite_path is None:
        if passphrase:
            raise ValidationError(
                "database", "encryption at rest is for SQLite files; a server encrypts its own"
            )
        return open_database(url)
    if file_kind(sqlite_path) != "missing":
        raise ValidationError(
            "database", f"{sqlite_path} already exists; open it instead of creating it"
        )
    if passphrase is None:
        return open_database(sqlite_path)
    key = check_new_passphrase(passphrase)
    sqlite_path.parent.mkdir(parents=True, exist_ok=True)
    try:
        return _open_engine(_cipher_url(sqlite_path, key), sqlite_path, key, migrate=True)
    except BaseException:
        for leftover in [sqlite_path, *sidecars(sqlite_path)]:
            leftover.unlink(missing_ok=True)
        raise


def _open_engine(
    url: str | URL, sqlite_path: Path | None, key: str | None, *, migrate: bool
) -> Database:
    if sqlite_path is not None:
        # 0600 before SQLite first opens it: its -wal and -shm take the file's mode.
        private_database_file(sqlite_path)
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
                    backup_sqlite(sqlite_path, aside, key)
                    log.info("copied database aside before upgrade from %s", current)
                upgrade(engine)
                log.info("database upgraded to %s", head)
    except Exception:
        engine.dispose()
        raise
    shown = make_url(url).set(password=None).render_as_string(hide_password=False)
    return Database(
        engine,
        sessionmaker(engine, expire_on_commit=False),
        shown if key is not None else str(url),
        sqlite_path,
        encrypted=key is not None,
        passphrase=key,
    )


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


def restore_sqlite(backup: Path, target: Path, passphrase: str | None = None) -> Path | None:
    """Replace ``target`` with ``backup`` after checking it; returns where the old file went.

    An encrypted backup needs its passphrase (argument, else ``$LTCDESK_DB_PASSPHRASE``)
    and stays encrypted with it. The current file is copied aside byte for byte (with its
    -wal), so a damaged or differently keyed database is kept too.
    """
    backup = backup.expanduser().resolve()
    key = check_backup(backup, passphrase)
    _ensure_idle(target, key)
    kept: Path | None = None
    if target.exists():
        kept = target.with_name(f"{target.stem}.before-restore-{datetime.now():%Y%m%d-%H%M%S}.db")
        shutil.copy2(target, kept)
        wal = Path(f"{target}-wal")
        if wal.exists():
            shutil.copy2(wal, Path(f"{kept}-wal"))
    staged = target.with_name(f".{target.name}.restoring")
    shutil.copyfile(backup, staged)
    fsync_file(staged)
    for leftover in sidecars(target):
        leftover.unlink(missing_ok=True)
    os.replace(staged, target)
    fsync_dir(target.parent)
    return kept


def check_backup(backup: Path, passphrase: str | None = None) -> str | None:
    """Refuse anything but a whole ltcdesk database; returns the key that opens it."""
    backup = backup.expanduser().resolve()
    if not backup.is_file():
        raise ValidationError("backup file", f"{backup} does not exist")
    try:
        kind = file_kind(backup)
    except ValidationError:
        kind = "missing"
    if kind == "missing":
        raise ValidationError("backup file", f"{backup} is not an ltcdesk (SQLite) backup")
    key = key_for(backup, passphrase)
    problem = integrity_problem(backup, key)
    if problem:
        raise ValidationError("backup file", f"{backup} is damaged: {problem}")
    conn = connect(backup, key, readonly=True)
    try:
        tables = {r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type='table'")}
    finally:
        conn.close()
    if not {"patients", "alembic_version"} <= tables:
        raise ValidationError("backup file", f"{backup} is not an ltcdesk database")
    return key


def _ensure_idle(target: Path, key: str | None) -> None:
    """Refuse to replace a file that ltcdesk has open (it would keep writing to the old one).

    A database nobody has open has no -wal file. When there is one, the file is taken
    offline briefly, which fails if another connection holds it; a file the key does not
    open (restoring a backup made before a rekey) cannot be checked and is copied as it is.
    """
    if not Path(f"{target}-wal").exists():
        return
    try:
        kind = file_kind(target)
    except ValidationError:
        return
    if kind == "missing" or (kind == "encrypted") != (key is not None):
        return
    try:
        with exclusive(target, key):
            pass
    except WrongPassphrase:
        return
    except database_errors():
        return  # damaged: the reason for the restore
