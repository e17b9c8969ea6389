"""The single holistic assessment (issue 6; DOMAIN.md "Single assessment").

An assessment is dated, face to face or by telephone, by a named assessor, and covers every
domain of ``ltcdesk.domain.assessment_domains``: structured fields (checked per domain and
field), a note, and a "need identified" flag with a short description. ``start`` opens a
draft pre-filled from the previous assessment (every domain copied, for the assessor to
confirm or change); ``save`` replaces the domains edited, in one transaction, version-checked;
``complete`` closes it. ``differences`` lists what changed since the previous assessment,
``needs`` the flagged needs, and ``need_to_goal`` / ``need_to_action`` turn a need into a
goal or a team action in the patient's care plan draft (starting a draft, or a review of
the agreed plan, when there is none), linking back to the need. A pre-filled assessment is
completed only when the assessor has confirmed (or changed) every domain.

Permissions: reading needs VIEW_PATIENT; starting, saving and completing need
EDIT_ASSESSMENT_SOCIAL (clinical roles, team lead, care navigator); changing a CLINICAL
domain needs EDIT_ASSESSMENT as well (clinical roles, team lead): a care navigator's save
that changes (or confirms) a clinical domain is refused as a whole, and the refusal
audited; a clinical domain sent back exactly as stored is not a change. Turning a need
into a goal or team action needs EDIT_CARE_PLAN. Every write and view is audited, with ids
and counts only, never the person's words.
"""

from __future__ import annotations

import json
import uuid
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import date, datetime

from sqlalchemy import Select, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, selectinload
from sqlalchemy.orm.exc import StaleDataError

from ltcdesk.domain import assessment_domains as ad
from ltcdesk.domain import validate
from ltcdesk.domain.errors import ConflictError, NotFoundError, StaleRecordError, ValidationError
from ltcdesk.domain.permissions import Action, allowed
from ltcdesk.models import (
    Assessment,
    AssessmentDomain,
    AssessmentNeedGoal,
    CarePlan,
    Patient,
    PlanContribution,
    PlanGoal,
    utcnow,
)
from ltcdesk.services.base import Actor, ServiceBase
from ltcdesk.services.careplan_edit import copy_forward, score_point

MODES = ("face_to_face", "telephone")
DRAFT, COMPLETE = "draft", "complete"
NOTE_MAX = 4000


# ---------------------------------------------------------------------- views and edits


@dataclass(frozen=True)
class DomainEdit:
    """A domain's content as the assessor leaves it: replaces what was there."""

    fields: Mapping[str, object] = field(default_factory=dict)
    note: str | None = None
    need_identified: bool = False
    need_text: str | None = None
    # The assessor confirms each domain of a pre-filled assessment (or changes it).
    confirmed: bool = False


@dataclass(frozen=True)
class DomainView:
    key: str
    label: str
    clinical: bool
    fields: dict[str, object]  # stored values (dates as ISO text)
    computed: dict[str, object]  # e.g. {"polypharmacy": True}
    note: str | None
    need_identified: bool
    need_text: str | None
    confirmed: bool = False

    def edit(self) -> DomainEdit:
        return DomainEdit(
            dict(self.fields), self.note, self.need_identified, self.need_text, self.confirmed
        )


@dataclass(frozen=True)
class Need:
    domain: str
    label: str
    text: str
    goal_id: int | None  # the care plan goal it was turned into, if any
    action_id: int | None = None  # or the care plan team action ("who does what")

    @property
    def linked(self) -> bool:
        return self.goal_id is not None or self.action_id is not None


@dataclass(frozen=True)
class AssessmentView:
    id: int
    patient_nhs: str
    patient_name: str
    assessed_on: date
    mode: str
    assessor: str
    assessor_role: str
    status: str
    lock_version: int
    updated_at: datetime
    domains: list[DomainView]
    needs: list[Need]
    patient_dob: date | None = None

    def domain(self, key: str) -> DomainView:
        return next(d for d in self.domains if d.key == key)


@dataclass(frozen=True)
class AssessmentSummary:
    id: int
    assessed_on: date
    mode: str
    assessor: str
    status: str
    needs: int


@dataclass(frozen=True)
class Difference:
    domain: str  # the domain's label
    field: str  # the field's label, or "note", "need identified", "need"
    before: object
    after: object


# ---------------------------------------------------------------------- helpers


def _fields(row: AssessmentDomain) -> dict[str, object]:
    loaded = json.loads(row.fields_json or "{}")
    return dict(loaded) if isinstance(loaded, dict) else {}


def _content(row: AssessmentDomain) -> tuple[object, ...]:
    return (_fields(row), row.note, bool(row.need_identified), row.need_text)


def _stored(row: AssessmentDomain) -> tuple[object, ...]:
    return (*_content(row), bool(row.confirmed))


def _domain_view(row: AssessmentDomain) -> DomainView:
    spec = ad.domain(row.domain)
    stored = _fields(row)
    values = {f.key: stored[f.key] for f in spec.fields if f.key in stored}  # form order
    return DomainView(
        spec.key,
        spec.label,
        spec.clinical,
        values,
        ad.computed_flags(spec.key, values),
        row.note,
        bool(row.need_identified),
        row.need_text,
        bool(row.confirmed),
    )


def _ordered(rows: list[AssessmentDomain]) -> list[AssessmentDomain]:
    order = {d.key: i for i, d in enumerate(ad.DOMAINS)}
    return sorted((r for r in rows if r.domain in order), key=lambda r: order[r.domain])


def _checked(
    key: str, edit: DomainEdit
) -> tuple[dict[str, object], str | None, bool, str | None, bool]:
    spec = ad.domain(key)
    values = ad.check_fields(spec, dict(edit.fields))
    name = spec.label.lower()
    note = validate.text(edit.note, f"{name}: note", max_len=NOTE_MAX, multiline=True)
    need_text = validate.text(edit.need_text, f"{name}: need", max_len=ad.NEED_TEXT_MAX)
    need = bool(edit.need_identified)
    if need and not need_text:
        raise ValidationError(f"{name}: need", "describe the need identified")
    return values, note, need, need_text if need else None, bool(edit.confirmed)


class AssessmentService(ServiceBase):
    # ------------------------------------------------------------------ reading

    def get(self, nhs: str, assessment_id: int) -> AssessmentView:
        with self._sessions.begin() as s:
            actor = self._actor(s, Action.VIEW_PATIENT)
            patient = self._patient(s, nhs, actor)
            a = self._load(s, patient, assessment_id)
            self._audit(
                s, actor, "assessment.view", "assessment", entity_id=a.id, patient_id=patient.id
            )
            return self._view(s, patient, a)

    def latest(self, nhs: str) -> AssessmentView | None:
        """The latest completed assessment, or None."""
        with self._sessions.begin() as s:
            actor = self._actor(s, Action.VIEW_PATIENT)
            patient = self._patient(s, nhs, actor)
            a = self._previous(s, patient.id)
            if a is None:
                return None
            self._audit(
                s, actor, "assessment.view", "assessment", entity_id=a.id, patient_id=patient.id
            )
            return self._view(s, patient, a)

    def history(self, nhs: str, *, audit: bool = False) -> list[AssessmentSummary]:
        """Every assessment, newest first. ``audit``: the person asked for the list (the
        command line's ``assessment history``): one audit row with the count."""
        with self._sessions.begin() as s:
            actor = self._actor(s, Action.VIEW_PATIENT)
            patient = self._patient(s, nhs, actor)
            rows = s.scalars(
                self._query()
                .where(Assessment.patient_id == patient.id)
                .order_by(Assessment.assessed_on.desc(), Assessment.id.desc())
            ).all()
            if audit:
                self._audit(
                    s,
                    actor,
                    "assessment.history",
                    "assessment",
                    entity_id=patient.id,
                    patient_id=patient.id,
                    summary=f"Listed the patient's assessments ({len(rows)}): 1 patient",
                )
            return [
                AssessmentSummary(
                    a.id,
                    a.assessed_on,
                    a.mode,
                    a.assessor.display_name,
                    a.status,
                    sum(1 for d in a.domains if d.need_identified),
                )
                for a in rows
            ]

    def differences(self, nhs: str, assessment_id: int) -> list[Difference]:
        """What changed since the previous completed assessment, domain by domain in the
        order of the form; everything is new when there is no previous one."""
        with self._sessions.begin() as s:
            actor = self._actor(s, Action.VIEW_PATIENT)
            patient = self._patient(s, nhs, actor)
            a = self._load(s, patient, assessment_id)
            before = self._previous(s, patient.id, before=a)
            old = {r.domain: r for r in before.domains} if before else {}
            out: list[Difference] = []
            for row in _ordered(list(a.domains)):
                spec = ad.domain(row.domain)
                prev = old.get(row.domain)
                was, now = (_fields(prev) if prev else {}), _fields(row)
                for f in spec.fields:
                    if was.get(f.key) != now.get(f.key):
                        out.append(Difference(spec.label, f.label, was.get(f.key), now.get(f.key)))
                pairs = (
                    ("note", prev.note if prev else None, row.note),
                    (
                        "need identified",
                        bool(prev.need_identified) if prev else False,
                        bool(row.need_identified),
                    ),
                    ("need", prev.need_text if prev else None, row.need_text),
                )
                out += [Difference(spec.label, n, b, c) for n, b, c in pairs if b != c]
            return out

    def needs(self, nhs: str, assessment_id: int) -> list[Need]:
        """The summary of needs: every flagged need, in the order of the form."""
        with self._sessions.begin() as s:
            actor = self._actor(s, Action.VIEW_PATIENT)
            patient = self._patient(s, nhs, actor)
            return self._needs(s, self._load(s, patient, assessment_id))

    # ------------------------------------------------------------------ writing

    @contextmanager
    def _writing(self, nhs: str, assessment_id: int | None = None) -> Iterator[Session]:
        try:
            with self._sessions.begin() as s:
                yield s
        except StaleDataError:
            raise self._stale(nhs, assessment_id) from None
        except IntegrityError:
            raise ConflictError(
                "Someone else changed this assessment at the same time; nothing was saved. "
                "Open it again."
            ) from None

    def _stale(self, nhs: str, assessment_id: int | None) -> StaleRecordError:
        with self._sessions.begin() as s:
            a = s.get(Assessment, assessment_id) if assessment_id is not None else None
            by = a.updated_by.display_name if a and a.updated_by else None
            return StaleRecordError("This assessment", by, a.updated_at if a else None)

    def start(self, nhs: str, mode: str, on: date | str | None = None) -> AssessmentView:
        """A new draft assessment by the acting user, every domain pre-filled from the
        previous completed assessment (empty when there is none)."""
        with self._writing(nhs) as s:
            actor = self._actor(s, Action.EDIT_ASSESSMENT_SOCIAL)
            if mode not in MODES:
                raise ValidationError("mode", "must be face_to_face or telephone")
            today = self._today()
            when = validate.parse_date(on, "assessed on") or today
            validate.not_future(when, today, "assessed on")
            patient = self._patient(s, nhs, actor, for_update=True)
            open_draft = s.scalars(
                select(Assessment).where(
                    Assessment.patient_id == patient.id, Assessment.status == DRAFT
                )
            ).first()
            if open_draft is not None:
                raise ConflictError(
                    f"An assessment started on {open_draft.assessed_on:%d/%m/%Y} is still a "
                    "draft: complete it first."
                )
            previous = self._previous(s, patient.id)
            old = {r.domain: r for r in previous.domains} if previous else {}
            now = utcnow()
            a = Assessment(
                patient_id=patient.id,
                assessed_on=when,
                mode=mode,
                assessor_id=actor.id,
                assessor_role=actor.role,
                status=DRAFT,
                created_at=now,
                created_by_id=actor.id,
                updated_at=now,
                updated_by_id=actor.id,
            )
            for spec in ad.DOMAINS:
                prev = old.get(spec.key)
                a.domains.append(
                    AssessmentDomain(
                        domain=spec.key,
                        fields_json=prev.fields_json if prev else "{}",
                        note=prev.note if prev else None,
                        need_identified=bool(prev.need_identified) if prev else False,
                        need_text=prev.need_text if prev else None,
                    )
                )
            s.add(a)
            s.flush()
            self._audit(
                s,
                actor,
                "assessment.start",
                "assessment",
                entity_id=a.id,
                patient_id=patient.id,
                summary=f"Started {mode} assessment"
                + (f" from assessment {previous.id}" if previous else ""),
            )
            return self._view(s, patient, a)

    def save(
        self,
        nhs: str,
        assessment_id: int,
        edits: Mapping[str, DomainEdit],
        expected_lock_version: int | None,
    ) -> AssessmentView:
        """Replace the domains in ``edits`` (by key): all or nothing. A change to a clinical
        domain by someone who may only edit the non-clinical ones refuses the whole save."""
        with self._writing(nhs, assessment_id) as s:
            actor = self._actor(s)
            if not allowed(actor.role, Action.EDIT_ASSESSMENT_SOCIAL):
                # Refused before anything is read, naming the stronger right when the save
                # would touch a clinical domain.
                touches_clinical = any(key in ad.CLINICAL_DOMAINS for key in edits)
                self._actor(
                    s,
                    Action.EDIT_ASSESSMENT if touches_clinical else Action.EDIT_ASSESSMENT_SOCIAL,
                )
            patient = self._patient(s, nhs, actor)
            a = self._load(s, patient, assessment_id)
            if a.status != DRAFT:
                raise ConflictError("This assessment is complete; start a new one to change it.")
            if expected_lock_version is not None and a.lock_version != expected_lock_version:
                by = a.updated_by.display_name if a.updated_by else None
                raise StaleRecordError("This assessment", by, a.updated_at)
            rows = {r.domain: r for r in a.domains}
            checked = {key: _checked(key, edit) for key, edit in edits.items()}
            changed = [key for key, c in checked.items() if c != _stored(rows[key])]
            # Confirming a clinical domain is a clinical judgement too.
            clinical = [key for key in changed if key in ad.CLINICAL_DOMAINS]
            if clinical and not allowed(actor.role, Action.EDIT_ASSESSMENT):
                self._actor(s, Action.EDIT_ASSESSMENT)  # audited refusal; nothing written
            edited: list[str] = []
            for key in changed:
                values, note, need, need_text, confirmed = checked[key]
                row = rows[key]
                if (values, note, need, need_text) != _content(row):
                    edited.append(key)
                    confirmed = True  # changing a domain confirms it
                row.fields_json = json.dumps(values, sort_keys=True)
                row.note, row.need_identified, row.need_text = note, need, need_text
                row.confirmed = confirmed
            a.updated_at, a.updated_by_id = utcnow(), actor.id
            s.flush()
            self._audit(
                s,
                actor,
                "assessment.save",
                "assessment",
                entity_id=a.id,
                patient_id=patient.id,
                summary=f"Saved assessment: {len(edited)} domains changed"
                + (f" ({', '.join(sorted(edited))})" if edited else "")
                + (
                    f", {len(changed) - len(edited)} confirmed"
                    if len(changed) > len(edited)
                    else ""
                ),
            )
            return self._view(s, patient, a)

    def complete(
        self, nhs: str, assessment_id: int, expected_lock_version: int | None = None
    ) -> AssessmentView:
        with self._writing(nhs, assessment_id) as s:
            actor = self._actor(s, Action.EDIT_ASSESSMENT_SOCIAL)
            patient = self._patient(s, nhs, actor)
            a = self._load(s, patient, assessment_id)
            if a.status != DRAFT:
                raise ConflictError("This assessment is already complete.")
            if expected_lock_version is not None and a.lock_version != expected_lock_version:
                by = a.updated_by.display_name if a.updated_by else None
                raise StaleRecordError("This assessment", by, a.updated_at)
            left = [ad.domain(r.domain).label for r in _ordered(list(a.domains)) if not r.confirmed]
            if left:
                raise ConflictError(
                    f"Confirm or change each domain before completing; {len(left)} still to "
                    f"confirm: {', '.join(left)}."
                )
            a.status = COMPLETE
            a.updated_at, a.updated_by_id = utcnow(), actor.id
            s.flush()
            needs = sum(1 for d in a.domains if d.need_identified)
            self._audit(
                s,
                actor,
                "assessment.complete",
                "assessment",
                entity_id=a.id,
                patient_id=patient.id,
                summary=f"Completed assessment ({needs} needs)",
            )
            return self._view(s, patient, a)

    def need_to_goal(
        self,
        nhs: str,
        assessment_id: int,
        domain: str,
        *,
        importance: int = 5,
        confidence: int = 5,
    ) -> Need:
        """Turn a domain's flagged need into a goal in the patient's care plan draft (a new
        draft, or a review of the agreed plan, is started when there is no draft), with the
        need's description as the goal, linked back to the need. The scores start in the
        middle of the scale unless given, and the goal's comment says they are still to be
        agreed with the person (who scores them when the plan is discussed)."""
        for value, name in ((importance, "importance"), (confidence, "confidence")):
            if not 0 <= value <= 10:
                raise ValidationError(name, "must be between 0 and 10")

        def add(s: Session, plan: CarePlan, row: AssessmentDomain, a: Assessment,
                actor: Actor) -> tuple[AssessmentNeedGoal, str]:  # fmt: skip
            label = ad.domain(row.domain).label
            goal = PlanGoal(
                goal_key=uuid.uuid4().hex,
                position=len(plan.goals) + 1,
                description=row.need_text,
                importance=importance,
                confidence=confidence,
                quick_win=False,
                status="active",
                comment=f"From the assessment of {a.assessed_on:%d/%m/%Y} ({label}). "
                "Scores to be agreed with the person.",
            )
            plan.goals.append(goal)
            score_point(goal, actor.id, self._today(), goal.comment)
            s.flush()
            return AssessmentNeedGoal(goal_id=goal.id, goal_key=goal.goal_key), f"goal {goal.id}"

        return self._link_need(nhs, assessment_id, domain, "goal", add)

    def need_to_action(self, nhs: str, assessment_id: int, domain: str, who: str) -> Need:
        """Turn a domain's flagged need into a team action ("who does what") in the
        patient's care plan draft, started as for ``need_to_goal``, linked back to the need.
        ``who`` is the person or role who will act, e.g. "Community matron"."""
        who_text = validate.text(who, "who", max_len=200)
        if not who_text:
            raise ValidationError("who", "say who will do it")

        def add(s: Session, plan: CarePlan, row: AssessmentDomain, a: Assessment,
                actor: Actor) -> tuple[AssessmentNeedGoal, str]:  # fmt: skip
            action = PlanContribution(
                position=len(plan.contributions) + 1,
                by_person=False,
                who=who_text,
                what=row.need_text,
            )
            plan.contributions.append(action)
            s.flush()
            return AssessmentNeedGoal(contribution_id=action.id), f"team action {action.id}"

        return self._link_need(nhs, assessment_id, domain, "team action", add)

    def _link_need(
        self,
        nhs: str,
        assessment_id: int,
        domain: str,
        kind: str,
        add: Callable[
            [Session, CarePlan, AssessmentDomain, Assessment, Actor],
            tuple[AssessmentNeedGoal, str],
        ],
    ) -> Need:
        spec = ad.domain(domain)
        with self._writing(nhs, assessment_id) as s:
            actor = self._actor(s, Action.EDIT_CARE_PLAN)
            patient = self._patient(s, nhs, actor, for_update=True)
            a = self._load(s, patient, assessment_id)
            row = next(r for r in a.domains if r.domain == spec.key)
            if not row.need_identified or not row.need_text:
                raise ConflictError(f"{spec.label}: no need is identified to turn into a {kind}.")
            existing = self._link(s, row)
            if existing is not None:
                what = "a goal" if existing.contribution_id is None else "a team action"
                raise ConflictError(f"{spec.label}: this need is already {what} in the plan.")
            plan, started = self._plan_draft(s, patient, actor)
            link, made = add(s, plan, row, a, actor)
            plan.updated_at, plan.updated_by_id = utcnow(), actor.id
            link.domain_entry_id = row.id
            link.created_at, link.created_by_id = utcnow(), actor.id
            s.add(link)
            s.flush()
            self._audit(
                s,
                actor,
                "assessment.need_to_goal" if kind == "goal" else "assessment.need_to_action",
                "care_plan",
                entity_id=plan.id,
                patient_id=patient.id,
                summary=f"Need in {spec.key} (assessment {a.id}) became {made} in "
                f"care plan v{plan.version}" + (f" ({started})" if started else ""),
            )
            return Need(spec.key, spec.label, row.need_text, link.goal_id, link.contribution_id)

    # ------------------------------------------------------------------ internals

    @staticmethod
    def _query() -> Select[Assessment]:
        return select(Assessment).options(
            selectinload(Assessment.domains),
            selectinload(Assessment.assessor),
            selectinload(Assessment.updated_by),
        )

    def _load(self, s: Session, patient: Patient, assessment_id: int) -> Assessment:
        a = s.scalars(
            self._query().where(Assessment.id == assessment_id, Assessment.patient_id == patient.id)
        ).first()
        if a is None:
            raise NotFoundError(f"This patient has no assessment {assessment_id}.")
        return a

    def _previous(
        self, s: Session, patient_id: int, *, before: Assessment | None = None
    ) -> Assessment | None:
        """The latest completed assessment (before ``before``, when given)."""
        query = self._query().where(
            Assessment.patient_id == patient_id, Assessment.status == COMPLETE
        )
        if before is not None:
            query = query.where(Assessment.id != before.id).where(
                (Assessment.assessed_on < before.assessed_on)
                | ((Assessment.assessed_on == before.assessed_on) & (Assessment.id < before.id))
            )
        return s.scalars(
            query.order_by(Assessment.assessed_on.desc(), Assessment.id.desc()).limit(1)
        ).first()

    @staticmethod
    def _link(s: Session, row: AssessmentDomain) -> AssessmentNeedGoal | None:
        return s.scalars(
            select(AssessmentNeedGoal).where(AssessmentNeedGoal.domain_entry_id == row.id)
        ).first()

    def _needs(self, s: Session, a: Assessment) -> list[Need]:
        rows = [r for r in _ordered(list(a.domains)) if r.need_identified and r.need_text]
        links = {
            link.domain_entry_id: (link.goal_id, link.contribution_id)
            for link in s.scalars(
                select(AssessmentNeedGoal).where(
                    AssessmentNeedGoal.domain_entry_id.in_([r.id for r in rows])
                )
            )
        }
        return [
            Need(
                r.domain,
                ad.domain(r.domain).label,
                r.need_text or "",
                *links.get(r.id, (None, None)),
            )
            for r in rows
        ]

    def _view(self, s: Session, patient: Patient, a: Assessment) -> AssessmentView:
        return AssessmentView(
            a.id,
            patient.nhs_number,
            f"{patient.given_name} {patient.family_name}",
            a.assessed_on,
            a.mode,
            a.assessor.display_name,
            a.assessor_role,
            a.status,
            a.lock_version,
            a.updated_at,
            [_domain_view(r) for r in _ordered(list(a.domains))],
            self._needs(s, a),
            patient.date_of_birth,
        )

    @staticmethod
    def _plan_draft(s: Session, patient: Patient, actor: Actor) -> tuple[CarePlan, str]:
        """The patient's care plan draft: the open one, else a review copied from the agreed
        plan, else a new plan. Returns it and what was started ("" when it existed)."""
        latest = s.scalars(
            select(CarePlan)
            .where(CarePlan.patient_id == patient.id)
            .order_by(CarePlan.version.desc())
            .limit(1)
        ).first()
        if latest is not None and latest.status == "draft":
            return latest, ""
        now = utcnow()
        if latest is not None and latest.status == "agreed":
            new = copy_forward(latest, latest.version + 1, actor.id, now)
            s.add(new)
            return new, f"started review v{new.version}"
        agreed = s.scalars(
            select(CarePlan).where(CarePlan.patient_id == patient.id, CarePlan.status == "agreed")
        ).first()
        if agreed is not None and latest is not None:
            new = copy_forward(agreed, latest.version + 1, actor.id, now)
            s.add(new)
            return new, f"started review v{new.version}"
        plan = CarePlan(
            patient_id=patient.id,
            version=latest.version + 1 if latest else 1,
            status="draft",
            created_at=now,
            created_by_id=actor.id,
            updated_at=now,
            updated_by_id=actor.id,
        )
        s.add(plan)
        return plan, f"started care plan v{plan.version}"
