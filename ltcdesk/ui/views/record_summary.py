"""The record's Summary tab: personal details to edit, current conditions and consent."""

from __future__ import annotations

from collections.abc import Callable, Collection
from datetime import UTC, date, datetime
from typing import TYPE_CHECKING

from PySide6.QtCore import QDate, Qt
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDateEdit,
    QFormLayout,
    QGridLayout,
    QGroupBox,
    QLabel,
    QLineEdit,
    QListWidget,
    QVBoxLayout,
    QWidget,
)

from ltcdesk.domain import validate
from ltcdesk.domain.vocab import CONDITION_NAMES, ContactMethod, Sex
from ltcdesk.services.patients import PatientChanges
from ltcdesk.ui.views.record_common import FieldErrors, named
from ltcdesk.ui.widgets import to_date

if TYPE_CHECKING:
    from ltcdesk.services.patients import PatientDetail
    from ltcdesk.services.setup import PracticeView


def _local(when: datetime) -> datetime:
    """Stored timestamps are naive UTC; show them in the user's local time."""
    return when.replace(tzinfo=UTC).astimezone()


class SummaryTab(QWidget):
    """Edits to the personal details call ``on_edited``; ``changes()`` says what differs."""

    def __init__(
        self,
        errors: FieldErrors,
        practices: list[PracticeView],
        on_edited: Callable[..., None],
    ) -> None:
        super().__init__()
        self._on_edited = on_edited
        self.family_name_edit = self._line("familyNameEdit", "Family name")
        self.given_name_edit = self._line("givenNameEdit", "Given name")
        self.dob_edit = QDateEdit()
        named(self.dob_edit, "dateOfBirthEdit", "Date of birth")
        self.dob_edit.setDisplayFormat("dd/MM/yyyy")
        self.dob_edit.setCalendarPopup(True)
        self.dob_edit.setMinimumDate(QDate(*validate.EARLIEST_DOB.timetuple()[:3]))
        self.dob_edit.setMaximumDate(QDate.currentDate())
        self.dob_edit.dateChanged.connect(on_edited)
        self.sex_combo = QComboBox()
        named(self.sex_combo, "sexCombo", "Sex")
        for sex in Sex:
            self.sex_combo.addItem(sex.label, sex.value)
        self.address_edit = self._line("addressEdit", "Address")
        self.postcode_edit = self._line("postcodeEdit", "Postcode", "e.g. LE1 5WW")
        self.postcode_edit.setMaximumWidth(140)
        self.phone_edit = self._line("phoneEdit", "Telephone")
        self.practice_combo = QComboBox()
        named(self.practice_combo, "practiceCombo", "Practice")
        for practice in practices:
            self.practice_combo.addItem(f"{practice.name} ({practice.code})", practice.code)
        self.contact_combo = QComboBox()
        named(self.contact_combo, "preferredContactCombo", "Preferred contact")
        self.contact_combo.addItem("Not recorded", "")
        for method in ContactMethod:
            self.contact_combo.addItem(method.label, method.value)
        self.lives_alone_check = QCheckBox("&Lives alone")
        named(self.lives_alone_check, "livesAloneCheck", "Lives alone")
        self.interpreter_check = QCheckBox("&Interpreter needed")
        named(self.interpreter_check, "interpreterCheck", "Interpreter needed")
        self.language_edit = self._line("languageEdit", "Language", "e.g. Gujarati")
        for widget in (self.sex_combo, self.practice_combo, self.contact_combo):
            widget.currentIndexChanged.connect(on_edited)
        for check in (self.lives_alone_check, self.interpreter_check):
            check.toggled.connect(on_edited)
        self.interpreter_check.toggled.connect(self.language_edit.setEnabled)

        details = QGroupBox("Personal details")
        details.setObjectName("personalDetailsGroup")
        form = QFormLayout(details)
        form.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.AllNonFixedFieldsGrow)
        rows: tuple[tuple[str, str, QWidget, str], ...] = (
            ("&Family name", "family name", self.family_name_edit, "familyNameError"),
            ("&Given name", "given name", self.given_name_edit, "givenNameError"),
            ("&Date of birth", "date of birth", self.dob_edit, "dateOfBirthError"),
            ("Se&x", "sex", self.sex_combo, "sexError"),
            ("&Address", "address", self.address_edit, "addressError"),
            ("&Postcode", "postcode", self.postcode_edit, "postcodeError"),
            ("T&elephone", "phone", self.phone_edit, "phoneError"),
            ("P&ractice", "practice", self.practice_combo, "practiceError"),
            ("Preferred &contact", "preferred contact", self.contact_combo, "contactError"),
        )
        for label, field, control, error_name in rows:
            form.addRow(label, errors.wrap(field, control, error_name))
        form.addRow("", self.lives_alone_check)
        form.addRow("", self.interpreter_check)
        form.addRow("Lang&uage", errors.wrap("language", self.language_edit, "languageError"))
        errors.check_as_typed(self.family_name_edit, "family name", lambda t: validate.name(t, "x"))
        errors.check_as_typed(self.given_name_edit, "given name", lambda t: validate.name(t, "x"))
        errors.check_as_typed(self.postcode_edit, "postcode", validate.postcode)
        errors.check_as_typed(self.phone_edit, "phone", validate.phone)
        errors.check_as_typed(self.address_edit, "address", lambda t: validate.text(t, "x"))

        conditions = QGroupBox("Current long term conditions")
        self.summary_conditions = QListWidget()
        named(self.summary_conditions, "summaryConditionsList", "Current conditions")
        self.summary_conditions.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        QVBoxLayout(conditions).addWidget(self.summary_conditions)
        consent = QGroupBox("Consent to share information")
        self.summary_consent = QLabel()
        named(self.summary_consent, "consentSummaryLabel", "Consent to share")
        self.summary_consent.setWordWrap(True)
        QVBoxLayout(consent).addWidget(self.summary_consent)
        self.last_changed_label = QLabel()
        named(self.last_changed_label, "lastChangedLabel", "Last changed")
        self.last_changed_label.setWordWrap(True)
        self.last_changed_label.setStyleSheet("color: #5f6368;")

        right = QVBoxLayout()
        right.addWidget(conditions, 1)
        right.addWidget(consent)
        right.addWidget(self.last_changed_label)
        grid = QGridLayout(self)
        grid.addWidget(details, 0, 0)
        grid.addLayout(right, 0, 1)
        grid.setColumnStretch(0, 3)
        grid.setColumnStretch(1, 2)
        grid.setRowStretch(1, 1)

    def _line(self, name: str, accessible: str, placeholder: str = "") -> QLineEdit:
        edit = QLineEdit()
        edit.setPlaceholderText(placeholder)
        named(edit, name, accessible)
        edit.textChanged.connect(self._on_edited)
        return edit

    def editable(self) -> tuple[QWidget, ...]:
        """The controls a role without EDIT_DEMOGRAPHICS may not use."""
        return (
            self.family_name_edit,
            self.given_name_edit,
            self.dob_edit,
            self.sex_combo,
            self.address_edit,
            self.postcode_edit,
            self.phone_edit,
            self.practice_combo,
            self.contact_combo,
            self.lives_alone_check,
            self.interpreter_check,
            self.language_edit,
        )

    def date_of_birth(self) -> date:
        return to_date(self.dob_edit.date())

    def load(self, detail: PatientDetail, can_edit: bool) -> None:
        self.family_name_edit.setText(detail.family_name)
        self.given_name_edit.setText(detail.given_name)
        self.dob_edit.setDate(
            QDate(detail.date_of_birth.year, detail.date_of_birth.month, detail.date_of_birth.day)
        )
        self.sex_combo.setCurrentIndex(max(0, self.sex_combo.findData(detail.sex)))
        self.address_edit.setText(detail.address or "")
        self.postcode_edit.setText(detail.postcode or "")
        self.phone_edit.setText(detail.phone or "")
        index = self.practice_combo.findData(detail.practice_code)
        if index < 0:
            self.practice_combo.addItem(
                f"{detail.practice_name} ({detail.practice_code})", detail.practice_code
            )
            index = self.practice_combo.count() - 1
        self.practice_combo.setCurrentIndex(index)
        self.contact_combo.setCurrentIndex(
            max(0, self.contact_combo.findData(detail.preferred_contact or ""))
        )
        self.lives_alone_check.setChecked(detail.lives_alone)
        self.interpreter_check.setChecked(detail.interpreter_needed)
        self.language_edit.setText(detail.language or "")
        self.language_edit.setEnabled(detail.interpreter_needed and can_edit)

    def show_last_changed(self, detail: PatientDetail) -> None:
        changed = _local(detail.updated_at)
        by = f" by {detail.updated_by}" if detail.updated_by else ""
        self.last_changed_label.setText(
            f"Record last changed{by} on {changed:%d/%m/%Y} at {changed:%H:%M}."
        )

    def show_conditions(self, current: Collection[str], unsaved: Collection[str]) -> None:
        self.summary_conditions.clear()
        for code in sorted(current, key=lambda c: CONDITION_NAMES.get(c, c)):
            pending = "  (not saved yet)" if code in unsaved else ""
            self.summary_conditions.addItem(CONDITION_NAMES.get(code, code) + pending)
        if not current:
            self.summary_conditions.addItem("None recorded")

    def changes(self, base: PatientDetail) -> PatientChanges:
        """What the fields say that differs from ``base``."""
        values: dict[str, object] = {}

        def text(field: str, edit: QLineEdit, stored: str | None) -> None:
            typed = edit.text().strip()
            if typed != (stored or ""):
                values[field] = typed

        text("family_name", self.family_name_edit, base.family_name)
        text("given_name", self.given_name_edit, base.given_name)
        dob = self.date_of_birth()
        if dob != base.date_of_birth:
            values["date_of_birth"] = dob
        if self.sex_combo.currentData() != base.sex:
            values["sex"] = self.sex_combo.currentData()
        text("address", self.address_edit, base.address)
        text("postcode", self.postcode_edit, base.postcode)
        text("phone", self.phone_edit, base.phone)
        if self.practice_combo.currentData() != base.practice_code:
            values["practice_code"] = self.practice_combo.currentData()
        if self.lives_alone_check.isChecked() != base.lives_alone:
            values["lives_alone"] = self.lives_alone_check.isChecked()
        if (self.contact_combo.currentData() or "") != (base.preferred_contact or ""):
            values["preferred_contact"] = self.contact_combo.currentData() or ""
        if self.interpreter_check.isChecked() != base.interpreter_needed:
            values["interpreter_needed"] = self.interpreter_check.isChecked()
        text("language", self.language_edit, base.language)
        return PatientChanges(**values)  # type: ignore[arg-type]

    def checks(self, base: PatientDetail) -> list[Callable[[], object]]:
        """Validations of the fields changed from ``base``, to run all at once before saving."""
        changes = self.changes(base)
        checks: list[Callable[[], object]] = []
        if changes.family_name is not None:
            checks.append(lambda: validate.name(changes.family_name, "family name"))
        if changes.given_name is not None:
            checks.append(lambda: validate.name(changes.given_name, "given name"))
        if changes.address is not None:
            checks.append(lambda: validate.text(changes.address, "address"))
        if changes.postcode is not None:
            checks.append(lambda: validate.postcode(changes.postcode))
        if changes.phone is not None:
            checks.append(lambda: validate.phone(changes.phone))
        if changes.language is not None:
            checks.append(lambda: validate.text(changes.language, "language", max_len=50))
        return checks
