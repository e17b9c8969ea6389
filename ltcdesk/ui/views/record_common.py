"""What the patient record's tabs share: the draft of unsaved edits, field errors, tables.

The record owns one ``Draft`` and one ``FieldErrors`` and hands them to its tabs (as
``TabLinks``), so a tab can queue an edit or report a problem without knowing the others.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date
from typing import TYPE_CHECKING

from PySide6.QtCore import Qt
from PySide6.QtGui import QFont
from PySide6.QtWidgets import (
    QAbstractItemView,
    QFrame,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QMessageBox,
    QPushButton,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from ltcdesk.domain.errors import ValidationError
from ltcdesk.ui.widgets import ErrorLabel, field_message, with_error

if TYPE_CHECKING:
    from ltcdesk.services.patients import NewCarer, PatientDetail

# (cells, pending kind or None, code): one table row; pending rows are shown in italics.
Row = tuple[list[str], str | None, str]

_BANNER_STYLE = (
    "QFrame#%s { background: %s; border: 1px solid %s; border-radius: 4px; }"
    " QFrame#%s QLabel { background: transparent; }"
)
_PENDING_ROLE = Qt.ItemDataRole.UserRole + 1
_CODE_ROLE = Qt.ItemDataRole.UserRole + 2


@dataclass(eq=False)
class Draft:
    """The record as last loaded or saved, and the rows queued to add or end on Save."""

    base: PatientDetail | None = None
    add_conditions: list[tuple[str, date | None]] = field(default_factory=list)
    end_conditions: dict[str, str | None] = field(default_factory=dict)
    add_carers: list[NewCarer] = field(default_factory=list)

    @property
    def detail(self) -> PatientDetail:
        assert self.base is not None
        return self.base

    def discard(self) -> None:
        self.add_conditions.clear()
        self.end_conditions.clear()
        self.add_carers.clear()

    def current_codes(self) -> set[str]:
        """Conditions the patient will have once saved."""
        saved = {c.code for c in self.detail.active_conditions}
        return (saved - set(self.end_conditions)) | {c for c, _ in self.add_conditions}


class FieldErrors:
    """Error labels by the field name a ValidationError carries, and the control to focus."""

    def __init__(self) -> None:
        self.labels: dict[str, ErrorLabel] = {}
        self.targets: dict[str, QWidget] = {}

    def wrap(self, field: str, widget: QWidget, error_name: str) -> QWidget:
        """The widget with an error label below it, to add to a form in its place."""
        label = ErrorLabel(error_name, f"{field.capitalize()} error")
        self.labels[field] = label
        self.targets.setdefault(field, widget)
        return with_error(widget, label)

    def alias(self, field: str, shown_as: str) -> None:
        """Errors the service reports as ``field`` appear where ``shown_as`` errors do."""
        self.labels[field] = self.labels[shown_as]
        self.targets[field] = self.targets[shown_as]

    def check_as_typed(self, edit: QLineEdit, field: str, check: Callable[[str], object]) -> None:
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
                self.labels[field].show_error(message)

        def on_edited(_text: str) -> None:
            if not self.labels[field].isHidden() and problem() is None:
                self.labels[field].clear_error()

        edit.editingFinished.connect(on_finished)
        edit.textEdited.connect(on_edited)

    def clear_all(self) -> None:
        for label in self.labels.values():
            label.clear_error()
        for target in self.targets.values():
            target.setAccessibleDescription("")


@dataclass(frozen=True)
class TabLinks:
    """What a tab that queues edits needs from the record."""

    draft: Draft
    errors: FieldErrors
    on_change: Callable[[], None]  # after an edit is queued or dropped
    show_error: Callable[[ValidationError], None]  # beside its field, on the right tab


class DraftTab(QWidget):
    """A tab that queues edits in the record's draft."""

    def __init__(self, links: TabLinks) -> None:
        super().__init__()
        self._draft = links.draft
        self._errors = links.errors
        self._on_change = links.on_change
        self._show_error = links.show_error


def named(widget: QWidget, name: str, accessible: str) -> None:
    widget.setObjectName(name)
    widget.setAccessibleName(accessible)


def button(name: str, text: str, accessible: str) -> QPushButton:
    push = QPushButton(text)
    named(push, name, accessible)
    return push


def banner(name: str, bg: str, border: str) -> tuple[QFrame, QLabel, QHBoxLayout]:
    """A hidden coloured strip with a message; add buttons to the returned row."""
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


class DirtyWatch:
    """Calls ``emit(dirty)`` only when the unsaved state changes (an ``unsavedChanged``)."""

    def __init__(self, emit: Callable[[bool], object]) -> None:
        self._emit = emit
        self._dirty = False

    def update(self, dirty: bool) -> None:
        if dirty != self._dirty:
            self._dirty = dirty
            self._emit(dirty)


def ask_discard(parent: QWidget, question: str) -> bool:
    """Ask before unsaved edits are thrown away; True if the user says discard them."""
    answer = QMessageBox.question(
        parent,
        "Unsaved changes",
        question,
        QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.No,
        QMessageBox.StandardButton.No,
    )
    return answer == QMessageBox.StandardButton.Yes


def button_strip(*buttons: QPushButton) -> QHBoxLayout:
    """The buttons side by side, kept to the left."""
    row = QHBoxLayout()
    for push in buttons:
        row.addWidget(push)
    row.addStretch(1)
    return row


def lay_out_table_and_forms(page: QWidget, table: QTableWidget, *forms: QWidget) -> None:
    """The table fills the page above the forms, which share its width equally."""
    row = QHBoxLayout()
    for form in forms:
        row.addWidget(form, 1)
    layout = QVBoxLayout(page)
    layout.addWidget(table, 1)
    layout.addLayout(row)


def make_table(object_name: str, accessible: str, headers: list[str]) -> QTableWidget:
    table = QTableWidget(0, len(headers))
    named(table, object_name, accessible)
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


def fill_table(table: QTableWidget, rows: list[Row]) -> None:
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


def selected_row(table: QTableWidget) -> tuple[str | None, str | None]:
    """(pending kind, code) of the selected row, or (None, None)."""
    rows = table.selectionModel().selectedRows() if table.selectionModel() else []
    if not rows:
        return None, None
    item = table.item(rows[0].row(), 0)
    if item is None:
        return None, None
    return item.data(_PENDING_ROLE), item.data(_CODE_ROLE)


def dmy(value: date | None, blank: str = "") -> str:
    return f"{value:%d/%m/%Y}" if value else blank
