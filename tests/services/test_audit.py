"""Reading the audit log: search, filter lists and the CSV export. Checking it (``verify``)
is in test_audit_chain.py."""

from __future__ import annotations

import csv
import io
from datetime import UTC, date, datetime

import pytest

from ltcdesk.domain.errors import PermissionDeniedError, ValidationError
from ltcdesk.models import AuditEntry
from ltcdesk.services.audit import AuditFilter, AuditService
from tests.services.audit_seed import NHS_A, NHS_B, seed_log


@pytest.fixture
def logged(team):
    return seed_log(team)


def search(db, user="lead", **filters):
    return AuditService(db.sessions, user).search(AuditFilter(**filters))


# ------------------------------------------------------------------ search


def test_search_lists_newest_first_with_the_patients_nhs_number(logged):
    rows = search(logged)
    assert [r.id for r in rows] == sorted((r.id for r in rows), reverse=True)
    assert rows[0].summary == "Entry of 12/01/2026"
    assert all(r.at.tzinfo is UTC for r in rows)
    views = [r for r in rows if r.action == "patient.view"]
    assert [(r.username, r.patient_nhs, r.record[:7]) for r in views] == [
        ("matron1", NHS_B, "patient"),
        ("nurse", NHS_A, "patient"),
    ]
    assert rows[-1].username == "admin"  # the first administrator, created with the database


def test_search_by_user_ignores_case_and_spaces(logged):
    rows = search(logged, username="  NURSE ")
    assert [(r.username, r.action) for r in rows] == [("nurse", "patient.view")]
    assert search(logged, username="nobody") == []


def test_search_by_patient_accepts_spaces(logged):
    rows = search(logged, nhs_number="943 476 5919")
    assert {r.action for r in rows} == {"patient.register", "patient.view"}
    assert {r.patient_nhs for r in rows} == {NHS_A}
    assert {r.username for r in rows} == {"lead", "nurse"}


@pytest.mark.parametrize(
    ("date_from", "date_to", "expected"),
    [
        (date(2026, 1, 11), None, {11, 12}),
        (None, date(2026, 1, 11), {10, 11}),
        (date(2026, 1, 11), date(2026, 1, 11), {11}),
        (date(2026, 1, 10), date(2026, 1, 12), {10, 11, 12}),
        (date(2025, 1, 1), date(2025, 12, 31), set()),
    ],
)
def test_search_by_dates_includes_both_days(logged, date_from, date_to, expected):
    rows = search(logged, username="matron2", date_from=date_from, date_to=date_to)
    assert {r.summary for r in rows} == {f"Entry of {day:02d}/01/2026" for day in expected}


def test_search_by_action_and_filters_combine(logged):
    assert {r.username for r in search(logged, action="patient.view")} == {"nurse", "matron1"}
    rows = search(logged, action="patient.view", nhs_number=NHS_B)
    assert [(r.username, r.patient_nhs) for r in rows] == [("matron1", NHS_B)]
    assert search(logged, action="patient.view", username="lead") == []


def test_search_limit_keeps_the_newest(logged):
    rows = AuditService(logged.sessions, "lead").search(AuditFilter(), limit=2)
    assert [r.summary for r in rows] == ["Entry of 12/01/2026", "Entry of 11/01/2026"]


@pytest.mark.parametrize(
    ("filters", "field"),
    [
        ({"nhs_number": "123"}, "NHS number"),
        ({"nhs_number": "9434765918"}, "NHS number"),
        ({"date_from": date(2026, 2, 1), "date_to": date(2026, 1, 1)}, "date to"),
        ({"date_from": "32/01/2026"}, "date from"),
        ({"date_to": date.max}, "date to"),
        ({"username": "x" * 41}, "user"),
        ({"action": "patient\x00view"}, "action"),
    ],
)
def test_bad_filters_name_the_field(logged, filters, field):
    with pytest.raises(ValidationError) as caught:
        search(logged, **filters)
    assert caught.value.field == field


def test_a_limit_below_one_is_refused(logged):
    with pytest.raises(ValidationError, match="limit"):
        AuditService(logged.sessions, "lead").search(AuditFilter(), limit=0)


def test_filter_lists_hold_every_action_and_user_in_the_log(logged):
    svc = AuditService(logged.sessions, "admin")
    actions = svc.actions()
    assert actions == sorted(actions)
    assert {"patient.register", "patient.view", "staff.create", "dated.entry"} <= set(actions)
    assert svc.usernames() == ["admin", "lead", "matron1", "matron2", "nurse"]


# ------------------------------------------------------------------ permission


@pytest.mark.parametrize(
    "call",
    [
        lambda svc: svc.search(AuditFilter()),
        lambda svc: svc.actions(),
        lambda svc: svc.usernames(),
        lambda svc: svc.export_csv(AuditFilter()),
        lambda svc: svc.verify(),
    ],
    ids=["search", "actions", "usernames", "export_csv", "verify"],
)
@pytest.mark.parametrize("user", ["navigator", "nurse"])
def test_only_admins_and_team_leads_may_read_the_log_and_a_refusal_is_audited(logged, call, user):
    before = len(search(logged))
    with pytest.raises(PermissionDeniedError, match="audit"):
        call(AuditService(logged.sessions, user))
    refused = search(logged, action="denied")
    assert [(r.username, r.summary) for r in refused] == [(user, "Refused: audit.view")]
    assert len(search(logged)) == before + 1


def test_an_unknown_user_is_refused(logged):
    with pytest.raises(PermissionDeniedError, match="not a member of staff"):
        AuditService(logged.sessions, "intruder").search(AuditFilter())


# ------------------------------------------------------------------ CSV


def _csv(data: bytes) -> list[list[str]]:
    assert data.startswith(b"\xef\xbb\xbf")  # Excel reads UTF-8 only with the BOM
    return list(csv.reader(io.StringIO(data.decode("utf-8-sig"))))


def test_export_csv_holds_the_matching_rows_and_is_audited(logged):
    svc = AuditService(logged.sessions, "lead")
    data = svc.export_csv(AuditFilter(nhs_number=NHS_A))
    rows = _csv(data)
    assert rows[0] == ["Id", "When", "User", "Action", "Record", "Patient NHS number", "Summary"]
    body = rows[1:]
    assert [(r[2], r[3], r[5]) for r in body] == [
        ("nurse", "patient.view", "943 476 5919"),
        ("lead", "patient.register", "943 476 5919"),
    ]
    when = datetime.strptime(body[0][1], "%d/%m/%Y %H:%M:%S")
    assert abs(when - datetime.now()).total_seconds() < 600  # local time, DD/MM/YYYY
    exported = search(logged, action="audit.export")
    assert len(exported) == 1
    assert exported[0].username == "lead"
    assert exported[0].summary == ("Exported 2 audit entries as CSV (patient 943 476 5919)")
    # The export's own entry was written after the rows were read.
    assert all(r[3] != "audit.export" for r in body)


def test_export_csv_cells_cannot_run_as_formulas(logged):
    with logged.sessions.begin() as s:
        for summary in [
            '=HYPERLINK("http://evil")',
            "+1",
            "-1",
            "@SUM(A1)",
            "Plain, with “quotes”",
        ]:
            s.add(AuditEntry(username="=cmd", action="odd", entity="patient", summary=summary))
    rows = _csv(AuditService(logged.sessions, "admin").export_csv(AuditFilter(action="odd")))
    assert [r[6] for r in rows[1:]] == [
        "Plain, with “quotes”",
        "'@SUM(A1)",
        "'-1",
        "'+1",
        '\'=HYPERLINK("http://evil")',
    ]
    assert {r[2] for r in rows[1:]} == {"'=cmd"}


def test_export_csv_with_no_matches_is_just_the_header(logged):
    rows = _csv(AuditService(logged.sessions, "lead").export_csv(AuditFilter(username="nobody")))
    assert len(rows) == 1


