"""One patient's record: header, tabs, and in-place editing saved in one transaction.

Edits accumulate as pending changes (demographics are compared with the version loaded;
added and ended conditions, new carers and a new consent are queued) and nothing is
written until Save, which sends them all in one ``save_record`` call checked against the
version the user opened. If someone else saved first, the user's edits stay on screen
and a banner offers their version or saving these edits on top of it.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import UTC, date, datetime
from typing import TYPE_CHECKING

from PySide6.QtCore import QDate, Qt, Signal
from PySide6.QtGui import QFont, QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QAbstractItemView,
    QCheckBox,
    QComboBox,
    QDateEdit,
    QFormLayout,
    QFrame,
    QGridLayout,
    QGroupBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QListWidget,
    QMessageBox,
    QPushButton,
    QScrollArea,
    QTableWidget,
    QTableWidgetItem,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from ltcdesk.domain import nhs_number, validate
from ltcdesk.domain.errors import DomainError, StaleRecordError, ValidationError
from ltcdesk.domain.permissions import Action, allowed
from ltcdesk.domain.vocab import (
    CONDITION_NAMES,
    CONDITIONS,
    LEVEL_LABELS,
    AssignmentChange,
    ConsentStatus,
    ContactMethod,
    Sex,
)
from ltcdesk.services.patients import (
    NewCarer,
    NewConsent,
    PatientChanges,
    PatientDetail,
    RecordEdits,
)
from ltcdesk.ui.dialogs.add_to_caseload import AddToCaseloadDialog
from ltcdesk.ui.widgets import (
    ErrorLabel,
    OptionalDateEdit,
    collect_errors,
    field_message,
    pad_form_labels,
    to_date,
    with_error,
)
from ltcdesk.ui.widgets.patient_header import PatientHeader

if TYPE_CHECKING:
    from ltcdesk.app import Services
    from ltcdesk.services.caseload import AssignmentView

log = logging.getLogger(__name__)

PLACEHOLDER_TABS = ("Assessment", "Care plan", "Conversations", "Events")
# PatientChanges field -> how the pending-changes line names it.
FIELD_NAMES = {
    "family_name": "family name",
    "given_name": "given name",
    "date_of_birth": "date of birth",
    "sex": "sex",
    "address": "address",
    "postcode": "postcode",
    "phone": "telephone",
    "practice_code": "practice",
    "lives_alone": "lives alone",
    "preferred_contact": "preferred contact",
    "interpreter_needed": "interpreter",
    "language": "language",
}
_BANNER_STYLE = (
    "QFrame#%s { background: %s; border: 1px solid %s; border-radius: 4px; }"
    " QFrame#%s QLabel { background: transparent; }"
)
_PENDING_ROLE = Qt.ItemDataRole.UserRole + 1
_CODE_ROLE = Qt.ItemDataRole.UserRole + 2


def _table(object_name: str, accessible: str, headers: list[str]) -> QTableWidget:
    table = QTableWidget(0, len(headers))
    table.setObjectName(object_name)
    table.setAccessibleName(accessible)
    table.setHorizontalHeaderLabels(headers)
    table.verticalHeader().hide()
    table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
    table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
    table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
    table.setAlternatingRowColors(True)
    table.setWordWrap(True)
    table.setTabKeyNavigation(False)  # Tab leaves the table rather than walking its cells
    header = table.horizontalHeader()
    header.setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
    header.setStretchLastSection(True)
    # Wrapped cells need their rows re-measured whenever a column changes width.
    header.sectionResized.connect(lambda *_: table.resizeRowsToContents())
    return table


def _fill(table: QTableWidget, rows: list[tuple[list[str], str | None, str]]) -> None:
    """Rows of (cells, pending kind or None, code); pending rows are shown in italics."""
    table.setRowCount(len(rows))
    for r, (cells, pending, code) in enumerate(rows):
        for c, text in enumerate(cells):
            item = QTableWidgetItem(text)
            item.setToolTip(text)
            item.setData(_PENDING_ROLE, pending)
            item.setData(_CODE_ROLE, code)
            if pending:
                font = QFont(item.font())
                font.setItalic(True)
                item.setFont(font)
            table.setItem(r, c, item)
    table.resizeRowsToContents()


def _dmy(value: date | None, blank: str = "") -> str:
    return f"{value:%d/%m/%Y}" if value else blank


def _change_label(change: str | None) -> str:
    if not change:
        return ""
    try:
        return AssignmentChange(change).label
    except ValueError:
        return change


def _local(when: datetime) -> datetime:
    """Stored timestamps are naive UTC; show them in the user's local time."""
    return when.replace(tzinfo=UTC).astimezone()


class PatientRecord(QWidget):
    """The record of the patient with NHS number ``nhs``; raises DomainError if not found.

    ``saved(nhs)`` follows anything written from here (a record save or adding to a
    caseload); ``titleChanged("Family, Given")`` follows every load, the first included
    (read ``title()`` for that one); ``unsavedChanged(bool)`` when pending edits appear
    or go.
    """

    saved = Signal(str)
    titleChanged = Signal(str)
    unsavedChanged = Signal(bool)

    def __init__(self, services: Services, nhs: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("patientRecord")
        self.setAccessibleName("Patient record")
        self._services = services
        self._nhs = nhs_number.normalise(nhs)
        self._practices = services.setup.practices()
        me = services.username.strip().lower()
        self._role = next((m.role for m in services.setup.staff() if m.username == me), "")
        self._base: PatientDetail | None = None
        self._add_conditions: list[tuple[str, date | None]] = []
        self._end_conditions: dict[str, str | None] = {}
        self._add_carers: list[NewCarer] = []
        self._loading = False
        self._was_dirty = False
        # After "Save mine anyway": the version the user chose to save over.
        self._save_over: int | None = None
        self.add_to_caseload_dialog: AddToCaseloadDialog | None = None
        self._errors: dict[str, ErrorLabel] = {}
        self._targets: dict[str, QWidget] = {}

        self.header = PatientHeader()
        self._build_banners()
        self.tabs = QTabWidget()
        self.tabs.setObjectName("recordTabs")
        self.tabs.setAccessibleName("Record sections")
        self.tabs.addTab(self._scrolled(self._build_summary()), "&Summary")
        self.tabs.addTab(self._scrolled(self._build_conditions()), "C&onditions")
        self.tabs.addTab(self._scrolled(self._build_carers()), "Carers && co&ntacts")
        self.tabs.addTab(self._build_history(), "Caseload &history")
        for name in PLACEHOLDER_TABS:
            label = QLabel(f"{name}\n\nComing in a later release.")
            label.setObjectName(name.lower().replace(" ", "") + "Placeholder")
            label.setAccessibleName(f"{name} (coming in a later release)")
            label.setAlignment(Qt.AlignmentFlag.AlignCenter)
            self.tabs.addTab(label, name)
        self._build_actions()

        layout = QVBoxLayout(self)
        layout.setContentsMargins(8, 8, 8, 8)
        layout.setSpacing(6)
        layout.addWidget(self.header)
        layout.addWidget(self.stale_banner)
        layout.addWidget(self.error_banner)
        layout.addWidget(self.tabs, 1)
        layout.addLayout(self._actions)

        save_key = QShortcut(QKeySequence.StandardKey.Save, self)
        save_key.setContext(Qt.ShortcutContext.WidgetWithChildrenShortcut)
        save_key.activated.connect(self.save)
        escape_key = QShortcut(QKeySequence(Qt.Key.Key_Escape), self)
        escape_key.setContext(Qt.ShortcutContext.WidgetWithChildrenShortcut)
        escape_key.activated.connect(self.cancel_edits)

        for form in self.findChildren(QFormLayout):
            pad_form_labels(form)
        self._apply_permissions()
        self._load(services.patients.get(self._nhs))

    # ------------------------------------------------------------------ public API

    @property
    def nhs_number(self) -> str:
        return self._nhs

    @property
    def detail(self) -> PatientDetail:
        """The record as last loaded or saved (without pending edits)."""
        assert self._base is not None
        return self._base

    def title(self) -> str:
        base = self.detail
        return f"{base.family_name}, {base.given_name}"

    def has_unsaved_changes(self) -> bool:
        return self._base is not None and self.pending_edits() != RecordEdits()

    def pending_edits(self) -> RecordEdits:
        return RecordEdits(
            changes=self._demographic_changes(),
            add_conditions=tuple(self._add_conditions),
            end_conditions=tuple((c, None, why) for c, why in self._end_conditions.items()),
            add_carers=tuple(self._add_carers),
            consent=self._pending_consent(),
        )

    def save(self) -> bool:
        """Save every pending edit in one transaction; True when saved (or nothing to save)."""
        if not self.has_unsaved_changes():
            return True
        self._clear_errors()
        problems = self._local_errors()
        if problems:
            for err in reversed(problems):  # the focus ends on the first
                self._show_field_error(err)
            return False
        return self._save(self._save_over or self.detail.version)

    def cancel_edits(self) -> bool:
        """Discard pending edits (after asking) and reload; True if nothing is left pending."""
        if not self.can_close():
            return False
        if self.has_unsaved_changes() or self.stale_banner.isVisible():
            self.reload()
        return True

    def can_close(self) -> bool:
        """True when there is nothing unsaved or the user agrees to discard it."""
        if not self.has_unsaved_changes():
            return True
        answer = QMessageBox.question(
            self,
            "Unsaved changes",
            "Discard your unsaved changes?",
            QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.No,
            QMessageBox.StandardButton.No,
        )
        return answer == QMessageBox.StandardButton.Yes

    def reload(self) -> None:
        """Read the record again, discarding pending edits."""
        try:
            self._load(self._services.patients.get(self._nhs))
        except DomainError as err:
            self._show_banner_error(str(err))

    def refresh(self) -> None:
        """Something changed elsewhere: reload, or update only what shows if edits are pending."""
        if not self.has_unsaved_changes():
            self.reload()
            return
        try:
            fresh = self._services.patients.get(self._nhs)
        except DomainError as err:
            self._show_banner_error(str(err))
            return
        if fresh.version == self.detail.version:
            self._base = fresh  # same version: the pending edits still compare correctly
        self.header.show_patient(fresh)
        self._fill_history(fresh.history)
        self._update_caseload_button(fresh)

    # ------------------------------------------------------------------ building

    def _scrolled(self, page: QWidget) -> QScrollArea:
        area = QScrollArea()
        area.setWidgetResizable(True)
        area.setFrameShape(QFrame.Shape.NoFrame)
        area.setFocusPolicy(Qt.FocusPolicy.NoFocus)  # Tab goes to the fields; it still scrolls
        area.setWidget(page)
        return area

    def _banner(self, name: str, bg: str, border: str) -> tuple[QFrame, QLabel, QHBoxLayout]:
        frame = QFrame()
        frame.setObjectName(name)
        frame.setStyleSheet(_BANNER_STYLE % (name, bg, border, name))
        label = QLabel()
        label.setObjectName(name.replace("Banner", "Message"))
        label.setWordWrap(True)
        label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        row = QHBoxLayout(frame)
        row.setContentsMargins(10, 6, 10, 6)
        row.addWidget(label, 1)
        frame.hide()
        return frame, label, row

    def _build_banners(self) -> None:
        self.stale_banner, self.stale_label, row = self._banner("staleBanner", "#fff4ce", "#c98a00")
        self.stale_banner.setAccessibleName("Someone else changed this record")
        self.stale_label.setAccessibleName("Conflicting change")
        self.reload_theirs_button = self._button(
            "reloadTheirVersionButton", "Reload their &version", "Reload their version"
        )
        self.reload_theirs_button.setToolTip("Discard your unsaved changes and show theirs")
        self.save_mine_button = self._button(
            "saveMineAnywayButton", "Save &mine anyway", "Save mine anyway"
        )
        self.save_mine_button.setToolTip("Save your changes on top of theirs")
        row.addWidget(self.reload_theirs_button)
        row.addWidget(self.save_mine_button)
        self.reload_theirs_button.clicked.connect(self.reload)
        self.save_mine_button.clicked.connect(self._on_save_mine_button_clicked)

        self.error_banner, self.error_label, row = self._banner(
            "recordErrorBanner", "#fce8e6", "#b3261e"
        )
        self.error_banner.setAccessibleName("Problem")
        self.error_label.setAccessibleName("Problem")
        dismiss = self._button("dismissErrorButton", "Dismiss", "Dismiss the message")
        dismiss.clicked.connect(self.error_banner.hide)
        row.addWidget(dismiss)

    @staticmethod
    def _button(name: str, text: str, accessible: str) -> QPushButton:
        button = QPushButton(text)
        button.setObjectName(name)
        button.setAccessibleName(accessible)
        return button

    def _field(self, widget: QWidget, name: str, accessible: str) -> QWidget:
        widget.setObjectName(name)
        widget.setAccessibleName(accessible)
        return widget

    def _with_error(self, field: str, widget: QWidget, error_name: str) -> QWidget:
        label = ErrorLabel(error_name, f"{field.capitalize()} error")
        self._errors[field] = label
        self._targets.setdefault(field, widget)
        return with_error(widget, label)

    def _alias(self, field: str, shown_as: str) -> None:
        """Errors the service reports as ``field`` appear where ``shown_as`` errors do."""
        self._errors[field] = self._errors[shown_as]
        self._targets[field] = self._targets[shown_as]

    def _line(self, name: str, accessible: str, placeholder: str = "") -> QLineEdit:
        edit = QLineEdit()
        edit.setPlaceholderText(placeholder)
        self._field(edit, name, accessible)
        edit.textChanged.connect(self._on_edited)
        return edit

    def _check_as_typed(self, edit: QLineEdit, field: str, check: Callable[[str], object]) -> None:
        """Show a field's error when the user leaves it; clear it as soon as it is fixed."""

        def problem() -> str | None:
            try:
                check(edit.text())
            except ValidationError as err:
                return field_message(err)
            return None

        def on_finished() -> None:
            message = problem()
            if message:
                self._errors[field].show_error(message)

        def on_edited(_text: str) -> None:
            if not self._errors[field].isHidden() and problem() is None:
                self._errors[field].clear_error()

        edit.editingFinished.connect(on_finished)
        edit.textEdited.connect(on_edited)

    def _build_summary(self) -> QWidget:
        page = QWidget()
        self.family_name_edit = self._line("familyNameEdit", "Family name")
        self.given_name_edit = self._line("givenNameEdit", "Given name")
        self.dob_edit = QDateEdit()
        self._field(self.dob_edit, "dateOfBirthEdit", "Date of birth")
        self.dob_edit.setDisplayFormat("dd/MM/yyyy")
        self.dob_edit.setCalendarPopup(True)
        self.dob_edit.setMinimumDate(QDate(*validate.EARLIEST_DOB.timetuple()[:3]))
        self.dob_edit.setMaximumDate(QDate.currentDate())
        self.dob_edit.dateChanged.connect(self._on_edited)
        self.sex_combo = QComboBox()
        self._field(self.sex_combo, "sexCombo", "Sex")
        for sex in Sex:
            self.sex_combo.addItem(sex.label, sex.value)
        self.address_edit = self._line("addressEdit", "Address")
        self.postcode_edit = self._line("postcodeEdit", "Postcode", "e.g. LE1 5WW")
        self.postcode_edit.setMaximumWidth(140)
        self.phone_edit = self._line("phoneEdit", "Telephone")
        self.practice_combo = QComboBox()
        self._field(self.practice_combo, "practiceCombo", "Practice")
        for practice in self._practices:
            self.practice_combo.addItem(f"{practice.name} ({practice.code})", practice.code)
        self.contact_combo = QComboBox()
        self._field(self.contact_combo, "preferredContactCombo", "Preferred contact")
        self.contact_combo.addItem("Not recorded", "")
        for method in ContactMethod:
            self.contact_combo.addItem(method.label, method.value)
        self.lives_alone_check = QCheckBox("&Lives alone")
        self._field(self.lives_alone_check, "livesAloneCheck", "Lives alone")
        self.interpreter_check = QCheckBox("&Interpreter needed")
        self._field(self.interpreter_check, "interpreterCheck", "Interpreter needed")
        self.language_edit = self._line("languageEdit", "Language", "e.g. Gujarati")
        for widget in (self.sex_combo, self.practice_combo, self.contact_combo):
            widget.currentIndexChanged.connect(self._on_edited)
        for check in (self.lives_alone_check, self.interpreter_check):
            check.toggled.connect(self._on_edited)
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
            form.addRow(label, self._with_error(field, control, error_name))
        form.addRow("", self.lives_alone_check)
        form.addRow("", self.interpreter_check)
        form.addRow("Lang&uage", self._with_error("language", self.language_edit, "languageError"))
        self._check_as_typed(self.family_name_edit, "family name", lambda t: validate.name(t, "x"))
        self._check_as_typed(self.given_name_edit, "given name", lambda t: validate.name(t, "x"))
        self._check_as_typed(self.postcode_edit, "postcode", validate.postcode)
        self._check_as_typed(self.phone_edit, "phone", validate.phone)
        self._check_as_typed(self.address_edit, "address", lambda t: validate.text(t, "x"))

        conditions = QGroupBox("Current long term conditions")
        self.summary_conditions = QListWidget()
        self._field(self.summary_conditions, "summaryConditionsList", "Current conditions")
        self.summary_conditions.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        QVBoxLayout(conditions).addWidget(self.summary_conditions)
        consent = QGroupBox("Consent to share information")
        self.summary_consent = QLabel()
        self._field(self.summary_consent, "consentSummaryLabel", "Consent to share")
        self.summary_consent.setWordWrap(True)
        QVBoxLayout(consent).addWidget(self.summary_consent)
        self.last_changed_label = QLabel()
        self._field(self.last_changed_label, "lastChangedLabel", "Last changed")
        self.last_changed_label.setWordWrap(True)
        self.last_changed_label.setStyleSheet("color: #5f6368;")

        right = QVBoxLayout()
        right.addWidget(conditions, 1)
        right.addWidget(consent)
        right.addWidget(self.last_changed_label)
        grid = QGridLayout(page)
        grid.addWidget(details, 0, 0)
        grid.addLayout(right, 0, 1)
        grid.setColumnStretch(0, 3)
        grid.setColumnStretch(1, 2)
        grid.setRowStretch(1, 1)
        return page

    def _build_conditions(self) -> QWidget:
        page = QWidget()
        self.conditions_table = _table(
            "conditionsTable",
            "Long term conditions",
            ["Condition", "Diagnosed", "Ended", "Why ended", "Status"],
        )
        self.conditions_table.setMinimumHeight(160)
        self.conditions_table.itemSelectionChanged.connect(self._on_conditions_selection)

        add_box = QGroupBox("Add a condition")
        add_box.setObjectName("addConditionGroup")
        self.condition_combo = QComboBox()
        self._field(self.condition_combo, "conditionCombo", "Condition to add")
        self.condition_combo.setPlaceholderText("Choose a condition")
        self.diagnosis_date_edit = OptionalDateEdit(calendar_years_back=0)
        self._field(self.diagnosis_date_edit, "diagnosisDateEdit", "Date diagnosed (optional)")
        self.add_condition_button = self._button(
            "addConditionButton", "A&dd condition", "Add condition"
        )
        form = QFormLayout(add_box)
        form.addRow(
            "Condition", self._with_error("condition", self.condition_combo, "conditionError")
        )
        form.addRow(
            "Diagnosed (optional)",
            self._with_error("diagnosis date", self.diagnosis_date_edit, "diagnosisDateError"),
        )
        form.addRow("", self.add_condition_button)
        self.condition_combo.currentIndexChanged.connect(
            lambda _i: self._errors["condition"].clear_error()
        )
        self.diagnosis_date_edit.dateChanged.connect(
            lambda _d: self._errors["diagnosis date"].clear_error()
        )
        self.add_condition_button.clicked.connect(self._on_add_condition_button_clicked)

        end_box = QGroupBox("End or undo the selected condition")
        end_box.setObjectName("endConditionGroup")
        self.selected_condition_label = QLabel("Select a condition in the table.")
        self._field(self.selected_condition_label, "selectedConditionLabel", "Selected condition")
        self.end_reason_edit = QLineEdit()
        self._field(self.end_reason_edit, "endReasonEdit", "Why the condition ended")
        self.end_reason_edit.setPlaceholderText("e.g. Resolved; diagnosis revised")
        self.end_condition_button = self._button(
            "endConditionButton", "&End condition", "End condition"
        )
        self.undo_condition_button = self._button(
            "undoConditionButton", "&Undo unsaved change", "Undo unsaved condition change"
        )
        buttons = QHBoxLayout()
        buttons.addWidget(self.end_condition_button)
        buttons.addWidget(self.undo_condition_button)
        buttons.addStretch(1)
        form = QFormLayout(end_box)
        form.addRow("Selected", self.selected_condition_label)
        form.addRow("Why", self._with_error("reason", self.end_reason_edit, "endConditionError"))
        self._alias("end date", "reason")
        form.addRow("", buttons)
        self.end_condition_button.clicked.connect(self._on_end_condition_button_clicked)
        self.undo_condition_button.clicked.connect(self._on_undo_condition_button_clicked)

        forms = QHBoxLayout()
        forms.addWidget(add_box, 1)
        forms.addWidget(end_box, 1)
        layout = QVBoxLayout(page)
        layout.addWidget(self.conditions_table, 1)
        layout.addLayout(forms)
        return page

    def _build_carers(self) -> QWidget:
        page = QWidget()
        self.carers_table = _table(
            "carersTable",
            "Carers",
            ["Name", "Relationship", "Telephone", "Lives with patient", "Support offered", ""],
        )
        self.carers_table.setMinimumHeight(130)
        self.carers_table.itemSelectionChanged.connect(self._on_carers_selection)

        carer_box = QGroupBox("Add a carer")
        carer_box.setObjectName("addCarerGroup")
        self.carer_name_edit = QLineEdit()
        self._field(self.carer_name_edit, "carerNameEdit", "Carer's name")
        self.carer_relationship_edit = QLineEdit()
        self._field(self.carer_relationship_edit, "carerRelationshipEdit", "Relationship")
        self.carer_relationship_edit.setPlaceholderText("e.g. Daughter")
        self.carer_phone_edit = QLineEdit()
        self._field(self.carer_phone_edit, "carerPhoneEdit", "Carer's telephone")
        self.carer_lives_with_check = QCheckBox("Lives &with the patient")
        self._field(self.carer_lives_with_check, "carerLivesWithCheck", "Lives with the patient")
        self.carer_support_check = QCheckBox("Offered carer's su&pport (today)")
        self._field(self.carer_support_check, "carerOfferedSupportCheck", "Offered support")
        self.add_carer_button = self._button("addCarerButton", "Add ca&rer", "Add carer")
        self.remove_carer_button = self._button(
            "removeCarerButton", "Remove &unsaved carer", "Remove unsaved carer"
        )
        self.remove_carer_button.setEnabled(False)
        buttons = QHBoxLayout()
        buttons.addWidget(self.add_carer_button)
        buttons.addWidget(self.remove_carer_button)
        buttons.addStretch(1)
        form = QFormLayout(carer_box)
        form.addRow("Name", self._with_error("carer name", self.carer_name_edit, "carerNameError"))
        form.addRow(
            "Relationship",
            self._with_error(
                "relationship", self.carer_relationship_edit, "carerRelationshipError"
            ),
        )
        form.addRow(
            "Telephone", self._with_error("carer phone", self.carer_phone_edit, "carerPhoneError")
        )
        form.addRow("", self.carer_lives_with_check)
        form.addRow("", self.carer_support_check)
        form.addRow("", buttons)
        self._check_as_typed(self.carer_phone_edit, "carer phone", validate.phone)
        self.carer_name_edit.textEdited.connect(lambda _t: self._errors["carer name"].clear_error())
        self.add_carer_button.clicked.connect(self._on_add_carer_button_clicked)
        self.remove_carer_button.clicked.connect(self._on_remove_carer_button_clicked)

        consent_box = QGroupBox("Consent to share information with the team")
        consent_box.setObjectName("consentGroup")
        self.consent_current_label = QLabel()
        self._field(self.consent_current_label, "consentCurrentLabel", "Consent recorded")
        self.consent_current_label.setWordWrap(True)
        self.consent_combo = QComboBox()
        self._field(self.consent_combo, "consentStatusCombo", "Consent status")
        for status in ConsentStatus:
            self.consent_combo.addItem(status.label, status.value)
        self.consent_combo.setPlaceholderText("Not recorded")
        self.consent_note_edit = QLineEdit()
        self._field(self.consent_note_edit, "consentNoteEdit", "Consent note")
        self.consent_note_edit.setPlaceholderText("Optional, e.g. agreed at home visit")
        form = QFormLayout(consent_box)
        form.addRow("Recorded", self.consent_current_label)
        form.addRow("St&atus", self._with_error("consent", self.consent_combo, "consentError"))
        form.addRow(
            "Not&e", self._with_error("consent note", self.consent_note_edit, "consentNoteError")
        )
        self._alias("consent date", "consent")
        self.consent_combo.currentIndexChanged.connect(self._on_edited)
        self.consent_note_edit.textChanged.connect(self._on_edited)

        forms = QHBoxLayout()
        forms.addWidget(carer_box, 1)
        forms.addWidget(consent_box, 1)
        layout = QVBoxLayout(page)
        layout.addWidget(self.carers_table, 1)
        layout.addLayout(forms)
        return page

    def _build_history(self) -> QWidget:
        page = QWidget()
        self.history_table = _table(
            "historyTable",
            "Caseload history",
            [
                "From",
                "To",
                "Level",
                "Key worker",
                "How it started",
                "Reason",
                "How it ended",
                "Recorded by",
            ],
        )
        self.history_empty = QLabel("Not on anyone's caseload so far.")
        self.history_empty.setObjectName("historyEmptyLabel")
        note = QLabel("Newest first. Steps up and down, transfers and discharges are kept here.")
        note.setObjectName("historyNote")
        note.setStyleSheet("color: #5f6368;")
        layout = QVBoxLayout(page)
        layout.addWidget(note)
        layout.addWidget(self.history_empty)
        layout.addWidget(self.history_table, 1)
        return page

    def _build_actions(self) -> None:
        self.add_to_caseload_button = self._button(
            "addToCaseloadButton", "Add &to caseload…", "Add to caseload"
        )
        self.add_to_caseload_button.clicked.connect(self._on_add_to_caseload_button_clicked)
        self.pending_label = QLabel()
        self._field(self.pending_label, "pendingChangesLabel", "Unsaved changes")
        self.pending_label.setWordWrap(True)
        self.cancel_button = self._button("cancelEditsButton", "Cancel changes", "Cancel changes")
        self.cancel_button.setToolTip("Discard your unsaved changes (Esc)")
        self.save_button = self._button("saveRecordButton", "Save", "Save record")
        self.save_button.setToolTip("Save all your changes (Ctrl+S)")
        self.save_button.setDefault(True)
        self.cancel_button.clicked.connect(self.cancel_edits)
        self.save_button.clicked.connect(self.save)
        self._actions = QHBoxLayout()
        self._actions.addWidget(self.add_to_caseload_button)
        self._actions.addSpacing(12)
        self._actions.addWidget(self.pending_label, 1)
        self._actions.addWidget(self.cancel_button)
        self._actions.addWidget(self.save_button)

    def _apply_permissions(self) -> None:
        def gate(action: Action, what: str, widgets: tuple[QWidget, ...]) -> None:
            if allowed(self._role, action):
                return
            for widget in widgets:
                widget.setEnabled(False)
                widget.setToolTip(f"Your role cannot {what}.")

        self._can_manage_caseload = allowed(self._role, Action.MANAGE_CASELOAD)
        gate(
            Action.EDIT_DEMOGRAPHICS,
            "edit patient details",
            (
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
            ),
        )
        gate(
            Action.EDIT_CONDITIONS,
            "edit long term conditions",
            (
                self.condition_combo,
                self.diagnosis_date_edit,
                self.add_condition_button,
                self.end_reason_edit,
                self.end_condition_button,
                self.undo_condition_button,
            ),
        )
        gate(
            Action.EDIT_CARERS,
            "edit carers",
            (
                self.carer_name_edit,
                self.carer_relationship_edit,
                self.carer_phone_edit,
                self.carer_lives_with_check,
                self.carer_support_check,
                self.add_carer_button,
            ),
        )
        gate(
            Action.RECORD_CONSENT,
            "record consent",
            (self.consent_combo, self.consent_note_edit),
        )

    # ------------------------------------------------------------------ loading

    def _load(self, detail: PatientDetail) -> None:
        self._loading = True
        try:
            self._base = detail
            self._save_over = None
            self._add_conditions.clear()
            self._end_conditions.clear()
            self._add_carers.clear()
            self.header.show_patient(detail)
            self.family_name_edit.setText(detail.family_name)
            self.given_name_edit.setText(detail.given_name)
            self.dob_edit.setDate(
                QDate(
                    detail.date_of_birth.year, detail.date_of_birth.month, detail.date_of_birth.day
                )
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
            self.language_edit.setEnabled(
                detail.interpreter_needed and allowed(self._role, Action.EDIT_DEMOGRAPHICS)
            )
            status = detail.consent.status if detail.consent else ""
            self.consent_combo.setCurrentIndex(self.consent_combo.findData(status))
            self.consent_note_edit.clear()
            self.diagnosis_date_edit.clear_date()
            self.end_reason_edit.clear()
            self._clear_carer_form()
            self._fill_history(detail.history)
            self._update_caseload_button(detail)
            self._clear_errors()
            self.stale_banner.hide()
            self.error_banner.hide()
            changed = _local(detail.updated_at)
            by = f" by {detail.updated_by}" if detail.updated_by else ""
            self.last_changed_label.setText(
                f"Record last changed{by} on {changed:%d/%m/%Y} at {changed:%H:%M}."
            )
        finally:
            self._loading = False
        self._refresh_pending_views()
        self.titleChanged.emit(self.title())

    def _update_caseload_button(self, detail: PatientDetail) -> None:
        button = self.add_to_caseload_button
        if detail.date_of_death is not None:
            button.setEnabled(False)
            button.setToolTip(f"Died on {detail.date_of_death:%d/%m/%Y}; caseloads cannot change.")
        elif detail.assignment is not None:
            button.setEnabled(False)
            button.setToolTip(f"Already on {detail.assignment.key_worker_name}'s caseload.")
        elif not self._can_manage_caseload:
            button.setEnabled(False)
            button.setToolTip("Your role cannot change caseloads.")
        else:
            button.setEnabled(True)
            button.setToolTip("Accept this patient onto a key worker's caseload")

    def _fill_history(self, history: tuple[AssignmentView, ...]) -> None:
        rows: list[tuple[list[str], str | None, str]] = []
        for i, a in enumerate(history):
            following = history[i + 1] if i + 1 < len(history) else None
            ended = _change_label(a.end_change)
            # A step's reason is shown once, on the row it started; other endings say why.
            if a.end_reason and (following is None or following.start_reason != a.end_reason):
                repeats = ended and a.end_reason.lower().startswith(ended.lower())
                ended = f"{ended}: {a.end_reason}" if ended and not repeats else a.end_reason
            rows.append(
                (
                    [
                        _dmy(a.start_date),
                        _dmy(a.end_date, "Current"),
                        LEVEL_LABELS.get(a.level, str(a.level)),
                        a.key_worker_name,
                        _change_label(a.start_change),
                        a.start_reason or "",
                        ended,
                        a.recorded_by,
                    ],
                    None,
                    str(a.id),
                )
            )
        rows.reverse()
        _fill(self.history_table, rows)
        self.history_table.horizontalHeader().setSectionResizeMode(
            5, QHeaderView.ResizeMode.Stretch
        )
        self.history_table.resizeRowsToContents()
        self.history_empty.setVisible(not rows)
        self.history_table.setVisible(bool(rows))

    def _fill_conditions(self) -> None:
        base = self.detail
        rows: list[tuple[list[str], str | None, str]] = []
        for c in sorted(base.conditions, key=lambda c: (c.ended_on is not None, c.name)):
            if c.ended_on is None and c.code in self._end_conditions:
                why = self._end_conditions[c.code] or ""
                rows.append(
                    (
                        [c.name, _dmy(c.diagnosed_on), "On save", why, "Ending (not saved yet)"],
                        "end",
                        c.code,
                    )
                )
            elif c.ended_on is None:
                rows.append(([c.name, _dmy(c.diagnosed_on), "", "", "Current"], None, c.code))
            else:
                status = "Ended"
                rows.append(
                    (
                        [
                            c.name,
                            _dmy(c.diagnosed_on),
                            _dmy(c.ended_on),
                            c.ended_reason or "",
                            status,
                        ],
                        None,
                        c.code,
                    )
                )
        for code, when in self._add_conditions:
            name = CONDITION_NAMES.get(code, code)
            rows.append(([name, _dmy(when), "", "", "New (not saved yet)"], "add", code))
        rows.sort(key=lambda r: (r[0][4].startswith("Ended"), r[0][0]))
        _fill(self.conditions_table, rows)
        self._on_conditions_selection()

        current = self._current_codes()
        chosen = self.condition_combo.currentData()
        self.condition_combo.blockSignals(True)
        self.condition_combo.clear()
        for code, name in CONDITIONS:
            if code not in current:
                self.condition_combo.addItem(name, code)
        self.condition_combo.setCurrentIndex(self.condition_combo.findData(chosen))
        self.condition_combo.blockSignals(False)

        self.summary_conditions.clear()
        for code in sorted(current, key=lambda c: CONDITION_NAMES.get(c, c)):
            pending = "  (not saved yet)" if code in dict(self._add_conditions) else ""
            self.summary_conditions.addItem(CONDITION_NAMES.get(code, code) + pending)
        if not current:
            self.summary_conditions.addItem("None recorded")

    def _current_codes(self) -> set[str]:
        saved = {c.code for c in self.detail.active_conditions}
        return (saved - set(self._end_conditions)) | {c for c, _ in self._add_conditions}

    def _fill_carers(self) -> None:
        rows: list[tuple[list[str], str | None, str]] = []
        for c in self.detail.carers:
            support = "No"
            if c.offered_support:
                support = f"Yes, {_dmy(c.support_offered_on)}" if c.support_offered_on else "Yes"
            rows.append(
                (
                    [
                        c.name,
                        c.relationship or "",
                        c.phone or "",
                        "Yes" if c.lives_with_patient else "No",
                        support,
                        "",
                    ],
                    None,
                    str(c.id),
                )
            )
        for i, new in enumerate(self._add_carers):
            rows.append(
                (
                    [
                        new.name,
                        new.relationship or "",
                        new.phone or "",
                        "Yes" if new.lives_with_patient else "No",
                        "Yes, today" if new.offered_support else "No",
                        "New (not saved yet)",
                    ],
                    "add",
                    str(i),
                )
            )
        _fill(self.carers_table, rows)
        self._on_carers_selection()

    def _fill_consent(self) -> None:
        consent = self.detail.consent
        if consent is None:
            text = "Not recorded. Ask the person and record their answer."
        else:
            label = ConsentStatus(consent.status).label
            text = f"{label} on {consent.recorded_on:%d/%m/%Y}, recorded by {consent.recorded_by}."
            if consent.note:
                text += f"\n“{consent.note}”"
        pending = self._pending_consent()
        if pending is not None and pending.status:
            text += f"\nNew answer (not saved yet): {ConsentStatus(pending.status).label}."
        self.summary_consent.setText(text)
        self.consent_current_label.setText(text)

    # ------------------------------------------------------------------ pending edits

    def _demographic_changes(self) -> PatientChanges:
        base = self.detail
        values: dict[str, object] = {}

        def text(field: str, edit: QLineEdit, stored: str | None) -> None:
            typed = edit.text().strip()
            if typed != (stored or ""):
                values[field] = typed

        text("family_name", self.family_name_edit, base.family_name)
        text("given_name", self.given_name_edit, base.given_name)
        dob = to_date(self.dob_edit.date())
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

    def _pending_consent(self) -> NewConsent | None:
        base = self.detail
        status = self.consent_combo.currentData() or ""
        note = self.consent_note_edit.text().strip()
        if status == (base.consent.status if base.consent else "") and not note:
            return None
        return NewConsent(status=status, note=note or None)

    def _on_edited(self, *_args: object) -> None:
        if not self._loading:
            self._refresh_pending_views()

    def _refresh_pending_views(self) -> None:
        if self._base is None:
            return
        self._fill_conditions()
        self._fill_carers()
        self._fill_consent()
        edits = self.pending_edits()
        dirty = edits != RecordEdits()
        parts = [
            FIELD_NAMES[name] for name, value in vars(edits.changes).items() if value is not None
        ]
        if edits.add_conditions:
            parts.append(_count(len(edits.add_conditions), "condition") + " to add")
        if edits.end_conditions:
            parts.append(_count(len(edits.end_conditions), "condition") + " to end")
        if edits.add_carers:
            parts.append(_count(len(edits.add_carers), "carer") + " to add")
        if edits.consent is not None:
            parts.append("consent")
        if dirty:
            self.pending_label.setText("Unsaved changes: " + ", ".join(parts) + ".")
            self.pending_label.setStyleSheet("color: #7a4b00; font-weight: bold;")
        else:
            self.pending_label.setText("No unsaved changes.")
            self.pending_label.setStyleSheet("color: #5f6368;")
        self.save_button.setEnabled(dirty)
        self.cancel_button.setEnabled(dirty)
        if dirty != self._was_dirty:
            self._was_dirty = dirty
            self.unsavedChanged.emit(dirty)

    # ------------------------------------------------------------------ conditions

    def _selected(self, table: QTableWidget) -> tuple[str | None, str | None]:
        """(pending kind, code) of the selected row, or (None, None)."""
        rows = table.selectionModel().selectedRows() if table.selectionModel() else []
        if not rows:
            return None, None
        item = table.item(rows[0].row(), 0)
        if item is None:
            return None, None
        return item.data(_PENDING_ROLE), item.data(_CODE_ROLE)

    def _on_conditions_selection(self) -> None:
        kind, code = self._selected(self.conditions_table)
        saved_current = {c.code for c in self.detail.active_conditions}
        can_edit = allowed(self._role, Action.EDIT_CONDITIONS)
        endable = kind is None and code in saved_current
        self.end_condition_button.setEnabled(can_edit and endable)
        self.end_reason_edit.setEnabled(can_edit and endable)
        self.undo_condition_button.setEnabled(can_edit and kind is not None)
        if code is None:
            self.selected_condition_label.setText("Select a condition in the table.")
        else:
            name = CONDITION_NAMES.get(code, code)
            if kind is None and code not in saved_current:
                name += " (already ended)"
            self.selected_condition_label.setText(name)

    def _on_add_condition_button_clicked(self) -> None:
        self._errors["condition"].clear_error()
        self._errors["diagnosis date"].clear_error()
        code = self.condition_combo.currentData()
        if not code:
            self._show_field_error(ValidationError("condition", "choose a condition to add"))
            return
        if not self.diagnosis_date_edit.is_blank() and not self.diagnosis_date_edit.is_complete():
            self._show_field_error(
                ValidationError("diagnosis date", "needs the year as well as the day and month")
            )
            return
        when = self.diagnosis_date_edit.value()
        dob = to_date(self.dob_edit.date())
        if when is not None and when < dob:
            self._show_field_error(ValidationError("diagnosis date", "is before the date of birth"))
            return
        self._add_conditions.append((code, when))
        self.diagnosis_date_edit.clear_date()
        self.condition_combo.setCurrentIndex(-1)
        self._refresh_pending_views()

    def _on_end_condition_button_clicked(self) -> None:
        kind, code = self._selected(self.conditions_table)
        if code is None or kind is not None:
            return
        try:
            reason = validate.text(self.end_reason_edit.text(), "reason")
        except ValidationError as err:
            self._show_field_error(err)
            return
        self._end_conditions[code] = reason
        self.end_reason_edit.clear()
        self._refresh_pending_views()

    def _on_undo_condition_button_clicked(self) -> None:
        kind, code = self._selected(self.conditions_table)
        if kind == "end" and code is not None:
            self._end_conditions.pop(code, None)
        elif kind == "add":
            self._add_conditions = [(c, w) for c, w in self._add_conditions if c != code]
        self._refresh_pending_views()

    # ------------------------------------------------------------------ carers

    def _on_carers_selection(self) -> None:
        kind, _code = self._selected(self.carers_table)
        self.remove_carer_button.setEnabled(kind == "add")

    def _clear_carer_form(self) -> None:
        self.carer_name_edit.clear()
        self.carer_relationship_edit.clear()
        self.carer_phone_edit.clear()
        self.carer_lives_with_check.setChecked(False)
        self.carer_support_check.setChecked(False)

    def _on_add_carer_button_clicked(self) -> None:
        for field in ("carer name", "relationship", "carer phone"):
            self._errors[field].clear_error()
        problems = collect_errors(
            (
                lambda: validate.name(self.carer_name_edit.text(), "carer name"),
                lambda: validate.text(
                    self.carer_relationship_edit.text(), "relationship", max_len=50
                ),
                lambda: validate.phone(self.carer_phone_edit.text(), "carer phone"),
            )
        )
        if problems:
            for err in reversed(problems):
                self._show_field_error(err)
            return
        self._add_carers.append(
            NewCarer(
                name=self.carer_name_edit.text().strip(),
                relationship=self.carer_relationship_edit.text().strip() or None,
                phone=self.carer_phone_edit.text().strip() or None,
                lives_with_patient=self.carer_lives_with_check.isChecked(),
                offered_support=self.carer_support_check.isChecked(),
            )
        )
        self._clear_carer_form()
        self._refresh_pending_views()
        self.carer_name_edit.setFocus()

    def _on_remove_carer_button_clicked(self) -> None:
        kind, code = self._selected(self.carers_table)
        if kind == "add" and code is not None:
            del self._add_carers[int(code)]
            self._refresh_pending_views()

    # ------------------------------------------------------------------ saving

    def _local_errors(self) -> list[ValidationError]:
        """Problems in the changed fields, all at once (the service reports only the first)."""
        changes = self._demographic_changes()
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
        consent = self._pending_consent()
        if consent is not None:
            checks.append(lambda: validate.choice(consent.status, ConsentStatus, "consent"))
            checks.append(
                lambda: validate.text(consent.note, "consent note", max_len=2000, multiline=True)
            )
        return collect_errors(checks)

    def _save(self, expected_version: int) -> bool:
        edits = self.pending_edits()
        try:
            detail = self._services.patients.save_record(
                self._nhs, edits, expected_version=expected_version
            )
        except StaleRecordError as err:
            self._show_stale(err)
            return False
        except ValidationError as err:
            self._show_field_error(err)
            return False
        except DomainError as err:
            self._show_banner_error(f"Nothing was saved. {err}")
            return False
        self._load(detail)
        self.pending_label.setText(f"Saved at {datetime.now():%H:%M}.")
        self.saved.emit(self._nhs)
        return True

    def _show_stale(self, err: StaleRecordError) -> None:
        text = str(err)
        try:
            theirs = self._services.patients.get(self._nhs)
        except DomainError:
            theirs = None
        if theirs is not None:
            changed = _differences(self.detail, theirs)
            if changed:
                text += " They changed: " + ", ".join(changed) + "."
        text += " Your changes are still on screen and have not been saved."
        self.stale_label.setText(text)
        self.stale_banner.show()
        self.save_mine_button.setFocus()

    def _on_save_mine_button_clicked(self) -> None:
        try:
            current = self._services.patients.get(self._nhs)
        except DomainError as err:
            self._show_banner_error(str(err))
            return
        self.stale_banner.hide()
        # Only the user's own edits are sent (compared with the version they opened), so
        # whatever else the other user changed is kept.
        self._save_over = current.version
        self.save()

    def _show_banner_error(self, message: str) -> None:
        self.error_label.setText(message)
        self.error_banner.show()

    def _show_field_error(self, err: ValidationError) -> None:
        label = self._errors.get(err.field)
        target = self._targets.get(err.field)
        if label is None or target is None:
            self._show_banner_error(f"Nothing was saved. {err}")
            return
        label.show_error(field_message(err))
        target.setAccessibleDescription(label.text())
        for index in range(self.tabs.count()):
            page = self.tabs.widget(index)
            if page is not None and page.isAncestorOf(target):
                self.tabs.setCurrentIndex(index)
                break
        target.setFocus()

    def _clear_errors(self) -> None:
        for label in self._errors.values():
            label.clear_error()
        for target in self._targets.values():
            target.setAccessibleDescription("")
        self.error_banner.hide()

    # ------------------------------------------------------------------ caseload

    def _on_add_to_caseload_button_clicked(self) -> None:
        dialog = AddToCaseloadDialog(
            self._services, self._nhs, self, patient_name=self.detail.display_name
        )
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.accepted.connect(self._on_add_to_caseload_dialog_accepted)
        self.add_to_caseload_dialog = dialog
        dialog.open()

    def _on_add_to_caseload_dialog_accepted(self) -> None:
        self.refresh()
        self.saved.emit(self._nhs)  # the caseload lists need to know, as after a save


def _count(n: int, noun: str) -> str:
    return f"{n} {noun}" if n == 1 else f"{n} {noun}s"


def _differences(mine: PatientDetail, theirs: PatientDetail) -> list[str]:
    """What the other user changed, in words, comparing the version read with theirs."""
    fields = {
        **FIELD_NAMES,
        "conditions": "conditions",
        "carers": "carers",
        "consent": "consent",
        "date_of_death": "date of death",
    }
    return [words for name, words in fields.items() if getattr(mine, name) != getattr(theirs, name)]
