"""The person's hospital events and what is coming up for them, for the record's Events
tab (issue 8): admissions, discharges and A&E attendances (recorded here or imported),
and their reminders as a timeline, overdue first. Read when first shown."""

from __future__ import annotations

from datetime import date
from typing import TYPE_CHECKING, Final

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QBrush, QColor, QFont, QShowEvent
from PySide6.QtWidgets import (
    QAbstractItemView,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QListWidget,
    QListWidgetItem,
    QPushButton,
    QSplitter,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from ltcdesk.domain import nhs_number
from ltcdesk.domain.errors import DomainError
from ltcdesk.domain.permissions import Action, allowed
from ltcdesk.services.events import EventView
from ltcdesk.services.reminders import Reminder
from ltcdesk.ui.dialogs.hospital_events import RecordEventDialog

if TYPE_CHECKING:
    from ltcdesk.app import Services

HEADERS: Final = ("Date", "Event", "Hospital", "Reason", "Expected discharge", "Recorded")
LATE_TEXT: Final = QBrush(QColor("#8A1538"))  # NHS dark red, 9:1 on white
NO_EVENTS: Final = "No hospital events recorded."
SOURCE_WORDS: Final = {"manual": "by", "import": "imported by"}


def _bold(widget: QWidget) -> QFont:
    font = QFont(widget.font())
    font.setBold(True)
    return font


def timeline_text(reminder: Reminder, today: date) -> str:
    late = (today - reminder.due).days
    when = f"{reminder.due:%d/%m/%Y}"
    if late > 0:
        when += f" ({late} day{'s' if late != 1 else ''} overdue)"
    elif late == 0:
        when += " (today)"
    urgent = "Urgent: " if reminder.urgent else ""
    owner = f" — {reminder.owner_name}" if reminder.owner_name else ""
    return f"{when}  {urgent}{reminder.what}{owner}: {reminder.why}"


class HospitalEventsPanel(QWidget):
    """``changed`` after an event is recorded here."""

    changed = Signal()

    def __init__(
        self, services: Services, nhs: str, role: str, parent: QWidget | None = None
    ) -> None:
        super().__init__(parent)
        self._services = services
        self._nhs = nhs
        self._events: list[EventView] = []
        self._reminders: list[Reminder] = []
        self._shown = False
        self.setObjectName("hospitalEventsPanel")
        self.setAccessibleName("Hospital events and reminders")
        title = QLabel("Hospital events")
        title.setObjectName("hospitalEventsTitle")
        title.setFont(_bold(title))
        self.table = QTableWidget(0, len(HEADERS))
        self.table.setObjectName("hospitalEventsTable")
        self.table.setAccessibleName("Hospital admissions, discharges and A&E attendances")
        self.table.setHorizontalHeaderLabels(list(HEADERS))
        self.table.verticalHeader().setVisible(False)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setWordWrap(True)
        header = self.table.horizontalHeader()
        for column in range(len(HEADERS)):
            header.setSectionResizeMode(column, QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(3, QHeaderView.ResizeMode.Stretch)
        self.record_button = QPushButton("&Record a hospital event…")
        self.record_button.setObjectName("recordEventButton")
        self.record_button.setAccessibleName("Record a hospital event")
        self.record_button.setToolTip("An admission, a discharge or an A&E attendance")
        self.record_button.clicked.connect(self.record_event)
        may = allowed(role, Action.RECORD_EVENT)
        self.record_button.setEnabled(may)
        if not may:
            self.record_button.setToolTip(f"You may not {Action.RECORD_EVENT.description}.")
        self.message = QLabel()
        self.message.setObjectName("hospitalEventsMessage")
        self.message.setWordWrap(True)

        coming = QLabel("Coming up for this person")
        coming.setObjectName("patientRemindersTitle")
        coming.setFont(_bold(coming))
        self.timeline = QListWidget()
        self.timeline.setObjectName("patientReminders")
        self.timeline.setAccessibleName("Reminders for this person, earliest first")
        self.timeline.setWordWrap(True)
        self.timeline.setAlternatingRowColors(True)

        left = QWidget()
        box = QVBoxLayout(left)
        box.setContentsMargins(0, 0, 0, 0)
        top = QHBoxLayout()
        top.addWidget(title)
        top.addStretch(1)
        top.addWidget(self.record_button)
        box.addLayout(top)
        box.addWidget(self.table, 1)
        box.addWidget(self.message)
        right = QWidget()
        side = QVBoxLayout(right)
        side.setContentsMargins(0, 0, 0, 0)
        side.addWidget(coming)
        side.addWidget(self.timeline, 1)
        split = QSplitter(Qt.Orientation.Horizontal)
        split.setObjectName("hospitalEventsSplitter")
        split.setChildrenCollapsible(False)
        split.addWidget(left)
        split.addWidget(right)
        split.setStretchFactor(0, 3)
        split.setStretchFactor(1, 2)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(split)

    def showEvent(self, event: QShowEvent) -> None:
        super().showEvent(event)
        if not self._shown:
            self._shown = True
            self.refresh()

    @property
    def events(self) -> list[EventView]:
        return list(self._events)

    @property
    def reminders(self) -> list[Reminder]:
        return list(self._reminders)

    def refresh(self) -> None:
        if not self._shown:
            return
        try:
            self._events = self._services.events.list_for(self._nhs)
            self._reminders = sorted(
                self._services.reminders.for_patient(self._nhs),
                key=lambda r: (r.due, not r.urgent),
            )
        except DomainError as exc:
            self.message.setText(str(exc))
            return
        self._fill()

    def record_event(self) -> RecordEventDialog:
        who = f"the person with NHS number {nhs_number.format_nhs(self._nhs)}"
        dialog = RecordEventDialog(self._services, self._nhs, who, self)
        dialog.accepted.connect(lambda: self._on_recorded(dialog))
        dialog.open()
        return dialog

    def _on_recorded(self, dialog: RecordEventDialog) -> None:
        event = dialog.saved_event
        if event is not None:
            self.message.setText(
                f"Recorded: {event.label.lower()} on {event.occurred_on:%d/%m/%Y}."
            )
        self.refresh()
        self.changed.emit()

    def _fill(self) -> None:
        self.table.setRowCount(len(self._events))
        for row, e in enumerate(self._events):
            expected = f"{e.expected_discharge:%d/%m/%Y}" if e.expected_discharge else ""
            by = f"{SOURCE_WORDS.get(e.source, 'by')} {e.recorded_by}"
            cells = (
                f"{e.occurred_on:%d/%m/%Y}",
                e.label,
                e.hospital,
                e.reason or "",
                expected,
                by[:1].upper() + by[1:],
            )
            for column, text in enumerate(cells):
                self.table.setItem(row, column, QTableWidgetItem(text))
        self.table.resizeRowsToContents()
        if not self._events:
            self.message.setText(NO_EVENTS)
        elif self.message.text() == NO_EVENTS:
            self.message.clear()
        today = date.today()
        self.timeline.clear()
        for reminder in self._reminders:
            item = QListWidgetItem(timeline_text(reminder, today))
            item.setToolTip(reminder.note or reminder.why)
            if reminder.urgent or reminder.due < today:
                item.setForeground(LATE_TEXT)
            self.timeline.addItem(item)
        if not self._reminders:
            empty = QListWidgetItem("Nothing due.")
            empty.setFlags(Qt.ItemFlag.NoItemFlags)
            self.timeline.addItem(empty)
