from __future__ import annotations

import threading

import pytest
from sqlalchemy import func, select

from ltcdesk.domain.errors import (
    ConflictError,
    NotFoundError,
    PermissionDeniedError,
    StaleRecordError,
    ValidationError,
)
from ltcdesk.models import AuditEntry, Patient
from ltcdesk.services.patients import NewPatient, PatientChanges, PatientService
from tests.conftest import TODAY

VALID = "9434765919"


def service(db, user="matron1"):
    return PatientService(db.sessions, user, today=lambda: TODAY)


def register(db, nhs=VALID, **extra):
    fields = dict(
        nhs_number=nhs,
        family_name="O'Kon",
        given_name="María",
        date_of_birth="12/04/1938",
        practice_code="C82001",
        sex="female",
        postcode="le4 7ab",
        phone="0116 496 0123",
    )
    fields.update(extra)
    return service(db).register(NewPatient(**fields))


def count(db, model):
    with db.sessions() as s:
        return s.scalar(select(func.count()).select_from(model))


def audit_actions(db):
    with db.sessions() as s:
        return [a for (a,) in s.execute(select(AuditEntry.action).order_by(AuditEntry.id))]


def test_register_stores_normalised_fields_and_audits(team):
    detail = register(team, nhs="943 476 5919")
    assert detail.nhs_number == VALID
    assert detail.display_name == "María O'Kon"
    assert detail.postcode == "LE4 7AB"
    assert detail.age == 88
    assert detail.practice_name == "Castle Street Surgery"
    assert "patient.register" in audit_actions(team)


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("nhs_number", "9434765918", "NHS number"),
        ("date_of_birth", "01/01/2030", "date of birth"),
        ("date_of_birth", "30/02/1950", "date of birth"),
        ("practice_code", "Z99999", "practice"),
        ("family_name", "", "family name"),
        ("family_name", "x" * 5000, "family name"),
        ("postcode", "not a postcode", "postcode"),
        ("sex", "robot", "sex"),
    ],
)
def test_bad_input_names_the_field_and_writes_nothing(team, field, value, message):
    audit_before = count(team, AuditEntry)
    with pytest.raises(ValidationError) as info:
        register(team, **{field: value})
    assert message in str(info.value)
    assert count(team, Patient) == 0
    assert count(team, AuditEntry) == audit_before


def test_duplicate_nhs_number_is_refused(team):
    register(team)
    with pytest.raises(ConflictError, match="already registered"):
        register(team, family_name="Other")
    assert count(team, Patient) == 1


def test_update_changes_fields_and_bumps_version(team):
    before = register(team)
    after = service(team).update(
        VALID, PatientChanges(phone="07700 900123", lives_alone=True), before.version
    )
    assert after.phone == "07700 900123"
    assert after.lives_alone is True
    assert after.version == before.version + 1
    assert after.updated_by == "Mary Matron"


def test_stale_save_names_who_saved_first_and_changes_nothing(team):
    opened = register(team)
    service(team, "nurse").update(VALID, PatientChanges(phone="0116 496 0999"), opened.version)
    with pytest.raises(StaleRecordError) as info:
        service(team).update(VALID, PatientChanges(phone="0116 496 0111"), opened.version)
    assert "Nia Nurse" in str(info.value)
    assert "Review the changes and save again" in str(info.value)
    assert service(team).get(VALID).phone == "0116 496 0999"


def test_concurrent_saves_of_the_same_version_let_exactly_one_win(team):
    opened = register(team)
    results: list[str] = []
    barrier = threading.Barrier(2)

    def save(user: str, phone: str) -> None:
        barrier.wait()
        try:
            service(team, user).update(VALID, PatientChanges(phone=phone), opened.version)
            results.append("saved")
        except StaleRecordError:
            results.append("stale")

    threads = [
        threading.Thread(target=save, args=("matron1", "0116 496 0001")),
        threading.Thread(target=save, args=("nurse", "0116 496 0002")),
    ]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(results) == ["saved", "stale"]
    assert service(team).get(VALID).version == opened.version + 1


def test_conditions_carers_and_consent(team):
    register(team)
    svc = service(team)
    svc.add_condition(VALID, "copd", "2015-06-01")
    svc.add_condition(VALID, "HF")
    with pytest.raises(ConflictError, match="already recorded"):
        svc.add_condition(VALID, "COPD")
    with pytest.raises(ValidationError, match="not a known long term condition"):
        svc.add_condition(VALID, "FLU")
    svc.end_condition(VALID, "HF", reason="Diagnosis revised")
    svc.add_carer(
        VALID, "Seán O'Kon", "son", "07700 900456", lives_with_patient=False, offered_support=True
    )
    detail = svc.record_consent(VALID, "given")
    assert [c.code for c in detail.active_conditions] == ["COPD"]
    assert detail.carers[0].name == "Seán O'Kon"
    assert detail.carers[0].support_offered_on == TODAY
    assert detail.consent is not None
    assert detail.consent.status == "given"
    assert detail.consent.recorded_by == "Mary Matron"


def test_a_change_to_conditions_makes_an_open_demographics_edit_stale(team):
    opened = register(team)
    service(team, "nurse").add_condition(VALID, "DM")
    with pytest.raises(StaleRecordError):
        service(team).update(VALID, PatientChanges(phone="0116 496 0111"), opened.version)


def test_care_navigator_may_edit_demographics_but_not_conditions(team):
    register(team)
    nav = service(team, "navigator")
    nav.add_carer(VALID, "Ann Smith", "neighbour")
    with pytest.raises(PermissionDeniedError, match="may not edit long term conditions"):
        nav.add_condition(VALID, "DM")
    assert "denied" in audit_actions(team)


def test_unknown_user_is_refused(team):
    with pytest.raises(PermissionDeniedError, match="not a member of staff"):
        service(team, "stranger").get(VALID)


def test_viewing_a_record_is_audited(team):
    register(team)
    service(team, "nurse").get(VALID)
    with team.sessions() as s:
        entry = s.scalars(select(AuditEntry).where(AuditEntry.action == "patient.view")).one()
    assert entry.username == "nurse"
    assert "O'Kon" not in entry.summary


def test_missing_patient_is_reported_with_the_formatted_number(team):
    with pytest.raises(NotFoundError, match="943 476 5919"):
        service(team).get(VALID)


def test_audit_summaries_hold_no_names(team):
    register(team)
    svc = service(team)
    svc.add_carer(VALID, "Seán O'Kon", "son")
    svc.update(VALID, PatientChanges(family_name="Kon"), svc.get(VALID).version)
    with team.sessions() as s:
        summaries = list(s.scalars(select(AuditEntry.summary)))
    assert not any("O'Kon" in x or "María" in x or "Seán" in x for x in summaries)


def test_search_by_name_or_number(team):
    register(team)
    register(team, nhs="4010232137", family_name="Smith", given_name="John")
    assert [r[1] for r in service(team).search("smi")] == ["Smith, John"]
    assert [r[0] for r in service(team).search("943 476")] == [VALID]


def test_saving_a_record_is_one_transaction_all_or_nothing(team):
    from ltcdesk.services.patients import NewCarer, NewConsent, RecordEdits

    opened = register(team)
    svc = service(team)
    bad = RecordEdits(
        changes=PatientChanges(phone="07700 900123"),
        add_conditions=(("COPD", None), ("NOT-A-CONDITION", None)),
        add_carers=(NewCarer("Ann Smith", "neighbour"),),
    )
    with pytest.raises(ValidationError, match="not a known long term condition"):
        svc.save_record(VALID, bad, opened.version)
    unchanged = svc.get(VALID)
    assert unchanged.phone == opened.phone
    assert unchanged.conditions == ()
    assert unchanged.carers == ()
    assert unchanged.version == opened.version

    good = RecordEdits(
        changes=PatientChanges(phone="07700 900123"),
        add_conditions=(("COPD", "2019-03-01"),),
        add_carers=(NewCarer("Ann Smith", "neighbour"),),
        consent=NewConsent("given"),
    )
    saved = svc.save_record(VALID, good, opened.version)
    assert saved.phone == "07700 900123"
    assert [c.code for c in saved.conditions] == ["COPD"]
    assert saved.carers[0].name == "Ann Smith"
    assert saved.consent is not None
    assert saved.version == opened.version + 1
