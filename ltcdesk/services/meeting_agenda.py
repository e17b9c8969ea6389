"""The agenda builder: who the team should discuss at a whiteboard meeting, and why.

Each source is one set-based query over the team's patients (those on the caseload of a
key worker in the meeting's team; flags and requests also count when the navigator or
requester is in the team):

- **new**: accepted onto a caseload since the team's previous meeting (or in the last
  14 days when there was none);
- **review**: agreed care plans whose review date is past or within the next 7 days;
- **flag**: care navigator conversations flagged to the team and not yet handled;
- **hospital**: admissions, discharges and A&E attendances since the previous meeting;
- **step**: step up / step down requests waiting for a meeting, and steps made since the
  previous meeting;
- **action**: actions from the team's earlier meetings that are still open;
- **manual**: discussion requests waiting for a meeting (items added by hand at the meeting
  itself are added straight to the agenda).

A patient found by several sources appears once, in the first section that found them,
with every reason. Within a section the oldest matter comes first.
"""

from __future__ import annotations

from collections import defaultdict
from datetime import date, timedelta

from sqlalchemy import Select, or_, select
from sqlalchemy.orm import Session, aliased

from ltcdesk.domain.vocab import AssignmentChange
from ltcdesk.models import (
    CarePlan,
    CaseloadAssignment,
    Conversation,
    HospitalEvent,
    Meeting,
    MeetingAction,
    MeetingRequest,
    NavigatorAssignment,
    Patient,
    StaffMember,
)
from ltcdesk.services.meeting_views import SECTION_ORDER, Proposal, Section

NO_MEETING_WINDOW = timedelta(days=14)
REVIEW_AHEAD = timedelta(days=7)
STEP_KINDS = {"step_up": "Step up", "step_down": "Step down"}
HOSPITAL_WORDS = {"admission": "Admitted to", "discharge": "Discharged from", "ae": "A&E at"}


def _d(value: date) -> str:
    return f"{value:%d/%m/%Y}"


def previous_meeting(s: Session, meeting: Meeting) -> Meeting | None:
    return s.scalars(
        select(Meeting)
        .where(
            Meeting.team_id.is_(None)
            if meeting.team_id is None
            else Meeting.team_id == meeting.team_id,
            Meeting.id != meeting.id,
            or_(
                Meeting.held_on < meeting.held_on,
                (Meeting.held_on == meeting.held_on) & (Meeting.id < meeting.id),
            ),
        )
        .order_by(Meeting.held_on.desc(), Meeting.id.desc())
        .limit(1)
    ).first()


class AgendaBuilder:
    def __init__(self, s: Session, meeting: Meeting) -> None:
        self.s = s
        self.meeting = meeting
        self.on = meeting.held_on
        previous = previous_meeting(s, meeting)
        self.since = previous.held_on if previous is not None else self.on - NO_MEETING_WINDOW
        self.found: dict[int, list[tuple[Section, str, str, tuple[object, ...]]]] = defaultdict(
            list
        )

    # ------------------------------------------------------------------ scope

    def _in_team(self, staff_id_column: object) -> object:
        """A condition on a staff id column: that member of staff is in the meeting's team."""
        if self.meeting.team_id is None:
            return True
        in_team = select(StaffMember.id).where(StaffMember.team_id == self.meeting.team_id)
        return staff_id_column.in_(in_team)  # type: ignore[attr-defined]

    def _team_patients(self) -> Select[int]:
        return select(CaseloadAssignment.patient_id).where(
            CaseloadAssignment.end_date.is_(None),
            self._in_team(CaseloadAssignment.key_worker_id),  # type: ignore[arg-type]
        )

    def _navigated(self) -> Select[int]:
        return select(NavigatorAssignment.patient_id).where(
            NavigatorAssignment.end_date.is_(None),
            self._in_team(NavigatorAssignment.navigator_id),  # type: ignore[arg-type]
        )

    def _add(self, pid: int, section: Section, reason: str, source: str, key: object) -> None:
        self.found[pid].append((section, reason, source, (key,)))

    # ------------------------------------------------------------------ sources

    def new_to_caseload(self) -> None:
        kw = aliased(StaffMember)
        rows = self.s.execute(
            select(
                CaseloadAssignment.patient_id,
                CaseloadAssignment.start_date,
                CaseloadAssignment.level,
                kw.display_name,
            )
            .join(kw, kw.id == CaseloadAssignment.key_worker_id)
            .where(
                CaseloadAssignment.start_change == AssignmentChange.ACCEPTED.value,
                CaseloadAssignment.start_date >= self.since,
                CaseloadAssignment.start_date <= self.on,
                CaseloadAssignment.end_date.is_(None),
                self._in_team(CaseloadAssignment.key_worker_id),  # type: ignore[arg-type]
            )
        )
        for pid, started, level, worker in rows:
            reason = f"New to {worker}'s caseload (level {level}) on {_d(started)}"
            self._add(pid, Section.NEW, reason, "", started)

    def reviews_due(self) -> None:
        rows = self.s.execute(
            select(CarePlan.patient_id, CarePlan.review_date).where(
                CarePlan.status == "agreed",
                CarePlan.review_date.is_not(None),
                CarePlan.review_date <= self.on + REVIEW_AHEAD,
                CarePlan.patient_id.in_(self._team_patients()),
            )
        )
        for pid, due in rows:
            if due is None:
                continue
            if due < self.on:
                reason = f"Care plan review overdue (was due {_d(due)})"
            else:
                reason = f"Care plan review due {_d(due)}"
            self._add(pid, Section.REVIEW, reason, "", due)

    def flags(self) -> None:
        rows = self.s.execute(
            select(
                Conversation.id,
                Conversation.patient_id,
                Conversation.held_on,
                Conversation.flag_reason,
                StaffMember.display_name,
            )
            .join(StaffMember, StaffMember.id == Conversation.recorded_by_id)
            .where(
                Conversation.flag_to_team.is_(True),
                Conversation.flag_handled_at.is_(None),
                Conversation.held_on <= self.on,
                or_(
                    Conversation.patient_id.in_(self._team_patients()),
                    Conversation.patient_id.in_(self._navigated()),
                    self._in_team(Conversation.recorded_by_id),  # type: ignore[arg-type]
                ),
            )
        )
        for cid, pid, held, why, by in rows:
            reason = f"Flagged by {by} on {_d(held)}: {why or 'no reason given'}"
            self._add(pid, Section.FLAG, reason, f"flag:{cid}", held)

    def hospital(self) -> None:
        """Admissions, discharges and A&E attendances since the previous meeting."""
        rows = self.s.execute(
            select(
                HospitalEvent.patient_id,
                HospitalEvent.kind,
                HospitalEvent.occurred_on,
                HospitalEvent.hospital,
                HospitalEvent.reason,
            ).where(
                HospitalEvent.occurred_on >= self.since,
                HospitalEvent.occurred_on <= self.on,
                HospitalEvent.patient_id.in_(self._team_patients()),
            )
        )
        for pid, kind, on, where, why in rows:
            what = HOSPITAL_WORDS[kind]
            reason = f"{what} {where} on {_d(on)}" + (f": {why}" if why else "")
            self._add(pid, Section.HOSPITAL, reason, "", on)

    def steps(self) -> None:
        by = aliased(StaffMember)
        requests = self.s.execute(
            select(
                MeetingRequest.id,
                MeetingRequest.patient_id,
                MeetingRequest.kind,
                MeetingRequest.reason,
                MeetingRequest.requested_on,
                by.display_name,
            )
            .join(by, by.id == MeetingRequest.requested_by_id)
            .where(
                MeetingRequest.handled_meeting_id.is_(None),
                MeetingRequest.requested_on <= self.on,
                or_(
                    MeetingRequest.patient_id.in_(self._team_patients()),
                    self._in_team(MeetingRequest.requested_by_id),  # type: ignore[arg-type]
                ),
            )
        )
        for rid, pid, kind, why, on, who in requests:
            if kind in STEP_KINDS:
                reason = f"{STEP_KINDS[kind]} requested by {who} on {_d(on)}: {why}"
                self._add(pid, Section.STEP, reason, f"request:{rid}", on)
            else:
                reason = f"Discussion requested by {who} on {_d(on)}: {why}"
                self._add(pid, Section.MANUAL, reason, f"request:{rid}", on)
        kw = aliased(StaffMember)
        stepped = self.s.execute(
            select(
                CaseloadAssignment.patient_id,
                CaseloadAssignment.start_change,
                CaseloadAssignment.start_date,
                CaseloadAssignment.level,
                kw.display_name,
            )
            .join(kw, kw.id == CaseloadAssignment.key_worker_id)
            .where(
                CaseloadAssignment.start_change.in_(
                    (AssignmentChange.STEP_UP.value, AssignmentChange.STEP_DOWN.value)
                ),
                CaseloadAssignment.start_date >= self.since,
                CaseloadAssignment.start_date <= self.on,
                CaseloadAssignment.end_date.is_(None),
                self._in_team(CaseloadAssignment.key_worker_id),  # type: ignore[arg-type]
            )
        )
        for pid, change, on, level, worker in stepped:
            verb = "Stepped up" if change == AssignmentChange.STEP_UP.value else "Stepped down"
            reason = f"{verb} to level {level} ({worker}) on {_d(on)}"
            self._add(pid, Section.STEP, reason, "", on)

    def open_actions(self) -> None:
        owner = aliased(StaffMember)
        earlier = aliased(Meeting)
        rows = self.s.execute(
            select(
                MeetingAction.id,
                MeetingAction.patient_id,
                MeetingAction.what,
                MeetingAction.due_on,
                owner.display_name,
                earlier.held_on,
            )
            .join(owner, owner.id == MeetingAction.owner_id)
            .join(earlier, earlier.id == MeetingAction.meeting_id)
            .where(
                MeetingAction.status == "open",
                MeetingAction.meeting_id != self.meeting.id,
                earlier.held_on <= self.on,
                earlier.team_id.is_(None)
                if self.meeting.team_id is None
                else earlier.team_id == self.meeting.team_id,
            )
        )
        for aid, pid, what, due, who, held in rows:
            late = " — overdue" if due < self.on else ""
            reason = f"Open action from {_d(held)}: {what} ({who}, due {_d(due)}{late})"
            self._add(pid, Section.ACTION, reason, f"action:{aid}", due)

    # ------------------------------------------------------------------ result

    def proposals(self) -> list[Proposal]:
        self.new_to_caseload()
        self.reviews_due()
        self.flags()
        self.hospital()
        self.steps()
        self.open_actions()
        if not self.found:
            return []
        names = dict(
            self.s.execute(
                select(Patient.id, Patient.family_name + " " + Patient.given_name).where(
                    Patient.id.in_(list(self.found)), Patient.date_of_death.is_(None)
                )
            ).all()
        )
        result = []
        for pid, found in self.found.items():
            if pid not in names:
                continue  # died since: not for discussion
            found.sort(key=lambda f: (SECTION_ORDER[f[0]], f[3]))
            section = found[0][0]
            result.append(
                Proposal(
                    pid,
                    section,
                    tuple(f[1] for f in found),
                    tuple(f[2] for f in found if f[2]),
                    (SECTION_ORDER[section], *found[0][3], names[pid].casefold()),
                )
            )
        result.sort(key=lambda p: p.sort_key)
        return result
