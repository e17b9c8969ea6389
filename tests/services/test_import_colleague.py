"""Nobody waits on a colleague's long write: while a 100,000-row events import runs, another
member of staff keeps opening a record (an audited look) and saving a phone number."""

from __future__ import annotations

import threading
from datetime import date, timedelta

import pytest
from sqlalchemy import func, select

from ltcdesk.db import Database
from ltcdesk.models import AuditEntry, HospitalEvent
from ltcdesk.services.audit import AuditService
from ltcdesk.services.events import EventService
from ltcdesk.services.patients import NewPatient, PatientChanges, PatientService
from tests.services.test_events_import import nhs_for

TODAY = date(2026, 11, 22)
PEOPLE = 25
ROWS = 100_000


@pytest.mark.slow
def test_a_colleague_opens_and_saves_records_during_a_100000_row_import(team: Database, tmp_path):
    register = PatientService(team.sessions, "lead", today=lambda: TODAY)
    people = [nhs_for(n) for n in range(1, PEOPLE + 1)]
    for n, nhs in enumerate(people):
        register.register(NewPatient(nhs, f"Family{n}", "Ann", "1944-05-06", "C82001"))
    lines = ["NHS number,Event type,Date,Hospital"]
    kinds = ("admission", "discharge", "A&E")
    for n in range(ROWS):
        day = TODAY - timedelta(days=30 + n // PEOPLE)
        lines.append(f"{people[n % PEOPLE]},{kinds[n % 3]},{day:%d/%m/%Y},City General")
    source = tmp_path / "events.csv"
    source.write_text("\n".join(lines) + "\n", encoding="utf-8")

    result: dict[str, object] = {}

    def run_import() -> None:
        try:
            result["report"] = EventService(team.sessions, "lead", today=lambda: TODAY).import_csv(
                source
            )
        except Exception as exc:  # reported by the assertion below
            result["error"] = exc

    colleague = PatientService(team.sessions, "nurse", today=lambda: TODAY)
    importer = threading.Thread(target=run_import)
    importer.start()
    looks = saves = 0
    while importer.is_alive():
        colleague.get(people[looks % PEOPLE])
        looks += 1
        detail = colleague.get(people[0])
        colleague.update(people[0], PatientChanges(phone=f"0161 496 {looks % 10000:04d}"),
                         expected_version=detail.version)  # fmt: skip
        saves += 1
    importer.join()

    assert "error" not in result, result.get("error")
    assert result["report"].saved == ROWS
    # The colleague was never refused or held up into an error, and worked throughout.
    assert looks >= 2
    assert saves >= 1
    with team.sessions() as s:
        assert s.scalar(select(func.count()).select_from(HospitalEvent)) == ROWS
        views = s.scalar(
            select(func.count())
            .select_from(AuditEntry)
            .where(AuditEntry.username == "nurse", AuditEntry.action == "patient.view")
        )
    assert views >= looks
    check = AuditService(team.sessions, "lead").verify()
    assert check.ok, check.message
