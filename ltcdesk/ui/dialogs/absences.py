"""Absences (issue 8), for team leads and administrators: while a worker is marked absent,
their reminders show on their team lead's list ("covering for …"), so nothing falls
through the cracks. List, add (worker, first and last day, reason) and end an absence."""

from __future__ import annotations

from datetime import date, timedelta
from typing import TYPE_CHECKING

from PySide6.QtCore import QDate, Qt, Signal
from PySide6.QtWidgets import (
    QAbstractItemView,
    QCheckBox,
    QComboBox,
    QDateEdit,
    QDialog,
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QPushButton,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from ltcdesk.domain.errors import DomainError, ValidationError
from ltcdesk.services.reminders import AbsenceView
from ltcdesk.ui.widgets import ERROR_STYLE, field_message, pad_form_labels, to_date

if TYPE_CHECKING:
    from ltcdesk.app import Services

HEADERS = ("Worker", "First day", "Last day", "Reason", "Now")
ID_ROLE = int(Qt.ItemDataRole.UserRole) + 1


def _named(widget: QWidget, name: str, accessible: str) -> None:
    widget.setObjectName(name)
    widget.setAccessibleName(accessible)


def _qdate(day: date) -> QDate:
    return QDate(day.year, day.month, day.day)


def _date_edit(name: str, accessible: str, day: date) -> QDateEdit:
    edit = QDateEdit()
    _named(edit, name, accessible)
    edit.setDisplayFormat("dd/MM/yyyy")
    edit.setCalendarPopup(True)
    edit.setDate(_qdate(day))
    return edit


def status_of(absence: AbsenceView, today: date) -> str:
    if absence.last_day < today:
        return "Ended"
    if absence.first_day > today:
        return "Planned"
    return "Absent today"


class AbsencesDialog(QDialog):
    """``changed`` after an absence is added or ended (reminder lists move)."""

    changed = Signal()

    def __init__(self, services: Services, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._services = services
        self._absences: list[AbsenceView] = []
        _named(self, "absencesDialog", "Absences")
        self.setWindowTitle("Absences")
        intro = QLabel(
            "While a worker is absent, their reminders show on their team lead's list "
            "marked \u201ccovering for\u201d, and go back to them after the last day."
        )
        intro.setWordWrap(True)
        self.current_only = QCheckBox("Current and planned &only")
        _named(self.current_only, "absencesCurrentOnly", "Show current and planned only")
        self.current_only.setChecked(True)
        self.current_only.toggled.connect(lambda _on: self.refresh())
        self.table = QTableWidget(0, len(HEADERS))
        _named(self.table, "absencesTable", "Absences")
        self.table.setHorizontalHeaderLabels(list(HEADERS))
        self.table.verticalHeader().setVisible(False)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        header = self.table.horizontalHeader()
        for column in range(len(HEADERS)):
            header.setSectionResizeMode(column, QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(3, QHeaderView.ResizeMode.Stretch)
        self.table.itemSelectionChanged.connect(self._update_buttons)
        self.end_button = QPushButton("&End the selected absence")
        _named(self.end_button, "endAbsenceButton", "End the selected absence")
        self.end_button.setToolTip(
            "Back early: the absence ends yesterday. Not begun yet: it is removed."
        )
        self.end_button.clicked.connect(self.end_selected)

        today = date.today()
        self.worker_combo = QComboBox()
        _named(self.worker_combo, "absenceWorkerCombo", "Worker")
        for member in sorted(services.setup.staff(), key=lambda m: m.display_name.casefold()):
            if member.active and member.role != "admin":
                self.worker_combo.addItem(member.display_name, member.username)
        self.first_edit = _date_edit("absenceFirstDay", "First day", today)
        self.last_edit = _date_edit("absenceLastDay", "Last day", today + timedelta(days=4))
        self.reason_edit = QLineEdit()
        _named(self.reason_edit, "absenceReasonEdit", "Reason (optional)")
        self.reason_edit.setMaxLength(200)
        self.reason_edit.setPlaceholderText("e.g. annual leave (optional)")
        self.add_button = QPushButton("&Add absence")
        _named(self.add_button, "addAbsenceButton", "Add the absence")
        self.add_button.clicked.connect(self.add)
        self.error_label = QLabel()
        _named(self.error_label, "absenceError", "Problem")
        self.error_label.setStyleSheet(ERROR_STYLE)
        self.error_label.setWordWrap(True)
        self.error_label.hide()
        form = QFormLayout()
        form.addRow("&Worker:", self.worker_combo)
        form.addRow("&First day:", self.first_edit)
        form.addRow("&Last day:", self.last_edit)
        form.addRow("&Reason:", self.reason_edit)
        pad_form_labels(form)
        adding = QGroupBox("Add an absence")
        box = QVBoxLayout(adding)
        box.addLayout(form)
        box.addWidget(self.error_label)
        add_row = QHBoxLayout()
        add_row.addStretch(1)
        add_row.addWidget(self.add_button)
        box.addLayout(add_row)

        close = QPushButton("Close")
        _named(close, "absencesClose", "Close")
        close.setAutoDefault(False)
        close.clicked.connect(self.accept)
        top = QHBoxLayout()
        top.addWidget(self.current_only)
        top.addStretch(1)
        top.addWidget(self.end_button)
        bottom = QHBoxLayout()
        bottom.addStretch(1)
        bottom.addWidget(close)
        layout = QVBoxLayout(self)
        layout.addWidget(intro)
        layout.addLayout(top)
        layout.addWidget(self.table, 1)
        layout.addWidget(adding)
        layout.addLayout(bottom)
        self.resize(680, 560)
        self.refresh()

    @property
    def absences(self) -> list[AbsenceView]:
        return list(self._absences)

    def refresh(self) -> None:
        today = date.today()
        try:
            found = self._services.reminders.absences()
        except DomainError as err:
            self._show_error(str(err))
            found = []
        if self.current_only.isChecked():
            found = [a for a in found if a.last_day >= today]
        self._absences = found
        self.table.setRowCount(len(found))
        for row, a in enumerate(found):
            cells = (
                a.name,
                f"{a.first_day:%d/%m/%Y}",
                f"{a.last_day:%d/%m/%Y}",
                a.reason or "",
                status_of(a, today),
            )
            for column, text in enumerate(cells):
                item = QTableWidgetItem(text)
                item.setData(ID_ROLE, a.id)
                self.table.setItem(row, column, item)
        self._update_buttons()

    def select_worker(self, username: str) -> bool:
        index = self.worker_combo.findData(username)
        if index >= 0:
            self.worker_combo.setCurrentIndex(index)
        return index >= 0

    def add(self) -> AbsenceView | None:
        try:
            added = self._services.reminders.add_absence(
                str(self.worker_combo.currentData()),
                to_date(self.first_edit.date()),
                to_date(self.last_edit.date()),
                self.reason_edit.text() or None,
            )
        except DomainError as err:
            self._show_error(field_message(err) if isinstance(err, ValidationError) else str(err))
            return None
        self.error_label.hide()
        self.reason_edit.clear()
        self.refresh()
        self.changed.emit()
        return added

    def end_selected(self) -> None:
        rows = self.table.selectionModel().selectedRows()
        if not rows:
            return
        item = self.table.item(rows[0].row(), 0)
        if item is None:
            return
        absence_id = item.data(ID_ROLE)
        try:
            self._services.reminders.end_absence(int(absence_id))
        except DomainError as err:
            self._show_error(str(err))
            return
        self.error_label.hide()
        self.refresh()
        self.changed.emit()

    def _show_error(self, text: str) -> None:
        self.error_label.setText(text)
        self.error_label.show()

    def _update_buttons(self) -> None:
        self.end_button.setEnabled(bool(self.table.selectionModel().selectedRows()))
