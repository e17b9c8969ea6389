"""Whiteboard meetings through the real services: each agenda source, the order, one item
per patient with every reason, carry-forward of open actions, locking and the chair's
rights, meeting mode from agenda to recorded actions, and closing."""

from __future__ import annotations

from datetime import date, time, timedelta

import pytest
from sqlalchemy import select

from ltcdesk.domain import nhs_number
from ltcdesk.domain.errors import (
    ConflictError,
    NotFoundError,
    PermissionDeniedError,
    ValidationError,
)
from ltcdesk.models import AuditEntry, Conversation
from ltcdesk.services.careplan_views import CarePlanEdits, GoalEdits
from ltcdesk.services.careplans import CarePlanService
from ltcdesk.services.caseload import CaseloadService
from ltcdesk.services.conversations import ConversationInput, ConversationService, TopicNote
from ltcdesk.services.meeting_views import Section
from ltcdesk.services.meetings import MeetingService
from ltcdesk.services.patients import NewPatient, PatientService
from tests.conftest import TODAY

MEETING_DAY = TODAY + timedelta(days=2)  # a Tuesday after the test "today"


def nhs_for(n: int) -> str:
    number = nhs_number.complete(f"{400000000 + n * 7:09d}")
    while number is None:
        n += 1000
        number = nhs_number.complete(f"{400000000 + n * 7:09d}")
    return number


def svc(db, user: str = "lead", today: date = TODAY) -> MeetingService:
    return MeetingService(db.sessions, user, today=lambda: today)


class World:
    def __init__(self, db) -> None:
        self.db = db
        self.n = 0

    def patient(self, family: str, given: str = "Ann") -> str:
        self.n += 1
        nhs = nhs_for(self.n)
        PatientService(self.db.sessions, "lead", today=lambda: TODAY).register(
            NewPatient(nhs, family, given, "1944-05-06", "C82001")
        )
        return nhs

    def on_caseload(self, nhs: str, worker: str = "matron1", level: int = 2, ago: int = 60) -> None:
        CaseloadService(self.db.sessions, "lead", today=lambda: TODAY).assign(
            nhs, worker, level, "Referred by GP", TODAY - timedelta(days=ago)
        )

    def agreed_plan(self, nhs: str, review: date) -> int:
        plans = CarePlanService(self.db.sessions, "matron1", today=lambda: TODAY)
        draft = plans.start(nhs)
        edits = CarePlanEdits(
            goals=[GoalEdits(description="Walk to the shop", importance=8, confidence=4)],
            review_date=review,
        )
        plans.save_draft(nhs, edits, draft.lock_version)
        return plans.agree(nhs, "the person").goals[0].id

    def flag(self, nhs: str, reason: str, ago: int = 3) -> int:
        conv = ConversationService(self.db.sessions, "navigator", today=lambda: TODAY).record(
            nhs,
            ConversationInput(
                held_on=TODAY - timedelta(days=ago),
                mode="phone",
                topics=(TopicNote("safe_at_home"),),
                flag_to_team=True,
                flag_reason=reason,
            ),
        )
        return conv.id


@pytest.fixture
def world(team):
    return World(team)


def meeting(db, on: date = MEETING_DAY, chair: str = "lead", **kw) -> int:
    return svc(db).create(on, "09:30", "Room 2, Northfield Health Centre", chair, **kw).id


def sections(view) -> list[tuple[str, str]]:
    return [(i.section.value, i.patient_name) for i in view.agenda]


def test_each_source_in_order_with_one_item_per_patient(world):
    db = world.db
    # Earlier meeting 10 days ago: "new since the previous meeting" counts from then.
    earlier = meeting(db, TODAY - timedelta(days=10))
    old_new = world.patient("Older")  # accepted before the earlier meeting: not new
    world.on_caseload(old_new, ago=20)
    new = world.patient("Newman")
    world.on_caseload(new, ago=3)
    overdue = world.patient("Overdue")
    world.on_caseload(overdue)
    world.agreed_plan(overdue, TODAY + timedelta(days=1))
    soon = world.patient("Soon")
    world.on_caseload(soon)
    world.agreed_plan(soon, TODAY + timedelta(days=6))
    later = world.patient("Later")  # review in 3 months: not due
    world.on_caseload(later)
    world.agreed_plan(later, TODAY + timedelta(days=90))
    flagged = world.patient("Flagged")
    world.flag(flagged, "Lives alone, heating broken")
    # Newman is also flagged: one item, in the first section, with both reasons.
    world.flag(new, "Worried about money")
    stepped = world.patient("Stepper")
    world.on_caseload(stepped, level=1)
    CaseloadService(db.sessions, "matron1", today=lambda: TODAY).change_level(
        stepped, 3, "More falls", on_date=TODAY - timedelta(days=1)
    )
    asked = world.patient("Asked")
    world.on_caseload(asked)
    svc(db, "navigator").request_discussion(asked, "step_up", "Struggling after a fall")
    chat = world.patient("Chat")
    svc(db, "nurse").request_discussion(chat, "discuss", "Carer is exhausted")
    # An open action from the earlier meeting carries forward.
    acting = world.patient("Acting")
    world.on_caseload(acting)
    e = svc(db)
    e.add_item(earlier, acting, "Discuss pain relief")
    e.lock_agenda(earlier)
    e.start(earlier)
    e.add_action(earlier, acting, "Ask GP about pain relief", "matron2", TODAY - timedelta(days=1))
    e.close(earlier)

    # The reviews are judged against the meeting's date, not today's.
    m = meeting(db)
    proposals = svc(db).propose(m)
    built = svc(db).build_agenda(m)
    assert len(proposals) == len(built.agenda) == 8
    assert sections(built) == [
        ("new", "Ann Newman"),
        ("review", "Ann Overdue"),
        ("review", "Ann Soon"),
        ("flag", "Ann Flagged"),
        ("step", "Ann Stepper"),
        ("step", "Ann Asked"),
        ("action", "Ann Acting"),
        ("manual", "Ann Chat"),
    ]
    items = {i.patient_name: i for i in built.agenda}
    assert items["Ann Newman"].reasons == (
        f"New to Mary Matron's caseload (level 2) on {TODAY - timedelta(days=3):%d/%m/%Y}",
        f"Flagged by Nadia Navigator on {TODAY - timedelta(days=3):%d/%m/%Y}: Worried about money",
    )
    assert items["Ann Overdue"].reasons == (
        f"Care plan review overdue (was due {TODAY + timedelta(days=1):%d/%m/%Y})",
    )
    assert items["Ann Soon"].reasons == (
        f"Care plan review due {TODAY + timedelta(days=6):%d/%m/%Y}",
    )
    assert items["Ann Stepper"].reasons[0].startswith("Stepped up to level 3 (Mary Matron)")
    assert items["Ann Asked"].reasons[0].startswith("Step up requested by Nadia Navigator")
    assert items["Ann Acting"].reasons == (
        f"Open action from {TODAY - timedelta(days=10):%d/%m/%Y}: Ask GP about pain relief "
        f"(Martin Matron, due {TODAY - timedelta(days=1):%d/%m/%Y} — overdue)",
    )
    assert items["Ann Chat"].reasons[0].endswith("Carer is exhausted")
    # Levels and key workers for the agenda; time slots follow the minutes.
    assert (items["Ann Newman"].level, items["Ann Newman"].key_worker) == (2, "Mary Matron")
    assert items["Ann Newman"].minutes == 10  # new referrals get longer
    assert [i.starts_at for i in built.agenda[:3]] == [time(9, 30), time(9, 40), time(9, 45)]
    # Nothing from the hospital yet: that section is empty until events are recorded.
    assert not [i for i in built.agenda if i.section is Section.HOSPITAL]


def test_building_again_adds_only_new_patients_and_keeps_removals(world):
    db = world.db
    a, b = world.patient("Alpha"), world.patient("Bravo")
    world.flag(a, "Fell at home")
    m = meeting(db)
    view = svc(db).build_agenda(m)
    assert sections(view) == [("flag", "Ann Alpha")]
    view = svc(db).remove_item(m, view.agenda[0].id)
    assert view.agenda == ()
    world.flag(b, "No food in the house")
    view = svc(db).build_agenda(m)
    assert sections(view) == [("flag", "Ann Bravo")]  # Alpha stays removed
    removed = [i for i in view.items if i.removed]
    view = svc(db).remove_item(m, removed[0].id, removed=False)
    assert sections(view) == [("flag", "Ann Bravo"), ("flag", "Ann Alpha")]


def test_the_chair_reorders_sets_minutes_adds_by_hand_and_locks(world):
    db = world.db
    a, b, c = world.patient("Alpha"), world.patient("Bravo"), world.patient("Charlie")
    world.flag(a, "one")
    world.flag(b, "two")
    m = meeting(db, chair="matron1")
    chair = svc(db, "matron1")
    view = chair.build_agenda(m)
    first, second = view.agenda
    view = chair.reorder(m, [second.id, first.id])
    assert [i.patient_name for i in view.agenda] == ["Ann Bravo", "Ann Alpha"]
    view = chair.set_minutes(m, first.id, 15)
    with pytest.raises(ValidationError, match="minutes"):
        chair.set_minutes(m, first.id, 0)
    with pytest.raises(ValidationError, match="order"):
        chair.reorder(m, [first.id])
    view = chair.add_item(m, c, "Family asked for a review", minutes=10)
    assert view.agenda[-1].reasons == ("Family asked for a review",)
    assert view.agenda[-1].section is Section.MANUAL
    with pytest.raises(ConflictError, match="already on the agenda"):
        chair.add_item(m, c, "again")
    with pytest.raises(ValidationError, match="reason"):
        chair.add_item(m, a, "   ")
    # Slots: 09:30 Bravo 5 min, 09:35 Alpha 15 min, 09:50 Charlie.
    assert [i.starts_at for i in view.agenda] == [time(9, 30), time(9, 35), time(9, 50)]
    # Someone else (not the chair, not a team lead) may not change it.
    with pytest.raises(PermissionDeniedError, match="Only the chair \\(Mary Matron\\)"):
        svc(db, "nurse").reorder(m, [first.id, second.id])
    # A care navigator does not run meetings at all.
    with pytest.raises(PermissionDeniedError):
        svc(db, "navigator").build_agenda(m)
    locked = chair.lock_agenda(m)
    assert locked.agenda_locked
    for change in (
        lambda: chair.reorder(m, [first.id, second.id]),
        lambda: chair.set_minutes(m, first.id, 5),
        lambda: chair.remove_item(m, first.id),
        lambda: chair.build_agenda(m),
        lambda: chair.add_item(m, a, "x"),
    ):
        with pytest.raises(ConflictError, match="locked"):
            change()
    assert svc(db).get(m).agenda == locked.agenda
    assert not chair.lock_agenda(m, locked=False).agenda_locked


def test_a_meeting_from_agenda_to_actions_and_carry_forward(world):
    db = world.db
    a, b = world.patient("Alpha"), world.patient("Bravo")
    world.on_caseload(a)
    flag_id = world.flag(a, "Fell twice this week")
    world.flag(b, "Needs a carer's assessment")
    m = meeting(db, attendees=["matron1", "navigator"])
    lead = svc(db)
    view = lead.build_agenda(m)
    with pytest.raises(ConflictError, match="Lock the agenda"):
        lead.start(m)
    lead.lock_agenda(m)
    lead.set_attendance(m, "matron1", "present")
    lead.set_attendance(m, "navigator", "apologies")
    view = lead.start(m)
    assert view.status == "in_progress"
    assert {a.username: a.attendance for a in view.attendees} == {
        "lead": "present",  # the chair, marked present when the meeting starts
        "matron1": "present",
        "navigator": "apologies",
    }
    alpha = view.agenda[0]
    with pytest.raises(ValidationError, match="decisions"):
        lead.record_outcome(m, alpha.id, "x", ["teleport"])
    view = lead.record_outcome(
        m, alpha.id, "Falls clinic referral agreed", ["refer", "review_plan"]
    )
    assert view.agenda[0].discussed
    assert view.agenda[0].decisions == ("refer", "review_plan")
    with pytest.raises(ValidationError, match="due date"):
        lead.add_action(m, a, "Refer to falls clinic", "matron1", MEETING_DAY - timedelta(days=1))
    with pytest.raises(NotFoundError, match="owner"):
        lead.add_action(m, a, "Refer to falls clinic", "nobody", MEETING_DAY)
    act = lead.add_action(m, a, "Refer to falls clinic", "matron1", MEETING_DAY + timedelta(7))
    assert (act.owner_name, act.patient_name, act.status) == ("Mary Matron", "Ann Alpha", "open")
    view = lead.close(m, "Quorate")
    assert view.status == "closed"
    assert [x.what for x in view.actions] == ["Refer to falls clinic"]
    # The discussed flag is handled; Bravo was not discussed, so Bravo's flag is not.
    with db.sessions() as s:
        handled = {c.id: c.flag_handled_at is not None for c in s.scalars(select(Conversation))}
    assert handled[flag_id] is True
    assert sorted(handled.values()) == [False, True]
    # The owner's worklist and the patient's record show the action.
    assert [x.what for x in svc(db, "matron1").actions(owner="matron1")] == [
        "Refer to falls clinic"
    ]
    assert [x.id for x in svc(db, "nurse").actions(nhs=a)] == [act.id]
    # The next meeting: the open action carries forward; Bravo's flag is still there.
    nxt = meeting(db, MEETING_DAY + timedelta(days=3))
    agenda = lead.build_agenda(nxt).agenda
    assert sections_of(agenda) == [("flag", "Ann Bravo"), ("action", "Ann Alpha")]
    # Done by its owner: no longer carried forward.
    done = svc(db, "matron1").complete_action(act.id, note="Referral sent")
    assert (done.status, done.done_on) == ("done", TODAY)
    with pytest.raises(ConflictError, match="already done"):
        svc(db, "matron1").complete_action(act.id)
    after = meeting(db, MEETING_DAY + timedelta(days=7))
    assert sections_of(lead.build_agenda(after).agenda) == [("flag", "Ann Bravo")]
    # Someone else's action: only people who run meetings may close it.
    other = lead.add_item(after, a, "Check the referral landed")
    assert other.agenda[-1].patient_name == "Ann Alpha"


def sections_of(items) -> list[tuple[str, str]]:
    return [(i.section.value, i.patient_name) for i in items]


def test_meeting_rules_and_validation(world):
    db = world.db
    with pytest.raises(ValidationError, match="time"):
        svc(db).create(MEETING_DAY, "9.30am", "Room 2", "lead")
    with pytest.raises(ValidationError, match="place"):
        svc(db).create(MEETING_DAY, "09:30", " ", "lead")
    with pytest.raises(ValidationError, match="chair"):
        svc(db).create(MEETING_DAY, "09:30", "Room 2", "navigator")
    with pytest.raises(ValidationError, match="date"):
        svc(db).create("31/02/2026", "09:30", "Room 2", "lead")
    with pytest.raises(PermissionDeniedError):
        svc(db, "navigator").create(MEETING_DAY, "09:30", "Room 2", "lead")
    m = meeting(db)
    with pytest.raises(ConflictError, match="empty"):
        svc(db).lock_agenda(m)
    with pytest.raises(NotFoundError):
        svc(db).get(9999)
    with pytest.raises(ValidationError, match="kind"):
        svc(db, "navigator").request_discussion(world.patient("X"), "teleport", "why")


def test_a_recurring_schedule_and_the_next_meeting(world):
    db = world.db
    made = svc(db).schedule([2, 5], "09:30", "Teams call", "lead", weeks=2, virtual=True)
    days = [m.held_on for m in made]
    assert len(days) == 4
    assert {d.isoweekday() for d in days} == {2, 5}
    assert all(m.virtual and m.team == "Northfield" for m in made)
    assert svc(db, "nurse").next_meeting().held_on == days[0]
    listed = svc(db).list_meetings()
    assert [x.held_on for x in listed] == days
    with pytest.raises(ValidationError, match="weekdays"):
        svc(db).schedule([8], "09:30", "Room", "lead")


def test_writes_are_audited_without_patient_words(world):
    db = world.db
    a = world.patient("Alpha")
    world.flag(a, "Secret words here")
    m = meeting(db)
    svc(db).build_agenda(m)
    with db.sessions() as s:
        rows = s.scalars(
            select(AuditEntry).where(AuditEntry.action.like("meeting.%")).order_by(AuditEntry.id)
        ).all()
    assert [r.action for r in rows] == ["meeting.create", "meeting.build_agenda"]
    assert all(r.username == "lead" for r in rows)
    assert not any("Secret" in (r.summary or "") for r in rows)


def test_meeting_mode_key_facts(world):
    db = world.db
    nhs = world.patient("Facts", "Fiona")
    world.on_caseload(nhs, worker="matron1", level=3)
    world.agreed_plan(nhs, TODAY + timedelta(days=30))
    world.flag(nhs, "Short of breath", ago=2)
    m = meeting(db)
    svc(db).add_item(m, nhs, "Check on her")
    svc(db).lock_agenda(m)
    svc(db).start(m)
    svc(db).add_action(m, nhs, "Arrange a home visit", "nurse", MEETING_DAY + timedelta(days=2))
    facts = svc(db, "nurse").patient_facts(nhs)
    assert (facts.name, facts.level, facts.key_worker) == ("Fiona Facts", 3, "Mary Matron")
    assert facts.age == 82
    assert facts.goals == (("Walk to the shop", 8, 4),)
    assert facts.plan_review == TODAY + timedelta(days=30)
    assert facts.last_conversation == (
        f"{TODAY - timedelta(days=2):%d/%m/%Y}, phone, by Nadia Navigator"
    )
    assert [(a.what, a.owner_name) for a in facts.open_actions] == [
        ("Arrange a home visit", "Nia Nurse")
    ]
