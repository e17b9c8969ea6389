"""Registering a patient: the NHS number is checked as it is typed, the date of birth comes
from a picker that cannot hold an impossible date, and errors appear beside their fields."""

from __future__ import annotations

from datetime import date

import pytest
from PySide6.QtCore import QDate, QEvent, Qt
from PySide6.QtGui import QKeyEvent, QShowEvent
from PySide6.QtWidgets import QApplication, QDialog, QLabel, QMessageBox

from ltcdesk.app import build_services
from ltcdesk.ui.dialogs.register_patient import RegisterPatientDialog


@pytest.fixture(autouse=True)
def _discard_when_closed(monkeypatch):
    """Closing a dialog with typing in it asks first; at teardown the answer is Discard."""
    monkeypatch.setattr(QMessageBox, "question", lambda *args: QMessageBox.StandardButton.Discard)


@pytest.fixture
def services(team):
    return build_services(team, "matron1")


@pytest.fixture
def dialog(qtbot, services):
    dlg = RegisterPatientDialog(services)
    qtbot.addWidget(dlg)
    with qtbot.waitExposed(dlg):
        dlg.show()
    with qtbot.waitActive(dlg):
        dlg.activateWindow()
    return dlg


def type_text(qtbot, widget, text: str) -> None:
    """keyClicks, but also for letters outside ASCII (QTest aborts on those)."""
    for char in text:
        if char.isascii():
            qtbot.keyClicks(widget, char)
            continue
        for kind in (QEvent.Type.KeyPress, QEvent.Type.KeyRelease):
            event = QKeyEvent(kind, Qt.Key.Key_unknown, Qt.KeyboardModifier.NoModifier, char)
            QApplication.sendEvent(widget, event)


def fill(qtbot, dlg, nhs="943 476 5919", dob="12031941", postcode="le1 5ww") -> None:
    qtbot.keyClicks(dlg.nhs_edit, nhs)
    qtbot.keyClicks(dlg.family_edit, "O'Kon")
    type_text(qtbot, dlg.given_edit, "María")
    dlg.dob_edit.setFocus()
    qtbot.keyClicks(dlg.dob_edit, dob)
    dlg.sex_combo.setFocus()
    qtbot.keyClicks(dlg.sex_combo, "Female")
    dlg.practice_combo.setFocus()
    qtbot.keyClicks(dlg.practice_combo, "Riverside")
    qtbot.keyClicks(dlg.address_edit, "1 Church Lane, Leicester")
    qtbot.keyClicks(dlg.postcode_edit, postcode)
    qtbot.keyClicks(dlg.phone_edit, "0116 496 0000")
    qtbot.keyClick(dlg.lives_alone_check, Qt.Key.Key_Space)


def test_typing_an_invalid_nhs_number_says_the_check_digit_is_wrong(qtbot, dialog):
    status = dialog.findChild(QLabel, "nhsNumberStatus")
    assert dialog.objectName() == "registerPatientDialog"
    qtbot.keyClicks(dialog.findChild(type(dialog.nhs_edit), "nhsNumberEdit"), "943 476 591")
    assert not status.isVisible()  # nine digits: not finished yet, nothing to complain about
    qtbot.keyClicks(dialog.nhs_edit, "8")
    assert status.isVisible()
    assert "check digit is wrong" in status.text()
    qtbot.keyClick(dialog.nhs_edit, Qt.Key.Key_Backspace)
    qtbot.keyClicks(dialog.nhs_edit, "9")
    assert status.text() == "Valid NHS number"


def test_a_short_nhs_number_is_reported_on_leaving_the_field(qtbot, dialog):
    qtbot.keyClicks(dialog.nhs_edit, "12345")
    qtbot.keyClick(dialog.nhs_edit, Qt.Key.Key_Tab)
    assert dialog.nhs_status.text() == "'12345' must have 10 digits, not 5"


def test_a_valid_registration_succeeds(qtbot, dialog, services):
    fill(qtbot, dialog)
    with qtbot.waitSignal(dialog.registered) as blocker:
        qtbot.mouseClick(dialog.register_button, Qt.MouseButton.LeftButton)
    assert blocker.args == ["9434765919"]
    assert dialog.result() == QDialog.DialogCode.Accepted
    assert dialog.registered_nhs == "9434765919"
    stored = services.patients.get("9434765919")
    assert (stored.family_name, stored.given_name, stored.date_of_birth) == (
        "O'Kon",
        "María",
        date(1941, 3, 12),
    )
    assert (stored.sex, stored.practice_code, stored.postcode) == ("female", "C82002", "LE1 5WW")
    assert stored.lives_alone


def test_a_bad_postcode_keeps_the_dialog_open_with_everything_typed(qtbot, dialog, services):
    fill(qtbot, dialog, postcode="LE1 XYZ")
    qtbot.mouseClick(dialog.register_button, Qt.MouseButton.LeftButton)
    error = dialog.findChild(QLabel, "postcodeError")
    assert error.isVisible()
    assert error.text() == "'LE1 XYZ' is not a UK postcode"
    assert dialog.isVisible()
    assert dialog.registered_nhs is None
    assert dialog.family_edit.text() == "O'Kon"
    assert dialog.focusWidget() is dialog.postcode_edit
    assert services.patients.search("O'Kon") == []


def test_missing_fields_are_all_marked_at_once(qtbot, dialog):
    qtbot.mouseClick(dialog.register_button, Qt.MouseButton.LeftButton)
    shown = {name: label.text() for name, label in dialog.errors.items() if label.isVisible()}
    assert shown == {
        "family name": "Family name is required",
        "given name": "Given name is required",
        "date of birth": "Date of birth is required",
        "practice": "Choose a practice",
    }
    assert dialog.nhs_status.text() == "NHS number is required"
    assert dialog.focusWidget() is dialog.nhs_edit


def test_an_nhs_number_already_registered_is_said_plainly(qtbot, dialog, services):
    fill(qtbot, dialog)
    qtbot.mouseClick(dialog.register_button, Qt.MouseButton.LeftButton)
    again = RegisterPatientDialog(services)
    qtbot.addWidget(again)
    again.show()
    fill(qtbot, again)
    qtbot.mouseClick(again.register_button, Qt.MouseButton.LeftButton)
    assert again.isVisible()
    assert again.nhs_status.text() == "NHS number 943 476 5919 is already registered."


def test_the_date_picker_cannot_hold_a_future_or_impossible_date(qtbot, dialog):
    picker = dialog.dob_edit
    today = QDate.currentDate()
    assert picker.calendarPopup()
    assert picker.displayFormat() == "dd/MM/yyyy"
    assert picker.maximumDate() == today
    assert picker.calendarWidget().maximumDate() == today
    assert picker.text() == "DD/MM/YYYY"  # blank until something is entered

    picker.setFocus()
    qtbot.keyClicks(picker, f"0101{today.year() + 1}")
    assert picker.date() <= today
    picker.set_value(date(2020, 2, 1))
    picker.setSelectedSection(picker.Section.DaySection)
    qtbot.keyClicks(picker, "31")  # there is no 31 February
    assert picker.date().isValid()
    assert picker.date().month() == 2
    assert picker.date().day() <= 29


def test_the_empty_picker_opens_its_calendar_decades_back(dialog):
    calendar = dialog.dob_edit.calendarWidget()
    QApplication.sendEvent(calendar, QShowEvent())  # what opening the popup does
    assert calendar.yearShown() == QDate.currentDate().year() - 70


def test_a_date_of_birth_without_its_year_is_refused(qtbot, dialog):
    fill(qtbot, dialog, dob="1203")  # day and month typed, then the user moved on
    qtbot.mouseClick(dialog.register_button, Qt.MouseButton.LeftButton)
    assert dialog.errors["date of birth"].text() == (
        "Date of birth needs the year as well as the day and month"
    )
    assert dialog.registered_nhs is None


def test_escape_with_details_typed_asks_first(qtbot, dialog, monkeypatch):
    asked: list[str] = []

    def question(parent, title, text, buttons, default):
        asked.append(text)
        return QMessageBox.StandardButton.Cancel

    monkeypatch.setattr(QMessageBox, "question", question)
    qtbot.keyClicks(dialog.family_edit, "O'Kon")
    qtbot.keyClick(dialog.family_edit, Qt.Key.Key_Escape)
    assert asked == ["Discard the details you have typed?"]
    assert dialog.isVisible()
    assert dialog.family_edit.text() == "O'Kon"
