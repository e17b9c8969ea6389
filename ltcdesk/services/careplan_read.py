"""Reading care plans into ``CarePlanView``: a fixed number of queries however many plans
are read (one batch for a caseload's printing costs the same few queries as one plan)."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from typing import Any

from sqlalchemy import Select, select
from sqlalchemy.orm import Session, aliased, selectinload

from ltcdesk.models import CarePlan, GoalScore, Patient, PlanGoal, StaffMember
from ltcdesk.services.careplan_views import (
    ActionStep,
    CarePlanView,
    ContingencyRow,
    Contribution,
    CopyHolder,
    GoalView,
    PlanVersionSummary,
    Preventive,
    ScorePoint,
)

_CHUNK = 500  # ids per IN (...): well inside every backend's limit on bound parameters


def plans_query() -> Select[CarePlan]:
    """Plans with every part they show, loaded afresh (after a write in the same session)."""
    return (
        select(CarePlan)
        .options(
            selectinload(CarePlan.patient),
            selectinload(CarePlan.agenda),
            selectinload(CarePlan.goals).selectinload(PlanGoal.steps),
            selectinload(CarePlan.contributions),
            selectinload(CarePlan.contingency),
            selectinload(CarePlan.copies),
        )
        .execution_options(populate_existing=True)
    )


def _chunks(items: Sequence[Any]) -> list[Sequence[Any]]:
    return [items[i : i + _CHUNK] for i in range(0, len(items), _CHUNK)]


def trends(s: Session, keys: Sequence[str]) -> dict[str, list[ScorePoint]]:
    """Every score recorded for these goal lineages, oldest first, across all versions."""
    out: dict[str, list[ScorePoint]] = defaultdict(list)
    for chunk in _chunks(sorted(set(keys))):
        rows = s.execute(
            select(
                PlanGoal.goal_key,
                GoalScore.recorded_on,
                GoalScore.importance,
                GoalScore.confidence,
                GoalScore.status,
                GoalScore.comment,
                StaffMember.display_name,
            )
            .join(PlanGoal, GoalScore.goal_id == PlanGoal.id)
            .join(StaffMember, GoalScore.recorded_by_id == StaffMember.id)
            .where(PlanGoal.goal_key.in_(chunk))
            .order_by(GoalScore.recorded_on, GoalScore.id)
        )
        for key, on, imp, conf, status, comment, by in rows:
            out[key].append(ScorePoint(on, imp, conf, status, comment, by))
    return out


def histories(s: Session, patient_ids: Sequence[int]) -> dict[int, list[PlanVersionSummary]]:
    created, agreed = aliased(StaffMember), aliased(StaffMember)
    out: dict[int, list[PlanVersionSummary]] = defaultdict(list)
    for chunk in _chunks(sorted(set(patient_ids))):
        rows = s.execute(
            select(
                CarePlan.patient_id,
                CarePlan.id,
                CarePlan.version,
                CarePlan.status,
                CarePlan.created_at,
                created.display_name,
                CarePlan.agreed_on,
                agreed.display_name,
                CarePlan.review_date,
            )
            .join(created, CarePlan.created_by_id == created.id)
            .outerjoin(agreed, CarePlan.agreed_by_id == agreed.id)
            .where(CarePlan.patient_id.in_(chunk))
            .order_by(CarePlan.patient_id, CarePlan.version)
        )
        for pid, plan_id, version, status, at, by, on, agreed_by, review in rows:
            out[pid].append(
                PlanVersionSummary(plan_id, version, status, at, by, on, agreed_by, review)
            )
    return out


def staff_names(s: Session, ids: set[int]) -> dict[int, tuple[str, str]]:
    """id -> (username, display name)."""
    out: dict[int, tuple[str, str]] = {}
    for chunk in _chunks(sorted(ids)):
        rows = s.execute(
            select(StaffMember.id, StaffMember.username, StaffMember.display_name).where(
                StaffMember.id.in_(chunk)
            )
        )
        out.update({i: (u, d) for i, u, d in rows})
    return out


def build_views(s: Session, plans: Sequence[CarePlan]) -> list[CarePlanView]:
    """Views of ``plans`` (loaded with ``plans_query``), in the order given."""
    if not plans:
        return []
    score_map = trends(s, [g.goal_key for p in plans for g in p.goals])
    history = histories(s, [p.patient_id for p in plans])
    staff_ids = {
        i for p in plans for i in (p.reviewer_id, p.agreed_by_id, p.created_by_id) if i is not None
    }
    names = staff_names(s, staff_ids)
    return [_view(p, score_map, history[p.patient_id], names) for p in plans]


def _name(names: dict[int, tuple[str, str]], staff_id: int | None, part: int = 1) -> str | None:
    if staff_id is None:
        return None
    found = names.get(staff_id)
    return found[part] if found else None


def patient_name(p: Patient) -> str:
    return f"{p.given_name} {p.family_name}"


def _goal(g: PlanGoal, scores: dict[str, list[ScorePoint]]) -> GoalView:
    return GoalView(
        id=g.id,
        position=g.position,
        description=g.description,
        importance=g.importance,
        confidence=g.confidence,
        quick_win=g.quick_win,
        barriers=g.barriers,
        move_up=g.move_up,
        steps=tuple(ActionStep(st.what, st.timing, st.how_often, st.due_on) for st in g.steps),
        follow_up_who=g.follow_up_who,
        follow_up_when=g.follow_up_when,
        follow_up_how=g.follow_up_how,
        status=g.status,
        comment=g.comment,
        scores=tuple(scores.get(g.goal_key, ())),
        goal_key=g.goal_key,
    )


def _view(
    p: CarePlan,
    scores: dict[str, list[ScorePoint]],
    history: list[PlanVersionSummary],
    names: dict[int, tuple[str, str]],
) -> CarePlanView:
    return CarePlanView(
        id=p.id,
        version=p.version,
        status=p.status,
        patient_nhs=p.patient.nhs_number,
        patient_name=patient_name(p.patient),
        date_of_birth=p.patient.date_of_birth,
        about_me=p.about_me,
        what_matters=p.what_matters,
        agenda=tuple(a.text for a in p.agenda),
        goals=tuple(_goal(g, scores) for g in p.goals),
        contributions=tuple(Contribution(c.by_person, c.who, c.what) for c in p.contributions),
        contingency=tuple(
            ContingencyRow(c.level, c.signs, c.action, c.call_in_hours, c.call_out_of_hours)
            for c in p.contingency
        ),
        preventive=Preventive(
            p.flu_vaccine, p.pneumococcal_vaccine, p.medicines_review, p.falls_risk_assessed
        ),
        review_date=p.review_date,
        reviewer=_name(names, p.reviewer_id),
        copies=tuple(CopyHolder(c.who, c.role, c.shared_on) for c in p.copies),
        created_at=p.created_at,
        created_by=_name(names, p.created_by_id) or "",
        agreed_on=p.agreed_on,
        agreed_by=_name(names, p.agreed_by_id),
        agreed_with=p.agreed_with,
        closed_on=p.closed_on,
        lock_version=p.lock_version,
        history=tuple(history),
        reviewer_username=_name(names, p.reviewer_id, 0),
        closed_reason=p.closed_reason,
    )
