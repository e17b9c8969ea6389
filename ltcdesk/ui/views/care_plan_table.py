"""An editable table for the care plan's lists (who does what, contingency, copies): text
cells edited in place, choice cells as combo boxes, Add and Remove buttons, and a red
message below for what the service refused in one of its rows."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from PySide6.QtCore import Signal
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QHeaderView,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from ltcdesk.ui.views.record_common import button, button_strip, named
from ltcdesk.ui.widgets import ErrorLabel

Cell = str | None


@dataclass(frozen=True)
class Column:
    title: str
    # (label, value) pairs for a choice column; empty for free text.
    choices: tuple[tuple[str, str], ...] = ()
    stretch: bool = False
    # Background colour of the combo for each value (the contingency levels).
    colours: tuple[tuple[str, str], ...] = ()


class PlanTable(QWidget):
    """Rows of cells; ``changed`` on every edit the user makes (not on ``load``)."""

    changed = Signal()

    def __init__(self, name: str, accessible: str, columns: Sequence[Column], noun: str) -> None:
        super().__init__()
        self._name = name
        self._columns = tuple(columns)
        self._loading = False
        self._editable = True
        self.table = QTableWidget(0, len(self._columns))
        named(self.table, name, accessible)
        self.table.setHorizontalHeaderLabels([c.title for c in self._columns])
        self.table.verticalHeader().hide()
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.setTabKeyNavigation(False)
        self.table.setWordWrap(True)
        header = self.table.horizontalHeader()
        for index, column in enumerate(self._columns):
            mode = (
                QHeaderView.ResizeMode.Stretch
                if column.stretch
                else QHeaderView.ResizeMode.ResizeToContents
            )
            header.setSectionResizeMode(index, mode)
        header.setMinimumSectionSize(90)
        self.table.verticalHeader().setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        self.table.itemChanged.connect(self._on_edit)
        self.table.itemSelectionChanged.connect(self._update_buttons)

        self.add_button = button(f"{name}Add", f"Add {noun}", f"Add {noun}")
        self.remove_button = button(f"{name}Remove", f"Remove {noun}", f"Remove selected {noun}")
        self.add_button.clicked.connect(self._on_add_button_clicked)
        self.remove_button.clicked.connect(self._on_remove_button_clicked)
        self.error = ErrorLabel(f"{name}Error", f"{accessible} error")

        buttons = button_strip(self.add_button, self.remove_button)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(4)
        layout.addWidget(self.table, 1)
        layout.addWidget(self.error)
        layout.addLayout(buttons)
        self._update_buttons()

    # ------------------------------------------------------------------ rows

    def load(self, rows: Sequence[Sequence[Cell]]) -> None:
        self._loading = True
        try:
            self.table.setRowCount(0)
            for cells in rows:
                self._append(cells)
            self.error.clear_error()
        finally:
            self._loading = False
        self._update_buttons()

    def rows(self) -> list[list[Cell]]:
        """Every row's cells (text stripped, blank as None), rows left wholly blank skipped."""
        out: list[list[Cell]] = []
        for row in range(self.table.rowCount()):
            cells = [self._cell(row, c) for c in range(len(self._columns))]
            texts = [
                cell for cell, col in zip(cells, self._columns, strict=True) if not col.choices
            ]
            if any(texts):
                out.append(cells)
        return out

    def set_editable(self, editable: bool) -> None:
        self._editable = editable
        self.table.setEditTriggers(
            QAbstractItemView.EditTrigger.AllEditTriggers
            if editable
            else QAbstractItemView.EditTrigger.NoEditTriggers
        )
        for row in range(self.table.rowCount()):
            for column in range(len(self._columns)):
                widget = self.table.cellWidget(row, column)
                if widget is not None:
                    widget.setEnabled(editable)
        self.add_button.setVisible(editable)
        self.remove_button.setVisible(editable)
        self._update_buttons()

    def show_row_error(self, row: int, message: str) -> None:
        """``row`` counts from 1 among the rows ``rows()`` returned."""
        kept = [r for r in range(self.table.rowCount()) if self._has_text(r)]
        if 0 < row <= len(kept):
            self.table.selectRow(kept[row - 1])
        self.error.show_error(message)

    # ------------------------------------------------------------------ cells

    def _append(self, cells: Sequence[Cell]) -> int:
        row = self.table.rowCount()
        self.table.insertRow(row)
        for index, (column, value) in enumerate(zip(self._columns, cells, strict=True)):
            if column.choices:
                self.table.setCellWidget(row, index, self._combo(column, value, row))
            else:
                self.table.setItem(row, index, QTableWidgetItem(value or ""))
        return row

    def _combo(self, column: Column, value: Cell, row: int) -> QComboBox:
        combo = QComboBox()
        named(combo, f"{self._name}{column.title.replace(' ', '')}{row}", column.title)
        for label, data in column.choices:
            combo.addItem(label, data)
        combo.setCurrentIndex(max(0, combo.findData(value)))
        combo.setEnabled(self._editable)
        colours = dict(column.colours)

        def paint() -> None:
            colour = colours.get(combo.currentData() or "")
            combo.setStyleSheet(f"QComboBox {{ background: {colour}; }}" if colour else "")

        def on_index(_index: int) -> None:
            paint()
            self._on_edit()

        paint()
        combo.currentIndexChanged.connect(on_index)
        return combo

    def _cell(self, row: int, column: int) -> Cell:
        widget = self.table.cellWidget(row, column)
        if isinstance(widget, QComboBox):
            data = widget.currentData()
            return str(data) if data is not None else None
        item = self.table.item(row, column)
        text = item.text().strip() if item is not None else ""
        return text or None

    def _has_text(self, row: int) -> bool:
        return any(self._cell(row, c) for c, col in enumerate(self._columns) if not col.choices)

    # ------------------------------------------------------------------ reacting

    def _update_buttons(self) -> None:
        self.remove_button.setEnabled(self._editable and self.table.currentRow() >= 0)

    def _on_edit(self, *_args: object) -> None:
        if not self._loading:
            self.error.clear_error()
            self.changed.emit()

    def _on_add_button_clicked(self) -> None:
        defaults = [col.choices[0][1] if col.choices else None for col in self._columns]
        row = self._append(defaults)
        first_text = next(i for i, col in enumerate(self._columns) if not col.choices)
        self.table.setCurrentCell(row, first_text)
        self.table.setFocus()
        item = self.table.item(row, first_text)
        if item is not None:
            self.table.editItem(item)
        self._on_edit()

    def _on_remove_button_clicked(self) -> None:
        row = self.table.currentRow()
        if row >= 0:
            self.table.removeRow(row)
            self._update_buttons()
            self._on_edit()
