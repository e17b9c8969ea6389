"""Every (action, role) pair of the permission matrix, through the real services.

``EXPECTED`` below is the matrix as the README documents it, written out by hand: the
first test holds ``permissions.MATRIX`` to it, the others run one or more representative
service calls per action as a member of staff of every role. An allowed role's call
succeeds; a refused role's raises PermissionDeniedError naming the role and the action,
leaves every table as it was, and adds exactly one "denied" row to the audit log.
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable
from dataclasses import dataclass, field
from itertools import count
from typing import Any

import pytest
from sqlalchemy import MetaData, func, select

from ltcdesk.db import Database
from ltcdesk.domain.errors import ConflictError, PermissionDeniedError
from ltcdesk.domain.nhs_number import complete
from ltcdesk.domain.permissions import MATRIX, Action, allowed, denial_message, require
from ltcdesk.domain.vocab import CLINICAL_ROLES, Role
from ltcdesk.models import AuditEntry
from ltcdesk.services.caseload import CaseloadService
from ltcdesk.services.patients import (
    NewPatient,
    PatientChanges,
    PatientService,
    RecordEdits,
)
from ltcdesk.services.setup import SetupService
from tests.conftest import TODAY

R = Role
CLINICAL = set(CLINICAL_ROLES)
TEAM = CLINICAL | {R.TEAM_LEAD}
EXPECTED: dict[Action, set[Role]] = {
    Action.VIEW_PATIENT: set(Role),
    Action.REGISTER_PATIENT: TEAM | {R.CARE_NAVIGATOR, R.ADMIN},
    Action.EDIT_DEMOGRAPHICS: TEAM | {R.CARE_NAVIGATOR, R.ADMIN},
    Action.EDIT_CARERS: TEAM | {R.CARE_NAVIGATOR},
    Action.RECORD_CONSENT: TEAM | {R.CARE_NAVIGATOR},
    Action.EDIT_CONDITIONS: TEAM,
    Action.RECORD_DEATH: TEAM | {R.ADMIN},
    Action.MANAGE_CASELOAD: TEAM,
    Action.TRANSFER_CASELOAD: TEAM,
    Action.MANAGE_STAFF: {R.ADMIN, R.TEAM_LEAD},
    Action.GENERATE_DEMO: {R.ADMIN, R.TEAM_LEAD},
    Action.BACKUP: {R.ADMIN, R.TEAM_LEAD},
    Action.MANAGE_ACCOUNTS: {R.ADMIN},
    Action.MANAGE_SETTINGS: {R.ADMIN},
    Action.VIEW_AUDIT: {R.ADMIN, R.TEAM_LEAD},
    Action.EDIT_CARE_PLAN: TEAM | {R.CARE_NAVIGATOR},
    Action.AGREE_CARE_PLAN: TEAM,
    Action.EDIT_ASSESSMENT: TEAM,
    Action.EDIT_ASSESSMENT_SOCIAL: TEAM | {R.CARE_NAVIGATOR},
    Action.RUN_MEETINGS: TEAM,
    Action.REQUEST_DISCUSSION: TEAM | {R.CARE_NAVIGATOR},
    Action.RECORD_EVENT: TEAM | {R.CARE_NAVIGATOR, R.ADMIN},
}
# Tables a refusal must leave exactly as they were (the audit log gains its "denied" row,
# sealed after it commits).
_AUDIT_TABLES = {"audit_log", "audit_chain", "audit_seal"}


def username_of(role: Role) -> str:
    return "admin" if role is Role.ADMIN else role.value


class World:
    """The ``team`` database plus one member of staff of every role, and fresh patients."""

    def __init__(self, db: Database) -> None:
        self.db = db
        setup = SetupService(db.sessions, "admin")
        for role in Role:
            if role is not Role.ADMIN:
                setup.add_staff(role.value, f"{role.label} Tester", role.value, team="Northfield")
        self._stems = count(1)
        self._serial = count(1)
        self._tables = MetaData()
        self._tables.reflect(bind=db.engine)

    def serial(self) -> int:
        return next(self._serial)

    def new_nhs(self) -> str:
        while True:
            number = complete(f"999{next(self._stems):06d}")
            if number is not None:
                return number

    def patients(self, user: str = "lead") -> PatientService:
        return PatientService(self.db.sessions, user, today=lambda: TODAY)

    def caseload(self, user: str = "lead") -> CaseloadService:
        return CaseloadService(self.db.sessions, user, today=lambda: TODAY)

    def patient(self) -> str:
        nhs = self.new_nhs()
        self.patients().register(new_patient(nhs))
        return nhs

    def on_caseload(self, worker: str = "matron1", level: int = 2) -> str:
        nhs = self.patient()
        self.caseload().assign(nhs, worker, level, start_date="2026-01-05")
        return nhs

    def snapshot(self) -> dict[str, list[tuple[Any, ...]]]:
        """Every row of every table but the audit log's, to compare before and after."""
        with self.db.engine.connect() as conn:
            return {
                name: sorted(map(tuple, conn.execute(select(table))), key=repr)
                for name, table in self._tables.tables.items()
                if name not in _AUDIT_TABLES
            }

    def denied(self) -> list[tuple[str, str]]:
        with self.db.sessions() as s:
            return [
                (u, summary)
                for u, summary in s.execute(
                    select(AuditEntry.username, AuditEntry.summary)
                    .where(AuditEntry.action == "denied")
                    .order_by(AuditEntry.id)
                )
            ]


def new_patient(nhs: str) -> NewPatient:
    return NewPatient(
        nhs_number=nhs,
        family_name="Permission",
        given_name="Pat",
        date_of_birth="03/02/1941",
        practice_code="C82001",
        postcode="LE4 7AB",
    )


@dataclass(frozen=True)
class Probe:
    """A service call that needs ``action``: ``prepare`` makes what it acts on (as the team
    lead, before the snapshot), ``call`` does it as the user under test."""

    name: str
    call: Callable[[World, str, Any], object]
    prepare: Callable[[World], Any] = field(default=lambda w: None)


def _demo(w: World, user: str, _: object) -> None:
    from ltcdesk.services.demo import generate_demo

    # The database has patients, so a permitted user is told so (ConflictError); a refused
    # one must have been stopped before that: the permission check comes first.
    with contextlib.suppress(ConflictError):
        generate_demo(w.db, patients=5, today=TODAY, actor_username=user)


def _add_user(w: World, user: str, _: object) -> None:
    from ltcdesk.services.accounts import AccountAdmin

    n = w.serial()
    AccountAdmin(w.db.sessions, user).add_user(
        f"new.user{n}", "New User", "district_nurse", "correct horse battery"
    )


def _list_users(w: World, user: str, _: object) -> None:
    from ltcdesk.services.accounts import AccountAdmin

    AccountAdmin(w.db.sessions, user).list_users()


def _set_setting(w: World, user: str, _: object) -> None:
    from ltcdesk.services.settings import SettingsService

    SettingsService(w.db.sessions, user).set("idle_lock_minutes", 5 + w.serial() % 50)


def _audit_export(w: World, user: str, _: object) -> None:
    from ltcdesk.services.audit import AuditFilter, AuditService

    AuditService(w.db.sessions, user).export_csv(AuditFilter())


def _audit_search(w: World, user: str, _: object) -> None:
    from ltcdesk.services.audit import AuditFilter, AuditService

    AuditService(w.db.sessions, user).search(AuditFilter())


def _with_diabetes(w: World) -> str:
    nhs = w.patient()
    w.patients().add_condition(nhs, "DM", "2020-05-01")
    return nhs


def _plans(w: World, user: str = "lead") -> Any:
    from ltcdesk.services.careplans import CarePlanService

    return CarePlanService(w.db.sessions, user, today=lambda: TODAY)


def _plan_edits() -> Any:
    from ltcdesk.services.careplan_views import CarePlanEdits, GoalEdits

    return CarePlanEdits(
        goals=(GoalEdits("Walk to the corner shop on my own", 8, 5),),
        review_date="2027-02-20",
    )


def _draft(w: World) -> tuple[str, int]:
    nhs = w.patient()
    return nhs, _plans(w).start(nhs).lock_version


def _ready_draft(w: World) -> str:
    nhs, lock = _draft(w)
    _plans(w).save_draft(nhs, _plan_edits(), lock)
    return nhs


def _agreed(w: World) -> tuple[str, int]:
    nhs = _ready_draft(w)
    plan = _plans(w).agree(nhs, "the person")
    return nhs, plan.goals[0].id


def _assess(w: World, user: str = "lead") -> Any:
    from ltcdesk.services.assessments import AssessmentService

    return AssessmentService(w.db.sessions, user, today=lambda: TODAY)


def _assessment(w: World) -> tuple[str, int, int]:
    nhs = w.patient()
    started = _assess(w).start(nhs, "face_to_face")
    return nhs, started.id, started.lock_version


def _confirmed_assessment(w: World) -> tuple[str, int, int]:
    """A draft with every domain confirmed by the matron, ready to complete."""
    from dataclasses import replace

    nhs = w.patient()
    a = _assess(w).start(nhs, "face_to_face")
    a = _assess(w).save(
        nhs, a.id, {d.key: replace(d.edit(), confirmed=True) for d in a.domains}, a.lock_version
    )
    return nhs, a.id, a.lock_version


def _meet(w: World, user: str = "lead") -> Any:
    from ltcdesk.services.meetings import MeetingService

    return MeetingService(w.db.sessions, user, today=lambda: TODAY)


def _meeting(w: World) -> tuple[str, int]:
    nhs = w.patient()
    return nhs, _meet(w).create(TODAY, "09:30", "Room 2", "lead").id


def _events(w: World, user: str = "lead") -> Any:
    from ltcdesk.services.events import EventService

    return EventService(w.db.sessions, user, today=lambda: TODAY)


def _social_edit() -> Any:
    from ltcdesk.services.assessments import DomainEdit

    return {"housing": DomainEdit({"home_hazards": True})}


def _clinical_edit() -> Any:
    from ltcdesk.services.assessments import DomainEdit

    return {"medicines": DomainEdit({"regular_medicines": 12})}


def _version(w: World) -> tuple[str, int]:
    nhs = w.patient()
    return nhs, w.patients().get(nhs).version


PROBES: dict[Action, list[Probe]] = {
    Action.VIEW_PATIENT: [
        Probe("PatientService.get", lambda w, u, nhs: w.patients(u).get(nhs), World.patient),
        Probe("PatientService.search", lambda w, u, _: w.patients(u).search("Perm")),
        Probe("CaseloadService.history", lambda w, u, n: w.caseload(u).history(n), World.patient),
        Probe("CaseloadService.sizes", lambda w, u, _: w.caseload(u).sizes()),
        Probe("ListService.index", lambda w, u, _: w.caseload(u).index(everyone=True)),
        Probe("CarePlanService.current", lambda w, u, t: _plans(w, u).current(t[0]), _agreed),
        Probe("CarePlanService.history", lambda w, u, t: _plans(w, u).history(t[0]), _agreed),
        Probe(
            "CarePlanService.plans_for_caseload",
            lambda w, u, _: _plans(w, u).plans_for_caseload("matron1"),
        ),
    ],
    Action.REGISTER_PATIENT: [
        Probe(
            "PatientService.register",
            lambda w, u, nhs: w.patients(u).register(new_patient(nhs)),
            World.new_nhs,
        ),
    ],
    Action.EDIT_DEMOGRAPHICS: [
        Probe(
            "PatientService.update",
            lambda w, u, t: w.patients(u).update(t[0], PatientChanges(phone="0116 496 0999"), t[1]),
            _version,
        ),
        Probe(
            "PatientService.save_record (details)",
            lambda w, u, nhs: w.patients(u).save_record(
                nhs, RecordEdits(changes=PatientChanges(language="Gujarati"))
            ),
            World.patient,
        ),
    ],
    Action.EDIT_CONDITIONS: [
        Probe(
            "PatientService.add_condition",
            lambda w, u, nhs: w.patients(u).add_condition(nhs, "COPD", "2019-03-01"),
            World.patient,
        ),
        Probe(
            "PatientService.end_condition",
            lambda w, u, nhs: w.patients(u).end_condition(nhs, "DM", "2026-10-01", "Resolved"),
            _with_diabetes,
        ),
    ],
    Action.EDIT_CARERS: [
        Probe(
            "PatientService.add_carer",
            lambda w, u, nhs: w.patients(u).add_carer(nhs, "Ann Carer", "daughter"),
            World.patient,
        ),
    ],
    Action.RECORD_CONSENT: [
        Probe(
            "PatientService.record_consent",
            lambda w, u, nhs: w.patients(u).record_consent(nhs, "given", "2026-11-01"),
            World.patient,
        ),
    ],
    Action.RECORD_DEATH: [
        Probe(
            "PatientService.record_death",
            lambda w, u, nhs: w.patients(u).record_death(nhs, "2026-11-01"),
            World.on_caseload,
        ),
    ],
    Action.MANAGE_CASELOAD: [
        Probe(
            "CaseloadService.assign",
            lambda w, u, nhs: w.caseload(u).assign(nhs, "matron1", 3, "Frequent admissions"),
            World.patient,
        ),
        Probe(
            "CaseloadService.change_level",
            lambda w, u, nhs: w.caseload(u).change_level(nhs, 3, "Deteriorating"),
            World.on_caseload,
        ),
        Probe(
            "CaseloadService.bulk_change_level",
            lambda w, u, nhs: w.caseload(u).bulk_change_level(list(nhs), 1, "Stable"),
            lambda w: (w.on_caseload(), w.on_caseload()),
        ),
        Probe(
            "CaseloadService.discharge",
            lambda w, u, nhs: w.caseload(u).discharge(nhs, "Goals met"),
            World.on_caseload,
        ),
    ],
    Action.TRANSFER_CASELOAD: [
        Probe(
            "CaseloadService.transfer",
            lambda w, u, nhs: w.caseload(u).transfer(nhs, "matron2", "Caseload balancing"),
            World.on_caseload,
        ),
        Probe(
            "CaseloadService.bulk_transfer",
            lambda w, u, nhs: w.caseload(u).bulk_transfer(list(nhs), "nurse", "Leave cover"),
            lambda w: (w.on_caseload(), w.on_caseload()),
        ),
    ],
    Action.MANAGE_STAFF: [
        Probe(
            "SetupService.add_staff",
            lambda w, u, _: SetupService(w.db.sessions, u).add_staff(
                f"staff{w.serial()}", "New Starter", "district_nurse", "Northfield"
            ),
        ),
        Probe(
            "SetupService.add_practice",
            lambda w, u, _: SetupService(w.db.sessions, u).add_practice(
                f"Y{w.serial():05d}", "New Surgery"
            ),
        ),
    ],
    Action.GENERATE_DEMO: [Probe("generate_demo", _demo, World.patient)],
    Action.EDIT_CARE_PLAN: [
        Probe("CarePlanService.start", lambda w, u, nhs: _plans(w, u).start(nhs), World.patient),
        Probe(
            "CarePlanService.save_draft",
            lambda w, u, t: _plans(w, u).save_draft(t[0], _plan_edits(), t[1]),
            _draft,
        ),
        Probe(
            "CarePlanService.record_follow_up",
            lambda w, u, t: _plans(w, u).record_follow_up(t[0], t[1], 8, 7, "active"),
            _agreed,
        ),
        Probe(
            "CarePlanService.start_review",
            lambda w, u, t: _plans(w, u).start_review(t[0]),
            _agreed,
        ),
    ],
    Action.AGREE_CARE_PLAN: [
        Probe(
            "CarePlanService.agree",
            lambda w, u, nhs: _plans(w, u).agree(nhs, "the person"),
            _ready_draft,
        ),
        Probe(
            "CarePlanService.close",
            lambda w, u, t: _plans(w, u).close(t[0], "Moved away"),
            _agreed,
        ),
    ],
    Action.EDIT_ASSESSMENT_SOCIAL: [
        Probe(
            "AssessmentService.start",
            lambda w, u, nhs: _assess(w, u).start(nhs, "telephone"),
            World.patient,
        ),
        Probe(
            "AssessmentService.save (a non-clinical domain)",
            lambda w, u, t: _assess(w, u).save(t[0], t[1], _social_edit(), t[2]),
            _assessment,
        ),
        Probe(
            "AssessmentService.complete",
            lambda w, u, t: _assess(w, u).complete(t[0], t[1], t[2]),
            _confirmed_assessment,
        ),
    ],
    Action.EDIT_ASSESSMENT: [
        Probe(
            "AssessmentService.save (a clinical domain)",
            lambda w, u, t: _assess(w, u).save(t[0], t[1], _clinical_edit(), t[2]),
            _assessment,
        ),
    ],
    Action.RUN_MEETINGS: [
        Probe(
            "MeetingService.create",
            lambda w, u, _: _meet(w, u).create(TODAY, "09:30", "Room 2", "lead"),
        ),
        Probe(
            "MeetingService.add_action",
            lambda w, u, t: _meet(w, u).add_action(t[1], t[0], "Ring the GP", "lead", TODAY),
            _meeting,
        ),
    ],
    Action.REQUEST_DISCUSSION: [
        Probe(
            "MeetingService.request_discussion",
            lambda w, u, nhs: _meet(w, u).request_discussion(nhs, "step_up", "More falls"),
            World.patient,
        ),
    ],
    Action.RECORD_EVENT: [
        Probe(
            "EventService.record",
            lambda w, u, nhs: _events(w, u).record(nhs, "ae", TODAY, "Northfield General"),
            World.patient,
        ),
        Probe(
            "EventService.import_csv",
            lambda w, u, nhs: _events(w, u).import_csv(
                f"NHS number,type,date,hospital\n{nhs},admission,{TODAY},Northfield\n".encode()
            ),
            World.patient,
        ),
    ],
    Action.MANAGE_ACCOUNTS: [
        Probe("AccountAdmin.add_user", _add_user),
        Probe("AccountAdmin.list_users", _list_users),
    ],
    Action.MANAGE_SETTINGS: [Probe("SettingsService.set", _set_setting)],
    Action.VIEW_AUDIT: [
        Probe("AuditService.export_csv", _audit_export),
        Probe("AuditService.search", _audit_search),
    ],
}
# No service performs these yet, so only the rule is tested (test_the_rule_itself).
_NOT_IN_A_SERVICE = {
    Action.BACKUP: "the CLI (cli_security._open_allowed) calls require() itself; a refusal "
    "is not audited",
}


def test_the_matrix_is_the_documented_one():
    assert set(MATRIX) == set(Action)
    assert {action: set(roles) for action, roles in MATRIX.items()} == EXPECTED


def test_every_action_has_a_service_probe_or_a_stated_reason():
    assert set(PROBES) | set(_NOT_IN_A_SERVICE) == set(Action)


@pytest.mark.parametrize("role", list(Role))
@pytest.mark.parametrize("action", list(Action))
def test_the_rule_itself(action, role):
    if role in EXPECTED[action]:
        require(role.value, action)
    else:
        with pytest.raises(PermissionDeniedError, match=action.description):
            require(role.value, action)


@pytest.mark.parametrize("action", list(PROBES))
def test_every_role_through_the_services(team, action):
    world = World(team)
    problems: list[str] = []
    for probe in PROBES[action]:
        for role in Role:
            problems += _try(world, probe, action, role)
    assert not problems, "\n".join(problems)


def _try(world: World, probe: Probe, action: Action, role: Role) -> list[str]:
    user = username_of(role)
    target = probe.prepare(world)
    before, denied_before = world.snapshot(), world.denied()
    where = f"{probe.name} as {role.value}"
    try:
        probe.call(world, user, target)
    except PermissionDeniedError as exc:
        refusal: PermissionDeniedError | None = exc
    else:
        refusal = None
    denied_after = world.denied()
    if role in EXPECTED[action]:
        if refusal is not None:
            return [f"{where}: refused ({refusal})"]
        if denied_after != denied_before:
            return [f"{where}: allowed, but a refusal was audited"]
        return []
    problems = []
    if refusal is None:
        return [f"{where}: allowed, but the matrix refuses it"]
    if str(refusal) != denial_message(role.value, action):
        problems.append(f"{where}: unclear message {refusal}")
    if world.snapshot() != before:
        problems.append(f"{where}: refused, but something was written")
    if denied_after != [*denied_before, (user, f"Refused: {action.value}")]:
        problems.append(f"{where}: the refusal was not audited once ({denied_after[-1:]})")
    return problems


def test_a_care_navigator_saving_details_with_a_condition_is_refused_as_a_whole(team):
    world = World(team)
    nhs = world.patient()
    opened = world.patients().get(nhs)
    before = world.snapshot()
    edits = RecordEdits(
        changes=PatientChanges(phone="0116 496 0777", language="Polish"),
        add_conditions=(("COPD", None),),
    )
    with pytest.raises(PermissionDeniedError) as info:
        world.patients("navigator").save_record(nhs, edits, opened.version)
    assert str(info.value) == "A care navigator may not edit long term conditions."
    assert world.snapshot() == before
    assert world.denied()[-1] == ("navigator", "Refused: condition.edit")
    after = world.patients().get(nhs)
    assert (after.phone, after.language, after.version) == (None, None, opened.version)
    # The same navigator may save the details on their own.
    saved = world.patients("navigator").save_record(
        nhs, RecordEdits(changes=edits.changes), opened.version
    )
    assert (saved.phone, saved.language, saved.version) == (
        "0116 496 0777",
        "Polish",
        opened.version + 1,
    )


def test_a_read_only_user_reads_but_changes_nothing(team):
    world = World(team)
    nhs = world.on_caseload()
    reader = username_of(Role.READ_ONLY)
    assert world.patients(reader).get(nhs).assignment is not None
    assert nhs in {r.nhs_number for r in world.caseload(reader).list_caseload()}
    with pytest.raises(PermissionDeniedError, match=r"^A read-only user may not record consent"):
        world.patients(reader).record_consent(nhs, "given")


@pytest.mark.parametrize(
    ("role", "action", "message"),
    [
        (Role.ADMIN, Action.EDIT_CONDITIONS, "An administrator may not edit long term conditions."),
        (Role.GP, Action.MANAGE_ACCOUNTS, "A GP may not manage user accounts."),
        (
            Role.OCCUPATIONAL_THERAPIST,
            Action.VIEW_AUDIT,
            "An occupational therapist may not view the audit log.",
        ),
        (Role.READ_ONLY, Action.EDIT_CARERS, "A read-only user may not edit carers."),
        (Role.CARE_NAVIGATOR, Action.MANAGE_CASELOAD, "A care navigator may not change caseloads."),
    ],
)
def test_refusals_name_the_role_and_the_action(role, action, message):
    assert not allowed(role.value, action)
    with pytest.raises(PermissionDeniedError) as info:
        require(role.value, action)
    assert str(info.value) == message


def test_an_unknown_role_is_refused_everything():
    for action in Action:
        assert not allowed("superuser", action)
        with pytest.raises(PermissionDeniedError, match=r"^The role 'superuser' may not"):
            require("superuser", action)


def test_the_denied_audit_rows_are_counted_once_per_refusal(team):
    # A refusal inside save_record stops at the first action refused: one row, not one per
    # refused part.
    world = World(team)
    nhs = world.patient()
    edits = RecordEdits(add_conditions=(("COPD", None),), changes=PatientChanges(language="Urdu"))
    reader = username_of(Role.READ_ONLY)
    with world.db.sessions() as s:
        before = s.scalar(select(func.count()).select_from(AuditEntry))
    with pytest.raises(PermissionDeniedError, match="edit patient details"):
        world.patients(reader).save_record(nhs, edits)
    with world.db.sessions() as s:
        assert s.scalar(select(func.count()).select_from(AuditEntry)) == before + 1
