"""``audit verify``: the proof that the audit log is whole, in plain English.

What is checked, in order:

1. The chain head (``audit_chain``) is there and the key it was sealed with is this
   computer's audit key (``ltcdesk.audit_keys``). Any entry committed but not yet sealed is
   sealed first.
2. Rows written before migration 0011: their unkeyed SHA-256 chain, in id order, ending in
   the head recorded when the keyed chain began (which is itself bound into the keyed chain).
3. Every seal, in order: numbered 1, 2, 3 … with no gap, each chained by HMAC to the one
   before, each pointing at an entry that is still there and whose own HMAC (over its nonce
   and fields) still fits; no entry copied (same nonce twice); the head ends where ltcdesk
   recorded it, and no seal exists beyond it.
4. This computer's signed checkpoint (``ltcdesk.audit_checkpoints``): the database holds at
   least as many entries as it did then, with the same hash at that point, in the same
   chain. That is what catches a truncation that fixed up the head, a wiped log, and an older
   copy of the database put back outside ``ltcdesk restore``.

What it cannot catch: someone holding this installation's audit key *and* write access to
the database (they can sign whatever they like), and a rollback or wipe done on a computer
whose checkpoint was also deleted or never written (a first check has nothing to compare).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any, Final

from sqlalchemy import Engine, func, select
from sqlalchemy.exc import DBAPIError

from ltcdesk.audit_checkpoints import Checkpoint, CheckpointAltered, checkpoint_file, load, record
from ltcdesk.audit_keys import AuditKeyError, audit_key, key_id
from ltcdesk.models import AuditChain, AuditEntry, AuditSeal
from ltcdesk.models.audit import (
    CHAINED_FIELDS,
    GENESIS,
    Head,
    KeyMismatch,
    entry_hash,
    entry_mac,
    head_of,
    location_of,
    seal,
    seal_hash,
)

_BATCH: Final = 2000
ALTERED: Final = "The audit log has been altered."


@dataclass(frozen=True)
class AuditCheck:
    ok: bool
    rows_checked: int
    first_bad_id: int | None
    message: str
    checkpoint: str | None = None  # the checkpoint checked against (or written), in words


def _rows_word(n: int) -> str:
    return "1 row" if n == 1 else f"{n:,} rows"


def _bad(count: int, first_bad: int | None, message: str) -> AuditCheck:
    return AuditCheck(False, count, first_bad, message)


def verify_log(engine: Engine) -> AuditCheck:
    """Check the whole log (see the module docstring); never raises for an altered one."""
    try:
        key = audit_key()
    except AuditKeyError as exc:
        return _bad(0, None, f"The audit log cannot be checked: {exc}")
    try:
        return _verify(engine, key)
    except DBAPIError:
        # A dropped table or column: nothing ltcdesk itself would ever do.
        return _bad(0, None, f"The audit tables are missing or damaged. {ALTERED}")


def _verify(engine: Engine, key: bytes) -> AuditCheck:
    with engine.begin() as conn:
        if conn.execute(select(AuditChain.id).where(AuditChain.id == 1)).first() is None:
            return _bad(0, None, f"The audit chain record is missing. {ALTERED}")
        try:
            seal(conn, key, full=True)
        except KeyMismatch as stored:
            return _bad(
                0,
                None,
                f"This database's audit log is sealed with another key (fingerprint {stored}) "
                f"than this computer's ({key_id(key)}): it cannot be checked here. Use the "
                "computer that made it, or the team's audit key file.",
            )
    with engine.connect() as conn:
        row = _head_row(conn)
        if row is None:
            return _bad(0, None, f"The audit chain record is missing. {ALTERED}")
        before = head_of(key, row)
        legacy = _walk_legacy(conn, row)
        if isinstance(legacy, AuditCheck):
            return legacy
        copied = conn.execute(
            select(AuditEntry.entry_nonce, func.min(AuditEntry.id), func.max(AuditEntry.id))
            .where(AuditEntry.entry_nonce.is_not(None))
            .group_by(AuditEntry.entry_nonce)
            .having(func.count() > 1)
            .limit(1)
        ).first()
        if copied is not None:
            return _bad(
                legacy,
                copied[2],
                f"Row {copied[2]} is a copy of row {copied[1]}. {ALTERED}",
            )
        cp = _checkpoint(engine, key)
        walked = _walk_seals(conn, key, before, legacy, cp)
        if isinstance(walked, AuditCheck):
            return walked
        after = _head_row(conn)
        if after is None:
            return _bad(walked.count, None, f"The audit chain record is missing. {ALTERED}")
        extra = walked.count - legacy - after.length
        if extra > 0:
            return _bad(
                walked.count,
                walked.last_ids[-extra] if extra <= len(walked.last_ids) else None,
                f"The audit log holds {_rows_word(walked.count)} but ltcdesk recorded "
                f"{legacy + after.length:,}: {_rows_word(extra)} "
                f"{'was' if extra == 1 else 'were'} added outside ltcdesk. {ALTERED}",
            )
    head = Head(before.chain_id, before.legacy_length, walked.count - legacy, walked.last_hash)
    return _against_checkpoint(engine, key, head, walked, cp)


def _head_row(conn: Any) -> Any:
    return conn.execute(
        select(
            AuditChain.last_hash,
            AuditChain.length,
            AuditChain.chain_id,
            AuditChain.legacy_upto,
            AuditChain.legacy_length,
            AuditChain.legacy_hash,
        ).where(AuditChain.id == 1)
    ).one_or_none()


def _checkpoint(engine: Engine, key: bytes) -> Checkpoint | CheckpointAltered | None:
    try:
        return load(location_of(engine), key)
    except CheckpointAltered as exc:
        return exc


# ------------------------------------------------------------------ rows before 0011


def _walk_legacy(conn: Any, head: Any) -> int | AuditCheck:
    """The unkeyed chain of rows up to ``legacy_upto``: how many, or the first problem."""
    upto, length = head.legacy_upto or 0, head.legacy_length or 0
    wanted = head.legacy_hash or GENESIS
    columns = [AuditEntry.id, *(getattr(AuditEntry, f) for f in CHAINED_FIELDS)]
    query = (
        select(*columns, AuditEntry.prev_hash, AuditEntry.row_hash)
        .where(AuditEntry.id <= upto)
        .order_by(AuditEntry.id)
        .execution_options(yield_per=_BATCH)
    )
    previous, previous_id, count = GENESIS, None, 0
    for row in conn.execute(query):
        count += 1
        row_id, *values = row[: len(columns)]
        prev, own = row[-2], row[-1]
        if prev != previous:
            where = (
                "should be the first in the chain but is not: earlier rows have been deleted"
                if previous_id is None
                else f"does not follow on from row {previous_id}: a row between them has "
                "been deleted or inserted"
            )
            return _bad(count, row_id, f"Row {row_id} {where}. {ALTERED}")
        if entry_hash(previous, dict(zip(CHAINED_FIELDS, values, strict=True))) != own:
            return _bad(count, row_id, f"Row {row_id} does not match its hash. {ALTERED}")
        previous, previous_id = own, row_id
    if count != length or previous != wanted:
        return _bad(
            count,
            None,
            f"The rows written before the audit log was keyed should number {length:,} "
            f"and end where ltcdesk recorded, but {count:,} were found. {ALTERED}",
        )
    return count


# ------------------------------------------------------------------ the keyed chain


@dataclass(frozen=True)
class _Walked:
    count: int  # every row checked, unkeyed ones included
    last_hash: str
    last_ids: list[int]  # entry ids past the head read before the walk
    hash_at_checkpoint: str | None


def _seal_rows(conn: Any) -> Iterable[Sequence[Any]]:
    query = (
        select(
            AuditSeal.seq,
            AuditSeal.entry_id,
            AuditSeal.prev_hash,
            AuditSeal.seal_hash,
            AuditEntry.id,
            AuditEntry.entry_nonce,
            AuditEntry.entry_mac,
            *(getattr(AuditEntry, f) for f in CHAINED_FIELDS),
        )
        .outerjoin(AuditEntry, AuditEntry.id == AuditSeal.entry_id)
        .order_by(AuditSeal.seq)
        .execution_options(yield_per=_BATCH)
    )
    return conn.execute(query)


def _walk_seals(conn: Any, key: bytes, head: Head, legacy: int, cp: object) -> _Walked | AuditCheck:
    from ltcdesk.models.audit import keyed_genesis

    row = _head_row(conn)
    genesis = keyed_genesis(key, head.chain_id, row.legacy_hash or GENESIS, head.legacy_length)
    at_cp = cp.length if isinstance(cp, Checkpoint) else None
    previous, previous_id, count = genesis, None, legacy
    hash_at_cp = genesis if at_cp == 0 else None
    beyond: list[int] = []
    rows = enumerate(_seal_rows(conn), start=1)
    for seq_expected, (seq, entry_id, prev, own, present, nonce, mac, *values) in rows:
        count += 1
        if seq != seq_expected:
            return _bad(
                count,
                entry_id,
                f"Sealed entries {seq_expected:,} to {seq - 1:,} are missing: they have been "
                f"deleted. {ALTERED}",
            )
        if prev != previous:
            after = f"row {previous_id}" if previous_id is not None else "the start of the chain"
            return _bad(
                count,
                entry_id,
                f"Row {entry_id} does not follow on from {after}: rows have been deleted, "
                f"inserted or re-chained. {ALTERED}",
            )
        if present is None:
            return _bad(count, entry_id, f"Row {entry_id} has been deleted. {ALTERED}")
        fields = dict(zip(CHAINED_FIELDS, values, strict=True))
        if mac is None or nonce is None or entry_mac(key, nonce, fields) != mac:
            return _bad(
                count,
                entry_id,
                f"Row {entry_id} does not match its signature: it was edited, or written "
                f"outside ltcdesk. {ALTERED}",
            )
        if seal_hash(key, prev, seq, entry_id, mac) != own:
            return _bad(
                count,
                entry_id,
                f"The seal of row {entry_id} does not match: the chain was rewritten outside "
                f"ltcdesk. {ALTERED}",
            )
        previous, previous_id = own, entry_id
        if seq == at_cp:
            hash_at_cp = own
        if seq > head.length:
            beyond.append(entry_id)
        if seq == head.length and own != head.last_hash:
            return _bad(
                count,
                entry_id,
                f"Row {entry_id} should end the chain recorded by ltcdesk but does not match "
                f"it. {ALTERED}",
            )
    sealed = count - legacy
    if sealed < head.length:
        missing = head.length - sealed
        gone = "the last row has" if missing == 1 else f"the last {missing:,} rows have"
        where = f"ends at row {previous_id}" if previous_id is not None else "has no sealed rows"
        return _bad(
            count,
            None,
            f"The audit log should hold {_rows_word(legacy + head.length)} but {where} after "
            f"{_rows_word(count)}: {gone} been deleted. {ALTERED}",
        )
    if head.length == 0 and previous != head.last_hash:
        return _bad(count, None, f"The chain head does not match its start. {ALTERED}")
    return _Walked(count, previous, beyond, hash_at_cp)


# ------------------------------------------------------------------ the checkpoint


def _against_checkpoint(
    engine: Engine, key: bytes, head: Head, walked: _Walked, cp: object
) -> AuditCheck:
    count = walked.count
    if isinstance(cp, CheckpointAltered):
        return _bad(
            count,
            None,
            f"The checkpoint file {checkpoint_file()} does not verify: {cp}. The rows in the "
            "database are consistent, but nothing proves they were not rolled back.",
        )
    if isinstance(cp, Checkpoint):
        seen = f"{cp.local_at:%d/%m/%Y %H:%M}"
        if cp.chain_id != head.chain_id:
            return _bad(
                count,
                None,
                f"This database's audit log is not the one this computer checkpointed on "
                f"{seen} ({cp.total:,} entries): the log has been replaced. {ALTERED}",
            )
        if cp.total > count:
            lost = cp.total - count
            return _bad(
                count,
                None,
                f"The audit log holds {_rows_word(count)}, but on {seen} this computer "
                f"recorded {cp.total:,}: {_rows_word(lost)} {'has' if lost == 1 else 'have'} "
                "been removed, or an older copy of the database was put back without "
                f"ltcdesk restore. {ALTERED}",
            )
        if walked.hash_at_checkpoint != cp.head:
            return _bad(
                count,
                None,
                f"Entry {cp.total:,} no longer matches the checkpoint of {seen}: the log has "
                f"been rewritten since. {ALTERED}",
            )
    record(location_of(engine), head, key)
    written = load(location_of(engine), key)
    words = written.describe() if written is not None else None
    if cp is None and words is not None:
        words = f"{words} (the first checkpoint of this database on this computer)"
    return AuditCheck(True, count, None, f"Audit log intact: {_rows_word(count)} checked.", words)
