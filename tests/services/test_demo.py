"""Demo data: what a team lead would check in a freshly generated database."""

from __future__ import annotations

import itertools
import json
import statistics
from collections import Counter, defaultdict
from collections.abc import Iterator
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import func, insert, select, text

from ltcdesk.db import Database, open_database
from ltcdesk.domain import assessment_domains as ad
from ltcdesk.domain import validate
from ltcdesk.domain.errors import ConflictError, ValidationError
from ltcdesk.domain.nhs_number import is_valid
from ltcdesk.domain.vocab import (
    CONDITION_NAMES,
    KEY_WORKER_ROLES,
    MATRON_CASELOAD_LIMIT,
    AssignmentChange,
    Role,
)
from ltcdesk.models import (
    Assessment,
    AuditEntry,
    Carer,
    CaseloadAssignment,
    ConsentRecord,
    Conversation,
    Patient,
    PatientCondition,
    Practice,
    StaffMember,
    utcnow,
)
from ltcdesk.services import demo
from ltcdesk.services.demo import DemoSummary, generate_demo
from ltcdesk.services.demo_assessments import ASSESSMENT_DOMAIN_T, ASSESSMENT_T, PER_WORKER
from ltcdesk.services.demo_conversations import (
    CONVERSATION_T,
    FOLLOW_UP_T,
    NAV_ASSIGNMENT_T,
    SIGNPOST_T,
    TOPIC_NOTE_T,
    TOPIC_T,
)

TODAY = date(2026, 11, 22)
PATIENTS = 2000

A, P, S = demo.ASSIGNMENT_T, demo.PATIENT_T, demo.STAFF_T


def _rows(db: Database, query: Any) -> list[Any]:
    with db.engine.connect() as conn:
        return list(conn.execute(query).all())


def _count(db: Database, table: Any) -> int:
    with db.engine.connect() as conn:
        return int(conn.execute(select(func.count()).select_from(table)).scalar_one())


def _counts(db: Database) -> dict[str, int]:
    tables = (
        Patient,
        PatientCondition,
        Carer,
        ConsentRecord,
        CaseloadAssignment,
        StaffMember,
        Practice,
        AuditEntry,
    )
    return {m.__tablename__: _count(db, m.__table__) for m in tables}


def _age(dob: date, on: date) -> int:
    return on.year - dob.year - ((on.month, on.day) < (dob.month, dob.day))


@pytest.fixture(scope="module")
def generated(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Database, DemoSummary]]:
    db = open_database(tmp_path_factory.mktemp("demo") / "t.db")
    summary = generate_demo(db, patients=PATIENTS, seed=1, today=TODAY)
    yield db, summary
    db.dispose()


@pytest.fixture
def fresh_db(tmp_path: Path) -> Iterator[Database]:
    db = open_database(tmp_path / "t.db")
    yield db
    db.dispose()


# ---------------------------------------------------------------- the team and counts


def test_summary_matches_database(generated: tuple[Database, DemoSummary]) -> None:
    db, summary = generated
    counts = _counts(db)
    assert summary.patients == counts["patients"] == PATIENTS
    assert summary.conditions == counts["patient_conditions"]
    assert summary.carers == counts["carers"]
    assert summary.practices == counts["practices"] == 4
    assert summary.staff == 14
    assert counts["staff"] == 15  # the demo team and the administrator who ran it
    open_rows = _count(db, select(A.c.id).where(A.c.end_date.is_(None)).subquery())
    assert summary.on_caseload == open_rows
    assert summary.assessments == _count(db, ASSESSMENT_T)
    assert summary.conversations == _count(db, CONVERSATION_T)
    assert 0 < summary.seconds < 30


def test_team_has_the_expected_roles(generated: tuple[Database, DemoSummary]) -> None:
    db, summary = generated
    staff = _rows(db, select(S.c.username, S.c.display_name, S.c.role, S.c.team_id))
    roles = Counter(role for _, _, role, _ in staff)
    assert roles == {
        Role.COMMUNITY_MATRON: 3,
        Role.DISTRICT_NURSE: 2,
        Role.GP: 1,
        Role.SOCIAL_WORKER: 1,
        Role.OCCUPATIONAL_THERAPIST: 1,
        Role.PHYSIOTHERAPIST: 1,
        Role.PHARMACIST: 1,
        Role.MENTAL_HEALTH_WORKER: 1,
        Role.CARE_NAVIGATOR: 2,
        Role.TEAM_LEAD: 1,
        Role.ADMIN: 1,
    }
    demo_staff = {u for u, _, role, _ in staff if role != Role.ADMIN}
    assert set(summary.demo_usernames) == demo_staff
    for username, display, role, team_id in staff:
        assert validate.username(username) == username
        assert display.strip()
        assert (team_id is None) == (role == Role.ADMIN)
    admin = [(u, d) for u, d, role, _ in staff if role == Role.ADMIN]
    assert admin == [("admin", "Administrator")]


def test_practices_have_valid_codes_and_uneven_lists(
    generated: tuple[Database, DemoSummary],
) -> None:
    db, _ = generated
    practices = _rows(db, select(Practice.__table__.c.id, Practice.__table__.c.code))
    for _, code in practices:
        assert validate.practice_code(code) == code
    sizes = Counter(pid for (pid,) in _rows(db, select(P.c.practice_id)))
    assert set(sizes) == {pid for pid, _ in practices}
    assert max(sizes.values()) > 1.8 * min(sizes.values())


# ---------------------------------------------------------------- patients


def test_nhs_numbers_are_valid_test_numbers_and_unique(
    generated: tuple[Database, DemoSummary],
) -> None:
    db, _ = generated
    numbers = [n for (n,) in _rows(db, select(P.c.nhs_number))]
    assert len(set(numbers)) == len(numbers) == PATIENTS
    assert all(n.startswith("999") and is_valid(n) for n in numbers)


def test_demographics_are_believable(generated: tuple[Database, DemoSummary]) -> None:
    db, _ = generated
    rows = _rows(
        db,
        select(
            P.c.date_of_birth,
            P.c.sex,
            P.c.postcode,
            P.c.phone,
            P.c.address,
            P.c.lives_alone,
            P.c.interpreter_needed,
            P.c.language,
            P.c.version,
            P.c.family_name,
            P.c.given_name,
        ),
    )
    ages = [_age(r.date_of_birth, TODAY) for r in rows]
    assert statistics.median(ages) > 65
    assert min(ages) >= 18
    assert max(ages) <= 105
    assert sum(55 <= a <= 95 for a in ages) > 0.7 * len(ages)
    assert sum(a < 55 for a in ages) > 0.05 * len(ages)
    sexes = Counter(r.sex for r in rows)
    assert sexes["female"] > sexes["male"] > 0.35 * len(rows)
    for r in rows:
        assert r.version == 1
        assert validate.postcode(r.postcode) == r.postcode
        assert r.postcode.startswith("LE4 ")
        assert r.phone is None or validate.phone(r.phone) == r.phone
        assert r.address
        assert len(r.address) <= 200
        assert (r.language is not None) == r.interpreter_needed
    over_75 = [r for r, a in zip(rows, ages, strict=True) if a >= 75]
    alone = sum(r.lives_alone for r in over_75) / len(over_75)
    assert 0.2 < alone < 0.4
    interpreters = sum(r.interpreter_needed for r in rows)
    assert 0.01 * len(rows) < interpreters < 0.1 * len(rows)
    names = [f"{r.given_name} {r.family_name}" for r in rows]
    assert any(not n.isascii() for n in names)
    assert any("'" in n for n in names)


def test_name_lists_include_accents_and_apostrophes() -> None:
    data = json.loads((demo.RESOURCES / "names.json").read_text(encoding="utf-8"))
    everything = {
        name
        for group in data["groups"].values()
        for key, names in group.items()
        if key in ("female", "male", "female_young", "male_young", "family")
        for name in names
    }
    assert {"María", "O'Kon", "Zoë", "Nguyễn"} <= everything


def test_conditions_follow_age_and_clusters(generated: tuple[Database, DemoSummary]) -> None:
    db, _ = generated
    pc = PatientCondition.__table__.c
    rows = _rows(
        db,
        select(
            pc.patient_id, pc.condition_code, pc.diagnosed_on, pc.ended_on, P.c.date_of_birth
        ).join(P, P.c.id == pc.patient_id),
    )
    assert {r.condition_code for r in rows} <= set(CONDITION_NAMES)
    by_code = Counter(r.condition_code for r in rows)
    assert by_code.most_common(1)[0][0] == "HYP"
    per_patient: dict[int, set[str]] = defaultdict(set)
    dob: dict[int, date] = {}
    for r in rows:
        per_patient[r.patient_id].add(r.condition_code)
        dob[r.patient_id] = r.date_of_birth
        assert r.date_of_birth <= r.diagnosed_on <= TODAY
        assert r.ended_on is None or r.diagnosed_on <= r.ended_on <= TODAY
    assert max(Counter(r.patient_id for r in rows).values()) <= 7
    assert any(r.ended_on is not None for r in rows)
    old = [p for p in per_patient if _age(dob[p], TODAY) >= 75]
    young = [p for p in per_patient if _age(dob[p], TODAY) < 55]
    assert statistics.mean(len(per_patient[p]) for p in old) > statistics.mean(
        len(per_patient[p]) for p in young
    )
    assert any({"DM", "CKD", "HYP"} <= codes for codes in per_patient.values())
    assert any({"HF", "AF"} <= codes for codes in per_patient.values())
    dementia_ages = [_age(dob[p], TODAY) for p, codes in per_patient.items() if "DEM" in codes]
    assert statistics.median(dementia_ages) >= 80


def test_carers_and_consent(generated: tuple[Database, DemoSummary]) -> None:
    db, _ = generated
    c = Carer.__table__.c
    carers = _rows(
        db,
        select(
            c.patient_id,
            c.name,
            c.relationship_to_patient,
            c.phone,
            c.offered_support,
            c.support_offered_on,
        ),
    )
    with_carer = {r.patient_id for r in carers}
    assert 0.12 * PATIENTS < len(with_carer) < 0.3 * PATIENTS
    assert {"wife", "husband", "daughter", "son", "neighbour", "friend"} <= {
        r.relationship_to_patient for r in carers
    }
    for r in carers:
        assert r.name.strip()
        assert r.phone is None or validate.phone(r.phone) == r.phone
        assert (r.support_offered_on is not None) == r.offered_support
        assert r.support_offered_on is None or r.support_offered_on <= TODAY

    cr = ConsentRecord.__table__.c
    consents = _rows(
        db,
        select(cr.patient_id, cr.id, cr.status, cr.recorded_on, cr.recorded_by_id).order_by(
            cr.patient_id, cr.id
        ),
    )
    staff_ids = {i for (i,) in _rows(db, select(S.c.id))}
    latest = {r.patient_id: r for r in consents}  # ordered by id: the newest wins
    status = Counter(r.status for r in latest.values())
    assert 0.78 < status["given"] / PATIENTS < 0.92
    assert 0.02 < status["declined"] / PATIENTS < 0.09
    assert len(latest) < PATIENTS  # some have no record yet
    for r in consents:
        assert r.recorded_by_id in staff_ids
        assert r.recorded_on <= TODAY


# ---------------------------------------------------------------- caseloads


def test_matron_caseloads(generated: tuple[Database, DemoSummary]) -> None:
    db, _ = generated
    rows = _rows(
        db,
        select(S.c.username, S.c.role, A.c.level, func.count())
        .join(S, S.c.id == A.c.key_worker_id)
        .where(A.c.end_date.is_(None))
        .group_by(S.c.username, S.c.role, A.c.level),
    )
    level3 = {u: n for u, role, level, n in rows if level == 3}
    assert all(role == Role.COMMUNITY_MATRON for _, role, level, _ in rows if level == 3)
    assert len(level3) == 3
    over = [n for n in level3.values() if n > MATRON_CASELOAD_LIMIT]
    assert len(over) == 1
    assert 84 <= over[0] <= 90
    assert all(60 <= n <= 75 for n in level3.values() if n <= MATRON_CASELOAD_LIMIT)
    for _, role, level, _ in rows:
        assert role in KEY_WORKER_ROLES
        if level == 2:
            assert role not in (Role.GP, Role.TEAM_LEAD, Role.COMMUNITY_MATRON)
    per_level: Counter[int] = Counter()
    for _, _, level, n in rows:
        per_level[level] += n
    assert 0.08 * PATIENTS < per_level[2] < 0.16 * PATIENTS
    assert 0.18 * PATIENTS < per_level[1] < 0.32 * PATIENTS


def test_caseload_history(generated: tuple[Database, DemoSummary]) -> None:
    db, _ = generated
    rows = _rows(
        db,
        select(
            A.c.patient_id,
            A.c.id,
            A.c.start_date,
            A.c.start_change,
            A.c.end_date,
            A.c.end_change,
            A.c.end_reason,
            A.c.created_by_id,
            A.c.level,
            A.c.key_worker_id,
        ).order_by(A.c.patient_id, A.c.start_date, A.c.id),
    )
    by_patient: dict[int, list[Any]] = defaultdict(list)
    for r in rows:
        by_patient[r.patient_id].append(r)
        assert r.end_date is None or r.start_date <= r.end_date <= TODAY
        assert (r.end_date is None) == (r.end_change is None)
    with_history = [rs for rs in by_patient.values() if len(rs) > 1]
    assert 0.1 * len(by_patient) < len(with_history) < 0.3 * len(by_patient)
    moves = {AssignmentChange.STEP_UP, AssignmentChange.STEP_DOWN, AssignmentChange.TRANSFER}
    for earlier, later in with_history:
        assert earlier.end_change in moves
        assert earlier.end_reason
        assert earlier.end_date == later.start_date
        assert later.start_change == earlier.end_change
        if earlier.end_change == AssignmentChange.STEP_UP:
            assert later.level > earlier.level
        elif earlier.end_change == AssignmentChange.STEP_DOWN:
            assert later.level < earlier.level
        else:
            assert later.level == earlier.level
            assert later.key_worker_id != earlier.key_worker_id
    firsts = Counter(rs[0].start_change for rs in by_patient.values())
    assert set(firsts) == {AssignmentChange.ACCEPTED}


def test_no_patient_has_two_open_assignments(generated: tuple[Database, DemoSummary]) -> None:
    db, _ = generated
    doubled = _rows(
        db,
        select(A.c.patient_id)
        .where(A.c.end_date.is_(None))
        .group_by(A.c.patient_id)
        .having(func.count() > 1),
    )
    assert doubled == []


def test_deceased_have_no_open_assignment(generated: tuple[Database, DemoSummary]) -> None:
    db, _ = generated
    dead = dict(_rows(db, select(P.c.id, P.c.date_of_death).where(P.c.date_of_death.is_not(None))))
    assert 0 < len(dead) < 0.02 * PATIENTS
    assert all(d <= TODAY for d in dead.values())
    rows = _rows(
        db, select(A.c.patient_id, A.c.end_date, A.c.end_change).where(A.c.patient_id.in_(dead))
    )
    assert all(r.end_date is not None for r in rows)
    last = {r.patient_id: r for r in sorted(rows, key=lambda r: r.end_date)}
    for pid, r in last.items():
        assert r.end_change == AssignmentChange.DEATH
        assert r.end_date == dead[pid]


# ---------------------------------------------------------------- care plans


def test_care_plans_for_a_share_of_the_caseload(generated: tuple[Database, DemoSummary]) -> None:
    db, summary = generated
    cp = demo.CAREPLAN_T.c
    plans = _rows(db, select(cp.patient_id, cp.version, cp.status, cp.agreed_on, cp.review_date))
    assert summary.care_plans == len({pid for pid, *_ in plans}) > 0
    levels = dict(_rows(db, select(A.c.patient_id, A.c.level).where(A.c.end_date.is_(None))))
    by_level = Counter(levels[pid] for pid, v, *_ in plans if v == 1)
    on_level = Counter(levels.values())
    assert by_level[3] / on_level[3] > 0.7
    assert 0.25 < by_level[2] / on_level[2] < 0.55
    assert by_level[1] / on_level[1] < 0.1
    # Versions: numbered from 1, the newest agreed (or a review in progress with the one
    # before agreed), every older one superseded.
    versions: dict[int, list[tuple[int, str]]] = defaultdict(list)
    for pid, version, status, agreed_on, review_date in plans:
        versions[pid].append((version, status))
        assert (agreed_on is None) == (status == "draft") == (review_date is None)
        if agreed_on is not None:
            assert agreed_on <= TODAY < agreed_on + (review_date - agreed_on) * 10
    statuses = Counter()
    for rows in versions.values():
        rows.sort()
        assert [v for v, _ in rows] == list(range(1, len(rows) + 1))
        kinds = [s for _, s in rows]
        statuses.update(kinds)
        if kinds[-1] == "draft":
            assert kinds[-2:] == ["agreed", "draft"] if len(kinds) > 1 else kinds == ["draft"]
            kinds = kinds[:-1]
        assert kinds == ["superseded"] * (len(kinds) - 1) + ["agreed"]
    assert statuses["superseded"] > 0.15 * summary.care_plans
    assert 0 < statuses["draft"] < 0.15 * summary.care_plans
    assert sum(len(v) >= 3 for v in versions.values()) > 0


def test_most_agreed_plans_are_reviewed_on_time(generated: tuple[Database, DemoSummary]) -> None:
    """A team that keeps up: review dates spread over the months ahead, a few overdue
    (mostly by weeks, not a season), a few more due in the next fortnight."""
    db, _ = generated
    cp = demo.CAREPLAN_T.c
    due = [d for (d,) in _rows(db, select(cp.review_date).where(cp.status == "agreed"))]
    overdue = [d for d in due if d < TODAY]
    soon = [d for d in due if TODAY <= d <= TODAY + timedelta(days=14)]
    assert 0 < len(overdue) < 0.15 * len(due)
    assert 0 < len(soon) < 0.15 * len(due)
    assert sum(d > TODAY + timedelta(days=60) for d in due) > 0.5 * len(due)
    assert min(overdue) > TODAY - timedelta(days=150)
    # Superseded versions were re-agreed around their review date.
    plans = _rows(db, select(cp.patient_id, cp.version, cp.agreed_on, cp.review_date))
    agreed = {(pid, v): (on, review) for pid, v, on, review in plans if on is not None}
    for (pid, v), (_, review) in agreed.items():
        if (pid, v + 1) in agreed:
            again = agreed[pid, v + 1][0]
            assert -20 <= (again - review).days <= 35


def test_goals_scores_and_contingency_are_plausible(
    generated: tuple[Database, DemoSummary],
) -> None:
    db, _ = generated
    g = demo.PLAN_GOAL_T.c
    goals = _rows(
        db,
        select(
            g.id,
            g.plan_id,
            g.goal_key,
            g.position,
            g.description,
            g.importance,
            g.confidence,
            g.quick_win,
        ),
    )
    assert all(0 <= imp <= 10 and 0 <= conf <= 10 for *_, imp, conf, _ in goals)
    assert all(pos == 1 for _, _, _, pos, *_, quick in goals if quick)
    assert "Walk to the corner shop on my own" in {d for *_, d, _, _, _ in goals}
    sc = demo.PLAN_SCORE_T.c
    trend: dict[str, list[tuple[date, int]]] = defaultdict(list)
    key_of = {gid: key for gid, _, key, *_ in goals}
    for goal_id, on, conf in _rows(db, select(sc.goal_id, sc.recorded_on, sc.confidence)):
        assert on <= TODAY
        trend[key_of[goal_id]].append((on, conf))
    long_trends = [t for t in trend.values() if len(t) >= 3]
    assert len(long_trends) > 20
    rising = sum(sorted(t)[-1][1] > sorted(t)[0][1] for t in long_trends)
    assert rising > len(long_trends) / 2  # confidence mostly rises over follow-ups
    # A goal carried into a review keeps its lineage: the key is in several plans.
    plans_per_key = Counter(key for _, _, key, *_ in goals)
    assert max(plans_per_key.values()) >= 3
    c = demo.PLAN_CONTINGENCY_T.c
    levels = defaultdict(list)
    for plan_id, level, out_of_hours in _rows(
        db, select(c.plan_id, c.level, c.call_out_of_hours).order_by(c.plan_id, c.position)
    ):
        levels[plan_id].append((level, out_of_hours))
    assert all([lv for lv, _ in rows] == ["green", "amber", "red"] for rows in levels.values())
    assert all(rows[2][1] == "999" for rows in levels.values())
    assert len(levels) == _count(db, demo.CAREPLAN_T)


def test_accented_long_goal_and_caseload_batch_read_through_the_service(fresh_db: Database) -> None:
    from ltcdesk.services.careplans import CarePlanService

    db = fresh_db  # read through the service, which audits: not the shared database
    generate_demo(db, patients=PATIENTS, seed=1, today=TODAY)
    g, cp = demo.PLAN_GOAL_T.c, demo.CAREPLAN_T.c
    rows = _rows(
        db,
        select(P.c.nhs_number, P.c.given_name, P.c.family_name, g.description)
        .join(demo.CAREPLAN_T, cp.patient_id == P.c.id)
        .join(demo.PLAN_GOAL_T, g.plan_id == cp.id)
        .where(func.length(g.description) > 500),
    )
    assert rows
    nhs, given, family, text = rows[0]
    assert not f"{given} {family}".isascii()
    assert 500 < len(text) <= 2000
    plan = CarePlanService(db.sessions, "k.oconnell", today=lambda: TODAY).current(nhs)
    assert plan is not None
    assert plan.patient_name == f"{given} {family}"
    assert plan.goals[0].description == text

    plans = CarePlanService(db.sessions, "k.oconnell", today=lambda: TODAY).plans_for_caseload(
        "m.okafor"
    )
    assert len(plans) > 20
    assert all(p.status == "agreed" and p.goals and p.contingency for p in plans)
    assert any(len(g.scores) >= 3 for p in plans for g in p.goals)


# ---------------------------------------------------------------- assessments


def _open_caseload(db: Database) -> dict[int, tuple[int, int]]:
    """patient id -> (level, key worker) of the open caseload assignments."""
    query = select(A.c.patient_id, A.c.level, A.c.key_worker_id).where(A.c.end_date.is_(None))
    return {pid: (level, worker) for pid, level, worker in _rows(db, query)}


def _domains(db: Database) -> dict[int, dict[str, Any]]:
    """assessment id -> domain key -> its row."""
    out: dict[int, dict[str, Any]] = defaultdict(dict)
    for row in _rows(db, select(ASSESSMENT_DOMAIN_T)):
        out[row.assessment_id][row.domain] = row
    return out


def test_completed_assessments_for_most_of_the_caseload(
    generated: tuple[Database, DemoSummary],
) -> None:
    db, summary = generated
    caseload = _open_caseload(db)
    a = ASSESSMENT_T.c
    rows = _rows(db, select(ASSESSMENT_T).order_by(a.patient_id, a.assessed_on, a.id))
    assert summary.assessments == len(rows)
    complete = [r for r in rows if r.status == "complete"]
    drafts = [r for r in rows if r.status == "draft"]
    per_patient = Counter(r.patient_id for r in complete)
    assert set(per_patient) <= set(caseload)  # only people with a key worker
    assert len(per_patient) > 0.6 * len(caseload)
    assert set(per_patient.values()) == {1, 2, 3}
    lead = _rows(db, select(S.c.id).where(S.c.username == "k.oconnell"))[0][0]
    roles = dict(_rows(db, select(S.c.id, S.c.role)))
    for r in rows:
        assert TODAY - timedelta(days=731) <= r.assessed_on <= TODAY
        assert r.assessor_id in (caseload[r.patient_id][1], lead)
        assert r.assessor_role == roles[r.assessor_id]
        assert r.created_by_id == r.updated_by_id == r.assessor_id
        assert r.lock_version == 1
    assert Counter(r.mode for r in complete).keys() == {"face_to_face", "telephone"}
    assert sum(r.assessor_id == lead for r in complete) > 0.1 * len(complete)
    # A couple of reviews in progress, each after the person's completed ones.
    assert len(drafts) == len({r.patient_id for r in drafts}) == 2
    last_done = {r.patient_id: r.assessed_on for r in complete}
    assert all(last_done[r.patient_id] <= r.assessed_on for r in drafts)
    # Every assessment covers every domain; a completed one has them all confirmed.
    domains = _domains(db)
    keys = {d.key for d in ad.DOMAINS}
    assert all(set(domains[r.id]) == keys for r in rows)
    if "confirmed" in ASSESSMENT_DOMAIN_T.c:
        assert all(d.confirmed for r in complete for d in domains[r.id].values())
        assert all(not all(d.confirmed for d in domains[r.id].values()) for r in drafts)


def test_assessment_values_needs_and_prefilling(generated: tuple[Database, DemoSummary]) -> None:
    db, _ = generated
    caseload = _open_caseload(db)
    a = ASSESSMENT_T.c
    rows = _rows(db, select(ASSESSMENT_T).order_by(a.patient_id, a.assessed_on, a.id))
    domains = _domains(db)
    barthel: dict[int, list[int]] = defaultdict(list)
    medicines, needs, notes = [], [], 0
    for r in rows:
        for key, d in domains[r.id].items():
            values = json.loads(d.fields_json)
            # Valid for the domain and stored as the service stores it.
            assert ad.check_fields(ad.domain(key), values) == values
            assert d.fields_json == json.dumps(values, sort_keys=True)
            assert bool(d.need_identified) == bool(d.need_text)
            notes += d.note is not None
            if key == "daily_living":
                barthel[caseload[r.patient_id][0]].append(values["barthel_total"])
            if key == "medicines":
                medicines.append(values["regular_medicines"])
        needs.append(sum(bool(d.need_identified) for d in domains[r.id].values()))
    assert statistics.median(barthel[3]) < statistics.median(barthel[2])
    assert statistics.median(barthel[2]) < statistics.median(barthel[1])
    assert statistics.median(barthel[3]) <= 12  # case management: mostly dependent
    assert min(medicines) >= 2
    assert max(medicines) <= 18
    assert 0.2 < sum(m >= ad.POLYPHARMACY_AT for m in medicines) / len(medicines) < 0.9
    assert set(needs) <= {0, 1, 2, 3, 4}
    assert {0, 1, 2} <= set(needs)
    assert max(needs) >= 3
    assert notes > len(rows)  # some notes, not a note everywhere
    texts = {d.need_text for ds in domains.values() for d in ds.values() if d.need_text}
    assert {"Struggles with stairs to the bathroom", "Worried about heating bills"} <= texts
    # A later assessment is pre-filled from the one before: most domains as they were,
    # a few re-assessed.
    by_patient: dict[int, list[Any]] = defaultdict(list)
    for r in rows:
        if r.status == "complete":
            by_patient[r.patient_id].append(r)
    pairs = [(x, y) for seq in by_patient.values() for x, y in itertools.pairwise(seq)]
    assert len(pairs) > 50
    for before, after in pairs:
        assert after.assessed_on > before.assessed_on
        same = sum(
            domains[before.id][k].fields_json == domains[after.id][k].fields_json
            for k in domains[after.id]
        )
        assert 12 <= same < len(ad.DOMAINS) + 1
    assert any(
        domains[x.id][k].fields_json != domains[y.id][k].fields_json
        for x, y in pairs
        for k in domains[y.id]
    )


def test_assessments_per_key_worker_are_capped(fresh_db: Database) -> None:
    summary = generate_demo(fresh_db, patients=6000, seed=2, today=TODAY)
    a = ASSESSMENT_T.c
    caseload = _open_caseload(fresh_db)
    people = {pid for (pid,) in _rows(fresh_db, select(a.patient_id).distinct())}
    per_worker = Counter(caseload[pid][1] for pid in people)
    assert max(per_worker.values()) <= PER_WORKER + 2  # the drafts are not capped
    assert summary.assessments < 2.5 * PER_WORKER * len(per_worker)


# ---------------------------------------------------------------- navigators


def test_navigator_lists_and_conversations(generated: tuple[Database, DemoSummary]) -> None:
    db, summary = generated
    caseload = _open_caseload(db)
    navigators = dict(
        _rows(db, select(S.c.id, S.c.username).where(S.c.role == Role.CARE_NAVIGATOR.value))
    )
    assigned = _rows(db, select(NAV_ASSIGNMENT_T))
    current = [r for r in assigned if r.end_date is None]
    sizes = Counter(r.navigator_id for r in current)
    assert set(sizes) == set(navigators)
    assert all(40 <= size <= 60 for size in sizes.values())
    assert len({r.patient_id for r in current}) == len(current)  # one open list each
    assert {r.patient_id for r in assigned} <= set(caseload)
    assert any(r.end_date is not None for r in assigned)  # some moved between navigators
    assert all(r.start_date <= TODAY for r in assigned)
    since = {r.patient_id: r.start_date for r in current}

    c = CONVERSATION_T.c
    conversations = _rows(db, select(CONVERSATION_T))
    assert summary.conversations == len(conversations)
    per_patient = Counter(r.patient_id for r in conversations)
    assert set(per_patient) <= set(since)
    assert max(per_patient.values()) <= 5
    never = set(since) - set(per_patient)
    assert 0 < len(never) < 0.3 * len(since)
    for r in conversations:
        assert since[r.patient_id] <= r.held_on <= TODAY
        assert r.held_on >= TODAY - timedelta(days=183)
        assert r.with_patient or r.with_carer
        assert r.recorded_by_id in navigators
        assert r.flag_to_team == (r.flag_reason is not None)
        assert r.flag_to_team or r.flag_handled_at is None
    assert {r.mode for r in conversations} == {"visit", "phone", "video", "group"}
    open_flags = [r for r in conversations if r.flag_to_team and r.flag_handled_at is None]
    assert 2 <= len(open_flags) <= 15
    assert any(r.flag_handled_at is not None for r in conversations)
    assert sum(r.what_matters is not None for r in conversations) > 0.3 * len(conversations)

    topics = {code for (code,) in _rows(db, select(TOPIC_T.c.code))}
    notes = _rows(db, select(TOPIC_NOTE_T.c.conversation_id, TOPIC_NOTE_T.c.topic_code))
    assert {code for _, code in notes} <= topics
    assert len({code for _, code in notes}) >= 8
    assert {cid for cid, _ in notes} == {r.id for r in conversations}  # every one has a topic
    services = {s for (s,) in _rows(db, select(SIGNPOST_T.c.service))}
    assert {"Citizens Advice", "Warm Homes scheme"} <= services
    held = dict(_rows(db, select(c.id, c.held_on)))
    follow_ups = _rows(db, select(FOLLOW_UP_T))
    assert all(f.due_on > held[f.conversation_id] for f in follow_ups)
    assert all(f.done_on is None or f.done_on > held[f.conversation_id] for f in follow_ups)
    assert any(f.done_on is None and f.due_on < TODAY for f in follow_ups)  # overdue
    assert any(f.done_on is not None for f in follow_ups)
    assert any(f.by_staff_id is None for f in follow_ups)  # "her daughter", Age UK


def test_demo_reads_through_the_services_and_the_audit_chain_holds(
    fresh_db: Database,
) -> None:
    from ltcdesk.services.assessments import AssessmentService
    from ltcdesk.services.audit import AuditService
    from ltcdesk.services.conversations import ConversationService

    db = fresh_db  # the services audit what they read: not the shared database
    generate_demo(db, patients=PATIENTS, seed=1, today=TODAY)
    dd = ASSESSMENT_DOMAIN_T.c
    [(nhs,)] = _rows(
        db,
        select(P.c.nhs_number)
        .join(ASSESSMENT_T, ASSESSMENT_T.c.patient_id == P.c.id)
        .join(ASSESSMENT_DOMAIN_T, dd.assessment_id == ASSESSMENT_T.c.id)
        .where(ASSESSMENT_T.c.status == "complete", dd.need_identified.is_(True))
        .order_by(P.c.id)
        .limit(1),
    )
    assessments = AssessmentService(db.sessions, "m.okafor", today=lambda: TODAY)
    latest = assessments.latest(nhs)
    assert latest is not None
    assert latest.status == "complete"
    assert [d.key for d in latest.domains] == [d.key for d in ad.DOMAINS]
    assert latest.needs
    assert all(need.text for need in latest.needs)
    history = assessments.history(nhs)
    assert history[0].id == latest.id
    assert all(h.status == "complete" for h in history[1:] if h.assessed_on < TODAY)

    for username in ("p.lakhani", "g.evans"):
        navigator = ConversationService(db.sessions, username, today=lambda: TODAY)
        rows = navigator.my_list()
        assert 40 <= len(rows) <= 60
        due = [r for r in rows if r.due_a_call]
        assert 0 < len(due) < len(rows)
        assert any(r.last_contact is None for r in due)
        assert any(
            r.last_contact is not None and r.last_contact > TODAY - timedelta(days=28)
            for r in rows
            if not r.due_a_call
        )
        talked = next(r for r in rows if r.last_contact is not None)
        history_of = navigator.list_for(talked.nhs_number)
        assert history_of[0].held_on == talked.last_contact
        assert all(v.topics or v.what_matters for v in history_of)
    flags = ConversationService(db.sessions, "k.oconnell", today=lambda: TODAY).flags_open()
    assert flags
    assert all(f.reason for f in flags)
    assert [f.held_on for f in flags] == sorted(f.held_on for f in flags)

    check = AuditService(db.sessions, "k.oconnell").verify()
    assert check.ok, check.message
    assert check.rows_checked > 1


# ---------------------------------------------------------------- whiteboard meetings


def test_whiteboard_meetings(fresh_db: Database) -> None:
    """Four weeks of closed Tuesday and Friday meetings read through the service; the next
    is planned and its agenda, built live, carries the open actions forward."""
    from ltcdesk.services.audit import AuditService
    from ltcdesk.services.meeting_views import DECISIONS, Section
    from ltcdesk.services.meetings import MeetingService

    db = fresh_db  # the service audits what it reads
    summary = generate_demo(db, patients=PATIENTS, seed=1, today=TODAY)
    service = MeetingService(db.sessions, "k.oconnell", today=lambda: TODAY)
    meetings = service.list_meetings()
    assert summary.meetings == len(meetings) == 10
    closed = [m for m in meetings if m.status == "closed"]
    planned = [m for m in meetings if m.status == "planned"]
    assert len(closed) == 8
    assert len(planned) == 2
    assert all(m.held_on < TODAY <= p.held_on for m in closed for p in planned)
    assert {m.held_on.isoweekday() for m in meetings} == {2, 5}
    assert all(m.chair_name == "Kate O'Connell" for m in meetings)
    assert all(m.place == "Whiteboard room, Northfield Health Centre" for m in meetings)
    assert all(8 <= m.items <= 15 for m in closed)
    assert all(m.items == 0 and not m.agenda_locked for m in planned)

    sections: Counter[str] = Counter()
    decisions: Counter[str] = Counter()
    actions = []
    for m in closed:
        view = service.get(m.id)
        assert view.agenda_locked
        assert view.ends_at.strftime("%H:%M") == "10:30"
        attendance = Counter(a.attendance for a in view.attendees)
        assert 1 <= attendance["apologies"] <= 2
        assert attendance["present"] >= 10
        assert [i.position for i in view.items] == list(range(1, len(view.items) + 1))
        for item in view.items:
            sections[item.section] += 1
            assert item.reasons
            if item.discussed:
                assert item.outcome
                assert item.decisions
                decisions.update(item.decisions)
        for action in view.actions:
            assert view.held_on + timedelta(days=7) <= action.due_on
            assert action.due_on <= view.held_on + timedelta(days=21)
            assert action.done_on is None or view.held_on < action.done_on <= TODAY
        actions.extend(view.actions)
    assert set(decisions) <= set(DECISIONS)
    assert len(decisions) >= 3
    assert {Section.NEW, Section.REVIEW, Section.FLAG, Section.ACTION} <= set(sections)
    status = Counter(a.status for a in actions)
    assert status["done"] > status["open"] > 0
    # The last meeting ran out of time for its last item.
    last = service.get(closed[-1].id)
    assert not last.items[-1].discussed
    assert last.notes

    # Reasons in the agenda builder's words.
    reasons = [r for m in closed for i in service.get(m.id).items for r in i.reasons]
    assert any(r.startswith("Care plan review ") for r in reasons)
    assert any(r.startswith("Flagged by ") for r in reasons)
    assert any(r.startswith("New to ") and "'s caseload (level " in r for r in reasons)
    assert any(r.startswith("Open action from ") for r in reasons)

    # Flags: the ones discussed are handled when their meeting closed; none older than the
    # last meeting is still waiting.
    cv = CONVERSATION_T.c
    flags = _rows(db, select(cv.held_on, cv.flag_handled_at).where(cv.flag_to_team.is_(True)))
    assert flags
    assert all(h is not None for held, h in flags if held < closed[-1].held_on - timedelta(1))
    handled_on = {h.date() for _, h in flags if h is not None}
    assert {m.held_on for m in closed} & handled_on
    assert all(d.isoweekday() in (2, 5) for d in handled_on)

    nxt = service.next_meeting()
    assert nxt is not None
    assert nxt.status == "planned"
    assert nxt.held_on == planned[0].held_on
    built = service.build_agenda(nxt.id)
    assert 5 <= len(built.agenda) <= 40
    assert len({i.section for i in built.agenda}) > 1
    open_now = service.actions(open_only=True)
    assert open_now
    on_agenda = {i.nhs_number: i.reasons for i in built.agenda}
    for action in open_now:
        assert any(r.startswith("Open action from") for r in on_agenda[action.nhs_number])
    requested = [r for rs in on_agenda.values() for r in rs if " requested by " in r]
    assert len(requested) >= 2  # a step up and a discussion wait for the next meeting

    check = AuditService(db.sessions, "k.oconnell").verify()
    assert check.ok, check.message


# ---------------------------------------------------------------- audit, refusal, determinism


def test_one_audit_row_without_names(generated: tuple[Database, DemoSummary]) -> None:
    db, _ = generated
    au = AuditEntry.__table__.c
    rows = _rows(db, select(au.staff_id, au.username, au.action, au.entity, au.summary))
    admin_id = _rows(db, select(S.c.id).where(S.c.username == "admin"))[0][0]
    assert len(rows) == 1
    row = rows[0]
    assert (row.staff_id, row.username, row.action, row.entity) == (
        admin_id,
        "admin",
        "demo.generate",
        "database",
    )
    assert row.summary.startswith("Generated demo data: 2,000 patients, 14 staff")
    family_names = {n for (n,) in _rows(db, select(P.c.family_name))}
    assert not any(name in row.summary for name in family_names)


def test_refuses_a_database_with_patients(generated: tuple[Database, DemoSummary]) -> None:
    db, _ = generated
    before = _counts(db)
    with pytest.raises(ConflictError, match="already has patients"):
        generate_demo(db, patients=10, seed=2, today=TODAY)
    assert _counts(db) == before


def _snapshot(db: Database) -> dict[str, list[Any]]:
    """Every generated row except the creation timestamps."""
    skip = {"created_at", "updated_at"}
    out = {}
    for table in (
        P,
        demo.CONDITION_T,
        demo.CARER_T,
        demo.CONSENT_T,
        A,
        *demo.CAREPLAN_TABLES,
        *demo.ASSESSMENT_TABLES,
        *demo.CONVERSATION_TABLES,
        *demo.MEETING_TABLES,
    ):
        cols = [c for c in table.c if c.name not in skip]
        out[table.name] = [tuple(r) for r in _rows(db, select(*cols).order_by(table.c.id))]
    return out


def test_same_seed_and_day_give_the_same_data(tmp_path: Path) -> None:
    snapshots = []
    for name, seed in (("a", 7), ("b", 7), ("c", 8)):
        db = open_database(tmp_path / f"{name}.db")
        try:
            generate_demo(db, patients=300, seed=seed, today=TODAY)
            snapshots.append(_snapshot(db))
        finally:
            db.dispose()
    same_a, same_b, other = snapshots
    assert same_a == same_b
    assert same_a["patients"] != other["patients"]
    assert same_a["assessment_domains"]
    assert same_a["conversations"]
    assert same_a["meeting_items"]
    assert same_a["assessment_domains"] != other["assessment_domains"]


# ---------------------------------------------------------------- arguments and edge cases


@pytest.mark.parametrize("patients", [0, -5, 1_000_001, True])
def test_rejects_bad_patient_counts(fresh_db: Database, patients: int) -> None:
    with pytest.raises(ValidationError) as caught:
        generate_demo(fresh_db, patients=patients, today=TODAY)
    assert caught.value.field == "patients"
    assert _counts(fresh_db)["staff"] == 0


def test_rejects_a_bad_username(fresh_db: Database) -> None:
    with pytest.raises(ValidationError):
        generate_demo(fresh_db, patients=5, today=TODAY, actor_username="Not Valid!")
    assert _counts(fresh_db)["patients"] == 0


def test_existing_actor_is_used(fresh_db: Database) -> None:
    with fresh_db.engine.begin() as conn:
        conn.execute(
            insert(S),
            [
                {
                    "username": "j.bloggs",
                    "display_name": "Jo Bloggs",
                    "role": Role.TEAM_LEAD.value,
                    "active": True,
                    "created_at": utcnow(),
                }
            ],
        )
    generate_demo(fresh_db, patients=50, today=TODAY, actor_username="j.bloggs")
    staff = {u: role for u, role in _rows(fresh_db, select(S.c.username, S.c.role))}
    assert Role.ADMIN not in staff.values()
    assert len(staff) == 15
    au = AuditEntry.__table__.c
    [(username, staff_id)] = _rows(fresh_db, select(au.username, au.staff_id))
    bloggs = _rows(fresh_db, select(S.c.id).where(S.c.username == "j.bloggs"))[0][0]
    assert (username, staff_id) == ("j.bloggs", bloggs)


def test_clashing_demo_username_is_refused(fresh_db: Database) -> None:
    with fresh_db.engine.begin() as conn:
        conn.execute(
            insert(S),
            [
                {
                    "username": "m.okafor",
                    "display_name": "Someone Else",
                    "role": Role.GP.value,
                    "active": True,
                    "created_at": utcnow(),
                }
            ],
        )
    with pytest.raises(ConflictError, match=r"m\.okafor"):
        generate_demo(fresh_db, patients=20, today=TODAY)
    counts = _counts(fresh_db)
    assert counts["staff"] == 1
    assert counts["patients"] == 0


@pytest.mark.parametrize("patients", [1, 200])
def test_small_demo_has_no_overloaded_matron(fresh_db: Database, patients: int) -> None:
    summary = generate_demo(fresh_db, patients=patients, today=TODAY)
    assert summary.patients == _count(fresh_db, P) == patients
    open_level3 = select(A.c.key_worker_id).where(A.c.end_date.is_(None), A.c.level == 3)
    loads = Counter(k for (k,) in _rows(fresh_db, open_level3))
    assert all(n <= MATRON_CASELOAD_LIMIT for n in loads.values())
    assert sum(loads.values()) <= 0.16 * patients


def test_ordinary_inserts_still_work_afterwards(fresh_db: Database) -> None:
    generate_demo(fresh_db, patients=30, today=TODAY)
    with fresh_db.sessions.begin() as session:
        session.add(Practice(code="C82999", name="New Surgery"))


# ---------------------------------------------------------------- every backend


def test_generation_on_each_backend(db: Database) -> None:
    """SQLite always; PostgreSQL too when LTCDESK_TEST_PG_URL is set (the shared db fixture)."""
    summary = generate_demo(db, patients=500, seed=3, today=TODAY)
    counts = _counts(db)
    assert counts["patients"] == 500
    assert counts["staff"] == 15
    assert counts["patient_conditions"] == summary.conditions
    assert counts["audit_log"] == 1
    assert summary.assessments == _count(db, ASSESSMENT_T) > 0
    assert summary.conversations == _count(db, CONVERSATION_T) > 0
    # The id sequences were moved past the explicit ids, so ORM inserts still work.
    with db.sessions.begin() as session:
        session.add(Practice(code="C82999", name="New Surgery"))
        session.add(
            StaffMember(
                username="new.user", display_name="New User", role=Role.GP.value, active=True
            )
        )
    with db.sessions.begin() as session:  # and in the tables streamed after the others
        pid = session.scalar(select(Patient.id).order_by(Patient.id.desc()).limit(1))
        matron = session.scalar(select(StaffMember).where(StaffMember.username == "m.okafor"))
        assert pid is not None
        assert matron is not None
        session.add(
            Assessment(
                patient_id=pid,
                assessed_on=TODAY,
                mode="telephone",
                assessor_id=matron.id,
                assessor_role=matron.role,
                status="draft",
                created_by_id=matron.id,
                updated_by_id=matron.id,
            )
        )
        session.add(
            Conversation(patient_id=pid, held_on=TODAY, mode="phone", recorded_by_id=matron.id)
        )
    with pytest.raises(ConflictError):
        generate_demo(db, patients=5, today=TODAY)


def test_hospital_events_make_urgent_reminders_and_an_agenda_section(fresh_db: Database) -> None:
    """Some people on caseloads were in hospital lately; three are in now. Their key workers
    have urgent "plan the discharge" reminders and the next meeting has a hospital section."""
    from ltcdesk.services.events import EventService
    from ltcdesk.services.meeting_views import Section
    from ltcdesk.services.meetings import MeetingService
    from ltcdesk.services.reminder_sources import Source
    from ltcdesk.services.reminders import ReminderService

    db = fresh_db
    summary = generate_demo(db, patients=PATIENTS, seed=1, today=TODAY)
    with db.sessions() as s:
        kinds = dict(
            s.execute(text("SELECT kind, COUNT(*) FROM hospital_events GROUP BY kind")).all()
        )
        future = s.scalar(
            text("SELECT COUNT(*) FROM hospital_events WHERE occurred_on > :d"), {"d": TODAY}
        )
    assert summary.hospital_events == sum(kinds.values())
    assert set(kinds) == {"admission", "discharge", "ae"}
    assert kinds["admission"] > kinds["discharge"]  # some are still in
    assert future == 0
    team = ReminderService(db.sessions, "k.oconnell", today=lambda: TODAY).worklist(team=True)
    urgent = [r for r in team if r.urgent]
    assert len(urgent) >= 3
    assert all(r.source is Source.ADMISSION and r.owner_username for r in urgent)
    assert team[0].urgent  # urgent first
    # Their events read back through the service, newest first.
    events = EventService(db.sessions, "k.oconnell", today=lambda: TODAY).list_for(
        urgent[0].nhs_number
    )
    assert events[0].kind == "admission"
    meetings = MeetingService(db.sessions, "k.oconnell", today=lambda: TODAY)
    upcoming = meetings.next_meeting()
    assert upcoming is not None
    agenda = meetings.build_agenda(upcoming.id).agenda
    assert any(i.section is Section.HOSPITAL for i in agenda)
