"""Reminders and hospital events through the real services: each source, the grouping
boundaries (midnight, the end of the week, working days over a weekend), absence cover,
complete / reschedule / reassign with audit, and a messy CSV import of events."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from sqlalchemy import select

from ltcdesk.domain import nhs_number
from ltcdesk.domain.errors import (
    NotFoundError,
    PermissionDeniedError,
    ValidationError,
)
from ltcdesk.models import AuditEntry
from ltcdesk.services.careplan_views import ActionStep, CarePlanEdits, GoalEdits, Preventive
from ltcdesk.services.careplans import CarePlanService
from ltcdesk.services.caseload import CaseloadService
from ltcdesk.services.conversations import (
    ConversationInput,
    ConversationService,
    FollowUp,
    TopicNote,
)
from ltcdesk.services.events import EventService, ImportRefused
from ltcdesk.services.meetings import MeetingService
from ltcdesk.services.patients import NewPatient, PatientService
from ltcdesk.services.reminder_sources import Source, add_working_days
from ltcdesk.services.reminders import Group, ReminderService, group_of

WED = date(2026, 11, 18)  # a Wednesday: "today" in these tests


def nhs_for(n: int) -> str:
    number = nhs_number.complete(f"{430000000 + n * 11:09d}")
    while number is None:
        n += 1000
        number = nhs_number.complete(f"{430000000 + n * 11:09d}")
    return number


def svc(db, user: str = "matron1", today: date = WED) -> ReminderService:
    return ReminderService(db.sessions, user, today=lambda: today)


class World:
    def __init__(self, db) -> None:
        self.db = db
        self.n = 0

    def patient(self, family: str, given: str = "Ann") -> str:
        self.n += 1
        nhs = nhs_for(self.n)
        PatientService(self.db.sessions, "lead", today=lambda: WED).register(
            NewPatient(nhs, family, given, "1944-05-06", "C82001")
        )
        return nhs

    def caseload(self, nhs: str, worker: str = "matron1", ago: int = 10) -> None:
        CaseloadService(self.db.sessions, "lead", today=lambda: WED).assign(
            nhs, worker, 2, "Referred by GP", WED - timedelta(days=ago)
        )

    def consent(self, nhs: str) -> None:
        PatientService(self.db.sessions, "matron1", today=lambda: WED).record_consent(
            nhs, "given", WED - timedelta(days=5), None
        )

    def plan(self, nhs: str, review: date, follow_up: date | None = None) -> int:
        plans = CarePlanService(self.db.sessions, "matron1", today=lambda: WED - timedelta(30))
        draft = plans.start(nhs)
        goal = GoalEdits(
            description="Walk to the shop",
            importance=8,
            confidence=4,
            follow_up_who="Mary",
            follow_up_when=follow_up,
            follow_up_how="phone" if follow_up else None,
        )
        plans.save_draft(
            nhs,
            CarePlanEdits(
                goals=[goal],
                review_date=review,
                preventive=Preventive(None, None, date(2025, 11, 25), None),
            ),
            draft.lock_version,
        )
        return plans.agree(nhs, "the person").goals[0].id


@pytest.fixture
def world(team):
    return World(team)


def by_source(reminders, nhs: str) -> dict[Source, object]:
    return {r.source: r for r in reminders if r.nhs_number == nhs}


def test_groups_at_midnight_and_the_end_of_the_week():
    assert group_of(WED - timedelta(days=1), WED) is Group.OVERDUE
    assert group_of(WED, WED) is Group.TODAY
    assert group_of(WED + timedelta(days=1), WED) is Group.THIS_WEEK
    sunday = date(2026, 11, 22)
    assert group_of(sunday, WED) is Group.THIS_WEEK
    assert group_of(sunday + timedelta(days=1), WED) is Group.LATER
    # On a Sunday, tomorrow (Monday) is already next week.
    assert group_of(sunday + timedelta(days=1), sunday) is Group.LATER
    # Two working days after a Friday discharge is the Tuesday.
    friday = date(2026, 11, 20)
    assert add_working_days(friday, 2) == date(2026, 11, 24)
    assert add_working_days(WED, 2) == date(2026, 11, 20)


def test_each_source_for_the_key_worker(world):
    db = world.db
    new = world.patient("Newby")
    world.caseload(new, ago=40)  # no consent, no plan after 28 days, no assessment
    planned = world.patient("Planner")
    world.caseload(planned)
    world.consent(planned)
    world.plan(planned, review=WED + timedelta(days=2), follow_up=WED - timedelta(days=1))
    chat = world.patient("Chatty")
    world.caseload(chat)
    world.consent(chat)
    ConversationService(db.sessions, "navigator", today=lambda: WED).record(
        chat,
        ConversationInput(
            held_on=WED - timedelta(days=3),
            mode="phone",
            topics=(TopicNote("loneliness"),),
            follow_ups=(FollowUp("Ring about the lunch club", WED, "navigator"),),
        ),
    )
    meetings = MeetingService(db.sessions, "lead", today=lambda: WED)
    m = meetings.create(WED - timedelta(days=7), "09:30", "Room 2", "lead").id
    meetings.add_item(m, chat, "Lonely")
    meetings.lock_agenda(m)
    meetings.start(m)
    meetings.add_action(m, chat, "Visit with the navigator", "matron1", WED + timedelta(days=9))

    mine = svc(db).worklist()
    newby = by_source(mine, new)
    assert set(newby) == {Source.CONSENT, Source.NO_PLAN, Source.ASSESSMENT}
    assert newby[Source.NO_PLAN].due == WED - timedelta(days=12)  # 40 days ago + 28
    assert newby[Source.ASSESSMENT].why.startswith("No assessment since joining")
    plan = by_source(mine, planned)
    assert plan[Source.REVIEW].due == WED + timedelta(days=2)
    assert plan[Source.GOAL].due == WED - timedelta(days=1)
    assert plan[Source.GOAL].why == "Goal 1: “Walk to the shop” (Mary)"
    assert plan[Source.MEDICINES].due == date(2026, 11, 25)
    assert plan[Source.REVIEW].group(WED) is Group.THIS_WEEK
    assert plan[Source.MEDICINES].group(WED) is Group.LATER
    assert plan[Source.GOAL].tab == "care_plan"
    assert by_source(mine, chat)[Source.ACTION].why == "Visit with the navigator"
    # The navigator's call is on the navigator's list, not the matron's.
    assert Source.CALL not in by_source(mine, chat)
    calls = by_source(svc(db, "navigator").worklist(), chat)
    assert calls[Source.CALL].due == WED
    assert calls[Source.CALL].group(WED) is Group.TODAY
    # Recording the goal's follow-up (a new score on or after the date) clears that one.
    goal_id = CarePlanService(db.sessions, "matron1", today=lambda: WED).agreed(planned).goals[0].id
    CarePlanService(db.sessions, "matron1", today=lambda: WED).record_follow_up(
        planned, goal_id, 8, 6, "active"
    )
    assert Source.GOAL not in by_source(svc(db).worklist(), planned)
    # Counts for the rail and the start-up summary.
    counts = svc(db).counts()
    assert counts[Group.OVERDUE] == sum(1 for r in svc(db).worklist() if r.due < WED)
    # The start-up summary reads the worklist once: the same counts, and what is due by today.
    summary_counts, due = svc(db).summary()
    assert summary_counts == counts
    assert [r.key for r in due] == [r.key for r in svc(db).worklist() if r.due <= WED]


def test_hospital_events_make_urgent_reminders_and_agenda_items(world):
    db = world.db
    nhs = world.patient("Admitted")
    world.caseload(nhs, ago=40)  # not new to the caseload: the agenda says hospital
    world.consent(nhs)
    events = EventService(db.sessions, "navigator", today=lambda: WED)
    events.record(
        nhs,
        "admission",
        WED - timedelta(days=2),
        "Northfield General",
        reason="Chest infection",
        expected_discharge=WED + timedelta(days=3),
    )
    first = svc(db).worklist()[0]
    assert (first.source, first.urgent, first.nhs_number) == (Source.ADMISSION, True, nhs)
    assert first.why == (
        f"Admitted to Northfield General on {WED - timedelta(days=2):%d/%m/%Y}; "
        f"expected home {WED + timedelta(days=3):%d/%m/%Y}"
    )
    # The next whiteboard meeting's agenda shows it under hospital.
    meetings = MeetingService(db.sessions, "lead", today=lambda: WED)
    m = meetings.create(WED + timedelta(days=1), "09:30", "Room 2", "lead").id
    item = meetings.build_agenda(m).agenda[0]
    assert (item.section.value, item.patient_name) == ("hospital", "Ann Admitted")
    assert item.reasons[0].startswith("Admitted to Northfield General on")
    # A Friday discharge: follow up within 2 working days, i.e. by Tuesday.
    friday = WED + timedelta(days=2)
    events2 = EventService(db.sessions, "navigator", today=lambda: friday)
    events2.record(nhs, "discharge", friday, "Northfield General")
    later = svc(db, today=friday).worklist()
    mine = by_source(later, nhs)
    assert Source.ADMISSION not in mine
    assert mine[Source.DISCHARGE].due == date(2026, 11, 24)
    # Validation names the field; nothing is written.
    with pytest.raises(ValidationError, match="expected discharge"):
        events.record(nhs, "ae", WED, "Northfield General", expected_discharge=WED)
    with pytest.raises(ValidationError, match="date"):
        events.record(nhs, "ae", WED + timedelta(days=1), "Northfield General")
    with pytest.raises(ValidationError, match="event type"):
        events.record(nhs, "holiday", WED, "Northfield General")
    assert len(events.list_for(nhs)) == 2
    with pytest.raises(PermissionDeniedError):
        EventService(db.sessions, "readonly", today=lambda: WED).record(
            nhs, "ae", WED, "Northfield General"
        )


def test_complete_reschedule_reassign_with_audit(world):
    db = world.db
    nhs = world.patient("Busy")
    world.caseload(nhs, ago=40)
    mine = by_source(svc(db).worklist(), nhs)
    consent = mine[Source.CONSENT]
    with pytest.raises(ValidationError, match="reason"):
        svc(db).reschedule(nhs, consent.key, WED + timedelta(days=7), " ")
    with pytest.raises(ValidationError, match="new date"):
        svc(db).reschedule(nhs, consent.key, WED - timedelta(days=1), "Away")
    moved = svc(db).reschedule(nhs, consent.key, WED + timedelta(days=7), "Family visiting")
    assert moved.due == WED + timedelta(days=7)
    assert moved.note == f"Rescheduled from {consent.due:%d/%m/%Y}: Family visiting"
    assert by_source(svc(db).worklist(), nhs)[Source.CONSENT].due == WED + timedelta(days=7)
    # Someone else's reminder: not theirs to change (a team lead may).
    no_plan = mine[Source.NO_PLAN]
    with pytest.raises(PermissionDeniedError, match="Mary Matron"):
        svc(db, "nurse").complete(nhs, no_plan.key)
    given = svc(db, "lead").reassign(nhs, no_plan.key, "nurse", "Mary is on a course")
    assert (given.owner_username, given.note) == (
        "nurse",
        "Reassigned by Tessa Lead: Mary is on a course",
    )
    assert Source.NO_PLAN not in by_source(svc(db).worklist(), nhs)
    assert Source.NO_PLAN in by_source(svc(db, "nurse").worklist(), nhs)
    svc(db, "nurse").complete(nhs, no_plan.key, "Plan started")
    assert Source.NO_PLAN not in by_source(svc(db, "nurse").worklist(), nhs)
    with pytest.raises(NotFoundError, match="no longer due"):
        svc(db, "nurse").complete(nhs, no_plan.key)
    with db.sessions() as s:
        actions = [
            a
            for a in s.scalars(
                select(AuditEntry.action).where(AuditEntry.action.like("reminder.%"))
            )
        ]
    assert actions == ["reminder.rescheduled", "reminder.reassigned", "reminder.done"]


def test_an_absent_workers_reminders_go_to_the_team_lead(world):
    db = world.db
    nhs = world.patient("Covered")
    world.caseload(nhs, ago=40)
    with pytest.raises(PermissionDeniedError):
        svc(db, "nurse").add_absence("matron1", WED, WED + timedelta(days=4))
    with pytest.raises(ValidationError, match="last day"):
        svc(db, "lead").add_absence("matron1", WED, WED - timedelta(days=1))
    away = svc(db, "lead").add_absence("matron1", WED - timedelta(days=1), WED + timedelta(3))
    assert by_source(svc(db).worklist(), nhs) == {}
    covered = by_source(svc(db, "lead").worklist(), nhs)
    assert covered[Source.CONSENT].covering_for == "Mary Matron"
    # After the absence, they come back to her.
    back = WED + timedelta(days=4)
    assert Source.CONSENT in by_source(svc(db, today=back).worklist(), nhs)
    svc(db, "lead").end_absence(away.id)
    assert Source.CONSENT in by_source(svc(db).worklist(), nhs)


MESSY = (
    "\ufeffNHS Number;Event Type;Date;Hospital;Reason\r\n"
    "{a};Admitted;17/11/2026;Northfield General;Fall\r\n"
    "{b_spaced};A&E;2026-11-16;Northfield General;\r\n"
    "943 476 5918;discharge;16/11/2026;Northfield General;\r\n"
    "{a};Admitted;17/11/2026;Northfield General;Fall\r\n"
    "\r\n"
    "{b};holiday;16/11/2026;Northfield General;\r\n"
    "{b};discharge;31/02/2026;Northfield General;\r\n"
    "{b};discharge;16/11/2026;;\r\n"
    "{b};discharge;16/11/2099;Northfield General;\r\n"
)


def test_a_messy_csv_import_names_every_bad_row_and_saves_nothing_until_corrected(world):
    db = world.db
    a, b = world.patient("Alpha"), world.patient("Bravo")
    text = MESSY.format(a=a, b=b, b_spaced=nhs_number.format_nhs(b))
    events = EventService(db.sessions, "admin", today=lambda: WED)
    with pytest.raises(ImportRefused) as refused:
        events.import_csv(text.encode("utf-8"))
    lines = refused.value.lines()
    assert lines[0].startswith("Row 4: NHS number: '943 476 5918' is not a valid NHS number")
    assert lines[1].startswith("Row 7: event type: 'holiday' is not admission")
    assert lines[2].startswith("Row 8: date:")
    assert lines[3].startswith("Row 9: hospital:")
    assert lines[4].startswith("Row 10: date:")
    assert len(lines) == 5
    assert events.list_for(a) == []  # all or nothing
    # The bad rows corrected (here: taken out), the list goes in; the repeat is skipped.
    good = "\r\n".join(text.split("\r\n")[:3] + text.split("\r\n")[4:6]) + "\r\n"
    report = events.import_csv(good.encode("utf-8"))
    assert (report.saved, report.duplicates) == (2, 1)
    assert report.lines() == ["Row 4: the same as row 2 (same person, type and date)"]
    assert [(e.kind, e.reason) for e in events.list_for(a)] == [("admission", "Fall")]
    assert [e.kind for e in events.list_for(b)] == ["ae"]
    # Importing the same file again saves nothing new.
    again = events.import_csv(good.encode("utf-8"))
    assert again.saved == 0
    # Not a CSV at all: refused whole.
    with pytest.raises(ValidationError, match="not a CSV"):
        events.import_csv(b"%PDF-1.7\n%\xe2\xe3\xcf\xd3 binary")
    with pytest.raises(ValidationError, match="missing the column"):
        events.import_csv(b"name,when\nAnn,today\n")


def test_no_plan_reminders_are_for_levels_2_and_3_only(world):
    db = world.db
    selfcare = world.patient("Selfcare")
    CaseloadService(db.sessions, "lead", today=lambda: WED).assign(
        selfcare, "matron1", 1, "Supported self-management", WED - timedelta(days=60)
    )
    mine = by_source(svc(db).worklist(), selfcare)
    assert Source.NO_PLAN not in mine
    assert Source.CONSENT in mine  # consent still matters at every level


def test_action_plan_steps_with_dates_remind_the_key_worker(world):
    db = world.db
    nhs = world.patient("Stepper")
    world.caseload(nhs)
    world.consent(nhs)
    off = world.patient("Offlist")  # not on a caseload: nobody's step reminder
    plans = CarePlanService(db.sessions, "matron1", today=lambda: WED)
    by = WED + timedelta(days=5)
    steps = (
        ActionStep(
            "Ring the surgery to book a blood test for my kidneys, and ask " * 2, None, None, by
        ),
        ActionStep("Walk to the gate and back", "after breakfast", "daily"),  # no date
    )
    for who in (nhs, off):
        draft = plans.start(who)
        plans.save_draft(
            who,
            CarePlanEdits(
                goals=[
                    GoalEdits("Keep my kidneys well", 9, 6, steps=steps),
                    GoalEdits(
                        "Done already",
                        8,
                        8,
                        status="achieved",
                        steps=(ActionStep("Old step", None, None, by),),
                    ),
                ],
                review_date=WED + timedelta(days=90),
            ),
            draft.lock_version,
        )
    # A draft's steps are not reminders yet: only what the person agreed.
    assert Source.STEP not in by_source(svc(db).worklist(), nhs)
    plans.agree(nhs, "the person")
    plans.agree(off, "the person")

    mine = [r for r in svc(db).worklist() if r.source is Source.STEP]
    assert [(r.nhs_number, r.due, r.owner_username) for r in mine] == [(nhs, by, "matron1")]
    step = mine[0]
    assert step.why.startswith("Goal 1: Ring the surgery to book a blood test")
    assert step.why.endswith("…")
    assert len(step.why) == len("Goal 1: ") + 60
    assert (step.tab, step.source.label) == ("care_plan", "Action plan step")
    assert Source.STEP not in {r.source for r in svc(db).for_patient(off)}
    # Rescheduled, then completed through the worklist like any other reminder.
    svc(db).reschedule(nhs, step.key, by + timedelta(days=7), "Surgery closed for training")
    assert by_source(svc(db).worklist(), nhs)[Source.STEP].due == by + timedelta(days=7)
    svc(db).complete(nhs, step.key, "Booked for Tuesday")
    assert Source.STEP not in by_source(svc(db).worklist(), nhs)


def test_consent_recorded_as_not_asked_is_still_to_ask(world):
    db = world.db
    nhs = world.patient("Unasked")
    world.caseload(nhs)
    patients = PatientService(db.sessions, "matron1", today=lambda: WED)
    patients.record_consent(nhs, "not_asked", WED - timedelta(days=5), None)
    assert Source.CONSENT in by_source(svc(db).worklist(), nhs)
    patients.record_consent(nhs, "declined", WED - timedelta(days=2), "Does not want it shared")
    assert Source.CONSENT not in by_source(svc(db).worklist(), nhs)  # an answer, though no
    patients.record_consent(nhs, "given", WED - timedelta(days=1), None)
    assert Source.CONSENT not in by_source(svc(db).worklist(), nhs)
