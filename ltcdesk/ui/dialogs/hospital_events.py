"""Hospital events (issue 8): record an admission, a discharge or an A&E attendance for
one person, or import a CSV list of them. An import is all or nothing: when any row is
wrong nothing is saved and every wrong row is listed with its number and the reason, so the
list can be corrected and imported again (rows already recorded are skipped, never
doubled, and listed too)."""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtCore import QDate, Qt, Signal
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QDateEdit,
    QDialog,
    QFileDialog,
    QFormLayout,
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
from ltcdesk.services.events import KINDS, EventView, ImportRefused, ImportReport, Rejected
from ltcdesk.ui import tasks
from ltcdesk.ui.widgets import (
    ERROR_STYLE,
    OK_STYLE,
    OptionalDateEdit,
    button_row,
    field_message,
    pad_form_labels,
    to_date,
)

if TYPE_CHECKING:
    from ltcdesk.app import Services

CSV_HELP = (
    "One row per event, with a header row. Needed: NHS number, event type (admission, "
    "discharge or A&E), date (DD/MM/YYYY) and hospital. Optional: reason and expected "
    "discharge. Comma, semicolon or tab separated."
)


def _named(widget: QWidget, name: str, accessible: str) -> None:
    widget.setObjectName(name)
    widget.setAccessibleName(accessible)


def _qdate(day: date) -> QDate:
    return QDate(day.year, day.month, day.day)


class RecordEventDialog(QDialog):
    """One event for one person; ``event`` holds what was saved."""

    def __init__(
        self, services: Services, nhs: str, who: str, parent: QWidget | None = None
    ) -> None:
        super().__init__(parent)
        self._services, self._nhs = services, nhs
        self.saved_event: EventView | None = None
        _named(self, "recordEventDialog", "Record a hospital event")
        self.setWindowTitle("Record a hospital event")
        intro = QLabel(f"For {who}. An admission alerts the key worker to plan the discharge.")
        intro.setWordWrap(True)
        self.kind_combo = QComboBox()
        _named(self.kind_combo, "eventKindCombo", "Event")
        for code, label in KINDS.items():
            self.kind_combo.addItem(label, code)
        self.kind_combo.currentIndexChanged.connect(self._on_kind_combo_changed)
        today = date.today()
        self.date_edit = QDateEdit()
        _named(self.date_edit, "eventDateEdit", "Date")
        self.date_edit.setDisplayFormat("dd/MM/yyyy")
        self.date_edit.setCalendarPopup(True)
        self.date_edit.setMaximumDate(_qdate(today))
        self.date_edit.setDate(_qdate(today))
        self.hospital_edit = QLineEdit()
        _named(self.hospital_edit, "eventHospitalEdit", "Hospital")
        self.hospital_edit.setMaxLength(200)
        self.hospital_edit.setPlaceholderText("e.g. Northfield General Hospital")
        self.reason_edit = QLineEdit()
        _named(self.reason_edit, "eventReasonEdit", "Reason (optional)")
        self.reason_edit.setMaxLength(500)
        self.reason_edit.setPlaceholderText("Why, if known (optional)")
        self.expected_edit = OptionalDateEdit()
        _named(self.expected_edit, "eventExpectedDischargeEdit", "Expected discharge")
        self.expected_edit.setMaximumDate(_qdate(date(today.year + 2, 12, 31)))
        self.expected_label = QLabel("E&xpected discharge:")
        self.expected_label.setBuddy(self.expected_edit)
        self.error_label = QLabel()
        _named(self.error_label, "recordEventError", "Problem")
        self.error_label.setStyleSheet(ERROR_STYLE)
        self.error_label.setWordWrap(True)
        self.error_label.hide()
        form = QFormLayout()
        form.addRow("&Event:", self.kind_combo)
        form.addRow("&Date:", self.date_edit)
        form.addRow("&Hospital:", self.hospital_edit)
        form.addRow("&Reason:", self.reason_edit)
        form.addRow(self.expected_label, self.expected_edit)
        pad_form_labels(form)
        self.ok_button, cancel, row = button_row(
            "&Record", "recordEventOk", "Record the event", "recordEventCancel", "Cancel"
        )
        self.ok_button.clicked.connect(self.submit)
        cancel.clicked.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(intro)
        layout.addLayout(form)
        layout.addWidget(self.error_label)
        layout.addStretch(1)
        layout.addLayout(row)
        self.setMinimumWidth(500)
        self.resize(540, self.sizeHint().height())

    def set_kind(self, kind: str) -> None:
        self.kind_combo.setCurrentIndex(max(0, self.kind_combo.findData(kind)))

    def _on_kind_combo_changed(self, _index: int) -> None:
        admission = self.kind_combo.currentData() == "admission"
        self.expected_edit.setEnabled(admission)
        self.expected_label.setEnabled(admission)
        if not admission:
            self.expected_edit.clear_date()

    def submit(self) -> None:
        if not self.expected_edit.is_blank() and not self.expected_edit.is_complete():
            self._show(ValidationError("expected discharge", "needs the year"))
            return
        try:
            self.saved_event = self._services.events.record(
                self._nhs,
                str(self.kind_combo.currentData()),
                to_date(self.date_edit.date()),
                self.hospital_edit.text(),
                reason=self.reason_edit.text() or None,
                expected_discharge=self.expected_edit.value(),
            )
        except DomainError as err:
            self._show(err)
            return
        self.accept()

    def _show(self, err: DomainError) -> None:
        text = field_message(err) if isinstance(err, ValidationError) else str(err)
        self.error_label.setText(text)
        self.error_label.show()
        fields = {
            "date": self.date_edit,
            "hospital": self.hospital_edit,
            "reason": self.reason_edit,
            "expected discharge": self.expected_edit,
        }
        field = fields.get(err.field if isinstance(err, ValidationError) else "")
        (field or self.hospital_edit).setFocus()


class ImportEventsDialog(QDialog):
    """Choose a CSV file; see how many events were saved and each rejected row.
    ``eventsImported`` after an import that saved anything."""

    eventsImported = Signal()

    def __init__(self, services: Services, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._services = services
        self.report: ImportReport | None = None
        _named(self, "importEventsDialog", "Import hospital events")
        self.setWindowTitle("Import hospital events")
        intro = QLabel(CSV_HELP)
        intro.setWordWrap(True)
        self.file_label = QLabel("No file chosen.")
        _named(self.file_label, "importEventsFile", "File")
        self.file_label.setWordWrap(True)
        self.choose_button = QPushButton("&Choose a CSV file…")
        _named(self.choose_button, "chooseEventsFileButton", "Choose a CSV file to import")
        self.choose_button.setDefault(True)
        self.choose_button.clicked.connect(self._on_choose_button_clicked)
        self.result_label = QLabel()
        _named(self.result_label, "importEventsResult", "Import result")
        self.result_label.setWordWrap(True)
        self.result_label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.rejected_table = QTableWidget(0, 2)
        _named(self.rejected_table, "rejectedRowsTable", "Rejected rows")
        self.rejected_table.setHorizontalHeaderLabels(["Row", "Why it was not imported"])
        self.rejected_table.verticalHeader().setVisible(False)
        self.rejected_table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.rejected_table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.rejected_table.setWordWrap(True)
        header = self.rejected_table.horizontalHeader()
        header.setSectionResizeMode(0, QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(1, QHeaderView.ResizeMode.Stretch)
        self.rejected_table.hide()
        close = QPushButton("Close")
        _named(close, "importEventsClose", "Close")
        close.setAutoDefault(False)
        close.clicked.connect(self.accept)
        chooser = QHBoxLayout()
        chooser.addWidget(self.choose_button)
        chooser.addWidget(self.file_label, 1)
        row = QHBoxLayout()
        row.addStretch(1)
        row.addWidget(close)
        layout = QVBoxLayout(self)
        layout.addWidget(intro)
        layout.addLayout(chooser)
        layout.addWidget(self.result_label)
        layout.addWidget(self.rejected_table, 1)
        layout.addLayout(row)
        self.resize(720, 260)

    def _on_choose_button_clicked(self) -> None:
        path, _filter = QFileDialog.getOpenFileName(
            self,
            "Import hospital events",
            str(Path.home()),
            "CSV files (*.csv *.txt);;All files (*)",
        )
        if path:
            self.import_file(Path(path))

    def import_file(self, path: Path) -> None:
        """Import ``path`` (in the background); the result shows here when done."""
        self.file_label.setText(str(path))
        self.result_label.setStyleSheet("")
        self.result_label.setText("Importing…")
        self.choose_button.setEnabled(False)
        events = self._services.events
        tasks.run_task(
            lambda: events.import_csv(path), self._on_imported, self._on_failed, parent=self
        )

    def _on_imported(self, report: ImportReport) -> None:
        self.choose_button.setEnabled(True)
        self.report = report
        n, people = report.saved, report.patients
        text = f"{n:,} event{'s' if n != 1 else ''} saved" + (
            f" for {people:,} {'person' if people == 1 else 'people'}." if n else "."
        )
        skipped = len(report.skipped)
        if skipped:
            text += (
                f" {skipped:,} row{'s' if skipped != 1 else ''} already recorded, not saved again:"
            )
        self.result_label.setStyleSheet(OK_STYLE)
        self.result_label.setText(text)
        self._list_rows(report.skipped)
        if report.saved:
            self.eventsImported.emit()

    def _list_rows(self, rows: tuple[Rejected, ...]) -> None:
        self.rejected_table.setRowCount(len(rows))
        for n, row in enumerate(rows):
            number = QTableWidgetItem(f"Row {row.row}")
            number.setData(Qt.ItemDataRole.UserRole, row.row)
            self.rejected_table.setItem(n, 0, number)
            self.rejected_table.setItem(n, 1, QTableWidgetItem(row.message))
        self.rejected_table.resizeRowsToContents()
        self.rejected_table.setVisible(bool(rows))
        if rows:
            self.resize(max(self.width(), 720), max(self.height(), 480))

    def _on_failed(self, exc: BaseException) -> None:
        self.choose_button.setEnabled(True)
        if not isinstance(exc, DomainError | OSError):
            tasks.report_error(exc)
            return
        if isinstance(exc, ImportRefused):
            count = exc.count
            listed = f" (the first {len(exc.rows):,} are listed)" if count > len(exc.rows) else ""
            self.result_label.setStyleSheet(ERROR_STYLE)
            self.result_label.setText(
                f"Nothing was imported: {count:,} row{'s' if count != 1 else ''} "
                f"{'needs' if count == 1 else 'need'} correcting{listed}. Correct "
                f"{'it' if count == 1 else 'them'} in the file and import it again."
            )
            self._list_rows(exc.rows)
            return
        text = field_message(exc) if isinstance(exc, ValidationError) else str(exc)
        if isinstance(exc, ValidationError) and exc.field == "file":
            text = f"Nothing was imported: the file {exc.message}"
        self.result_label.setStyleSheet(ERROR_STYLE)
        self.result_label.setText(text)
        self.rejected_table.hide()
