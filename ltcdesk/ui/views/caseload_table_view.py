"""The table of a caseload list: columns sized for their content, a header menu to show or
hide columns, Enter to open a row, and selections kept by row number."""

from __future__ import annotations

from collections.abc import Iterator

from PySide6.QtCore import QItemSelection, QItemSelectionModel, QModelIndex, QPoint, Qt, Signal
from PySide6.QtGui import QKeyEvent
from PySide6.QtWidgets import QAbstractItemView, QHeaderView, QMenu, QTableView, QWidget

from ltcdesk.ui.models.caseload_table import HEADERS, CaseloadTableModel, Column

# Content a column is sized for (longer text is elided; the tooltip has it whole).
# Columns not listed fit their header; "Main conditions" takes the width left over.
_SAMPLES = {
    Column.NAME: "Wolstenholme, Christopher",
    Column.NHS_NUMBER: "999 999 9999",
    Column.PRACTICE: "Belgrave Health Centre",
    Column.KEY_WORKER: "Agnieszka Kowalska",
    Column.NEXT_REVIEW: "30/12/2026",
    Column.FLAGS: "No consent recorded",
}
_ROWS = QItemSelectionModel.SelectionFlag.Rows
_SELECT = QItemSelectionModel.SelectionFlag.ClearAndSelect | _ROWS
_NO_UPDATE = QItemSelectionModel.SelectionFlag.NoUpdate


class CaseloadTable(QTableView):
    """objectName ``caseloadTable``. Return or Enter opens the current row on every platform
    (Qt only does so on some)."""

    rowActivated = Signal(QModelIndex)

    def __init__(
        self, model: CaseloadTableModel, accessible_name: str, parent: QWidget | None = None
    ) -> None:
        super().__init__(parent)
        self.setObjectName("caseloadTable")
        self.setAccessibleName(accessible_name)
        self.setModel(model)
        self.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.setSelectionMode(QAbstractItemView.SelectionMode.ExtendedSelection)
        self.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.setAlternatingRowColors(True)
        self.setWordWrap(False)
        self.setTabKeyNavigation(False)  # Tab leaves the table for the buttons
        self.setSortingEnabled(True)
        self.sortByColumn(Column.NAME, Qt.SortOrder.AscendingOrder)
        rows = self.verticalHeader()
        rows.hide()
        # Fixed heights: measuring 100,000 rows to fit them would take seconds.
        rows.setSectionResizeMode(QHeaderView.ResizeMode.Fixed)
        rows.setDefaultSectionSize(self.fontMetrics().height() + 8)
        header = self.horizontalHeader()
        header.setHighlightSections(False)
        header.setSectionsMovable(True)
        header.setMinimumSectionSize(header.fontMetrics().horizontalAdvance("Level") + 12)
        header.setContextMenuPolicy(Qt.ContextMenuPolicy.CustomContextMenu)
        header.customContextMenuRequested.connect(self._on_header_context_menu)
        metrics = header.fontMetrics()
        for column in Column:
            title = metrics.horizontalAdvance(HEADERS[column]) + 24  # room for the sort arrow
            sample = metrics.horizontalAdvance(_SAMPLES.get(column, "")) + 12
            header.resizeSection(column, max(title, sample))
        header.setSectionResizeMode(Column.CONDITIONS, QHeaderView.ResizeMode.Stretch)
        # Empty until reviews are recorded; the header menu shows it.
        header.setSectionHidden(Column.NEXT_REVIEW, True)

    def keyPressEvent(self, event: QKeyEvent) -> None:
        if event.key() in (Qt.Key.Key_Return, Qt.Key.Key_Enter) and self.currentIndex().isValid():
            self.rowActivated.emit(self.currentIndex())
            event.accept()
            return
        super().keyPressEvent(event)

    def selected_row_numbers(self) -> list[int]:
        numbers: set[int] = set()
        selection = self.selectionModel().selection()
        for n in range(selection.count()):
            span = selection.at(n)
            numbers.update(range(span.top(), span.bottom() + 1))
        return sorted(numbers)

    def select_row_numbers(self, rows: list[int], current: int | None) -> None:
        """Select these rows (ascending) and make ``current`` the current row."""
        model, selection_model = self.model(), self.selectionModel()
        if rows:
            selection = QItemSelection()
            last = model.columnCount() - 1
            for first, final in _runs(rows):
                selection.select(model.index(first, 0), model.index(final, last))
            selection_model.select(selection, _SELECT)
        if current is not None:
            selection_model.setCurrentIndex(model.index(current, 0), _NO_UPDATE)

    def visible_columns(self) -> list[int]:
        """Columns shown, in the order shown."""
        header = self.horizontalHeader()
        logical = (header.logicalIndex(v) for v in range(header.count()))
        return [c for c in logical if not header.isSectionHidden(c)]

    def _on_header_context_menu(self, pos: QPoint) -> None:
        header = self.horizontalHeader()
        menu = QMenu(self)
        menu.setObjectName("columnMenu")
        menu.setAccessibleName("Columns to show")
        for column in Column:
            if column == Column.NAME:
                continue  # the one column a list cannot do without
            action = menu.addAction(HEADERS[column])
            action.setCheckable(True)
            action.setChecked(not header.isSectionHidden(column))
            action.toggled.connect(lambda on, c=column: header.setSectionHidden(c, not on))
        menu.popup(header.mapToGlobal(pos))


def _runs(numbers: list[int]) -> Iterator[tuple[int, int]]:
    """Ascending numbers as (first, last) runs: 1 2 3 7 8 -> (1, 3) (7, 8)."""
    start = previous = numbers[0]
    for n in numbers[1:]:
        if n != previous + 1:
            yield start, previous
            start = n
        previous = n
    yield start, previous
