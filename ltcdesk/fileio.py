"""Writing files so that a crash leaves the old file or the new one, never half of either."""

from __future__ import annotations

import contextlib
import os
import sys
import tempfile
from pathlib import Path


def write_atomically(path: str | os.PathLike[str], data: bytes) -> Path:
    """Write ``data`` to ``path`` so that a crash leaves the old file or the new, never half.

    The file is 0600 (only this user may read it: exports hold patients' details), from
    the moment it exists: ``mkstemp`` makes the temporary file so, and the rename keeps it.
    The temporary file is in the same folder (so the rename cannot cross file systems) and
    is removed if anything fails. On Windows the rename fails while another program (a PDF
    viewer) has the old file open; that PermissionError is the caller's to explain.
    """
    target = Path(path)
    fd, tmp_name = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".tmp", dir=target.parent)
    tmp = Path(tmp_name)
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(tmp, target)
    except BaseException:
        with contextlib.suppress(OSError):
            tmp.unlink()
        raise
    if sys.platform != "win32":
        # Make the rename itself durable; not every file system allows opening a folder.
        with contextlib.suppress(OSError):
            dir_fd = os.open(target.parent, os.O_RDONLY)
            try:
                os.fsync(dir_fd)
            finally:
                os.close(dir_fd)
    return target
