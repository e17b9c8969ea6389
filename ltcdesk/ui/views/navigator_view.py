"""A care navigator's own list of patients (issue 6, point 4): when each person was last
contacted, the next follow-up, and who is due a call. A navigator sees their own list; a
team lead (or anyone else) chooses whose list to view, and a team lead assigns patients.

Lists are a navigator's few dozen people, so the rows are sorted and filtered in Python.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
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
from PySide6.QtGui import QBrush, QColor, QFont, QKeyEvent
from PySide6.QtWidgets import (
    QAbstractItemView,
    QCheckBox,
    QComboBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QMessageBox,
    QPushButton,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from ltcdesk.domain import nhs_number
from ltcdesk.domain.errors import DomainError
from ltcdesk.domain.permissions import Action, allowed
from ltcdesk.domain.vocab import Role
from ltcdesk.services.conversations import NavigatorRow
from ltcdesk.services.setup import StaffView
from ltcdesk.ui import tasks
from ltcdesk.ui.dialogs.assign_navigator import navigators

if TYPE_CHECKING:
    from ltcdesk.app import Services
    from ltcdesk.ui.dialogs.assign_navigator import AssignNavigatorDialog
    from ltcdesk.ui.dialogs.record_conversation import RecordConversationDialog

Index = QModelIndex | QPersistentModelIndex

MY_TITLE = "My navigator list"
TEAM_TITLE = "Navigator lists"


class Column(IntEnum):
    NAME = 0
    NHS = 1
    LAST_CONTACT = 2
    NEXT_FOLLOW_UP = 3
    DUE = 4


HEADERS: Final = ("Name", "NHS number", "Last contact", "Next follow-up", "Due a call")
_DISPLAY: Final = int(Qt.ItemDataRole.DisplayRole)
_FONT: Final = int(Qt.ItemDataRole.FontRole)
_BACKGROUND: Final = int(Qt.ItemDataRole.BackgroundRole)
_FOREGROUND: Final = int(Qt.ItemDataRole.ForegroundRole)
_TOOLTIP: Final = int(Qt.ItemDataRole.ToolTipRole)
_ACCESSIBLE: Final = int(Qt.ItemDataRole.AccessibleTextRole)
NHS_ROLE: Final = int(Qt.ItemDataRole.UserRole) + 1
DUE_ROLE: Final = int(Qt.ItemDataRole.UserRole) + 2
_HORIZONTAL: Final = Qt.Orientation.Horizontal
DUE_BACKGROUND: Final = QBrush(QColor("#FFF3CD"))  # pale amber; text stays dark
DUE_TEXT: Final = QBrush(QColor("#8A1538"))  # NHS dark red, 9:1 on white
DUE_TIP: Final = "No conversation in the last 28 days, or a follow-up is due"


def short_date(day: date | None, none: str) -> str:
    return f"{day:%d/%m/%Y}" if day is not None else none


def is_me_navigator(staff: Sequence[StaffView], username: str) -> bool:
    me = next((s for s in staff if s.username == username), None)
    return me is not None and me.role == Role.CARE_NAVIGATOR.value


class NavigatorTableModel(QAbstractTableModel):
    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._all: list[NavigatorRow] = []
        self._rows: list[NavigatorRow] = []
        self._due_only = False
        self._sort: tuple[int, Qt.SortOrder] | None = None
        self._bold: QFont | None = None

    def set_rows(self, rows: Sequence[NavigatorRow]) -> None:
        self.beginResetModel()
        self._all = list(rows)
        self._apply()
        self.endResetModel()

    def set_due_only(self, on: bool) -> None:
        self.beginResetModel()
        self._due_only = on
        self._apply()
        self.endResetModel()

    @property
    def total(self) -> int:
        return len(self._all)

    @property
    def due(self) -> int:
        return sum(1 for r in self._all if r.due_a_call)

    def row_at(self, row: int) -> NavigatorRow:
        return self._rows[row]

    def row_of(self, nhs: str) -> int | None:
        return next((i for i, r in enumerate(self._rows) if r.nhs_number == nhs), None)

    def _apply(self) -> None:
        rows = [r for r in self._all if r.due_a_call] if self._due_only else list(self._all)
        if self._sort is not None:
            column, order = self._sort
            by_name = {r.nhs_number: i for i, r in enumerate(self._all)}
            descending = order == Qt.SortOrder.DescendingOrder
            rows.sort(key=_sort_key(column, by_name), reverse=descending)
        self._rows = rows

    # -- Qt model

    def rowCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self._rows)

    def columnCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(Column)

    def headerData(self, section: int, orientation: Qt.Orientation, role: int = _DISPLAY) -> Any:
        if orientation == _HORIZONTAL and role == _DISPLAY and 0 <= section < len(HEADERS):
            return HEADERS[section]
        if orientation == _HORIZONTAL and role == _TOOLTIP and section == Column.DUE:
            return DUE_TIP
        return None

    def data(self, index: Index, role: int = _DISPLAY) -> Any:
        if not index.isValid():
            return None
        r = self._rows[index.row()]
        column = index.column()
        if role in (_DISPLAY, _ACCESSIBLE):
            return self._text(r, column)
        if role == NHS_ROLE:
            return r.nhs_number
        if role == DUE_ROLE:
            return r.due_a_call
        if r.due_a_call:
            if role == _BACKGROUND:
                return DUE_BACKGROUND
            if role == _FOREGROUND and column == Column.DUE:
                return DUE_TEXT
            if role == _FONT and column in (Column.NAME, Column.DUE):
                if self._bold is None:
                    self._bold = QFont()
                    self._bold.setBold(True)
                return self._bold
            if role == _TOOLTIP:
                return DUE_TIP
        return None

    @staticmethod
    def _text(r: NavigatorRow, column: int) -> str:
        if column == Column.NAME:
            return r.patient_name
        if column == Column.NHS:
            return nhs_number.format_nhs(r.nhs_number)
        if column == Column.LAST_CONTACT:
            return short_date(r.last_contact, "Never")
        if column == Column.NEXT_FOLLOW_UP:
            return short_date(r.next_follow_up, "—")
        return "Due a call" if r.due_a_call else ""

    def sort(self, column: int, order: Qt.SortOrder = Qt.SortOrder.AscendingOrder) -> None:
        self.layoutAboutToBeChanged.emit()
        self._sort = (column, order)
        self._apply()
        self.layoutChanged.emit()


def _sort_key(column: int, by_name: dict[str, int]) -> Any:
    """``by_name``: each row's place in the service's order (family name, then given)."""

    def name(r: NavigatorRow) -> int:
        return by_name.get(r.nhs_number, 0)

    keys: dict[int, Any] = {
        Column.NHS: lambda r: r.nhs_number,
        # Never contacted sorts first: they are the ones to call.
        Column.LAST_CONTACT: lambda r: (r.last_contact or date.min, name(r)),
        Column.NEXT_FOLLOW_UP: lambda r: (r.next_follow_up or date.max, name(r)),
        Column.DUE: lambda r: (not r.due_a_call, name(r)),
    }
    return keys.get(column, name)


@dataclass(frozen=True)
class _Loaded:
    staff: list[StaffView]
    navigator: str | None
    rows: list[NavigatorRow]


class NavigatorListView(QWidget):
    """``patientActivated`` (NHS number) on double-click or Enter; ``changed`` after a
    conversation is recorded or patients are assigned here."""

    patientActivated = Signal(str)
    changed = Signal()

    def __init__(self, services: Services, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._services = services
        self._generation = 0
        self._loading = False
        self._loaded = False
        self._navigator: str | None = None
        self._staff: list[StaffView] = []
        self.dialog: RecordConversationDialog | AssignNavigatorDialog | None = None
        self.setObjectName("navigatorListView")
        self.setAccessibleName(TEAM_TITLE)
        self._build()

    def _build(self) -> None:
        self.title = QLabel(TEAM_TITLE)
        self.title.setObjectName("navigatorTitle")
        font = self.title.font()
        font.setPointSizeF(font.pointSizeF() * 1.4)
        font.setBold(True)
        self.title.setFont(font)

        self.navigator_label = QLabel("&Navigator:")
        self.navigator_choice = QComboBox()
        self.navigator_choice.setObjectName("navigatorChoice")
        self.navigator_choice.setAccessibleName("Whose navigator list")
        self.navigator_choice.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToContents)
        self.navigator_choice.setPlaceholderText("No care navigators")
        self.navigator_label.setBuddy(self.navigator_choice)
        self.navigator_choice.currentIndexChanged.connect(self._on_navigator_choice_changed)
        self.due_only = QCheckBox("&Due a call only")
        self.due_only.setObjectName("dueOnlyFilter")
        self.due_only.setAccessibleName("Show only people due a call")
        self.due_only.toggled.connect(self._on_due_only_toggled)
        filters = QHBoxLayout()
        filters.addWidget(self.navigator_label)
        filters.addWidget(self.navigator_choice)
        filters.addSpacing(16)
        filters.addWidget(self.due_only)
        filters.addStretch(1)

        self.model = NavigatorTableModel(self)
        self.model.modelReset.connect(self._update_controls)
        self.table = QTableView()
        self.table.setObjectName("navigatorTable")
        self.table.setAccessibleName("Navigator list")
        self.table.setModel(self.model)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.ExtendedSelection)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.setSortingEnabled(True)
        self.table.sortByColumn(Column.NAME, Qt.SortOrder.AscendingOrder)
        self.table.verticalHeader().setVisible(False)
        self.table.setAlternatingRowColors(False)  # the amber rows must stand out
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
        header.setStretchLastSection(True)
        metrics = self.table.fontMetrics()
        for column, sample in (
            (Column.NAME, "Bartholomew Featherstonehaugh"),
            (Column.NHS, "999 999 9999"),
            (Column.LAST_CONTACT, "Last contact"),
            (Column.NEXT_FOLLOW_UP, "Next follow-up"),
        ):
            self.table.setColumnWidth(column, metrics.horizontalAdvance(sample) + 32)
        # doubleClicked and our own Enter handling rather than ``activated``: on styles
        # where one click activates, ``activated`` would open a record on every click.
        self.table.doubleClicked.connect(self._on_table_activated)
        self.table.installEventFilter(self)
        self.table.selectionModel().selectionChanged.connect(self._update_controls)

        self.count_label = QLabel()
        self.count_label.setObjectName("navigatorCount")
        self.count_label.setAccessibleName("Number of patients")
        self.message_label = QLabel()
        self.message_label.setObjectName("navigatorMessage")
        self.message_label.setAccessibleName("Last action")
        self.record_button = QPushButton("&Record a conversation…")
        self.record_button.setObjectName("recordConversationButton")
        self.record_button.setAccessibleName("Record a conversation with the selected person")
        self.record_button.clicked.connect(self._on_record_button_clicked)
        self.assign_button = QPushButton("&Assign to navigator…")
        self.assign_button.setObjectName("assignNavigatorButton")
        self.assign_button.setAccessibleName("Assign patients to a care navigator")
        self.assign_button.setToolTip("Find patients and put them on a care navigator's list")
        self.assign_button.clicked.connect(self._on_assign_button_clicked)
        self.assign_button.hide()
        bottom = QHBoxLayout()
        bottom.addWidget(self.count_label)
        bottom.addSpacing(16)
        bottom.addWidget(self.message_label, 1)
        bottom.addWidget(self.assign_button)
        bottom.addWidget(self.record_button)

        layout = QVBoxLayout(self)
        layout.addWidget(self.title)
        layout.addLayout(filters)
        layout.addWidget(self.table, 1)
        layout.addLayout(bottom)
        self._update_controls()

    # ------------------------------------------------------------ loading

    @property
    def loading(self) -> bool:
        return self._loading

    @property
    def navigator(self) -> str | None:
        """Whose list is shown (a username)."""
        return self._navigator

    def ensure_loaded(self) -> None:
        if not self._loaded and not self._loading:
            self.refresh()

    def invalidate(self) -> None:
        if self.isVisible() or self._loading:
            self.refresh()
        else:
            self._loaded = False

    def refresh(self) -> None:
        self._generation += 1
        generation = self._generation
        self._loading = True
        self._update_controls()
        setup, conversations = self._services.setup, self._services.conversations
        me, wanted = self._services.username, self._navigator

        def load() -> _Loaded:  # worker thread: no widgets
            staff = setup.staff()
            choices = [s.username for s in navigators(staff)]
            navigator = wanted
            if navigator is None:
                navigator = me if is_me_navigator(staff, me) else next(iter(choices), None)
            rows = conversations.my_list(navigator) if navigator else []
            return _Loaded(staff, navigator, rows)

        tasks.run_task(
            load,
            lambda loaded: self._on_loaded(generation, loaded),
            lambda exc: self._on_load_failed(generation, exc),
            parent=self,
        )

    def _on_loaded(self, generation: int, loaded: _Loaded) -> None:
        if generation != self._generation:
            return
        self._loading = False
        self._loaded = True
        self._staff = loaded.staff
        self._navigator = loaded.navigator
        mine = is_me_navigator(loaded.staff, self._services.username)
        title = MY_TITLE if mine else TEAM_TITLE
        self.title.setText(title)
        self.setAccessibleName(title)
        choices = navigators(loaded.staff)
        blocked = self.navigator_choice.blockSignals(True)
        try:
            self.navigator_choice.clear()
            for member in choices:
                self.navigator_choice.addItem(member.display_name, member.username)
            if loaded.navigator and self.navigator_choice.findData(loaded.navigator) < 0:
                self.navigator_choice.addItem(loaded.navigator, loaded.navigator)
            self.navigator_choice.setCurrentIndex(
                self.navigator_choice.findData(loaded.navigator) if loaded.navigator else -1
            )
        finally:
            self.navigator_choice.blockSignals(blocked)
        # A navigator sees their own list; whoever else may view chooses whose.
        self.navigator_label.setVisible(not mine)
        self.navigator_choice.setVisible(not mine)
        role = self._my_role()
        self.assign_button.setVisible(role == Role.TEAM_LEAD.value)
        kept = set(self.selected_nhs_numbers())
        self.model.set_rows(loaded.rows)
        self._select(kept)

    def _on_load_failed(self, generation: int, exc: BaseException) -> None:
        if generation != self._generation:
            return
        self._loading = False
        self._update_controls()
        if isinstance(exc, DomainError):
            self.count_label.setText("Could not load the list")
            QMessageBox.warning(self, TEAM_TITLE, str(exc))
        else:
            tasks.report_error(exc)

    def show_navigator(self, username: str) -> None:
        """Show this navigator's list (what choosing them in the list above does)."""
        self._navigator = username
        self.refresh()

    def _on_navigator_choice_changed(self, index: int) -> None:
        username = self.navigator_choice.itemData(index) if index >= 0 else None
        if username and username != self._navigator:
            self.show_navigator(str(username))

    def _on_due_only_toggled(self, on: bool) -> None:
        kept = set(self.selected_nhs_numbers())
        self.model.set_due_only(on)
        self._select(kept)

    # ------------------------------------------------------------ selection

    def selected_nhs_numbers(self) -> list[str]:
        rows = sorted(i.row() for i in self.table.selectionModel().selectedRows())
        return [self.model.row_at(r).nhs_number for r in rows]

    def select_patient(self, nhs: str) -> None:
        self._select({nhs})

    def _select(self, nhs_numbers: set[str]) -> None:
        selection = self.table.selectionModel()
        selection.clearSelection()
        for nhs in nhs_numbers:
            row = self.model.row_of(nhs)
            if row is not None:
                self.table.selectRow(row)
        self._update_controls()

    def _update_controls(self) -> None:
        total, due = self.model.total, self.model.due
        if self._loading:
            text = "Loading…"
        elif self._navigator is None:
            text = "No care navigators in the team yet"
        else:
            text = f"{total} patient{'s' if total != 1 else ''} · {due} due a call"
        self.count_label.setText(text)
        role = self._my_role()
        may_record = role is not None and allowed(role, Action.EDIT_CARERS)
        one = len(self.table.selectionModel().selectedRows()) == 1
        self.record_button.setEnabled(may_record and one and not self._loading)
        self.record_button.setToolTip(
            "Record a conversation with the selected person"
            if may_record
            else "Your role may not record conversations"
        )

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if (
            watched is self.table
            and event.type() == QEvent.Type.KeyPress
            and isinstance(event, QKeyEvent)
            and event.key() in (Qt.Key.Key_Return, Qt.Key.Key_Enter)
            and self.table.currentIndex().isValid()
        ):
            self._on_table_activated(self.table.currentIndex())
            return True
        return super().eventFilter(watched, event)

    def _on_table_activated(self, index: QModelIndex) -> None:
        if index.isValid():
            self.patientActivated.emit(index.data(NHS_ROLE))

    # ------------------------------------------------------------ actions

    def open_record_dialog(self) -> RecordConversationDialog | None:
        from ltcdesk.ui.dialogs.record_conversation import RecordConversationDialog

        chosen = self.selected_nhs_numbers()
        if len(chosen) != 1:
            return None
        row = self.model.row_at(self.model.row_of(chosen[0]) or 0)
        try:
            dialog = RecordConversationDialog(
                self._services, row.nhs_number, row.patient_name, parent=self
            )
        except DomainError as err:
            QMessageBox.warning(self, "Record a conversation", str(err))
            return None
        self._replace_dialog(dialog)
        name = row.patient_name
        dialog.recorded.connect(lambda _saved: self._on_done(f"Conversation with {name} saved."))
        dialog.open()
        return dialog

    def open_assign_dialog(self) -> AssignNavigatorDialog:
        from ltcdesk.ui.dialogs.assign_navigator import AssignNavigatorDialog

        dialog = AssignNavigatorDialog(self._services, None, self._navigator, parent=self)
        self._replace_dialog(dialog)
        dialog.accepted.connect(lambda: self._on_assigned(dialog))
        dialog.open()
        return dialog

    def _replace_dialog(self, dialog: RecordConversationDialog | AssignNavigatorDialog) -> None:
        if self.dialog is not None:
            self.dialog.deleteLater()
        self.dialog = dialog

    def _on_assigned(self, dialog: AssignNavigatorDialog) -> None:
        if dialog.navigator_username:
            self._navigator = dialog.navigator_username
        self._on_done(dialog.outcome)

    def _on_done(self, message: str) -> None:
        self.message_label.setText(message)
        self.refresh()
        self.changed.emit()

    def _on_record_button_clicked(self) -> None:
        self.open_record_dialog()

    def _on_assign_button_clicked(self) -> None:
        self.open_assign_dialog()

    # ------------------------------------------------------------ the signed-in user

    def _my_role(self) -> str | None:
        me = next((s for s in self._staff if s.username == self._services.username), None)
        return me.role if me is not None and me.active else None
