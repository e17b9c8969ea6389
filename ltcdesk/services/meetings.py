"""Whiteboard (MDT) meetings (issue 7): schedule, agenda, meeting mode, actions.

A meeting has a date, time, length, place (or "virtual"), its team and **one chair**,
attendees (invited, present, apologies) and a status: planned → in progress → closed.
``schedule`` creates a recurring series (e.g. Tuesdays and Fridays at 09:30).

The agenda: ``build_agenda`` adds what ``AgendaBuilder`` proposes (see meeting_agenda.py)
for patients not already on it (or removed by the chair, who decides), so it can be run
again as the week goes on. The chair (or a team lead) removes, restores, reorders, sets
minutes per item, adds a patient by hand with a reason, and locks the agenda; a locked
agenda no longer changes (unlock to change it). ``start`` opens meeting mode; each item
gets an outcome and decisions, and ``add_action`` records an action with an owner, a due
date and a patient. ``close`` marks the flags and requests the meeting discussed as
handled; open actions stay open and appear on every later agenda until done.

Permissions: reading needs VIEW_PATIENT; running meetings RUN_MEETINGS (clinical roles and
team lead), with agenda changes for the chair or a team lead only; requests to discuss
REQUEST_DISCUSSION (navigators too); an action is completed by its owner or anyone who
runs meetings. Every write is one audited transaction; summaries hold ids and counts only.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from datetime import date, time, timedelta

from sqlalchemy import ColumnElement, exists, func, or_, select
from sqlalchemy.orm import Session, selectinload
from sqlalchemy.orm.exc import StaleDataError

from ltcdesk.domain import validate
from ltcdesk.domain.errors import (
    ConflictError,
    NotFoundError,
    PermissionDeniedError,
    StaleRecordError,
    ValidationError,
)
from ltcdesk.domain.permissions import Action, allowed
from ltcdesk.domain.vocab import Role
from ltcdesk.models import (
    Conversation,
    Meeting,
    MeetingAction,
    MeetingAttendee,
    MeetingItem,
    MeetingRequest,
    MeetingSchedule,
    Team,
    utcnow,
)
from ltcdesk.services.base import Actor
from ltcdesk.services.meeting_actions import ACTION_MAX, REASON_MAX, MeetingActions
from ltcdesk.services.meeting_agenda import AgendaBuilder
from ltcdesk.services.meeting_read import action_view, meeting_view, patient_facts
from ltcdesk.services.meeting_views import (
    DECISIONS,
    ActionView,
    MeetingSummary,
    MeetingView,
    PatientFacts,
    Proposal,
    Section,
)

PLACE_MAX = 200
OUTCOME_MAX = 4000
ITEM_MINUTES_MAX = 120
MEETING_MINUTES_MAX = 8 * 60
DEFAULT_MINUTES = {Section.NEW: 10}
SCHEDULE_WEEKS_MAX = 26


def _parse_time(value: time | str | None, field: str) -> time:
    if isinstance(value, time):
        return value.replace(second=0, microsecond=0)
    raw = (value or "").strip()
    try:
        hours, minutes = raw.split(":")
        return time(int(hours), int(minutes))
    except ValueError:
        raise ValidationError(field, f"'{validate.shown(raw)}' is not a time (HH:MM)") from None


def _minutes(value: int, field: str, most: int) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or not 0 < value <= most:
        raise ValidationError(field, f"must be a whole number of minutes from 1 to {most}")
    return value


class MeetingService(MeetingActions):
    # ------------------------------------------------------------------ creating

    def create(
        self,
        held_on: date | str,
        starts_at: time | str,
        place: str,
        chair: str,
        *,
        minutes: int = 60,
        virtual: bool = False,
        team: str | None = None,
        attendees: Iterable[str] = (),
    ) -> MeetingView:
        """A planned meeting; ``team`` defaults to the chair's team. The chair and the
        named attendees are invited."""
        with self._sessions.begin() as s:
            actor = self._actor(s, Action.RUN_MEETINGS)
            meeting = self._new_meeting(
                s, actor, held_on, starts_at, place, chair, minutes, virtual, team
            )
            self._invite(s, meeting, attendees)
            s.flush()
            self._audit(
                s,
                actor,
                "meeting.create",
                "meeting",
                entity_id=meeting.id,
                summary=f"Created meeting {meeting.id} on {meeting.held_on}",
            )
            return meeting_view(s, meeting)

    def schedule(
        self,
        weekdays: Sequence[int],
        starts_at: time | str,
        place: str,
        chair: str,
        *,
        first_date: date | str | None = None,
        weeks: int = 8,
        minutes: int = 60,
        virtual: bool = False,
        team: str | None = None,
        attendees: Iterable[str] = (),
    ) -> list[MeetingView]:
        """A recurring meeting on ISO ``weekdays`` (1 Monday … 7 Sunday), from
        ``first_date`` (default today) for ``weeks`` weeks: every meeting is created."""
        days = sorted(set(weekdays))
        if not days or any(isinstance(d, bool) or d not in range(1, 8) for d in days):
            raise ValidationError("weekdays", "choose days of the week (1 Monday … 7 Sunday)")
        if isinstance(weeks, bool) or not isinstance(weeks, int) or not 1 <= weeks <= 26:
            raise ValidationError("weeks", f"must be from 1 to {SCHEDULE_WEEKS_MAX}")
        people = list(attendees)
        with self._sessions.begin() as s:
            actor = self._actor(s, Action.RUN_MEETINGS)
            start = validate.parse_date(first_date, "first date") or self._today()
            dates = [
                start + timedelta(days=offset)
                for offset in range(weeks * 7)
                if (start + timedelta(days=offset)).isoweekday() in days
            ]
            made: list[Meeting] = []
            for on in dates:
                meeting = self._new_meeting(
                    s, actor, on, starts_at, place, chair, minutes, virtual, team
                )
                self._invite(s, meeting, people)
                made.append(meeting)
            plan = MeetingSchedule(
                team_id=made[0].team_id,
                weekdays=",".join(str(d) for d in days),
                starts_at=made[0].starts_at,
                minutes=made[0].minutes,
                place=made[0].place,
                virtual=made[0].virtual,
                chair_id=made[0].chair_id,
                first_date=start,
                created_at=utcnow(),
                created_by_id=actor.id,
            )
            s.add(plan)
            s.flush()
            for meeting in made:
                meeting.schedule_id = plan.id
            s.flush()
            self._audit(
                s,
                actor,
                "meeting.schedule",
                "meeting_schedule",
                entity_id=plan.id,
                summary=f"Scheduled {len(made)} meetings",
            )
            return [meeting_view(s, m) for m in made]

    def set_attendance(self, meeting_id: int, username: str, attendance: str) -> MeetingView:
        if attendance not in ("invited", "present", "apologies"):
            raise ValidationError("attendance", "must be invited, present or apologies")
        with self._writing(meeting_id) as (s, actor, meeting):
            staff = self._staff(s, username, "attendee")
            row = next((a for a in meeting.attendees if a.staff_id == staff.id), None)
            if row is None:
                meeting.attendees.append(MeetingAttendee(staff_id=staff.id, attendance=attendance))
            else:
                row.attendance = attendance
            self._touch(
                s,
                actor,
                meeting,
                "meeting.attendance",
                f"Attendance of staff {staff.id}: {attendance}",
            )
            return meeting_view(s, meeting)

    # ------------------------------------------------------------------ reading

    def get(self, meeting_id: int, *, exported_as: str | None = None) -> MeetingView:
        """The meeting, its agenda and actions; of the acting user's team only. Audited
        with how many patients it names; ``exported_as`` says how it leaves the screen
        ("agenda as PDF to agenda.pdf")."""
        with self._sessions.begin() as s:
            actor = self._actor(s, Action.VIEW_PATIENT)
            meeting = self._load(s, meeting_id)
            self._own_team(actor, meeting)
            self._audit_meeting(s, actor, meeting, exported_as)
            return meeting_view(s, meeting)

    def _audit_meeting(
        self, s: Session, actor: Actor, meeting: Meeting, exported_as: str | None
    ) -> None:
        on_agenda = len({i.patient_id for i in meeting.items if not i.removed})
        how = f", exported {exported_as}" if exported_as else ""
        self._audit_bulk(
            s,
            actor,
            "meeting.export" if exported_as else "meeting.view",
            f"Viewed meeting {meeting.id}{how}",
            on_agenda,
            entity_id=meeting.id,
        )

    def list_meetings(
        self, *, start: date | None = None, end: date | None = None, status: str | None = None
    ) -> list[MeetingSummary]:
        """Meetings by date (newest last), optionally between two dates and of a status."""
        with self._sessions.begin() as s:
            actor = self._actor(s, Action.VIEW_PATIENT)
            q = (
                select(Meeting)
                .options(
                    selectinload(Meeting.chair),
                    selectinload(Meeting.team),
                    selectinload(Meeting.items),
                )
                .where(_of_team(actor))
            )
            if start is not None:
                q = q.where(Meeting.held_on >= start)
            if end is not None:
                q = q.where(Meeting.held_on <= end)
            if status is not None:
                q = q.where(Meeting.status == status)
            meetings = list(s.scalars(q.order_by(Meeting.held_on, Meeting.starts_at, Meeting.id)))
            counts = dict(
                s.execute(
                    select(MeetingAction.meeting_id, func.count())
                    .where(MeetingAction.status == "open")
                    .group_by(MeetingAction.meeting_id)
                ).all()
            )
            return [
                MeetingSummary(
                    m.id,
                    m.team.name if m.team else None,
                    m.held_on,
                    m.starts_at,
                    m.place,
                    m.virtual,
                    m.chair.display_name,
                    m.status,
                    m.agenda_locked_at is not None,
                    sum(1 for i in m.items if not i.removed),
                    counts.get(m.id, 0),
                )
                for m in meetings
            ]

    def next_meeting(self, *, exported_as: str | None = None) -> MeetingView | None:
        """The first meeting of the acting user's team from today that is not closed."""
        with self._sessions.begin() as s:
            actor = self._actor(s, Action.VIEW_PATIENT)
            q = (
                select(Meeting)
                .where(Meeting.held_on >= self._today(), Meeting.status != "closed")
                .where(_of_team(actor))
                .order_by(Meeting.held_on, Meeting.starts_at, Meeting.id)
            )
            meeting = s.scalars(q.limit(1)).first()
            if meeting is None:
                return None
            meeting = self._load(s, meeting.id)
            self._audit_meeting(s, actor, meeting, exported_as)
            return meeting_view(s, meeting)

    def patient_facts(self, nhs: str) -> PatientFacts:
        """Meeting mode's key facts about one person (the view is audited)."""
        with self._sessions.begin() as s:
            actor = self._actor(s, Action.VIEW_PATIENT)
            patient = self._patient(s, nhs, actor)
            facts = patient_facts(s, patient, self._today())
            self._audit(
                s,
                actor,
                "meeting.patient_view",
                "patient",
                patient_id=patient.id,
                summary="Viewed key facts in meeting mode",
            )
            return facts

    def propose(self, meeting_id: int) -> list[Proposal]:
        """What the agenda builder finds now (nothing is written)."""
        with self._sessions.begin() as s:
            actor = self._actor(s, Action.VIEW_PATIENT)
            meeting = self._load(s, meeting_id)
            self._own_team(actor, meeting)
            return AgendaBuilder(s, meeting).proposals()

    # ------------------------------------------------------------------ the agenda

    def build_agenda(self, meeting_id: int) -> MeetingView:
        """Add every proposal for a patient not yet on the agenda (removed items stay
        removed), after what is there, in section order."""
        with self._agenda(meeting_id) as (s, actor, meeting):
            present = {i.patient_id for i in meeting.items}
            position = max((i.position for i in meeting.items), default=0)
            added = 0
            for p in AgendaBuilder(s, meeting).proposals():
                if p.patient_id in present:
                    continue
                position += 1
                added += 1
                meeting.items.append(
                    MeetingItem(
                        patient_id=p.patient_id,
                        position=position,
                        section=p.section.value,
                        reasons="\n".join(p.reasons),
                        sources=" ".join(p.sources),
                        minutes=DEFAULT_MINUTES.get(p.section, 5),
                        removed=False,
                    )
                )
            self._touch(
                s, actor, meeting, "meeting.build_agenda", f"Agenda built: {added} items added"
            )
            return meeting_view(s, meeting)

    def add_item(self, meeting_id: int, nhs: str, reason: str, minutes: int = 5) -> MeetingView:
        text = validate.required_text(reason, "reason", max_len=REASON_MAX)
        _minutes(minutes, "minutes", ITEM_MINUTES_MAX)
        with self._agenda(meeting_id) as (s, actor, meeting):
            patient = self._patient(s, nhs, actor)
            item = next((i for i in meeting.items if i.patient_id == patient.id), None)
            if item is not None and not item.removed:
                raise ConflictError("This patient is already on the agenda.")
            position = max((i.position for i in meeting.items), default=0) + 1
            if item is None:
                item = MeetingItem(
                    patient_id=patient.id,
                    section=Section.MANUAL.value,
                    reasons=text,
                    sources="",
                    added_by_id=actor.id,
                )
                meeting.items.append(item)
            else:  # restoring a removed item, with the new reason
                item.reasons = f"{item.reasons}\n{text}" if item.reasons else text
            item.position, item.minutes, item.removed = position, minutes, False
            self._touch(
                s,
                actor,
                meeting,
                "meeting.add_item",
                "Added an item by hand",
                patient_id=patient.id,
            )
            return meeting_view(s, meeting)

    def remove_item(self, meeting_id: int, item_id: int, *, removed: bool = True) -> MeetingView:
        """Take an item off the agenda (``removed=False`` puts it back at the end)."""
        with self._agenda(meeting_id) as (s, actor, meeting):
            item = self._item(meeting, item_id)
            item.removed = removed
            if not removed:
                item.position = max(i.position for i in meeting.items) + 1
            self._touch(
                s,
                actor,
                meeting,
                "meeting.remove_item" if removed else "meeting.restore_item",
                f"Item {item.id}",
                patient_id=item.patient_id,
            )
            return meeting_view(s, meeting)

    def reorder(self, meeting_id: int, item_ids: Sequence[int]) -> MeetingView:
        """Put the agenda's items in this order (every item on the agenda, once)."""
        with self._agenda(meeting_id) as (s, actor, meeting):
            on = [i for i in meeting.items if not i.removed]
            if sorted(item_ids) != sorted(i.id for i in on):
                raise ValidationError("order", "list every item on the agenda exactly once")
            by_id = {i.id: i for i in on}
            for position, item_id in enumerate(item_ids, start=1):
                by_id[item_id].position = position
            offset = len(item_ids)
            for item in sorted((i for i in meeting.items if i.removed), key=lambda i: i.position):
                offset += 1
                item.position = offset
            self._touch(s, actor, meeting, "meeting.reorder", f"Reordered {len(on)} items")
            return meeting_view(s, meeting)

    def set_minutes(self, meeting_id: int, item_id: int, minutes: int) -> MeetingView:
        _minutes(minutes, "minutes", ITEM_MINUTES_MAX)
        with self._agenda(meeting_id) as (s, actor, meeting):
            item = self._item(meeting, item_id)
            item.minutes = minutes
            self._touch(s, actor, meeting, "meeting.set_minutes", f"Item {item.id}: {minutes} min")
            return meeting_view(s, meeting)

    def lock_agenda(self, meeting_id: int, *, locked: bool = True) -> MeetingView:
        with self._writing(meeting_id) as (s, actor, meeting):
            self._chair_or_lead(actor, meeting)
            if meeting.status == "closed":
                raise ConflictError("This meeting is closed.")
            if locked and not any(not i.removed for i in meeting.items):
                raise ConflictError("The agenda is empty: build it or add a patient first.")
            if not locked and meeting.status != "planned":
                raise ConflictError("The meeting has started: its agenda stays locked.")
            meeting.agenda_locked_at = utcnow() if locked else None
            meeting.agenda_locked_by_id = actor.id if locked else None
            self._touch(
                s,
                actor,
                meeting,
                "meeting.lock" if locked else "meeting.unlock",
                f"Agenda {'locked' if locked else 'unlocked'}",
            )
            return meeting_view(s, meeting)

    # ------------------------------------------------------------------ the meeting

    def start(self, meeting_id: int) -> MeetingView:
        with self._writing(meeting_id) as (s, actor, meeting):
            self._chair_or_lead(actor, meeting)
            if meeting.status != "planned":
                raise ConflictError(f"This meeting is already {meeting.status.replace('_', ' ')}.")
            if meeting.agenda_locked_at is None:
                raise ConflictError("Lock the agenda before the meeting starts.")
            meeting.status = "in_progress"
            for attendee in meeting.attendees:  # the chair is there to chair it
                if attendee.staff_id == meeting.chair_id and attendee.attendance == "invited":
                    attendee.attendance = "present"
            self._touch(s, actor, meeting, "meeting.start", "Meeting started")
            return meeting_view(s, meeting)

    def record_outcome(
        self, meeting_id: int, item_id: int, outcome: str | None, decisions: Iterable[str] = ()
    ) -> MeetingView:
        chosen = list(dict.fromkeys(decisions))
        unknown = [d for d in chosen if d not in DECISIONS]
        if unknown:
            raise ValidationError("decisions", f"unknown decision '{validate.shown(unknown[0])}'")
        text = validate.text(outcome, "outcome", max_len=OUTCOME_MAX, multiline=True)
        with self._writing(meeting_id) as (s, actor, meeting):
            if meeting.status != "in_progress":
                raise ConflictError("Outcomes are recorded during the meeting (start it first).")
            item = self._item(meeting, item_id)
            if item.removed:
                raise ConflictError("This item was taken off the agenda.")
            item.outcome = text
            item.decisions = ",".join(chosen) or None
            item.discussed_at = utcnow()
            self._touch(
                s,
                actor,
                meeting,
                "meeting.outcome",
                f"Item {item.id}: outcome with {len(chosen)} decisions",
                patient_id=item.patient_id,
            )
            return meeting_view(s, meeting)

    def add_action(
        self,
        meeting_id: int,
        nhs: str,
        what: str,
        owner: str,
        due_on: date | str,
    ) -> ActionView:
        text = validate.required_text(what, "action", max_len=ACTION_MAX)
        due = validate.parse_date(due_on, "due date", required=True)
        assert due is not None
        with self._writing(meeting_id) as (s, actor, meeting):
            if meeting.status == "closed":
                raise ConflictError("This meeting is closed: record the action at the next one.")
            if due < meeting.held_on:
                raise ValidationError("due date", "must not be before the meeting")
            patient = self._patient(s, nhs, actor)
            person = self._staff(s, owner, "owner")
            if not person.active:
                raise ValidationError("owner", f"{person.display_name}'s account is disabled")
            item = next((i for i in meeting.items if i.patient_id == patient.id), None)
            action = MeetingAction(
                meeting_id=meeting.id,
                item_id=item.id if item is not None else None,
                patient_id=patient.id,
                what=text,
                owner_id=person.id,
                due_on=due,
                status="open",
                created_at=utcnow(),
                created_by_id=actor.id,
            )
            s.add(action)
            s.flush()
            self._touch(
                s,
                actor,
                meeting,
                "meeting.add_action",
                f"Action {action.id} for staff {person.id}",
                patient_id=patient.id,
            )
            return action_view(s, action)

    def close(self, meeting_id: int, notes: str | None = None) -> MeetingView:
        """Close the meeting: the flags and requests of the items discussed are handled."""
        text = validate.text(notes, "notes", max_len=OUTCOME_MAX, multiline=True)
        with self._writing(meeting_id) as (s, actor, meeting):
            self._chair_or_lead(actor, meeting)
            if meeting.status != "in_progress":
                raise ConflictError("Only a meeting in progress can be closed.")
            flags, requests = [], []
            for item in meeting.items:
                if item.removed or item.discussed_at is None:
                    continue
                for source in (item.sources or "").split():
                    kind, _, ident = source.partition(":")
                    if kind == "flag":
                        flags.append(int(ident))
                    elif kind == "request":
                        requests.append(int(ident))
            now = utcnow()
            for conv in s.scalars(select(Conversation).where(Conversation.id.in_(flags))):
                conv.flag_handled_at = conv.flag_handled_at or now
            for req in s.scalars(select(MeetingRequest).where(MeetingRequest.id.in_(requests))):
                req.handled_meeting_id = req.handled_meeting_id or meeting.id
            meeting.status, meeting.notes = "closed", text
            discussed = sum(1 for i in meeting.items if i.discussed_at and not i.removed)
            self._touch(
                s,
                actor,
                meeting,
                "meeting.close",
                f"Closed: {discussed} discussed, {len(flags)} flags handled",
            )
            return meeting_view(s, meeting)

    # ------------------------------------------------------------------ internals

    def _new_meeting(
        self,
        s: Session,
        actor: Actor,
        held_on: date | str,
        starts_at: time | str,
        place: str,
        chair: str,
        minutes: int,
        virtual: bool,
        team: str | None,
    ) -> Meeting:
        on = validate.parse_date(held_on, "date", required=True)
        assert on is not None
        at = _parse_time(starts_at, "time")
        where = validate.required_text(place, "place", max_len=PLACE_MAX)
        length = _minutes(minutes, "length", MEETING_MINUTES_MAX)
        person = self._staff(s, chair, "chair")
        if not person.active or not allowed(person.role, Action.RUN_MEETINGS):
            raise ValidationError("chair", f"{person.display_name} cannot chair a meeting")
        team_id = person.team_id
        if team is not None:
            row = s.scalar(select(Team).where(Team.name == team.strip()))
            if row is None:
                raise ValidationError("team", f"no team called '{validate.shown(team)}'")
            team_id = row.id
        meeting = Meeting(
            team_id=team_id,
            held_on=on,
            starts_at=at,
            minutes=length,
            place=where,
            virtual=bool(virtual),
            chair_id=person.id,
            status="planned",
            created_at=utcnow(),
            created_by_id=actor.id,
            updated_at=utcnow(),
            updated_by_id=actor.id,
        )
        meeting.attendees.append(MeetingAttendee(staff_id=person.id, attendance="invited"))
        s.add(meeting)
        return meeting

    def _invite(self, s: Session, meeting: Meeting, usernames: Iterable[str]) -> None:
        have = {a.staff_id for a in meeting.attendees}
        for username in usernames:
            staff = self._staff(s, username, "attendee")
            if staff.id not in have:
                meeting.attendees.append(MeetingAttendee(staff_id=staff.id, attendance="invited"))
                have.add(staff.id)

    @staticmethod
    def _load(s: Session, meeting_id: int, *, for_update: bool = False) -> Meeting:
        q = (
            select(Meeting)
            .where(Meeting.id == meeting_id)
            .options(
                selectinload(Meeting.chair),
                selectinload(Meeting.team),
                selectinload(Meeting.attendees).selectinload(MeetingAttendee.staff),
                selectinload(Meeting.items).selectinload(MeetingItem.patient),
            )
        )
        if for_update:
            q = q.with_for_update()
        meeting = s.scalars(q).first()
        if meeting is None:
            raise NotFoundError(f"No meeting {meeting_id}.")
        return meeting

    @contextmanager
    def _writing(self, meeting_id: int) -> Iterator[tuple[Session, Actor, Meeting]]:
        try:
            with self._sessions.begin() as s:
                actor = self._actor(s, Action.RUN_MEETINGS)
                meeting = self._load(s, meeting_id, for_update=True)
                self._own_team(actor, meeting)
                yield s, actor, meeting
        except StaleDataError:
            raise StaleRecordError("This meeting", None, None) from None

    @contextmanager
    def _agenda(self, meeting_id: int) -> Iterator[tuple[Session, Actor, Meeting]]:
        with self._writing(meeting_id) as (s, actor, meeting):
            self._chair_or_lead(actor, meeting)
            if meeting.agenda_locked_at is not None:
                raise ConflictError("The agenda is locked: unlock it to change it.")
            if meeting.status != "planned":
                raise ConflictError("The meeting has started: its agenda is fixed.")
            yield s, actor, meeting

    @staticmethod
    def _own_team(actor: Actor, meeting: Meeting) -> None:
        """A meeting belongs to a team: its own team's staff see it, and those it involves
        from elsewhere (its chair, who set it up, who is invited), as ``_visible`` says."""
        involved = {
            meeting.chair_id,
            meeting.created_by_id,
            *(a.staff_id for a in meeting.attendees),
        }
        if meeting.team_id != actor.team_id and actor.id not in involved:
            whose = meeting.team.name if meeting.team else "no team"
            raise PermissionDeniedError(
                f"Meeting {meeting.id} belongs to {whose}: only its own team's staff and "
                "those invited see it."
            )

    def _chair_or_lead(self, actor: Actor, meeting: Meeting) -> None:
        if actor.id == meeting.chair_id or actor.role == Role.TEAM_LEAD.value:
            return
        raise PermissionDeniedError(
            f"Only the chair ({meeting.chair.display_name}) or a team lead may do this."
        )

    @staticmethod
    def _item(meeting: Meeting, item_id: int) -> MeetingItem:
        item = next((i for i in meeting.items if i.id == item_id), None)
        if item is None:
            raise NotFoundError(f"Meeting {meeting.id} has no agenda item {item_id}.")
        return item

    def _touch(
        self,
        s: Session,
        actor: Actor,
        meeting: Meeting,
        action: str,
        summary: str,
        *,
        patient_id: int | None = None,
    ) -> None:
        meeting.updated_at, meeting.updated_by_id = utcnow(), actor.id
        s.flush()
        self._audit(
            s,
            actor,
            action,
            "meeting",
            entity_id=meeting.id,
            patient_id=patient_id,
            summary=summary,
        )


def _of_team(actor: Actor) -> ColumnElement[bool]:
    """Meetings of the acting user's team (of no team, for someone in none), and those
    of other teams they chair, set up or are invited to (need to know)."""
    mine = Meeting.team_id == actor.team_id if actor.team_id else Meeting.team_id.is_(None)
    invited = exists().where(
        MeetingAttendee.meeting_id == Meeting.id, MeetingAttendee.staff_id == actor.id
    )
    return or_(mine, Meeting.chair_id == actor.id, Meeting.created_by_id == actor.id, invited)
