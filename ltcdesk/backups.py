"""The daily automatic backup of an SQLite database, and when the last one was made.

Backups go to ``<data dir>/backups/`` as ``<db stem>-backup-YYYYMMDD-HHMMSS.db``, made with
the online backup API (``backup_sqlite``) and encrypted with the database's key when it
is encrypted. Each backup is 0600 in the 0700 backups folder. The GUI calls
``auto_backup`` in a worker thread at start-up and shows ``last_backup`` in the status bar.
A PostgreSQL server is backed up by its own tools.
"""

from __future__ import annotations

import glob
import logging
import re
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING

from ltcdesk import paths
from ltcdesk.domain.errors import DomainError, ValidationError
from ltcdesk.sqlite_files import backup_sqlite, database_errors, file_kind

if TYPE_CHECKING:
    from ltcdesk.db import Database

log = logging.getLogger(__name__)
KEEP = 14
_STAMP = re.compile(r"-backup-(\d{8}-\d{6})\.db$")


def backup_name(stem: str, when: datetime) -> str:
    return f"{stem}-backup-{when:%Y%m%d-%H%M%S}.db"


def auto_backup(
    db: Database, folder: Path | None = None, keep: int = KEEP, now: datetime | None = None
) -> Path | None:
    """Back up ``db`` unless it was already backed up today; keep the newest ``keep``.

    Returns the new backup, or None when there was nothing to do (already done today, or
    not an SQLite file). Any failure (disk full, folder not writable, damaged database) is
    a DomainError saying so; no half-written backup is left behind.
    """
    if keep < 1:
        raise ValidationError("keep", "keep at least one backup")
    if db.sqlite_path is None:
        return None
    now = now or datetime.now()
    stem = db.sqlite_path.stem
    try:
        folder = paths.private_dir(folder if folder is not None else paths.backups_dir())
        earlier = _backups(folder, stem)
        for old in earlier:  # backups made before they were private
            paths.make_private(old)
        if any(_stamp(p).date() == now.date() for p in earlier):
            return None
        made = backup_sqlite(db.sqlite_path, folder / backup_name(stem, now), db.passphrase)
    except OSError as exc:
        raise DomainError(
            f"The automatic backup to {folder} failed: {exc.strerror or exc}. "
            "Free some disk space or choose another backup folder."
        ) from exc
    except database_errors() as exc:
        raise DomainError(f"The automatic backup to {folder} failed: {exc}.") from exc
    _prune(folder, stem, keep)
    log.info("automatic backup made: %s", made)
    return made


def last_backup(where: Database | Path | None = None) -> datetime | None:
    """When the newest backup was made: of ``where`` (a Database) in the default folder,
    or of any database in ``where`` (a folder; default: the backups folder)."""
    if where is not None and not isinstance(where, Path):
        if where.sqlite_path is None:
            return None
        folder, stem = paths.backups_dir(), where.sqlite_path.stem
    else:
        folder, stem = (where if where is not None else paths.backups_dir()), None
    stamps = [_stamp(p) for p in _backups(folder, stem)]
    return max(stamps, default=None)


def plaintext_copies(database: Path, folder: Path | None = None) -> list[Path]:
    """Unencrypted copies of ``database``: upgrade/restore copies beside it, what an
    interrupted encrypt/decrypt/rekey left there (``ltcdesk.leftovers`` removes those at
    the next start) and backups in ``folder`` (default: the backups folder). After
    encrypting, these still expose data."""
    from ltcdesk.encryption import ACTIONS, new_copy_pattern

    folder = folder if folder is not None else paths.backups_dir()
    candidates = [
        *database.parent.glob(f"{glob.escape(database.stem)}.before-*"),
        *(p for a in ACTIONS for p in database.parent.glob(new_copy_pattern(database, a))),
        *_backups(folder, database.stem),
    ]
    found = []
    for path in sorted(set(candidates)):
        try:
            if path.is_file() and file_kind(path) == "plain":
                found.append(path)
        except (OSError, ValidationError):
            continue
    return found


def _backups(folder: Path, stem: str | None) -> list[Path]:
    """Backups in ``folder`` (of the database called ``stem``), oldest first."""
    if not folder.is_dir():
        return []
    found = [
        p
        for p in folder.iterdir()
        if (match := _STAMP.search(p.name))
        and (stem is None or p.name[: match.start()] == stem)
        and p.is_file()
    ]
    return sorted(found, key=_stamp)


def _stamp(path: Path) -> datetime:
    match = _STAMP.search(path.name)
    assert match is not None
    return datetime.strptime(match.group(1), "%Y%m%d-%H%M%S")


def _prune(folder: Path, stem: str, keep: int) -> None:
    # Temporary files of backups cut short by a crash or a kill, a day old or more.
    cutoff = datetime.now().timestamp() - 86_400
    stale = [p for p in folder.glob(".ltcdesk-backup-*.db") if p.stat().st_mtime < cutoff]
    for old in [*_backups(folder, stem)[:-keep], *stale]:
        try:
            old.unlink()
        except OSError as exc:  # not worth failing a good backup over
            log.warning("could not remove old backup %s: %s", old, exc)
