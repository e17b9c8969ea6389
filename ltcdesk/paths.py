"""Where ltcdesk keeps its files (platformdirs): the database, backups, logs and temporary
files, each folder private to the person using ltcdesk.

Every folder made here is 0700 and every file ltcdesk writes is 0600 (``PRIVATE_FILE``),
whatever the umask: patients' details are never readable by another account on the same
computer. On Windows the modes are not used (folders in the user profile are private).

Temporary files (print previews, pages being printed) go in one folder, ``temp_dir()``:
``<system temp>/ltcdesk-<uid>``, or ``$LTCDESK_HOME/tmp``. Each running ltcdesk has its
own folder inside it (``session_temp_dir()``), held by a lock on ``<folder>.lock``;
``ltcdesk.leftovers`` removes the folders of processes that have gone (a crash, a kill).
"""

from __future__ import annotations

import atexit
import contextlib
import os
import secrets
import shutil
import stat
import tempfile
import threading
from pathlib import Path

from platformdirs import user_data_path, user_log_path

APP_NAME = "ltcdesk"
PRIVATE_DIR = 0o700
PRIVATE_FILE = 0o600
_POSIX = os.name == "posix"


def private_dir(path: Path) -> Path:
    """``path``, made if missing, as a folder only this user can open (0700)."""
    path.mkdir(parents=True, exist_ok=True, mode=PRIVATE_DIR)
    make_private(path, PRIVATE_DIR)
    return path


def make_private(path: Path, mode: int = PRIVATE_FILE) -> None:
    """Take group and other permissions off ``path`` (a file or folder of this user's).

    A file that is not there, or that belongs to someone else, is left alone: the caller
    reports what goes wrong when it uses it.
    """
    if not _POSIX:
        return
    with contextlib.suppress(OSError):
        st = path.stat()
        if st.st_uid == os.getuid() and stat.S_IMODE(st.st_mode) & ~mode:
            path.chmod(stat.S_IMODE(st.st_mode) & mode)


def open_private(path: Path, flags: int = os.O_WRONLY | os.O_CREAT | os.O_EXCL) -> int:
    """``os.open`` a file that is 0600 from the moment it exists (and after, if it was)."""
    fd = os.open(path, flags | getattr(os, "O_CLOEXEC", 0), PRIVATE_FILE)
    if _POSIX:
        with contextlib.suppress(OSError):
            os.fchmod(fd, PRIVATE_FILE)
    return fd


def data_dir() -> Path:
    override = os.environ.get("LTCDESK_HOME")
    return private_dir(Path(override) if override else user_data_path(APP_NAME, appauthor=False))


def default_database() -> Path:
    return data_dir() / "ltcdesk.db"


def backups_dir() -> Path:
    return private_dir(data_dir() / "backups")


def log_dir() -> Path:
    override = os.environ.get("LTCDESK_HOME")
    path = Path(override) / "logs" if override else user_log_path(APP_NAME, appauthor=False)
    if override:
        private_dir(Path(override))
    return private_dir(path)


def temp_dir() -> Path:
    """The folder for ltcdesk's temporary files: this user's own, 0700.

    In the shared system temp folder a name can be taken first by someone else (or be a
    symbolic link): such a folder is never used; the data folder's ``tmp`` is used instead.
    """
    override = os.environ.get("LTCDESK_HOME")
    if override:
        return private_dir(Path(override) / "tmp")
    uid = os.getuid() if _POSIX else None
    path = Path(tempfile.gettempdir()) / (f"{APP_NAME}-{uid}" if uid is not None else APP_NAME)
    with contextlib.suppress(FileExistsError):
        path.mkdir(mode=PRIVATE_DIR)
    try:
        st = os.lstat(path)
    except OSError:
        return private_dir(data_dir() / "tmp")
    if not stat.S_ISDIR(st.st_mode) or (uid is not None and st.st_uid != uid):
        return private_dir(data_dir() / "tmp")
    make_private(path, PRIVATE_DIR)
    return path


_session: Path | None = None
_session_lock: int | None = None  # held open (and locked) until the process ends
_session_guard = threading.Lock()


def session_temp_dir() -> Path:
    """This process's own folder inside ``temp_dir()``, made on first use.

    ``<name>.lock`` beside it stays locked while the process lives; once it has gone,
    ``ltcdesk.leftovers.remove_stale_temp`` deletes the folder at the next start.
    """
    with _session_guard:  # previews are written from worker threads
        return _session_temp_dir()


def _session_temp_dir() -> Path:
    global _session, _session_lock
    base = temp_dir()
    if _session is not None and _session.parent == base and _session.is_dir():
        return _session
    while True:
        name = f"{os.getpid()}-{secrets.token_hex(4)}"
        lock = base / f"{name}.lock"
        fd = open_private(lock, os.O_RDWR | os.O_CREAT | os.O_EXCL)
        if not lock_held(fd, block=True) or os.fstat(fd).st_nlink == 0:
            # A cleaner took it for a dead one's between creating and locking: start again.
            os.close(fd)
            continue
        break
    folder = private_dir(base / name)
    if _session_lock is not None:
        os.close(_session_lock)
    else:
        atexit.register(_remove_session_temp)
    _session, _session_lock = folder, fd
    return folder


def _remove_session_temp() -> None:
    """At a normal exit: this process's temporary folder goes (a crash leaves it for the
    next start to remove)."""
    global _session, _session_lock
    if _session is None:
        return
    shutil.rmtree(_session, ignore_errors=True)
    with contextlib.suppress(OSError):
        _session.with_name(f"{_session.name}.lock").unlink()
    if _session_lock is not None:
        with contextlib.suppress(OSError):
            os.close(_session_lock)
    _session, _session_lock = None, None


def lock_held(fd: int, *, block: bool = False) -> bool:
    """Take the lock on the open lock file ``fd``; False if another process holds it."""
    if not _POSIX:
        return True  # Windows: an open file cannot be deleted, which is the lock there
    import fcntl

    try:
        fcntl.flock(fd, fcntl.LOCK_EX | (0 if block else fcntl.LOCK_NB))
    except OSError:
        return False
    return True
