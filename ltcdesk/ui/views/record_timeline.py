"""The person's timeline for the record's Events tab (issue 8): what has happened to them,
newest first, in one list — hospital events, conversations, assessments, care plans,
caseload changes, meeting discussions and actions. Read when first shown. Activating an
entry (double-click or Enter) asks the record to show the tab with its detail."""

from __future__ import annotations

from typing import TYPE_CHECKING, Final

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QBrush, QColor, QFont, QShowEvent
from PySide6.QtWidgets import (
    QAbstractItemView,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QTreeWidget,
    QTreeWidgetItem,
    QVBoxLayout,
    QWidget,
)

from ltcdesk.domain.errors import DomainError
from ltcdesk.services.timeline import ADMISSION, AE, TimelineEntry

if TYPE_CHECKING:
    from ltcdesk.app import Services

HEADERS: Final = ("Date", "What", "Details", "Who")
ENTRY_ROLE: Final = int(Qt.ItemDataRole.UserRole) + 1
HOSPITAL_TEXT: Final = QBrush(QColor("#8A1538"))  # NHS dark red, 9:1 on white
TAB_WORDS: Final = {
    "events": "Events",
    "conversations": "Conversations",
    "assessment": "Assessment",
    "care_plan": "Care plan",
    "history": "Caseload history",
}
HINT: Final = (
    "Newest first. Double-click an entry, or press Enter, to open the tab with its detail."
)


class TimelinePanel(QWidget):
    """``entryActivated(TimelineEntry)`` when the user opens an entry."""

    entryActivated = Signal(object)

    def __init__(self, services: Services, nhs: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._services = services
        self._nhs = nhs
        self._entries: list[TimelineEntry] = []
        self._shown = False  # read (and audited) when first shown, not when the record opens
        self.setObjectName("timelinePanel")
        self.setAccessibleName("What has happened to this person")
        title = QLabel("What has happened to this person")
        title.setObjectName("timelineTitle")
        bold = QFont(title.font())
        bold.setBold(True)
        title.setFont(bold)
        hint = QLabel(HINT)
        hint.setObjectName("timelineHint")
        hint.setStyleSheet("color: #5f6368;")
        self.list = QTreeWidget()
        self.list.setObjectName("patientTimeline")
        self.list.setAccessibleName("Timeline, newest first")
        self.list.setColumnCount(len(HEADERS))
        self.list.setHeaderLabels(list(HEADERS))
        self.list.setRootIsDecorated(False)
        self.list.setUniformRowHeights(True)
        self.list.setAlternatingRowColors(True)
        self.list.setAllColumnsShowFocus(True)
        self.list.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.list.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        header = self.list.header()
        header.setStretchLastSection(False)
        for column in (0, 1, 3):
            header.setSectionResizeMode(column, QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(2, QHeaderView.ResizeMode.Stretch)
        self.list.itemActivated.connect(self._on_list_item_activated)
        self.message = QLabel()
        self.message.setObjectName("timelineMessage")
        self.message.setWordWrap(True)

        top = QHBoxLayout()
        top.addWidget(title)
        top.addStretch(1)
        top.addWidget(self.message)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addLayout(top)
        layout.addWidget(hint)
        layout.addWidget(self.list, 1)

    def showEvent(self, event: QShowEvent) -> None:
        super().showEvent(event)
        if not self._shown:
            self._shown = True
            self.refresh()

    @property
    def entries(self) -> list[TimelineEntry]:
        return list(self._entries)

    def refresh(self) -> None:
        if not self._shown:
            return
        try:
            self._entries = self._services.timeline.for_patient(self._nhs)
        except DomainError as exc:
            self._entries = []
            self.list.clear()
            self.message.setText(str(exc))
            return
        self._fill()

    def current(self) -> TimelineEntry | None:
        item = self.list.currentItem()
        index = item.data(0, ENTRY_ROLE) if item is not None else None
        return self._entries[index] if isinstance(index, int) else None

    def open_entry(self, entry: TimelineEntry) -> None:
        self.entryActivated.emit(entry)

    def _fill(self) -> None:
        self.list.clear()
        items = []
        for index, e in enumerate(self._entries):
            cells = [f"{e.on:%d/%m/%Y}", e.kind, e.summary, e.by or ""]
            item = QTreeWidgetItem(cells)
            item.setData(0, ENTRY_ROLE, index)
            where = TAB_WORDS.get(e.tab, e.tab)
            item.setToolTip(2, f"{e.summary}\n\nOpens the {where} tab.")
            if e.kind in (ADMISSION, AE):
                for column in range(len(HEADERS)):
                    item.setForeground(column, HOSPITAL_TEXT)
            items.append(item)
        self.list.addTopLevelItems(items)
        if not self._entries:
            empty = QTreeWidgetItem(["", "Nothing recorded yet.", "", ""])
            empty.setFlags(Qt.ItemFlag.NoItemFlags)
            self.list.addTopLevelItem(empty)
            self.message.clear()
        else:
            count = len(self._entries)
            self.message.setText(f"{count} entr{'ies' if count != 1 else 'y'}")

    def _on_list_item_activated(self, item: QTreeWidgetItem, _column: int) -> None:
        index = item.data(0, ENTRY_ROLE)
        if isinstance(index, int):
            self.open_entry(self._entries[index])
