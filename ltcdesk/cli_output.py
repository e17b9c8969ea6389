"""What every command shares for numbers it is given and files it writes.

- ``bounded_int(lo, hi, what)``: the argparse type of every whole-number option (ids,
  ``--within``, ``--limit``, ...). Out of range, or not a whole number, is exit 2 with one
  line naming the option, before anything is opened (an id above 2**63 would otherwise
  reach the database and fail there as "unexpected error").
- ``out_file(path, option, suffixes)`` / ``out_folder(path, option)``: an output file (or
  folder) name checked before any work: a real file name in a folder that exists, and
  short enough to be written (a name longer than the file system takes, NAME_MAX, is
  exit 2, not an OSError after the work is done); ``name_too_long(exc)`` for the rest.
- ``save(path, data, option)``: the atomic write (``ltcdesk.fileio``), a failure of which
  is one line naming the file and the reason, with nothing half-written.
- ``print_csv(rows, headers)``: CSV to stdout through the one formula-safe writer.
- ``disk_full(exc, folders)`` / ``DISK_FULL``: whether an error means the disk is full,
  and the one line said then.
"""

from __future__ import annotations

import argparse
import contextlib
import errno
import os
import shutil
import sys
from collections.abc import Callable, Iterable, Sequence
from pathlib import Path

from ltcdesk.domain.errors import DomainError, ValidationError
from ltcdesk.domain.text import quote_input

# Ids are INTEGER columns: PostgreSQL's hold at most 2**31 - 1, so no id is above it.
ID_MAX = 2**31 - 1
DAYS_MAX = 3660  # ten years ahead is the furthest any reminder list looks
LIMIT_MAX = 10_000_000
# The atomic write's temporary file is ".NAME.xxxxxxxx.tmp" beside the target: that name
# must fit the file system's limit too.
_TEMP_EXTRA = len("..xxxxxxxx.tmp")
_NAME_MAX_DEFAULT = 255
_PATH_MAX_DEFAULT = 4096
FREE_SPACE_MIN = 1_000_000  # less than this and a "disk I/O error" is taken as a full disk
DISK_FULL = "the disk is full: free some space; nothing was saved"


class DiskFullError(DomainError):
    """A write failed because the disk (or the database server's disk) is full."""

    def __init__(self, detail: str = "") -> None:
        super().__init__(DISK_FULL + (f" ({detail})" if detail else ""))


def bounded_int(lo: int, hi: int, what: str = "a whole number") -> Callable[[str], int]:
    """An argparse ``type=``: a whole number from ``lo`` to ``hi``, written in ASCII digits
    (a minus sign allowed), else argparse's exit 2 naming the option."""

    def parse(raw: str) -> int:
        text = raw.strip()
        digits = text[1:] if text[:1] in "+-" else text
        if not digits or not digits.isascii() or not digits.isdigit() or len(digits) > 30:
            raise argparse.ArgumentTypeError(f"{quote_input(raw)} is not {what}")
        value = int(text)
        if not lo <= value <= hi:
            raise argparse.ArgumentTypeError(
                f"{quote_input(raw)} is out of range: {what} from {lo:,} to {hi:,}"
            )
        return value

    parse.__name__ = what  # argparse names the type so in its own messages
    return parse


ID = bounded_int(1, ID_MAX, "an id")
DAYS = bounded_int(0, DAYS_MAX, "a number of days")


def _limits(folder: Path) -> tuple[int, int]:
    try:
        name_max = os.pathconf(folder, "PC_NAME_MAX")
        path_max = os.pathconf(folder, "PC_PATH_MAX")
    except (OSError, ValueError, AttributeError):  # Windows has no pathconf
        return _NAME_MAX_DEFAULT, _PATH_MAX_DEFAULT
    return name_max or _NAME_MAX_DEFAULT, path_max or _PATH_MAX_DEFAULT


def _existing_folder_limits(path: Path) -> tuple[int, int]:
    """NAME_MAX and PATH_MAX of the file system holding ``path`` (its nearest folder that
    exists)."""
    probe = Path(os.path.abspath(path))
    while probe != probe.parent and not _is_dir(probe):
        probe = probe.parent
    return _limits(probe)


def _check_folder_names(path: Path, option: str, name_max: int) -> None:
    for part in path.parts[:-1] if path.parts else ():
        if len(os.fsencode(part)) > name_max:
            raise ValidationError(
                option,
                f"the folder name {quote_input(part)} is too long (at most {name_max:,} bytes)",
            )


def out_file(path: Path, option: str = "--out", suffixes: Sequence[str] = ()) -> Path:
    """``path`` if a file can be written there, else a ValidationError naming ``option``."""
    name = path.name
    shown = quote_input(name)
    if suffixes and path.suffix.lower() not in suffixes:
        kinds = " or ".join(s.lstrip(".").upper() for s in suffixes)
        raise ValidationError(option, f"{shown} is not a {kinds} file name (e.g. x{suffixes[0]})")
    if not name or name in (".", ".."):
        raise ValidationError(option, "give a file name")
    # The lengths first: asking whether a too-long name exists is itself an OSError.
    name_max, path_max = _existing_folder_limits(path)
    _check_folder_names(path, option, name_max)
    size = len(os.fsencode(name))
    if size + _TEMP_EXTRA > name_max:
        raise ValidationError(
            option,
            f"the file name {shown} is too long ({size:,} bytes; at most "
            f"{name_max - _TEMP_EXTRA:,} here)",
        )
    if len(os.fsencode(os.path.abspath(path))) + _TEMP_EXTRA >= path_max:
        raise ValidationError(option, f"the path of {shown} is too long for this system")
    folder = path.parent if str(path.parent) else Path(".")
    if _is_dir(path):
        raise ValidationError(option, f"{shown} is a folder; give a file name")
    if not _is_dir(folder):
        raise ValidationError(option, f"the folder {quote_input(folder)} does not exist")
    return path


def out_folder(path: Path, option: str = "--out") -> Path:
    """``path`` if it is, or can be made, a folder to write files in; else a ValidationError
    naming ``option``."""
    shown = quote_input(path)
    name_max, path_max = _existing_folder_limits(path)
    _check_folder_names(path / "x", option, name_max)
    if len(os.fsencode(os.path.abspath(path))) + name_max >= path_max:
        raise ValidationError(option, f"the path of {shown} is too long for this system")
    if path.exists() and not path.is_dir():
        raise ValidationError(option, f"{shown} is a file; give a folder")
    return path


def _is_dir(path: Path) -> bool:
    try:
        return path.is_dir()
    except OSError:
        return False


def name_too_long(exc: BaseException) -> str | None:
    """The line to say for an OSError "file name too long" (from a writer this module's
    checks did not cover), else None."""
    for e in _chain(exc):
        if isinstance(e, OSError) and e.errno == errno.ENAMETOOLONG:
            name = Path(e.filename).name if isinstance(e.filename, str) else ""
            what = f" ({quote_input(name)})" if name else ""
            return f"a file name is too long for this system{what}; nothing was saved"
    return None


def save(path: Path, data: bytes, option: str = "--out") -> Path:
    """Write ``data`` to ``path`` atomically; a failure is one line, the old file intact."""
    from ltcdesk.fileio import write_atomically

    try:
        return write_atomically(path, data)
    except OSError as exc:
        if disk_full(exc, [path.parent]):
            raise DiskFullError(f"{quote_input(path.name)} was not written") from None
        reason = exc.strerror or type(exc).__name__
        raise ValidationError(
            option, f"{quote_input(path.name)} could not be written ({reason}); nothing was saved"
        ) from None


def print_csv(rows: Iterable[Iterable[object]], headers: Sequence[object]) -> None:
    """CSV on stdout (no byte order mark: that is for a spreadsheet's file), formula-safe."""
    from ltcdesk.domain.csvsafe import safe_writer

    writer = safe_writer(sys.stdout, lineterminator="\n")
    writer.writerow(headers)
    writer.writerows(rows)


# ------------------------------------------------------------------------ a full disk

_FULL_ERRNOS = {errno.ENOSPC, getattr(errno, "EDQUOT", errno.ENOSPC)}


def _chain(exc: BaseException) -> Iterable[BaseException]:
    seen: set[int] = set()
    current: BaseException | None = exc
    while current is not None and id(current) not in seen:
        seen.add(id(current))
        yield current
        orig = getattr(current, "orig", None)  # SQLAlchemy's wrapper of the driver's error
        if isinstance(orig, BaseException):
            yield orig
        current = current.__cause__ or current.__context__


def _nearly_full(folders: Iterable[Path]) -> bool:
    for folder in folders:
        probe = folder
        while not probe.exists() and probe != probe.parent:
            probe = probe.parent
        try:
            if shutil.disk_usage(probe).free < FREE_SPACE_MIN:
                return True
        except OSError:
            continue
    return False


def storage_folders(target: str | None) -> list[Path]:
    """Where a command keeps what it writes: the SQLite database's folder and the log
    folder (for telling a full disk from another "disk I/O error")."""
    folders: list[Path] = []
    with contextlib.suppress(Exception):
        from ltcdesk.db import resolve_target

        path = resolve_target(target)[1]
        if path is not None:
            folders.append(path.parent)
    with contextlib.suppress(Exception):
        from ltcdesk.paths import log_dir

        folders.append(log_dir())
    return folders


def disk_full(exc: BaseException, folders: Iterable[Path] = ()) -> bool:
    """Whether ``exc`` (or what caused it) says the disk is full: ENOSPC or a quota from the
    operating system, SQLite's "database or disk is full", PostgreSQL's DiskFull (53100);
    or SQLite's "disk I/O error" (it cannot make its -wal/-shm files) when one of
    ``folders`` has almost no free space left."""
    io_error = False
    for e in _chain(exc):
        if isinstance(e, OSError) and e.errno in _FULL_ERRNOS:
            return True
        said = str(e).lower()
        if "database or disk is full" in said or "no space left on device" in said:
            return True
        if getattr(e, "sqlstate", None) == "53100" or type(e).__name__ == "DiskFull":
            return True
        if "disk i/o error" in said or (isinstance(e, OSError) and e.errno == errno.EIO):
            io_error = True
    return io_error and _nearly_full(folders)
