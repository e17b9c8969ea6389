"""Personalised care and support plans (DOMAIN.md "Care planning"; issue 5).

A patient's plan is a series of versions. ``start`` opens a first draft; ``save_draft``
replaces the draft's content (one transaction, version-checked); ``agree`` records who
agreed it and when, and the version agreed before becomes superseded; ``start_review``
copies the agreed version forward into a new draft, keeping each goal's lineage so its
importance and confidence read as one trend across versions; ``record_follow_up`` adds a
point to that trend; ``close`` ends the plan. Old versions stay readable.

Permissions: viewing needs VIEW_PATIENT; drafting, follow-ups and starting a review need
EDIT_CARE_PLAN (clinical roles, team lead, care navigator); agreeing and closing need
AGREE_CARE_PLAN (clinical roles and team lead). Every view and write is audited, with no
free text in the audit summary.

The Year of Care prompts (an action plan above importance 7, what gets in the way below
confidence 7: ``careplan_views.needs_action_plan`` / ``needs_barriers``) are prompts, not
rules: nothing is refused for want of them; ``prompts`` lists what a plan still invites.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import date

from sqlalchemy import Select, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session
from sqlalchemy.orm.exc import StaleDataError

from ltcdesk.domain import validate
from ltcdesk.domain.errors import ConflictError, NotFoundError, StaleRecordError, ValidationError
from ltcdesk.domain.permissions import Action
from ltcdesk.models import (
    CarePlan,
    CaseloadAssignment,
    Patient,
    PlanGoal,
    utcnow,
)
from ltcdesk.services.base import Actor, ServiceBase, reach
from ltcdesk.services.careplan_compare import compare_plans
from ltcdesk.services.careplan_edit import (
    WHO_MAX,
    apply_plan_fields,
    copy_forward,
    edited_goals,
    score,
    score_point,
)
from ltcdesk.services.careplan_edit import prompts as prompts
from ltcdesk.services.careplan_read import build_views, histories, plans_query
from ltcdesk.services.careplan_views import (
    CarePlanEdits,
    CarePlanView,
    Change,
    GoalStatus,
    PlanStatus,
    PlanVersionSummary,
)

_OPEN = (PlanStatus.DRAFT.value, PlanStatus.AGREED.value)


class CarePlanService(ServiceBase):
    # ------------------------------------------------------------------ reading

    def current(self, nhs: str) -> CarePlanView | None:
        """The latest version: the draft if one exists, else the agreed (or closed) one;
        None when the patient has no plan."""
        return self._read(nhs, lambda q: q.order_by(CarePlan.version.desc()).limit(1))

    def agreed(self, nhs: str) -> CarePlanView | None:
        """The plan in force, or None."""
        return self._read(nhs, lambda q: q.where(CarePlan.status == PlanStatus.AGREED.value))

    def version(self, nhs: str, version: int) -> CarePlanView:
        found = self._read(nhs, lambda q: q.where(CarePlan.version == version))
        if found is None:
            raise NotFoundError(f"This patient's care plan has no version {version}.")
        return found

    def history(self, nhs: str) -> list[PlanVersionSummary]:
        with self._sessions.begin() as s:
            actor = self._actor(s, Action.VIEW_PATIENT)
            patient = self._patient(s, nhs, actor)
            rows = histories(s, [patient.id]).get(patient.id, [])
            self._audit(
                s,
                actor,
                "careplan.history",
                "care_plan",
                patient_id=patient.id,
                summary="Viewed care plan history",
            )
            return rows

    def compare(self, nhs: str, a: int, b: int) -> list[Change]:
        """What changed from version ``a`` to version ``b``."""
        with self._sessions.begin() as s:
            actor = self._actor(s, Action.VIEW_PATIENT)
            patient = self._patient(s, nhs, actor)
            plans = {
                p.version: p
                for p in s.scalars(
                    plans_query().where(
                        CarePlan.patient_id == patient.id, CarePlan.version.in_((a, b))
                    )
                )
            }
            for v in (a, b):
                if v not in plans:
                    raise NotFoundError(f"This patient's care plan has no version {v}.")
            view_a, view_b = build_views(s, [plans[a], plans[b]])
            self._audit(
                s,
                actor,
                "careplan.compare",
                "care_plan",
                entity_id=plans[b].id,
                patient_id=patient.id,
                summary=f"Compared care plan v{a} with v{b}",
            )
            return compare_plans(view_a, view_b)

    def plans_for_caseload(self, worker_username: str) -> list[CarePlanView]:
        """The agreed plans of everyone on this key worker's caseload (batch printing), by
        name; a few queries in all, each plan's viewing audited."""
        with self._sessions.begin() as s:
            actor = self._actor(s, Action.VIEW_PATIENT)
            worker = self._staff(s, worker_username)
            on_caseload = select(CaseloadAssignment.patient_id).where(
                CaseloadAssignment.key_worker_id == worker.id,
                CaseloadAssignment.end_date.is_(None),
            )
            plans = list(
                s.scalars(
                    plans_query()
                    .join(Patient, CarePlan.patient_id == Patient.id)
                    .where(
                        CarePlan.status == PlanStatus.AGREED.value,
                        CarePlan.patient_id.in_(on_caseload),
                        reach(actor),  # need to know
                    )
                    .order_by(Patient.family_name, Patient.given_name, Patient.id)
                )
            )
            for p in plans:
                self._audit(
                    s,
                    actor,
                    "careplan.view",
                    "care_plan",
                    entity_id=p.id,
                    patient_id=p.patient_id,
                    summary=f"Viewed care plan v{p.version} (caseload batch)",
                )
            return build_views(s, plans)

    def _read(
        self, nhs: str, narrow: Callable[[Select[CarePlan]], Select[CarePlan]]
    ) -> CarePlanView | None:
        with self._sessions.begin() as s:
            actor = self._actor(s, Action.VIEW_PATIENT)
            patient = self._patient(s, nhs, actor)
            query = narrow(plans_query().where(CarePlan.patient_id == patient.id))
            plan = s.scalars(query).first()
            if plan is None:
                return None
            self._audit(
                s,
                actor,
                "careplan.view",
                "care_plan",
                entity_id=plan.id,
                patient_id=patient.id,
                summary=f"Viewed care plan v{plan.version}",
            )
            return build_views(s, [plan])[0]

    # ------------------------------------------------------------------ writing

    @contextmanager
    def _writing(self, nhs: str) -> Iterator[Session]:
        """One transaction; a concurrent save surfaces as StaleRecordError naming who."""
        try:
            with self._sessions.begin() as s:
                yield s
        except StaleDataError:
            raise self._stale(nhs) from None
        except IntegrityError:
            raise ConflictError(
                "Someone else changed this care plan at the same time; nothing was saved. "
                "Open it again."
            ) from None

    def _stale(self, nhs: str) -> StaleRecordError:
        with self._sessions.begin() as s:
            patient = self._patient(s, nhs, self._actor(s))
            plan = self._latest(s, patient.id)
            by = plan.updated_by.display_name if plan and plan.updated_by else None
            return StaleRecordError("This care plan", by, plan.updated_at if plan else None)

    @staticmethod
    def _latest(s: Session, patient_id: int) -> CarePlan | None:
        return s.scalars(
            select(CarePlan)
            .where(CarePlan.patient_id == patient_id)
            .order_by(CarePlan.version.desc())
            .limit(1)
        ).first()

    def _draft(self, s: Session, patient: Patient) -> CarePlan:
        plan = s.scalars(
            plans_query().where(
                CarePlan.patient_id == patient.id, CarePlan.status == PlanStatus.DRAFT.value
            )
        ).first()
        if plan is None:
            raise ConflictError(
                "There is no draft care plan to change: start a plan, or start a review of "
                "the agreed one."
            )
        return plan

    @staticmethod
    def _check_lock(plan: CarePlan, expected: int | None) -> None:
        if expected is not None and plan.lock_version != expected:
            by = plan.updated_by.display_name if plan.updated_by else None
            raise StaleRecordError("This care plan", by, plan.updated_at)

    @staticmethod
    def _touch(plan: CarePlan, actor: Actor) -> None:
        # Every write to a plan updates its row, so its lock version goes up by one.
        plan.updated_at = utcnow()
        plan.updated_by_id = actor.id

    def _finish(
        self,
        s: Session,
        actor: Actor,
        plan: CarePlan,
        action: str,
        summary: str,
        *,
        entity: str = "care_plan",
        entity_id: int | None = None,
    ) -> CarePlanView:
        """Flush, audit the write (ids and counts only, never the person's words) and
        return the plan as it now reads."""
        s.flush()
        self._audit(
            s,
            actor,
            action,
            entity,
            entity_id=entity_id or plan.id,
            patient_id=plan.patient_id,
            summary=summary,
        )
        return build_views(s, list(s.scalars(plans_query().where(CarePlan.id == plan.id))))[0]

    def start(self, nhs: str) -> CarePlanView:
        """A new, empty draft: version 1, or the next version after a closed plan."""
        with self._writing(nhs) as s:
            actor = self._actor(s, Action.EDIT_CARE_PLAN)
            patient = self._patient(s, nhs, actor, for_update=True)
            latest = self._latest(s, patient.id)
            if latest is not None and latest.status in _OPEN:
                raise ConflictError(
                    f"This patient already has a care plan (version {latest.version}, "
                    f"{latest.status})."
                    + (" Start a review to change it." if latest.status == "agreed" else "")
                )
            now = utcnow()
            plan = CarePlan(
                patient_id=patient.id,
                version=latest.version + 1 if latest else 1,
                status=PlanStatus.DRAFT.value,
                created_at=now,
                created_by_id=actor.id,
                updated_at=now,
                updated_by_id=actor.id,
            )
            s.add(plan)
            return self._finish(
                s, actor, plan, "careplan.start", f"Started care plan v{plan.version}"
            )

    def save_draft(
        self, nhs: str, edits: CarePlanEdits, expected_lock_version: int | None
    ) -> CarePlanView:
        """Replace the draft's content with ``edits``: all of it or nothing. A save after
        someone else's raises StaleRecordError naming them; the caller keeps the edits."""
        with self._writing(nhs) as s:
            actor = self._actor(s, Action.EDIT_CARE_PLAN)
            patient = self._patient(s, nhs, actor)
            plan = self._draft(s, patient)
            self._check_lock(plan, expected_lock_version)
            today = self._today()
            reviewer_id = None
            if edits.reviewer is not None and edits.reviewer.strip():
                try:
                    reviewer_id = self._staff(s, edits.reviewer, "reviewer").id
                except NotFoundError:
                    raise ValidationError(
                        "reviewer", f"no member of staff '{validate.shown(edits.reviewer)}'"
                    ) from None
            apply_plan_fields(plan, edits, today)
            goals = edited_goals(plan, edits.goals, actor.id, today)
            plan.goals = goals
            plan.reviewer_id = reviewer_id
            self._touch(plan, actor)
            return self._finish(
                s,
                actor,
                plan,
                "careplan.save",
                f"Saved draft care plan v{plan.version} ({len(goals)} goals)",
            )

    def agree(
        self, nhs: str, agreed_with: str, expected_lock_version: int | None = None
    ) -> CarePlanView:
        """Agree the draft with the person (``agreed_with``: "María O'Kon and her daughter
        Ana"): records the acting user and today; the version agreed before is superseded."""
        with self._writing(nhs) as s:
            actor = self._actor(s, Action.AGREE_CARE_PLAN)
            patient = self._patient(s, nhs, actor, for_update=True)
            plan = self._draft(s, patient)
            self._check_lock(plan, expected_lock_version)
            today = self._today()
            who = validate.text(agreed_with, "agreed with", required=True, max_len=WHO_MAX)
            if not plan.goals:
                raise ValidationError("goals", "a plan needs at least one goal to be agreed")
            if plan.review_date is None:
                raise ValidationError("review date", "is required to agree the plan")
            if plan.review_date < today:
                raise ValidationError("review date", f"{plan.review_date:%d/%m/%Y} is in the past")
            summary = f"Agreed care plan v{plan.version}"
            for old in s.scalars(
                select(CarePlan).where(
                    CarePlan.patient_id == patient.id,
                    CarePlan.status == PlanStatus.AGREED.value,
                )
            ):
                old.status = PlanStatus.SUPERSEDED.value
                self._touch(old, actor)
                summary += f" (v{old.version} superseded)"
            plan.status = PlanStatus.AGREED.value
            plan.agreed_on, plan.agreed_by_id, plan.agreed_with = today, actor.id, who
            self._touch(plan, actor)
            return self._finish(s, actor, plan, "careplan.agree", summary)

    def start_review(self, nhs: str) -> CarePlanView:
        """A new draft (version + 1) copied from the agreed plan; goals keep their lineage,
        so their trends continue. The agreed plan stays in force until the review is agreed."""
        with self._writing(nhs) as s:
            actor = self._actor(s, Action.EDIT_CARE_PLAN)
            patient = self._patient(s, nhs, actor, for_update=True)
            latest = self._latest(s, patient.id)
            if latest is not None and latest.status == PlanStatus.DRAFT.value:
                raise ConflictError(
                    f"A draft (version {latest.version}) is already open: finish or agree it."
                )
            agreed = s.scalars(
                plans_query().where(
                    CarePlan.patient_id == patient.id,
                    CarePlan.status == PlanStatus.AGREED.value,
                )
            ).first()
            if agreed is None or latest is None:
                raise ConflictError("There is no agreed care plan to review.")
            new = copy_forward(agreed, latest.version + 1, actor.id, utcnow())
            s.add(new)
            return self._finish(
                s,
                actor,
                new,
                "careplan.review",
                f"Started review: care plan v{new.version} from v{agreed.version}",
            )

    def record_follow_up(
        self,
        nhs: str,
        goal_id: int,
        importance: int,
        confidence: int,
        status: str,
        comment: str | None = None,
        on: date | str | None = None,
        next_follow_up: date | str | None = None,
    ) -> CarePlanView:
        """A follow-up of one goal of the draft or agreed plan: the scores again (a point on
        the trend), its status and the person's comment; optionally the next follow-up date."""
        with self._writing(nhs) as s:
            actor = self._actor(s, Action.EDIT_CARE_PLAN)
            patient = self._patient(s, nhs, actor)
            goal = s.get(PlanGoal, goal_id)
            plan = goal.plan if goal is not None else None
            if goal is None or plan is None or plan.patient_id != patient.id:
                raise NotFoundError("That goal is not on this patient's care plan.")
            if plan.status not in _OPEN:
                raise ConflictError(
                    f"Version {plan.version} of the plan is {plan.status}: follow up the goals "
                    "of the current plan."
                )
            today = self._today()
            when = validate.parse_date(on, "follow-up date") or today
            validate.not_future(when, today, "follow-up date")
            following = validate.parse_date(next_follow_up, "next follow-up date")
            if following is not None and following < today:
                raise ValidationError("next follow-up date", f"{following:%d/%m/%Y} is in the past")
            goal.importance = score(importance, "importance")
            goal.confidence = score(confidence, "confidence")
            goal.status = validate.choice(status, GoalStatus, "status").value
            said = validate.text(comment, "comment", max_len=2000, multiline=True)
            if said is not None:  # no comment this time keeps the goal's standing comment
                goal.comment = said
            if following is not None:
                goal.follow_up_when = following
            score_point(goal, actor.id, when, said)
            self._touch(plan, actor)
            return self._finish(
                s,
                actor,
                plan,
                "careplan.follow_up",
                f"Follow-up of goal {goal.position}, care plan v{plan.version}: {goal.status}",
                entity="care_plan_goal",
                entity_id=goal.id,
            )

    def close(self, nhs: str, reason: str) -> CarePlanView:
        """End the plan (discharged, moved away, died, declined): the open versions close."""
        with self._writing(nhs) as s:
            actor = self._actor(s, Action.AGREE_CARE_PLAN)
            patient = self._patient(s, nhs, actor, for_update=True)
            why = validate.text(reason, "reason", required=True, max_len=500)
            open_plans = list(
                s.scalars(
                    select(CarePlan)
                    .where(CarePlan.patient_id == patient.id, CarePlan.status.in_(_OPEN))
                    .order_by(CarePlan.version)
                )
            )
            if not open_plans:
                raise ConflictError("This patient has no open care plan to close.")
            for plan in open_plans:
                plan.status = PlanStatus.CLOSED.value
                plan.closed_on, plan.closed_reason = self._today(), why
                self._touch(plan, actor)
            last = open_plans[-1]
            return self._finish(
                s, actor, last, "careplan.close", f"Closed care plan v{last.version}"
            )
