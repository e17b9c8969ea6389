"""One meeting's agenda (issue 7, point 2): build it from what the services propose, reorder
(Alt+Up / Alt+Down), remove and restore items, set minutes per item, add a patient by
hand, record attendance, lock it, print it, and start the meeting.

Items are listed in agenda order (the order of their time slots) under a heading each time
the section changes, so an item the chair moves to another section's place stays in view
where it will be discussed. Only the chair or a team lead edits; others see why not.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QEvent, QObject, Qt, Signal
from PySide6.QtGui import QKeyEvent
from PySide6.QtWidgets import QComboBox, QLabel, QMessageBox, QTreeWidgetItem, QWidget

from ltcdesk.domain.errors import DomainError
from ltcdesk.domain.permissions import Action, allowed
from ltcdesk.domain.vocab import Role
from ltcdesk.services.meeting_views import ItemView, MeetingView, Section
from ltcdesk.services.setup import StaffView
from ltcdesk.ui.dialogs.meeting_dialogs import (
    ATTENDANCE_LABELS,
    AddPatientDialog,
    PrintMeetingDialog,
    meeting_when,
    meeting_where,
    status_label,
    team_members,
)
from ltcdesk.ui.views.agenda_layout import ITEM_ROLE, AgendaLayout
from ltcdesk.ui.views.agenda_printing import (
    export_actions_csv,
    print_agenda_dialog,
    print_minutes_dialog,
)

if TYPE_CHECKING:
    from ltcdesk.app import Services
    from ltcdesk.ui.views.meeting_mode import MeetingModeView

__all__ = ["ITEM_ROLE", "AgendaView"]


def _role_label(role: str) -> str:
    try:
        return Role(role).label
    except ValueError:
        return role


class AgendaView(AgendaLayout):
    """``changed`` after any change to the meeting; ``patientActivated`` (NHS number) on
    double-click or Enter on an item; ``backRequested`` for the list of meetings."""

    changed = Signal()
    patientActivated = Signal(str)
    backRequested = Signal()

    def __init__(self, services: Services, parent: QWidget | None = None) -> None:
        super().__init__(parent)  # builds the widgets (agenda_layout.py)
        self._services = services
        self._staff: list[StaffView] = []
        self.meeting: MeetingView | None = None
        self.dialog: QWidget | None = None
        self.meeting_mode: MeetingModeView | None = None
        self.setObjectName("agendaView")
        self.setAccessibleName("Meeting agenda")
        self._connect()
        self._update_controls()

    def _connect(self) -> None:
        self.back_button.clicked.connect(self.backRequested)
        self.build_button.clicked.connect(self.build_agenda)
        self.add_button.clicked.connect(self.open_add_patient)
        self.up_button.clicked.connect(lambda: self.move_selected(-1))
        self.down_button.clicked.connect(lambda: self.move_selected(1))
        self.remove_button.clicked.connect(lambda: self.remove_selected(True))
        self.restore_button.clicked.connect(lambda: self.remove_selected(False))
        self.minutes_spin.valueChanged.connect(self._on_minutes_spin_value_changed)
        self.export_button.clicked.connect(self.export_actions)
        self.lock_button.clicked.connect(self.toggle_lock)
        self.print_button.clicked.connect(self.open_print_agenda)
        self.start_button.clicked.connect(self.start_meeting)
        self.minutes_button.clicked.connect(self.open_print_minutes)
        self.tree.currentItemChanged.connect(lambda *_: self._update_controls())
        self.tree.itemDoubleClicked.connect(self._on_tree_item_double_clicked)
        self.tree.installEventFilter(self)
        self.invite_combo.activated.connect(self._on_invite_combo_activated)

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
        status = status_label(view.status, view.held_on)
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
        dialog = print_agenda_dialog(self, view, self._printed_by())
        if dialog is not None:
            self.dialog = dialog
            dialog.open()
        return dialog

    def open_print_minutes(self) -> PrintMeetingDialog | None:
        view = self.meeting
        if view is None:
            return None
        dialog = print_minutes_dialog(self, view, self._printed_by())
        if dialog is not None:
            self.dialog = dialog
            dialog.open()
        return dialog

    def export_actions(self) -> Path | None:
        """The meeting's actions as CSV (UTF-8 with a byte order mark, for Excel)."""
        view = self.meeting
        if view is None:
            return None
        written = export_actions_csv(self, view)
        if written is not None:
            count = len(view.actions)
            self.note.setText(f"{count} action{'s' if count != 1 else ''} exported to {written}.")
        return written
