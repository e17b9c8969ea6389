"""The secret that seals the audit log, kept outside the database file.

Each installation has one key: 32 random bytes in ``audit.key`` in the data folder (0600,
in a 0700 folder), made on first use. ``$LTCDESK_AUDIT_KEY_FILE`` names another file: a
team sharing one PostgreSQL server gives every machine a copy of the same key file, so that
each can seal and verify the others' entries. The database records only the key's
fingerprint (``key_id``), never the key.

Anyone who holds both the key and write access to the database can still forge entries:
the key turns "someone edited the file" into "someone with this installation's key edited
the file", which is what ``ltcdesk audit verify`` can prove and no more.
"""

from __future__ import annotations

import hashlib
import hmac
import os
import secrets
import threading
from pathlib import Path
from typing import Final

from ltcdesk import paths
from ltcdesk.domain.errors import DomainError

KEY_FILE_ENV: Final = "LTCDESK_AUDIT_KEY_FILE"
_KEY_BYTES: Final = 32
_lock = threading.Lock()
_cache: dict[Path, tuple[float, bytes]] = {}


class AuditKeyError(DomainError):
    """The audit key is missing, unreadable or not the one this database is sealed with."""


def key_path() -> Path:
    named = os.environ.get(KEY_FILE_ENV)
    return Path(named).expanduser() if named else paths.data_dir() / "audit.key"


def _read(path: Path) -> bytes:
    text = path.read_text(encoding="ascii").strip()
    try:
        key = bytes.fromhex(text)
    except ValueError:
        raise AuditKeyError(
            f"The audit key file {path} is damaged (it should hold 64 hexadecimal characters)."
        ) from None
    if len(key) != _KEY_BYTES:
        raise AuditKeyError(
            f"The audit key file {path} is damaged (it should hold 64 hexadecimal characters)."
        )
    return key


def _create(path: Path) -> bytes:
    """A new key, written so that no other user can read it, even for a moment."""
    path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    key = secrets.token_bytes(_KEY_BYTES)
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        return _read(path)  # another process made it first
    with os.fdopen(fd, "w", encoding="ascii") as out:
        out.write(key.hex() + "\n")
        out.flush()
        os.fsync(out.fileno())
    return key


def audit_key() -> bytes:
    """This installation's audit key (made on first use when no key file is named)."""
    path = key_path()
    with _lock:
        try:
            mtime = path.stat().st_mtime
        except FileNotFoundError:
            if os.environ.get(KEY_FILE_ENV):
                raise AuditKeyError(
                    f"The audit key file {path} named by {KEY_FILE_ENV} does not exist."
                ) from None
            key = _create(path)
            _cache[path] = (path.stat().st_mtime, key)
            return key
        except OSError as exc:
            raise AuditKeyError(f"The audit key file {path} cannot be read: {exc}") from None
        cached = _cache.get(path)
        if cached is not None and cached[0] == mtime:
            return cached[1]
        try:
            key = _read(path)
        except OSError as exc:
            raise AuditKeyError(f"The audit key file {path} cannot be read: {exc}") from None
        _cache[path] = (mtime, key)
        return key


def key_id(key: bytes) -> str:
    """The key's public fingerprint: 16 hex characters, stored in the database."""
    return hmac.new(key, b"ltcdesk audit key id", hashlib.sha256).hexdigest()[:16]
