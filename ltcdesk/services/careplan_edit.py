"""Turning ``CarePlanEdits`` into rows of a draft plan, with every check naming its field
("goal 2 importance"), and copying an agreed plan forward into a review. Used by
``CarePlanService``; no session or permission here."""

from __future__ import annotations

import uuid
from datetime import date

from ltcdesk.domain import validate
from ltcdesk.domain.errors import ValidationError
from ltcdesk.models import (
    CarePlan,
    GoalScore,
    GoalStep,
    PlanAgendaItem,
    PlanContingency,
    PlanContribution,
    PlanCopy,
    PlanGoal,
)
from ltcdesk.services.careplan_views import (
    CarePlanEdits,
    CopyRole,
    FollowUpHow,
    GoalEdits,
    GoalStatus,
    Rag,
    needs_action_plan,
    needs_barriers,
)

DESCRIPTION_MAX = 2000
LONG_TEXT_MAX = 4000
STEP_MAX = 500
WHEN_MAX = 100
WHO_MAX = 200
AGENDA_MAX = 500


def score(value: object, field: str) -> int:
    """A whole number 0–10: not blank, not True, 7.5 or "7" (the control gives an int)."""
    if value is None or (isinstance(value, str) and not value.strip()):
        raise ValidationError(field, "is required: a whole number from 0 to 10")
    if isinstance(value, bool) or not isinstance(value, int) or not 0 <= value <= 10:
        raise ValidationError(
            field, f"'{validate.shown(value)}' must be a whole number from 0 to 10"
        )
    return value


def prompts(importance: int | None, confidence: int | None) -> list[str]:
    """What to ask about a goal with these scores (shown, never enforced)."""
    out = []
    if needs_action_plan(importance):
        out.append("This matters a lot: agree a short action plan (what, when, how often).")
    if needs_barriers(confidence):
        out.append("What gets in the way? What would move your confidence up a point?")
    return out


def _long(value: str | None, field: str, *, required: bool = False) -> str | None:
    return validate.text(value, field, required=required, max_len=DESCRIPTION_MAX, multiline=True)


def _req(value: str | None, field: str, max_len: int = WHO_MAX) -> str:
    return validate.text(value, field, required=True, max_len=max_len) or ""


def apply_plan_fields(plan: CarePlan, edits: CarePlanEdits, today: date) -> None:
    """Everything but the goals and the reviewer, checked first, then set on ``plan``.
    A date already stored may stay in the past; a new or changed one may not."""
    about = validate.text(edits.about_me, "about me", max_len=LONG_TEXT_MAX, multiline=True)
    matters = validate.text(
        edits.what_matters, "what matters to me", max_len=LONG_TEXT_MAX, multiline=True
    )
    review = validate.parse_date(edits.review_date, "review date")
    if review is not None and review != plan.review_date and review < today:
        raise ValidationError("review date", f"{review:%d/%m/%Y} is in the past")
    agenda_lines = [
        validate.text(a, f"agenda item {n}", max_len=AGENDA_MAX)
        for n, a in enumerate(edits.agenda, 1)
    ]
    agenda = [
        PlanAgendaItem(position=i, text=t) for i, t in enumerate(filter(None, agenda_lines), 1)
    ]
    contributions = [
        PlanContribution(
            position=i,
            by_person=bool(c.by_person),
            who=_req(c.who, f"contribution {i} who"),
            what=_long(c.what, f"contribution {i} what", required=True) or "",
        )
        for i, c in enumerate(edits.contributions, 1)
    ]
    contingency = [
        PlanContingency(
            position=i,
            level=validate.choice(r.level, Rag, f"contingency {i} level").value,
            signs=_long(r.signs, f"contingency {i} signs", required=True) or "",
            action=_long(r.action, f"contingency {i} what to do", required=True) or "",
            call_in_hours=validate.text(
                r.call_in_hours, f"contingency {i} in hours", max_len=WHO_MAX
            ),
            call_out_of_hours=validate.text(
                r.call_out_of_hours, f"contingency {i} out of hours", max_len=WHO_MAX
            ),
        )
        for i, r in enumerate(edits.contingency, 1)
    ]
    copies = [
        PlanCopy(
            position=i,
            who=_req(c.who, f"copy {i} who"),
            role=validate.choice(c.role, CopyRole, f"copy {i} role").value,
            shared_on=validate.not_future(
                validate.parse_date(c.shared_on, f"copy {i} shared on"),
                today,
                f"copy {i} shared on",
            ),
        )
        for i, c in enumerate(edits.copies, 1)
    ]
    pv = edits.preventive
    plan.flu_vaccine = validate.parse_date(pv.flu_vaccine, "flu vaccine")
    plan.pneumococcal_vaccine = validate.parse_date(pv.pneumococcal_vaccine, "pneumococcal vaccine")
    plan.medicines_review = validate.parse_date(pv.medicines_review, "medicines review")
    plan.falls_risk_assessed = validate.parse_date(pv.falls_risk_assessed, "falls risk assessed")
    plan.about_me, plan.what_matters, plan.review_date = about, matters, review
    plan.agenda = agenda
    plan.contributions = contributions
    plan.contingency = contingency
    plan.copies = copies


def edited_goals(
    plan: CarePlan, edits: tuple[GoalEdits, ...], actor_id: int, today: date
) -> list[PlanGoal]:
    """The draft's goals as edited: existing ones updated in place (their id, lineage and
    scores kept), new ones added; a score point whenever the scores or status change."""
    existing = {g.id: g for g in plan.goals}
    seen: set[int] = set()
    out: list[PlanGoal] = []
    for n, e in enumerate(edits, 1):
        field = f"goal {n}"
        description = _long(e.description, f"{field} description", required=True) or ""
        importance = score(e.importance, f"{field} importance")
        confidence = score(e.confidence, f"{field} confidence")
        status = validate.choice(
            e.status, GoalStatus, f"{field} status", default=GoalStatus.ACTIVE
        ).value
        if e.quick_win and n != 1:
            raise ValidationError(f"{field} quick win", "only the first goal can be the quick win")
        how = e.follow_up_how
        follow_how = (
            validate.choice(how, FollowUpHow, f"{field} follow-up how").value
            if how is not None and str(how).strip()
            else None
        )
        follow_when = validate.parse_date(e.follow_up_when, f"{field} follow-up date")
        goal: PlanGoal | None = None
        if e.id is not None:
            goal = existing.get(e.id)
            if goal is None or e.id in seen:
                raise ValidationError(field, "is not a goal of this draft (open it again)")
            seen.add(e.id)
        if (
            follow_when is not None
            and follow_when < today
            and (goal is None or goal.follow_up_when != follow_when)
        ):
            raise ValidationError(
                f"{field} follow-up date", f"{follow_when:%d/%m/%Y} is in the past"
            )
        stored = {st.due_on for st in goal.steps} if goal is not None else set()
        steps = [
            GoalStep(
                position=i,
                what=_req(st.what, f"{field} step {i}", STEP_MAX),
                timing=validate.text(st.when, f"{field} step {i} when", max_len=WHEN_MAX),
                how_often=validate.text(
                    st.how_often, f"{field} step {i} how often", max_len=WHEN_MAX
                ),
                due_on=_step_due(st.due_on, f"{field} step {i} by when", stored, today),
            )
            for i, st in enumerate(e.steps, 1)
        ]
        barriers = _long(e.barriers, f"{field} what gets in the way")
        move_up = _long(e.move_up, f"{field} what would move it up")
        follow_who = validate.text(e.follow_up_who, f"{field} follow-up who", max_len=WHO_MAX)
        comment = _long(e.comment, f"{field} comment")
        if goal is None:
            goal = PlanGoal(goal_key=uuid.uuid4().hex)
            rescored = True
        else:
            rescored = (goal.importance, goal.confidence, goal.status) != (
                importance,
                confidence,
                status,
            )
        goal.position, goal.description = n, description
        goal.importance, goal.confidence, goal.status = importance, confidence, status
        goal.quick_win = bool(e.quick_win)
        goal.barriers, goal.move_up, goal.comment = barriers, move_up, comment
        goal.follow_up_who, goal.follow_up_when, goal.follow_up_how = (
            follow_who,
            follow_when,
            follow_how,
        )
        goal.steps = steps
        if rescored:
            score_point(goal, actor_id, today, goal.comment)
        out.append(goal)
    return out


def _step_due(
    value: date | str | None, field: str, stored: set[date | None], today: date
) -> date | None:
    """A step's "by when": a real date, not in the past unless the goal already had it
    (steps carry no identity between saves, so a date kept is one the goal held)."""
    due = validate.parse_date(value, field)
    if due is not None and due < today and due not in stored:
        raise ValidationError(field, f"{due:%d/%m/%Y} is in the past")
    return due


def score_point(goal: PlanGoal, actor_id: int, on: date, comment: str | None) -> None:
    """The goal's scores as of ``on`` with what the person said: one point a day per goal
    (the last edit wins)."""
    same_day = next((p for p in goal.scores if p.recorded_on == on), None)
    point = same_day or GoalScore(recorded_on=on, recorded_by_id=actor_id)
    point.importance, point.confidence = goal.importance, goal.confidence
    point.status = goal.status
    point.comment = comment
    point.recorded_by_id = actor_id
    if same_day is None:
        goal.scores.append(point)


def copy_forward(agreed: CarePlan, version: int, actor_id: int, now: object) -> CarePlan:
    """A new draft with the agreed plan's content. Goals keep their ``goal_key`` (so the
    trend continues) but not their score rows, which stay with the version they were
    recorded on. The review date is for the review to set; copies are not shared yet."""
    return CarePlan(
        patient_id=agreed.patient_id,
        version=version,
        status="draft",
        about_me=agreed.about_me,
        what_matters=agreed.what_matters,
        reviewer_id=agreed.reviewer_id,
        flu_vaccine=agreed.flu_vaccine,
        pneumococcal_vaccine=agreed.pneumococcal_vaccine,
        medicines_review=agreed.medicines_review,
        falls_risk_assessed=agreed.falls_risk_assessed,
        created_at=now,
        created_by_id=actor_id,
        updated_at=now,
        updated_by_id=actor_id,
        agenda=[PlanAgendaItem(position=a.position, text=a.text) for a in agreed.agenda],
        goals=[_copy_goal(g) for g in agreed.goals],
        contributions=[
            PlanContribution(position=c.position, by_person=c.by_person, who=c.who, what=c.what)
            for c in agreed.contributions
        ],
        contingency=[
            PlanContingency(
                position=c.position,
                level=c.level,
                signs=c.signs,
                action=c.action,
                call_in_hours=c.call_in_hours,
                call_out_of_hours=c.call_out_of_hours,
            )
            for c in agreed.contingency
        ],
        copies=[PlanCopy(position=c.position, who=c.who, role=c.role) for c in agreed.copies],
    )


def _copy_goal(g: PlanGoal) -> PlanGoal:
    return PlanGoal(
        goal_key=g.goal_key,
        position=g.position,
        description=g.description,
        importance=g.importance,
        confidence=g.confidence,
        quick_win=g.quick_win,
        barriers=g.barriers,
        move_up=g.move_up,
        follow_up_who=g.follow_up_who,
        follow_up_when=g.follow_up_when,
        follow_up_how=g.follow_up_how,
        status=g.status,
        comment=g.comment,
        steps=[
            GoalStep(
                position=st.position,
                what=st.what,
                timing=st.timing,
                how_often=st.how_often,
                due_on=st.due_on,
            )
            for st in g.steps
        ],
    )
