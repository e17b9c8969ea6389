"""SQLite database files on disk, plain or encrypted with SQLCipher.

The low-level pieces shared by ``db`` (open, back up, restore), ``encryption`` (encrypt,
decrypt, rekey) and ``backups`` (the daily automatic backup): telling a plain file from an
encrypted one, opening either with the right key, checking integrity, and making sure no
other program has the file open before it is replaced.

A plain SQLite file starts with ``SQLite format 3\\0``; an SQLCipher file starts with a
random salt and is otherwise indistinguishable from noise, so anything else whose size is
a whole number of pages is taken to be encrypted.

Every database file ltcdesk makes is 0600 (``ltcdesk.paths.PRIVATE_FILE``): SQLite gives
its -wal, -shm and -journal files the mode of the database file, so ``private_database_file``
makes the file itself 0600 before SQLite first opens it.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import sqlite3
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any, Literal

from ltcdesk import paths
from ltcdesk.audit_checkpoints import embed_in_backup
from ltcdesk.domain.errors import DomainError, ValidationError

SQLITE_MAGIC = b"SQLite format 3\x00"
PASSPHRASE_ENV = "LTCDESK_DB_PASSPHRASE"
MIN_PASSPHRASE_LENGTH = 10
FileKind = Literal["missing", "plain", "encrypted"]


class PassphraseRequired(DomainError):
    """The database file is encrypted and no passphrase was given."""

    def __init__(self, path: Path) -> None:
        super().__init__(
            f"{path} is encrypted. Enter the database passphrase "
            f"(or set {PASSPHRASE_ENV}) to open it."
        )
        self.path = path


class WrongPassphrase(DomainError):
    """The passphrase does not open the encrypted file; nothing was read or written."""

    def __init__(self, path: Path | None = None) -> None:
        super().__init__("The database passphrase is wrong. Nothing was changed.")
        self.path = path


def passphrase_from_env() -> str | None:
    """``$LTCDESK_DB_PASSPHRASE`` or None (an empty value counts as none)."""
    return os.environ.get(PASSPHRASE_ENV) or None


def check_new_passphrase(passphrase: str | None) -> str:
    """The passphrase itself if it is acceptable for a new or converted database."""
    if not passphrase:
        raise ValidationError("passphrase", "enter a passphrase to encrypt the database with")
    if len(passphrase) < MIN_PASSPHRASE_LENGTH:
        raise ValidationError(
            "passphrase", f"use at least {MIN_PASSPHRASE_LENGTH} characters for the passphrase"
        )
    if "\x00" in passphrase:
        raise ValidationError("passphrase", "the passphrase cannot contain a NUL character")
    return passphrase


def file_kind(path: Path) -> FileKind:
    """ "missing" (absent or empty), "plain" or "encrypted"; anything else is refused."""
    try:
        size = path.stat().st_size
    except FileNotFoundError:
        return "missing"
    if size == 0:
        return "missing"
    with path.open("rb") as fh:
        head = fh.read(len(SQLITE_MAGIC))
    if head == SQLITE_MAGIC:
        return "plain"
    if size >= 512 and size % 512 == 0:
        return "encrypted"
    raise ValidationError("database", f"{path} is not an ltcdesk (SQLite) database")


def is_encrypted(path: str | os.PathLike[str]) -> bool:
    """True when ``path`` is an existing SQLCipher-encrypted database file."""
    return file_kind(Path(path)) == "encrypted"


def sidecars(path: Path) -> list[Path]:
    """The ``-wal``, ``-shm`` and ``-journal`` files SQLite keeps beside ``path``."""
    return [Path(f"{path}{suffix}") for suffix in ("-wal", "-shm", "-journal")]


def private_database_file(path: Path) -> Path:
    """Make sure the SQLite file at ``path`` and its sidecars are 0600 (only this user).

    A missing file is created empty with that mode (SQLite takes an empty file for a new
    database), so that SQLite, which gives the -wal and -shm files the database file's
    mode, never makes a readable one. An existing file is tightened if it is not private.
    """
    path.parent.mkdir(parents=True, exist_ok=True, mode=paths.PRIVATE_DIR)
    try:
        os.close(paths.open_private(path))
    except FileExistsError:
        for part in (path, *sidecars(path)):
            paths.make_private(part)
    return path


def copy_private(source: Path, destination: Path) -> Path:
    """Copy ``source`` to a new file ``destination`` that is 0600 from its creation, and
    flush it to disk (a FileExistsError if ``destination`` is there already)."""
    fd = paths.open_private(destination)
    try:
        with os.fdopen(fd, "wb") as out, source.open("rb") as src:
            shutil.copyfileobj(src, out, 1 << 20)
            out.flush()
            os.fsync(out.fileno())
    except BaseException:
        destination.unlink(missing_ok=True)
        raise
    return destination


def _literal(value: str) -> str:
    """An SQL string literal; PRAGMA takes no bound parameters."""
    return "'" + value.replace("'", "''") + "'"


def connect(
    path: Path, passphrase: str | None = None, *, readonly: bool = False, cipher: bool = False
) -> Any:
    """A DB-API connection to ``path``: SQLCipher, keyed, when a passphrase is given (or
    unkeyed with ``cipher=True``, to ATTACH an encrypted file to a plain one), else sqlite3.

    Raises WrongPassphrase when the key does not open the file. A wrong key never writes:
    SQLCipher cannot read page 1, so it never learns the file is in WAL mode.
    """
    uri = f"{path.resolve().as_uri()}?mode=ro" if readonly else str(path)
    if passphrase is None and not cipher:
        return sqlite3.connect(uri, uri=readonly)
    import sqlcipher3

    conn = sqlcipher3.connect(uri, uri=readonly)
    try:
        # A wrong key is an expected event, reported by WrongPassphrase; keep SQLCipher's
        # own logger off stderr.
        conn.execute("PRAGMA cipher_log_level = NONE")
        if passphrase is not None:
            conn.execute(f"PRAGMA key = {_literal(passphrase)}")
        # Sorts and temporary tables stay in memory, never in a plaintext temp file.
        conn.execute("PRAGMA temp_store = MEMORY")
        conn.execute("SELECT count(*) FROM sqlite_master").fetchone()
    except sqlcipher3.DatabaseError as exc:
        conn.close()
        if passphrase is None:
            raise
        raise WrongPassphrase(path) from exc
    return conn


def check_passphrase(path: Path, passphrase: str) -> None:
    """Raise WrongPassphrase unless ``passphrase`` opens the encrypted file (read-only)."""
    connect(path, passphrase, readonly=True).close()


def key_for(path: Path, passphrase: str | None) -> str | None:
    """The key to open ``path`` with: None for a plain file, else the passphrase given or
    the environment's; PassphraseRequired when an encrypted file has neither."""
    if file_kind(path) != "encrypted":
        return None
    key = passphrase or passphrase_from_env()
    if not key:
        raise PassphraseRequired(path)
    return key


def integrity_verdict(conn: Any, *, encrypted: bool) -> str | None:
    """None when the open database checks out, else what the checks said."""
    problems: list[str] = []
    if encrypted:
        # Page HMACs: catches tampering and torn pages that integrity_check cannot see.
        problems += [str(r[0]) for r in conn.execute("PRAGMA cipher_integrity_check")]
    verdict = "; ".join(str(r[0]) for r in conn.execute("PRAGMA integrity_check"))
    if verdict != "ok":
        problems.append(verdict)
    return "; ".join(problems) or None


def integrity_problem(path: Path, passphrase: str | None = None) -> str | None:
    """None when ``PRAGMA integrity_check`` (and, if encrypted, ``cipher_integrity_check``)
    says ok, else what it said. An encrypted file needs its passphrase."""
    key = key_for(path, passphrase)
    try:
        conn = connect(path, key, readonly=True)
        try:
            return integrity_verdict(conn, encrypted=key is not None)
        finally:
            conn.close()
    except database_errors() as exc:  # the file is damaged (a wrong key raised above)
        return str(exc)


def database_errors() -> tuple[type[Exception], ...]:
    errors: list[type[Exception]] = [sqlite3.DatabaseError]
    with contextlib.suppress(ImportError):
        import sqlcipher3

        errors.append(sqlcipher3.DatabaseError)
    return tuple(errors)


def table_counts(conn: Any, schema: str = "main") -> dict[str, int]:
    """Rows per table, for checking that a converted copy holds everything."""
    names = [
        r[0]
        for r in conn.execute(
            f"SELECT name FROM {schema}.sqlite_master WHERE type = 'table' ORDER BY name"
        )
    ]
    return {
        name: conn.execute(f'SELECT count(*) FROM {schema}."{name}"').fetchone()[0]
        for name in names
    }


@contextlib.contextmanager
def exclusive(path: Path, key: str | None, *, cipher: bool = False) -> Iterator[Any]:
    """A connection that alone has ``path`` open, with writes by others held off.

    Leaving WAL mode needs every other connection closed, so it doubles as the test that
    ltcdesk is not running on this file (in another process: SQLite's locks do not see a
    second SQLite library in the same process); it also folds the -wal file into the
    database, so no stale -wal can be left beside a replacement. If the block fails, the
    file goes back to the journal mode it had.
    """
    conn = connect(path, key, cipher=cipher)
    try:
        conn.execute("PRAGMA busy_timeout = 2000")
        was = str(conn.execute("PRAGMA journal_mode").fetchone()[0]).lower()
        try:
            mode = conn.execute("PRAGMA journal_mode = DELETE").fetchone()[0]
        except database_errors() as exc:
            raise DomainError(
                f"{path} is in use (is ltcdesk open on this or another computer?). "
                "Close it and try again. Nothing was changed."
            ) from exc
        if str(mode).lower() != "delete":
            raise DomainError(f"{path} could not be taken offline (journal mode {mode}).")
        # Hold the lock from the first read until the connection closes: nobody else writes.
        conn.execute("PRAGMA locking_mode = EXCLUSIVE")
        conn.execute("SELECT count(*) FROM sqlite_master").fetchone()
        try:
            yield conn
        except BaseException:
            with contextlib.suppress(*database_errors()):
                conn.execute("PRAGMA locking_mode = NORMAL")
                conn.execute(f"PRAGMA journal_mode = {was}")
            raise
    finally:
        conn.close()


def backup_sqlite(source: Path, destination: Path, passphrase: str | None = None) -> Path:
    """Consistent copy of a live SQLite database with the online backup API, carrying a
    signed checkpoint of its audit chain (``ltcdesk.audit_checkpoints.embed_in_backup``).

    An encrypted database (key: ``passphrase``, else ``$LTCDESK_DB_PASSPHRASE``) gives a
    backup encrypted with the same key. Written to a temporary file beside the
    destination, checked (integrity, and the cipher's page HMACs), then renamed into place,
    so a half-written backup never carries the final name. The backup is 0600.
    """
    key = key_for(source, passphrase)
    destination = destination.expanduser().resolve()
    destination.parent.mkdir(parents=True, exist_ok=True, mode=paths.PRIVATE_DIR)
    # mkstemp makes the file 0600; SQLite gives its -journal the same mode.
    fd, tmp_name = tempfile.mkstemp(prefix=".ltcdesk-backup-", suffix=".db", dir=destination.parent)
    os.close(fd)
    tmp = Path(tmp_name)
    try:
        src = connect(source, key, readonly=True)
        try:
            dst = connect(tmp, key)
            try:
                with dst:
                    src.backup(dst)
                # The copy carries a signed checkpoint of its own audit chain.
                embed_in_backup(dst, f"sqlite:{source.resolve()}")
                dst.execute("PRAGMA journal_mode=DELETE")
                problem = integrity_verdict(dst, encrypted=key is not None)
            finally:
                dst.close()
        finally:
            src.close()
        if problem:
            raise DomainError(f"The backup failed its integrity check: {problem}")
        fsync_file(tmp)
        os.replace(tmp, destination)
        fsync_dir(destination.parent)
    finally:
        tmp.unlink(missing_ok=True)
    return destination


def fsync_file(path: Path) -> None:
    with path.open("rb+") as fh:
        os.fsync(fh.fileno())


def fsync_dir(path: Path) -> None:
    """Make a rename in ``path`` durable (POSIX; a no-op where directories cannot be opened)."""
    try:
        fd = os.open(path, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)
