"""Register a new patient: NHS number checked as it is typed, errors beside their fields."""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

from PySide6.QtCore import Signal
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDialog,
    QFormLayout,
    QLabel,
    QLineEdit,
    QMessageBox,
    QVBoxLayout,
    QWidget,
)

from ltcdesk.domain import nhs_number, validate
from ltcdesk.domain.errors import ConflictError, DomainError, ValidationError
from ltcdesk.domain.vocab import Sex
from ltcdesk.services.patients import NewPatient
from ltcdesk.ui.widgets import (
    ERROR_STYLE,
    OK_STYLE,
    ErrorLabel,
    OptionalDateEdit,
    button_row,
    collect_errors,
    field_message,
    pad_form_labels,
    with_error,
)

if TYPE_CHECKING:
    from ltcdesk.app import Services

_SEPARATORS = re.compile(r"[\s-]+")


class RegisterPatientDialog(QDialog):
    """Collects a NewPatient and registers it; stays open, with everything typed, on error.

    After a successful registration ``registered_nhs`` holds the ten digits, the
    ``registered`` signal has carried them, and the dialog is accepted.
    """

    registered = Signal(str)

    def __init__(self, services: Services, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._services = services
        self.registered_nhs: str | None = None
        self.setObjectName("registerPatientDialog")
        self.setWindowTitle("Register a patient")
        self.setAccessibleName("Register a patient")
        self.setMinimumWidth(520)

        self.nhs_edit = self._line("nhsNumberEdit", "NHS number", "e.g. 943 476 5919")
        self.nhs_edit.setMaxLength(14)
        self.nhs_status = QLabel()
        self.nhs_status.setObjectName("nhsNumberStatus")
        self.nhs_status.setAccessibleName("NHS number check")
        self.nhs_status.setWordWrap(True)
        self.nhs_status.hide()
        self.family_edit = self._line("familyNameEdit", "Family name")
        self.given_edit = self._line("givenNameEdit", "Given name")
        self.dob_edit = OptionalDateEdit(calendar_years_back=70)
        self.dob_edit.setObjectName("dateOfBirthEdit")
        self.dob_edit.setAccessibleName("Date of birth")
        self.dob_edit.setToolTip("Type DD/MM/YYYY or pick from the calendar")
        self.sex_combo = QComboBox()
        self.sex_combo.setObjectName("sexCombo")
        self.sex_combo.setAccessibleName("Sex")
        for sex in Sex:
            self.sex_combo.addItem(sex.label, sex.value)
        self.sex_combo.setPlaceholderText("Not recorded")
        self.sex_combo.setCurrentIndex(-1)
        self.practice_combo = QComboBox()
        self.practice_combo.setObjectName("practiceCombo")
        self.practice_combo.setAccessibleName("Practice")
        for practice in services.setup.practices():
            self.practice_combo.addItem(f"{practice.name} ({practice.code})", practice.code)
        self.practice_combo.setPlaceholderText("Choose a practice")
        self.practice_combo.setCurrentIndex(0 if self.practice_combo.count() == 1 else -1)
        self.address_edit = self._line("addressEdit", "Address")
        self.postcode_edit = self._line("postcodeEdit", "Postcode", "e.g. LE1 5WW")
        self.phone_edit = self._line("phoneEdit", "Telephone")
        self.lives_alone_check = QCheckBox("&Lives alone")
        self.lives_alone_check.setObjectName("livesAloneCheck")
        self.lives_alone_check.setAccessibleName("Lives alone")

        self.errors: dict[str, ErrorLabel] = {}
        self._targets: dict[str, QWidget] = {}
        form = QFormLayout()
        form.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.AllNonFixedFieldsGrow)
        nhs_cell = QWidget()
        nhs_box = QVBoxLayout(nhs_cell)
        nhs_box.setContentsMargins(0, 0, 0, 0)
        nhs_box.setSpacing(2)
        nhs_box.addWidget(self.nhs_edit)
        nhs_box.addWidget(self.nhs_status)
        nhs_cell.setFocusProxy(self.nhs_edit)
        form.addRow("&NHS number", nhs_cell)
        self._targets["NHS number"] = self.nhs_edit
        rows: tuple[tuple[str, str, QWidget, str], ...] = (
            ("&Family name", "family name", self.family_edit, "familyNameError"),
            ("&Given name", "given name", self.given_edit, "givenNameError"),
            ("&Date of birth", "date of birth", self.dob_edit, "dateOfBirthError"),
            ("&Sex", "sex", self.sex_combo, "sexError"),
            ("&Practice", "practice", self.practice_combo, "practiceError"),
            ("&Address", "address", self.address_edit, "addressError"),
            ("P&ostcode", "postcode", self.postcode_edit, "postcodeError"),
            ("T&elephone", "phone", self.phone_edit, "phoneError"),
        )
        for label, field, widget, error_name in rows:
            error = ErrorLabel(error_name, f"{field.capitalize()} error")
            self.errors[field] = error
            self._targets[field] = widget
            form.addRow(label, with_error(widget, error))
        form.addRow("", self.lives_alone_check)

        self.form_error = ErrorLabel("registerError", "Registration error")
        self.register_button, self.cancel_button, buttons = button_row(
            "&Register",
            "registerButton",
            "Register patient",
            "cancelRegisterButton",
            "Cancel registration",
        )

        layout = QVBoxLayout(self)
        layout.addLayout(form)
        pad_form_labels(form)
        layout.addWidget(self.form_error)
        layout.addLayout(buttons)

        self.nhs_edit.textEdited.connect(self._on_nhs_edit_text_edited)
        self.nhs_edit.editingFinished.connect(self._on_nhs_edit_editing_finished)
        self.postcode_edit.editingFinished.connect(self._on_postcode_edit_editing_finished)
        self.phone_edit.editingFinished.connect(self._on_phone_edit_editing_finished)
        for edit, field in (
            (self.family_edit, "family name"),
            (self.given_edit, "given name"),
            (self.postcode_edit, "postcode"),
            (self.phone_edit, "phone"),
            (self.address_edit, "address"),
        ):
            edit.textEdited.connect(lambda _t, f=field: self.errors[f].clear_error())
        self.dob_edit.dateChanged.connect(lambda _d: self.errors["date of birth"].clear_error())
        self.practice_combo.currentIndexChanged.connect(
            lambda _i: self.errors["practice"].clear_error()
        )
        self.register_button.clicked.connect(self._on_register_button_clicked)
        self.cancel_button.clicked.connect(self.reject)

    @staticmethod
    def _line(object_name: str, accessible: str, placeholder: str = "") -> QLineEdit:
        edit = QLineEdit()
        edit.setObjectName(object_name)
        edit.setAccessibleName(accessible)
        edit.setPlaceholderText(placeholder)
        return edit

    # ------------------------------------------------------------------ NHS number

    def _show_nhs_status(self, text: str, ok: bool) -> None:
        self.nhs_status.setText(text)
        self.nhs_status.setStyleSheet(OK_STYLE if ok else ERROR_STYLE)
        self.nhs_status.setVisible(bool(text))
        self.nhs_edit.setAccessibleDescription(text)

    def _check_nhs(self, final: bool) -> str | None:
        """Show whether the NHS number is valid; the ten digits when it is."""
        text = self.nhs_edit.text()
        digits = _SEPARATORS.sub("", text)
        if not digits:
            self._show_nhs_status("", ok=False)
            return None
        typed_enough = len(digits) >= 10 or not digits.isdigit()
        if not (final or typed_enough):
            self._show_nhs_status("", ok=False)
            return None
        try:
            valid = nhs_number.normalise(text)
        except ValidationError as err:
            self._show_nhs_status(field_message(err), ok=False)
            return None
        self._show_nhs_status("Valid NHS number", ok=True)
        return valid

    def _on_nhs_edit_text_edited(self, _text: str) -> None:
        self._check_nhs(final=False)

    def _on_nhs_edit_editing_finished(self) -> None:
        valid = self._check_nhs(final=True)
        if valid is not None:
            self.nhs_edit.setText(nhs_number.format_nhs(valid))

    def _on_postcode_edit_editing_finished(self) -> None:
        try:
            cleaned = validate.postcode(self.postcode_edit.text())
        except ValidationError as err:
            self.errors["postcode"].show_error(field_message(err))
        else:
            if cleaned:
                self.postcode_edit.setText(cleaned)

    def _on_phone_edit_editing_finished(self) -> None:
        try:
            validate.phone(self.phone_edit.text())
        except ValidationError as err:
            self.errors["phone"].show_error(field_message(err))

    # ------------------------------------------------------------------ registering

    def _new_patient(self) -> NewPatient:
        return NewPatient(
            nhs_number=self.nhs_edit.text(),
            family_name=self.family_edit.text(),
            given_name=self.given_edit.text(),
            date_of_birth=self.dob_edit.value() or "",
            practice_code=self.practice_combo.currentData() or "",
            sex=self.sex_combo.currentData(),
            address=self.address_edit.text(),
            postcode=self.postcode_edit.text(),
            phone=self.phone_edit.text(),
            lives_alone=self.lives_alone_check.isChecked(),
        )

    def _local_errors(self) -> list[ValidationError]:
        """Every field's problem at once (the service stops at the first)."""
        return collect_errors(
            (
                lambda: nhs_number.normalise(self.nhs_edit.text()),
                lambda: validate.name(self.family_edit.text(), "family name"),
                lambda: validate.name(self.given_edit.text(), "given name"),
                self._check_date_of_birth,
                lambda: validate.practice_code(self.practice_combo.currentData() or ""),
                lambda: validate.text(self.address_edit.text(), "address"),
                lambda: validate.postcode(self.postcode_edit.text()),
                lambda: validate.phone(self.phone_edit.text()),
            )
        )

    def _check_date_of_birth(self) -> None:
        if self.dob_edit.is_blank():
            raise ValidationError("date of birth", "is required")
        if not self.dob_edit.is_complete():
            raise ValidationError("date of birth", "needs the year as well as the day and month")

    def show_error(self, err: ValidationError) -> None:
        """Put a field's error beside it and move the focus there."""
        message = field_message(err)
        if err.field == "practice" and not self.practice_combo.currentData():
            message = "Choose a practice"
        if err.field == "NHS number":
            self._show_nhs_status(message, ok=False)
        elif err.field in self.errors:
            self.errors[err.field].show_error(message)
        else:
            self.form_error.show_error(str(err))
            return
        self._targets[err.field].setFocus()

    def _clear_errors(self) -> None:
        for label in self.errors.values():
            label.clear_error()
        self.form_error.clear_error()

    def _on_register_button_clicked(self) -> None:
        self._clear_errors()
        problems = self._local_errors()
        if problems:
            for err in reversed(problems):  # the focus ends on the first
                self.show_error(err)
            return
        try:
            detail = self._services.patients.register(self._new_patient())
        except ValidationError as err:
            self.show_error(err)
            return
        except ConflictError as err:
            self._show_nhs_status(str(err), ok=False)
            self.nhs_edit.setFocus()
            return
        except DomainError as err:
            self.form_error.show_error(str(err))
            return
        self.registered_nhs = detail.nhs_number
        self.registered.emit(detail.nhs_number)
        self.accept()

    # ------------------------------------------------------------------ closing

    def _has_typing(self) -> bool:
        edits = (
            self.nhs_edit,
            self.family_edit,
            self.given_edit,
            self.address_edit,
            self.postcode_edit,
            self.phone_edit,
        )
        return any(e.text().strip() for e in edits) or not self.dob_edit.is_blank()

    def reject(self) -> None:
        if self.registered_nhs is None and self._has_typing():
            answer = QMessageBox.question(
                self,
                "Register a patient",
                "Discard the details you have typed?",
                QMessageBox.StandardButton.Discard | QMessageBox.StandardButton.Cancel,
                QMessageBox.StandardButton.Cancel,
            )
            if answer != QMessageBox.StandardButton.Discard:
                return
        super().reject()
