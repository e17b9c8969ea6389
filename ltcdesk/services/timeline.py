"""What has happened to one person, newest first, in one list (issue 8): hospital events,
conversations, completed assessments, care plans agreed and closed, caseload changes,
whiteboard meeting discussions and meeting actions agreed and done.

Each entry says when, what kind of thing it was, one line about it and who, and names the
record tab that shows the detail. One query per kind of thing (and one for staff names),
whatever the length of the record.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date

from sqlalchemy import case, func, select
from sqlalchemy.orm import Session

from ltcdesk.domain.permissions import Action
from ltcdesk.domain.vocab import LEVEL_LABELS, AssignmentChange
from ltcdesk.models import (
    Assessment,
    AssessmentDomain,
    CarePlan,
    CaseloadAssignment,
    Conversation,
    ConversationTopic,
    ConversationTopicNote,
    HospitalEvent,
    Meeting,
    MeetingAction,
    MeetingItem,
    StaffMember,
)
from ltcdesk.services.base import ServiceBase
from ltcdesk.services.meeting_views import DECISIONS

# The kinds, in words.
ADMISSION = "Hospital admission"
DISCHARGE = "Hospital discharge"
AE = "A&E attendance"
CONVERSATION = "Conversation"
ASSESSMENT = "Assessment completed"
PLAN_AGREED = "Care plan agreed"
PLAN_CLOSED = "Care plan closed"
DISCUSSED = "Discussed at a whiteboard meeting"
ACTION_AGREED = "Meeting action agreed"
ACTION_DONE = "Meeting action done"
ACTION_CANCELLED = "Meeting action cancelled"
HOSPITAL_KINDS = {"admission": ADMISSION, "discharge": DISCHARGE, "ae": AE}
MEETING_KINDS = frozenset({DISCUSSED, ACTION_AGREED, ACTION_DONE, ACTION_CANCELLED})

MODE_WORDS = {
    "visit": "Visit",
    "phone": "Phone call",
    "video": "Video call",
    "group": "Group session",
}
ASSESSMENT_MODES = {"face_to_face": "Face to face", "telephone": "Telephone"}
# A step up, step down or transfer ends one assignment and starts the next on the same day:
# the start says it; only an end that starts nothing new is an entry of its own.
_HANDOVERS = frozenset(
    {AssignmentChange.STEP_UP, AssignmentChange.STEP_DOWN, AssignmentChange.TRANSFER}
)
SUMMARY_MAX = 200
Names = dict[int | None, str]  # staff id to display name (None when nobody is named)

# Within one day, the order things happen in (newest first puts the larger number on top):
# someone joins the caseload, is admitted, is talked to, assessed, planned for, discussed,
# is given actions, goes home, and leaves the caseload last.
_SEQ = {
    "caseload_start": 0,
    "admission": 1,
    "ae": 2,
    "conversation": 3,
    "assessment": 4,
    "plan_agreed": 5,
    "discussed": 6,
    "action_agreed": 7,
    "action_done": 8,
    "discharge": 9,
    "plan_closed": 10,
    "caseload_end": 11,
}


@dataclass(frozen=True)
class TimelineEntry:
    on: date
    kind: str  # in words: "Hospital admission", "Stepped up" …
    summary: str  # one line
    by: str | None  # who did or recorded it, when known
    tab: (
        str  # the record tab with the detail: events, conversations, assessment, care_plan, history
    )


def one_line(text: str | None, limit: int = SUMMARY_MAX) -> str:
    """Whitespace (new lines too) folded to single spaces, cut with an ellipsis."""
    words = " ".join((text or "").split())
    return words if len(words) <= limit else words[: limit - 1].rstrip() + "…"


def _join(*parts: str | None, sep: str = ": ") -> str:
    return sep.join(p for p in parts if p)


def _level(level: int) -> str:
    return LEVEL_LABELS.get(level, f"Level {level}")


class TimelineService(ServiceBase):
    def for_patient(self, nhs: str, *, limit: int | None = None) -> list[TimelineEntry]:
        """Everything that has happened to the person, newest first (``limit`` entries)."""
        with self._sessions.begin() as s:
            actor = self._actor(s, Action.VIEW_PATIENT)
            patient = self._patient(s, nhs, actor)
            pid = patient.id
            names: Names = dict(s.execute(select(StaffMember.id, StaffMember.display_name)).all())
            rows: list[tuple[date, int, int, TimelineEntry]] = []
            for part in (
                self._hospital(s, pid, names),
                self._conversations(s, pid, names),
                self._assessments(s, pid, names),
                self._plans(s, pid, names),
                self._caseload(s, pid, names),
                self._discussions(s, pid, names),
                self._actions(s, pid, names),
            ):
                rows.extend(part)
            rows.sort(key=lambda r: r[:3], reverse=True)
            entries = [r[3] for r in rows]
            if limit is not None:
                entries = entries[: max(limit, 0)]
            self._audit(
                s,
                actor,
                "timeline.view",
                "patient",
                entity_id=pid,
                patient_id=pid,
                summary=f"Viewed the timeline ({len(entries)} of {len(rows)} entries)",
            )
            return entries

    # ------------------------------------------------------------------ one query each

    @staticmethod
    def _hospital(
        s: Session, pid: int, names: Names
    ) -> Iterable[tuple[date, int, int, TimelineEntry]]:
        query = select(
            HospitalEvent.id,
            HospitalEvent.kind,
            HospitalEvent.occurred_on,
            HospitalEvent.hospital,
            HospitalEvent.reason,
            HospitalEvent.expected_discharge,
            HospitalEvent.recorded_by_id,
        ).where(HospitalEvent.patient_id == pid)
        for ident, kind, on, hospital, reason, expected, by in s.execute(query):
            expecting = f"expected discharge {expected:%d/%m/%Y}" if expected else None
            summary = _join(hospital, _join(one_line(reason), expecting, sep="; "))
            entry = TimelineEntry(
                on, HOSPITAL_KINDS.get(kind, kind), one_line(summary), names.get(by), "events"
            )
            yield on, _SEQ.get(kind, 1), ident, entry

    @staticmethod
    def _conversations(
        s: Session, pid: int, names: Names
    ) -> Iterable[tuple[date, int, int, TimelineEntry]]:
        topics: dict[int, list[str]] = {}
        query_topics = (
            select(ConversationTopicNote.conversation_id, ConversationTopic.label)
            .join(Conversation, Conversation.id == ConversationTopicNote.conversation_id)
            .join(ConversationTopic, ConversationTopic.code == ConversationTopicNote.topic_code)
            .where(Conversation.patient_id == pid)
            .order_by(ConversationTopicNote.id)
        )
        for conv_id, label in s.execute(query_topics):
            topics.setdefault(conv_id, []).append(label)
        query = select(
            Conversation.id,
            Conversation.held_on,
            Conversation.mode,
            Conversation.with_patient,
            Conversation.with_carer,
            Conversation.flag_to_team,
            Conversation.flag_reason,
            Conversation.recorded_by_id,
        ).where(Conversation.patient_id == pid)
        for ident, on, mode, person, carer, flagged, why, by in s.execute(query):
            with_whom = (
                "the person and their carer"
                if person and carer
                else "their carer"
                if carer
                else "the person"
            )
            head = f"{MODE_WORDS.get(mode, mode.capitalize())} with {with_whom}"
            about = ", ".join(topics.get(ident, ()))
            flag = f"flagged to the team: {one_line(why) or 'no reason given'}" if flagged else None
            summary = _join(_join(head, about), flag, sep="; ")
            entry = TimelineEntry(
                on, CONVERSATION, one_line(summary), names.get(by), "conversations"
            )
            yield on, _SEQ["conversation"], ident, entry

    @staticmethod
    def _assessments(
        s: Session, pid: int, names: Names
    ) -> Iterable[tuple[date, int, int, TimelineEntry]]:
        needs = func.coalesce(func.sum(case((AssessmentDomain.need_identified, 1), else_=0)), 0)
        query = (
            select(
                Assessment.id,
                Assessment.assessed_on,
                Assessment.mode,
                Assessment.assessor_id,
                needs,
            )
            .outerjoin(AssessmentDomain, AssessmentDomain.assessment_id == Assessment.id)
            .where(Assessment.patient_id == pid, Assessment.status == "complete")
            .group_by(
                Assessment.id, Assessment.assessed_on, Assessment.mode, Assessment.assessor_id
            )
        )
        for ident, on, mode, by, count in s.execute(query):
            found = f"{count} need{'s' if count != 1 else ''} identified" if count else "no needs"
            summary = f"{ASSESSMENT_MODES.get(mode, mode)} assessment: {found}"
            yield (
                on,
                _SEQ["assessment"],
                ident,
                TimelineEntry(on, ASSESSMENT, summary, names.get(by), "assessment"),
            )

    @staticmethod
    def _plans(
        s: Session, pid: int, names: Names
    ) -> Iterable[tuple[date, int, int, TimelineEntry]]:
        query = (
            select(
                CarePlan.id,
                CarePlan.version,
                CarePlan.agreed_on,
                CarePlan.agreed_by_id,
                CarePlan.agreed_with,
                CarePlan.review_date,
                CarePlan.closed_on,
                CarePlan.closed_reason,
                CarePlan.updated_by_id,
            )
            .where(CarePlan.patient_id == pid)
            .order_by(CarePlan.version.desc())
        )
        closed_days: set[date] = set()
        for ident, version, agreed, agreed_by, with_whom, review, closed, why, by in s.execute(
            query
        ):
            if agreed is not None:
                review_text = f"review by {review:%d/%m/%Y}" if review else None
                summary = _join(f"Version {version} agreed with {with_whom}", review_text, sep="; ")
                yield (
                    agreed,
                    _SEQ["plan_agreed"],
                    ident,
                    TimelineEntry(
                        agreed, PLAN_AGREED, one_line(summary), names.get(agreed_by), "care_plan"
                    ),
                )
            # Closing ends the draft and the agreed version together: one entry, the newest.
            if closed is not None and closed not in closed_days:
                closed_days.add(closed)
                summary = _join(f"Version {version} closed", one_line(why))
                yield (
                    closed,
                    _SEQ["plan_closed"],
                    ident,
                    TimelineEntry(
                        closed, PLAN_CLOSED, one_line(summary), names.get(by), "care_plan"
                    ),
                )

    @staticmethod
    def _caseload(
        s: Session, pid: int, names: Names
    ) -> Iterable[tuple[date, int, int, TimelineEntry]]:
        query = select(
            CaseloadAssignment.id,
            CaseloadAssignment.key_worker_id,
            CaseloadAssignment.level,
            CaseloadAssignment.start_date,
            CaseloadAssignment.start_change,
            CaseloadAssignment.start_reason,
            CaseloadAssignment.end_date,
            CaseloadAssignment.end_change,
            CaseloadAssignment.end_reason,
            CaseloadAssignment.created_by_id,
        ).where(CaseloadAssignment.patient_id == pid)
        for row in s.execute(query):
            ident, worker_id, level, start, change, why, end, end_change, end_why, by = row
            worker = names.get(worker_id, "unknown")
            begun = AssignmentChange(change)
            if begun is AssignmentChange.TRANSFER:
                what = f"To {worker}'s caseload ({_level(level)})"
            elif begun in _HANDOVERS:
                what = f"To {_level(level)}, key worker {worker}"
            else:
                what = f"{_level(level)}, key worker {worker}"
            yield (
                start,
                _SEQ["caseload_start"],
                ident,
                TimelineEntry(
                    start,
                    begun.label,
                    one_line(_join(what, one_line(why))),
                    names.get(by),
                    "history",
                ),
            )
            if end is None or end_change is None or AssignmentChange(end_change) in _HANDOVERS:
                continue
            ended = AssignmentChange(end_change)
            summary = _join(f"Left {worker}'s caseload ({_level(level)})", one_line(end_why))
            yield (
                end,
                _SEQ["caseload_end"],
                ident,
                TimelineEntry(end, ended.label, one_line(summary), None, "history"),
            )

    @staticmethod
    def _discussions(
        s: Session, pid: int, names: Names
    ) -> Iterable[tuple[date, int, int, TimelineEntry]]:
        query = (
            select(
                MeetingItem.id,
                Meeting.held_on,
                Meeting.chair_id,
                MeetingItem.decisions,
                MeetingItem.outcome,
            )
            .join(Meeting, Meeting.id == MeetingItem.meeting_id)
            .where(
                MeetingItem.patient_id == pid,
                MeetingItem.removed.is_(False),
                MeetingItem.discussed_at.is_not(None),
                Meeting.status == "closed",
            )
        )
        for ident, on, chair, decisions, outcome in s.execute(query):
            chosen = [DECISIONS.get(d, d) for d in (decisions or "").split(",") if d]
            summary = _join("; ".join(chosen), one_line(outcome), sep=" — ") or "Discussed"
            yield (
                on,
                _SEQ["discussed"],
                ident,
                TimelineEntry(on, DISCUSSED, one_line(summary), names.get(chair), "events"),
            )

    @staticmethod
    def _actions(
        s: Session, pid: int, names: Names
    ) -> Iterable[tuple[date, int, int, TimelineEntry]]:
        query = (
            select(
                MeetingAction.id,
                Meeting.held_on,
                MeetingAction.what,
                MeetingAction.owner_id,
                MeetingAction.due_on,
                MeetingAction.status,
                MeetingAction.done_on,
                MeetingAction.done_by_id,
                MeetingAction.note,
                MeetingAction.created_by_id,
            )
            .join(Meeting, Meeting.id == MeetingAction.meeting_id)
            .where(MeetingAction.patient_id == pid)
        )
        for ident, held, what, owner, due, status, done_on, done_by, note, by in s.execute(query):
            agreed = f"{one_line(what)} — {names.get(owner, 'unknown')}, due {due:%d/%m/%Y}"
            yield (
                held,
                _SEQ["action_agreed"],
                ident,
                TimelineEntry(held, ACTION_AGREED, one_line(agreed), names.get(by), "events"),
            )
            if status in ("done", "cancelled") and done_on is not None:
                kind = ACTION_DONE if status == "done" else ACTION_CANCELLED
                summary = _join(one_line(what), one_line(note), sep=" — ")
                yield (
                    done_on,
                    _SEQ["action_done"],
                    ident,
                    TimelineEntry(done_on, kind, one_line(summary), names.get(done_by), "events"),
                )
