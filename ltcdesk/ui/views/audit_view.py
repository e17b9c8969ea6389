"""The audit viewer: who did what, to which record and patient, when (admins and team leads).

Filters go to ``AuditService.search`` (in SQL); the newest 5,000 matching entries load in
the foreground and the model holds each row's cell texts, made once, so painting and
sorting never format a date. Export saves every entry matching the search shown (not the
filters half-edited since), and the service audits the export.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from enum import IntEnum
from pathlib import Path
from typing import Any, Final

from PySide6.QtCore import (
    QAbstractTableModel,
    QModelIndex,
    QObject,
    QPersistentModelIndex,
    QStandardPaths,
    Qt,
)
from PySide6.QtWidgets import (
    QAbstractItemView,
    QCheckBox,
    QComboBox,
    QFileDialog,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QPushButton,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from ltcdesk.domain.errors import DomainError, ValidationError
from ltcdesk.domain.nhs_number import format_nhs
from ltcdesk.fileio import write_atomically
from ltcdesk.services.audit import DEFAULT_LIMIT, AuditFilter, AuditRow, AuditService
from ltcdesk.ui.models import reorder_keeping_indexes
from ltcdesk.ui.widgets import ERROR_STYLE, OK_STYLE, ErrorLabel, OptionalDateEdit, field_message

Index = QModelIndex | QPersistentModelIndex


class Column(IntEnum):
    WHEN = 0
    USER = 1
    ACTION = 2
    RECORD = 3
    PATIENT = 4
    SUMMARY = 5


HEADERS: Final = ("When", "User", "Action", "Record", "Patient", "Summary")
HEADER_TIPS: Final = {
    Column.WHEN: "Date and local time of the entry (DD/MM/YYYY HH:MM)",
    Column.RECORD: "The kind of record acted on, and its number",
    Column.PATIENT: "NHS number of the patient concerned, if any",
}
assert len(HEADERS) == len(Column)

# Roles as plain ints: PySide6 passes roles as int and each enum lookup costs about a
# microsecond, paid for every cell painted.
_DISPLAY: Final = int(Qt.ItemDataRole.DisplayRole)
_TOOLTIP: Final = int(Qt.ItemDataRole.ToolTipRole)
_ACCESSIBLE: Final = int(Qt.ItemDataRole.AccessibleTextRole)
ROW_ROLE: Final = int(Qt.ItemDataRole.UserRole) + 1  # the AuditRow itself
_HORIZONTAL: Final = Qt.Orientation.Horizontal
_FLAGS: Final = Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable


def row_texts(row: AuditRow) -> tuple[str, ...]:
    """What the table shows for one entry, column by column."""
    return (
        f"{row.local_at:%d/%m/%Y %H:%M}",
        row.username,
        row.action,
        row.record,
        format_nhs(row.patient_nhs) if row.patient_nhs else "",
        row.summary,
    )


class AuditTableModel(QAbstractTableModel):
    """Audit entries as the service returned them (newest first); sortable by any column."""

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._rows: list[AuditRow] = []
        self._texts: list[tuple[str, ...]] = []
        self._sort: tuple[int, Qt.SortOrder] | None = None

    def set_rows(self, rows: Sequence[AuditRow]) -> None:
        self.beginResetModel()
        self._rows = list(rows)
        self._texts = [row_texts(r) for r in self._rows]
        if self._sort is not None:
            self._apply_sort(*self._sort)
        self.endResetModel()

    def entry(self, row: int) -> AuditRow:
        return self._rows[row]

    def rows(self) -> list[AuditRow]:
        return list(self._rows)

    # -- Qt model

    def rowCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self._rows)

    def columnCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(Column)

    def headerData(self, section: int, orientation: Qt.Orientation, role: int = _DISPLAY) -> Any:
        if orientation != _HORIZONTAL or not 0 <= section < len(Column):
            return None
        if role == _DISPLAY:
            return HEADERS[section]
        if role == _TOOLTIP:
            return HEADER_TIPS.get(Column(section))
        return None

    def data(self, index: Index, role: int = _DISPLAY) -> Any:
        if not index.isValid():
            return None
        row, column = index.row(), index.column()
        if not (0 <= row < len(self._rows) and 0 <= column < len(Column)):
            return None
        if role in (_DISPLAY, _ACCESSIBLE):
            return self._texts[row][column]
        if role == _TOOLTIP:
            if column == Column.WHEN:
                return f"{self._rows[row].local_at:%d/%m/%Y %H:%M:%S} (entry {self._rows[row].id})"
            if column == Column.SUMMARY:
                return self._rows[row].summary or None
            return None
        if role == ROW_ROLE:
            return self._rows[row]
        return None

    def flags(self, index: Index) -> Qt.ItemFlag:
        if not index.isValid():
            return Qt.ItemFlag.NoItemFlags
        return _FLAGS

    def sort(self, column: int, order: Qt.SortOrder = Qt.SortOrder.AscendingOrder) -> None:
        if not 0 <= column < len(Column):
            return
        self._sort = (column, order)
        reorder_keeping_indexes(
            self, lambda n: self._rows[n].id, lambda: self._apply_sort(column, order)
        )

    def _apply_sort(self, column: int, order: Qt.SortOrder) -> None:
        pairs = list(zip(self._rows, self._texts, strict=True))
        if column == Column.WHEN:
            pairs.sort(key=lambda p: p[0].id)  # ids follow the order entries were written
        else:
            pairs.sort(key=lambda p: (p[1][column].casefold(), p[0].id))
        if order == Qt.SortOrder.DescendingOrder:
            pairs.reverse()
        self._rows = [p[0] for p in pairs]
        self._texts = [p[1] for p in pairs]


def _named(widget: Any, object_name: str, accessible_name: str) -> Any:
    widget.setObjectName(object_name)
    widget.setAccessibleName(accessible_name)
    return widget


class AuditView(QWidget):
    """Search the audit log and export what was found."""

    def __init__(self, audit: AuditService, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._audit = audit
        self._shown: AuditFilter | None = None  # the search the table shows
        _named(self, "auditView", "Audit log")

        title = _named(QLabel("Audit log"), "auditTitle", "Audit log")
        font = title.font()
        font.setPointSizeF(font.pointSizeF() * 1.4)
        font.setBold(True)
        title.setFont(font)
        self.title = title

        self.user_filter = _named(QComboBox(), "auditUserFilter", "Filter by user")
        self.user_filter.addItem("All users", None)
        self.user_filter.setMinimumContentsLength(12)
        self.patient_filter = _named(QLineEdit(), "auditPatientFilter", "Filter by patient")
        self.patient_filter.setPlaceholderText("NHS number")
        self.patient_filter.setAccessibleDescription("The patient's NHS number, e.g. 943 476 5919")
        self.patient_filter.setClearButtonEnabled(True)
        self.patient_filter.setMaxLength(20)
        width = self.patient_filter.fontMetrics().horizontalAdvance("943 476 5919") + 48
        self.patient_filter.setFixedWidth(width)
        self.from_filter = _named(OptionalDateEdit(), "auditFromFilter", "Entries from this date")
        self.to_filter = _named(OptionalDateEdit(), "auditToFilter", "Entries up to this date")
        for edit in (self.from_filter, self.to_filter):
            edit.setToolTip("DD/MM/YYYY; leave blank for no limit")
        self.action_filter = _named(QComboBox(), "auditActionFilter", "Filter by action")
        self.action_filter.addItem("All actions", None)
        self.action_filter.setMinimumContentsLength(14)
        self.break_glass_filter = _named(
            QCheckBox("&Break glass only"), "auditBreakGlassFilter", "Break glass only"
        )
        self.break_glass_filter.setToolTip(
            "Only the times someone opened the record of a patient their team does not care "
            "for, with the reason they gave"
        )
        self.search_button = _named(QPushButton("Search"), "auditSearchButton", "Search")
        self.search_button.setDefault(True)
        self.clear_button = _named(QPushButton("Clear"), "auditClearButton", "Clear the filters")
        self.clear_button.setAutoDefault(False)

        self.error_label = ErrorLabel("auditFilterError", "Problem with the filters")
        self.count_label = _named(QLabel(), "auditCount", "Number of entries shown")
        self.message_label = _named(QLabel(), "auditMessage", "Audit log message")
        self.message_label.setWordWrap(True)

        self.model = AuditTableModel(self)
        self.table = _named(QTableView(), "auditTable", "Audit log entries")
        self.table.setModel(self.model)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.setAlternatingRowColors(True)
        self.table.setWordWrap(False)
        self.table.setTabKeyNavigation(False)  # Tab leaves the table for the buttons
        rows = self.table.verticalHeader()
        rows.hide()
        # Fixed heights: fitting 5,000 rows to their contents would measure every one.
        rows.setSectionResizeMode(QHeaderView.ResizeMode.Fixed)
        rows.setDefaultSectionSize(self.table.fontMetrics().height() + 8)
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
        header.setStretchLastSection(True)
        header.setHighlightSections(False)
        self.table.setSortingEnabled(True)
        self.table.sortByColumn(Column.WHEN, Qt.SortOrder.DescendingOrder)
        self._fit_columns()

        self.verify_button = _named(
            QPushButton("Check integrity"), "auditVerifyButton", "Check the audit log's integrity"
        )
        self.verify_button.setToolTip(
            "Recompute the hash chain over every entry to show whether any has been altered"
        )
        self.verify_button.setAutoDefault(False)
        self.export_button = _named(
            QPushButton("Export CSV…"), "auditExportButton", "Export the entries found as CSV"
        )
        self.export_button.setToolTip("Save every entry matching the search as a CSV file")
        self.export_button.setAutoDefault(False)

        filters = QHBoxLayout()
        for text, widget in (
            ("&User", self.user_filter),
            ("&Patient", self.patient_filter),
            ("&From", self.from_filter),
            ("&To", self.to_filter),
            ("&Action", self.action_filter),
        ):
            label = QLabel(text)
            label.setBuddy(widget)
            label.setObjectName(f"{widget.objectName()}Label")
            # A label sized exactly to its hint can lose its last letter to font hinting.
            label.setMinimumWidth(label.sizeHint().width() + 4)
            filters.addWidget(label)
            filters.addWidget(widget)
            filters.addSpacing(6)
        filters.addWidget(self.break_glass_filter)
        filters.addSpacing(6)
        filters.addWidget(self.search_button)
        filters.addWidget(self.clear_button)
        filters.addStretch(1)

        bottom = QHBoxLayout()
        bottom.addWidget(self.count_label)
        bottom.addWidget(self.message_label, 1)
        bottom.addWidget(self.verify_button)
        bottom.addWidget(self.export_button)

        layout = QVBoxLayout(self)
        layout.addWidget(self.title)
        layout.addLayout(filters)
        layout.addWidget(self.error_label)
        layout.addWidget(self.table, 1)
        layout.addLayout(bottom)

        self.search_button.clicked.connect(self._on_search_button_clicked)
        self.clear_button.clicked.connect(self._on_clear_button_clicked)
        self.patient_filter.returnPressed.connect(self._on_search_button_clicked)
        self.break_glass_filter.toggled.connect(self._on_break_glass_filter_toggled)
        self.export_button.clicked.connect(self._on_export_button_clicked)
        self.verify_button.clicked.connect(self._on_verify_button_clicked)

        self.refresh()

    # -- loading

    def refresh(self) -> None:
        """Reload the filter lists and run the current search again."""
        try:
            _refill(self.user_filter, self._audit.usernames())
            _refill(self.action_filter, self._audit.actions())
        except DomainError as exc:
            self._show_failure(str(exc))
            return
        self.search()

    def current_filter(self) -> AuditFilter:
        """The filters as entered; raises ValidationError for a date without its year."""
        for edit, field in ((self.from_filter, "date from"), (self.to_filter, "date to")):
            if not edit.is_blank() and not edit.is_complete():
                raise ValidationError(field, "needs the whole date, DD/MM/YYYY")
        return AuditFilter(
            username=self.user_filter.currentData(),
            nhs_number=self.patient_filter.text().strip() or None,
            date_from=self.from_filter.value(),
            date_to=self.to_filter.value(),
            action="break_glass"
            if self.break_glass_filter.isChecked()
            else self.action_filter.currentData(),
        )

    def search(self) -> bool:
        """Run the search the filters describe; False (and the reason shown) if it failed."""
        self.error_label.clear_error()
        try:
            flt = self.current_filter()
            # One more than shown, to know whether there are more.
            rows = self._audit.search(flt, DEFAULT_LIMIT + 1)
        except ValidationError as exc:
            self.error_label.show_error(_error_text(exc))
            self._focus_field(exc.field)
            return False
        except DomainError as exc:
            self._show_failure(str(exc))
            return False
        more = len(rows) > DEFAULT_LIMIT
        self.model.set_rows(rows[:DEFAULT_LIMIT])
        self._shown = flt
        self.export_button.setEnabled(bool(rows))
        if more:
            self.count_label.setText(
                f"The newest {DEFAULT_LIMIT:,} entries; narrow the search to see older ones"
            )
        else:
            self.count_label.setText("1 entry" if len(rows) == 1 else f"{len(rows):,} entries")
        self.count_label.setAccessibleDescription(self.count_label.text())
        return True

    def _focus_field(self, field: str) -> None:
        widgets: dict[str, QWidget] = {
            "user": self.user_filter,
            "NHS number": self.patient_filter,
            "date from": self.from_filter,
            "date to": self.to_filter,
            "action": self.action_filter,
        }
        widget = widgets.get(field)
        if widget is not None:
            widget.setFocus()

    def _show_failure(self, message: str) -> None:
        self.model.set_rows([])
        self._shown = None
        self.export_button.setEnabled(False)
        self.count_label.clear()
        self.error_label.show_error(message)

    def _fit_columns(self) -> None:
        # Widths from sample text: measuring 5,000 rows would cost more than the load.
        metrics = self.table.fontMetrics()
        samples = ("00/00/0000 00:00", "m.abcdefghij", "caseload.transfer",
                   "caseload assignment 00000", "000 000 0000")  # fmt: skip
        for column, sample in enumerate(samples):
            width = max(
                metrics.horizontalAdvance(sample), metrics.horizontalAdvance(HEADERS[column])
            )
            self.table.setColumnWidth(column, width + 24)

    # -- slots

    def _on_search_button_clicked(self) -> None:
        self.message_label.clear()
        self.search()

    def _on_clear_button_clicked(self) -> None:
        self.user_filter.setCurrentIndex(0)
        self.patient_filter.clear()
        self.from_filter.clear_date()
        self.to_filter.clear_date()
        self.action_filter.setCurrentIndex(0)
        blocked = self.break_glass_filter.blockSignals(True)
        self.break_glass_filter.setChecked(False)
        self.break_glass_filter.blockSignals(blocked)
        self.action_filter.setEnabled(True)
        self.message_label.clear()
        self.search()

    def _on_break_glass_filter_toggled(self, checked: bool) -> None:
        # The action is then "break_glass": the action list would only contradict it.
        self.action_filter.setEnabled(not checked)
        self.message_label.clear()
        self.search()

    def _on_export_button_clicked(self) -> None:
        self.export_csv()

    def _on_verify_button_clicked(self) -> None:
        self.verify()

    # -- export and integrity

    def export_csv(self) -> Path | None:
        """Ask where, then save every entry matching the search shown. The path, or None."""
        if self._shown is None:
            return None
        folder = QStandardPaths.writableLocation(QStandardPaths.StandardLocation.DocumentsLocation)
        suggested = str(Path(folder) / f"audit-log-{date.today():%Y-%m-%d}.csv")
        path, _ = QFileDialog.getSaveFileName(
            self, "Export audit log", suggested, "CSV files (*.csv)"
        )
        if not path:
            return None
        target = Path(path)
        if not target.suffix:
            target = target.with_suffix(".csv")
        try:
            write_atomically(target, self._audit.export_csv(self._shown))
        except OSError as exc:
            self._say(f"Could not save {target}: {exc.strerror or exc}", ok=False)
            return None
        except DomainError as exc:
            self._say(str(exc), ok=False)
            return None
        self._say(f"Saved the audit log to {target.name}.", ok=True)
        return target

    def verify(self) -> bool:
        """Check the signatures, the chain and this computer's checkpoint and say what was
        found (with the checkpoint); True when the log is intact."""
        try:
            check = self._audit.verify()
        except DomainError as exc:
            self._say(str(exc), ok=False)
            return False
        shown = f"{check.message}\nCheckpoint: {check.checkpoint}" if check.checkpoint else ""
        self._say(shown or check.message, ok=check.ok)
        return check.ok

    def _say(self, message: str, *, ok: bool) -> None:
        self.message_label.setStyleSheet(OK_STYLE if ok else f"{ERROR_STYLE} font-weight: bold;")
        self.message_label.setText(message)
        self.message_label.setAccessibleDescription(message)


def _error_text(err: ValidationError) -> str:
    """ "NHS number: '123' must have 10 digits", naming the filter at fault."""
    message = field_message(err)
    if message.casefold().startswith(err.field.casefold()):
        return message
    return f"{err.field[:1].upper()}{err.field[1:]}: {err.message}"


def _refill(combo: QComboBox, items: Sequence[str]) -> None:
    """Replace the choices after "All …", keeping the current one."""
    current = combo.currentData()
    blocked = combo.blockSignals(True)
    try:
        while combo.count() > 1:
            combo.removeItem(combo.count() - 1)
        for item in items:
            combo.addItem(item, item)
        index = combo.findData(current) if current is not None else 0
        combo.setCurrentIndex(max(index, 0))
    finally:
        combo.blockSignals(blocked)
