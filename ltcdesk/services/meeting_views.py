"""What the meetings service hands out: plain frozen views, no ORM objects."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from enum import StrEnum


class Section(StrEnum):
    """Agenda sections, in the order the agenda lists them."""

    NEW = "new"
    REVIEW = "review"
    FLAG = "flag"
    HOSPITAL = "hospital"
    STEP = "step"
    ACTION = "action"
    MANUAL = "manual"

    @property
    def label(self) -> str:
        return SECTION_LABELS[self]


SECTION_LABELS = {
    Section.NEW: "New referrals and people new to a caseload",
    Section.REVIEW: "Care plans due or overdue for review",
    Section.FLAG: "Flags from care navigators and the team",
    Section.HOSPITAL: "Hospital admissions, discharges and A&E",
    Section.STEP: "Step up / step down",
    Section.ACTION: "Open actions from earlier meetings",
    Section.MANUAL: "Added by hand",
}
SECTION_ORDER = {s: i for i, s in enumerate(Section)}

DECISIONS = {
    "no_change": "No change",
    "step_up": "Step up",
    "step_down": "Step down",
    "refer": "Refer on",
    "review_plan": "Review the care plan",
    "discharge": "Discharge from caseload",
    "safeguarding": "Safeguarding concern raised",
}

WEEKDAYS = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")


@dataclass(frozen=True)
class Proposal:
    """A patient the agenda builder suggests, with every reason found."""

    patient_id: int
    section: Section
    reasons: tuple[str, ...]
    sources: tuple[str, ...]  # "flag:12", "action:7", "request:3"
    sort_key: tuple[object, ...]


@dataclass(frozen=True)
class AttendeeView:
    username: str
    name: str
    role: str
    attendance: str  # invited | present | apologies


@dataclass(frozen=True)
class ItemView:
    id: int
    position: int
    section: Section
    nhs_number: str
    patient_name: str  # "María O'Kon"
    initials: str  # "M.O."
    level: int | None
    key_worker: str | None
    reasons: tuple[str, ...]
    minutes: int
    starts_at: time | None  # the item's time slot (None for removed items)
    removed: bool
    outcome: str | None
    decisions: tuple[str, ...]
    discussed: bool


@dataclass(frozen=True)
class ActionView:
    id: int
    meeting_id: int
    meeting_date: date
    nhs_number: str
    patient_name: str
    initials: str
    what: str
    owner_username: str
    owner_name: str
    due_on: date
    status: str  # open | done | cancelled
    done_on: date | None
    note: str | None

    def overdue(self, today: date) -> bool:
        return self.status == "open" and self.due_on < today


@dataclass(frozen=True)
class MeetingView:
    id: int
    team: str | None
    held_on: date
    starts_at: time
    minutes: int
    place: str
    virtual: bool
    chair_username: str
    chair_name: str
    status: str  # planned | in_progress | closed
    agenda_locked: bool
    agenda_locked_at: datetime | None
    notes: str | None
    lock_version: int
    attendees: tuple[AttendeeView, ...]
    items: tuple[ItemView, ...]  # in agenda order, removed ones last
    actions: tuple[ActionView, ...]  # agreed at this meeting

    @property
    def agenda(self) -> tuple[ItemView, ...]:
        return tuple(i for i in self.items if not i.removed)

    @property
    def ends_at(self) -> time:
        end = datetime.combine(self.held_on, self.starts_at) + timedelta(minutes=self.minutes)
        return end.time()


@dataclass(frozen=True)
class MeetingSummary:
    id: int
    team: str | None
    held_on: date
    starts_at: time
    place: str
    virtual: bool
    chair_name: str
    status: str
    agenda_locked: bool
    items: int
    open_actions: int


@dataclass(frozen=True)
class PatientFacts:
    """What meeting mode shows for one patient."""

    nhs_number: str
    name: str
    age: int | None
    level: int | None
    key_worker: str | None
    conditions: tuple[str, ...]
    goals: tuple[tuple[str, int, int], ...]  # (goal, importance, confidence)
    plan_review: date | None
    last_conversation: str | None
    open_actions: tuple[ActionView, ...]
