"""Converting an SQLite database file to or from SQLCipher encryption, or to a new key.

Each conversion writes a new file beside the database with ``sqlcipher_export``, checks
it (it opens with the new key, integrity and page HMACs are sound, every table holds as
many rows as before), then swaps it in with ``os.replace``. Until the swap has been
checked in place the old file keeps a second name, ``<stem>.before-<action>-<timestamp>
<suffix>`` (a hard link: no second copy of the data is written); after that it is removed,
because an old plaintext (or old-key) copy is exactly what encryption is meant to prevent.
A half-written database never carries the real name.

Every file a conversion makes is 0600 from its creation. While it runs, it holds a lock on
``.<name>.converting`` beside the database. If the process is killed, whatever it left
(the new copy being written, the old file's second name) is found at the next start by
``ltcdesk.leftovers``, which removes it once the real database has been checked.

The database must not be in use: the conversion takes the file offline (out of WAL mode,
folding in the -wal file) and refuses if another connection has it open.
"""

from __future__ import annotations

import contextlib
import logging
import os
import tempfile
from collections.abc import Iterator
from datetime import datetime
from pathlib import Path
from typing import Any, Literal

from ltcdesk import paths
from ltcdesk.domain.errors import DomainError, ValidationError
from ltcdesk.sqlite_files import (
    check_new_passphrase,
    connect,
    copy_private,
    database_errors,
    exclusive,
    file_kind,
    fsync_dir,
    fsync_file,
    integrity_verdict,
    sidecars,
    table_counts,
)

log = logging.getLogger(__name__)
Action = Literal["encrypt", "decrypt", "rekey"]
ACTIONS: tuple[Action, ...] = ("encrypt", "decrypt", "rekey")


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


# ------------------------------------------------------------ names of the files it makes


def lock_name(path: Path) -> Path:
    """The file a running conversion of ``path`` keeps locked."""
    return path.with_name(f".{path.name}.converting")


def new_copy_pattern(path: Path, action: Action) -> str:
    """glob pattern (in ``path.parent``) of the new file a conversion writes."""
    return f".{_escape(path.name)}.*.{action}"


def old_name_pattern(path: Path, action: Action) -> str:
    """glob pattern (in ``path.parent``) of the second name of the file being replaced."""
    return f"{_escape(path.stem)}.before-{action}-*{_escape(path.suffix)}"


def _escape(text: str) -> str:
    import glob

    return glob.escape(text)


def _existing(path: Path, wanted: str, otherwise: str) -> Path:
    path = Path(path).expanduser().resolve()
    kind = file_kind(path)
    if kind == "missing":
        raise ValidationError("database", f"{path} does not exist or is empty")
    if kind != wanted:
        raise ValidationError("database", f"{path} {otherwise}")
    return path


# ------------------------------------------------------------ the conversion


@contextlib.contextmanager
def converting(path: Path) -> Iterator[None]:
    """Hold ``.<name>.converting`` locked for the length of a conversion of ``path``, so
    that ``ltcdesk.leftovers`` (in another process) leaves its files alone meanwhile."""
    lock = lock_name(path)
    while True:
        try:
            fd = paths.open_private(lock, os.O_RDWR | os.O_CREAT)
        except OSError as exc:
            raise DomainError(f"{path.parent} is not writable ({exc.strerror or exc}).") from exc
        if not paths.lock_held(fd):
            os.close(fd)
            raise DomainError(
                f"{path} is being converted by another ltcdesk. Wait for it to finish. "
                "Nothing was changed."
            )
        if os.fstat(fd).st_nlink:
            break
        os.close(fd)  # a clean-up removed it between our opening and locking it
    try:
        yield
    finally:
        lock.unlink(missing_ok=True)
        os.close(fd)


def _convert(path: Path, old_key: str | None, new_key: str | None, action: Action) -> Path:
    with converting(path):
        for part in (path, *sidecars(path)):
            paths.make_private(part)  # the second name below shares the file's mode
        # mkstemp makes the file 0600; SQLite gives its -journal the same mode.
        fd, tmp_name = tempfile.mkstemp(
            prefix=f".{path.name}.", suffix=f".{action}", dir=path.parent
        )
        os.close(fd)
        tmp = Path(tmp_name)
        aside: Path | None = None
        try:
            # The unkeyed SQLCipher connection reads a plain file and can ATTACH a keyed one.
            with exclusive(path, old_key, cipher=True) as src:
                expected = table_counts(src)
                _export(src, tmp, new_key)
                problem = _verify(tmp, new_key, expected)
                if problem:
                    raise DomainError(f"The {action}ed copy failed its check ({problem}); {_KEPT}")
                fsync_file(tmp)
                # A second name for the old file before the atomic swap, so that a crash at
                # any moment leaves a complete database under the real name or beside it.
                aside = _keep_aside(path, action)
                _swap(tmp, path)
            problem = _verify(path, new_key, expected)
            if problem:
                _swap(aside, path)
                aside = None
                raise DomainError(f"The {action}ed database failed its check ({problem}); {_KEPT}")
        finally:
            for part in (tmp, *sidecars(tmp)):
                part.unlink(missing_ok=True)
        _discard(aside)
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


def _keep_aside(path: Path, action: Action) -> Path:
    """A second name for ``path`` (a hard link; a private copy where links are refused)."""
    stamp = f"{datetime.now():%Y%m%d-%H%M%S}"
    for n in range(100):
        aside = path.with_name(
            f"{path.stem}.before-{action}-{stamp}{f'-{n}' if n else ''}{path.suffix}"
        )
        try:
            os.link(path, aside)
        except FileExistsError:
            continue
        except OSError:  # a file system without hard links
            try:
                copy_private(path, aside)
            except FileExistsError:
                continue
        fsync_dir(path.parent)
        return aside
    raise DomainError(f"{path.parent} is full of older copies of {path.name}; remove them first.")


def _swap(new: Path, path: Path) -> None:
    os.replace(new, path)
    fsync_dir(path.parent)


def _discard(aside: Path | None) -> None:
    """Remove the old file's second name, durably.

    Its blocks are not overwritten first: on SSDs, journalling and copy-on-write file
    systems that would not reach the old data anyway, which is why the README says to
    encrypt before adding real patients.
    """
    if aside is None:
        return
    try:
        aside.unlink()
    except FileNotFoundError:
        return
    except OSError as exc:
        log.warning("could not remove the old copy %s: %s", aside, exc)
        return
    fsync_dir(aside.parent)
