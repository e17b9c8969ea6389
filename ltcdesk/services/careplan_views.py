"""What a personalised care and support plan holds, as the services return it and the
reports and screens read it (PRSB order: about me, what matters to me, goals, plan and
actions, contingency). Frozen dataclasses: no database or Qt here."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from enum import StrEnum
from typing import Final

SCORE_MIN: Final = 0
SCORE_MAX: Final = 10
# Year of Care: above this importance agree an action plan; below this confidence ask what
# gets in the way and what would move it up a point.
ACTION_PLAN_ABOVE: Final = 7
BARRIERS_BELOW: Final = 7


class PlanStatus(StrEnum):
    DRAFT = "draft"
    AGREED = "agreed"
    SUPERSEDED = "superseded"
    CLOSED = "closed"


class GoalStatus(StrEnum):
    ACTIVE = "active"
    ACHIEVED = "achieved"
    PARTLY_ACHIEVED = "partly_achieved"
    NOT_ACHIEVED = "not_achieved"
    STOPPED = "stopped"


class FollowUpHow(StrEnum):
    PHONE = "phone"
    VISIT = "visit"
    CLINIC = "clinic"
    NAVIGATOR_CALL = "navigator_call"


class Rag(StrEnum):
    """Contingency rows: green (keeping well), amber (getting worse), red (emergency)."""

    GREEN = "green"
    AMBER = "amber"
    RED = "red"


class CopyRole(StrEnum):
    """Who holds a copy of the plan."""

    PATIENT = "patient"
    CARER = "carer"
    GP = "gp"
    OTHER = "other"


LABELS: Final[dict[str, str]] = {
    "draft": "Draft",
    "agreed": "Agreed",
    "superseded": "Superseded",
    "closed": "Closed",
    "active": "Active",
    "achieved": "Achieved",
    "partly_achieved": "Partly achieved",
    "not_achieved": "Not achieved",
    "stopped": "Stopped",
    "phone": "Phone call",
    "visit": "Home visit",
    "clinic": "Clinic",
    "navigator_call": "Call from the care navigator",
    "green": "Green",
    "amber": "Amber",
    "red": "Red",
}


def needs_action_plan(importance: int | None) -> bool:
    return importance is not None and importance > ACTION_PLAN_ABOVE


def needs_barriers(confidence: int | None) -> bool:
    return confidence is not None and confidence < BARRIERS_BELOW


@dataclass(frozen=True)
class ScorePoint:
    """Importance and confidence as recorded on one day (set, follow-up or review)."""

    on: date
    importance: int
    confidence: int
    status: str  # GoalStatus at that point
    comment: str | None  # the person's own words at that follow-up
    recorded_by: str  # display name


@dataclass(frozen=True)
class ActionStep:
    what: str
    when: str | None  # e.g. "after breakfast", "Mondays"
    how_often: str | None  # e.g. "daily", "twice a week"
    # By when, if the person set a date: a reminder for the key worker once agreed. As
    # input, DD/MM/YYYY or YYYY-MM-DD text is accepted too; not in the past when set or
    # changed.
    due_on: date | None = None


@dataclass(frozen=True)
class GoalView:
    id: int
    position: int  # 1, 2, … in the plan's order
    description: str  # in the person's own words
    importance: int
    confidence: int
    quick_win: bool
    barriers: str | None  # what gets in the way
    move_up: str | None  # what would move confidence up a point
    steps: tuple[ActionStep, ...]
    follow_up_who: str | None
    follow_up_when: date | None
    follow_up_how: str | None  # FollowUpHow
    status: str  # GoalStatus
    comment: str | None  # the person's latest comment
    scores: tuple[ScorePoint, ...]  # the trend, oldest first, across every version
    # The goal's lineage: the same in every version it is carried into (compare, charts).
    goal_key: str = ""


@dataclass(frozen=True)
class Contribution:
    """Something someone will do: the person ("I will …") or a named professional or
    agency ("my team will …")."""

    by_person: bool
    who: str  # "Me", "Mary Matron, community matron", "Age UK Leicester"
    what: str


@dataclass(frozen=True)
class ContingencyRow:
    level: str  # Rag
    signs: str  # what the person notices
    action: str  # what to do
    call_in_hours: str | None  # who and number, 9–5 weekdays
    call_out_of_hours: str | None  # e.g. "NHS 111", "district nurses 0116 …"


@dataclass(frozen=True)
class Preventive:
    """Preventive basics: a date means done (or booked) on that date; None means not yet."""

    flu_vaccine: date | None
    pneumococcal_vaccine: date | None
    medicines_review: date | None
    falls_risk_assessed: date | None


@dataclass(frozen=True)
class CopyHolder:
    who: str
    role: str  # patient, carer, gp, other
    shared_on: date | None


@dataclass(frozen=True)
class PlanVersionSummary:
    """One line of the plan's history."""

    id: int
    version: int
    status: str
    created_at: datetime
    created_by: str
    agreed_on: date | None
    agreed_by: str | None
    review_date: date | None


@dataclass(frozen=True)
class CarePlanView:
    id: int
    version: int  # 1, 2, … one per review
    status: str  # PlanStatus
    patient_nhs: str
    patient_name: str  # "María O'Kon"
    date_of_birth: date
    about_me: str | None
    what_matters: str | None
    agenda: tuple[str, ...]  # what the person wanted to talk about
    goals: tuple[GoalView, ...]
    contributions: tuple[Contribution, ...]
    contingency: tuple[ContingencyRow, ...]
    preventive: Preventive
    review_date: date | None
    reviewer: str | None  # who reviews (display name)
    copies: tuple[CopyHolder, ...]
    created_at: datetime
    created_by: str
    agreed_on: date | None
    agreed_by: str | None  # the professional who recorded the agreement
    agreed_with: str | None  # e.g. "María O'Kon and her daughter Ana"
    closed_on: date | None
    lock_version: int  # for the stale-save check
    history: tuple[PlanVersionSummary, ...]  # every version of this patient's plan
    reviewer_username: str | None = None  # what CarePlanEdits.reviewer takes
    closed_reason: str | None = None


# ---------------------------------------------------------------- input to the service


@dataclass(frozen=True)
class GoalEdits:
    """A goal as the user left it. ``id`` is the goal's id in the draft being edited (None
    for a new goal): an edited goal keeps its id, lineage and score history."""

    description: str
    importance: int  # whole number 0–10
    confidence: int  # whole number 0–10
    id: int | None = None
    quick_win: bool = False  # the first goal only
    barriers: str | None = None
    move_up: str | None = None
    steps: tuple[ActionStep, ...] = ()
    follow_up_who: str | None = None
    follow_up_when: date | str | None = None  # not in the past when set or changed
    follow_up_how: str | None = None  # FollowUpHow
    status: str = GoalStatus.ACTIVE.value
    comment: str | None = None


@dataclass(frozen=True)
class CarePlanEdits:
    """Everything on a draft plan: ``CarePlanService.save_draft`` replaces the draft's content
    with this, in one transaction. ``edits_from(view)`` gives the draft as it is."""

    about_me: str | None = None
    what_matters: str | None = None
    agenda: tuple[str, ...] = ()
    goals: tuple[GoalEdits, ...] = ()
    contributions: tuple[Contribution, ...] = ()
    contingency: tuple[ContingencyRow, ...] = ()
    preventive: Preventive = Preventive(None, None, None, None)
    review_date: date | str | None = None  # not in the past when set or changed
    reviewer: str | None = None  # a staff username
    copies: tuple[CopyHolder, ...] = ()


def goal_edits_from(goal: GoalView) -> GoalEdits:
    return GoalEdits(
        id=goal.id,
        description=goal.description,
        importance=goal.importance,
        confidence=goal.confidence,
        quick_win=goal.quick_win,
        barriers=goal.barriers,
        move_up=goal.move_up,
        steps=goal.steps,
        follow_up_who=goal.follow_up_who,
        follow_up_when=goal.follow_up_when,
        follow_up_how=goal.follow_up_how,
        status=goal.status,
        comment=goal.comment,
    )


def edits_from(plan: CarePlanView) -> CarePlanEdits:
    """The plan as edits: change what the user changed (dataclasses.replace), then save."""
    return CarePlanEdits(
        about_me=plan.about_me,
        what_matters=plan.what_matters,
        agenda=plan.agenda,
        goals=tuple(goal_edits_from(g) for g in plan.goals),
        contributions=plan.contributions,
        contingency=plan.contingency,
        preventive=plan.preventive,
        review_date=plan.review_date,
        reviewer=plan.reviewer_username,
        copies=plan.copies,
    )


@dataclass(frozen=True)
class Change:
    """One difference between two versions of a plan, for "compare versions"."""

    section: str  # "goals", "review", "contingency", …
    item: str  # what changed: "Walk to the corner shop … – importance"
    before: str | None  # None: added
    after: str | None  # None: removed
