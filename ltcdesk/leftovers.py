"""What an ltcdesk that was killed or crashed left behind, found and removed at the next start.

Two kinds of leftover:

* **Beside an SQLite database**, from an ``encrypt``, ``decrypt`` or ``rekey`` that did not
  finish: the new copy it was writing (``.<name>.<random>.<action>``, with its -journal),
  the second name of the file it was replacing (``<stem>.before-<action>-<time>.db``), and
  its lock (``.<name>.converting``). Either copy may be a complete *unencrypted* copy of
  the records. They are removed only once the real database has been checked (it opens
  with its key, or plain, and passes ``integrity_check`` and, encrypted, the page HMAC
  check) and holds every table the copy holds; if the kill came before the new file took
  the real name, the real database is still the original and is never touched. If the
  check fails, nothing is removed and the user is told where the copies are.
* **In the temporary folder** (``ltcdesk.paths.temp_dir()``): the print previews and pages
  of an ltcdesk that has gone. Each running ltcdesk keeps a lock on its own folder there;
  a folder whose lock nobody holds is removed.

``tidy_on_start(db)`` does both and returns what to tell the user (the command line prints
it on stderr, the GUI shows it in a message box). A conversion running in another process
holds its lock, so its files are left alone.
"""

from __future__ import annotations

import contextlib
import logging
import os
import re
import shutil
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal

from ltcdesk import paths
from ltcdesk.domain.errors import DomainError, ValidationError
from ltcdesk.encryption import ACTIONS, Action, lock_name, new_copy_pattern, old_name_pattern
from ltcdesk.sqlite_files import (
    connect,
    database_errors,
    file_kind,
    fsync_dir,
    integrity_verdict,
    private_database_file,
    sidecars,
)

if TYPE_CHECKING:
    from ltcdesk.db import Database

log = logging.getLogger(__name__)
_SESSION = re.compile(r"\d+-[0-9a-f]{8}")  # <pid>-<random>: ltcdesk.paths.session_temp_dir


@dataclass(frozen=True)
class Leftover:
    """A file an interrupted conversion left beside the database (with its -journal etc.)."""

    path: Path
    action: Action
    role: Literal["new copy", "old file"]
    plaintext: bool
    sidecars: tuple[Path, ...] = ()

    def describe(self) -> str:
        what = "an UNENCRYPTED copy of the records" if self.plaintext else "a copy of the records"
        if self.role == "new copy":
            return (
                f"{self.path.name}, {what} that an interrupted `ltcdesk {self.action}` was writing"
            )
        return (
            f"{self.path.name}, {what} as they were before an interrupted `ltcdesk {self.action}`"
        )


def tidy_on_start(db: Database) -> list[str]:
    """Remove what a killed ltcdesk left: temporary files, and conversion leftovers beside
    ``db`` (an open database), whose file (and -wal, -shm) an older ltcdesk may have left
    readable by others: it is made 0600. Returns the messages for the user, if any."""
    try:
        remove_stale_temp()
    except OSError as exc:  # never worth refusing to start over
        log.warning("could not tidy the temporary folder: %s", exc)
    if db.sqlite_path is None:
        return []
    private_database_file(Path(db.sqlite_path))
    return tidy_conversion_leftovers(Path(db.sqlite_path), db.passphrase)


def find_conversion_leftovers(database: Path) -> list[Leftover]:
    """Files that an interrupted encrypt, decrypt or rekey of ``database`` left beside it."""
    folder = database.parent
    found: list[Leftover] = []
    for action in ACTIONS:
        for copy in sorted(folder.glob(new_copy_pattern(database, action))):
            if copy.is_file():
                extra = tuple(p for p in sidecars(copy) if p.exists())
                found.append(Leftover(copy, action, "new copy", _plain(copy), extra))
        for old in sorted(folder.glob(old_name_pattern(database, action))):
            if old.is_file():
                extra = tuple(p for p in sidecars(old) if p.exists())
                found.append(Leftover(old, action, "old file", _plain(old), extra))
    return found


def tidy_conversion_leftovers(database: Path, key: str | None) -> list[str]:
    """Remove the leftovers of an interrupted conversion of ``database`` once the real
    database has been checked with ``key`` (None: it is plain). Returns what to tell the
    user: what was removed, or why it was kept."""
    lock = lock_name(database)
    with _stale_lock(lock) as stale:
        if not stale:
            return []  # a conversion is running in another process: its files are its own
        found = find_conversion_leftovers(database)
        if found:
            problem = _check_real_database(database, key, found)
            if problem:
                log.warning(
                    "conversion leftovers kept: the database did not check out: %s", problem
                )
                names = "; ".join(str(f.path) for f in found)
                return [
                    "an interrupted encrypt, decrypt or rekey left copies of the database "
                    f"beside it ({names}). They were NOT removed because {database} did not "
                    f"pass its check ({problem}). Keep them until the database is sorted out "
                    "(ask IT), then delete them: they may hold the records unencrypted."
                ]
        messages = []
        for leftover in found:
            second_name = _same_file(leftover.path, database)
            try:
                for part in (*leftover.sidecars, leftover.path):
                    part.unlink(missing_ok=True)
            except OSError as exc:
                messages.append(
                    f"could not remove {leftover.describe()} ({exc.strerror or exc}): "
                    f"delete {leftover.path} yourself."
                )
                continue
            if second_name:
                messages.append(
                    f"removed {leftover.path.name}, a second name that an interrupted "
                    f"`ltcdesk {leftover.action}` gave {database.name}."
                )
            else:
                messages.append(f"removed {leftover.describe()}.")
            log.info("removed conversion leftover %s", leftover.path.name)
        lock.unlink(missing_ok=True)
        if found:
            fsync_dir(database.parent)
            messages.append(_state(database, key, {f.action for f in found}))
        return messages


def _state(database: Path, key: str | None, actions: set[Action]) -> str:
    """What the checked database now is, after the interruption."""
    intact = f"the database itself, {database.name}, is intact"
    if "encrypt" in actions and key is None:
        return f"{intact}, but still NOT encrypted: run `ltcdesk encrypt` again."
    if "decrypt" in actions and key is not None:
        return f"{intact} and still encrypted (the decrypt did not finish)."
    if "rekey" in actions and key is not None:
        return f"{intact}; it opens with the passphrase just given, so keep using that one."
    return f"{intact} ({'encrypted' if key is not None else 'not encrypted'})."


def _same_file(a: Path, b: Path) -> bool:
    try:
        return a.samefile(b)
    except OSError:
        return False


def remove_stale_temp() -> list[Path]:
    """Remove the temporary folders (print previews, pages for the printer) of ltcdesk
    processes that have ended without removing them. Returns the folders removed."""
    base = paths.temp_dir()
    removed = []
    for folder in sorted(base.iterdir()):
        if not _SESSION.fullmatch(folder.name) or not folder.is_dir() or folder.is_symlink():
            continue  # only the folders session_temp_dir makes
        # Its owner makes the lock first and keeps it locked while it runs; a folder with
        # no lock is one whose clean-up was itself cut short.
        lock = base / f"{folder.name}.lock"
        with _stale_lock(lock) as stale:
            if not stale:
                continue
            shutil.rmtree(folder, ignore_errors=True)
            lock.unlink(missing_ok=True)
        removed.append(folder)
    for lock in base.glob("*.lock"):  # locks whose folder was already removed
        if _SESSION.fullmatch(lock.stem) and not lock.with_suffix("").exists():
            with _stale_lock(lock) as stale:
                if stale:
                    lock.unlink(missing_ok=True)
    if removed:
        log.info("removed %d temporary folder(s) left by an earlier ltcdesk", len(removed))
    return removed


# ------------------------------------------------------------------ helpers


@contextlib.contextmanager
def _stale_lock(lock: Path) -> Iterator[bool]:
    """True (holding it) when no running process holds the lock file ``lock`` (or there is
    none); False while its owner is alive."""
    try:
        fd = os.open(lock, os.O_RDWR | getattr(os, "O_CLOEXEC", 0))
    except FileNotFoundError:
        yield True
        return
    except OSError:
        yield False
        return
    try:
        if os.name != "posix":
            # Windows: the owner keeps it open, so it cannot be deleted while it lives.
            os.close(fd)
            fd = -1
            try:
                lock.unlink()
            except FileNotFoundError:
                pass
            except OSError:
                yield False
                return
            yield True
            return
        yield paths.lock_held(fd)
    finally:
        if fd >= 0:
            os.close(fd)


def _plain(path: Path) -> bool:
    try:
        return file_kind(path) == "plain"
    except (OSError, ValidationError):
        return False


def _check_real_database(database: Path, key: str | None, found: list[Leftover]) -> str | None:
    """None when ``database`` opens with ``key`` (plain when None), checks out and holds
    every table of each leftover that can be read; else what is wrong."""
    try:
        kind = file_kind(database)
    except (OSError, ValidationError) as exc:
        return str(exc)
    if kind == "missing":
        return "it is missing or empty"
    if (kind == "encrypted") != (key is not None):
        return "it could not be opened to check it"
    try:
        conn = connect(database, key, readonly=True)
        try:
            problem = integrity_verdict(conn, encrypted=key is not None)
            tables = _tables(conn)
        finally:
            conn.close()
    except _unreadable() as exc:
        return str(exc)
    if problem:
        return problem
    if "alembic_version" not in tables:
        return "it is not an ltcdesk database"
    for leftover in found:
        if _same_file(leftover.path, database):
            continue  # a second name of the database itself
        theirs = _readable_tables(leftover.path, key)
        missing = sorted(theirs - tables)
        if missing:
            return f"it lacks tables that {leftover.path.name} holds ({', '.join(missing)})"
    return None


def _unreadable() -> tuple[type[Exception], ...]:
    """What opening a file that is damaged, keyed differently or vanishing raises."""
    return (OSError, DomainError, *database_errors())


def _tables(conn: Any) -> set[str]:
    rows = conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'")
    return {str(r[0]) for r in rows}


def _readable_tables(path: Path, key: str | None) -> set[str]:
    """The tables of a leftover that opens plain (or with ``key``); empty if it does not."""
    for attempt in (None, key) if key is not None else (None,):
        try:
            if attempt is None and file_kind(path) != "plain":
                continue
            conn = connect(path, attempt, readonly=True)
        except _unreadable():
            continue
        try:
            return _tables(conn)
        except database_errors():
            return set()
        finally:
            conn.close()
    return set()
