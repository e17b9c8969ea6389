"""Restoring a backup as an audited act: what the backup holds, and the restore's own entry.

``ltcdesk restore`` (``ltcdesk.cli_security``) signs in and checks the role first; this
module looks inside the backup before anything is replaced (its audit head, the signed
checkpoint it carries, when it was taken, whether its audit key is this computer's), and
afterwards writes the restore into the restored database as its first new audit entry and
moves this computer's checkpoint back to the restored chain, saying so in its history — the
one way a checkpoint ever goes back (``ltcdesk.audit_checkpoints.accept_restore``).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from sqlalchemy import select

from ltcdesk.audit_checkpoints import CheckpointAltered, accept_restore, in_backup
from ltcdesk.audit_keys import audit_key, key_id
from ltcdesk.domain.errors import ValidationError
from ltcdesk.models import StaffMember
from ltcdesk.models.audit import append_rows, location_of, seal
from ltcdesk.sqlite_files import connect


@dataclass(frozen=True)
class BackupFacts:
    path: Path
    taken_at: datetime  # timezone-aware: when the backup was made (or its newest entry)
    audit_entries: int
    audit_head: str  # the first 12 characters of the backup's chain head, or "" before 0011
    checkpoint_signed: bool  # it carries a checkpoint signed with this computer's key

    @property
    def local_taken_at(self) -> datetime:
        return self.taken_at.astimezone()


def inspect_backup(path: Path, key: str | None) -> BackupFacts:
    """What the backup holds; refuses one sealed with another key or whose checkpoint was
    altered (restoring it would leave a log nobody here can verify)."""
    conn = connect(path, key, readonly=True)
    try:
        return _facts(conn, path)
    finally:
        conn.close()


def _facts(conn: Any, path: Path) -> BackupFacts:
    tables = {r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type='table'")}
    newest = conn.execute("SELECT MAX(at) FROM audit_log").fetchone()[0]
    fallback = datetime.fromtimestamp(path.stat().st_mtime, UTC)
    taken = datetime.fromisoformat(str(newest)).replace(tzinfo=UTC) if newest else fallback
    if "audit_seal" not in tables:
        count = conn.execute("SELECT COUNT(*) FROM audit_log").fetchone()[0]
        return BackupFacts(path, taken, count, "", False)
    ours = key_id(audit_key())
    chain = conn.execute(
        "SELECT key_id, legacy_length, length, last_hash FROM audit_chain WHERE id = 1"
    ).fetchone()
    if chain is not None and chain[0] is not None and chain[0] != ours:
        raise ValidationError(
            "backup file",
            f"{path} was sealed with another computer's audit key (fingerprint {chain[0]}, "
            f"this computer's is {ours}): restore it where it was made, or give this "
            "computer the team's audit key file first",
        )
    try:
        checkpoint = in_backup(conn, audit_key())
    except CheckpointAltered as exc:
        raise ValidationError(
            "backup file", f"{path} carries an audit checkpoint that does not verify ({exc})"
        ) from None
    if checkpoint is not None:
        taken = datetime.fromisoformat(checkpoint.at)
    entries = (chain[1] or 0) + chain[2] if chain is not None else 0
    head = (chain[3] or "")[:12] if chain is not None else ""
    return BackupFacts(path, taken, entries, head, checkpoint is not None)


def record_restore(db: Any, username: str, facts: BackupFacts, kept: Path | None) -> str:
    """The restore, as the restored database's first new audit entry; the checkpoint on
    this computer goes back to the restored chain. Returns what was rolled back, in words."""
    when = f"{facts.local_taken_at:%d/%m/%Y %H:%M}"
    rolled_back = (
        f"Records and audit entries made after {when} will no longer be in the database"
        + (f"; the replaced file is kept at {kept}" if kept else "")
        + "."
    )
    head = f", audit head {facts.audit_head}…" if facts.audit_head else ""
    summary = (
        f"Restored from backup {facts.path.name} taken {when} ({facts.audit_entries:,} audit "
        f"entries{head}). {rolled_back}"
    )
    key = audit_key()
    with db.engine.begin() as conn:
        staff_id = conn.execute(
            select(StaffMember.id).where(StaffMember.username == username)
        ).scalar()
        append_rows(
            conn,
            [
                {
                    "staff_id": staff_id,
                    "username": username,
                    "action": "database.restore",
                    "entity": "database",
                    "entity_id": None,
                    "patient_id": None,
                    "summary": summary,
                }
            ],
        )
    with db.engine.begin() as conn:
        chain_head, _count = seal(conn, key, full=True)
    accept_restore(
        location_of(db.engine),
        chain_head,
        key,
        {
            "restored_at": datetime.now(UTC).isoformat(timespec="seconds"),
            "by": username,
            "backup": str(facts.path),
            "backup_taken_at": facts.taken_at.isoformat(timespec="seconds"),
            "backup_entries": facts.audit_entries,
        },
    )
    return rolled_back
