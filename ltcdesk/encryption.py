"""Converting an SQLite database file to or from SQLCipher encryption, or to a new key.

Each conversion writes a new file beside the database with ``sqlcipher_export``, checks
it (it opens with the new key, integrity and page HMACs are sound, every table holds as
many rows as before), then swaps it in with ``os.replace``. Until the swap has been
checked in place the old file is kept as ``<stem>.before-<action>-<timestamp><suffix>``;
after that it is removed, because an old plaintext (or old-key) copy is exactly what
encryption is meant to prevent. A half-written database never carries the real name.

The database must not be in use: the conversion takes the file offline (out of WAL mode,
folding in the -wal file) and refuses if another connection has it open.
"""

from __future__ import annotations

import contextlib
import logging
import os
import shutil
import tempfile
from datetime import datetime
from pathlib import Path
from typing import Any, Literal

from ltcdesk.domain.errors import DomainError, ValidationError
from ltcdesk.sqlite_files import (
    check_new_passphrase,
    connect,
    database_errors,
    exclusive,
    file_kind,
    fsync_dir,
    fsync_file,
    integrity_verdict,
    table_counts,
)

log = logging.getLogger(__name__)
Action = Literal["encrypt", "decrypt", "rekey"]


def encrypt_sqlite(path: Path, passphrase: str) -> Path:
    """Encrypt the plain database at ``path`` with ``passphrase``; returns the path."""
    path = _existing(path, "plain", "is already encrypted")
    return _convert(path, None, check_new_passphrase(passphrase), "encrypt")


def decrypt_sqlite(path: Path, passphrase: str) -> Path:
    """Store the encrypted database at ``path`` as a plain SQLite file again."""
    path = _existing(path, "encrypted", "is not encrypted")
    if not passphrase:
        raise ValidationError("passphrase", "enter the database passphrase")
    return _convert(path, passphrase, None, "decrypt")


def rekey_sqlite(path: Path, old: str, new: str) -> Path:
    """Re-encrypt the database at ``path``, opened with ``old``, under ``new``."""
    path = _existing(path, "encrypted", "is not encrypted; use encrypt")
    if not old:
        raise ValidationError("passphrase", "enter the current database passphrase")
    check_new_passphrase(new)
    if new == old:
        raise ValidationError("new passphrase", "the new passphrase is the same as the current one")
    return _convert(path, old, new, "rekey")


def _existing(path: Path, wanted: str, otherwise: str) -> Path:
    path = Path(path).expanduser().resolve()
    kind = file_kind(path)
    if kind == "missing":
        raise ValidationError("database", f"{path} does not exist or is empty")
    if kind != wanted:
        raise ValidationError("database", f"{path} {otherwise}")
    return path


def _convert(path: Path, old_key: str | None, new_key: str | None, action: Action) -> Path:
    fd, tmp_name = tempfile.mkstemp(prefix=f".{path.name}.", suffix=f".{action}", dir=path.parent)
    os.close(fd)
    tmp = Path(tmp_name)
    stamp = f"{datetime.now():%Y%m%d-%H%M%S}"
    aside = path.with_name(f"{path.stem}.before-{action}-{stamp}{path.suffix}")
    try:
        # The unkeyed SQLCipher connection reads a plain file and can ATTACH a keyed one.
        with exclusive(path, old_key, cipher=True) as src:
            expected = table_counts(src)
            _export(src, tmp, new_key)
            problem = _verify(tmp, new_key, expected)
            if problem:
                raise DomainError(f"The {action}ed copy failed its check ({problem}); {_KEPT}")
            shutil.copymode(path, tmp)  # mkstemp made it private to this user
            fsync_file(tmp)
            # Link (or copy) the old file aside before the atomic swap, so that a crash at
            # any moment leaves a complete database under the real name or beside it.
            _keep_aside(path, aside)
            os.replace(tmp, path)
            fsync_dir(path.parent)
        problem = _verify(path, new_key, expected)
        if problem:
            os.replace(aside, path)
            raise DomainError(f"The {action}ed database failed its check ({problem}); {_KEPT}")
    finally:
        tmp.unlink(missing_ok=True)
    _discard(aside, scrub=action != "decrypt")
    log.info("database %sed: %s", action, path)
    return path


_KEPT = "the database was left as it was."


def _export(src: Any, tmp: Path, new_key: str | None) -> None:
    # An empty KEY attaches a plain database. Bound parameters: no quoting of the key.
    src.execute("ATTACH DATABASE ? AS converted KEY ?", (str(tmp), new_key or ""))
    try:
        src.execute("SELECT sqlcipher_export('converted')")
        # sqlcipher_export leaves user_version behind.
        version = int(src.execute("PRAGMA main.user_version").fetchone()[0])
        src.execute(f"PRAGMA converted.user_version = {version}")
    finally:
        src.execute("DETACH DATABASE converted")


def _verify(path: Path, key: str | None, expected: dict[str, int]) -> str | None:
    try:
        conn = connect(path, key, readonly=True)
        try:
            problem = integrity_verdict(conn, encrypted=key is not None)
            counts = table_counts(conn)
        finally:
            conn.close()
    except database_errors() as exc:
        return str(exc)
    if problem:
        return problem
    if counts != expected:
        differ = sorted(t for t in set(counts) | set(expected) if counts.get(t) != expected.get(t))
        return f"row counts differ in {', '.join(differ)}"
    if (file_kind(path) == "encrypted") != (key is not None):
        return "the file is not in the expected form"
    return None


def _keep_aside(path: Path, aside: Path) -> None:
    try:
        os.link(path, aside)
    except OSError:  # a file system without hard links
        shutil.copy2(path, aside)


def _discard(aside: Path, *, scrub: bool) -> None:
    """Remove the old file; a plaintext or old-key copy is first overwritten where it lies.

    Overwriting helps on ordinary disks; SSDs and copy-on-write file systems may keep old
    blocks, which is why the README says to encrypt before adding real patients.
    """
    with contextlib.suppress(OSError):
        if scrub and aside.stat().st_nlink == 1:
            size = aside.stat().st_size
            with aside.open("r+b") as fh:
                chunk = b"\0" * (1 << 20)
                for _ in range(0, size, len(chunk)):
                    fh.write(chunk)
                fh.flush()
                os.fsync(fh.fileno())
        aside.unlink()
