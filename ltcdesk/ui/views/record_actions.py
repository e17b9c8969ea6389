"""The patient's actions from whiteboard meetings, for the record (issue 7, point 5): what,
who owns it, when it is due, its status and the meeting that agreed it. The owner, or
anyone who runs meetings, marks an open action done."""

from __future__ import annotations

from datetime import date
from typing import TYPE_CHECKING, Final

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QBrush, QColor, QFont, QShowEvent
from PySide6.QtWidgets import (
    QAbstractItemView,
    QCheckBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QMessageBox,
    QPushButton,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from ltcdesk.domain import nhs_number
from ltcdesk.domain.errors import DomainError
from ltcdesk.domain.permissions import Action, allowed
from ltcdesk.services.meeting_views import ActionView
from ltcdesk.ui.dialogs.discussion_request import DiscussionRequestDialog

if TYPE_CHECKING:
    from ltcdesk.app import Services

HEADERS: Final = ("Action", "Owner", "Due", "Status", "Agreed at")
STATUS_WORDS: Final = {"open": "Open", "done": "Done", "cancelled": "Cancelled"}
ACTION_ROLE: Final = int(Qt.ItemDataRole.UserRole) + 1
OVERDUE_TEXT: Final = QBrush(QColor("#8A1538"))  # NHS dark red, 9:1 on white
CLOSED_TEXT: Final = QBrush(QColor("#5E6B70"))


class MeetingActionsPanel(QWidget):
    """``changed`` after an action is marked done here."""

    changed = Signal()

    def __init__(self, services: Services, nhs: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._services = services
        self._nhs = nhs
        self._actions: list[ActionView] = []
        self._may_run: bool | None = None
        self.setObjectName("meetingActionsPanel")
        self.setAccessibleName("Actions from whiteboard meetings")
        title = QLabel("Actions from whiteboard meetings")
        title.setObjectName("meetingActionsTitle")
        bold = QFont(title.font())
        bold.setBold(True)
        title.setFont(bold)
        self.show_all = QCheckBox("Show &done and cancelled")
        self.show_all.setObjectName("meetingActionsShowAll")
        self.show_all.setAccessibleName("Show done and cancelled actions too")
        self.show_all.toggled.connect(lambda _on: self.refresh())
        self.table = QTableWidget(0, len(HEADERS))
        self.table.setObjectName("patientMeetingActions")
        self.table.setAccessibleName("Meeting actions for this patient")
        self.table.setHorizontalHeaderLabels(list(HEADERS))
        self.table.verticalHeader().setVisible(False)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.setWordWrap(True)
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(0, QHeaderView.ResizeMode.Stretch)
        for column in range(1, len(HEADERS)):
            header.setSectionResizeMode(column, QHeaderView.ResizeMode.ResizeToContents)
        self.table.itemSelectionChanged.connect(self._update_controls)
        self.done_button = QPushButton("&Mark done")
        self.done_button.setObjectName("markActionDoneButton")
        self.done_button.setAccessibleName("Mark the selected action done")
        self.done_button.clicked.connect(self.mark_done)
        self.message = QLabel()
        self.message.setObjectName("meetingActionsMessage")
        self.message.setWordWrap(True)
        top = QHBoxLayout()
        top.addWidget(title)
        top.addStretch(1)
        top.addWidget(self.show_all)
        self.request_button = QPushButton("&Ask for discussion at the next meeting…")
        self.request_button.setObjectName("requestDiscussionButton")
        self.request_button.setAccessibleName("Ask for discussion at the next meeting")
        self.request_button.setToolTip("A step up, a step down, or another reason")
        self.request_button.clicked.connect(self.ask_for_discussion)
        bottom = QHBoxLayout()
        bottom.addWidget(self.message, 1)
        bottom.addWidget(self.request_button)
        bottom.addWidget(self.done_button)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addLayout(top)
        layout.addWidget(self.table, 1)
        layout.addLayout(bottom)
        self._shown = False  # read (and audited) when first shown, not when the record opens

    def showEvent(self, event: QShowEvent) -> None:
        super().showEvent(event)
        if not self._shown:
            self._shown = True
            self.refresh()

    def ask_for_discussion(self) -> DiscussionRequestDialog:
        """Open the request dialog (modal); says so here once the request is made."""
        who = f"The person with NHS number {nhs_number.format_nhs(self._nhs)}"
        dialog = DiscussionRequestDialog(self._services, self._nhs, who, self)
        dialog.accepted.connect(
            lambda: self.message.setText("Asked: they will be on the next meeting's agenda.")
        )
        dialog.open()
        return dialog

    @property
    def meeting_actions(self) -> list[ActionView]:
        return list(self._actions)

    def refresh(self) -> None:
        if not self._shown:
            return
        try:
            self._actions = self._services.meetings.actions(
                nhs=self._nhs, open_only=not self.show_all.isChecked()
            )
        except DomainError as exc:
            self._actions = []
            self.message.setText(str(exc))
        self._fill()

    def _fill(self) -> None:
        today = date.today()
        self.table.setRowCount(len(self._actions))
        for row, a in enumerate(self._actions):
            status = STATUS_WORDS.get(a.status, a.status)
            if a.overdue(today):
                status = "Overdue"
            elif a.status != "open" and a.done_on is not None:
                status = f"{status} {a.done_on:%d/%m/%Y}"
            cells = (
                a.what,
                a.owner_name,
                f"{a.due_on:%d/%m/%Y}",
                status,
                f"Meeting {a.meeting_date:%d/%m/%Y}",
            )
            for column, text in enumerate(cells):
                cell = QTableWidgetItem(text)
                cell.setData(ACTION_ROLE, a.id)
                if a.note and column == 0:
                    cell.setToolTip(f"{a.what}\nNote: {a.note}")
                if a.overdue(today):
                    cell.setForeground(OVERDUE_TEXT)
                elif a.status != "open":
                    cell.setForeground(CLOSED_TEXT)
                self.table.setItem(row, column, cell)
        self.table.resizeRowsToContents()
        if not self._actions:
            self.message.setText(
                "No actions from meetings."
                if self.show_all.isChecked()
                else "No open actions from meetings."
            )
        else:
            self.message.clear()
        self._update_controls()

    def selected(self) -> ActionView | None:
        rows = self.table.selectionModel().selectedRows()
        if not rows:
            return None
        cell = self.table.item(rows[0].row(), 0)
        action_id = cell.data(ACTION_ROLE) if cell is not None else None
        return next((a for a in self._actions if a.id == action_id), None)

    def _may(self, action: Action) -> bool:
        me = next(
            (s for s in self._services.setup.staff() if s.username == self._services.username),
            None,
        )
        return me is not None and me.active and allowed(me.role, action)

    def _may_run_meetings(self) -> bool:
        if self._may_run is None:
            me = next(
                (s for s in self._services.setup.staff() if s.username == self._services.username),
                None,
            )
            self._may_run = me is not None and me.active and allowed(me.role, Action.RUN_MEETINGS)
        return self._may_run

    def _update_controls(self) -> None:
        self.request_button.setEnabled(self._may(Action.REQUEST_DISCUSSION))
        action = self.selected()
        mine = action is not None and action.owner_username == self._services.username
        self.done_button.setEnabled(
            action is not None and action.status == "open" and (mine or self._may_run_meetings())
        )

    def mark_done(self) -> ActionView | None:
        action = self.selected()
        if action is None:
            return None
        try:
            done = self._services.meetings.complete_action(action.id)
        except DomainError as exc:
            QMessageBox.warning(self, "Mark done", str(exc))
            return None
        self.refresh()
        self.message.setText(f"Marked done: {done.what}")
        self.changed.emit()
        return done
