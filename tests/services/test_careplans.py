"""Personalised care plans through CarePlanService (SQLite, and PostgreSQL when configured):
versions, agreement, reviews, the importance/confidence trend, validation, stale saves,
compare, permissions, audit rows, caseload batches, and ``ltcdesk careplan show``."""

from __future__ import annotations

import dataclasses
import json
from datetime import date, timedelta

import pytest
from sqlalchemy import func, select

from ltcdesk import cli
from ltcdesk.domain.errors import (
    ConflictError,
    NotFoundError,
    PermissionDeniedError,
    StaleRecordError,
    ValidationError,
)
from ltcdesk.models import AuditEntry, CarePlan, PlanGoal
from ltcdesk.services.careplan_views import (
    ActionStep,
    CarePlanEdits,
    ContingencyRow,
    Contribution,
    CopyHolder,
    GoalEdits,
    Preventive,
    edits_from,
)
from ltcdesk.services.careplans import CarePlanService, prompts
from ltcdesk.services.caseload import CaseloadService
from ltcdesk.services.patients import NewPatient, PatientService
from ltcdesk.services.setup import SetupService
from tests.conftest import TODAY

NHS = "9434765919"
OTHER = "4010232137"
THIRD = "9990000018"
REVIEW = TODAY + timedelta(days=90)
LONG_GOAL = (
    "Get back to my allotment on Saturday mornings with my grandson, like I did before "
    "the winter, and grow the runner beans my late husband always grew " * 10
).strip()


class Clock:
    def __init__(self) -> None:
        self.today = TODAY

    def __call__(self) -> date:
        return self.today


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture
def world(team):
    patients = PatientService(team.sessions, "lead", today=lambda: TODAY)
    patients.register(NewPatient(NHS, "O'Kon", "María", "1940-03-01", "C82001"))
    patients.register(NewPatient(OTHER, "Smith", "John", "1938-07-12", "C82001"))
    patients.register(NewPatient(THIRD, "Nguyễn", "Lan", "1945-01-30", "C82002"))
    SetupService(team.sessions, "admin").add_staff(
        "reader", "Rita Reader", "read_only", team="Northfield"
    )
    return team


def svc(db, clock: Clock | None = None, user: str = "matron1") -> CarePlanService:
    return CarePlanService(db.sessions, user, today=clock or (lambda: TODAY))


def goal(description="Walk to the corner shop on my own", importance=8, confidence=5, **kw):
    return GoalEdits(description=description, importance=importance, confidence=confidence, **kw)


def full_edits(**overrides) -> CarePlanEdits:
    edits = CarePlanEdits(
        about_me="I have lived in Northfield all my life. I like my garden.",
        what_matters="Staying in my own home and seeing my grandchildren.",
        agenda=("Breathlessness at night", "Getting out of the house"),
        goals=(
            goal(
                quick_win=True,
                steps=(ActionStep("Walk to the gate and back", "after breakfast", "daily"),),
                barriers="Worried about falling",
                move_up="Someone to walk with the first time",
                follow_up_who="Mary Matron",
                follow_up_when=TODAY + timedelta(days=14),
                follow_up_how="phone",
            ),
            goal("Sleep through without getting breathless", 9, 3),
        ),
        contributions=(
            Contribution(True, "Me", "Use my inhalers as shown"),
            Contribution(False, "Mary Matron, community matron", "Visit every two weeks"),
        ),
        contingency=(
            ContingencyRow("green", "Breathing as usual", "Carry on with my plan", None, None),
            ContingencyRow(
                "amber",
                "More breathless than usual, green phlegm",
                "Start my rescue pack",
                "Mary Matron 0116 496 0123",
                "NHS 111",
            ),
            ContingencyRow("red", "Chest pain or cannot speak", "Call 999", None, "999"),
        ),
        preventive=Preventive(date(2026, 10, 1), None, date(2026, 9, 15), None),
        review_date=REVIEW,
        reviewer="matron1",
        copies=(CopyHolder("María O'Kon", "patient", TODAY), CopyHolder("Dr Shah", "gp", None)),
    )
    return dataclasses.replace(edits, **overrides)


def agreed_plan(db, clock=None):
    s = svc(db, clock)
    draft = s.start(NHS)
    draft = s.save_draft(NHS, full_edits(), draft.lock_version)
    return s.agree(NHS, "María O'Kon and her daughter Ana")


def audit(db, action=None):
    with db.sessions() as s:
        q = select(AuditEntry.username, AuditEntry.action, AuditEntry.summary).order_by(
            AuditEntry.id
        )
        if action:
            q = q.where(AuditEntry.action == action)
        return [tuple(r) for r in s.execute(q)]


def count(db, model):
    with db.sessions() as s:
        return s.scalar(select(func.count()).select_from(model))


# ---------------------------------------------------------------- lifecycle


def test_no_plan_then_start_a_draft(world):
    s = svc(world)
    assert s.current(NHS) is None
    assert s.agreed(NHS) is None
    draft = s.start(NHS)
    assert (draft.version, draft.status, draft.goals) == (1, "draft", ())
    assert draft.patient_name == "María O'Kon"
    assert draft.created_by == "Mary Matron"
    assert s.current(NHS) == draft
    with pytest.raises(ConflictError, match="already has a care plan"):
        s.start(NHS)


def test_save_draft_stores_every_section(world):
    s = svc(world)
    draft = s.start(NHS)
    saved = s.save_draft(NHS, full_edits(), draft.lock_version)
    assert saved.lock_version == draft.lock_version + 1
    assert saved.about_me.startswith("I have lived")
    assert saved.agenda == ("Breathlessness at night", "Getting out of the house")
    g1, g2 = saved.goals
    assert (g1.position, g1.importance, g1.confidence, g1.quick_win) == (1, 8, 5, True)
    assert g1.steps == (ActionStep("Walk to the gate and back", "after breakfast", "daily"),)
    assert (g1.follow_up_who, g1.follow_up_how) == ("Mary Matron", "phone")
    assert g1.follow_up_when == TODAY + timedelta(days=14)
    assert g1.status == "active"
    assert [(p.on, p.importance, p.confidence) for p in g1.scores] == [(TODAY, 8, 5)]
    assert g2.description == "Sleep through without getting breathless"
    assert [c.level for c in saved.contingency] == ["green", "amber", "red"]
    assert saved.contingency[1].call_out_of_hours == "NHS 111"
    assert saved.contributions[1].who == "Mary Matron, community matron"
    assert saved.preventive.flu_vaccine == date(2026, 10, 1)
    assert (saved.review_date, saved.reviewer, saved.reviewer_username) == (
        REVIEW,
        "Mary Matron",
        "matron1",
    )
    assert [c.role for c in saved.copies] == ["patient", "gp"]
    # Saved again unchanged: the same goals (ids kept), no second score point today.
    again = s.save_draft(NHS, edits_from(saved), saved.lock_version)
    assert [g.id for g in again.goals] == [g.id for g in saved.goals]
    assert again.goals[0].scores == g1.scores
    assert dataclasses.replace(again, lock_version=0) == dataclasses.replace(saved, lock_version=0)


def test_removing_and_reordering_goals(world):
    s = svc(world)
    saved = s.save_draft(NHS, full_edits(), s.start(NHS).lock_version)
    _first, second = edits_from(saved).goals
    edits = full_edits(goals=(dataclasses.replace(second, quick_win=True),))
    after = s.save_draft(NHS, edits, saved.lock_version)
    assert [(g.id, g.position, g.quick_win) for g in after.goals] == [(second.id, 1, True)]
    assert count(world, PlanGoal) == 1


def test_agree_records_who_and_when_and_review_supersedes(world, clock):
    s = svc(world, clock)
    v1 = agreed_plan(world, clock)
    assert (v1.version, v1.status, v1.agreed_on, v1.agreed_by) == (
        1,
        "agreed",
        TODAY,
        "Mary Matron",
    )
    assert v1.agreed_with == "María O'Kon and her daughter Ana"
    clock.today = TODAY + timedelta(days=80)
    v2 = s.start_review(NHS)
    assert (v2.version, v2.status, v2.review_date) == (2, "draft", None)
    assert [g.goal_key for g in v2.goals] == [g.goal_key for g in v1.goals]
    assert [g.id for g in v2.goals] != [g.id for g in v1.goals]
    assert v2.goals[0].steps == v1.goals[0].steps
    assert [c.shared_on for c in v2.copies] == [None, None]
    assert s.current(NHS).version == 2
    assert s.agreed(NHS).version == 1  # in force until the review is agreed
    with pytest.raises(ConflictError, match="already open"):
        s.start_review(NHS)
    edits = edits_from(v2)
    edits = dataclasses.replace(
        edits,
        review_date=clock.today + timedelta(days=120),
        goals=(dataclasses.replace(edits.goals[0], importance=9, confidence=8), edits.goals[1]),
    )
    v2 = s.save_draft(NHS, edits, v2.lock_version)
    agreed2 = svc(world, clock, "nurse").agree(NHS, "María O'Kon")
    assert (agreed2.status, agreed2.agreed_by, agreed2.agreed_on) == (
        "agreed",
        "Nia Nurse",
        clock.today,
    )
    old = s.version(NHS, 1)
    assert old.status == "superseded"
    assert old.agreed_by == "Mary Matron"
    assert old.goals[0].importance == 8  # the old version reads as it was agreed
    assert [(h.version, h.status, h.agreed_by) for h in s.history(NHS)] == [
        (1, "superseded", "Mary Matron"),
        (2, "agreed", "Nia Nurse"),
    ]
    assert [h.version for h in agreed2.history] == [1, 2]
    # The trend runs across both versions.
    assert [(p.on, p.importance, p.confidence) for p in agreed2.goals[0].scores] == [
        (TODAY, 8, 5),
        (clock.today, 9, 8),
    ]
    assert old.goals[0].scores == agreed2.goals[0].scores
    assert "superseded" in audit(world, "careplan.agree")[-1][2]


def test_follow_ups_add_to_the_trend(world, clock):
    s = svc(world, clock)
    plan = agreed_plan(world, clock)
    goal_id = plan.goals[0].id
    clock.today = TODAY + timedelta(days=14)
    after = s.record_follow_up(
        NHS,
        goal_id,
        8,
        7,
        "partly_achieved",
        "Made it to the shop with my daughter",
        next_follow_up=clock.today + timedelta(days=14),
    )
    g = after.goals[0]
    assert (g.confidence, g.status, g.comment) == (
        7,
        "partly_achieved",
        "Made it to the shop with my daughter",
    )
    assert g.follow_up_when == clock.today + timedelta(days=14)
    assert [(p.on, p.confidence, p.status) for p in g.scores] == [
        (TODAY, 5, "active"),
        (clock.today, 7, "partly_achieved"),
    ]
    assert g.scores[-1].recorded_by == "Mary Matron"
    assert g.scores[-1].comment == "Made it to the shop with my daughter"
    clock.today = TODAY + timedelta(days=28)
    after = svc(world, clock, "navigator").record_follow_up(NHS, goal_id, 9, 9, "achieved")
    assert [p.confidence for p in after.goals[0].scores] == [5, 7, 9]
    assert after.goals[0].scores[-1].recorded_by == "Nadia Navigator"
    # Nothing said this time: the goal keeps its comment, and the new point has none.
    assert after.goals[0].comment == "Made it to the shop with my daughter"
    assert after.goals[0].scores[-1].comment is None
    # The review carries the trend forward.
    review = s.start_review(NHS)
    assert [p.confidence for p in review.goals[0].scores] == [5, 7, 9]
    with pytest.raises(ValidationError, match="follow-up date"):
        s.record_follow_up(NHS, goal_id, 9, 9, "achieved", on=clock.today + timedelta(days=1))
    with pytest.raises(NotFoundError):
        s.record_follow_up(NHS, 999_999, 9, 9, "achieved")
    assert audit(world, "careplan.follow_up")[-1][2] == (
        "Follow-up of goal 1, care plan v1: achieved"
    )


def test_close_ends_the_plan_and_a_new_one_can_start(world):
    s = svc(world)
    agreed_plan(world)
    with pytest.raises(PermissionDeniedError):
        svc(world, user="navigator").close(NHS, "Moved away")
    closed = s.close(NHS, "Moved out of the area")
    assert (closed.status, closed.closed_on, closed.closed_reason) == (
        "closed",
        TODAY,
        "Moved out of the area",
    )
    assert s.agreed(NHS) is None
    assert s.current(NHS).status == "closed"
    with pytest.raises(ConflictError):
        s.close(NHS, "again")
    assert s.start(NHS).version == 2


# ---------------------------------------------------------------- validation


@pytest.mark.parametrize(
    ("bad", "field", "message"),
    [
        ({"importance": 11}, "goal 2 importance", "whole number from 0 to 10"),
        ({"importance": -1}, "goal 2 importance", "whole number"),
        ({"importance": 7.5}, "goal 2 importance", "whole number"),
        ({"importance": True}, "goal 2 importance", "whole number"),
        ({"importance": "7"}, "goal 2 importance", "whole number"),
        ({"importance": None}, "goal 2 importance", "required"),
        ({"confidence": 11}, "goal 2 confidence", "whole number"),
        ({"confidence": 7.5}, "goal 2 confidence", "whole number"),
        ({"confidence": None}, "goal 2 confidence", "required"),
        ({"description": "  "}, "goal 2 description", "required"),
        ({"description": "x" * 2001}, "goal 2 description", "too long"),
        ({"quick_win": True}, "goal 2 quick win", "only the first goal"),
        ({"follow_up_when": TODAY - timedelta(days=1)}, "goal 2 follow-up date", "in the past"),
        ({"follow_up_how": "pigeon"}, "goal 2 follow-up how", "not one of"),
        ({"status": "finished"}, "goal 2 status", "not one of"),
    ],
)
def test_goal_validation_names_the_field(world, bad, field, message):
    s = svc(world)
    draft = s.start(NHS)
    edits = full_edits()
    second = dataclasses.replace(goal("Second goal", 6, 6), **bad)
    edits = dataclasses.replace(edits, goals=(edits.goals[0], second))
    with pytest.raises(ValidationError) as info:
        s.save_draft(NHS, edits, draft.lock_version)
    assert info.value.field == field
    assert message in info.value.message
    assert s.current(NHS) == draft  # nothing written


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"review_date": TODAY - timedelta(days=1)}, "review date"),
        ({"contingency": (ContingencyRow("purple", "x", "y", None, None),)}, "contingency 1 level"),
        ({"contingency": (ContingencyRow("red", "", "y", None, None),)}, "contingency 1 signs"),
        ({"copies": (CopyHolder("Ann", "neighbour", None),)}, "copy 1 role"),
        ({"contributions": (Contribution(False, "", "Visit"),)}, "contribution 1 who"),
        ({"reviewer": "nobody"}, "reviewer"),
        ({"about_me": "x" * 4001}, "about me"),
    ],
)
def test_plan_validation_names_the_field(world, overrides, field):
    s = svc(world)
    draft = s.start(NHS)
    with pytest.raises(ValidationError) as info:
        s.save_draft(NHS, full_edits(**overrides), draft.lock_version)
    assert info.value.field == field


def test_past_dates_already_stored_may_stay(world, clock):
    s = svc(world, clock)
    saved = s.save_draft(NHS, full_edits(), s.start(NHS).lock_version)
    clock.today = REVIEW + timedelta(days=1)  # follow-up and review dates now in the past
    again = s.save_draft(NHS, edits_from(saved), saved.lock_version)
    assert again.review_date == REVIEW
    with pytest.raises(ValidationError, match="review date"):
        s.agree(NHS, "María O'Kon")


# ---------------------------------------------------------------- action plan step dates

STEP_BY = TODAY + timedelta(days=21)


def with_steps(*steps: ActionStep) -> CarePlanEdits:
    edits = full_edits()
    first = dataclasses.replace(edits.goals[0], steps=steps)
    return dataclasses.replace(edits, goals=(first, edits.goals[1]))


def test_a_step_date_round_trips_and_is_copied_into_the_review(world, clock):
    s = svc(world, clock)
    draft = s.start(NHS)
    edits = with_steps(
        ActionStep("Walk to the gate and back", "after breakfast", "daily", STEP_BY),
        ActionStep("Ask the GP about a walking frame", None, None, f"{STEP_BY:%d/%m/%Y}"),
        ActionStep("Knee exercises", None, "twice a day"),
    )
    saved = s.save_draft(NHS, edits, draft.lock_version)
    assert [st.due_on for st in saved.goals[0].steps] == [STEP_BY, STEP_BY, None]
    agreed = s.agree(NHS, "María O'Kon")
    assert agreed.goals[0].steps == saved.goals[0].steps
    # At the review the date has passed; it is carried forward and may stay as it was.
    clock.today = STEP_BY + timedelta(days=10)
    review = s.start_review(NHS)
    assert [st.due_on for st in review.goals[0].steps] == [STEP_BY, STEP_BY, None]
    again = s.save_draft(NHS, edits_from(review), review.lock_version)
    assert again.goals[0].steps == review.goals[0].steps
    # Moved on to a new date at the review.
    moved = dataclasses.replace(review.goals[0].steps[0], due_on=clock.today + timedelta(days=7))
    edits = edits_from(again)
    goal1 = dataclasses.replace(edits.goals[0], steps=(moved, *edits.goals[0].steps[1:]))
    later = s.save_draft(
        NHS, dataclasses.replace(edits, goals=(goal1, *edits.goals[1:])), again.lock_version
    )
    assert later.goals[0].steps[0].due_on == clock.today + timedelta(days=7)
    assert s.version(NHS, 1).goals[0].steps[0].due_on == STEP_BY  # v1 reads as agreed


@pytest.mark.parametrize(
    ("due", "message"),
    [
        (TODAY - timedelta(days=1), "is in the past"),
        ("31/02/2027", "not a real date"),
        ("next week", "is not a date"),
    ],
)
def test_a_bad_step_date_is_refused_naming_the_field(world, due, message):
    s = svc(world)
    draft = s.start(NHS)
    edits = with_steps(
        ActionStep("Walk to the gate and back", "after breakfast", "daily"),
        ActionStep("Ask the GP about a walking frame", None, None, due),
    )
    with pytest.raises(ValidationError) as info:
        s.save_draft(NHS, edits, draft.lock_version)
    assert info.value.field == "goal 1 step 2 by when"
    assert message in info.value.message
    assert s.current(NHS) == draft  # nothing written


def test_prompts_are_not_rules(world):
    assert prompts(8, 5) == [
        "This matters a lot: agree a short action plan (what, when, how often).",
        "What gets in the way? What would move your confidence up a point?",
    ]
    assert prompts(7, 7) == []
    s = svc(world)
    draft = s.start(NHS)
    edits = full_edits(goals=(goal("See my friends at the lunch club", 10, 2),))
    s.save_draft(NHS, edits, draft.lock_version)
    assert s.agree(NHS, "María").status == "agreed"  # no steps, no barriers: still agreed


def test_agree_needs_a_goal_and_a_review_date(world):
    s = svc(world)
    draft = s.start(NHS)
    with pytest.raises(ValidationError) as info:
        s.agree(NHS, "María O'Kon")
    assert info.value.field == "goals"
    saved = s.save_draft(NHS, full_edits(review_date=None), draft.lock_version)
    with pytest.raises(ValidationError) as info:
        s.agree(NHS, "María O'Kon")
    assert info.value.field == "review date"
    s.save_draft(NHS, full_edits(), saved.lock_version)
    with pytest.raises(ValidationError) as info:
        s.agree(NHS, "  ")
    assert info.value.field == "agreed with"
    assert s.current(NHS).status == "draft"
    with pytest.raises(ConflictError, match="already open"):
        s.start_review(NHS)
    with pytest.raises(ConflictError, match="no agreed care plan"):
        s.start_review(OTHER)


# ---------------------------------------------------------------- concurrency


def test_stale_save_names_who_and_when_and_writes_nothing(world):
    mine = svc(world)
    draft = mine.start(NHS)
    svc(world, user="nurse").save_draft(NHS, full_edits(about_me="Nia's words"), draft.lock_version)
    with pytest.raises(StaleRecordError) as info:
        mine.save_draft(NHS, full_edits(about_me="Mine"), draft.lock_version)
    assert info.value.changed_by == "Nia Nurse"
    assert "Nia Nurse" in str(info.value)
    assert info.value.changed_at is not None
    assert mine.current(NHS).about_me == "Nia's words"
    with pytest.raises(StaleRecordError):
        mine.agree(NHS, "María", expected_lock_version=draft.lock_version)


def test_a_follow_up_makes_an_open_draft_stale(world):
    s = svc(world)
    saved = s.save_draft(NHS, full_edits(), s.start(NHS).lock_version)
    s.record_follow_up(NHS, saved.goals[0].id, 8, 6, "active")
    with pytest.raises(StaleRecordError):
        s.save_draft(NHS, edits_from(saved), saved.lock_version)


# ---------------------------------------------------------------- compare


def test_compare_lists_what_changed(world):
    s = svc(world)
    v1 = agreed_plan(world)
    v2 = s.start_review(NHS)
    e = edits_from(v2)
    first = dataclasses.replace(
        e.goals[0],
        importance=9,
        description="Walk to the shop and back",
        steps=(ActionStep("Walk with my daughter", "Sundays", "weekly", TODAY + timedelta(14)),),
    )
    e = dataclasses.replace(
        e,
        goals=(first, goal("Get back to my allotment", 7, 4)),
        review_date=REVIEW + timedelta(days=30),
        contingency=e.contingency[:2],
    )
    s.save_draft(NHS, e, v2.lock_version)
    changes = s.compare(NHS, 1, 2)
    found = {(c.section, c.item, c.before, c.after) for c in changes}
    assert ("goals", "Walk to the shop and back – importance", "8", "9") in found
    assert (
        "goals",
        "Walk to the shop and back – wording",
        "Walk to the corner shop on my own",
        "Walk to the shop and back",
    ) in found
    # A step's "by when" date shows among the changes.
    assert any(
        c.item.endswith("action plan")
        and f"by {TODAY + timedelta(14):%d/%m/%Y}" in (c.after or "")
        and "by " not in (c.before or "")
        for c in changes
    ), changes
    assert ("goals", v1.goals[1].description, v1.goals[1].description, None) in found
    assert ("goals", "Get back to my allotment", None, "Get back to my allotment") in found
    assert (
        "review",
        "Review date",
        f"{REVIEW:%d/%m/%Y}",
        f"{REVIEW + timedelta(days=30):%d/%m/%Y}",
    ) in found
    assert any(c.section == "contingency" and c.before and "Red" in c.before for c in changes)
    assert ("status", "Status", "Agreed", "Draft") in found
    assert s.compare(NHS, 1, 1) == []
    with pytest.raises(NotFoundError):
        s.compare(NHS, 1, 7)


# ---------------------------------------------------------------- permissions and audit


def test_read_only_and_admin_may_read_but_not_write(world):
    agreed_plan(world)
    for user in ("reader", "admin"):
        s = svc(world, user=user)
        assert s.agreed(NHS).version == 1
        for call in (
            lambda s=s: s.start_review(NHS),
            lambda s=s: s.start(OTHER),
            lambda s=s: s.agree(NHS, "x"),
            lambda s=s: s.close(NHS, "x"),
        ):
            with pytest.raises(PermissionDeniedError):
                call()
    denied = audit(world, "denied")
    assert ("reader", "denied", "Refused: careplan.edit") in denied
    assert ("admin", "denied", "Refused: careplan.agree") in denied
    assert count(world, CarePlan) == 1


def test_navigator_drafts_and_follows_up_but_does_not_agree(world):
    nav = svc(world, user="navigator")
    draft = nav.start(NHS)
    saved = nav.save_draft(NHS, full_edits(), draft.lock_version)
    with pytest.raises(PermissionDeniedError, match="may not agree or close care plans"):
        nav.agree(NHS, "María")
    svc(world, user="lead").agree(NHS, "María")
    nav.record_follow_up(NHS, saved.goals[0].id, 8, 6, "active")
    assert nav.start_review(NHS).version == 2


def test_every_write_and_view_is_audited_without_free_text(world):
    s = svc(world)
    agreed_plan(world)
    s.current(NHS)
    s.history(NHS)
    s.compare(NHS, 1, 1)
    s.start_review(NHS)
    rows = audit(world)
    actions = [a for _, a, _ in rows if a.startswith("careplan.")]
    assert actions == [
        "careplan.start",
        "careplan.save",
        "careplan.agree",
        "careplan.view",
        "careplan.history",
        "careplan.compare",
        "careplan.review",
    ]
    text = " ".join(summary for _, _, summary in rows)
    for private in ("María", "corner shop", "garden", "Ana", "inhalers"):
        assert private not in text
    with world.sessions() as session:
        ids = set(
            session.scalars(
                select(AuditEntry.patient_id).where(AuditEntry.action.like("careplan.%"))
            )
        )
    assert None not in ids


# ---------------------------------------------------------------- caseload batch


def test_plans_for_caseload(world):
    cl = CaseloadService(world.sessions, "lead", today=lambda: TODAY)
    cl.assign(NHS, "matron1", 3)
    cl.assign(OTHER, "matron1", 3)
    cl.assign(THIRD, "nurse", 2)
    for nhs in (NHS, OTHER, THIRD):
        s = svc(world)
        draft = s.start(nhs)
        s.save_draft(nhs, full_edits(), draft.lock_version)
        s.agree(nhs, "the person")
    svc(world).start_review(OTHER)  # a draft does not replace the agreed plan in the batch
    plans = svc(world, user="lead").plans_for_caseload("matron1")
    assert [(p.patient_name, p.version, p.status) for p in plans] == [
        ("María O'Kon", 1, "agreed"),
        ("John Smith", 1, "agreed"),
    ]
    assert all(len(p.goals[0].scores) == 1 for p in plans)
    assert [h.version for h in plans[1].history] == [1, 2]
    assert svc(world).plans_for_caseload("navigator") == []
    with pytest.raises(NotFoundError):
        svc(world).plans_for_caseload("nobody")


def test_plans_for_caseload_reads_in_a_fixed_number_of_queries(world):
    from sqlalchemy import event

    cl = CaseloadService(world.sessions, "lead", today=lambda: TODAY)
    for nhs in (NHS, OTHER, THIRD):
        cl.assign(nhs, "matron1", 3)
    counts = []
    for nhs in (NHS, OTHER, THIRD):
        s = svc(world)
        draft = s.start(nhs)
        s.save_draft(nhs, full_edits(), draft.lock_version)
        s.agree(nhs, "the person")
        statements = []

        def seen(*args, statements=statements):
            statements.append(args[2])

        event.listen(world.engine, "before_cursor_execute", seen)
        try:
            svc(world).plans_for_caseload("matron1")
        finally:
            event.remove(world.engine, "before_cursor_execute", seen)
        counts.append(sum(1 for st in statements if st.lstrip().upper().startswith("SELECT")))
    assert counts[0] == counts[1] == counts[2]


# ---------------------------------------------------------------- the command line


@pytest.fixture
def cli_db(world, monkeypatch):
    monkeypatch.setattr(cli, "_open", lambda args: world)
    monkeypatch.setattr(cli, "_user", lambda args: (args.user or "lead").strip().lower())
    return world


def test_cli_show_json(cli_db, capsys):
    plan = agreed_plan(cli_db)
    s = svc(cli_db)
    s.record_follow_up(NHS, plan.goals[0].id, 8, 7, "partly_achieved", "Better")
    code = cli.main(["careplan", "show", "943 476 5919", "--format", "json"])
    out, err = capsys.readouterr()
    assert (code, err) == (0, "")
    data = json.loads(out)
    assert data["patient_name"] == "María O'Kon"
    assert data["nhs_number"] == NHS
    assert data["version"] == 1
    assert data["status"] == "agreed"
    assert data["review_date"] == REVIEW.isoformat()
    assert data["agreed_on"] == TODAY.isoformat()
    g = data["goals"][0]
    assert (g["importance"], g["confidence"], g["status"]) == (8, 7, "partly_achieved")
    assert g["follow_up"] == {
        "who": "Mary Matron",
        "when": (TODAY + timedelta(days=14)).isoformat(),
        "how": "phone",
    }
    assert g["scores"][-1]["comment"] == "Better"
    assert [c["level"] for c in data["contingency"]] == ["green", "amber", "red"]
    assert data["contingency"][1]["call_out_of_hours"] == "NHS 111"


def test_cli_show_text(cli_db, capsys):
    agreed_plan(cli_db)
    code = cli.main(["careplan", "show", NHS])
    out, _ = capsys.readouterr()
    assert code == 0
    assert "María O'Kon" in out
    assert "943 476 5919" in out
    assert "Walk to the corner shop on my own" in out
    assert "importance 8/10, confidence 5/10" in out
    assert "Amber" in out
    assert f"Review date: {REVIEW:%d/%m/%Y}" in out


def test_cli_show_without_an_agreed_plan_exits_2(cli_db, capsys):
    svc(cli_db).start(NHS)
    code = cli.main(["careplan", "show", NHS, "--format", "json"])
    out, err = capsys.readouterr()
    assert (code, out) == (2, "")
    assert "no agreed care plan" in err


def test_long_goal_and_accented_name_round_trip(world):
    s = svc(world)
    draft = s.start(NHS)
    long_goal = LONG_GOAL[:2000]
    saved = s.save_draft(NHS, full_edits(goals=(goal(long_goal, 10, 6),)), draft.lock_version)
    assert saved.goals[0].description == long_goal
    assert saved.patient_name == "María O'Kon"
