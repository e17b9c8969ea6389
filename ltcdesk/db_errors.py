"""Database errors that are not faults: a database busy past the wait, in plain English.

SQLite has one writer at a time and waits ``busy_timeout`` for the lock; PostgreSQL waits
``lock_timeout`` for a row lock (both 10 seconds, ``$LTCDESK_BUSY_TIMEOUT_MS``). Past that
the person is told what is going on and what to do, never "unexpected error".
"""

from __future__ import annotations

import os
import sqlite3
from typing import Final

BUSY: Final = (
    "the database is busy with someone else's long task (an import, a backup or a demo "
    "load) and did not free up within {seconds} seconds; nothing was saved. Try again in a "
    "minute; if it stays busy, ask your administrator who is running what."
)
_SQLITE_BUSY: Final = ("database is locked", "database table is locked", "database is busy")
_PG_BUSY: Final = ("55P03", "40P01")  # lock_not_available, deadlock_detected


def busy_timeout_ms() -> int:
    try:
        return max(1, int(os.environ.get("LTCDESK_BUSY_TIMEOUT_MS", "10000")))
    except ValueError:
        return 10000


def busy_message() -> str:
    seconds = busy_timeout_ms() / 1000
    return BUSY.format(seconds=f"{seconds:g}")


def database_busy(exc: BaseException) -> bool:
    """True when ``exc`` (or what it wraps) says the database was locked past the wait."""
    seen: set[int] = set()
    current: BaseException | None = exc
    while current is not None and id(current) not in seen:
        seen.add(id(current))
        if isinstance(current, sqlite3.OperationalError) and any(
            text in str(current).lower() for text in _SQLITE_BUSY
        ):
            return True
        if getattr(current, "sqlstate", None) in _PG_BUSY:
            return True
        orig = getattr(current, "orig", None)
        current = (
            orig if isinstance(orig, BaseException) else (current.__cause__ or current.__context__)
        )
    return False
