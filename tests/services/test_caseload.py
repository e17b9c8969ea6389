from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import func, select

from ltcdesk.domain.errors import ConflictError, NotFoundError, ValidationError
from ltcdesk.models import CaseloadAssignment
from ltcdesk.services.careplan_views import CarePlanEdits, GoalEdits
from ltcdesk.services.careplans import CarePlanService
from ltcdesk.services.caseload import CaseloadService
from ltcdesk.services.listing import CaseloadFilter
from ltcdesk.services.patients import NewPatient, PatientService
from tests.conftest import TODAY

NUMBERS = ["9434765919", "4010232137", "9990000018", "9990000026"]


def caseload(db, user="lead"):
    return CaseloadService(db.sessions, user, today=lambda: TODAY)


@pytest.fixture
def patients(team):
    svc = PatientService(team.sessions, "lead", today=lambda: TODAY)
    names = [("O'Kon", "María"), ("Smith", "John"), ("Patel", "Asha"), ("Nguyễn", "Lan")]
    for nhs, (family, given) in zip(NUMBERS, names, strict=True):
        svc.register(NewPatient(nhs, family, given, "1940-01-01", "C82001", postcode="LE4 7AB"))
    svc.add_condition(NUMBERS[0], "COPD")
    svc.add_condition(NUMBERS[0], "HF")
    svc.add_carer(NUMBERS[0], "Seán O'Kon", "son")
    return team


def open_rows(db):
    with db.sessions() as s:
        return s.scalar(
            select(func.count())
            .select_from(CaseloadAssignment)
            .where(CaseloadAssignment.end_date.is_(None))
        )


def test_assign_and_list_with_conditions_and_carer(patients):
    cl = caseload(patients)
    cl.assign(NUMBERS[0], "matron1", 3, "Two admissions in three months")
    cl.assign(NUMBERS[1], "nurse", 2)
    rows = cl.list_caseload()
    assert [r.family_name for r in rows] == ["O'Kon", "Smith"]
    first = rows[0]
    assert first.key_worker_name == "Mary Matron"
    assert first.level == 3
    assert first.conditions == ("COPD", "HF")
    assert first.ltc_count == 2
    assert first.has_carer is True
    assert rows[1].conditions == ()


def test_filters(patients):
    cl = caseload(patients)
    cl.assign(NUMBERS[0], "matron1", 3)
    cl.assign(NUMBERS[1], "nurse", 2)
    cl.assign(NUMBERS[2], "matron1", 2)
    assert {r.nhs_number for r in cl.list_caseload(CaseloadFilter(worker="matron1"))} == {
        NUMBERS[0],
        NUMBERS[2],
    }
    assert [r.nhs_number for r in cl.list_caseload(CaseloadFilter(level=3))] == [NUMBERS[0]]
    assert [r.nhs_number for r in cl.list_caseload(CaseloadFilter(condition="hf"))] == [NUMBERS[0]]
    assert [r.nhs_number for r in cl.list_caseload(CaseloadFilter(text="o'k"))] == [NUMBERS[0]]
    assert [r.nhs_number for r in cl.list_caseload(CaseloadFilter(text="401 023"))] == [NUMBERS[1]]
    assert len(cl.list_caseload(CaseloadFilter(text="le4"))) == 3
    assert cl.list_caseload(CaseloadFilter(practice="C82002")) == []


def test_second_assignment_is_refused_pointing_at_transfer(patients):
    cl = caseload(patients)
    cl.assign(NUMBERS[0], "matron1", 3)
    with pytest.raises(ConflictError, match="use transfer"):
        cl.assign(NUMBERS[0], "nurse", 2)
    assert open_rows(patients) == 1


def test_navigator_cannot_be_key_worker(patients):
    with pytest.raises(ValidationError, match="cannot hold a caseload"):
        caseload(patients).assign(NUMBERS[0], "navigator", 1)


def test_step_up_down_and_transfer_keep_full_history(patients):
    cl = caseload(patients)
    cl.assign(NUMBERS[0], "nurse", 2, "Referred by GP", start_date="2026-01-10")
    cl.change_level(
        NUMBERS[0], 3, "Two admissions in three months", key_worker="matron1", on_date="2026-05-01"
    )
    cl.transfer(NUMBERS[0], "matron2", "Caseload balancing", on_date="2026-08-01")
    cl.change_level(NUMBERS[0], 2, "Stable for three months", on_date="2026-11-01")
    history = cl.history(NUMBERS[0])
    assert [(h.start_change, h.level, h.key_worker_username) for h in history] == [
        ("accepted", 2, "nurse"),
        ("step_up", 3, "matron1"),
        ("transfer", 3, "matron2"),
        ("step_down", 2, "matron2"),
    ]
    assert [h.end_change for h in history] == ["step_up", "transfer", "step_down", None]
    assert history[1].end_reason == "Caseload balancing"
    assert open_rows(patients) == 1


def test_reason_is_required_for_changes(patients):
    cl = caseload(patients)
    cl.assign(NUMBERS[0], "matron1", 3)
    with pytest.raises(ValidationError, match="reason"):
        cl.transfer(NUMBERS[0], "matron2", "  ")
    with pytest.raises(ValidationError, match="already 3"):
        cl.change_level(NUMBERS[0], 3, "no change")


def test_bulk_transfer_is_all_or_nothing(patients):
    cl = caseload(patients)
    for nhs in NUMBERS[:3]:
        cl.assign(nhs, "matron1", 3)
    with pytest.raises(ConflictError, match="Patient 4 of 4"):
        cl.bulk_transfer(NUMBERS, "matron2", "Matron on long-term leave")
    assert {r.key_worker_username for r in cl.list_caseload()} == {"matron1"}
    result = cl.bulk_transfer(NUMBERS[:3], "matron2", "Matron on long-term leave")
    assert result.moved == 3
    assert {r.key_worker_username for r in cl.list_caseload()} == {"matron2"}


def test_bulk_change_level(patients):
    cl = caseload(patients)
    cl.assign(NUMBERS[0], "matron1", 3)
    cl.assign(NUMBERS[1], "matron1", 2)
    assert cl.bulk_change_level(NUMBERS[:2], 2, "Reviewed at whiteboard meeting") == 1
    assert {r.level for r in cl.list_caseload()} == {2}


def test_discharge_and_death_take_people_off_active_lists(patients):
    cl = caseload(patients)
    cl.assign(NUMBERS[0], "matron1", 3)
    cl.assign(NUMBERS[1], "matron1", 3)
    cl.discharge(NUMBERS[0], "Goals achieved; self managing")
    detail = PatientService(patients.sessions, "lead", today=lambda: TODAY).record_death(
        NUMBERS[1], "20/11/2026"
    )
    assert detail.date_of_death is not None
    assert detail.assignment is None
    assert detail.history[-1].end_change == "death"
    assert cl.list_caseload() == []
    with pytest.raises(ConflictError, match="died"):
        cl.assign(NUMBERS[1], "matron2", 3)


def test_sizes_flag_a_matron_over_eighty(patients):
    cl = caseload(patients)
    cl.assign(NUMBERS[0], "matron1", 3)
    sizes = {w.username: w for w in cl.sizes()}
    assert sizes["matron1"].total == 1
    assert sizes["matron1"].level_3 == 1
    assert not sizes["matron1"].over_limit
    assert "navigator" not in sizes
    # No agreed care plan yet; once one is agreed the count drops.
    assert sizes["matron1"].no_care_plan == 1
    plans = CarePlanService(patients.sessions, "matron1", today=lambda: TODAY)
    draft = plans.start(NUMBERS[0])
    edits = CarePlanEdits(
        goals=(GoalEdits(description="Walk to the shop", importance=7, confidence=6),),
        review_date=TODAY + timedelta(days=90),
    )
    plans.save_draft(NUMBERS[0], edits, draft.lock_version)
    assert {w.username: w for w in cl.sizes()}["matron1"].no_care_plan == 1  # a draft
    plans.agree(NUMBERS[0], "the person")
    assert {w.username: w for w in cl.sizes()}["matron1"].no_care_plan == 0


def test_unknown_key_worker_and_patient(patients):
    cl = caseload(patients)
    with pytest.raises(NotFoundError, match="no member of staff"):
        cl.assign(NUMBERS[0], "ghost", 1)
    with pytest.raises(NotFoundError, match="No patient"):
        cl.assign("9990000034", "matron1", 1)


def test_patients_list_shows_everyone_with_key_worker_when_there_is_one(patients):
    cl = caseload(patients)
    cl.assign(NUMBERS[0], "matron1", 3)
    PatientService(patients.sessions, "lead", today=lambda: TODAY).record_death(
        NUMBERS[3], "2026-11-01"
    )
    rows = {r.nhs_number: r for r in cl.list_patients()}
    assert set(rows) == set(NUMBERS)
    assert rows[NUMBERS[0]].key_worker_name == "Mary Matron"
    assert rows[NUMBERS[0]].conditions == ("COPD", "HF")
    assert rows[NUMBERS[1]].key_worker_name is None
    assert rows[NUMBERS[1]].level is None
    assert rows[NUMBERS[3]].date_of_death is not None
    assert [r.family_name for r in cl.list_patients()] == ["Nguyễn", "O'Kon", "Patel", "Smith"]
