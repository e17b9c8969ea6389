"""A small audit log shared by the audit service, CLI and viewer tests."""

from __future__ import annotations

from datetime import datetime

from ltcdesk.db import Database
from ltcdesk.models import AuditEntry
from ltcdesk.services.patients import NewPatient, PatientService
from tests.conftest import TODAY

NHS_A = "9434765919"
NHS_B = "9434765870"
DATED_DAYS = (10, 11, 12)  # January 2026


def seed_log(db: Database) -> Database:
    """Over the ``team`` fixture: two patients registered by the lead, viewed by the nurse
    and a matron, then three "dated.entry" rows by matron2 on 10, 11 and 12/01/2026, added
    as a service would (so they are chained), summaries "Entry of DD/01/2026"."""
    lead = PatientService(db.sessions, "lead", today=lambda: TODAY)
    lead.register(NewPatient(NHS_A, "O'Kon", "María", "1940-01-01", "C82001"))
    lead.register(NewPatient(NHS_B, "Smith", "John", "1950-06-30", "C82002"))
    PatientService(db.sessions, "nurse", today=lambda: TODAY).get(NHS_A)
    PatientService(db.sessions, "matron1", today=lambda: TODAY).get(NHS_B)
    with db.sessions.begin() as s:
        for day in DATED_DAYS:
            s.add(
                AuditEntry(
                    # Midday UTC: the same local day in any time zone within ±11 hours.
                    at=datetime(2026, 1, day, 12, 0),
                    username="matron2",
                    action="dated.entry",
                    entity="patient",
                    summary=f"Entry of {day:02d}/01/2026",
                )
            )
    return db
