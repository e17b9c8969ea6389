"""Care navigator conversations and navigators' own lists (issue 6, points 3 and 4).

``record`` stores a conversation (topics with notes, what matters, signposting, follow-ups,
an optional flag to the team) in one transaction. If the person re-scored goals of their
care plan, ``ConversationInput.rescored`` holds ``(goal_id, importance, confidence,
comment)`` tuples applied through ``CarePlanService.record_follow_up`` in the SAME
transaction (the care plan service is handed this session, so its validation and audit
run unchanged and a refused score rolls back the whole conversation).

Permissions (reusing existing actions; permissions.py is owned elsewhere):
- recording a conversation needs EDIT_CARERS (care navigators, clinical roles, team lead:
  the "non-clinical fields" navigators may edit); re-scoring goals also needs
  EDIT_CARE_PLAN, checked before anything is written;
- assigning a patient to a navigator's list needs MANAGE_CASELOAD (team lead, clinical);
- editing the topic list needs MANAGE_SETTINGS (admin);
- reading (list_for, flags_open, my_list, topics) needs VIEW_PATIENT.
Every write and patient view is audited with ids and counts only, never the person's words.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any, cast

from sqlalchemy import func, select
from sqlalchemy.orm import Session, selectinload

import ltcdesk.models.conversation  # noqa: F401  (registers the tables on Base.metadata)
from ltcdesk.domain import validate
from ltcdesk.domain.errors import ConflictError, NotFoundError, ValidationError
from ltcdesk.domain.permissions import Action
from ltcdesk.domain.text import quote_input
from ltcdesk.domain.vocab import Role
from ltcdesk.models import Patient, PlanGoal, StaffMember, utcnow
from ltcdesk.models.conversation import (
    CONVERSATION_MODES,
    Conversation,
    ConversationFollowUp,
    ConversationSignpost,
    ConversationTopic,
    ConversationTopicNote,
    NavigatorAssignment,
)
from ltcdesk.services.base import ServiceBase, reach

DUE_A_CALL_DAYS = 28
WHAT_MATTERS_MAX = 4000
NOTE_MAX = 2000
REASON_MAX = 500
FOLLOW_UP_MAX = 500
SERVICE_MAX = 200
WHO_MAX = 200
CODE_MAX = 40
LABEL_MAX = 100


# ---------------------------------------------------------------------- input


@dataclass(frozen=True)
class TopicNote:
    code: str
    note: str | None = None


@dataclass(frozen=True)
class Signpost:
    service: str
    on: date | str | None = None  # defaults to the conversation's date


@dataclass(frozen=True)
class FollowUp:
    what: str
    due: date | str
    by_whom: str | None = None  # a staff username (linked) or free text ("her daughter")


@dataclass(frozen=True)
class ConversationInput:
    held_on: date | str
    mode: str  # visit | phone | video | group
    with_patient: bool = True
    with_carer: bool = False
    topics: tuple[TopicNote, ...] = ()
    what_matters: str | None = None
    signposting: tuple[Signpost, ...] = ()
    follow_ups: tuple[FollowUp, ...] = ()
    flag_to_team: bool = False
    flag_reason: str | None = None
    # (goal_id, importance 0-10, confidence 0-10, comment or None)
    rescored: tuple[tuple[int, int, int, str | None], ...] = ()


# ---------------------------------------------------------------------- views


@dataclass(frozen=True)
class TopicView:
    code: str
    label: str
    active: bool


@dataclass(frozen=True)
class FollowUpView:
    what: str
    due: date
    by_whom: str | None
    done_on: date | None


@dataclass(frozen=True)
class ConversationView:
    id: int
    held_on: date
    mode: str
    with_patient: bool
    with_carer: bool
    topics: tuple[TopicNote, ...]
    what_matters: str | None
    signposting: tuple[tuple[str, date], ...]
    follow_ups: tuple[FollowUpView, ...]
    flag_to_team: bool
    flag_reason: str | None
    flag_handled: bool
    recorded_by: str


@dataclass(frozen=True)
class FlagRow:
    conversation_id: int
    nhs_number: str
    patient_name: str
    held_on: date
    reason: str
    recorded_by: str


@dataclass(frozen=True)
class NavigatorRow:
    nhs_number: str
    patient_name: str
    last_contact: date | None
    next_follow_up: date | None
    due_a_call: bool


class _SameTransaction:
    """Stands in for a sessionmaker so another service works inside this transaction."""

    def __init__(self, s: Session) -> None:
        self._s = s

    @contextmanager
    def begin(self) -> Iterator[Session]:
        yield self._s


def _name(p: Patient) -> str:
    return f"{p.given_name} {p.family_name}"


class ConversationService(ServiceBase):
    # ------------------------------------------------------------------ topics

    def topics(self, *, include_inactive: bool = False) -> list[TopicView]:
        with self._sessions.begin() as s:
            self._actor(s, Action.VIEW_PATIENT)
            q = select(ConversationTopic).order_by(ConversationTopic.id)
            if not include_inactive:
                q = q.where(ConversationTopic.active.is_(True))
            return [TopicView(t.code, t.label, t.active) for t in s.scalars(q)]

    def add_topic(self, code: str, label: str) -> TopicView:
        with self._sessions.begin() as s:
            actor = self._actor(s, Action.MANAGE_SETTINGS)
            clean = validate.required_text(code, "code", max_len=CODE_MAX).lower()
            if not all(ch.isalnum() or ch == "_" for ch in clean):
                raise ValidationError("code", "use letters, digits and underscores only")
            text = validate.required_text(label, "label", max_len=LABEL_MAX)
            topic = s.scalar(select(ConversationTopic).where(ConversationTopic.code == clean))
            if topic is not None and topic.active:
                raise ConflictError(f"There is already a topic {quote_input(clean)}.")
            if topic is None:
                topic = ConversationTopic(code=clean, label=text, active=True)
                s.add(topic)
            else:  # re-activating a retired topic
                topic.label, topic.active = text, True
            s.flush()
            self._audit(
                s,
                actor,
                "topic.add",
                "conversation_topic",
                entity_id=topic.id,
                summary=f"Added conversation topic {clean}",
            )
            return TopicView(topic.code, topic.label, topic.active)

    def deactivate_topic(self, code: str) -> None:
        """Retire a topic: no longer offered; past notes keep their code."""
        with self._sessions.begin() as s:
            actor = self._actor(s, Action.MANAGE_SETTINGS)
            topic = s.scalar(
                select(ConversationTopic).where(ConversationTopic.code == code.strip().lower())
            )
            if topic is None:
                raise NotFoundError(f"No conversation topic '{validate.shown(code)}'.")
            topic.active = False
            self._audit(
                s,
                actor,
                "topic.deactivate",
                "conversation_topic",
                entity_id=topic.id,
                summary=f"Retired conversation topic {topic.code}",
            )

    # ------------------------------------------------------------------ recording

    def record(self, nhs: str, entry: ConversationInput) -> ConversationView:
        with self._sessions.begin() as s:
            actor = self._actor(s, Action.EDIT_CARERS)
            if entry.rescored:
                self._actor(s, Action.EDIT_CARE_PLAN)
            patient = self._patient(s, nhs, actor)
            today = self._today()
            held_on = validate.parse_date(entry.held_on, "date", required=True)
            assert held_on is not None
            validate.not_future(held_on, today, "date")
            mode = (entry.mode or "").strip().lower()
            if mode not in CONVERSATION_MODES:
                raise ValidationError("mode", f"must be one of {', '.join(CONVERSATION_MODES)}")
            if not (entry.with_patient or entry.with_carer):
                raise ValidationError("who took part", "the patient, a carer or both")
            what_matters = validate.text(
                entry.what_matters, "what matters to me", max_len=WHAT_MATTERS_MAX, multiline=True
            )
            active = set(
                s.scalars(select(ConversationTopic.code).where(ConversationTopic.active.is_(True)))
            )
            notes: list[ConversationTopicNote] = []
            seen: set[str] = set()
            for t in entry.topics:
                code = (t.code or "").strip().lower()
                if code not in active:
                    raise ValidationError("topic", f"'{validate.shown(t.code)}' is not on the list")
                if code in seen:
                    raise ValidationError("topic", f"{quote_input(code)} is listed twice")
                seen.add(code)
                note = validate.text(t.note, f"note on {code}", max_len=NOTE_MAX, multiline=True)
                notes.append(ConversationTopicNote(topic_code=code, note=note))
            if not notes and what_matters is None:
                raise ValidationError("topics", "choose at least one topic or write what matters")
            reason = validate.text(entry.flag_reason, "flag reason", max_len=REASON_MAX)
            if entry.flag_to_team and reason is None:
                raise ValidationError("flag reason", "is required to flag to the team")
            signposts = []
            for sp in entry.signposting:
                service = validate.required_text(sp.service, "signposted to", max_len=SERVICE_MAX)
                on = validate.parse_date(sp.on, "signposting date") or held_on
                validate.not_future(on, today, "signposting date")
                signposts.append(ConversationSignpost(service=service, given_on=on))
            follow_ups = []
            for fu in entry.follow_ups:
                what = validate.required_text(fu.what, "follow-up", max_len=FOLLOW_UP_MAX)
                due = validate.parse_date(fu.due, "follow-up due date", required=True)
                assert due is not None
                if due < today:
                    raise ValidationError("follow-up due date", f"{due:%d/%m/%Y} is in the past")
                who = validate.text(fu.by_whom, "follow-up by", max_len=WHO_MAX)
                staff = (
                    s.scalar(select(StaffMember).where(StaffMember.username == who.lower()))
                    if who
                    else None
                )
                follow_ups.append(
                    ConversationFollowUp(
                        what=what,
                        due_on=due,
                        by_whom=staff.display_name if staff else who,
                        by_staff_id=staff.id if staff else None,
                    )
                )
            conv = Conversation(
                patient_id=patient.id,
                held_on=held_on,
                mode=mode,
                with_patient=bool(entry.with_patient),
                with_carer=bool(entry.with_carer),
                what_matters=what_matters,
                flag_to_team=bool(entry.flag_to_team),
                flag_reason=reason if entry.flag_to_team else None,
                recorded_by_id=actor.id,
                created_at=utcnow(),
                topics=notes,
                signposting=signposts,
                follow_ups=follow_ups,
            )
            s.add(conv)
            s.flush()
            self._audit(
                s,
                actor,
                "conversation.record",
                "conversation",
                entity_id=conv.id,
                patient_id=patient.id,
                summary=(
                    f"Recorded {mode} conversation: {len(notes)} topics, "
                    f"{len(follow_ups)} follow-ups, {len(entry.rescored)} goals re-scored"
                    + (", flagged to team" if conv.flag_to_team else "")
                ),
            )
            if entry.rescored:
                from ltcdesk.services.careplans import CarePlanService

                plans = CarePlanService(
                    cast(Any, _SameTransaction(s)), self._username, today=self._today
                )
                for goal_id, importance, confidence, comment in entry.rescored:
                    goal = s.get(PlanGoal, goal_id)
                    status = goal.status if goal is not None else "active"
                    plans.record_follow_up(
                        nhs, goal_id, importance, confidence, status, comment, on=held_on
                    )
            return self._view(conv, actor.display_name)

    @staticmethod
    def _view(c: Conversation, recorded_by: str) -> ConversationView:
        return ConversationView(
            id=c.id,
            held_on=c.held_on,
            mode=c.mode,
            with_patient=c.with_patient,
            with_carer=c.with_carer,
            topics=tuple(TopicNote(t.topic_code, t.note) for t in c.topics),
            what_matters=c.what_matters,
            signposting=tuple((sp.service, sp.given_on) for sp in c.signposting),
            follow_ups=tuple(
                FollowUpView(f.what, f.due_on, f.by_whom, f.done_on) for f in c.follow_ups
            ),
            flag_to_team=c.flag_to_team,
            flag_reason=c.flag_reason,
            flag_handled=c.flag_handled_at is not None,
            recorded_by=recorded_by,
        )

    # ------------------------------------------------------------------ reading

    def list_for(self, nhs: str) -> list[ConversationView]:
        """The patient's conversations, newest first."""
        with self._sessions.begin() as s:
            actor = self._actor(s, Action.VIEW_PATIENT)
            patient = self._patient(s, nhs, actor)
            rows = list(
                s.scalars(
                    select(Conversation)
                    .where(Conversation.patient_id == patient.id)
                    .options(
                        selectinload(Conversation.topics),
                        selectinload(Conversation.signposting),
                        selectinload(Conversation.follow_ups),
                        selectinload(Conversation.recorded_by),
                    )
                    .order_by(Conversation.held_on.desc(), Conversation.id.desc())
                )
            )
            self._audit(
                s,
                actor,
                "conversation.view",
                "conversation",
                patient_id=patient.id,
                summary=f"Viewed conversations ({len(rows)})",
            )
            return [self._view(c, c.recorded_by.display_name) for c in rows]

    def flags_open(self) -> list[FlagRow]:
        """Flags to the team not yet handled by a meeting, oldest first (the agenda)."""
        with self._sessions.begin() as s:
            actor = self._actor(s, Action.VIEW_PATIENT)
            rows = s.execute(
                select(Conversation, Patient, StaffMember)
                .join(Patient, Conversation.patient_id == Patient.id)
                .join(StaffMember, Conversation.recorded_by_id == StaffMember.id)
                .where(Conversation.flag_to_team.is_(True), Conversation.flag_handled_at.is_(None))
                .where(reach(actor))  # need to know: the team's patients only
                .order_by(Conversation.held_on, Conversation.id)
            ).all()
            result = [
                FlagRow(
                    c.id, p.nhs_number, _name(p), c.held_on, c.flag_reason or "", st.display_name
                )
                for c, p, st in rows
            ]
            self._audit(
                s,
                actor,
                "conversation.flags",
                "conversation",
                summary=f"Viewed open flags to the team ({len(result)})",
            )
            return result

    # ------------------------------------------------------------------ navigators' lists

    def assign_navigator(self, nhs: str, navigator_username: str) -> None:
        """Put the patient on this navigator's list from today (ending any other)."""
        with self._sessions.begin() as s:
            actor = self._actor(s, Action.MANAGE_CASELOAD)
            patient = self._patient(s, nhs, actor, for_update=True)
            try:
                nav = self._staff(s, navigator_username, "navigator")
            except NotFoundError:
                raise ValidationError(
                    "navigator", f"no member of staff '{validate.shown(navigator_username)}'"
                ) from None
            if nav.role != Role.CARE_NAVIGATOR.value or not nav.active:
                raise ValidationError(
                    "navigator", f"{nav.display_name} is not an active care navigator"
                )
            today = self._today()
            current = s.scalar(
                select(NavigatorAssignment).where(
                    NavigatorAssignment.patient_id == patient.id,
                    NavigatorAssignment.end_date.is_(None),
                )
            )
            if current is not None:
                if current.navigator_id == nav.id:
                    raise ConflictError(f"This patient is already on {nav.display_name}'s list.")
                current.end_date = max(today, current.start_date)
                s.flush()
            row = NavigatorAssignment(
                patient_id=patient.id,
                navigator_id=nav.id,
                start_date=today,
                assigned_by_id=actor.id,
                created_at=utcnow(),
            )
            s.add(row)
            s.flush()
            self._audit(
                s,
                actor,
                "navigator.assign",
                "navigator_assignment",
                entity_id=row.id,
                patient_id=patient.id,
                summary=f"Assigned to care navigator {nav.username}",
            )

    def my_list(self, navigator_username: str | None = None) -> list[NavigatorRow]:
        """A navigator's patients, by name: last contacted, next follow-up, due a call
        (no conversation in 28 days, or a follow-up due or overdue)."""
        with self._sessions.begin() as s:
            actor = self._actor(s, Action.VIEW_PATIENT)
            nav = self._staff(s, navigator_username or actor.username, "navigator")
            today = self._today()
            last = (
                select(Conversation.patient_id, func.max(Conversation.held_on).label("last"))
                .group_by(Conversation.patient_id)
                .subquery()
            )
            nxt = (
                select(Conversation.patient_id, func.min(ConversationFollowUp.due_on).label("due"))
                .join(ConversationFollowUp, ConversationFollowUp.conversation_id == Conversation.id)
                .where(ConversationFollowUp.done_on.is_(None))
                .group_by(Conversation.patient_id)
                .subquery()
            )
            rows = s.execute(
                select(Patient, last.c.last, nxt.c.due)
                .join(NavigatorAssignment, NavigatorAssignment.patient_id == Patient.id)
                .outerjoin(last, last.c.patient_id == Patient.id)
                .outerjoin(nxt, nxt.c.patient_id == Patient.id)
                .where(
                    NavigatorAssignment.navigator_id == nav.id,
                    NavigatorAssignment.end_date.is_(None),
                    reach(actor),  # need to know: the acting user's team's patients only
                )
                .order_by(Patient.family_name, Patient.given_name, Patient.id)
            ).all()
            result = [
                NavigatorRow(
                    p.nhs_number,
                    _name(p),
                    lc,
                    due,
                    lc is None
                    or (today - lc) >= timedelta(days=DUE_A_CALL_DAYS)
                    or (due is not None and due <= today),
                )
                for p, lc, due in rows
            ]
            self._audit(
                s,
                actor,
                "navigator.list",
                "navigator_assignment",
                summary=f"Viewed care navigator list of {nav.username} ({len(result)})",
            )
            return result
