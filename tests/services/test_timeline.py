"""The patient's timeline through the real services: one entry for each kind of thing that
happens to a person, newest first, in words; who did it; the tab with the detail; the
limit; a read-only user may read it; one audit row with counts only; a few queries."""

from __future__ import annotations

from dataclasses import replace
from datetime import date, timedelta

import pytest
from sqlalchemy import event, select

from ltcdesk.domain.errors import NotFoundError
from ltcdesk.models import AuditEntry
from ltcdesk.services.assessments import AssessmentService, DomainEdit
from ltcdesk.services.careplan_views import CarePlanEdits, GoalEdits
from ltcdesk.services.careplans import CarePlanService
from ltcdesk.services.caseload import CaseloadService
from ltcdesk.services.conversations import ConversationInput, ConversationService, TopicNote
from ltcdesk.services.events import EventService
from ltcdesk.services.meetings import MeetingService
from ltcdesk.services.patients import NewPatient, PatientService
from ltcdesk.services.setup import SetupService
from ltcdesk.services.timeline import TimelineService
from tests.conftest import TODAY

NHS = "9434765919"


def ago(days: int) -> date:
    return TODAY - timedelta(days=days)


def on(days: int):
    return lambda: ago(days)


def fill_a_year(db) -> None:
    """A year of one person's care, one of each kind of entry, each on its own day."""
    s = db.sessions
    PatientService(s, "lead", today=on(0)).register(
        NewPatient(NHS, "O'Kon", "María", "1940-03-01", "C82001")
    )
    caseload = CaseloadService(s, "lead", today=on(0))
    caseload.assign(NHS, "matron1", 2, "Referred by GP", ago(100))

    assessments = AssessmentService(s, "matron1", today=on(0))
    a = assessments.start(NHS, "telephone", ago(90))
    a = assessments.save(
        NHS,
        a.id,
        {
            "social_contact": DomainEdit(
                {"lives_alone": True, "loneliness": "often"},
                need_identified=True,
                need_text="See people more often",
            )
        },
        a.lock_version,
    )
    rest = {d.key: replace(d.edit(), confirmed=True) for d in a.domains if not d.confirmed}
    a = assessments.save(NHS, a.id, rest, a.lock_version)
    assessments.complete(NHS, a.id, a.lock_version)

    plans = CarePlanService(s, "matron1", today=on(80))
    draft = plans.start(NHS)
    plans.save_draft(
        NHS,
        CarePlanEdits(
            goals=[GoalEdits(description="Walk to the shop", importance=8, confidence=4)],
            review_date=ago(-100),
        ),
        draft.lock_version,
    )
    plans.agree(NHS, "María and her daughter")

    ConversationService(s, "navigator", today=on(0)).record(
        NHS,
        ConversationInput(
            held_on=ago(60),
            mode="phone",
            with_carer=True,
            topics=(TopicNote("loneliness", "Misses her sister"),),
            flag_to_team=True,
            flag_reason="Lives alone, heating broken",
        ),
    )

    meetings = MeetingService(s, "lead", today=on(50))
    m = meetings.create(ago(50), "09:30", "Room 2", "lead").id
    view = meetings.add_item(m, NHS, "Flagged by the navigator")
    meetings.lock_agenda(m)
    meetings.start(m)
    item = next(i for i in view.agenda if i.nhs_number == NHS)
    meetings.record_outcome(m, item.id, "Falls twice;\nneeds more help", ["step_up", "refer"])
    action = meetings.add_action(m, NHS, "Ask GP about pain relief", "matron2", ago(40))
    meetings.close(m)

    CaseloadService(s, "lead", today=on(0)).change_level(NHS, 3, "More falls", on_date=ago(45))
    events = EventService(s, "matron1", today=on(0))
    events.record(NHS, "ae", ago(35), "Northfield General", reason="Fall")
    events.record(
        NHS,
        "admission",
        ago(30),
        "Northfield General",
        reason="Chest infection",
        expected_discharge=ago(25),
    )
    events.record(NHS, "discharge", ago(25), "Northfield General")
    MeetingService(s, "matron2", today=on(20)).complete_action(action.id, note="GP rang")
    caseload.transfer(NHS, "nurse", "Moved house", ago(10))
    CarePlanService(s, "lead", today=on(3)).close(NHS, "Discharged from the caseload")
    caseload.discharge(NHS, "Goals met", ago(2))


@pytest.fixture
def world(team):
    SetupService(team.sessions, "admin").add_staff(
        "viewer", "Vera Viewer", "read_only", team="Northfield"
    )
    fill_a_year(team)
    return team


def timeline(db, user: str = "viewer") -> TimelineService:
    return TimelineService(db.sessions, user, today=on(0))


def test_one_entry_of_each_kind_newest_first_in_words(world):
    entries = timeline(world).for_patient(NHS)
    got = [(e.on, e.kind, e.summary, e.by, e.tab) for e in entries]
    assert got == [
        (
            ago(2),
            "Discharged from caseload",
            "Left Nia Nurse's caseload (Level 3 – case management): Goals met",
            None,
            "history",
        ),
        (
            ago(3),
            "Care plan closed",
            "Version 1 closed: Discharged from the caseload",
            "Tessa Lead",
            "care_plan",
        ),
        (
            ago(10),
            "Transferred",
            "To Nia Nurse's caseload (Level 3 – case management): Moved house",
            "Tessa Lead",
            "history",
        ),
        (
            ago(20),
            "Meeting action done",
            "Ask GP about pain relief — GP rang",
            "Martin Matron",
            "events",
        ),
        (ago(25), "Hospital discharge", "Northfield General", "Mary Matron", "events"),
        (
            ago(30),
            "Hospital admission",
            f"Northfield General: Chest infection; expected discharge {ago(25):%d/%m/%Y}",
            "Mary Matron",
            "events",
        ),
        (ago(35), "A&E attendance", "Northfield General: Fall", "Mary Matron", "events"),
        (
            ago(45),
            "Stepped up",
            "To Level 3 – case management, key worker Mary Matron: More falls",
            "Tessa Lead",
            "history",
        ),
        # Agreed at the meeting, after the discussion (the same day).
        (
            ago(50),
            "Meeting action agreed",
            f"Ask GP about pain relief — Martin Matron, due {ago(40):%d/%m/%Y}",
            "Tessa Lead",
            "events",
        ),
        (
            ago(50),
            "Discussed at a whiteboard meeting",
            "Step up; Refer on — Falls twice; needs more help",
            "Tessa Lead",
            "events",
        ),
        (
            ago(60),
            "Conversation",
            "Phone call with the person and their carer: Loneliness and social contact; "
            "flagged to the team: Lives alone, heating broken",
            "Nadia Navigator",
            "conversations",
        ),
        (
            ago(80),
            "Care plan agreed",
            f"Version 1 agreed with María and her daughter; review by {ago(-100):%d/%m/%Y}",
            "Mary Matron",
            "care_plan",
        ),
        (
            ago(90),
            "Assessment completed",
            "Telephone assessment: 1 need identified",
            "Mary Matron",
            "assessment",
        ),
        (
            ago(100),
            "Accepted onto caseload",
            "Level 2 – disease-specific care management, key worker Mary Matron: Referred by GP",
            "Tessa Lead",
            "history",
        ),
    ]
    assert [e.on for e in entries] == sorted((e.on for e in entries), reverse=True)


def test_a_limit_keeps_the_newest(world):
    entries = timeline(world, "matron1").for_patient(NHS, limit=3)
    assert [e.kind for e in entries] == [
        "Discharged from caseload",
        "Care plan closed",
        "Transferred",
    ]


def test_one_audit_row_with_counts_and_no_words_about_the_person(world):
    with world.sessions() as s:
        before = s.scalar(select(AuditEntry.id).order_by(AuditEntry.id.desc()).limit(1))
    timeline(world).for_patient(NHS, limit=5)
    with world.sessions() as s:
        rows = s.scalars(select(AuditEntry).where(AuditEntry.id > before)).all()
    assert [(r.username, r.action, r.entity) for r in rows] == [
        ("viewer", "timeline.view", "patient")
    ]
    assert rows[0].patient_id is not None
    assert rows[0].summary == "Viewed the timeline (5 of 14 entries)"
    for words in ("Northfield", "pain", "heating", "Goals", "O'Kon"):
        assert words not in rows[0].summary


def test_a_handful_of_queries_however_long_the_record(world):
    statements: list[str] = []
    engine = world.engine

    def count(_conn, _cursor, statement, *_args):
        statements.append(statement)

    event.listen(engine, "before_cursor_execute", count)
    try:
        timeline(world).for_patient(NHS)
    finally:
        event.remove(engine, "before_cursor_execute", count)
    selects = [s for s in statements if s.lstrip().upper().startswith("SELECT")]
    # The acting user, the person, staff names, one or two per kind (and the audit chain).
    assert len(selects) <= 12, selects


def test_an_empty_timeline_and_an_unknown_person(world):
    PatientService(world.sessions, "lead", today=on(0)).register(
        NewPatient("9434765870", "Newby", "Nell", "1950-01-01", "C82001")
    )
    assert timeline(world).for_patient("943 476 5870") == []
    with pytest.raises(NotFoundError):
        timeline(world).for_patient("4010232137")  # valid, never registered
