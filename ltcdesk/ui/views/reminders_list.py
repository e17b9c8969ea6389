"""One page of the worklist: reminders grouped under Overdue / Today / This week / Later,
each heading with its count; a row names the patient, what is due and why, the due date,
the owner (team view), and the notes (covering for an absent worker, rescheduled,
reassigned). Urgent rows say so in words and in colour."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from enum import IntEnum
from typing import Final

from PySide6.QtCore import QEvent, QObject, Qt, Signal
from PySide6.QtGui import QBrush, QColor, QFont, QKeyEvent
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QTreeWidget,
    QTreeWidgetItem,
    QVBoxLayout,
    QWidget,
)

from ltcdesk.domain import nhs_number
from ltcdesk.services.reminders import Group, Reminder

REMINDER_ROLE: Final = int(Qt.ItemDataRole.UserRole) + 1
GROUP_ROLE: Final = int(Qt.ItemDataRole.UserRole) + 2
URGENT_TEXT: Final = QBrush(QColor("#8A1538"))  # NHS dark red: 9:1 on white
OVERDUE_HEAD: Final = QBrush(QColor("#8A1538"))
NOTE_TEXT: Final = QBrush(QColor("#425563"))  # NHS dark grey
WITHIN: Final = (("All dates", None), ("Next 7 days", 7), ("Next 30 days", 30))
EVERYONE: Final = "Everyone in the team"
_PLAIN: Final = (Qt.KeyboardModifier.NoModifier, Qt.KeyboardModifier.KeypadModifier)


class Col(IntEnum):
    PATIENT = 0
    NHS = 1
    WHAT = 2
    WHY = 3
    DUE = 4
    OWNER = 5
    NOTE = 6


HEADERS: Final = ("Patient", "NHS number", "What is due", "Why", "Due", "Owner", "Notes")


def notes_of(reminder: Reminder) -> str:
    parts = []
    if reminder.covering_for:
        parts.append(f"Covering for {reminder.covering_for}")
    if reminder.note:
        parts.append(reminder.note)
    return " · ".join(parts)


def what_of(reminder: Reminder) -> str:
    return f"Urgent: {reminder.what}" if reminder.urgent else reminder.what


def group_heading(group: Group, count: int) -> str:
    return f"{group.value} ({count:,})"


class WorklistPage(QWidget):
    """``activated(reminder)`` on Enter or double-click on a reminder row;
    ``filtersChanged`` when the Within or worker choice changes; ``selectionChanged``."""

    activated = Signal(object)
    filtersChanged = Signal()
    selectionChanged = Signal()

    def __init__(self, team: bool, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.team = team
        self.setObjectName("teamWorkTab" if team else "myWorkTab")
        self.setAccessibleName("Team work" if team else "My work")
        self._reminders: list[Reminder] = []
        self._today = date.today()

        self.within = QComboBox()
        self.within.setObjectName("teamWithinFilter" if team else "myWithinFilter")
        self.within.setAccessibleName("Show reminders due within")
        for label, days in WITHIN:
            self.within.addItem(label, days)
        self.within.currentIndexChanged.connect(lambda _i: self.filtersChanged.emit())
        self.worker = QComboBox()
        self.worker.setObjectName("teamWorkerFilter")
        self.worker.setAccessibleName("Show the reminders of")
        self.worker.addItem(EVERYONE, None)
        self.worker.setMinimumContentsLength(18)
        self.worker.currentIndexChanged.connect(lambda _i: self.filtersChanged.emit())
        self.summary = QLabel()
        self.summary.setObjectName("teamWorkSummary" if team else "myWorkSummary")
        self.summary.setAccessibleName("How many reminders")

        self.list = QTreeWidget()
        self.list.setObjectName("reminderList")
        self.list.setAccessibleName("Team reminders" if team else "My reminders")
        self.list.setColumnCount(len(HEADERS))
        self.list.setHeaderLabels(list(HEADERS))
        self.list.setColumnHidden(Col.OWNER, not team)
        self.list.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.list.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.list.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.list.setAlternatingRowColors(True)
        self.list.setUniformRowHeights(True)
        self.list.setRootIsDecorated(True)
        self.list.setWordWrap(False)
        header = self.list.header()
        header.setStretchLastSection(True)
        header.setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
        widths = {Col.PATIENT: 180, Col.NHS: 110, Col.WHAT: 200, Col.WHY: 380, Col.DUE: 90}
        widths[Col.OWNER] = 150
        for column, width in widths.items():
            header.resizeSection(column, width)
        self.list.itemDoubleClicked.connect(self._on_list_item_double_clicked)
        self.list.itemSelectionChanged.connect(self.selectionChanged.emit)
        self.list.installEventFilter(self)

        filters = QHBoxLayout()
        filters.addWidget(QLabel("Due &within:"))
        filters.itemAt(0).widget().setBuddy(self.within)  # type: ignore[union-attr]
        filters.addWidget(self.within)
        if team:
            who = QLabel("&Worker:")
            who.setBuddy(self.worker)
            filters.addSpacing(12)
            filters.addWidget(who)
            filters.addWidget(self.worker)
        else:
            self.worker.hide()
        filters.addSpacing(12)
        filters.addWidget(self.summary, 1)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 6, 0, 0)
        layout.addLayout(filters)
        layout.addWidget(self.list, 1)

    # ------------------------------------------------------------------ filters

    def within_days(self) -> int | None:
        value = self.within.currentData()
        return int(value) if value is not None else None

    def set_within(self, days: int | None) -> None:
        self.within.setCurrentIndex(max(0, self.within.findData(days)))

    def set_workers(self, workers: Sequence[tuple[str, str]]) -> None:
        """(username, name) of the team; keeps the current choice."""
        current = self.worker.currentData()
        self.worker.blockSignals(True)
        self.worker.clear()
        self.worker.addItem(EVERYONE, None)
        for username, name in workers:
            self.worker.addItem(name, username)
        self.worker.setCurrentIndex(max(0, self.worker.findData(current)))
        self.worker.blockSignals(False)

    def worker_filter(self) -> str | None:
        value = self.worker.currentData()
        return str(value) if value else None

    def set_worker_filter(self, username: str | None) -> bool:
        index = self.worker.findData(username)
        if index >= 0:
            self.worker.setCurrentIndex(index)
        return index >= 0

    # ------------------------------------------------------------------ rows

    @property
    def reminders(self) -> list[Reminder]:
        return list(self._reminders)

    def show_reminders(self, reminders: Sequence[Reminder], today: date) -> None:
        """Fill the list, keeping the selected reminder (or the row where it was)."""
        kept = self.selected()
        old_row = self._row_number()
        self._today = today
        worker = self.worker_filter() if self.team else None
        self._reminders = [r for r in reminders if worker is None or r.owner_username == worker]
        groups: dict[Group, list[Reminder]] = {g: [] for g in Group}
        for reminder in self._reminders:
            groups[reminder.group(today)].append(reminder)
        self.list.setUpdatesEnabled(False)
        self.list.clear()
        bold = QFont(self.list.font())
        bold.setBold(True)
        for group, members in groups.items():
            head = QTreeWidgetItem([group_heading(group, len(members))])
            head.setData(0, GROUP_ROLE, group.value)
            head.setFont(0, bold)
            head.setFlags(Qt.ItemFlag.ItemIsEnabled)
            if group is Group.OVERDUE and members:
                head.setForeground(0, OVERDUE_HEAD)
            self.list.addTopLevelItem(head)
            head.setFirstColumnSpanned(True)
            head.addChildren([self._item(r, bold) for r in members])
            head.setExpanded(True)
        self.list.setUpdatesEnabled(True)
        total = len(self._reminders)
        urgent = sum(1 for r in self._reminders if r.urgent)
        text = f"{total:,} reminder{'s' if total != 1 else ''}"
        if urgent:
            text += f", {urgent:,} urgent"
        self.summary.setText(text + " · Enter or double-click opens the record")
        if kept is None or not self.select_key(kept.key):
            self._select_row_number(old_row)

    def _item(self, r: Reminder, bold: QFont) -> QTreeWidgetItem:
        cells = [""] * len(HEADERS)
        cells[Col.PATIENT] = r.patient_name
        cells[Col.NHS] = nhs_number.format_nhs(r.nhs_number)
        cells[Col.WHAT] = what_of(r)
        cells[Col.WHY] = r.why
        cells[Col.DUE] = f"{r.due:%d/%m/%Y}"
        cells[Col.OWNER] = r.owner_name or "Nobody"
        cells[Col.NOTE] = notes_of(r)
        item = QTreeWidgetItem(cells)
        item.setData(0, REMINDER_ROLE, r)
        late = (self._today - r.due).days
        due_tip = f"{late} day{'s' if late != 1 else ''} overdue" if late > 0 else ""
        item.setToolTip(Col.WHY, r.why)
        item.setToolTip(Col.DUE, due_tip)
        if cells[Col.NOTE]:
            item.setToolTip(Col.NOTE, cells[Col.NOTE])
            item.setForeground(Col.NOTE, NOTE_TEXT)
        spoken = f"{r.patient_name}, {what_of(r)}, due {r.due:%d/%m/%Y}"
        item.setData(Col.PATIENT, int(Qt.ItemDataRole.AccessibleTextRole), spoken)
        if r.urgent:
            for column in (Col.PATIENT, Col.WHAT, Col.DUE):
                item.setForeground(column, URGENT_TEXT)
                item.setFont(column, bold)
        elif late > 0:
            item.setForeground(Col.DUE, URGENT_TEXT)
        return item

    def _heads(self) -> list[QTreeWidgetItem]:
        heads = (self.list.topLevelItem(i) for i in range(self.list.topLevelItemCount()))
        return [h for h in heads if h is not None]

    @staticmethod
    def _children(head: QTreeWidgetItem) -> list[QTreeWidgetItem]:
        children = (head.child(n) for n in range(head.childCount()))
        return [c for c in children if c is not None]

    def group_items(self) -> dict[str, list[Reminder]]:
        """Heading text → the reminders under it, as shown (for tests and screen readers)."""
        return {
            head.text(0): [c.data(0, REMINDER_ROLE) for c in self._children(head)]
            for head in self._heads()
        }

    def selected(self) -> Reminder | None:
        item = self.list.currentItem()
        if item is None or not item.isSelected():
            return None
        value = item.data(0, REMINDER_ROLE)
        return value if isinstance(value, Reminder) else None

    def select_key(self, key: str) -> bool:
        for child in self._rows():
            if child.data(0, REMINDER_ROLE).key == key:
                self.list.setCurrentItem(child)
                child.setSelected(True)
                self.list.scrollToItem(child)
                return True
        return False

    def _rows(self) -> list[QTreeWidgetItem]:
        return [child for head in self._heads() for child in self._children(head)]

    def _row_number(self) -> int | None:
        current = self.list.currentItem()
        rows = self._rows()
        return rows.index(current) if current in rows else None

    def _select_row_number(self, number: int | None) -> None:
        rows = self._rows()
        if number is None or not rows:
            return
        item = rows[min(number, len(rows) - 1)]
        self.list.setCurrentItem(item)
        item.setSelected(True)

    # ------------------------------------------------------------------ events

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if (
            watched is self.list
            and event.type() == QEvent.Type.KeyPress
            and isinstance(event, QKeyEvent)
            and event.key() in (Qt.Key.Key_Return, Qt.Key.Key_Enter)
            and event.modifiers() in _PLAIN
        ):
            reminder = self.selected()
            if reminder is not None:
                self.activated.emit(reminder)
                return True
        return super().eventFilter(watched, event)

    def _on_list_item_double_clicked(self, item: QTreeWidgetItem, _column: int) -> None:
        value = item.data(0, REMINDER_ROLE)
        if isinstance(value, Reminder):
            self.activated.emit(value)
