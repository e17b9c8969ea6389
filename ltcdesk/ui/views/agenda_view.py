"""One meeting's agenda (issue 7, point 2): build it from what the services propose, reorder
(Alt+Up / Alt+Down), remove and restore items, set minutes per item, add a patient by
hand, record attendance, lock it, print it, and start the meeting.

Items are listed in agenda order (the order of their time slots) under a heading each time
the section changes, so an item the chair moves to another section's place stays in view
where it will be discussed. Only the chair or a team lead edits; others see why not.
"""

from __future__ import annotations

from datetime import datetime
from pathlib import Path
from textwrap import fill
from typing import TYPE_CHECKING, Any, Final

from PySide6.QtCore import QEvent, QObject, Qt, Signal
from PySide6.QtGui import QBrush, QColor, QFont, QKeyEvent
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QFileDialog,
    QFrame,
    QGridLayout,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QMessageBox,
    QPushButton,
    QScrollArea,
    QSpinBox,
    QSplitter,
    QTableWidget,
    QTableWidgetItem,
    QTabWidget,
    QTreeWidget,
    QTreeWidgetItem,
    QVBoxLayout,
    QWidget,
)

from ltcdesk.domain import nhs_number
from ltcdesk.domain.errors import DomainError
from ltcdesk.domain.permissions import Action, allowed
from ltcdesk.domain.vocab import Role
from ltcdesk.services.meeting_views import DECISIONS, ItemView, MeetingView, Section
from ltcdesk.services.setup import StaffView
from ltcdesk.ui.dialogs.meeting_dialogs import (
    ATTENDANCE_LABELS,
    STATUS_LABELS,
    AddPatientDialog,
    PrintMeetingDialog,
    meeting_when,
    meeting_where,
    team_members,
)

if TYPE_CHECKING:
    from ltcdesk.app import Services
    from ltcdesk.ui.views.meeting_mode import MeetingModeView

COLUMNS: Final = ("Time", "Patient", "NHS number", "Level", "Key worker", "Min", "Reasons")
TIME, PATIENT, NHS, LEVEL, WORKER, MINUTES, REASONS = range(len(COLUMNS))
OUTCOME: Final = len(COLUMNS)  # shown once the meeting has started
ITEM_ROLE: Final = int(Qt.ItemDataRole.UserRole) + 1
HEADING_BACKGROUND: Final = QBrush(QColor("#E8EDEE"))  # NHS pale grey
HEADING_TEXT: Final = QBrush(QColor("#003087"))  # NHS dark blue
REMOVED_TEXT: Final = QBrush(QColor("#5E6B70"))
HOSPITAL_NOTE: Final = "Recorded once hospital events are available"
REMOVED_HEADING: Final = "Taken off the agenda"


def _role_label(role: str) -> str:
    try:
        return Role(role).label
    except ValueError:
        return role


class AgendaView(QWidget):
    """``changed`` after any change to the meeting; ``patientActivated`` (NHS number) on
    double-click or Enter on an item; ``backRequested`` for the list of meetings."""

    changed = Signal()
    patientActivated = Signal(str)
    backRequested = Signal()

    def __init__(self, services: Services, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._services = services
        self._staff: list[StaffView] = []
        self.meeting: MeetingView | None = None
        self.dialog: QWidget | None = None
        self.meeting_mode: MeetingModeView | None = None
        self.setObjectName("agendaView")
        self.setAccessibleName("Meeting agenda")
        self._build()

    # ------------------------------------------------------------------ building

    def _build(self) -> None:
        self.back_button = self._button("backToMeetingsButton", "← All &meetings", "All meetings")
        self.back_button.clicked.connect(self.backRequested)
        self.title = QLabel()
        self.title.setObjectName("agendaTitle")
        font = self.title.font()
        font.setPointSizeF(font.pointSizeF() * 1.3)
        font.setBold(True)
        self.title.setFont(font)
        self.subtitle = QLabel()
        self.subtitle.setObjectName("agendaSubtitle")
        self.subtitle.setWordWrap(True)
        heading = QVBoxLayout()
        heading.setSpacing(2)
        heading.addWidget(self.title)
        heading.addWidget(self.subtitle)
        top = QHBoxLayout()
        top.addLayout(heading, 1)
        top.addWidget(self.back_button, 0, Qt.AlignmentFlag.AlignTop)

        self.build_button = self._button("buildAgendaButton", "&Build agenda", "Build the agenda")
        self.build_button.setToolTip("Add everyone the team should discuss (run it again later)")
        self.add_button = self._button(
            "addAgendaPatientButton", "&Add a patient…", "Add a patient by hand"
        )
        self.up_button = self._button("moveItemUpButton", "Move &up", "Move the item up")
        self.up_button.setToolTip("Alt+Up")
        self.down_button = self._button("moveItemDownButton", "Move do&wn", "Move the item down")
        self.down_button.setToolTip("Alt+Down")
        self.remove_button = self._button("removeItemButton", "&Remove", "Take off the agenda")
        self.restore_button = self._button("restoreItemButton", "Re&store", "Put back")
        self.minutes_label = QLabel("M&inutes:")
        self.minutes_spin = QSpinBox()
        self.minutes_spin.setObjectName("itemMinutes")
        self.minutes_spin.setAccessibleName("Minutes for the selected item")
        self.minutes_spin.setRange(1, 120)
        self.minutes_spin.setKeyboardTracking(False)
        self.minutes_label.setBuddy(self.minutes_spin)
        self.build_button.clicked.connect(self.build_agenda)
        self.add_button.clicked.connect(self.open_add_patient)
        self.up_button.clicked.connect(lambda: self.move_selected(-1))
        self.down_button.clicked.connect(lambda: self.move_selected(1))
        self.remove_button.clicked.connect(lambda: self.remove_selected(True))
        self.restore_button.clicked.connect(lambda: self.remove_selected(False))
        self.minutes_spin.valueChanged.connect(self._on_minutes_spin_value_changed)
        edit_row = QHBoxLayout()
        for widget in (
            self.build_button,
            self.add_button,
            self.up_button,
            self.down_button,
            self.remove_button,
            self.restore_button,
            self.minutes_label,
            self.minutes_spin,
        ):
            edit_row.addWidget(widget)
        edit_row.addStretch(1)

        self.lock_button = self._button("lockAgendaButton", "&Lock agenda", "Lock the agenda")
        self.print_button = self._button("printAgendaButton", "&Print agenda…", "Print agenda")
        self.start_button = self._button("startMeetingButton", "S&tart meeting", "Start meeting")
        self.minutes_button = self._button(
            "printMinutesButton", "Print mi&nutes…", "Print the minutes and actions"
        )
        self.export_button = self._button(
            "exportActionsButton", "E&xport actions CSV…", "Export the actions as CSV"
        )
        self.export_button.clicked.connect(self.export_actions)
        self.lock_button.clicked.connect(self.toggle_lock)
        self.print_button.clicked.connect(self.open_print_agenda)
        self.start_button.clicked.connect(self.start_meeting)
        self.minutes_button.clicked.connect(self.open_print_minutes)
        for widget in (self.lock_button, self.print_button, self.start_button):
            edit_row.addWidget(widget)
        edit_row.addWidget(self.minutes_button)
        edit_row.addWidget(self.export_button)

        self.note = QLabel()
        self.note.setObjectName("agendaNote")
        self.note.setAccessibleName("About this agenda")
        self.note.setWordWrap(True)
        self.note.setStyleSheet("color: #425563;")

        self.tree = QTreeWidget()
        self.tree.setObjectName("agendaList")
        self.tree.setAccessibleName("Agenda")
        self.tree.setColumnCount(len(COLUMNS) + 1)
        self.tree.setHeaderLabels([*COLUMNS, "Outcome"])
        self.tree.setRootIsDecorated(False)
        self.tree.setAllColumnsShowFocus(True)
        self.tree.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.tree.setWordWrap(True)
        self.tree.setAlternatingRowColors(False)
        header = self.tree.header()
        header.setStretchLastSection(True)
        metrics = self.tree.fontMetrics()
        for column, sample in (
            (TIME, "00:00"),
            (PATIENT, "Kazimierz Petrauskas"),
            (NHS, "999 999 9999"),
            (LEVEL, "Level"),
            (WORKER, "Dr Rakesh Chauhan"),
            (MINUTES, "Min"),
            (REASONS, "x" * 30),
        ):
            self.tree.setColumnWidth(column, metrics.horizontalAdvance(sample) + 20)
        header.setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
        self.tree.currentItemChanged.connect(lambda *_: self._update_controls())
        self.tree.itemDoubleClicked.connect(self._on_tree_item_double_clicked)
        self.tree.installEventFilter(self)

        self.side = QTabWidget()
        self.side.setObjectName("agendaSideTabs")
        self.attendance = QWidget()
        self.attendance.setObjectName("attendancePanel")
        self.attendance.setAccessibleName("Attendance")
        self.attendance_grid = QGridLayout(self.attendance)
        self.attendance_grid.setContentsMargins(4, 4, 4, 4)
        self.attendance_grid.setColumnStretch(0, 1)
        self.attendance_combos: dict[str, QComboBox] = {}
        scroll = QScrollArea()
        scroll.setWidget(self.attendance)
        scroll.setWidgetResizable(True)
        scroll.setFrameShape(QFrame.Shape.NoFrame)
        self.invite_combo = QComboBox()
        self.invite_combo.setObjectName("inviteCombo")
        self.invite_combo.setAccessibleName("Someone else who came")
        self.invite_combo.setPlaceholderText("Someone else came…")
        self.invite_combo.activated.connect(self._on_invite_combo_activated)
        people = QWidget()
        people_layout = QVBoxLayout(people)
        people_layout.setContentsMargins(4, 4, 4, 4)
        self.attendance_summary = QLabel()
        self.attendance_summary.setObjectName("attendanceSummary")
        people_layout.addWidget(self.attendance_summary)
        people_layout.addWidget(scroll, 1)
        people_layout.addWidget(self.invite_combo)
        self.actions_table = QTableWidget(0, 3)
        self.actions_table.setObjectName("meetingActionsTable")
        self.actions_table.setAccessibleName("Actions agreed at this meeting")
        self.actions_table.setHorizontalHeaderLabels(["Action", "Owner", "Due"])
        self.actions_table.verticalHeader().setVisible(False)
        self.actions_table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.actions_table.setWordWrap(True)
        self.actions_table.horizontalHeader().setSectionResizeMode(
            0, QHeaderView.ResizeMode.Stretch
        )
        self.side.addTab(people, "Attendance")
        self.side.addTab(self.actions_table, "Actions")

        self.splitter = QSplitter()
        self.splitter.setObjectName("agendaSplitter")
        self.splitter.addWidget(self.tree)
        self.splitter.addWidget(self.side)
        self.splitter.setStretchFactor(0, 1)
        self.splitter.setSizes([940, 250])

        layout = QVBoxLayout(self)
        layout.addLayout(top)
        layout.addLayout(edit_row)
        layout.addWidget(self.note)
        layout.addWidget(self.splitter, 1)
        self._update_controls()

    @staticmethod
    def _button(name: str, text: str, accessible: str) -> QPushButton:
        push = QPushButton(text)
        push.setObjectName(name)
        push.setAccessibleName(accessible)
        push.setAutoDefault(False)
        return push

    # ------------------------------------------------------------------ loading

    def show_meeting(self, meeting_id: int) -> bool:
        """Load and show one meeting; False (with the reason shown) if it cannot be read."""
        try:
            view = self._services.meetings.get(meeting_id)
            if not self._staff:
                self._staff = self._services.setup.staff()
        except DomainError as exc:
            QMessageBox.warning(self, "Meeting", str(exc))
            return False
        self._show(view)
        return True

    def reload(self) -> None:
        if self.meeting is not None:
            self.show_meeting(self.meeting.id)

    def _show(self, view: MeetingView, select: int | None = None) -> None:
        keep = select if select is not None else self.selected_item_id()
        self.meeting = view
        status = STATUS_LABELS.get(view.status, view.status)
        self.title.setText(f"Whiteboard meeting — {meeting_when(view)}")
        parts = [
            meeting_where(view),
            f"Chair: {view.chair_name}",
            status,
        ]
        if view.agenda_locked:
            parts.append("Agenda locked")
        if view.team:
            parts.insert(0, view.team)
        count = len(view.agenda)
        booked = sum(i.minutes for i in view.agenda)
        over = f" — {booked - view.minutes} min over" if booked > view.minutes else ""
        parts.append(
            f"{count} patient{'s' if count != 1 else ''}, {booked} of {view.minutes} min{over}"
        )
        self.subtitle.setText(" · ".join(parts))
        self._fill_tree(view)
        self._fill_attendance(view)
        self._fill_actions(view)
        if keep is not None:
            self.select_item(keep)
        self._update_controls()

    def _fill_tree(self, view: MeetingView) -> None:
        self.tree.clear()
        started = view.status != "planned"
        self.tree.setColumnHidden(OUTCOME, not started)
        self.tree.setColumnHidden(MINUTES, False)
        # No hospital events are recorded yet: say so after the sections that come before
        # it (or first of all), wherever the chair has moved items.
        order = list(Section)
        before = order.index(Section.HOSPITAL)
        has_hospital = any(i.section is Section.HOSPITAL for i in view.agenda)
        earlier = [n for n, i in enumerate(view.agenda) if order.index(i.section) < before]
        note_after = earlier[-1] if earlier else -1
        if not has_hospital and note_after < 0:
            self._add_heading(Section.HOSPITAL.label, HOSPITAL_NOTE)
        previous: Section | None = None
        for n, item in enumerate(view.agenda):
            if item.section is not previous:
                self._add_heading(item.section.label)
                previous = item.section
            self._add_item(item)
            if not has_hospital and n == note_after:
                self._add_heading(Section.HOSPITAL.label, HOSPITAL_NOTE)
                previous = None
        removed = [i for i in view.items if i.removed]
        if removed:
            self._add_heading(REMOVED_HEADING)
            for item in removed:
                self._add_item(item)

    def _add_heading(self, text: str, note: str | None = None) -> None:
        row = QTreeWidgetItem([f"{text} — {note}" if note else text])
        row.setFlags(Qt.ItemFlag.NoItemFlags)  # keyboard navigation skips headings
        font = QFont(self.tree.font())
        font.setBold(note is None)
        font.setItalic(note is not None)
        row.setFont(0, font)
        for column in range(self.tree.columnCount()):
            row.setBackground(column, HEADING_BACKGROUND)
        row.setForeground(0, HEADING_TEXT)
        self.tree.addTopLevelItem(row)
        row.setFirstColumnSpanned(True)

    def _add_item(self, item: ItemView) -> None:
        decided = ", ".join(DECISIONS.get(d, d) for d in item.decisions)
        outcome = "; ".join(p for p in (decided, item.outcome or "") if p)
        cells = [
            f"{item.starts_at:%H:%M}" if item.starts_at else "",
            item.patient_name,
            nhs_number.format_nhs(item.nhs_number),
            str(item.level) if item.level is not None else "—",
            item.key_worker or "Not on a caseload",
            str(item.minutes),
            "\n".join(fill(r, width=self._reason_chars()) for r in item.reasons),
            ("✓ " if item.discussed else "") + outcome,
        ]
        row = QTreeWidgetItem(cells)
        row.setData(0, ITEM_ROLE, item.id)
        row.setToolTip(REASONS, "\n".join(item.reasons))
        row.setToolTip(OUTCOME, outcome)
        row.setTextAlignment(MINUTES, Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignTop)
        for column in range(len(cells)):
            if column != MINUTES:
                row.setTextAlignment(column, Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignTop)
        if item.removed:
            font = QFont(self.tree.font())
            font.setStrikeOut(True)
            for column in range(len(cells)):
                row.setForeground(column, REMOVED_TEXT)
                row.setFont(column, font)
        self.tree.addTopLevelItem(row)

    def _reason_chars(self) -> int:
        """How many characters of a reason fit in its column: the tree wraps only at
        line breaks, so long reasons are broken into lines here."""
        others = sum(
            self.tree.columnWidth(c)
            for c in range(self.tree.columnCount())
            if c != REASONS and not self.tree.isColumnHidden(c)
        )
        space = max(self.tree.columnWidth(REASONS), self.tree.viewport().width() - others)
        if not self.tree.isColumnHidden(OUTCOME):
            space = self.tree.columnWidth(REASONS)
        return max(30, space // max(1, self.tree.fontMetrics().averageCharWidth()) - 2)

    def _fill_attendance(self, view: MeetingView) -> None:
        while self.attendance_grid.count():
            taken = self.attendance_grid.takeAt(0)
            widget = taken.widget() if taken is not None else None
            if widget is not None:
                widget.hide()
                widget.deleteLater()
        self.attendance_combos.clear()
        may_run = self._may(Action.RUN_MEETINGS) and view.status != "closed"
        for row, person in enumerate(view.attendees):
            name = QLabel(person.name)
            name.setToolTip(_role_label(person.role))
            combo = QComboBox()
            combo.setObjectName(f"attendance_{person.username}")
            combo.setAccessibleName(f"Attendance of {person.name}")
            for value, label in ATTENDANCE_LABELS.items():
                combo.addItem(label, value)
            combo.setCurrentIndex(combo.findData(person.attendance))
            combo.setEnabled(may_run)
            combo.activated.connect(
                lambda _i, c=combo, u=person.username: self.set_attendance(u, c.currentData())
            )
            name.setBuddy(combo)
            self.attendance_grid.addWidget(name, row, 0)
            self.attendance_grid.addWidget(combo, row, 1)
            self.attendance_combos[person.username] = combo
        self.attendance_grid.setRowStretch(len(view.attendees), 1)
        present = sum(1 for a in view.attendees if a.attendance == "present")
        apologies = sum(1 for a in view.attendees if a.attendance == "apologies")
        self.attendance_summary.setText(f"{present} present, {apologies} apologies")
        here = {a.username for a in view.attendees}
        self.invite_combo.clear()
        for member in team_members(self._staff):
            if member.username not in here:
                self.invite_combo.addItem(member.display_name, member.username)
        self.invite_combo.setCurrentIndex(-1)
        self.invite_combo.setEnabled(may_run and self.invite_combo.count() > 0)

    def _fill_actions(self, view: MeetingView) -> None:
        self.actions_table.setRowCount(len(view.actions))
        for row, action in enumerate(view.actions):
            what = QTableWidgetItem(f"{action.what} ({action.patient_name})")
            what.setToolTip(f"{action.what}\n{action.patient_name}, {action.status}")
            self.actions_table.setItem(row, 0, what)
            self.actions_table.setItem(row, 1, QTableWidgetItem(action.owner_name))
            self.actions_table.setItem(row, 2, QTableWidgetItem(f"{action.due_on:%d/%m/%Y}"))
        self.actions_table.resizeRowsToContents()
        self.side.setTabText(1, f"Actions ({len(view.actions)})")

    # ------------------------------------------------------------------ state

    def _me(self) -> StaffView | None:
        return next((s for s in self._staff if s.username == self._services.username), None)

    def _may(self, action: Action) -> bool:
        me = self._me()
        return me is not None and me.active and allowed(me.role, action)

    def may_edit(self) -> bool:
        """The chair or a team lead (who also runs meetings)."""
        me, view = self._me(), self.meeting
        if me is None or view is None or not self._may(Action.RUN_MEETINGS):
            return False
        return me.username == view.chair_username or me.role == Role.TEAM_LEAD.value

    def selected_item(self) -> ItemView | None:
        current = self.tree.currentItem()
        if current is None or self.meeting is None or not current.isSelected():
            return None
        item_id = current.data(0, ITEM_ROLE)
        return next((i for i in self.meeting.items if i.id == item_id), None)

    def selected_item_id(self) -> int | None:
        item = self.selected_item()
        return item.id if item is not None else None

    def select_item(self, item_id: int) -> None:
        for row in range(self.tree.topLevelItemCount()):
            tree_item = self.tree.topLevelItem(row)
            if tree_item is not None and tree_item.data(0, ITEM_ROLE) == item_id:
                self.tree.setCurrentItem(tree_item)
                tree_item.setSelected(True)
                self.tree.scrollToItem(tree_item)
                return

    def _update_controls(self) -> None:
        view = self.meeting
        editor = self.may_edit()
        planned = view is not None and view.status == "planned"
        editable = editor and planned and view is not None and not view.agenda_locked
        item = self.selected_item()
        on_agenda = item is not None and not item.removed
        agenda = view.agenda if view is not None else ()
        self.build_button.setEnabled(editable)
        self.add_button.setEnabled(editable)
        self.up_button.setEnabled(editable and on_agenda and item is not agenda[0])
        self.down_button.setEnabled(editable and on_agenda and item is not agenda[-1])
        self.remove_button.setEnabled(editable and on_agenda)
        self.restore_button.setEnabled(editable and item is not None and item.removed)
        self.minutes_spin.setEnabled(editable and on_agenda)
        blocked = self.minutes_spin.blockSignals(True)
        self.minutes_spin.setValue(item.minutes if item is not None else 5)
        self.minutes_spin.blockSignals(blocked)
        locked = view is not None and view.agenda_locked
        self.lock_button.setText("Un&lock agenda" if locked else "&Lock agenda")
        self.lock_button.setAccessibleName("Unlock the agenda" if locked else "Lock the agenda")
        self.lock_button.setEnabled(editor and planned)
        self.print_button.setEnabled(bool(agenda))
        status = view.status if view is not None else "planned"
        self.start_button.setText(
            "Con&tinue meeting" if status == "in_progress" else "S&tart meeting"
        )
        self.start_button.setVisible(status != "closed")
        if status == "in_progress":
            self.start_button.setEnabled(self._may(Action.RUN_MEETINGS))
        else:
            self.start_button.setEnabled(editor and locked and planned)
        self.minutes_button.setVisible(status == "closed")
        self.export_button.setVisible(status == "closed")
        self.note.setText(self._note(view, editor))

    def _note(self, view: MeetingView | None, editor: bool) -> str:
        if view is None:
            return ""
        if view.status == "closed":
            notes = f" Notes: {view.notes}" if view.notes else ""
            return f"This meeting is closed.{notes}"
        if view.status == "in_progress":
            return "The meeting is in progress: outcomes and actions are recorded in meeting mode."
        if not editor:
            return (
                f"Only the chair ({view.chair_name}) or a team lead can change this agenda. "
                "To have someone discussed, ask the chair."
            )
        if view.agenda_locked:
            return "The agenda is locked: unlock it to change it, or start the meeting."
        if not view.agenda:
            return "The agenda is empty: Build agenda adds everyone the team should discuss."
        return "Alt+Up and Alt+Down move the selected patient; lock the agenda when it is ready."

    # ------------------------------------------------------------------ editing

    def _call(self, title: str, fn: Any, select: int | None = None) -> MeetingView | None:
        """Run a service call that returns the meeting; show its refusal if it says no."""
        try:
            view = fn()
        except DomainError as exc:
            QMessageBox.warning(self, title, str(exc))
            self.reload()
            return None
        self._show(view, select)
        self.changed.emit()
        return view

    def build_agenda(self) -> None:
        if self.meeting is None:
            return
        meeting_id = self.meeting.id
        before = len(self.meeting.agenda)
        view = self._call("Build agenda", lambda: self._services.meetings.build_agenda(meeting_id))
        if view is not None:
            added = len(view.agenda) - before
            self.note.setText(
                f"{added} patient{'s' if added != 1 else ''} added. " + self.note.text()
                if added
                else "Nobody new to add: the agenda already has everyone proposed."
            )

    def move_selected(self, step: int) -> None:
        view, item = self.meeting, self.selected_item()
        if view is None or item is None or item.removed:
            return
        order = [i.id for i in view.agenda]
        at = order.index(item.id)
        to = at + step
        if not 0 <= to < len(order):
            return
        order[at], order[to] = order[to], order[at]
        self._call(
            "Reorder the agenda",
            lambda: self._services.meetings.reorder(view.id, order),
            select=item.id,
        )

    def remove_selected(self, removed: bool) -> None:
        view, item = self.meeting, self.selected_item()
        if view is None or item is None or item.removed == removed:
            return
        meetings = self._services.meetings
        done = self._call(
            "Remove from the agenda" if removed else "Restore to the agenda",
            lambda: meetings.remove_item(view.id, item.id, removed=removed),
            select=item.id,
        )
        if done is None or removed:
            return
        # Put a restored patient back after the last item of their own section (or of the
        # sections before it), not at the very end.
        rank = list(Section).index
        others = [i for i in done.agenda if i.id != item.id]
        earlier = [n for n, i in enumerate(others) if rank(i.section) <= rank(item.section)]
        order = [i.id for i in others]
        order.insert(earlier[-1] + 1 if earlier else 0, item.id)
        if order != [i.id for i in done.agenda]:
            self._call(
                "Restore to the agenda",
                lambda: meetings.reorder(view.id, order),
                select=item.id,
            )

    def _on_minutes_spin_value_changed(self, minutes: int) -> None:
        view, item = self.meeting, self.selected_item()
        if view is None or item is None or item.minutes == minutes:
            return
        self._call(
            "Minutes for the item",
            lambda: self._services.meetings.set_minutes(view.id, item.id, minutes),
            select=item.id,
        )

    def open_add_patient(self) -> AddPatientDialog | None:
        view = self.meeting
        if view is None:
            return None
        meetings = self._services.meetings

        def add(nhs: str, reason: str, minutes: int) -> MeetingView:
            return meetings.add_item(view.id, nhs, reason, minutes)

        dialog = AddPatientDialog(
            lambda text: self._services.patients.search(text, limit=20), add, self
        )
        dialog.accepted.connect(lambda: self._on_patient_added(dialog))
        self.dialog = dialog
        dialog.open()
        return dialog

    def _on_patient_added(self, dialog: AddPatientDialog) -> None:
        self.reload()
        if self.meeting is not None and dialog.added_nhs:
            added = next((i for i in self.meeting.agenda if i.nhs_number == dialog.added_nhs), None)
            if added is not None:
                self.select_item(added.id)
        self.changed.emit()

    def set_attendance(self, username: str, attendance: str) -> None:
        view = self.meeting
        if view is None:
            return
        self._call(
            "Attendance",
            lambda: self._services.meetings.set_attendance(view.id, username, attendance),
        )

    def _on_invite_combo_activated(self, index: int) -> None:
        username = self.invite_combo.itemData(index)
        if username:
            self.set_attendance(username, "present")

    def toggle_lock(self) -> None:
        view = self.meeting
        if view is None:
            return
        locked = not view.agenda_locked
        self._call(
            "Lock the agenda" if locked else "Unlock the agenda",
            lambda: self._services.meetings.lock_agenda(view.id, locked=locked),
        )

    # ------------------------------------------------------------------ meeting

    def start_meeting(self) -> MeetingModeView | None:
        """Start the meeting (or go back into it) in meeting mode."""
        view = self.meeting
        if view is None:
            return None
        if view.status == "planned":
            started = self._call(
                "Start the meeting", lambda: self._services.meetings.start(view.id)
            )
            if started is None:
                return None
        return self.open_meeting_mode()

    def open_meeting_mode(self) -> MeetingModeView | None:
        from ltcdesk.ui.views.meeting_mode import MeetingModeView

        if self.meeting is None:
            return None
        if self.meeting_mode is not None:
            self.meeting_mode.close()
            self.meeting_mode.deleteLater()
        mode = MeetingModeView(self._services, self.meeting.id, self)
        mode.changed.connect(self._on_meeting_mode_changed)
        self.meeting_mode = mode
        mode.present()
        return mode

    def _on_meeting_mode_changed(self) -> None:
        self.reload()
        self.changed.emit()

    def _on_tree_item_double_clicked(self, row: QTreeWidgetItem, _column: int) -> None:
        self._activate(row)

    def _activate(self, row: QTreeWidgetItem | None) -> None:
        if row is None or self.meeting is None:
            return
        item_id = row.data(0, ITEM_ROLE)
        item = next((i for i in self.meeting.items if i.id == item_id), None)
        if item is not None:
            self.patientActivated.emit(item.nhs_number)

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if watched is self.tree and event.type() == QEvent.Type.KeyPress:
            assert isinstance(event, QKeyEvent)
            key, alt = event.key(), event.modifiers() & Qt.KeyboardModifier.AltModifier
            if alt and key in (Qt.Key.Key_Up, Qt.Key.Key_Down):
                if self.up_button.isEnabled() or self.down_button.isEnabled():
                    self.move_selected(-1 if key == Qt.Key.Key_Up else 1)
                return True
            if alt and key == Qt.Key.Key_Delete:
                self.remove_selected(True)
                return True
            if key in (Qt.Key.Key_Return, Qt.Key.Key_Enter):
                self._activate(self.tree.currentItem())
                return True
        return super().eventFilter(watched, event)

    # ------------------------------------------------------------------ printing

    def _printed_by(self) -> str:
        me = self._me()
        return me.display_name if me is not None else self._services.username

    def open_print_agenda(self) -> PrintMeetingDialog | None:
        view = self.meeting
        if view is None:
            return None
        try:
            from ltcdesk.reports.meeting_agenda import render_agenda
        except ImportError:
            QMessageBox.information(self, "Print agenda", "Printing agendas is not available.")
            return None
        printed_by = self._printed_by()

        def render(initials: bool) -> bytes:
            return render_agenda(
                view, printed_by=printed_by, printed_at=datetime.now(), initials_only=initials
            )

        dialog = PrintMeetingDialog(
            "Print the agenda",
            f"The agenda of the meeting on {meeting_when(view)}, {len(view.agenda)} patients.",
            f"Agenda {view.held_on:%Y-%m-%d}",
            render,
            self,
        )
        self.dialog = dialog
        dialog.open()
        return dialog

    def open_print_minutes(self) -> PrintMeetingDialog | None:
        view = self.meeting
        if view is None:
            return None
        try:
            from ltcdesk.reports import meeting_agenda
        except ImportError:
            QMessageBox.information(self, "Print minutes", "Printing minutes is not available.")
            return None
        render_minutes = getattr(meeting_agenda, "render_minutes", None)
        if render_minutes is None:
            QMessageBox.information(self, "Print minutes", "Printing minutes is not available.")
            return None
        printed_by = self._printed_by()

        def render(initials: bool) -> bytes:
            pdf: bytes = render_minutes(
                view, printed_by=printed_by, printed_at=datetime.now(), initials_only=initials
            )
            return pdf

        dialog = PrintMeetingDialog(
            "Print the minutes",
            f"Minutes and actions of the meeting on {meeting_when(view)}: "
            f"{sum(1 for i in view.agenda if i.discussed)} patients discussed, "
            f"{len(view.actions)} actions.",
            f"Minutes {view.held_on:%Y-%m-%d}",
            render,
            self,
        )
        self.dialog = dialog
        dialog.open()
        return dialog

    def export_actions(self) -> Path | None:
        """The meeting's actions as CSV (UTF-8 with a byte order mark, for Excel)."""
        view = self.meeting
        if view is None:
            return None
        try:
            from ltcdesk.reports.meeting_agenda import minutes_csv
        except ImportError:
            QMessageBox.information(self, "Export actions", "Exporting actions is not available.")
            return None
        suggested = str(Path.home() / f"Actions {view.held_on:%Y-%m-%d}.csv")
        path, _filter = QFileDialog.getSaveFileName(
            self, "Export the actions", suggested, "CSV files (*.csv)"
        )
        if not path:
            return None
        if not path.lower().endswith(".csv"):
            path += ".csv"
        from ltcdesk.fileio import write_atomically

        try:
            written = write_atomically(Path(path), minutes_csv(view).encode("utf-8"))
        except OSError as exc:
            QMessageBox.warning(self, "Export actions", f"The file could not be written: {exc}")
            return None
        count = len(view.actions)
        self.note.setText(f"{count} action{'s' if count != 1 else ''} exported to {written}.")
        return written
