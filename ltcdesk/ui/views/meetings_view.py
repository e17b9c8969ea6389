"""Whiteboard meetings (issue 7, point 1): the team's meetings, upcoming first and past
below, a new meeting (or a twice-weekly series), and each meeting's agenda page.

A team has a few meetings a week, so the list is small: one query, filled into a table.
"""

from __future__ import annotations

from datetime import date
from typing import TYPE_CHECKING, Final

from PySide6.QtCore import QEvent, QObject, Qt, Signal
from PySide6.QtGui import QBrush, QColor, QFont, QKeyEvent
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QMessageBox,
    QPushButton,
    QStackedWidget,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from ltcdesk.domain.errors import DomainError
from ltcdesk.domain.permissions import Action, allowed
from ltcdesk.services.meeting_views import MeetingSummary
from ltcdesk.services.setup import StaffView
from ltcdesk.ui import tasks
from ltcdesk.ui.dialogs.meeting_dialogs import NOT_HELD, NewMeetingDialog, status_label
from ltcdesk.ui.views.agenda_view import AgendaView

if TYPE_CHECKING:
    from ltcdesk.app import Services

HEADERS: Final = ("Date", "Time", "Place", "Chair", "Status", "Agenda", "Patients", "Open actions")
DATE, TIME, PLACE, CHAIR, STATUS, AGENDA, ITEMS, ACTIONS = range(len(HEADERS))
FILTERS: Final = (("all", "Upcoming, then past"), ("upcoming", "Upcoming"), ("past", "Past"))
MEETING_ROLE: Final = int(Qt.ItemDataRole.UserRole) + 1
PAST_TEXT: Final = QBrush(QColor("#425563"))
TITLE: Final = "Whiteboard meetings"


def is_upcoming(m: MeetingSummary, today: date) -> bool:
    return m.status != "closed" and m.held_on >= today


def ordered(meetings: list[MeetingSummary], today: date, which: str) -> list[MeetingSummary]:
    """Upcoming (and in progress) soonest first, then past meetings latest first."""
    upcoming = [m for m in meetings if is_upcoming(m, today) or m.status == "in_progress"]
    past = [m for m in meetings if m not in upcoming]
    past.reverse()  # the service lists by date, oldest first
    if which == "upcoming":
        return upcoming
    if which == "past":
        return past
    return upcoming + past


class MeetingsView(QWidget):
    """``patientActivated`` (NHS number) from an agenda; ``changed`` after a meeting
    changed here (so other lists can refresh)."""

    patientActivated = Signal(str)
    changed = Signal()

    def __init__(self, services: Services, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._services = services
        self._loaded = False
        self._loading = False
        self._generation = 0
        self._meetings: list[MeetingSummary] = []
        self._staff: list[StaffView] = []
        self.dialog: NewMeetingDialog | None = None
        self.setObjectName("meetingsView")
        self.setAccessibleName(TITLE)
        self._build()

    def _build(self) -> None:
        self.title = QLabel(TITLE)
        self.title.setObjectName("meetingsTitle")
        font = self.title.font()
        font.setPointSizeF(font.pointSizeF() * 1.4)
        font.setBold(True)
        self.title.setFont(font)
        self.filter_combo = QComboBox()
        self.filter_combo.setObjectName("meetingsFilter")
        self.filter_combo.setAccessibleName("Which meetings")
        for value, label in FILTERS:
            self.filter_combo.addItem(label, value)
        self.filter_combo.currentIndexChanged.connect(lambda _i: self._fill())
        show = QLabel("&Show:")
        show.setBuddy(self.filter_combo)
        self.new_button = QPushButton("&New meeting…")
        self.new_button.setObjectName("newMeetingButton")
        self.new_button.setAccessibleName("New meeting")
        self.new_button.setToolTip("A meeting, or a series repeated weekly")
        self.new_button.clicked.connect(self.open_new_meeting)
        self.open_button = QPushButton("&Open agenda")
        self.open_button.setObjectName("openAgendaButton")
        self.open_button.setAccessibleName("Open the selected meeting's agenda")
        self.open_button.clicked.connect(self._on_open_button_clicked)
        top = QHBoxLayout()
        top.addWidget(self.title)
        top.addStretch(1)
        top.addWidget(show)
        top.addWidget(self.filter_combo)
        top.addSpacing(16)
        top.addWidget(self.open_button)
        top.addWidget(self.new_button)

        self.table = QTableWidget(0, len(HEADERS))
        self.table.setObjectName("meetingsTable")
        self.table.setAccessibleName("Meetings")
        self.table.setHorizontalHeaderLabels(list(HEADERS))
        self.table.verticalHeader().setVisible(False)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.setAlternatingRowColors(True)
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
        header.setSectionResizeMode(PLACE, QHeaderView.ResizeMode.Stretch)
        metrics = self.table.fontMetrics()
        for column, sample in (
            (DATE, "Wednesday 30/11/2026"),
            (TIME, "00:00"),
            (CHAIR, "Bartholomew Featherstone"),
            (STATUS, "In progress"),
            (AGENDA, "Locked"),
            (ITEMS, "Patients"),
            (ACTIONS, "Open actions"),
        ):
            self.table.setColumnWidth(column, metrics.horizontalAdvance(sample) + 28)
        self.table.doubleClicked.connect(lambda _index: self._on_open_button_clicked())
        self.table.itemSelectionChanged.connect(self._update_controls)
        self.table.installEventFilter(self)
        self.count_label = QLabel()
        self.count_label.setObjectName("meetingsCount")
        self.count_label.setAccessibleName("Number of meetings")

        self.list_page = QWidget()
        list_layout = QVBoxLayout(self.list_page)
        list_layout.setContentsMargins(0, 0, 0, 0)
        list_layout.addLayout(top)
        list_layout.addWidget(self.table, 1)
        list_layout.addWidget(self.count_label)

        self.agenda = AgendaView(self._services)
        self.agenda.backRequested.connect(self.show_list)
        self.agenda.changed.connect(self._on_agenda_changed)
        self.agenda.patientActivated.connect(self.patientActivated)
        self.pages = QStackedWidget()
        self.pages.setObjectName("meetingsPages")
        self.pages.addWidget(self.list_page)
        self.pages.addWidget(self.agenda)
        layout = QVBoxLayout(self)
        layout.addWidget(self.pages)
        self._update_controls()

    # ------------------------------------------------------------------ loading

    @property
    def loading(self) -> bool:
        return self._loading

    def ensure_loaded(self) -> None:
        if not self._loaded and not self._loading:
            self.refresh()

    def invalidate(self) -> None:
        if self.isVisible() or self._loading:
            self.refresh(reload_agenda=True)
        else:
            self._loaded = False

    def refresh(self, *, reload_agenda: bool = False) -> None:
        """Reload the list (and the agenda shown, when something changed elsewhere)."""
        self._generation += 1
        generation = self._generation
        self._loading = True
        meetings, setup = self._services.meetings, self._services.setup

        def load() -> tuple[list[MeetingSummary], list[StaffView]]:  # worker thread
            return meetings.list_meetings(), setup.staff()

        tasks.run_task(
            load,
            lambda loaded: self._on_loaded(generation, loaded, reload_agenda),
            lambda exc: self._on_load_failed(generation, exc),
            parent=self,
        )

    def _on_loaded(
        self,
        generation: int,
        loaded: tuple[list[MeetingSummary], list[StaffView]],
        reload_agenda: bool = False,
    ) -> None:
        if generation != self._generation:
            return
        self._loading = False
        self._loaded = True
        self._meetings, self._staff = loaded
        self._fill()
        if reload_agenda and self.pages.currentWidget() is self.agenda and self.agenda.meeting:
            self.agenda.reload()

    def _on_load_failed(self, generation: int, exc: BaseException) -> None:
        if generation != self._generation:
            return
        self._loading = False
        if isinstance(exc, DomainError):
            self.count_label.setText("Could not load the meetings")
            QMessageBox.warning(self, TITLE, str(exc))
        else:
            tasks.report_error(exc)

    def _fill(self) -> None:
        today = date.today()
        keep = self.selected_meeting_id()
        which = self.filter_combo.currentData() or "all"
        rows = ordered(self._meetings, today, which)
        self.table.setRowCount(len(rows))
        bold = QFont(self.table.font())
        bold.setBold(True)
        for row, m in enumerate(rows):
            where = f"{m.place} (virtual)" if m.virtual else m.place
            cells = (
                f"{m.held_on:%A} {m.held_on:%d/%m/%Y}",
                f"{m.starts_at:%H:%M}",
                where,
                m.chair_name,
                status_label(m.status, m.held_on, today),
                "Locked" if m.agenda_locked else "Open",
                str(m.items),
                str(m.open_actions),
            )
            upcoming = is_upcoming(m, today) or m.status == "in_progress"
            for column, text in enumerate(cells):
                cell = QTableWidgetItem(text)
                cell.setData(MEETING_ROLE, m.id)
                if column in (ITEMS, ACTIONS):
                    cell.setTextAlignment(
                        Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter
                    )
                if not upcoming:
                    cell.setForeground(PAST_TEXT)
                elif m.status == "in_progress" or m.held_on == today:
                    cell.setFont(bold)
                if column == STATUS and cells[STATUS] == NOT_HELD:
                    cell.setToolTip("Planned for a day that has passed, and never started")
                self.table.setItem(row, column, cell)
        coming = sum(1 for m in self._meetings if is_upcoming(m, today))
        self.count_label.setText(
            f"{coming} upcoming, {len(self._meetings) - coming} past or closed"
            if self._meetings
            else "No meetings yet: New meeting… plans one, or a series repeated weekly."
        )
        if keep is not None:
            self.select_meeting(keep)
        self._update_controls()

    # ------------------------------------------------------------------ state

    def _my_role(self) -> str | None:
        me = next((s for s in self._staff if s.username == self._services.username), None)
        return me.role if me is not None and me.active else None

    def _update_controls(self) -> None:
        role = self._my_role()
        self.new_button.setEnabled(role is not None and allowed(role, Action.RUN_MEETINGS))
        self.open_button.setEnabled(self.selected_meeting_id() is not None)

    def selected_meeting_id(self) -> int | None:
        rows = self.table.selectionModel().selectedRows()
        if not rows:
            return None
        return self._id_at(rows[0].row())

    def _id_at(self, row: int) -> int | None:
        cell = self.table.item(row, 0)
        value = cell.data(MEETING_ROLE) if cell is not None else None
        return int(value) if value is not None else None

    def select_meeting(self, meeting_id: int) -> None:
        for row in range(self.table.rowCount()):
            if self._id_at(row) == meeting_id:
                self.table.selectRow(row)
                return

    def meeting_ids(self) -> list[int]:
        """Meetings in the order shown."""
        found = (self._id_at(r) for r in range(self.table.rowCount()))
        return [i for i in found if i is not None]

    # ------------------------------------------------------------------ actions

    def open_meeting(self, meeting_id: int) -> AgendaView | None:
        if not self.agenda.show_meeting(meeting_id):
            return None
        self.pages.setCurrentWidget(self.agenda)
        self.agenda.tree.setFocus()
        return self.agenda

    def show_list(self) -> None:
        self.pages.setCurrentWidget(self.list_page)
        if self.agenda.meeting is not None:
            self.select_meeting(self.agenda.meeting.id)
        self.table.setFocus()

    def _on_open_button_clicked(self) -> None:
        meeting_id = self.selected_meeting_id()
        if meeting_id is not None:
            self.open_meeting(meeting_id)

    def open_new_meeting(self) -> NewMeetingDialog:
        dialog = NewMeetingDialog(self._services, self._staff or self._services.setup.staff(), self)
        dialog.accepted.connect(lambda: self._on_new_meeting_accepted(dialog))
        self.dialog = dialog
        dialog.open()
        return dialog

    def _on_new_meeting_accepted(self, dialog: NewMeetingDialog) -> None:
        self.refresh()
        self.changed.emit()
        if dialog.created:
            self.open_meeting(dialog.created[0].id)

    def _on_agenda_changed(self) -> None:
        # The list's counts (patients, open actions, status) follow the agenda's changes.
        self._loaded = False
        self.refresh()
        self.changed.emit()

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if watched is self.table and event.type() == QEvent.Type.KeyPress:
            assert isinstance(event, QKeyEvent)
            if event.key() in (Qt.Key.Key_Return, Qt.Key.Key_Enter):
                self._on_open_button_clicked()
                return True
        return super().eventFilter(watched, event)
