"""Where reminders come from: one set-based query per source, over the data itself.

Each source yields ``Raw`` rows: a stable key ("<source>:<id>:<due>"), the patient, what is
due and why, the due date, the member of staff it belongs to, and whether it is urgent.
Nothing here is stored: change the data (agree a new review date, record the follow-up)
and the reminder changes with it.

Sources (issue 8): care plan reviews; goal follow-ups (until a score is recorded on or after
the follow-up date); action plan steps with a "by when" date (the key worker's); meeting
actions; medicines reviews (12 months after the last, as the agreed plan records it);
navigator follow-up calls; assessments due (every N months, or two weeks after a discharge
when that is sooner; four weeks after joining a caseload when there has been none); consent
not recorded; no agreed care plan N days after joining a caseload at level 2 or 3; a
hospital admission with no discharge yet (urgent: plan the discharge); a discharge in the
last 60 days (follow up within 2 working days: weekends and bank holidays in England and
Wales skipped).
"""

from __future__ import annotations

from collections.abc import Collection, Iterator
from dataclasses import dataclass
from datetime import date, timedelta
from enum import StrEnum

from sqlalchemy import ColumnElement, CompoundSelect, Select, and_, exists, func, select, true
from sqlalchemy.orm import InstrumentedAttribute, Session, aliased

from ltcdesk.domain.vocab import ConsentStatus
from ltcdesk.domain.working_days import add_working_days as add_working_days
from ltcdesk.models import (
    Assessment,
    CarePlan,
    CaseloadAssignment,
    ConsentRecord,
    Conversation,
    ConversationFollowUp,
    GoalScore,
    GoalStep,
    HospitalEvent,
    MeetingAction,
    NavigatorAssignment,
    PlanGoal,
)

NEW_ASSESSMENT_DAYS = 28
AFTER_DISCHARGE_ASSESS_DAYS = 14
DISCHARGE_FOLLOW_UP_WORKING_DAYS = 2
DISCHARGE_WINDOW_DAYS = 60
# The team plans care with people it case-manages (level 3) or manages for a disease
# (level 2); people supported to manage themselves (level 1) plan with their practice.
PLAN_FROM_LEVEL = 2


class Source(StrEnum):
    REVIEW = "review"
    GOAL = "goal"
    STEP = "step"
    ACTION = "action"
    MEDICINES = "medicines"
    CALL = "call"
    ASSESSMENT = "assessment"
    CONSENT = "consent"
    NO_PLAN = "no_plan"
    ADMISSION = "admission"
    DISCHARGE = "discharge"

    @property
    def label(self) -> str:
        return SOURCE_LABELS[self]

    @property
    def tab(self) -> str:
        """The patient record tab where the work is done."""
        return SOURCE_TABS[self]


SOURCE_LABELS = {
    Source.REVIEW: "Care plan review",
    Source.GOAL: "Goal follow-up",
    Source.STEP: "Action plan step",
    Source.ACTION: "Meeting action",
    Source.MEDICINES: "Medicines review",
    Source.CALL: "Navigator follow-up call",
    Source.ASSESSMENT: "Assessment due",
    Source.CONSENT: "Consent not recorded",
    Source.NO_PLAN: "No agreed care plan",
    Source.ADMISSION: "In hospital: plan the discharge",
    Source.DISCHARGE: "Follow up after discharge",
}
SOURCE_TABS = {
    Source.REVIEW: "care_plan",
    Source.GOAL: "care_plan",
    Source.STEP: "care_plan",
    Source.ACTION: "events",
    Source.MEDICINES: "care_plan",
    Source.CALL: "conversations",
    Source.ASSESSMENT: "assessment",
    Source.CONSENT: "carers",
    Source.NO_PLAN: "care_plan",
    Source.ADMISSION: "events",
    Source.DISCHARGE: "events",
}


@dataclass(frozen=True, slots=True)
class Raw:
    key: str
    source: Source
    patient_id: int
    why: str
    due: date
    owner_id: int | None
    urgent: bool = False


def add_months(start: date, months: int) -> date:
    month = start.month - 1 + months
    year, month = start.year + month // 12, month % 12 + 1
    for day in (start.day, 30, 29, 28):
        try:
            return date(year, month, day)
        except ValueError:
            continue
    raise AssertionError("unreachable")


def _d(value: date) -> str:
    return f"{value.day:02d}/{value.month:02d}/{value.year}"  # strftime is slow in bulk


class Sources:
    """The queries, for one day (``today``), over the patients in ``scope`` (a select of
    patient ids, or None for everyone)."""

    def __init__(
        self,
        s: Session,
        today: date,
        *,
        no_plan_days: int = 28,
        reassess_months: int = 12,
        scope: Select[int] | CompoundSelect | None = None,
    ) -> None:
        self.s = s
        self.today = today
        self.no_plan_days = no_plan_days
        self.reassess_months = reassess_months
        self.scope = scope

    def _in_scope(self, column: InstrumentedAttribute[int]) -> ColumnElement[bool]:
        return true() if self.scope is None else column.in_(self.scope)

    def open_assignments(self) -> Select[int, int, date]:
        return select(
            CaseloadAssignment.patient_id,
            CaseloadAssignment.key_worker_id,
            CaseloadAssignment.start_date,
        ).where(CaseloadAssignment.end_date.is_(None))

    def all(self, only: Collection[Source] | None = None) -> Iterator[Raw]:
        """Every reminder of the patients in scope (or only those of the given sources)."""
        self.levels = dict(
            self.s.execute(
                select(CaseloadAssignment.patient_id, CaseloadAssignment.level).where(
                    CaseloadAssignment.end_date.is_(None),
                    self._in_scope(CaseloadAssignment.patient_id),
                )
            ).all()
        )
        self.key_workers = {
            pid: (kw, start)
            for pid, kw, start in self.s.execute(
                self.open_assignments().where(self._in_scope(CaseloadAssignment.patient_id))
            )
        }
        runs = {
            Source.REVIEW: self.reviews,
            Source.GOAL: self.goals,
            Source.STEP: self.steps,
            Source.ACTION: self.actions,
            Source.MEDICINES: self.medicines,
            Source.CALL: self.calls,
            Source.ASSESSMENT: self.assessments,
            Source.CONSENT: self.consent,
            Source.NO_PLAN: self.no_plan,
            Source.ADMISSION: self.hospital,  # admissions and discharges together
        }
        for source, run in runs.items():
            if (
                only is None
                or source in only
                or (source is Source.ADMISSION and Source.DISCHARGE in only)
            ):
                yield from run()

    def _worker(self, pid: int) -> int | None:
        found = self.key_workers.get(pid)
        return found[0] if found else None

    # ------------------------------------------------------------------ sources

    def reviews(self) -> Iterator[Raw]:
        rows = self.s.execute(
            select(
                CarePlan.id,
                CarePlan.patient_id,
                CarePlan.version,
                CarePlan.review_date,
                CarePlan.reviewer_id,
            ).where(
                CarePlan.status == "agreed",
                CarePlan.review_date.is_not(None),
                self._in_scope(CarePlan.patient_id),
            )
        )
        for plan_id, pid, version, due, reviewer in rows:
            if due is None:
                continue
            owner = self._worker(pid) or reviewer
            yield Raw(
                f"review:{plan_id}:{due}",
                Source.REVIEW,
                pid,
                f"Review of care plan v{version}",
                due,
                owner,
            )

    def goals(self) -> Iterator[Raw]:
        scored_since = exists().where(
            GoalScore.goal_id == PlanGoal.id, GoalScore.recorded_on >= PlanGoal.follow_up_when
        )
        nav = aliased(NavigatorAssignment)
        rows = self.s.execute(
            select(
                PlanGoal.id,
                CarePlan.patient_id,
                PlanGoal.position,
                PlanGoal.description,
                PlanGoal.follow_up_when,
                PlanGoal.follow_up_how,
                PlanGoal.follow_up_who,
                nav.navigator_id,
            )
            .join(CarePlan, CarePlan.id == PlanGoal.plan_id)
            .outerjoin(nav, and_(nav.patient_id == CarePlan.patient_id, nav.end_date.is_(None)))
            .where(
                CarePlan.status == "agreed",
                PlanGoal.follow_up_when.is_not(None),
                PlanGoal.status.in_(("active", "partly_achieved")),
                ~scored_since,
                self._in_scope(CarePlan.patient_id),
            )
        )
        for goal_id, pid, position, text, due, how, who, navigator in rows:
            if due is None:
                continue
            owner = navigator if how == "navigator_call" and navigator else self._worker(pid)
            short = text if len(text) <= 60 else text[:59] + "…"
            by = f" ({who})" if who else ""
            yield Raw(
                f"goal:{goal_id}:{due}",
                Source.GOAL,
                pid,
                f"Goal {position}: “{short}”{by}",
                due,
                owner,
            )

    def steps(self) -> Iterator[Raw]:
        """Steps with a date on an agreed plan's goals still being worked on: the key
        worker's, for people on a caseload. Done when ticked off (or the goal ends)."""
        rows = self.s.execute(
            select(
                GoalStep.id,
                CarePlan.patient_id,
                PlanGoal.position,
                GoalStep.what,
                GoalStep.due_on,
            )
            .join(PlanGoal, PlanGoal.id == GoalStep.goal_id)
            .join(CarePlan, CarePlan.id == PlanGoal.plan_id)
            .where(
                CarePlan.status == "agreed",
                GoalStep.due_on.is_not(None),
                PlanGoal.status.in_(("active", "partly_achieved")),
                self._in_scope(CarePlan.patient_id),
            )
        )
        for step_id, pid, position, what, due in rows:
            if due is None or pid not in self.key_workers:
                continue
            short = what if len(what) <= 60 else what[:59] + "…"
            yield Raw(
                f"step:{step_id}:{due}",
                Source.STEP,
                pid,
                f"Goal {position}: {short}",
                due,
                self._worker(pid),
            )

    def actions(self) -> Iterator[Raw]:
        rows = self.s.execute(
            select(
                MeetingAction.id,
                MeetingAction.patient_id,
                MeetingAction.what,
                MeetingAction.due_on,
                MeetingAction.owner_id,
            ).where(MeetingAction.status == "open", self._in_scope(MeetingAction.patient_id))
        )
        for action_id, pid, what, due, owner in rows:
            yield Raw(f"action:{action_id}:{due}", Source.ACTION, pid, what, due, owner)

    def medicines(self) -> Iterator[Raw]:
        rows = self.s.execute(
            select(CarePlan.id, CarePlan.patient_id, CarePlan.medicines_review).where(
                CarePlan.status == "agreed",
                CarePlan.medicines_review.is_not(None),
                self._in_scope(CarePlan.patient_id),
            )
        )
        for _plan, pid, last in rows:
            if pid not in self.key_workers or last is None:
                continue
            due = add_months(last, 12)
            yield Raw(
                f"medicines:{pid}:{due}",
                Source.MEDICINES,
                pid,
                f"Last medicines review {_d(last)}",
                due,
                self._worker(pid),
            )

    def calls(self) -> Iterator[Raw]:
        rows = self.s.execute(
            select(
                ConversationFollowUp.id,
                Conversation.patient_id,
                ConversationFollowUp.what,
                ConversationFollowUp.due_on,
                ConversationFollowUp.by_staff_id,
                ConversationFollowUp.by_whom,
                Conversation.recorded_by_id,
            )
            .join(Conversation, Conversation.id == ConversationFollowUp.conversation_id)
            .where(ConversationFollowUp.done_on.is_(None), self._in_scope(Conversation.patient_id))
        )
        for fid, pid, what, due, staff, by_whom, recorder in rows:
            other = f" (with {by_whom})" if by_whom and not staff else ""
            yield Raw(
                f"call:{fid}:{due}", Source.CALL, pid, f"{what}{other}", due, staff or recorder
            )

    def assessments(self) -> Iterator[Raw]:
        last = dict(
            self.s.execute(
                select(Assessment.patient_id, func.max(Assessment.assessed_on))
                .where(Assessment.status == "complete", self._in_scope(Assessment.patient_id))
                .group_by(Assessment.patient_id)
            ).all()
        )
        discharged = dict(
            self.s.execute(
                select(HospitalEvent.patient_id, func.max(HospitalEvent.occurred_on))
                .where(HospitalEvent.kind == "discharge", self._in_scope(HospitalEvent.patient_id))
                .group_by(HospitalEvent.patient_id)
            ).all()
        )
        for pid, (worker, start) in self.key_workers.items():
            previous = last.get(pid)
            if previous is None:
                due = start + timedelta(days=NEW_ASSESSMENT_DAYS)
                why = f"No assessment since joining the caseload on {_d(start)}"
            else:
                due = add_months(previous, self.reassess_months)
                why = f"Last assessed {_d(previous)}"
                out = discharged.get(pid)
                if out is not None and out > previous:
                    sooner = out + timedelta(days=AFTER_DISCHARGE_ASSESS_DAYS)
                    if sooner < due:
                        due, why = sooner, f"Discharged from hospital {_d(out)}; {why.lower()}"
            yield Raw(f"assessment:{pid}:{due}", Source.ASSESSMENT, pid, why, due, worker)

    def consent(self) -> Iterator[Raw]:
        # Asked: the person's newest consent record is an answer (given or declined); none,
        # or "not asked", leaves the question open.
        newer = aliased(ConsentRecord)
        asked = exists().where(
            ConsentRecord.patient_id == CaseloadAssignment.patient_id,
            ConsentRecord.status != ConsentStatus.NOT_ASKED.value,
            ~exists().where(
                newer.patient_id == ConsentRecord.patient_id, newer.id > ConsentRecord.id
            ),
        )
        missing = set(
            self.s.scalars(
                select(CaseloadAssignment.patient_id).where(
                    CaseloadAssignment.end_date.is_(None),
                    self._in_scope(CaseloadAssignment.patient_id),
                    ~asked,
                )
            )
        )
        for pid, (worker, start) in self.key_workers.items():
            if pid in missing:
                yield Raw(
                    f"consent:{pid}:{start}",
                    Source.CONSENT,
                    pid,
                    "Consent to share with the team has not been asked",
                    start,
                    worker,
                )

    def no_plan(self) -> Iterator[Raw]:
        agreed = {
            pid
            for (pid,) in self.s.execute(
                select(CarePlan.patient_id)
                .where(CarePlan.status == "agreed", self._in_scope(CarePlan.patient_id))
                .distinct()
            )
        }
        for pid, (worker, start) in self.key_workers.items():
            if pid in agreed or self.levels.get(pid, 1) < PLAN_FROM_LEVEL:
                continue
            due = start + timedelta(days=self.no_plan_days)
            yield Raw(
                f"no_plan:{pid}:{due}",
                Source.NO_PLAN,
                pid,
                f"On the caseload since {_d(start)} with no agreed plan",
                due,
                worker,
            )

    def hospital(self) -> Iterator[Raw]:
        rows = self.s.execute(
            select(
                HospitalEvent.id,
                HospitalEvent.patient_id,
                HospitalEvent.kind,
                HospitalEvent.occurred_on,
                HospitalEvent.hospital,
                HospitalEvent.expected_discharge,
            )
            .where(
                HospitalEvent.kind.in_(("admission", "discharge")),
                self._in_scope(HospitalEvent.patient_id),
            )
            .order_by(HospitalEvent.patient_id, HospitalEvent.occurred_on, HospitalEvent.id)
        )
        latest: dict[int, tuple[int, str, date, str, date | None]] = {}
        for eid, pid, kind, on, hospital, expected in rows:
            latest[pid] = (eid, kind, on, hospital, expected)  # ordered: the last one wins
        for pid, (eid, kind, on, hospital, expected) in latest.items():
            if pid not in self.key_workers:
                continue
            worker = self._worker(pid)
            if kind == "admission":
                home = f"; expected home {_d(expected)}" if expected else ""
                yield Raw(
                    f"admission:{eid}:{on}",
                    Source.ADMISSION,
                    pid,
                    f"Admitted to {hospital} on {_d(on)}{home}",
                    on,
                    worker,
                    urgent=True,
                )
            elif (self.today - on).days <= DISCHARGE_WINDOW_DAYS:
                due = add_working_days(on, DISCHARGE_FOLLOW_UP_WORKING_DAYS)
                yield Raw(
                    f"discharge:{eid}:{due}",
                    Source.DISCHARGE,
                    pid,
                    f"Discharged from {hospital} on {_d(on)}",
                    due,
                    worker,
                )
