"""The patient record: header, in-place editing saved in one transaction, validation beside
the field, concurrent edits, discarding, caseload history and adding to a caseload."""

from __future__ import annotations

from datetime import date

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QAbstractButton,
    QCalendarWidget,
    QComboBox,
    QDateEdit,
    QLabel,
    QLineEdit,
    QListWidget,
    QMessageBox,
    QTabBar,
    QTableWidget,
    QWidget,
)

from ltcdesk.app import build_services
from ltcdesk.services.patients import NewPatient, PatientChanges, RecordEdits
from ltcdesk.ui.views.patient_record import PatientRecord

NHS = "9434765919"
DOB = date(1941, 3, 12)


def _age(dob: date, today: date) -> int:
    return today.year - dob.year - ((today.month, today.day) < (dob.month, dob.day))


@pytest.fixture
def services(team):
    """Signed in as Mary Matron, with María O'Kon registered."""
    svc = build_services(team, "matron1")
    svc.patients.register(
        NewPatient(
            nhs_number=NHS,
            family_name="O'Kon",
            given_name="María",
            date_of_birth=DOB,
            practice_code="C82001",
            sex="female",
            postcode="LE1 5WW",
            phone="0116 496 0000",
            lives_alone=True,
            interpreter_needed=True,
            language="Polish",
        )
    )
    return svc


def open_record(qtbot, services, nhs=NHS) -> PatientRecord:
    record = PatientRecord(services, nhs)
    qtbot.addWidget(record)
    record.resize(1200, 720)
    with qtbot.waitExposed(record):
        record.show()
    with qtbot.waitActive(record):
        record.activateWindow()
    return record


def retype(qtbot, edit, text: str) -> None:
    """Select everything in a line edit and type over it, as a user would."""
    edit.setFocus()
    qtbot.keyClick(edit, Qt.Key.Key_A, Qt.KeyboardModifier.ControlModifier)
    qtbot.keyClick(edit, Qt.Key.Key_Delete)
    qtbot.keyClicks(edit, text)


def count_saves(monkeypatch, services) -> list[RecordEdits]:
    calls: list[RecordEdits] = []
    real = services.patients.save_record

    def spy(nhs, edits, expected_version=None):
        calls.append(edits)
        return real(nhs, edits, expected_version=expected_version)

    monkeypatch.setattr(services.patients, "save_record", spy)
    return calls


def test_header_shows_who_this_is_and_the_alerts(qtbot, services):
    services.patients.add_carer(NHS, "Jan O'Kon", "son")
    record = open_record(qtbot, services)
    header = record.header
    assert record.objectName() == "patientRecord"
    assert header.objectName() == "patientHeader"
    assert record.nhs_number == NHS
    assert record.title() == "O'Kon, María"
    assert header.name_label.text() == "O'KON, María"
    assert header.nhs_label.text() == "NHS number 943 476 5919"
    age = _age(DOB, date.today())
    assert header.dob_label.text() == f"Born 12/03/1941 (age {age})"
    assert header.caseload_label.text() == "Not on a caseload"
    assert "Castle Street Surgery" in header.practice_label.text()
    assert header.alerts() == [
        "Lives alone",
        "Has a carer",
        "Consent not recorded",
        "Interpreter: Polish",
    ]
    assert record.add_to_caseload_button.isEnabled()
    assert not record.save_button.isEnabled()
    assert not record.has_unsaved_changes()


def test_every_control_has_an_object_name_and_accessible_name(qtbot, services):
    record = open_record(qtbot, services)
    kinds = (QAbstractButton, QComboBox, QDateEdit, QLineEdit, QTableWidget, QListWidget)
    controls = [
        w
        for w in record.findChildren(QWidget)
        if isinstance(w, kinds)
        # Qt's own parts: the line edit inside a date edit or combo, tab bar scroll buttons.
        and not isinstance(w.parent(), (*kinds, QTabBar, QCalendarWidget))
        and not w.objectName().startswith("qt_")
    ]
    assert len(controls) > 30
    missing = [
        f"{type(w).__name__} {w.objectName()!r} {w.accessibleName()!r}"
        for w in controls
        if not (w.objectName() and w.accessibleName())
    ]
    assert missing == []


def test_phone_condition_and_carer_are_saved_together_in_one_save(qtbot, services, monkeypatch):
    record = open_record(qtbot, services)
    before = services.patients.get(NHS)
    saves = count_saves(monkeypatch, services)

    retype(qtbot, record.phone_edit, "0116 496 0123")

    record.tabs.setCurrentIndex(1)
    record.condition_combo.setFocus()
    qtbot.keyClicks(record.condition_combo, "Heart")  # type-ahead, as in any list
    assert record.condition_combo.currentData() == "HF"
    record.diagnosis_date_edit.setFocus()
    qtbot.keyClicks(record.diagnosis_date_edit, "01022020")
    qtbot.mouseClick(record.add_condition_button, Qt.MouseButton.LeftButton)
    assert "Heart failure" in [
        record.conditions_table.item(r, 0).text() for r in range(record.conditions_table.rowCount())
    ]

    record.tabs.setCurrentIndex(2)
    qtbot.keyClicks(record.carer_name_edit, "Jan O'Kon")
    qtbot.keyClicks(record.carer_relationship_edit, "Son")
    qtbot.keyClicks(record.carer_phone_edit, "07700 900123")
    qtbot.keyClick(record.carer_support_check, Qt.Key.Key_Space)
    qtbot.mouseClick(record.add_carer_button, Qt.MouseButton.LeftButton)

    assert record.has_unsaved_changes()
    assert services.patients.get(NHS).version == before.version  # nothing written yet
    text = record.pending_label.text()
    assert "telephone" in text
    assert "1 condition to add" in text
    assert "1 carer to add" in text

    with qtbot.waitSignal(record.saved) as blocker:
        qtbot.mouseClick(record.save_button, Qt.MouseButton.LeftButton)
    assert blocker.args == [NHS]
    assert len(saves) == 1
    after = services.patients.get(NHS)
    assert after.version == before.version + 1
    assert after.phone == "0116 496 0123"
    assert [(c.code, c.diagnosed_on) for c in after.conditions] == [("HF", date(2020, 2, 1))]
    assert [(c.name, c.relationship, c.offered_support) for c in after.carers] == [
        ("Jan O'Kon", "Son", True)
    ]
    assert not record.has_unsaved_changes()
    assert record.header.alerts()[1] == "Has a carer"


def test_ctrl_s_saves(qtbot, services):
    record = open_record(qtbot, services)
    retype(qtbot, record.given_name_edit, "Maria")
    with qtbot.waitSignal(record.titleChanged) as blocker:
        qtbot.keyClick(record.given_name_edit, Qt.Key.Key_S, Qt.KeyboardModifier.ControlModifier)
    assert blocker.args == ["O'Kon, Maria"]
    assert services.patients.get(NHS).given_name == "Maria"


def test_a_bad_postcode_is_shown_beside_the_field_and_nothing_is_saved(
    qtbot, services, monkeypatch
):
    record = open_record(qtbot, services)
    saves = count_saves(monkeypatch, services)
    version = services.patients.get(NHS).version
    record.tabs.setCurrentIndex(2)  # the error must bring its tab forward

    retype(qtbot, record.postcode_edit, "LE1 XYZ")
    retype(qtbot, record.phone_edit, "0116 496 0999")
    qtbot.mouseClick(record.save_button, Qt.MouseButton.LeftButton)

    error = record.findChild(QLabel, "postcodeError")
    assert error.isVisible()
    assert error.text() == "'LE1 XYZ' is not a UK postcode"
    # Beside the field: directly below the postcode box, in the same form cell.
    assert error.parentWidget() is record.postcode_edit.parentWidget()
    assert record.tabs.currentIndex() == 0
    assert record.focusWidget() is record.postcode_edit
    assert saves == []
    stored = services.patients.get(NHS)
    assert (stored.version, stored.postcode, stored.phone) == (version, "LE1 5WW", "0116 496 0000")
    # The user's typing is all still there, and fixing the postcode clears the message.
    assert record.phone_edit.text() == "0116 496 0999"
    retype(qtbot, record.postcode_edit, "LE2 7AB")
    assert not error.isVisible()
    assert record.save()
    assert services.patients.get(NHS).postcode == "LE2 7AB"


def test_postcode_is_checked_on_leaving_the_field(qtbot, services):
    record = open_record(qtbot, services)
    retype(qtbot, record.postcode_edit, "12345")
    qtbot.keyClick(record.postcode_edit, Qt.Key.Key_Return)  # ends editing, like Tab
    assert record.findChild(QLabel, "postcodeError").isVisible()


def test_blank_family_name_is_refused_beside_the_field(qtbot, services):
    record = open_record(qtbot, services)
    retype(qtbot, record.family_name_edit, "")
    assert not record.save()
    assert record.findChild(QLabel, "familyNameError").text() == "Family name is required"


def test_someone_elses_save_keeps_my_typing_and_save_mine_anyway_succeeds(qtbot, services, team):
    record = open_record(qtbot, services)
    opened = services.patients.get(NHS).version
    nurse = build_services(team, "nurse")
    nurse.patients.save_record(
        NHS, RecordEdits(changes=PatientChanges(postcode="LE2 1AA")), expected_version=opened
    )

    retype(qtbot, record.phone_edit, "0116 496 0777")
    qtbot.mouseClick(record.save_button, Qt.MouseButton.LeftButton)

    assert record.stale_banner.isVisible()
    message = record.stale_label.text()
    assert "changed by Nia Nurse on " in message
    assert "Review the changes and save again." in message
    assert "They changed: postcode" in message
    assert record.phone_edit.text() == "0116 496 0777"
    assert record.has_unsaved_changes()
    assert services.patients.get(NHS).phone == "0116 496 0000"

    with qtbot.waitSignal(record.saved):
        qtbot.mouseClick(record.save_mine_button, Qt.MouseButton.LeftButton)
    assert not record.stale_banner.isVisible()
    stored = services.patients.get(NHS)
    assert stored.phone == "0116 496 0777"
    assert stored.postcode == "LE2 1AA"  # theirs is kept: only my changes were sent
    assert stored.version == opened + 2
    assert record.postcode_edit.text() == "LE2 1AA"


def test_after_save_mine_anyway_fails_fixing_it_and_saving_needs_no_second_override(
    qtbot, services, team
):
    record = open_record(qtbot, services)
    build_services(team, "nurse").patients.add_condition(NHS, "DM")
    retype(qtbot, record.phone_edit, "0116 496 0777")
    record.tabs.setCurrentIndex(1)
    record.condition_combo.setFocus()
    qtbot.keyClicks(record.condition_combo, "Diab")
    qtbot.mouseClick(record.add_condition_button, Qt.MouseButton.LeftButton)
    qtbot.mouseClick(record.save_button, Qt.MouseButton.LeftButton)
    assert "They changed: conditions" in record.stale_label.text()

    qtbot.mouseClick(record.save_mine_button, Qt.MouseButton.LeftButton)
    assert record.error_banner.isVisible()
    assert "Diabetes is already recorded" in record.error_label.text()
    record.tabs.setCurrentIndex(1)
    record.conditions_table.selectRow(0)
    assert record.conditions_table.item(0, 4).text() == "New (not saved yet)"
    qtbot.mouseClick(record.undo_condition_button, Qt.MouseButton.LeftButton)
    with qtbot.waitSignal(record.saved):
        qtbot.mouseClick(record.save_button, Qt.MouseButton.LeftButton)
    assert not record.stale_banner.isVisible()
    stored = services.patients.get(NHS)
    assert stored.phone == "0116 496 0777"
    assert [c.code for c in stored.active_conditions] == ["DM"]


def test_reload_their_version_discards_mine(qtbot, services, team):
    record = open_record(qtbot, services)
    nurse = build_services(team, "nurse")
    nurse.patients.update(NHS, PatientChanges(phone="0116 496 0555"), expected_version=1)
    retype(qtbot, record.phone_edit, "0116 496 0777")
    qtbot.mouseClick(record.save_button, Qt.MouseButton.LeftButton)
    assert record.stale_banner.isVisible()
    qtbot.mouseClick(record.reload_theirs_button, Qt.MouseButton.LeftButton)
    assert not record.stale_banner.isVisible()
    assert record.phone_edit.text() == "0116 496 0555"
    assert not record.has_unsaved_changes()


def test_escape_asks_before_discarding_unsaved_changes(qtbot, services, monkeypatch):
    record = open_record(qtbot, services)
    asked: list[str] = []
    answer = [QMessageBox.StandardButton.No]

    def question(parent, title, text, buttons, default):
        asked.append(text)
        return answer[0]

    monkeypatch.setattr(QMessageBox, "question", question)
    qtbot.keyClick(record.given_name_edit, Qt.Key.Key_Escape)
    assert asked == []  # nothing to discard, nobody is asked

    retype(qtbot, record.given_name_edit, "Marysia")
    qtbot.keyClick(record.given_name_edit, Qt.Key.Key_Escape)
    assert asked == ["Discard your unsaved changes?"]
    assert record.given_name_edit.text() == "Marysia"
    assert record.has_unsaved_changes()

    answer[0] = QMessageBox.StandardButton.Yes
    qtbot.mouseClick(record.cancel_button, Qt.MouseButton.LeftButton)
    assert len(asked) == 2
    assert record.given_name_edit.text() == "María"
    assert not record.has_unsaved_changes()
    assert services.patients.get(NHS).given_name == "María"


def test_ending_a_condition_and_recording_consent(qtbot, services):
    services.patients.add_condition(NHS, "DM", "2010-05-01")
    record = open_record(qtbot, services)
    record.tabs.setCurrentIndex(1)
    table = record.conditions_table
    assert table.item(0, 0).text() == "Diabetes"
    table.selectRow(0)
    qtbot.keyClicks(record.end_reason_edit, "Diagnosis revised")
    qtbot.mouseClick(record.end_condition_button, Qt.MouseButton.LeftButton)
    assert "Ending" in table.item(0, 4).text()

    record.tabs.setCurrentIndex(2)
    record.consent_combo.setFocus()
    qtbot.keyClicks(record.consent_combo, "Given")
    qtbot.keyClicks(record.consent_note_edit, "Agreed at home visit")
    assert record.save()

    stored = services.patients.get(NHS)
    assert stored.active_conditions == ()
    assert stored.conditions[0].ended_reason == "Diagnosis revised"
    assert stored.consent is not None
    assert (stored.consent.status, stored.consent.recorded_by) == ("given", "Mary Matron")
    assert "Consent not recorded" not in record.header.alerts()


def test_a_carer_without_a_name_is_refused_beside_the_field(qtbot, services):
    record = open_record(qtbot, services)
    record.tabs.setCurrentIndex(2)
    qtbot.mouseClick(record.add_carer_button, Qt.MouseButton.LeftButton)
    assert record.findChild(QLabel, "carerNameError").text() == "Carer name is required"
    assert not record.has_unsaved_changes()


def test_caseload_history_shows_steps_and_transfers(qtbot, services):
    services.caseload.assign(NHS, "matron1", 2, "Two admissions since August")
    services.caseload.change_level(NHS, 3, "Admitted again with a fall")
    services.caseload.transfer(NHS, "matron2", "Mary on long-term leave")
    record = open_record(qtbot, services)
    record.tabs.setCurrentIndex(3)
    table = record.history_table
    assert table.isVisible()
    rows = [
        [table.item(r, c).text() for c in range(table.columnCount())]
        for r in range(table.rowCount())
    ]
    today = f"{date.today():%d/%m/%Y}"
    assert [r[4] for r in rows] == ["Transferred", "Stepped up", "Accepted onto caseload"]
    assert rows[0][:4] == [today, "Current", "Level 3 – case management", "Martin Matron"]
    assert rows[1][2:4] == ["Level 3 – case management", "Mary Matron"]
    assert rows[1][6] == "Transferred"
    assert rows[2][2] == "Level 2 – disease-specific care management"
    assert rows[2][5] == "Two admissions since August"
    assert rows[2][6] == "Stepped up"
    assert all(r[7] == "Mary Matron" for r in rows)
    assert "Martin Matron" in record.header.caseload_label.text()
    assert not record.add_to_caseload_button.isEnabled()


def test_add_to_caseload_dialog_assigns(qtbot, services):
    record = open_record(qtbot, services)
    qtbot.mouseClick(record.add_to_caseload_button, Qt.MouseButton.LeftButton)
    dialog = record.add_to_caseload_dialog
    assert dialog is not None
    workers = [dialog.key_worker_combo.itemText(i) for i in range(dialog.key_worker_combo.count())]
    # Key-worker roles only: not the administrator, not the care navigator.
    assert workers == [
        "Martin Matron — Community matron",
        "Mary Matron — Community matron",
        "Nia Nurse — District nurse",
        "Tessa Lead — Team lead",
    ]

    qtbot.mouseClick(dialog.ok_button, Qt.MouseButton.LeftButton)
    assert dialog.isVisible()  # stays open, saying what is missing
    assert dialog.errors["key worker"].isVisible()
    assert dialog.errors["level"].text() == "Choose a level of care"

    dialog.key_worker_combo.setFocus()
    qtbot.keyClicks(dialog.key_worker_combo, "Mary")
    qtbot.mouseClick(dialog.level_radios[3], Qt.MouseButton.LeftButton)
    qtbot.keyClicks(dialog.reason_edit, "Frequent admissions")
    with qtbot.waitSignals([dialog.accepted, record.saved]):
        qtbot.mouseClick(dialog.ok_button, Qt.MouseButton.LeftButton)

    history = services.caseload.history(NHS)
    assert [(a.key_worker_username, a.level, a.start_reason) for a in history] == [
        ("matron1", 3, "Frequent admissions")
    ]
    assert "Mary Matron" in record.header.caseload_label.text()
    assert not record.add_to_caseload_button.isEnabled()
    assert record.history_table.rowCount() == 1


def test_add_to_caseload_errors_stay_in_the_dialog(qtbot, services, team):
    from ltcdesk.ui.dialogs.add_to_caseload import AddToCaseloadDialog

    dialog = AddToCaseloadDialog(services, NHS)
    qtbot.addWidget(dialog)
    dialog.show()
    build_services(team, "matron2").caseload.assign(NHS, "matron2", 2)
    dialog.select_key_worker("matron1")
    qtbot.mouseClick(dialog.level_radios[1], Qt.MouseButton.LeftButton)
    qtbot.mouseClick(dialog.ok_button, Qt.MouseButton.LeftButton)
    assert dialog.isVisible()
    assert "Already on Martin Matron's caseload" in dialog.dialog_error.text()


def test_deceased_patient_caseload_actions_disabled_details_still_editable(qtbot, services):
    services.patients.record_death(NHS, date(2026, 1, 3))
    record = open_record(qtbot, services)
    assert record.header.alerts()[0] == "Deceased 03/01/2026"
    assert record.header.deceased_chip.isVisible()
    assert not record.add_to_caseload_button.isEnabled()
    assert record.phone_edit.isEnabled()
    retype(qtbot, record.phone_edit, "0116 496 0444")
    assert record.save()
    assert services.patients.get(NHS).phone == "0116 496 0444"


def test_a_care_navigator_cannot_touch_conditions(qtbot, services, team):
    navigator = build_services(team, "navigator")
    record = open_record(qtbot, navigator)
    assert not record.add_condition_button.isEnabled()
    assert not record.add_to_caseload_button.isEnabled()
    assert record.add_carer_button.isEnabled()
    assert record.phone_edit.isEnabled()
