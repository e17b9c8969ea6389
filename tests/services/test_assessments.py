"""The single holistic assessment through AssessmentService (SQLite, and PostgreSQL when
configured): a telephone assessment with a need turned into a care plan goal; a repeat
assessment pre-filled with the differences shown; validation per domain and field; a care
navigator refused a clinical domain but allowed a non-clinical one; audit rows; stale saves;
and ``ltcdesk assessment show``."""

from __future__ import annotations

import json
from dataclasses import replace
from datetime import timedelta

import pytest
from sqlalchemy import func, select

from ltcdesk import cli
from ltcdesk.domain import assessment_domains as ad
from ltcdesk.domain.errors import (
    ConflictError,
    PermissionDeniedError,
    StaleRecordError,
    ValidationError,
)
from ltcdesk.models import (
    AssessmentDomain,
    AssessmentNeedGoal,
    AuditEntry,
    CarePlan,
    PlanContribution,
    PlanGoal,
)
from ltcdesk.services.assessments import (
    AssessmentService,
    AssessmentView,
    Difference,
    DomainEdit,
)
from ltcdesk.services.careplan_views import CarePlanEdits, GoalEdits
from ltcdesk.services.careplans import CarePlanService
from ltcdesk.services.patients import NewPatient, PatientService
from tests.conftest import TODAY

NHS = "9434765919"
EARLIER = TODAY - timedelta(days=180)


@pytest.fixture
def world(team):
    PatientService(team.sessions, "lead", today=lambda: TODAY).register(
        NewPatient(NHS, "O'Kon", "María", "1940-03-01", "C82001")
    )
    return team


def svc(db, user: str = "matron1") -> AssessmentService:
    return AssessmentService(db.sessions, user, today=lambda: TODAY)


def audit_actions(db) -> list[str]:
    with db.sessions() as s:
        return list(s.scalars(select(AuditEntry.action).order_by(AuditEntry.id)))


def confirm_the_rest(s: AssessmentService, a: AssessmentView) -> AssessmentView:
    """The assessor confirms every domain not yet confirmed or changed."""
    rest = {d.key: replace(d.edit(), confirmed=True) for d in a.domains if not d.confirmed}
    return s.save(NHS, a.id, rest, a.lock_version)


def first_assessment(db, mode: str = "telephone", on=EARLIER):
    s = svc(db)
    a = s.start(NHS, mode, on)
    a = s.save(
        NHS,
        a.id,
        {
            "medicines": DomainEdit(
                {"regular_medicines": 11, "adherence_concerns": "yes", "last_review": "2026-01-10"},
                note="Muddles the evening tablets",
                need_identified=True,
                need_text="Help to manage my tablets",
            ),
            "mobility_falls": DomainEdit({"falls_last_12_months": 2, "fear_of_falling": True}),
            "daily_living": DomainEdit({"barthel_total": 16, "iadl_total": 5}),
            "social_contact": DomainEdit(
                {"lives_alone": True, "loneliness": "often"},
                need_identified=True,
                need_text="See people more often",
            ),
        },
        a.lock_version,
    )
    a = confirm_the_rest(s, a)
    return s.complete(NHS, a.id, a.lock_version)


def test_a_telephone_assessment_with_a_need_turned_into_a_goal(world):
    a = first_assessment(world)
    assert (a.mode, a.status, a.assessor, a.assessor_role) == (
        "telephone",
        "complete",
        "Mary Matron",
        "community_matron",
    )
    assert a.assessed_on == EARLIER
    meds = a.domain("medicines")
    assert meds.fields == {
        "regular_medicines": 11,
        "adherence_concerns": True,
        "last_review": "2026-01-10",
    }
    assert meds.computed == {"polypharmacy": True}
    assert [(n.domain, n.text, n.goal_id) for n in a.needs] == [
        ("medicines", "Help to manage my tablets", None),
        ("social_contact", "See people more often", None),
    ]
    assert len(a.domains) == len(ad.DOMAINS)

    need = svc(world).need_to_goal(NHS, a.id, "medicines")
    assert need.goal_id is not None
    plan = CarePlanService(world.sessions, "matron1").current(NHS)
    assert plan is not None
    assert plan.status == "draft"
    assert [g.description for g in plan.goals] == ["Help to manage my tablets"]
    assert plan.goals[0].id == need.goal_id
    with world.sessions() as s:
        link = s.scalars(select(AssessmentNeedGoal)).one()
        entry = s.get(AssessmentDomain, link.domain_entry_id)
        assert entry is not None
        assert (entry.assessment_id, entry.domain, link.goal_id) == (
            a.id,
            "medicines",
            need.goal_id,
        )
    needs = svc(world).needs(NHS, a.id)
    assert needs[0].goal_id == need.goal_id
    assert needs[1].goal_id is None
    with pytest.raises(ConflictError, match="already a goal"):
        svc(world).need_to_goal(NHS, a.id, "medicines")
    with pytest.raises(ConflictError, match="no need"):
        svc(world).need_to_goal(NHS, a.id, "housing")
    # A second need goes into the same draft.
    second = svc(world).need_to_goal(NHS, a.id, "social_contact")
    plan = CarePlanService(world.sessions, "matron1").current(NHS)
    assert plan is not None
    assert [g.id for g in plan.goals] == [need.goal_id, second.goal_id]
    assert plan.version == 1


def test_a_need_turned_into_a_team_action_links_back_and_is_not_made_twice(world):
    a = first_assessment(world)
    goal = svc(world).need_to_goal(NHS, a.id, "medicines")
    plans = CarePlanService(world.sessions, "matron1")
    plan = plans.current(NHS)
    assert plan is not None
    # The goal says where it came from and that the person has not scored it yet.
    assert plan.goals[0].comment == (
        f"From the assessment of {EARLIER:%d/%m/%Y} (Medicines). "
        "Scores to be agreed with the person."
    )
    with pytest.raises(ValidationError, match="who"):
        svc(world).need_to_action(NHS, a.id, "social_contact", "  ")
    action = svc(world).need_to_action(NHS, a.id, "social_contact", "Care navigator")
    assert (action.goal_id, action.linked) == (None, True)
    plan = plans.current(NHS)
    assert plan is not None
    assert [(c.who, c.what) for c in plan.contributions][-1] == (
        "Care navigator",
        "See people more often",
    )
    with world.sessions() as s:
        row = s.get(PlanContribution, action.action_id)
        assert row is not None
        assert (row.plan_id, row.what) == (plan.id, "See people more often")
    needs = svc(world).needs(NHS, a.id)
    assert [(n.domain, n.goal_id, n.action_id) for n in needs] == [
        ("medicines", goal.goal_id, None),
        ("social_contact", None, action.action_id),
    ]
    with pytest.raises(ConflictError, match="already a team action"):
        svc(world).need_to_goal(NHS, a.id, "social_contact")
    with pytest.raises(ConflictError, match="already a goal"):
        svc(world).need_to_action(NHS, a.id, "medicines", "Pharmacist")
    # The administrator (no clinical editing) may not change the care plan.
    with pytest.raises(PermissionDeniedError):
        svc(world, "admin").need_to_action(NHS, a.id, "medicines", "Pharmacist")
    assert "assessment.need_to_action" in audit_actions(world)


def test_a_need_turned_into_a_goal_starts_a_review_of_an_agreed_plan(world):
    plans = CarePlanService(world.sessions, "matron1", today=lambda: TODAY)
    draft = plans.start(NHS)
    draft = plans.save_draft(
        NHS,
        CarePlanEdits(
            goals=[GoalEdits(description="Walk to the shop", importance=6, confidence=8)],
            review_date=TODAY + timedelta(days=90),
        ),
        draft.lock_version,
    )
    plans.agree(NHS, "the person")
    a = first_assessment(world)
    need = svc(world).need_to_goal(NHS, a.id, "medicines", importance=9, confidence=4)
    plan = plans.current(NHS)
    assert plan is not None
    assert (plan.version, plan.status) == (2, "draft")
    assert [g.description for g in plan.goals] == ["Walk to the shop", "Help to manage my tablets"]
    assert plan.goals[1].id == need.goal_id
    assert (plan.goals[1].importance, plan.goals[1].confidence) == (9, 4)
    agreed = plans.agreed(NHS)
    assert agreed is not None
    assert agreed.version == 1


def test_a_repeat_assessment_is_prefilled_and_shows_the_differences(world):
    first = first_assessment(world)
    s = svc(world)
    again = s.start(NHS, "face_to_face")
    assert again.assessed_on == TODAY
    assert again.status == "draft"
    # Every domain copied from the last time, for the assessor to confirm or change.
    for d in first.domains:
        assert again.domain(d.key) == replace(d, confirmed=False)
    assert s.differences(NHS, again.id) == []
    edits = {
        "medicines": DomainEdit(
            {**again.domain("medicines").fields, "regular_medicines": 8},
            note=again.domain("medicines").note,
        ),
        "mobility_falls": DomainEdit({"falls_last_12_months": 3, "fear_of_falling": True}),
    }
    again = s.save(NHS, again.id, edits, again.lock_version)
    assert again.domain("medicines").computed == {"polypharmacy": False}
    assert s.differences(NHS, again.id) == [
        Difference("Medicines", "regular medicines", 11, 8),
        Difference("Medicines", "need identified", True, False),
        Difference("Medicines", "need", "Help to manage my tablets", None),
        Difference("Mobility and falls", "falls in the last 12 months", 2, 3),
    ]
    assert [d.key for d in again.domains if d.confirmed] == ["medicines", "mobility_falls"]
    with pytest.raises(ConflictError) as left:
        s.complete(NHS, again.id)
    assert "16 still to confirm: Conditions and symptoms, Mental health and mood" in str(left.value)
    assert "Medicines" not in str(left.value)
    assert s.get(NHS, again.id).status == "draft"
    again = confirm_the_rest(s, again)
    done = s.complete(NHS, again.id)
    latest = s.latest(NHS)
    assert latest is not None
    assert latest.id == done.id
    assert [h.id for h in s.history(NHS)] == [again.id, first.id]
    assert [h.needs for h in s.history(NHS)] == [1, 2]
    # The first assessment is unchanged and has nothing before it.
    assert s.get(NHS, first.id).domain("medicines").fields["regular_medicines"] == 11
    assert any(d.field == "regular medicines" for d in s.differences(NHS, first.id))


def test_only_one_draft_at_a_time_and_complete_is_final(world):
    s = svc(world)
    a = s.start(NHS, "telephone")
    with pytest.raises(ConflictError, match="still a draft"):
        s.start(NHS, "face_to_face")
    s.complete(NHS, confirm_the_rest(s, a).id)
    with pytest.raises(ConflictError, match="complete"):
        s.save(NHS, a.id, {"housing": DomainEdit({"home_hazards": True})}, None)
    with pytest.raises(ConflictError, match="already complete"):
        s.complete(NHS, a.id)


@pytest.mark.parametrize(
    ("domain", "values", "message"),
    [
        ("daily_living", {"barthel_total": 21}, "daily living: Barthel index: must be between 0"),
        (
            "mobility_falls",
            {"falls_last_12_months": -1},
            "mobility and falls: falls in the last 12 months: must be between 0 and 100",
        ),
        ("medicines", {"regular_medicines": "lots"}, "medicines: regular medicines: must be a"),
        ("medicines", {"regular_medicines": 51}, "medicines: regular medicines: must be between"),
        ("medicines", {"last_review": "31/02/2026"}, "medicines: last medicines review"),
        ("medicines", {"adherence_concerns": "maybe"}, "medicines: adherence concerns: must be"),
        ("housing", {"tenure": "castle"}, "housing and home safety: tenure: must be one of"),
        ("housing", {"moat": True}, "housing and home safety: no field 'moat'"),
        ("nowhere", {}, "domain: no assessment domain 'nowhere'"),
    ],
)
def test_validation_names_the_domain_and_field_and_saves_nothing(world, domain, values, message):
    s = svc(world)
    a = s.start(NHS, "telephone")
    edits = {
        "housing": DomainEdit({"home_hazards": True}),  # valid, but the save is all or nothing
        domain: DomainEdit(values),
    }
    with pytest.raises(ValidationError) as err:
        s.save(NHS, a.id, edits, a.lock_version)
    assert str(err.value).startswith(message)
    assert s.get(NHS, a.id).domain("housing").fields == {}


def test_a_need_needs_a_description_and_the_mode_is_checked(world):
    s = svc(world)
    with pytest.raises(ValidationError, match="mode"):
        s.start(NHS, "carrier_pigeon")
    with pytest.raises(ValidationError, match="assessed on"):
        s.start(NHS, "telephone", TODAY + timedelta(days=1))
    a = s.start(NHS, "telephone")
    with pytest.raises(ValidationError, match="money and benefits: need"):
        s.save(NHS, a.id, {"money": DomainEdit(need_identified=True)}, a.lock_version)


def test_a_navigator_is_refused_a_clinical_domain_and_allowed_a_social_one(world):
    a = svc(world).start(NHS, "face_to_face")
    nav = svc(world, "navigator")
    before = audit_actions(world)
    with pytest.raises(PermissionDeniedError, match="care navigator may not edit the clinical"):
        nav.save(
            NHS,
            a.id,
            {
                "housing": DomainEdit({"home_hazards": True}),
                "medicines": DomainEdit({"regular_medicines": 4}),
            },
            a.lock_version,
        )
    assert audit_actions(world)[len(before) :] == ["denied"]
    with world.sessions() as s:
        summary = s.scalars(select(AuditEntry.summary).order_by(AuditEntry.id.desc())).first()
    assert summary == "Refused: assessment.edit"
    unchanged = svc(world).get(NHS, a.id)
    assert unchanged.domain("housing").fields == {}
    assert unchanged.lock_version == a.lock_version
    # A clinical domain sent back unchanged (the whole form) is not an edit of it.
    saved = nav.save(
        NHS,
        a.id,
        {
            "housing": DomainEdit({"home_hazards": True, "tenure": "social_rented"}),
            "medicines": unchanged.domain("medicines").edit(),
            "what_matters": DomainEdit({"in_my_words": "Staying in my own home"}),
        },
        a.lock_version,
    )
    assert saved.domain("housing").fields == {"home_hazards": True, "tenure": "social_rented"}
    assert saved.domain("what_matters").fields == {"in_my_words": "Staying in my own home"}
    # Confirming a clinical domain is a clinical judgement: the navigator may confirm only
    # the non-clinical ones, so a clinician completes the assessment.
    social = {d.key: replace(d.edit(), confirmed=True) for d in saved.domains if not d.clinical}
    saved = nav.save(NHS, a.id, social, saved.lock_version)
    with pytest.raises(PermissionDeniedError):
        nav.save(NHS, a.id, {"skin": replace(saved.domain("skin").edit(), confirmed=True)}, None)
    with pytest.raises(ConflictError, match="still to confirm: Conditions and symptoms"):
        nav.complete(NHS, a.id)
    assert svc(world).complete(NHS, confirm_the_rest(svc(world), saved).id).status == "complete"
    # A read-only user may read but not start.
    with pytest.raises(PermissionDeniedError):
        svc(world, "admin").start(NHS, "telephone")


def test_a_stale_save_names_who_saved_first(world):
    a = svc(world).start(NHS, "telephone")
    svc(world, "nurse").save(NHS, a.id, {"skin": DomainEdit({"wounds": True})}, a.lock_version)
    with pytest.raises(StaleRecordError, match="Nia Nurse"):
        svc(world).save(NHS, a.id, {"skin": DomainEdit({"wounds": False})}, a.lock_version)


def test_audit_rows(world):
    before = len(audit_actions(world))
    a = first_assessment(world)
    svc(world).need_to_goal(NHS, a.id, "medicines")
    svc(world).latest(NHS)
    assert audit_actions(world)[before:] == [
        "assessment.start",
        "assessment.save",
        "assessment.save",
        "assessment.complete",
        "assessment.need_to_goal",
        "assessment.view",
    ]
    with world.sessions() as s:
        summaries = list(
            s.scalars(
                select(AuditEntry.summary)
                .where(AuditEntry.action.like("assessment.%"))
                .order_by(AuditEntry.id)
            )
        )
        assert s.scalar(select(func.count()).select_from(CarePlan)) == 1
        assert s.scalar(select(func.count()).select_from(PlanGoal)) == 1
    # Ids and counts only: never the person's words.
    assert not any("tablets" in x or "Muddles" in x for x in summaries)


@pytest.fixture
def cli_db(world, monkeypatch):
    monkeypatch.setattr(cli, "_open", lambda args: world)
    monkeypatch.setattr(cli, "_user", lambda args: (args.user or "lead").strip().lower())
    return world


def test_cli_show_json(cli_db, capsys):
    a = first_assessment(cli_db)
    svc(cli_db).need_to_goal(NHS, a.id, "medicines")
    code = cli.main(["assessment", "show", "943 476 5919", "--format", "json"])
    out, err = capsys.readouterr()
    assert (code, err) == (0, "")
    data = json.loads(out)
    assert (data["nhs_number"], data["patient_name"]) == (NHS, "María O'Kon")
    assert (data["assessed_on"], data["mode"], data["assessor"]) == (
        EARLIER.isoformat(),
        "telephone",
        "Mary Matron",
    )
    meds = next(d for d in data["domains"] if d["key"] == "medicines")
    assert meds["fields"]["regular_medicines"] == 11
    assert meds["computed"] == {"polypharmacy": True}
    assert meds["clinical"] is True
    assert [n["domain"] for n in data["needs"]] == ["medicines", "social_contact"]
    assert data["needs"][0]["goal_id"] is not None


def test_cli_show_text(cli_db, capsys):
    first_assessment(cli_db)
    code = cli.main(["assessment", "show", NHS])
    out, _ = capsys.readouterr()
    assert code == 0
    assert "by Mary Matron" in out
    assert "regular medicines 11; adherence concerns yes" in out
    assert "polypharmacy" in out
    assert "- Social contact and loneliness: See people more often" in out


def test_cli_show_without_an_assessment_exits_2(cli_db, capsys):
    code = cli.main(["assessment", "show", NHS, "--format", "json"])
    out, err = capsys.readouterr()
    assert (code, out) == (2, "")
    assert "no completed assessment" in err
