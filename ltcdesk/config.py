"""Logging set-up. Log lines carry ids and counts, never names or NHS numbers.

The log file and its rotations are 0600 in the 0700 log folder (``ltcdesk.paths``).
"""

from __future__ import annotations

import io
import logging
import logging.handlers
import os
from pathlib import Path

from ltcdesk import paths

_configured = False
LOG_NAME = "ltcdesk.log"


class PrivateRotatingFileHandler(logging.handlers.RotatingFileHandler):
    """A RotatingFileHandler whose files are 0600 from the moment they exist, whatever the
    umask (the rotations are renames of such a file, so they keep the mode)."""

    def _open(self) -> io.TextIOWrapper:
        fd = paths.open_private(Path(self.baseFilename), os.O_WRONLY | os.O_CREAT | os.O_APPEND)
        stream = open(fd, self.mode, encoding=self.encoding, errors=self.errors)  # noqa: SIM115
        assert isinstance(stream, io.TextIOWrapper)  # text mode ("a")
        return stream


def restrict_new_files() -> None:
    """Make files and folders this process creates private (umask 077) by default.

    Each writer in ltcdesk sets its modes itself; this also covers what SQLite and helper
    programs (pdftoppm) create on ltcdesk's behalf. Called once at start-up.
    """
    if os.name == "posix":
        os.umask(0o077)


def setup_logging(level: int = logging.INFO) -> None:
    global _configured
    if _configured:
        return
    # A log that cannot be written (a full disk) must never fill a terminal or the GUI's
    # error hook with tracebacks of its own.
    logging.raiseExceptions = False
    folder = paths.log_dir()
    for old in folder.glob(f"{LOG_NAME}*"):  # rotations written before logs were private
        paths.make_private(old)
    handler = PrivateRotatingFileHandler(
        folder / LOG_NAME, maxBytes=2_000_000, backupCount=5, encoding="utf-8"
    )
    handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
    root = logging.getLogger()
    root.addHandler(handler)
    root.setLevel(level)
    _configured = True
