"""Signed checkpoints of the audit chain, kept outside the database.

A checkpoint says "this database's audit chain held N entries ending in hash H at time T",
signed (HMAC-SHA256) with the installation's audit key. Like a Certificate Transparency
signed tree head, it lets a later check prove that the log only grew since: a database
with fewer entries, or another hash at entry N, has been truncated, re-chained or replaced
by an older copy. ltcdesk writes one

* in the log folder (``audit-checkpoints.json``, 0600), after every seal, per database;
* into every backup it makes (``audit_checkpoint`` table of the copy);
* and ``ltcdesk audit verify`` prints the one it checked against.

A checkpoint only moves forward. When a database holds fewer entries than its checkpoint,
the file is left as it is (so the evidence survives) until ``ltcdesk restore`` — the one
legitimate way back — records the restore in the checkpoint's history.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import logging
import os
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, Final, Protocol

from ltcdesk import paths

log = logging.getLogger(__name__)
FILE_NAME: Final = "audit-checkpoints.json"
_lock = threading.Lock()


class _Head(Protocol):
    @property
    def chain_id(self) -> str: ...
    @property
    def legacy_length(self) -> int: ...
    @property
    def length(self) -> int: ...
    @property
    def last_hash(self) -> str: ...


@dataclass(frozen=True)
class Checkpoint:
    location: str
    chain_id: str
    legacy_length: int
    length: int  # sealed (keyed) entries
    head: str
    at: str  # ISO 8601, UTC
    restores: tuple[dict[str, Any], ...] = field(default=())

    @property
    def total(self) -> int:
        return self.legacy_length + self.length

    @property
    def local_at(self) -> datetime:
        return datetime.fromisoformat(self.at).astimezone()

    def describe(self) -> str:
        entries = "1 entry" if self.total == 1 else f"{self.total:,} entries"
        return f"{entries} ending {self.head[:12]}…, signed {self.local_at:%d/%m/%Y %H:%M}"


class CheckpointAltered(Exception):
    """The checkpoint file is unreadable or its signature does not fit."""


def checkpoint_file() -> Path:
    return paths.log_dir() / FILE_NAME


def _body(cp: Checkpoint) -> str:
    data = asdict(cp)
    data["restores"] = list(cp.restores)
    return json.dumps(data, sort_keys=True, separators=(",", ":"))


def sign(cp: Checkpoint, key: bytes) -> str:
    return hmac.new(key, _body(cp).encode("utf-8"), hashlib.sha256).hexdigest()


def signed_json(cp: Checkpoint, key: bytes) -> str:
    """The checkpoint and its signature as one JSON text (carried inside backups)."""
    return json.dumps({"checkpoint": json.loads(_body(cp)), "sig": sign(cp, key)}, sort_keys=True)


def from_signed_json(text: str, key: bytes) -> Checkpoint:
    try:
        data = json.loads(text)
        raw = data["checkpoint"]
        cp = Checkpoint(**{**raw, "restores": tuple(raw.get("restores", ()))})
        sig = data["sig"]
    except (ValueError, KeyError, TypeError) as exc:
        raise CheckpointAltered(f"unreadable ({exc.__class__.__name__})") from None
    if not hmac.compare_digest(sign(cp, key), str(sig)):
        raise CheckpointAltered("its signature does not match (altered, or another key)")
    return cp


def make(location: str, head: _Head, restores: tuple[dict[str, Any], ...] = ()) -> Checkpoint:
    return Checkpoint(
        location,
        head.chain_id,
        head.legacy_length,
        head.length,
        head.last_hash,
        datetime.now(UTC).isoformat(timespec="seconds"),
        restores,
    )


# ------------------------------------------------------------------ the file


@contextmanager
def _locked() -> Iterator[Path]:
    """The checkpoint file, held against other threads and processes on this computer."""
    target = checkpoint_file()
    with _lock:
        fd = os.open(target.with_suffix(".lock"), os.O_RDWR | os.O_CREAT, 0o600)
        try:
            try:
                import fcntl

                fcntl.flock(fd, fcntl.LOCK_EX)
            except ImportError:  # pragma: no cover - not on POSIX
                pass
            yield target
        finally:
            os.close(fd)


def _read_all(target: Path) -> dict[str, str]:
    try:
        text = target.read_text(encoding="utf-8")
    except FileNotFoundError:
        return {}
    try:
        data = json.loads(text)
        if not isinstance(data, dict):
            raise ValueError
        return {str(k): str(v) for k, v in data.items()}
    except ValueError:
        raise CheckpointAltered(f"{target} is not a checkpoint file any more") from None


def _write_all(target: Path, entries: dict[str, str]) -> None:
    staged = target.with_name(f".{target.name}.{os.getpid()}.{threading.get_ident()}")
    fd = os.open(staged, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w", encoding="utf-8") as out:
        json.dump(entries, out, indent=1, sort_keys=True)
    os.replace(staged, target)


def load(location: str, key: bytes) -> Checkpoint | None:
    """This computer's checkpoint of the database at ``location``, if it has one."""
    with _locked() as target:
        text = _read_all(target).get(location)
    return None if text is None else from_signed_json(text, key)


def record(location: str, head: _Head, key: bytes) -> None:
    """Move this database's checkpoint forward to ``head`` (never backwards)."""
    try:
        with _locked() as target:
            entries = _read_all(target)
            restores: tuple[dict[str, Any], ...] = ()
            old_text = entries.get(location)
            if old_text is not None:
                try:
                    old = from_signed_json(old_text, key)
                except CheckpointAltered:
                    log.warning("audit checkpoint left as found: it does not verify")
                    return
                if old.chain_id != head.chain_id or old.total > head.legacy_length + head.length:
                    # Evidence of a rollback or a replaced log: keep it for audit verify.
                    log.warning("audit checkpoint not moved: the database holds less than it")
                    return
                restores = old.restores
            entries[location] = signed_json(make(location, head, restores), key)
            _write_all(target, entries)
    except (OSError, CheckpointAltered):
        log.warning("audit checkpoint could not be written", exc_info=True)


def accept_restore(location: str, head: _Head, key: bytes, detail: dict[str, Any]) -> None:
    """After ``ltcdesk restore``: the checkpoint goes back to the restored chain, and says so."""
    with _locked() as target:
        try:
            entries = _read_all(target)
        except CheckpointAltered:
            entries = {}
        restores: tuple[dict[str, Any], ...] = ()
        old_text = entries.get(location)
        if old_text is not None:
            try:
                old = from_signed_json(old_text, key)
                restores = old.restores
                detail = {**detail, "before_entries": old.total, "before_head": old.head}
            except CheckpointAltered:
                detail = {**detail, "before": "a checkpoint that did not verify"}
        entries[location] = signed_json(make(location, head, (*restores, detail)), key)
        _write_all(target, entries)


# ------------------------------------------------------------------ inside backups


def _chain_of(conn: Any) -> Any:
    """The copy's chain head through a DB-API connection, or None before migration 0011."""
    tables = {r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type='table'")}
    if not {"audit_chain", "audit_checkpoint"} <= tables:
        return None
    return conn.execute(
        "SELECT chain_id, key_id, legacy_length, legacy_hash, length, last_hash "
        "FROM audit_chain WHERE id = 1"
    ).fetchone()


def embed_in_backup(conn: Any, location: str) -> Checkpoint | None:
    """Write a signed checkpoint of a backup copy's own chain into it (DB-API connection,
    before the copy is checked and renamed into place). Skipped, with no error, for a copy
    of an older schema or one sealed with another key: the backup is still a backup."""
    from ltcdesk.audit_keys import AuditKeyError, audit_key, key_id
    from ltcdesk.models.audit import GENESIS, Head, keyed_genesis

    row = _chain_of(conn)
    if row is None or row[0] is None:
        return None
    try:
        key = audit_key()
    except AuditKeyError:
        return None
    chain_id, stored_key, legacy_length, legacy_hash, length, last_hash = row
    if stored_key is not None and stored_key != key_id(key):
        return None
    legacy_length = legacy_length or 0
    last = last_hash or keyed_genesis(key, chain_id, legacy_hash or GENESIS, legacy_length)
    cp = make(location, Head(chain_id, legacy_length, length, last), ({"backup": True},))
    conn.execute(
        "INSERT INTO audit_checkpoint (written_at, body) VALUES (?, ?)",
        (datetime.now(UTC).replace(tzinfo=None).isoformat(sep=" "), signed_json(cp, key)),
    )
    conn.commit()
    return cp


def in_backup(conn: Any, key: bytes) -> Checkpoint | None:
    """The newest checkpoint a backup carries (CheckpointAltered if it does not verify)."""
    if _chain_of(conn) is None:
        return None
    row = conn.execute("SELECT body FROM audit_checkpoint ORDER BY id DESC LIMIT 1").fetchone()
    return None if row is None else from_signed_json(row[0], key)
