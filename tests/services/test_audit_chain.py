"""The audit log's own protections: rows chained by hash as they are written, and no
UPDATE or DELETE accepted by the database."""

from __future__ import annotations

import pytest
from sqlalchemy import select, text
from sqlalchemy.exc import DBAPIError

from ltcdesk.models import AuditChain, AuditEntry
from ltcdesk.models.audit import GENESIS, entry_hash
from ltcdesk.services.patients import NewPatient, PatientService
from tests.conftest import TODAY


def chained(db):
    with db.sessions() as s:
        return s.scalars(select(AuditEntry).order_by(AuditEntry.id)).all()


def test_every_row_holds_the_hash_of_the_one_before(team):
    svc = PatientService(team.sessions, "lead", today=lambda: TODAY)
    svc.register(NewPatient("9434765919", "O'Kon", "María", "1940-01-01", "C82001"))
    svc.get("9434765919")
    rows = chained(team)
    assert len(rows) >= 3
    previous = GENESIS
    for row in rows:
        assert row.prev_hash == previous
        fields = {
            f: getattr(row, f)
            for f in (
                "at",
                "staff_id",
                "username",
                "action",
                "entity",
                "entity_id",
                "patient_id",
                "summary",
            )
        }
        assert row.row_hash == entry_hash(previous, fields)
        previous = row.row_hash
    with team.sessions() as s:
        head = s.get(AuditChain, 1)
        assert head.last_hash == previous
        assert head.length == len(rows)


@pytest.mark.parametrize("statement", [
    "UPDATE audit_log SET summary = 'nothing happened'",
    "DELETE FROM audit_log",
])  # fmt: skip
def test_the_database_refuses_to_change_or_delete_audit_rows(team, statement):
    before = [(r.id, r.summary) for r in chained(team)]
    assert before
    with pytest.raises(DBAPIError, match="append-only"), team.engine.begin() as conn:
        conn.execute(text(statement))
    assert [(r.id, r.summary) for r in chained(team)] == before
