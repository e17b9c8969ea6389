"""Need to know: staff see and change the records of the patients their own team cares for
(registered with a practice the team is linked to, or on a team member's caseload);
anyone else's only after breaking the glass (a reason, audited, 8 hours); and every bulk
read or export leaves one audit row saying what and how many patients.

The ``team`` fixture's Northfield team cares for C82001 and C82002. Here a second team,
Southgate, cares for C82003, and has a GP of its own."""

from __future__ import annotations

import json
from datetime import timedelta

import pytest
from sqlalchemy import event, func, select

from ltcdesk.cli import main
from ltcdesk.domain.errors import (
    NeedToKnowError,
    NotFoundError,
    PermissionDeniedError,
    ValidationError,
)
from ltcdesk.models import AuditEntry, BreakGlass, HospitalEvent, utcnow
from ltcdesk.services.accounts import AccountAdmin
from ltcdesk.services.assessments import AssessmentService
from ltcdesk.services.careplan_views import CarePlanEdits, GoalEdits
from ltcdesk.services.careplans import CarePlanService
from ltcdesk.services.caseload import CaseloadService
from ltcdesk.services.events import EventService
from ltcdesk.services.patients import NewPatient, PatientService
from ltcdesk.services.reminders import ReminderService
from ltcdesk.services.setup import SetupService
from ltcdesk.services.timeline import TimelineService
from tests.conftest import TODAY

OURS = "9434765919"  # Northfield's: registered at C82001, on matron1's caseload
ALSO_OURS = "4010232137"  # Northfield's: registered at C82002, on no caseload
THEIRS = "9990000018"  # Southgate's: registered at C82003
VISITING = "9990000026"  # registered at C82003 (Southgate) but on matron2's caseload
REASON = "Covering the out-of-hours visit tonight"
PASSWORD = "need to know e2e secret"


@pytest.fixture
def two_teams(team):
    setup = SetupService(team.sessions, "admin")
    setup.add_practice("C82003", "Southgate Surgery", team="Southgate")
    setup.add_staff("gp.south", "Dr Sam South", "gp", team="Southgate")
    setup.add_staff("nav.south", "Nell South", "care_navigator", team="Southgate")
    setup.add_staff("drifter", "Dee Nowhere", "district_nurse")  # in no team
    lead = PatientService(team.sessions, "admin", today=lambda: TODAY)
    for nhs, family, given, practice in (
        (OURS, "O'Kon", "María", "C82001"),
        (ALSO_OURS, "Smith", "John", "C82002"),
        (THEIRS, "Patel", "Asha", "C82003"),
        (VISITING, "Nguyen", "Lan", "C82003"),
    ):
        lead.register(NewPatient(nhs, family, given, "1940-03-01", practice))
    caseload = CaseloadService(team.sessions, "lead", today=lambda: TODAY)
    caseload.assign(OURS, "matron1", 2, start_date="2026-01-05")
    # Southgate's GP refers their patient onto a Northfield matron's caseload.
    CaseloadService(team.sessions, "gp.south", today=lambda: TODAY).assign(
        VISITING, "matron2", 3, start_date="2026-02-01"
    )
    plans = CarePlanService(team.sessions, "matron1", today=lambda: TODAY)
    draft = plans.start(OURS)
    plans.save_draft(
        OURS,
        CarePlanEdits(
            goals=[GoalEdits(description="Walk to the shop", importance=8, confidence=5)],
            review_date=TODAY + timedelta(days=90),
        ),
        draft.lock_version,
    )
    plans.agree(OURS, "María")
    return team


def audit_rows(db, action: str) -> list[tuple[str, str, int | None]]:
    with db.sessions() as s:
        return [
            (u, summary, pid)
            for u, summary, pid in s.execute(
                select(AuditEntry.username, AuditEntry.summary, AuditEntry.patient_id)
                .where(AuditEntry.action == action)
                .order_by(AuditEntry.id)
            )
        ]


def count(db, model) -> int:
    with db.sessions() as s:
        return s.scalar(select(func.count()).select_from(model)) or 0


def plans(db, user: str) -> CarePlanService:
    return CarePlanService(db.sessions, user, today=lambda: TODAY)


# ---------------------------------------------------------------- who sees whom


def test_a_gp_in_another_team_is_refused_the_care_plan_and_the_refusal_is_audited(two_teams):
    with pytest.raises(NeedToKnowError) as refused:
        plans(two_teams, "gp.south").agreed(OURS)
    assert str(refused.value).startswith("943 476 5919 is not cared for by your team.")
    assert "break the glass: give a reason" in str(refused.value)
    assert refused.value.nhs == OURS
    assert isinstance(refused.value, PermissionDeniedError)
    assert [(u, s) for u, s, _ in audit_rows(two_teams, "denied")] == [
        ("gp.south", "Refused: not cared for by the team (need to know)")
    ]
    # Their own team's patient, and Northfield's by practice and by caseload, are open.
    assert plans(two_teams, "matron2").agreed(OURS) is not None
    assert PatientService(two_teams.sessions, "gp.south").get(THEIRS).family_name == "Patel"
    assert PatientService(two_teams.sessions, "nurse").get(VISITING).family_name == "Nguyen"
    assert PatientService(two_teams.sessions, "gp.south").get(VISITING).family_name == "Nguyen"


def test_every_clinical_read_of_another_teams_patient_is_refused(two_teams):
    s = two_teams.sessions
    calls = [
        lambda: PatientService(s, "gp.south").get(OURS),
        lambda: CaseloadService(s, "gp.south").history(ALSO_OURS),
        lambda: AssessmentService(s, "gp.south").history(OURS),
        lambda: TimelineService(s, "gp.south", today=lambda: TODAY).for_patient(OURS),
        lambda: EventService(s, "gp.south").list_for(OURS),
        lambda: ReminderService(s, "gp.south", today=lambda: TODAY).for_patient(OURS),
        lambda: PatientService(s, "nav.south").require_access(ALSO_OURS),
    ]
    for call in calls:
        with pytest.raises(NeedToKnowError):
            call()
    with pytest.raises(NotFoundError):  # an unknown number is still "no patient"
        PatientService(s, "gp.south").require_access("9434765870")


def test_a_caseload_list_shows_another_team_none_of_this_teams_patients(two_teams):
    theirs = CaseloadService(two_teams.sessions, "gp.south", today=lambda: TODAY)
    assert [r.nhs_number for r in theirs.list_caseload()] == [VISITING]  # by practice
    assert sorted(r.nhs_number for r in theirs.list_patients()) == [THEIRS, VISITING]
    assert sorted(theirs.index(everyone=True).nhs_numbers) == [THEIRS, VISITING]
    assert theirs.index().nhs_numbers == [VISITING]
    everyone = CaseloadService(two_teams.sessions, "admin").list_patients()
    ids = {r.nhs_number: r.patient_id for r in everyone}
    assert set(theirs.rows([ids[OURS], ids[THEIRS]])) == {ids[THEIRS]}
    found = PatientService(two_teams.sessions, "gp.south").search("o'kon")
    assert found == []
    assert [n for n, _, _ in PatientService(two_teams.sessions, "gp.south").search("pat")] == [
        THEIRS
    ]
    ours = CaseloadService(two_teams.sessions, "lead", today=lambda: TODAY)
    assert sorted(r.nhs_number for r in ours.list_patients()) == sorted([OURS, ALSO_OURS, VISITING])
    assert [w.username for w in theirs.sizes()] == ["gp.south"]  # their own team's workers


def test_someone_in_no_team_sees_nobody_without_breaking_the_glass(two_teams):
    drifter = CaseloadService(two_teams.sessions, "drifter", today=lambda: TODAY)
    assert drifter.list_patients() == []
    assert drifter.sizes() == []
    assert ReminderService(two_teams.sessions, "drifter", today=lambda: TODAY).worklist() == []
    with pytest.raises(NeedToKnowError):
        PatientService(two_teams.sessions, "drifter").get(OURS)


def test_recording_a_hospital_event_on_this_teams_patient_is_refused(two_teams):
    events = EventService(two_teams.sessions, "gp.south", today=lambda: TODAY)
    with pytest.raises(NeedToKnowError):
        events.record(OURS, "admission", TODAY, "Northfield General", reason="Fall")
    assert count(two_teams, HospitalEvent) == 0
    events.record(THEIRS, "admission", TODAY, "Southgate General", reason="Fall")
    assert count(two_teams, HospitalEvent) == 1


def test_changes_are_refused_too(two_teams):
    with pytest.raises(NeedToKnowError):
        PatientService(two_teams.sessions, "gp.south").add_condition(OURS, "COPD")
    with pytest.raises(NeedToKnowError):
        plans(two_teams, "gp.south").start_review(OURS)
    with pytest.raises(NeedToKnowError, match=r"^Patient 2 of 2: 943 476 5919 is not cared"):
        CaseloadService(two_teams.sessions, "gp.south").bulk_change_level(
            [VISITING, OURS], 1, "Settled"
        )
    assert CaseloadService(two_teams.sessions, "lead").history(OURS)[-1].level == 2


def test_administrators_keep_the_register_but_not_the_clinical_content(two_teams):
    """An administrator in no team registers, finds and corrects anyone; care plans and
    other clinical content need the glass broken, as for everyone."""
    SetupService(two_teams.sessions, "admin").set_team("admin", None)
    admin = PatientService(two_teams.sessions, "admin", today=lambda: TODAY)
    assert admin.get(THEIRS).family_name == "Patel"
    assert len(CaseloadService(two_teams.sessions, "admin").list_patients()) == 4
    with pytest.raises(NeedToKnowError):
        plans(two_teams, "admin").agreed(OURS)
    with pytest.raises(NeedToKnowError):
        admin.require_access(OURS)


def test_a_team_lead_links_practices_to_their_own_team_only(two_teams):
    setup = SetupService(two_teams.sessions, "lead")
    with pytest.raises(PermissionDeniedError, match="own team only"):
        setup.link_practice("Southgate", "C82001")
    view = setup.link_practice("Northfield", "C82003")
    assert view.practices == ("C82001", "C82002", "C82003")
    assert PatientService(two_teams.sessions, "nurse").get(THEIRS).family_name == "Patel"
    setup.unlink_practice("Northfield", "C82003")
    with pytest.raises(NeedToKnowError):
        PatientService(two_teams.sessions, "nurse").get(THEIRS)
    with pytest.raises(NotFoundError):
        setup.unlink_practice("Northfield", "C82003")
    teams = {t.name: t for t in SetupService(two_teams.sessions, "admin").teams()}
    assert teams["Southgate"].practices == ("C82003",)
    assert teams["Northfield"].staff == 6  # five staff and the records clerk
    links = [s for _, s, _ in audit_rows(two_teams, "team.link_practice")]
    assert "Northfield cares for practice C82003" in links


def test_a_meeting_is_seen_by_its_own_team_and_those_it_involves(two_teams):
    from ltcdesk.services.meetings import MeetingService

    lead = MeetingService(two_teams.sessions, "lead", today=lambda: TODAY)
    meeting = lead.create(TODAY + timedelta(days=2), "09:30", "Room 2", "lead")
    lead.add_item(meeting.id, OURS, "Falls twice this month")
    south = MeetingService(two_teams.sessions, "gp.south", today=lambda: TODAY)
    assert south.list_meetings() == []
    assert south.next_meeting() is None
    with pytest.raises(PermissionDeniedError, match="belongs to Northfield"):
        south.get(meeting.id)
    assert [m.id for m in MeetingService(two_teams.sessions, "nurse").list_meetings()] == [
        meeting.id
    ]
    lead.set_attendance(meeting.id, "gp.south", "invited")  # asked to join: sees it
    assert [m.id for m in south.list_meetings()] == [meeting.id]
    assert [i.nhs_number for i in south.get(meeting.id).agenda] == [OURS]


# ---------------------------------------------------------------- breaking the glass


def test_break_glass_opens_the_record_for_eight_hours_audited_with_the_reason(
    two_teams, monkeypatch
):
    gp = PatientService(two_teams.sessions, "gp.south", today=lambda: TODAY)
    before = utcnow()
    grant = gp.break_glass("943 476 5919", REASON)
    assert grant.patient_name == "María O'Kon"
    assert timedelta(hours=8) <= grant.expires_at - before < timedelta(hours=8, minutes=1)
    assert plans(two_teams, "gp.south").agreed(OURS) is not None
    assert gp.get(OURS).family_name == "O'Kon"
    ((who, summary, pid),) = audit_rows(two_teams, "break_glass")
    assert who == "gp.south"
    assert summary == f"Broke the glass for 8 hours: {REASON}"
    assert pid == PatientService(two_teams.sessions, "lead").get(OURS).id
    # Broken again while still open: nothing more is written.
    gp.break_glass(OURS, "Still on the same out-of-hours visit")
    assert len(audit_rows(two_teams, "break_glass")) == 1
    # The glass is for this patient only, and for this person only.
    with pytest.raises(NeedToKnowError):
        gp.get(ALSO_OURS)
    with pytest.raises(NeedToKnowError):
        PatientService(two_teams.sessions, "nav.south").get(OURS)

    later = grant.expires_at + timedelta(minutes=1)
    monkeypatch.setattr("ltcdesk.services.base.utcnow", lambda: later)
    with pytest.raises(NeedToKnowError):
        plans(two_teams, "gp.south").agreed(OURS)


@pytest.mark.parametrize("reason", ["", "   ", "because", "\n\n"])
def test_break_glass_needs_a_reason(two_teams, reason):
    gp = PatientService(two_teams.sessions, "gp.south")
    with pytest.raises(ValidationError, match="reason: say why you need this record"):
        gp.break_glass(OURS, reason)
    assert count(two_teams, BreakGlass) == 0
    assert audit_rows(two_teams, "break_glass") == []
    with pytest.raises(NeedToKnowError):
        gp.get(OURS)


# ---------------------------------------------------------------- bulk reads, audited once


def test_a_list_the_person_asks_for_is_one_audit_row_with_the_count(two_teams):
    ours = CaseloadService(two_teams.sessions, "lead", today=lambda: TODAY)
    ours.list_caseload()  # a reading nobody asked for (a refresh): not audited
    assert audit_rows(two_teams, "caseload.list") == []
    rows = ours.list_patients(audit="Listed the patients")
    assert len(rows) == 3
    ours.record_export("CSV", 2, "Team caseloads – Level 2")
    assert [s for _, s, _ in audit_rows(two_teams, "caseload.list")] == [
        "Listed the patients: 3 patients"
    ]
    assert [s for _, s, _ in audit_rows(two_teams, "caseload.export")] == [
        "Exported Team caseloads – Level 2 as CSV: 2 patients"
    ]


def test_filtering_to_the_team_costs_no_extra_query(two_teams):
    statements: list[str] = []

    def counted(_conn, _cursor, statement, *_args):
        statements.append(statement)

    def selects(user: str) -> int:
        statements.clear()
        event.listen(two_teams.engine, "before_cursor_execute", counted)
        try:
            CaseloadService(two_teams.sessions, user, today=lambda: TODAY).list_patients()
            plans(two_teams, user).agreed(OURS)
            PatientService(two_teams.sessions, user).get(OURS)
        finally:
            event.remove(two_teams.engine, "before_cursor_execute", counted)
        return sum(1 for s in statements if s.lstrip().upper().startswith("SELECT"))

    # The administrator keeps the register: the list and record unfiltered, unchecked. A
    # team member's list is filtered, and each record checked, in the same statements.
    assert selects("lead") == selects("admin")


# ---------------------------------------------------------------- the command line


@pytest.fixture
def signed_in(two_teams, monkeypatch):
    accounts = AccountAdmin(two_teams.sessions, "admin")
    for username in ("admin", "lead", "gp.south"):
        accounts.reset_password(username, PASSWORD)
    monkeypatch.setenv("LTCDESK_PASSWORD", PASSWORD)

    def run(capsys, user: str, *argv: str) -> tuple[int, str, str]:
        code = main(["--db", two_teams.url, "--user", user, *argv])
        out, err = capsys.readouterr()
        return code, out, err

    return run


def test_cli_refuses_then_breaks_the_glass_and_audit_list_shows_it(signed_in, two_teams, capsys):
    code, out, err = signed_in(capsys, "gp.south", "patient", "show", OURS)
    assert code == 2
    assert out == ""
    assert err.count("\n") == 1
    assert "943 476 5919 is not cared for by your team" in err
    assert '--break-glass "REASON"' in err

    code, out, err = signed_in(capsys, "gp.south", "patient", "show", OURS, "--break-glass", "x")
    assert code == 2
    assert "reason: say why you need this record" in err

    code, out, err = signed_in(
        capsys, "gp.south", "patient", "show", OURS, "--format", "json", "--break-glass", REASON
    )
    assert code == 0, err
    assert json.loads(out)["family_name"] == "O'Kon"
    assert "you broke the glass for María O'Kon's record until" in err
    code, out, _ = signed_in(capsys, "gp.south", "patient", "show", OURS, "--format", "json")
    assert code == 0  # for the rest of the 8 hours

    code, out, err = signed_in(capsys, "lead", "audit", "list", "--break-glass", "--format", "json")
    assert code == 0, err
    listed = json.loads(out)
    assert [(r["username"], r["action"]) for r in listed] == [("gp.south", "break_glass")]
    assert REASON in listed[0]["summary"]
    assert listed[0]["patient_nhs"] == OURS


def test_cli_caseload_exports_and_searches_are_one_audit_row_each(signed_in, two_teams, capsys):
    code, out, _ = signed_in(capsys, "lead", "caseload", "--format", "csv")
    assert code == 0
    assert out.count("\n") == 3  # the header and two patients
    code, out, _ = signed_in(capsys, "lead", "caseload", "--search", "kon")
    assert code == 0
    assert "O'Kon" in out
    summaries = [s for u, s, _ in audit_rows(two_teams, "caseload.list") if u == "lead"]
    assert summaries == [
        "Listed the caseload (csv on the command line): 2 patients",
        "Listed the caseload (table on the command line) (a search): 1 patient",
    ]
    code, out, _ = signed_in(capsys, "gp.south", "caseload", "--format", "json")
    assert [r["nhs_number"] for r in json.loads(out)] == [VISITING]


def test_cli_assessment_history_is_one_audit_row(signed_in, two_teams, capsys):
    AssessmentService(two_teams.sessions, "matron1", today=lambda: TODAY).start(OURS, "telephone")
    code, out, err = signed_in(capsys, "lead", "assessment", "history", OURS, "--format", "json")
    assert code == 0, err
    assert len(json.loads(out)) == 1
    ((who, summary, pid),) = audit_rows(two_teams, "assessment.history")
    assert who == "lead"
    assert summary == "Listed the patient's assessments (1): 1 patient"
    assert pid is not None


def test_cli_practice_and_team_commands(signed_in, two_teams, capsys):
    code, out, err = signed_in(
        capsys, "admin", "practice", "add", "C82004", "Eastfield Surgery", "--team", "Southgate"
    )
    assert code == 0, err
    assert out.strip() == "Added practice C82004 Eastfield Surgery, cared for by Southgate"
    code, out, _ = signed_in(capsys, "admin", "team", "list", "--format", "json")
    teams = {t["name"]: t["practices"] for t in json.loads(out)}
    assert teams == {"Northfield": ["C82001", "C82002"], "Southgate": ["C82003", "C82004"]}
    code, _, err = signed_in(capsys, "lead", "team", "link", "Southgate", "C82001")
    assert code == 2
    assert "own team only" in err
    code, out, _ = signed_in(capsys, "lead", "team", "link", "Northfield", "C82004")
    assert out.strip() == "Northfield now cares for C82001, C82002, C82004"
    code, out, _ = signed_in(capsys, "admin", "team", "move", "gp.south", "--to", "Northfield")
    assert out.strip() == "Dr Sam South (gp.south) is now in Northfield"
    code, out, _ = signed_in(capsys, "gp.south", "patient", "show", OURS)
    assert code == 0


# ---------------------------------------------------------------- upgrading a database


@pytest.mark.parametrize(
    ("teams", "expected"),
    [
        # An only team keeps sight of every practice, as before the upgrade.
        (("Northfield",), {("Northfield", "C82001"), ("Northfield", "C82002")}),
        # Of several, each keeps the practices whose patients its key workers hold.
        (("Northfield", "Southgate"), {("Northfield", "C82001"), ("Southgate", "C82002")}),
    ],
)
def test_upgrading_links_teams_to_the_practices_they_cared_for(db, teams, expected):
    from alembic import command
    from sqlalchemy import text

    from ltcdesk.db import alembic_config

    cfg = alembic_config(db.engine)
    command.downgrade(cfg, "0012")
    with db.engine.begin() as conn:
        conn.execute(
            text(
                "INSERT INTO practices (id, code, name) VALUES "
                "(1, 'C82001', 'Castle'), (2, 'C82002', 'Riverside')"
            )
        )
        for n, name in enumerate(teams, start=1):
            conn.execute(text("INSERT INTO teams (id, name) VALUES (:i, :n)"), {"i": n, "n": name})
            conn.execute(
                text(
                    "INSERT INTO staff (id, username, display_name, role, team_id, active, "
                    "created_at, failed_sign_ins) VALUES (:i, :u, 'M', 'community_matron', :i, "
                    ":t, '2026-01-01 00:00:00', 0)"
                ),
                {"i": n, "u": f"matron{n}", "t": True},
            )
            conn.execute(
                text(
                    "INSERT INTO patients (id, nhs_number, family_name, given_name, "
                    "date_of_birth, sex, practice_id, lives_alone, interpreter_needed, "
                    "created_at, updated_at, version) VALUES (:i, :nhs, 'F', 'G', "
                    "'1940-01-01', 'unknown', :i, :f, :f, '2026-01-01 00:00:00', "
                    "'2026-01-01 00:00:00', 1)"
                ),
                {"i": n, "nhs": ("9434765919", "4010232137")[n - 1], "f": False},
            )
            conn.execute(
                text(
                    "INSERT INTO caseload_assignments (patient_id, key_worker_id, level, "
                    "start_date, start_change, created_by_id, created_at) VALUES "
                    "(:i, :i, 2, '2026-01-05', 'accepted', :i, '2026-01-05 00:00:00')"
                ),
                {"i": n},
            )
    command.upgrade(cfg, "head")
    with db.engine.connect() as conn:
        links = set(
            conn.execute(
                text(
                    "SELECT teams.name, practices.code FROM team_practices "
                    "JOIN teams ON teams.id = team_practices.team_id "
                    "JOIN practices ON practices.id = team_practices.practice_id"
                )
            ).all()
        )
    assert links == expected
