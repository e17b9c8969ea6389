"""Team caseloads: one row per key worker with the size and level mix of their caseload,
and a warning when a community matron holds more than is sustainable (DH 2005: 50–80)."""

from __future__ import annotations

from collections.abc import Sequence
from enum import IntEnum
from typing import TYPE_CHECKING, Any, Final

from PySide6.QtCore import (
    QAbstractTableModel,
    QEvent,
    QModelIndex,
    QObject,
    QPersistentModelIndex,
    Qt,
    Signal,
)
from PySide6.QtGui import QColor, QFont, QIcon, QKeyEvent, QShowEvent
from PySide6.QtWidgets import (
    QAbstractItemView,
    QApplication,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QPushButton,
    QStyle,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from ltcdesk.domain.errors import DomainError
from ltcdesk.domain.vocab import MATRON_CASELOAD_LIMIT, Role
from ltcdesk.services.caseload import WorkerCaseload
from ltcdesk.ui.models import reorder_keeping_indexes

if TYPE_CHECKING:
    from ltcdesk.app import Services

Index = QModelIndex | QPersistentModelIndex

SUSTAINABLE_LOW = 50  # DH 2005: a community matron's caseload of 50-80
GUIDANCE = (
    "Department of Health (2005), Supporting people with long term conditions: a community "
    f"matron's caseload of {SUSTAINABLE_LOW}–{MATRON_CASELOAD_LIMIT} is sustainable; above "
    f"{MATRON_CASELOAD_LIMIT} is not."
)
NOT_YET = "—"  # columns that later releases fill in
NOT_YET_TIP = "Not recorded in ltcdesk yet: this column is filled in by a later release."


class Column(IntEnum):
    NAME = 0
    ROLE = 1
    CASELOAD = 2
    LEVEL_1 = 3
    LEVEL_2 = 4
    LEVEL_3 = 5
    NO_CARE_PLAN = 6
    OVERDUE_REVIEWS = 7


HEADERS: Final = (
    "Name",
    "Role",
    "Caseload",
    "Level 1",
    "Level 2",
    "Level 3",
    "No care plan",
    "Overdue reviews",
)
HEADER_TIPS: Final = {
    Column.CASELOAD: "Patients currently on this worker's caseload. " + GUIDANCE,
    Column.LEVEL_1: "Level 1: supported self care",
    Column.LEVEL_2: "Level 2: disease-specific care management",
    Column.LEVEL_3: "Level 3: case management",
    Column.NO_CARE_PLAN: "Patients on the caseload without a current care plan",
    Column.OVERDUE_REVIEWS: "Care plan reviews past their date, on this worker's list",
}
assert len(HEADERS) == len(Column)

# Roles as plain ints: PySide6 passes roles as int and each enum lookup costs about a
# microsecond, paid for every cell painted.
_DISPLAY: Final = int(Qt.ItemDataRole.DisplayRole)
_TOOLTIP: Final = int(Qt.ItemDataRole.ToolTipRole)
_ALIGN: Final = int(Qt.ItemDataRole.TextAlignmentRole)
_FONT: Final = int(Qt.ItemDataRole.FontRole)
_FOREGROUND: Final = int(Qt.ItemDataRole.ForegroundRole)
_DECORATION: Final = int(Qt.ItemDataRole.DecorationRole)
_ACCESSIBLE: Final = int(Qt.ItemDataRole.AccessibleTextRole)
_ACCESSIBLE_DESCRIPTION: Final = int(Qt.ItemDataRole.AccessibleDescriptionRole)
USERNAME_ROLE: Final = int(Qt.ItemDataRole.UserRole) + 1
WORKER_ROLE: Final = int(Qt.ItemDataRole.UserRole) + 2  # the WorkerCaseload itself
_HORIZONTAL: Final = Qt.Orientation.Horizontal
_NUMBER: Final = Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter
_TEXT: Final = Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter
# Counts line up on the right; the columns still to come will be counts too.
_NUMERIC: Final = frozenset(
    {Column.LEVEL_1, Column.LEVEL_2, Column.LEVEL_3, Column.NO_CARE_PLAN, Column.OVERDUE_REVIEWS}
)
_NOT_YET: Final = frozenset[int]()
_PLAIN: Final = (Qt.KeyboardModifier.NoModifier, Qt.KeyboardModifier.KeypadModifier)
WARNING_RED: Final = QColor("#8A1538")  # NHS dark red: 9:1 contrast on white


def role_label(role: str) -> str:
    try:
        return Role(role).label
    except ValueError:
        return role.replace("_", " ").capitalize()


def caseload_text(worker: WorkerCaseload) -> str:
    if worker.over_limit:
        return f"{worker.total} — over {MATRON_CASELOAD_LIMIT}, unsustainable"
    return str(worker.total)


def caseload_tip(worker: WorkerCaseload) -> str:
    if worker.over_limit:
        return (
            f"{worker.display_name} has {worker.total} patients, "
            f"{worker.total - MATRON_CASELOAD_LIMIT} over the sustainable maximum. " + GUIDANCE
        )
    levels = f"level 3: {worker.level_3}, level 2: {worker.level_2}, level 1: {worker.level_1}"
    return f"{worker.total} patients ({levels})"


def over_limit_message(workers: Sequence[WorkerCaseload]) -> str:
    """The banner text, or "" when every matron's caseload is sustainable."""
    over = [w for w in workers if w.over_limit]
    if not over:
        return ""
    who = ", ".join(f"{w.display_name} ({w.total})" for w in over)
    matrons = "1 community matron is" if len(over) == 1 else f"{len(over)} community matrons are"
    return (
        f"Warning: {matrons} over the sustainable caseload of {MATRON_CASELOAD_LIMIT}: "
        f"{who}. Department of Health guidance (2005) puts a sustainable community matron "
        f"caseload at {SUSTAINABLE_LOW}–{MATRON_CASELOAD_LIMIT}."
    )


def _sort_key(column: int, overdue: dict[str, int] | None = None) -> Any:
    def name(w: WorkerCaseload) -> tuple[str, str]:
        return (w.display_name.casefold(), w.username)

    keys: dict[int, Any] = {
        Column.NAME: name,
        Column.ROLE: lambda w: (role_label(w.role).casefold(), *name(w)),
        Column.CASELOAD: lambda w: (w.total, *name(w)),
        Column.LEVEL_1: lambda w: (w.level_1, *name(w)),
        Column.LEVEL_2: lambda w: (w.level_2, *name(w)),
        Column.LEVEL_3: lambda w: (w.level_3, *name(w)),
        Column.NO_CARE_PLAN: lambda w: (w.no_care_plan, *name(w)),
        Column.OVERDUE_REVIEWS: lambda w: ((overdue or {}).get(w.username, 0), *name(w)),
    }
    return keys.get(column, name)  # the columns still to come sort by name


class TeamCaseloadTableModel(QAbstractTableModel):
    """Workers from ``CaseloadService.sizes()``; sorted in Python (a handful of rows)."""

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._workers: list[WorkerCaseload] = []
        self._overdue: dict[str, int] = {}  # username → overdue care plan reviews
        self._sort: tuple[int, Qt.SortOrder] | None = None
        self._bold: QFont | None = None
        self._warning_icon: QIcon | None = None

    # -- data in

    def set_workers(
        self, workers: Sequence[WorkerCaseload], overdue: dict[str, int] | None = None
    ) -> None:
        """``overdue``: overdue care plan reviews per username (ReminderService)."""
        self.beginResetModel()
        self._workers = list(workers)
        self._overdue = dict(overdue or {})
        if self._sort is not None:
            self._apply_sort(*self._sort)
        self.endResetModel()

    def worker(self, row: int) -> WorkerCaseload:
        return self._workers[row]

    def workers(self) -> list[WorkerCaseload]:
        return list(self._workers)

    def row_of(self, username: str) -> int | None:
        for row, worker in enumerate(self._workers):
            if worker.username == username:
                return row
        return None

    # -- Qt model

    def rowCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self._workers)

    def columnCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(Column)

    def headerData(self, section: int, orientation: Qt.Orientation, role: int = _DISPLAY) -> Any:
        if orientation != _HORIZONTAL or not 0 <= section < len(Column):
            return None
        if role == _DISPLAY:
            return HEADERS[section]
        if role == _TOOLTIP:
            return HEADER_TIPS.get(Column(section))
        if role == _ALIGN:
            return _NUMBER if section in _NUMERIC else _TEXT
        return None

    def data(self, index: Index, role: int = _DISPLAY) -> Any:
        if not index.isValid():
            return None
        row, column = index.row(), index.column()
        if not (0 <= row < len(self._workers) and 0 <= column < len(Column)):
            return None
        worker = self._workers[row]
        if role in (_DISPLAY, _ACCESSIBLE):
            if column == Column.OVERDUE_REVIEWS:
                return str(self._overdue.get(worker.username, 0))
            return self._text(worker, column)
        if role in (_TOOLTIP, _ACCESSIBLE_DESCRIPTION):
            if column == Column.CASELOAD:
                return caseload_tip(worker)
            if column in _NOT_YET:
                return NOT_YET_TIP
            if column == Column.OVERDUE_REVIEWS:
                n = self._overdue.get(worker.username, 0)
                return f"{n} care plan review{'' if n == 1 else 's'} past their date"
            return None
        if role == _ALIGN:
            return _NUMBER if column in _NUMERIC else _TEXT
        if column == Column.OVERDUE_REVIEWS and self._overdue.get(worker.username):
            if role == _FOREGROUND:
                return WARNING_RED
            if role == _FONT:
                return self._bold_font()
        if column == Column.CASELOAD and worker.over_limit:
            if role == _FOREGROUND:
                return WARNING_RED
            if role == _FONT:
                return self._bold_font()
            if role == _DECORATION:
                return self._warning()
        if role == USERNAME_ROLE:
            return worker.username
        if role == WORKER_ROLE:
            return worker
        return None

    @staticmethod
    def _text(worker: WorkerCaseload, column: int) -> str:
        if column == Column.NAME:
            return worker.display_name
        if column == Column.ROLE:
            return role_label(worker.role)
        if column == Column.CASELOAD:
            return caseload_text(worker)
        if column == Column.LEVEL_1:
            return str(worker.level_1)
        if column == Column.LEVEL_2:
            return str(worker.level_2)
        if column == Column.LEVEL_3:
            return str(worker.level_3)
        if column == Column.NO_CARE_PLAN:
            return str(worker.no_care_plan)
        return NOT_YET

    def flags(self, index: Index) -> Qt.ItemFlag:
        if not index.isValid():
            return Qt.ItemFlag.NoItemFlags
        return Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable

    def sort(self, column: int, order: Qt.SortOrder = Qt.SortOrder.AscendingOrder) -> None:
        if not 0 <= column < len(Column):
            return
        self._sort = (column, order)
        reorder_keeping_indexes(
            self, lambda n: self._workers[n].username, lambda: self._apply_sort(column, order)
        )

    def _apply_sort(self, column: int, order: Qt.SortOrder) -> None:
        self._workers.sort(
            key=_sort_key(column, self._overdue), reverse=order == Qt.SortOrder.DescendingOrder
        )

    # -- presentation, made on first use (needs a QApplication)

    def _bold_font(self) -> QFont:
        if self._bold is None:
            self._bold = QFont(QApplication.font())
            self._bold.setBold(True)
        return self._bold

    def _warning(self) -> QIcon:
        if self._warning_icon is None:
            style = QApplication.style()
            self._warning_icon = style.standardIcon(QStyle.StandardPixmap.SP_MessageBoxWarning)
        return self._warning_icon


class TeamCaseloadView(QWidget):
    """Caseload sizes across the team; double-click or Enter opens a worker's caseload."""

    workerActivated = Signal(str)  # username

    def __init__(self, services: Services, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._services = services
        self.setObjectName("teamCaseloadView")
        self.setAccessibleName("Team caseloads")

        self.title = QLabel("Team caseloads")
        self.title.setObjectName("teamCaseloadTitle")
        self.title.setAccessibleName("Team caseloads")
        title_font = self.title.font()
        title_font.setPointSizeF(title_font.pointSizeF() * 1.4)
        title_font.setBold(True)
        self.title.setFont(title_font)

        self.banner = QLabel()
        self.banner.setObjectName("overLimitBanner")
        self.banner.setAccessibleName("Caseload warning")
        self.banner.setWordWrap(True)
        self.banner.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.banner.setStyleSheet(
            "QLabel#overLimitBanner { background: #FDECEA; color: #8A1538; "
            "border: 1px solid #8A1538; border-left: 6px solid #8A1538; "
            "border-radius: 3px; padding: 8px; font-weight: bold; }"
        )
        self.banner.setToolTip(GUIDANCE)
        self.banner.hide()

        self.summary = QLabel()
        self.summary.setObjectName("teamCaseloadSummary")
        self.summary.setAccessibleName("Team caseload summary")

        self.model = TeamCaseloadTableModel(self)
        self.table = QTableView()
        self.table.setObjectName("teamCaseloadTable")
        self.table.setAccessibleName("Caseload size of each key worker")
        self.table.setModel(self.model)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.setAlternatingRowColors(True)
        self.table.setWordWrap(False)
        self.table.verticalHeader().hide()
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
        header.setStretchLastSection(False)
        header.setHighlightSections(False)
        self.table.setSortingEnabled(True)
        self.table.sortByColumn(Column.NAME, Qt.SortOrder.AscendingOrder)
        # doubleClicked and our own Enter handling rather than ``activated``: on styles
        # where one click activates, ``activated`` would open a caseload on every click.
        self.table.doubleClicked.connect(self._on_table_double_clicked)
        self.table.installEventFilter(self)
        self.table.selectionModel().selectionChanged.connect(self._on_selection_changed)

        self.open_button = QPushButton("Open caseload")
        self.open_button.setObjectName("openWorkerCaseload")
        self.open_button.setAccessibleName("Open the selected worker's caseload")
        self.open_button.setEnabled(False)
        self.open_button.clicked.connect(self._on_open_button_clicked)

        top = QHBoxLayout()
        top.addWidget(self.title)
        top.addStretch(1)
        top.addWidget(self.open_button)
        layout = QVBoxLayout(self)
        layout.addLayout(top)
        layout.addWidget(self.banner)
        layout.addWidget(self.summary)
        layout.addWidget(self.table, 1)

        self._loaded = False  # read when first shown, not while the window starts

    # -- loading

    def showEvent(self, event: QShowEvent) -> None:
        super().showEvent(event)
        self.ensure_loaded()

    def ensure_loaded(self) -> None:
        if not self._loaded:
            self.refresh()

    def invalidate(self) -> None:
        """Something changed elsewhere: reload now if shown, else when next shown."""
        if self.isVisible():
            self.refresh()
        else:
            self._loaded = False

    def refresh(self) -> None:
        """Reload the sizes, keeping the sort order and the selected worker."""
        selected = self.selected_username()
        workers = self._services.caseload.sizes()
        try:
            overdue = self._services.reminders.overdue_reviews_by_worker()
        except DomainError:
            overdue = {}
        self.model.set_workers(workers, overdue)
        self._loaded = True
        message = over_limit_message(workers)
        self.banner.setText(message)
        self.banner.setAccessibleDescription(message)
        self.banner.setVisible(bool(message))
        total = sum(w.total for w in workers)
        people = "key worker" if len(workers) == 1 else "key workers"
        self.summary.setText(
            f"{len(workers):,} {people} · {total:,} patients on caseloads · "
            "double-click a worker or press Enter to open their caseload"
        )
        self._fit_columns()
        if selected is not None:
            self.select_worker(selected)
        self._on_selection_changed()

    def _fit_columns(self) -> None:
        # Contents plus room for the sort arrow; the user can still drag any column.
        self.table.resizeColumnsToContents()
        header = self.table.horizontalHeader()
        for column in Column:
            header.resizeSection(column, header.sectionSize(column) + 14)

    # -- selection

    def selected_username(self) -> str | None:
        rows = self.table.selectionModel().selectedRows()
        if not rows:
            return None
        return str(self.model.worker(rows[0].row()).username)

    def select_worker(self, username: str) -> bool:
        row = self.model.row_of(username)
        if row is None:
            return False
        self.table.selectRow(row)
        self.table.scrollTo(self.model.index(row, 0))
        return True

    # -- events

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if (
            watched is self.table
            and event.type() == QEvent.Type.KeyPress
            and isinstance(event, QKeyEvent)
            and event.key() in (Qt.Key.Key_Return, Qt.Key.Key_Enter)
            and event.modifiers() in _PLAIN
        ):
            index = self.table.currentIndex()
            if index.isValid():
                self.workerActivated.emit(self.model.worker(index.row()).username)
                return True
        return super().eventFilter(watched, event)

    def _on_table_double_clicked(self, index: QModelIndex) -> None:
        if index.isValid():
            self.workerActivated.emit(self.model.worker(index.row()).username)

    def _on_open_button_clicked(self) -> None:
        username = self.selected_username()
        if username is not None:
            self.workerActivated.emit(username)

    def _on_selection_changed(self, *_: object) -> None:
        self.open_button.setEnabled(self.selected_username() is not None)
