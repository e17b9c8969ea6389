"""Reading meetings into views: the agenda with time slots, levels and key workers, and
the actions agreed."""

from __future__ import annotations

from datetime import date, datetime, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from ltcdesk.models import (
    CarePlan,
    CaseloadAssignment,
    ConditionType,
    Conversation,
    Meeting,
    MeetingAction,
    Patient,
    PatientCondition,
    StaffMember,
)
from ltcdesk.services.meeting_views import (
    ActionView,
    AttendeeView,
    ItemView,
    MeetingView,
    PatientFacts,
    Section,
)


def initials(given: str, family: str) -> str:
    parts = [p for p in (given.strip(), family.strip()) if p]
    return "".join(f"{p[0].upper()}." for p in parts)


def meeting_view(s: Session, m: Meeting) -> MeetingView:
    items = sorted(m.items, key=lambda i: (i.removed, i.position))
    info = _patient_info(s, [i.patient_id for i in items])
    clock = datetime.combine(m.held_on, m.starts_at)
    views = []
    for i in items:
        level, worker = info.get(i.patient_id, (None, None))
        slot = None
        if not i.removed:
            slot = clock.time()
            clock += timedelta(minutes=i.minutes)
        p = i.patient
        views.append(
            ItemView(
                i.id,
                i.position,
                Section(i.section),
                p.nhs_number,
                f"{p.given_name} {p.family_name}",
                initials(p.given_name, p.family_name),
                level,
                worker,
                tuple(r for r in (i.reasons or "").split("\n") if r),
                i.minutes,
                slot,
                i.removed,
                i.outcome,
                tuple(d for d in (i.decisions or "").split(",") if d),
                i.discussed_at is not None,
            )
        )
    actions = s.scalars(
        select(MeetingAction)
        .where(MeetingAction.meeting_id == m.id)
        .options(selectinload(MeetingAction.patient), selectinload(MeetingAction.owner))
        .order_by(MeetingAction.id)
    ).all()
    return MeetingView(
        m.id,
        m.team.name if m.team else None,
        m.held_on,
        m.starts_at,
        m.minutes,
        m.place,
        m.virtual,
        m.chair.username,
        m.chair.display_name,
        m.status,
        m.agenda_locked_at is not None,
        m.agenda_locked_at,
        m.notes,
        m.lock_version,
        tuple(
            AttendeeView(a.staff.username, a.staff.display_name, a.staff.role, a.attendance)
            for a in m.attendees
        ),
        tuple(views),
        tuple(action_view(s, a, m) for a in actions),
    )


def _patient_info(s: Session, ids: list[int]) -> dict[int, tuple[int, str]]:
    if not ids:
        return {}
    rows = s.execute(
        select(CaseloadAssignment.patient_id, CaseloadAssignment.level, StaffMember.display_name)
        .join(StaffMember, StaffMember.id == CaseloadAssignment.key_worker_id)
        .where(CaseloadAssignment.end_date.is_(None), CaseloadAssignment.patient_id.in_(ids))
    )
    return {pid: (level, name) for pid, level, name in rows}


def action_view(s: Session, a: MeetingAction, meeting: Meeting | None = None) -> ActionView:
    m = meeting or a.meeting or s.get(Meeting, a.meeting_id)
    assert m is not None
    p: Patient = a.patient
    return ActionView(
        a.id,
        a.meeting_id,
        m.held_on,
        p.nhs_number,
        f"{p.given_name} {p.family_name}",
        initials(p.given_name, p.family_name),
        a.what,
        a.owner.username,
        a.owner.display_name,
        a.due_on,
        a.status,
        a.done_on,
        a.note,
    )


def patient_facts(s: Session, p: Patient, today: date) -> PatientFacts:
    """What meeting mode shows for one person, read in the caller's transaction."""
    from ltcdesk.services.base import age_on

    info = _patient_info(s, [p.id]).get(p.id)
    conditions = s.scalars(
        select(ConditionType.name)
        .join(PatientCondition, PatientCondition.condition_code == ConditionType.code)
        .where(PatientCondition.patient_id == p.id, PatientCondition.ended_on.is_(None))
        .order_by(ConditionType.name)
    ).all()
    plan = s.scalars(
        select(CarePlan)
        .where(CarePlan.patient_id == p.id, CarePlan.status.in_(("agreed", "draft")))
        .options(selectinload(CarePlan.goals))
        .order_by((CarePlan.status == "agreed").desc(), CarePlan.version.desc())
        .limit(1)
    ).first()
    goals: tuple[tuple[str, int, int], ...] = ()
    if plan is not None:
        goals = tuple(
            (g.description, g.importance, g.confidence)
            for g in plan.goals
            if g.status not in ("achieved", "stopped")
        )
    last = s.execute(
        select(Conversation.held_on, Conversation.mode, StaffMember.display_name)
        .join(StaffMember, StaffMember.id == Conversation.recorded_by_id)
        .where(Conversation.patient_id == p.id)
        .order_by(Conversation.held_on.desc(), Conversation.id.desc())
        .limit(1)
    ).first()
    actions = s.scalars(
        select(MeetingAction)
        .where(MeetingAction.patient_id == p.id, MeetingAction.status == "open")
        .options(
            selectinload(MeetingAction.meeting),
            selectinload(MeetingAction.patient),
            selectinload(MeetingAction.owner),
        )
        .order_by(MeetingAction.due_on, MeetingAction.id)
    ).all()
    return PatientFacts(
        p.nhs_number,
        f"{p.given_name} {p.family_name}",
        age_on(p.date_of_birth, today) if p.date_of_birth else None,
        info[0] if info else None,
        info[1] if info else None,
        tuple(conditions),
        goals,
        plan.review_date if plan is not None else None,
        f"{last[0]:%d/%m/%Y}, {last[1]}, by {last[2]}" if last is not None else None,
        tuple(action_view(s, a) for a in actions),
    )
