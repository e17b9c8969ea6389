"""Meeting actions after the meeting (the owner's worklist, the patient's record, done or
cancelled) and requests to discuss a patient at the next meeting."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import selectinload

from ltcdesk.domain import validate
from ltcdesk.domain.errors import ConflictError, NotFoundError, ValidationError
from ltcdesk.domain.permissions import Action
from ltcdesk.models import MeetingAction, MeetingRequest, Patient, utcnow
from ltcdesk.services.base import ServiceBase, reach
from ltcdesk.services.meeting_read import action_view
from ltcdesk.services.meeting_views import ActionView

ACTION_MAX = 500
REASON_MAX = 500


class MeetingActions(ServiceBase):
    def complete_action(
        self, action_id: int, *, note: str | None = None, cancelled: bool = False
    ) -> ActionView:
        text = validate.text(note, "note", max_len=ACTION_MAX)
        with self._sessions.begin() as s:
            actor = self._actor(s, Action.VIEW_PATIENT)
            action = s.get(MeetingAction, action_id)
            if action is None:
                raise NotFoundError(f"No meeting action {action_id}.")
            self._patient_by_id(s, action.patient_id, actor)  # need to know
            if action.owner_id != actor.id:
                self._actor(s, Action.RUN_MEETINGS)
            if action.status != "open":
                raise ConflictError(f"This action is already {action.status}.")
            action.status = "cancelled" if cancelled else "done"
            action.done_on, action.done_by_id, action.note = self._today(), actor.id, text
            self._audit(
                s,
                actor,
                f"meeting_action.{action.status}",
                "meeting_action",
                entity_id=action.id,
                patient_id=action.patient_id,
                summary=f"Action {action.id} {action.status}",
            )
            return action_view(s, action)

    def actions(
        self, *, owner: str | None = None, nhs: str | None = None, open_only: bool = True
    ) -> list[ActionView]:
        """Actions by due date: one owner's (their worklist) or one patient's."""
        with self._sessions.begin() as s:
            actor = self._actor(s, Action.VIEW_PATIENT)
            q = select(MeetingAction).options(
                selectinload(MeetingAction.meeting),
                selectinload(MeetingAction.patient),
                selectinload(MeetingAction.owner),
            )
            patient_id = None
            if owner is not None:
                q = q.where(MeetingAction.owner_id == self._staff(s, owner, "owner").id)
            if nhs is not None:
                patient_id = self._patient(s, nhs, actor).id
                q = q.where(MeetingAction.patient_id == patient_id)
            if open_only:
                q = q.where(MeetingAction.status == "open")
            if patient_id is None:  # need to know: the actions on the team's patients
                q = q.where(MeetingAction.patient_id.in_(select(Patient.id).where(reach(actor))))
            rows = s.scalars(q.order_by(MeetingAction.due_on, MeetingAction.id)).all()
            self._audit(
                s,
                actor,
                "meeting_action.list",
                "meeting_action",
                patient_id=patient_id,
                summary=f"Listed {len(rows)} meeting actions",
            )
            return [action_view(s, a) for a in rows]

    def request_discussion(self, nhs: str, kind: str, reason: str) -> int:
        """Ask for a patient to be discussed (kind step_up, step_down or discuss) at the
        team's next meeting; returns the request's id."""
        if kind not in ("step_up", "step_down", "discuss"):
            raise ValidationError("kind", "must be step_up, step_down or discuss")
        text = validate.required_text(reason, "reason", max_len=REASON_MAX)
        with self._sessions.begin() as s:
            actor = self._actor(s, Action.REQUEST_DISCUSSION)
            patient = self._patient(s, nhs, actor)
            if patient.date_of_death is not None:
                raise ConflictError("This patient has died.")
            row = MeetingRequest(
                patient_id=patient.id,
                kind=kind,
                reason=text,
                requested_on=self._today(),
                requested_by_id=actor.id,
                created_at=utcnow(),
            )
            s.add(row)
            s.flush()
            self._audit(
                s,
                actor,
                "meeting.request",
                "meeting_request",
                entity_id=row.id,
                patient_id=patient.id,
                summary=f"Requested discussion ({kind})",
            )
            return row.id
