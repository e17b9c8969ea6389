"""The audit log: who did what, to which record, when. Never free-text clinical content.

Append-only: the application never updates or deletes a row, and database triggers
(migrations 0003 and 0011) refuse to.

Keyed, and sealed after commit (migration 0011). Two steps, so that no shared row is held
for the length of anyone's transaction:

1. **Signed as written.** Each new entry gets a random nonce and an HMAC-SHA256 of its
   fields under the installation's audit key (``ltcdesk.audit_keys``), inside the writer's
   own transaction. Nothing shared is locked.
2. **Chained after commit.** When a transaction that wrote entries commits, a short second
   transaction locks the one-row ``audit_chain`` head, gives every committed entry not yet
   sealed the next sequence number and appends an ``audit_seal`` row chaining it to the one
   before (HMAC over the previous seal, the sequence number, the entry's id and its MAC),
   then moves the head. A long import therefore never makes a colleague wait for the head;
   sealing takes milliseconds. The chain's order is the order entries were sealed, which on
   PostgreSQL can differ from id order by the few entries committing at the same moment.

Rows written before migration 0011 keep their unkeyed SHA-256 chain (``prev_hash``,
``row_hash``, in id order up to ``legacy_upto``); the keyed chain begins from an HMAC of
their head, so they cannot be rewritten later without the key either.
"""

from __future__ import annotations

import hashlib
import hmac
import logging
import secrets
import weakref
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Final

from sqlalchemy import (
    Connection,
    DateTime,
    Engine,
    ForeignKey,
    Index,
    Integer,
    String,
    event,
    func,
    insert,
    inspect,
    select,
    update,
)
from sqlalchemy.orm import Mapped, Session, mapped_column

from ltcdesk.models.base import Base, utcnow

log = logging.getLogger(__name__)

GENESIS: Final = "0" * 64  # the "previous hash" of the first unkeyed row
# An entry committed this many ids before the newest sealed one is still looked for by the
# seal that follows each commit (a long transaction's entry commits after later ones);
# ``seal(full=True)``, run by ``audit verify``, looks at every entry.
SEAL_WINDOW: Final = 100_000


class AuditEntry(Base):
    __tablename__ = "audit_log"
    __table_args__ = (
        Index("ix_audit_log_patient_at", "patient_id", "at"),
        Index("ix_audit_log_staff_at", "staff_id", "at"),
        # A copied entry (same nonce, so same MAC) is refused as well as caught by verify.
        Index("ix_audit_log_entry_nonce", "entry_nonce", unique=True),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    staff_id: Mapped[int | None] = mapped_column(ForeignKey("staff.id"))
    # The username is copied so the trail survives renames and reads without a join.
    username: Mapped[str] = mapped_column(String(40))
    action: Mapped[str] = mapped_column(String(40))
    entity: Mapped[str] = mapped_column(String(40))
    entity_id: Mapped[int | None] = mapped_column(Integer)
    # No foreign key: the audit trail outlives the rows it describes.
    patient_id: Mapped[int | None] = mapped_column(Integer)
    summary: Mapped[str] = mapped_column(String(500))
    # The unkeyed chain of rows written before migration 0011; empty on newer rows.
    prev_hash: Mapped[str] = mapped_column(String(64), default="")
    row_hash: Mapped[str] = mapped_column(String(64), default="")
    entry_nonce: Mapped[str | None] = mapped_column(String(32))
    entry_mac: Mapped[str | None] = mapped_column(String(64))


class AuditSeal(Base):
    """One row per sealed entry, in the order they were sealed: the keyed chain."""

    __tablename__ = "audit_seal"

    seq: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    entry_id: Mapped[int] = mapped_column(Integer, unique=True)
    prev_hash: Mapped[str] = mapped_column(String(64))
    seal_hash: Mapped[str] = mapped_column(String(64))


class AuditChain(Base):
    """One row (id 1): the head of the keyed chain and where it begins."""

    __tablename__ = "audit_chain"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    last_hash: Mapped[str] = mapped_column(String(64))  # "" before the first seal
    length: Mapped[int] = mapped_column(Integer)  # sealed entries
    chain_id: Mapped[str | None] = mapped_column(String(32))
    key_id: Mapped[str | None] = mapped_column(String(16))
    legacy_upto: Mapped[int | None] = mapped_column(Integer)
    legacy_length: Mapped[int | None] = mapped_column(Integer)
    legacy_hash: Mapped[str | None] = mapped_column(String(64))


class AuditCheckpointRow(Base):
    """A signed checkpoint carried inside a backup file (its body is the signed JSON)."""

    __tablename__ = "audit_checkpoint"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    written_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    body: Mapped[str] = mapped_column(String(2000))


# ------------------------------------------------------------------ hashing


def _text(fields: dict[str, Any]) -> list[str]:
    at = fields["at"]
    return [
        at.isoformat(timespec="microseconds") if isinstance(at, datetime) else str(at),
        str(fields["staff_id"] or ""),
        fields["username"],
        fields["action"],
        fields["entity"],
        str(fields["entity_id"] if fields["entity_id"] is not None else ""),
        str(fields["patient_id"] if fields["patient_id"] is not None else ""),
        fields["summary"],
    ]


def entry_hash(prev_hash: str, fields: dict[str, Any]) -> str:
    """The unkeyed hash of a row written before migration 0011."""
    return hashlib.sha256("\x1f".join([prev_hash, *_text(fields)]).encode("utf-8")).hexdigest()


def entry_mac(key: bytes, nonce: str, fields: dict[str, Any]) -> str:
    """The keyed MAC of one entry: its nonce and every field a reader relies on."""
    message = "\x1f".join([nonce, *_text(fields)]).encode("utf-8")
    return hmac.new(key, message, hashlib.sha256).hexdigest()


def seal_hash(key: bytes, prev: str, seq: int, entry_id: int, mac: str) -> str:
    message = f"{prev}\x1f{seq}\x1f{entry_id}\x1f{mac}".encode()
    return hmac.new(key, message, hashlib.sha256).hexdigest()


def keyed_genesis(key: bytes, chain_id: str, legacy_hash: str, legacy_length: int) -> str:
    """Where the keyed chain begins: bound to the chain's identity and the unkeyed head."""
    message = f"ltcdesk audit v2\x1f{chain_id}\x1f{legacy_hash}\x1f{legacy_length}".encode()
    return hmac.new(key, message, hashlib.sha256).hexdigest()


CHAINED_FIELDS = ("at", "staff_id", "username", "action", "entity", "entity_id", "patient_id",
                  "summary")  # fmt: skip


# ------------------------------------------------------------------ keys per database


class KeyMismatch(Exception):
    """The database is sealed with another key than this installation's."""


_checked: weakref.WeakKeyDictionary[Engine, str] = weakref.WeakKeyDictionary()


def _key_for(bind: Engine | Connection) -> bytes:
    """This installation's key, once checked against the key the database is sealed with."""
    from ltcdesk.audit_keys import AuditKeyError, audit_key, key_id

    key = audit_key()
    engine = bind.engine
    if _checked.get(engine) == key_id(key):
        return key
    with engine.connect() as conn:
        stored = conn.execute(select(AuditChain.key_id).where(AuditChain.id == 1)).scalar()
    if stored is not None and stored != key_id(key):
        raise AuditKeyError(
            f"This database's audit log is sealed with another key (fingerprint {stored}) "
            f"than this computer's ({key_id(key)}). Give this computer the team's audit key "
            "file (see ltcdesk audit verify --help) before recording anything here."
        )
    _checked[engine] = key_id(key)
    return key


def _sign(key: bytes, row: dict[str, Any]) -> None:
    row["entry_nonce"] = nonce = secrets.token_hex(16)
    row["entry_mac"] = entry_mac(key, nonce, row)


# ------------------------------------------------------------------ writing


def append_rows(conn: Connection, rows: list[dict[str, Any]]) -> None:
    """Insert signed audit rows with Core (bulk writers such as the demo generator).

    They are sealed by the next seal after the caller's transaction commits (call
    ``seal_after(conn.engine)`` then, or leave it to the next audited action).
    """
    key = _key_for(conn)
    for row in rows:
        row.setdefault("at", utcnow())
        row["summary"] = (row.get("summary") or "")[:500]
        row.setdefault("prev_hash", "")
        row.setdefault("row_hash", "")
        _sign(key, row)
    conn.execute(insert(AuditEntry), rows)


@event.listens_for(Session, "before_flush")
def _sign_new_entries(session: Session, _context: Any, _instances: Any) -> None:
    new = [obj for obj in session.new if isinstance(obj, AuditEntry)]
    if not new:
        return
    key = _key_for(session.get_bind())
    for entry in sorted(new, key=lambda e: inspect(e).insert_order or 0):
        if entry.at is None:
            entry.at = utcnow()
        entry.summary = (entry.summary or "")[:500]
        entry.prev_hash = entry.row_hash = ""
        entry.entry_nonce = nonce = secrets.token_hex(16)
        entry.entry_mac = entry_mac(key, nonce, {f: getattr(entry, f) for f in CHAINED_FIELDS})
    session.info["audit_unsealed"] = True


@event.listens_for(Session, "after_commit")
def _seal_after_commit(session: Session) -> None:
    if session.info.pop("audit_unsealed", False):
        seal_after(session.get_bind().engine)


@event.listens_for(Session, "after_rollback")
def _forget_unsealed(session: Session) -> None:
    session.info.pop("audit_unsealed", None)


# ------------------------------------------------------------------ sealing


@dataclass(frozen=True)
class Head:
    chain_id: str
    legacy_length: int
    length: int  # sealed entries
    last_hash: str  # the newest seal, or the keyed genesis when nothing is sealed yet

    @property
    def total(self) -> int:
        return self.legacy_length + self.length


_HEAD_COLUMNS = (
    AuditChain.last_hash,
    AuditChain.length,
    AuditChain.chain_id,
    AuditChain.key_id,
    AuditChain.legacy_upto,
    AuditChain.legacy_length,
    AuditChain.legacy_hash,
)


def head_of(key: bytes, row: Any) -> Head:
    legacy_length = row.legacy_length or 0
    last = row.last_hash or keyed_genesis(
        key, row.chain_id, row.legacy_hash or GENESIS, legacy_length
    )
    return Head(row.chain_id, legacy_length, row.length, last)


def seal(conn: Connection, key: bytes, *, full: bool = False) -> tuple[Head, int]:
    """Seal every committed entry not yet sealed, inside the caller's (short) transaction.

    Returns the new head and how many entries were sealed.
    """
    from ltcdesk.audit_keys import key_id

    # The UPDATE takes the write lock (SQLite) or the row lock (PostgreSQL) and returns the
    # head in the same round trip, so no two sealers chain from the same seal.
    row = conn.execute(
        update(AuditChain)
        .where(AuditChain.id == 1)
        .values(length=AuditChain.length)
        .returning(*_HEAD_COLUMNS)
    ).one()
    if row.key_id is None:
        conn.execute(update(AuditChain).where(AuditChain.id == 1).values(key_id=key_id(key)))
    elif row.key_id != key_id(key):
        raise KeyMismatch(row.key_id)
    head = head_of(key, row)
    if not row.last_hash:
        # Bind the rows written before the log was keyed into the chain at once.
        conn.execute(
            update(AuditChain).where(AuditChain.id == 1).values(last_hash=head.last_hash)
        )
    query = (
        select(AuditEntry.id, AuditEntry.entry_mac)
        .outerjoin(AuditSeal, AuditSeal.entry_id == AuditEntry.id)
        .where(AuditEntry.id > (row.legacy_upto or 0), AuditSeal.entry_id.is_(None))
        .order_by(AuditEntry.id)
    )
    if not full:
        newest_sealed = select(func.coalesce(func.max(AuditSeal.entry_id), 0)).scalar_subquery()
        query = query.where(AuditEntry.id > newest_sealed - SEAL_WINDOW)
    unsealed = conn.execute(query).all()
    if not unsealed:
        return head, 0
    prev, seq, seals = head.last_hash, head.length, []
    for entry_id, mac in unsealed:
        seq += 1
        digest = seal_hash(key, prev, seq, entry_id, mac or "")
        seals.append({"seq": seq, "entry_id": entry_id, "prev_hash": prev, "seal_hash": digest})
        prev = digest
    conn.execute(insert(AuditSeal), seals)
    conn.execute(update(AuditChain).where(AuditChain.id == 1).values(length=seq, last_hash=prev))
    return Head(head.chain_id, head.legacy_length, seq, prev), len(seals)


def location_of(engine: Engine) -> str:
    """Where the database is, as checkpoints name it (a file path or a URL, no password)."""
    url = engine.url
    if url.get_backend_name() == "sqlite":
        return f"sqlite:{url.database}"
    return url.set(password=None).render_as_string(hide_password=True)


def seal_after(engine: Engine, *, full: bool = False) -> Head | None:
    """Seal in a transaction of its own and record a checkpoint on this computer.

    Never raises for a seal that cannot be made (another key, a busy database): the entries
    are already committed and signed, and the next seal or ``audit verify`` picks them up.
    """
    from ltcdesk.audit_checkpoints import record
    from ltcdesk.audit_keys import AuditKeyError, audit_key

    try:
        key = audit_key()
        with engine.begin() as conn:
            head, count = seal(conn, key, full=full)
    except (KeyMismatch, AuditKeyError):
        log.warning("audit entries left unsealed: this computer's audit key does not fit")
        return None
    except Exception:
        log.exception("audit entries left unsealed for now")
        return None
    if count or full:
        record(location_of(engine), head, key)
    return head
