"""Register, recall, review (issue 8): the worklist.

Reminders are derived every time from the data (``reminder_sources``), then what people did
with them is applied: completed ones drop out, rescheduled ones move (the reason shows),
reassigned ones go to their new owner. A worker marked absent today has their reminders
shown on their team lead's list ("covering for …"). ``worklist`` gives one person's work
(*My work*) or the whole team's, grouped Overdue / Today / This week / Later.

Permissions: anyone may read (VIEW_PATIENT); a reminder is completed, rescheduled or
reassigned by the person it belongs to (or who covers for them) or by a team lead; absences
are recorded by team leads and administrators (MANAGE_STAFF). Every change is audited with
the reminder's key, never the person's words.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Collection, Iterable, Sequence
from dataclasses import dataclass, replace
from datetime import date, timedelta
from enum import StrEnum

from sqlalchemy import CompoundSelect, Select, or_, select, true, union
from sqlalchemy.orm import Session

from ltcdesk.domain import validate
from ltcdesk.domain.errors import (
    ConflictError,
    NotFoundError,
    PermissionDeniedError,
    ValidationError,
)
from ltcdesk.domain.permissions import Action
from ltcdesk.domain.vocab import Role
from ltcdesk.models import (
    CarePlan,
    CaseloadAssignment,
    Conversation,
    ConversationFollowUp,
    MeetingAction,
    NavigatorAssignment,
    Patient,
    ReminderState,
    StaffAbsence,
    StaffMember,
    utcnow,
)
from ltcdesk.services.base import Actor, ServiceBase, reach
from ltcdesk.services.reminder_sources import Raw, Source, Sources
from ltcdesk.services.settings import read_setting

REASON_MAX = 500


class Group(StrEnum):
    OVERDUE = "Overdue"
    TODAY = "Today"
    THIS_WEEK = "This week"
    LATER = "Later"


GROUP_ORDER = {g: i for i, g in enumerate(Group)}


def group_of(due: date, today: date) -> Group:
    """Overdue before today; Today; This week up to Sunday; Later after that."""
    if due < today:
        return Group.OVERDUE
    if due == today:
        return Group.TODAY
    if due <= today + timedelta(days=6 - today.weekday()):
        return Group.THIS_WEEK
    return Group.LATER


@dataclass(frozen=True, slots=True)
class Reminder:
    key: str
    source: Source
    nhs_number: str
    patient_name: str  # "María O'Kon"
    why: str
    due: date
    owner_username: str | None
    owner_name: str | None
    urgent: bool
    covering_for: str | None = None  # the absent worker's name, on a team lead's list
    note: str | None = None  # "Rescheduled: …" / "Reassigned by …: …"
    original_due: date | None = None  # when rescheduled

    @property
    def what(self) -> str:
        return self.source.label

    @property
    def tab(self) -> str:
        return self.source.tab

    def group(self, today: date) -> Group:
        return group_of(self.due, today)


@dataclass(frozen=True, slots=True)
class AbsenceView:
    id: int
    username: str
    name: str
    first_day: date
    last_day: date
    reason: str | None


class ReminderService(ServiceBase):
    # ------------------------------------------------------------------ reading

    def worklist(
        self,
        *,
        worker: str | None = None,
        team: bool = False,
        within_days: int | None = None,
        overdue_only: bool = False,
        exported_as: str | None = None,
    ) -> list[Reminder]:
        """The acting user's reminders (or ``worker``'s, or with ``team`` everyone's in the
        acting user's team), urgent first, then by due date; only of the patients the
        acting user may see. Audited (one row, with how many patients); ``exported_as``
        says how they leave the screen ("as ICS to visits.ics")."""
        with self._sessions.begin() as s:
            actor = self._actor(s, Action.VIEW_PATIENT)
            result = self._worklist(s, actor, worker, team)
            today = self._today()
            if overdue_only:
                result = [r for r in result if r.due < today]
            if within_days is not None:
                if within_days < 0:
                    raise ValidationError("within", "must be 0 days or more")
                last = today + timedelta(days=within_days)
                result = [r for r in result if r.due <= last]
            people = len({r.nhs_number for r in result})
            whose = "team" if team else worker or "own"
            how = f", exported {exported_as}" if exported_as else ""
            self._audit(
                s,
                actor,
                "reminders.export" if exported_as else "reminders.view",
                "reminder",
                summary=f"Viewed {whose} worklist ({len(result)}){how}: {people:,} patients",
            )
            return result

    def counts(self, worker: str | None = None) -> dict[Group, int]:
        """How many of a person's reminders are in each group (for the rail and start-up)."""
        with self._sessions.begin() as s:
            actor = self._actor(s, Action.VIEW_PATIENT)
            today = self._today()
            counted = Counter(r.group(today) for r in self._worklist(s, actor, worker, False))
            return {g: counted.get(g, 0) for g in Group}

    def summary(self) -> tuple[dict[Group, int], list[Reminder]]:
        """The acting user's counts per group and what is overdue or due today, from one
        reading of their worklist (the start-up summary)."""
        with self._sessions.begin() as s:
            actor = self._actor(s, Action.VIEW_PATIENT)
            today = self._today()
            mine = self._worklist(s, actor, None, False)
            counted = Counter(r.group(today) for r in mine)
            due = [r for r in mine if r.due <= today]
            self._audit(
                s,
                actor,
                "reminders.view",
                "reminder",
                summary=f"Viewed own worklist summary ({len(due)} due or overdue)",
            )
            return {g: counted.get(g, 0) for g in Group}, due

    def overdue_reviews_by_worker(self) -> dict[str, int]:
        """Overdue care plan reviews per key worker (username), for the team caseload view."""
        with self._sessions.begin() as s:
            actor = self._actor(s, Action.VIEW_PATIENT)
            today = self._today()
            found = Counter(
                r.owner_username
                for r in self._compute(s, None, only=(Source.REVIEW,), viewer=actor)
                if r.due < today and r.owner_username
            )
            return dict(found)

    def for_patient(self, nhs: str) -> list[Reminder]:
        with self._sessions.begin() as s:
            actor = self._actor(s, Action.VIEW_PATIENT)
            patient = self._patient(s, nhs, actor)
            result = self._compute(s, [patient.id])
            self._audit(
                s,
                actor,
                "reminders.view",
                "reminder",
                patient_id=patient.id,
                summary=f"Viewed the patient's reminders ({len(result)})",
            )
            return result

    # ------------------------------------------------------------------ acting on one

    def complete(self, nhs: str, key: str, note: str | None = None) -> None:
        text = validate.text(note, "note", max_len=REASON_MAX)
        self._change(nhs, key, "done", reason=text)

    def reschedule(self, nhs: str, key: str, new_due: date | str, reason: str) -> Reminder:
        when = validate.parse_date(new_due, "new date", required=True)
        assert when is not None
        if when < self._today():
            raise ValidationError("new date", f"{when:%d/%m/%Y} is in the past")
        why = validate.required_text(reason, "reason", max_len=REASON_MAX)
        return self._change(nhs, key, "rescheduled", new_due=when, reason=why)

    def reassign(self, nhs: str, key: str, to: str, reason: str) -> Reminder:
        why = validate.required_text(reason, "reason", max_len=REASON_MAX)
        return self._change(nhs, key, "reassigned", to=to, reason=why)

    # ------------------------------------------------------------------ absences

    def add_absence(
        self, username: str, first_day: date | str, last_day: date | str, reason: str | None = None
    ) -> AbsenceView:
        first = validate.parse_date(first_day, "first day", required=True)
        last = validate.parse_date(last_day, "last day", required=True)
        assert first is not None
        assert last is not None
        if last < first:
            raise ValidationError("last day", "must not be before the first day")
        why = validate.text(reason, "reason", max_len=200)
        with self._sessions.begin() as s:
            actor = self._actor(s, Action.MANAGE_STAFF)
            staff = self._staff(s, username, "worker")
            row = StaffAbsence(
                staff_id=staff.id,
                first_day=first,
                last_day=last,
                reason=why,
                recorded_by_id=actor.id,
                created_at=utcnow(),
            )
            s.add(row)
            s.flush()
            self._audit(
                s,
                actor,
                "absence.add",
                "staff_absence",
                entity_id=row.id,
                summary=f"Absence of staff {staff.id}: {first} to {last}",
            )
            return AbsenceView(row.id, staff.username, staff.display_name, first, last, why)

    def absences(self, *, current_only: bool = False) -> list[AbsenceView]:
        with self._sessions.begin() as s:
            self._actor(s, Action.VIEW_PATIENT)
            q = select(StaffAbsence, StaffMember).join(
                StaffMember, StaffMember.id == StaffAbsence.staff_id
            )
            if current_only:
                today = self._today()
                q = q.where(StaffAbsence.first_day <= today, StaffAbsence.last_day >= today)
            rows = s.execute(q.order_by(StaffAbsence.first_day, StaffAbsence.id)).all()
            return [
                AbsenceView(a.id, m.username, m.display_name, a.first_day, a.last_day, a.reason)
                for a, m in rows
            ]

    def end_absence(self, absence_id: int) -> None:
        """Remove an absence (recorded in error, or the worker came back early: the last day
        becomes yesterday when it had begun)."""
        with self._sessions.begin() as s:
            actor = self._actor(s, Action.MANAGE_STAFF)
            row = s.get(StaffAbsence, absence_id)
            if row is None:
                raise NotFoundError(f"No absence {absence_id}.")
            today = self._today()
            if row.first_day >= today:
                s.delete(row)
            else:
                row.last_day = min(row.last_day, today - timedelta(days=1))
            self._audit(
                s,
                actor,
                "absence.end",
                "staff_absence",
                entity_id=absence_id,
                summary=f"Ended absence {absence_id}",
            )

    # ------------------------------------------------------------------ internals

    def _worklist(
        self, s: Session, actor: Actor, worker: str | None, team: bool, *, everyone: bool = False
    ) -> list[Reminder]:
        if not team and not everyone:
            person = self._staff(s, worker, "worker") if worker else s.get(StaffMember, actor.id)
            assert person is not None
            mine = self._compute(s, None, within=self._scope_for(s, person.id), viewer=actor)
            return [r for r in mine if r.owner_username == person.username]
        result = self._compute(s, None, viewer=actor)
        if everyone:
            return result
        if team:
            me = s.get(StaffMember, actor.id)
            if me is None or me.team_id is None:
                return result
            members = set(
                s.scalars(select(StaffMember.username).where(StaffMember.team_id == me.team_id))
            )
            return [r for r in result if r.owner_username in members]
        username = self._staff(s, worker, "worker").username if worker else actor.username
        return [r for r in result if r.owner_username == username]

    def _scope_for(self, s: Session, staff_id: int) -> CompoundSelect:
        """The patients whose reminders may be this person's: their caseload, navigator list,
        meeting actions, follow-up calls, plans they review, reminders reassigned to them,
        and the same for anyone absent whom they cover."""
        staff = {m.id: m for m in s.scalars(select(StaffMember))}
        cover = self._cover(s, self._today(), staff)
        whose = [staff_id, *(absent for absent, lead in cover.items() if lead.id == staff_id)]
        return union(
            select(CaseloadAssignment.patient_id).where(
                CaseloadAssignment.end_date.is_(None), CaseloadAssignment.key_worker_id.in_(whose)
            ),
            select(NavigatorAssignment.patient_id).where(
                NavigatorAssignment.end_date.is_(None), NavigatorAssignment.navigator_id.in_(whose)
            ),
            select(MeetingAction.patient_id).where(
                MeetingAction.status == "open", MeetingAction.owner_id.in_(whose)
            ),
            select(Conversation.patient_id)
            .join(ConversationFollowUp, ConversationFollowUp.conversation_id == Conversation.id)
            .where(
                ConversationFollowUp.done_on.is_(None),
                or_(
                    ConversationFollowUp.by_staff_id.in_(whose),
                    Conversation.recorded_by_id.in_(whose),
                ),
            ),
            select(CarePlan.patient_id).where(
                CarePlan.status == "agreed", CarePlan.reviewer_id.in_(whose)
            ),
            select(ReminderState.patient_id).where(ReminderState.new_owner_id.in_(whose)),
        )

    def _compute(
        self,
        s: Session,
        patient_ids: Sequence[int] | None,
        *,
        within: CompoundSelect | None = None,
        only: Collection[Source] | None = None,
        viewer: Actor | None = None,
    ) -> list[Reminder]:
        """The reminders of these patients (None: everyone's); with ``viewer``, only those
        of the patients the viewer may see (need to know)."""
        today = self._today()
        scope: Select[int] | CompoundSelect | None = within
        if patient_ids is not None:
            scope = select(Patient.id).where(Patient.id.in_(list(patient_ids)))
        sources = Sources(
            s,
            today,
            no_plan_days=read_setting(s, "no_plan_after_days"),
            reassess_months=read_setting(s, "reassess_after_months"),
            scope=scope,
        )
        raws = list(sources.all(only))
        states = self._states(s, [r.key for r in raws] if scope is not None else None)
        staff = {m.id: m for m in s.scalars(select(StaffMember))}
        cover = self._cover(s, today, staff)
        people = self._people(s, {r.patient_id for r in raws}, viewer)
        result = []
        for raw in raws:
            person = people.get(raw.patient_id)
            if person is None:
                continue  # died
            reminder = self._apply(raw, person, states.get(raw.key), staff, cover)
            if reminder is not None:
                result.append(reminder)
        result.sort(key=lambda r: (not r.urgent, r.due, r.patient_name.casefold(), r.key))
        return result

    @staticmethod
    def _apply(
        raw: Raw,
        person: tuple[str, str],
        state: ReminderState | None,
        staff: dict[int, StaffMember],
        cover: dict[int, StaffMember],
    ) -> Reminder | None:
        owner_id, due, note, original = raw.owner_id, raw.due, None, None
        if state is not None:
            if state.action == "done":
                return None
            if state.action == "rescheduled" and state.new_due is not None:
                original, due = raw.due, state.new_due
                note = f"Rescheduled from {raw.due:%d/%m/%Y}: {state.reason}"
            if state.action == "reassigned" and state.new_owner_id is not None:
                owner_id = state.new_owner_id
                by = staff.get(state.by_id)
                note = f"Reassigned by {by.display_name if by else 'someone'}: {state.reason}"
        covering = None
        if owner_id is not None and owner_id in cover:
            covering = staff[owner_id].display_name
            owner_id = cover[owner_id].id
        owner = staff.get(owner_id) if owner_id is not None else None
        return Reminder(
            raw.key,
            raw.source,
            person[0],
            person[1],
            raw.why,
            due,
            owner.username if owner else None,
            owner.display_name if owner else None,
            raw.urgent,
            covering,
            note,
            original,
        )

    @staticmethod
    def _states(s: Session, keys: list[str] | None) -> dict[str, ReminderState]:
        q = select(ReminderState)
        if keys is not None:
            q = q.where(ReminderState.reminder_key.in_(keys))
        return {row.reminder_key: row for row in s.scalars(q)}

    @staticmethod
    def _cover(s: Session, today: date, staff: dict[int, StaffMember]) -> dict[int, StaffMember]:
        """Absent today → the team lead who covers (of their team, else any, not absent)."""
        away = set(
            s.scalars(
                select(StaffAbsence.staff_id).where(
                    StaffAbsence.first_day <= today, StaffAbsence.last_day >= today
                )
            )
        )
        if not away:
            return {}
        leads = [
            m
            for m in staff.values()
            if m.role == Role.TEAM_LEAD.value and m.active and m.id not in away
        ]
        cover = {}
        for sid in away:
            member = staff.get(sid)
            if member is None:
                continue
            same = [m for m in leads if m.team_id == member.team_id and m.id != sid]
            others = same or [m for m in leads if m.id != sid]
            if others:
                cover[sid] = others[0]
        return cover

    @staticmethod
    def _people(
        s: Session, ids: Iterable[int], viewer: Actor | None = None
    ) -> dict[int, tuple[str, str]]:
        """NHS number and name of the living among these patients (whom ``viewer`` may see)."""
        wanted = list(ids)
        found: dict[int, tuple[str, str]] = {}
        seen = reach(viewer) if viewer is not None else true()
        for start in range(0, len(wanted), 20_000):
            chunk = wanted[start : start + 20_000]
            rows = s.execute(
                select(
                    Patient.id, Patient.nhs_number, Patient.given_name, Patient.family_name
                ).where(Patient.id.in_(chunk), Patient.date_of_death.is_(None), seen)
            )
            for pid, nhs, given, family in rows:
                found[pid] = (nhs, f"{given} {family}")
        return found

    def _change(
        self,
        nhs: str,
        key: str,
        action: str,
        *,
        new_due: date | None = None,
        to: str | None = None,
        reason: str | None = None,
    ) -> Reminder:
        with self._sessions.begin() as s:
            actor = self._actor(s, Action.VIEW_PATIENT)
            patient = self._patient(s, nhs, actor)
            current = next((r for r in self._compute(s, [patient.id]) if r.key == key), None)
            if current is None:
                raise NotFoundError(
                    "This reminder is no longer due (done, or its date changed). Refresh the list."
                )
            covering = current.covering_for is not None
            if actor.username != current.owner_username and actor.role != Role.TEAM_LEAD.value:
                raise PermissionDeniedError(
                    f"Only {current.owner_name or 'its owner'}"
                    + (" (covering)" if covering else "")
                    + " or a team lead may change this reminder."
                )
            new_owner = None
            if to is not None:
                target = self._staff(s, to, "reassign to")
                if not target.active:
                    raise ValidationError("reassign to", f"{target.display_name} is disabled")
                if target.username == current.owner_username:
                    raise ConflictError(f"It is already {target.display_name}'s.")
                new_owner = target.id
            row = s.scalar(select(ReminderState).where(ReminderState.reminder_key == key))
            if row is None:
                row = ReminderState(reminder_key=key, patient_id=patient.id)
                s.add(row)
            row.action, row.new_due, row.new_owner_id, row.reason = (
                action,
                new_due,
                new_owner,
                reason,
            )
            row.by_id, row.at = actor.id, utcnow()
            if action == "reassigned" and current.original_due is not None:
                row.new_due = None  # a reassignment keeps the source's own date
            s.flush()
            self._audit(
                s,
                actor,
                f"reminder.{action}",
                "reminder",
                entity_id=row.id,
                patient_id=patient.id,
                summary=f"{action.capitalize()}: {key}",
            )
            if action == "done":
                return replace(current, note="Done")
            return next(r for r in self._compute(s, [patient.id]) if r.key == key)
