"""Another process with an SQLite database open, as ltcdesk running on it would be."""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

_HOLD_OPEN = """
import sqlite3, sys, time
conn = sqlite3.connect(sys.argv[1])
conn.execute("PRAGMA journal_mode=WAL")
conn.execute("SELECT count(*) FROM sqlite_master").fetchone()
print("open", flush=True)
time.sleep(60)
"""


@contextmanager
def held_open(path: Path) -> Iterator[None]:
    """A separate process (SQLite's locks do not stop the process that holds them) keeps a
    plain database open in WAL mode for the duration of the block."""
    holder = subprocess.Popen(
        [sys.executable, "-c", _HOLD_OPEN, str(path)], stdout=subprocess.PIPE, text=True
    )
    try:
        assert holder.stdout is not None
        assert holder.stdout.readline().strip() == "open"
        yield
    finally:
        holder.kill()
        holder.wait()
