"""Reminders in the navigation rail (issue 8): the worklist, *My work* and *Team*, grouped
Overdue / Today / This week / Later. From a row: open the record on the tab where the work
is done, complete, reschedule (with a reason) or reassign it, and print a worker's day
list for home visits. A refused change (not yours, no reason) is said in the dialog."""

from __future__ import annotations

from datetime import date, datetime
from typing import TYPE_CHECKING

from PySide6.QtCore import Signal
from PySide6.QtGui import QFont
from PySide6.QtWidgets import (
    QDialog,
    QHBoxLayout,
    QLabel,
    QMessageBox,
    QPushButton,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from ltcdesk.domain.errors import DomainError
from ltcdesk.services.reminders import Reminder
from ltcdesk.ui import tasks
from ltcdesk.ui.dialogs.reminder_dialogs import (
    CompleteReminderDialog,
    ReassignReminderDialog,
    RescheduleReminderDialog,
    describe,
)
from ltcdesk.ui.views.reminders_list import WorklistPage
from ltcdesk.ui.widgets import ERROR_STYLE

if TYPE_CHECKING:
    from ltcdesk.app import Services


def _named(widget: QWidget, name: str, accessible: str) -> None:
    widget.setObjectName(name)
    widget.setAccessibleName(accessible)


class RemindersView(QWidget):
    """``openPatient(nhs, tab)`` asks the window to open a record on a tab ("care_plan",
    "assessment", "conversations", "carers" or "events"); ``changed`` follows any change
    made here (the rail count and other lists refresh)."""

    openPatient = Signal(str, str)
    changed = Signal()

    def __init__(self, services: Services, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._services = services
        self._stale = {False: True, True: True}  # team? → needs loading
        self._today = date.today()
        _named(self, "remindersView", "Reminders")
        me = next((m for m in services.setup.staff() if m.username == services.username), None)
        self._my_name = me.display_name if me is not None else services.username
        self._team = me.team if me is not None else None

        title = QLabel("Reminders")
        _named(title, "remindersTitle", "Reminders")
        font = QFont(title.font())
        font.setPointSizeF(font.pointSizeF() * 1.4)
        font.setBold(True)
        title.setFont(font)
        self.my_work = WorklistPage(team=False)
        self.team_work = WorklistPage(team=True)
        self.team_work.set_workers(
            [
                (m.username, m.display_name)
                for m in sorted(services.setup.staff(), key=lambda m: m.display_name.casefold())
                if m.active and m.role != "admin" and (self._team is None or m.team == self._team)
            ]
        )
        self.tabs = QTabWidget()
        _named(self.tabs, "remindersTabs", "My work or the team's")
        self.tabs.addTab(self.my_work, "&My work")
        self.tabs.addTab(self.team_work, "&Team")
        self.tabs.currentChanged.connect(lambda _i: self._on_tabs_current_changed())
        for page in (self.my_work, self.team_work):
            page.activated.connect(self._on_page_activated)
            page.filtersChanged.connect(lambda p=page: self._load(p))
            page.selectionChanged.connect(self._update_buttons)

        self.open_button = QPushButton("&Open")
        _named(self.open_button, "openReminderButton", "Open the record where this is done")
        self.open_button.setToolTip("Opens the patient's record on the right tab (Enter)")
        self.complete_button = QPushButton("&Complete…")
        _named(self.complete_button, "completeReminderButton", "Complete the reminder")
        self.reschedule_button = QPushButton("&Reschedule…")
        _named(self.reschedule_button, "rescheduleReminderButton", "Reschedule the reminder")
        self.reassign_button = QPushButton("Re&assign…")
        _named(self.reassign_button, "reassignReminderButton", "Reassign the reminder")
        self.print_button = QPushButton("&Print day list…")
        _named(self.print_button, "printDayListButton", "Print a day list for home visits")
        self.print_button.setToolTip("Today's and overdue reminders of one worker, for home visits")
        self.open_button.clicked.connect(self.open_selected)
        self.complete_button.clicked.connect(self.complete_selected)
        self.reschedule_button.clicked.connect(self.reschedule_selected)
        self.reassign_button.clicked.connect(self.reassign_selected)
        self.print_button.clicked.connect(self.print_day_list)

        self.message = QLabel()
        _named(self.message, "remindersMessage", "What happened")
        self.message.setWordWrap(True)

        top = QHBoxLayout()
        top.addWidget(title)
        top.addStretch(1)
        top.addWidget(self.print_button)
        buttons = QHBoxLayout()
        buttons.addWidget(self.message, 1)
        for push in (
            self.open_button,
            self.complete_button,
            self.reschedule_button,
            self.reassign_button,
        ):
            buttons.addWidget(push)
        layout = QVBoxLayout(self)
        layout.addLayout(top)
        layout.addWidget(self.tabs, 1)
        layout.addLayout(buttons)
        self._update_buttons()

    # ------------------------------------------------------------------ loading

    def current_page(self) -> WorklistPage:
        return self.team_work if self.tabs.currentWidget() is self.team_work else self.my_work

    def ensure_loaded(self) -> None:
        page = self.current_page()
        if self._stale[page.team]:
            self._load(page)

    def invalidate(self) -> None:
        """Something changed elsewhere: reload now if shown, else when next shown."""
        self._stale = {False: True, True: True}
        if self.isVisible():
            self._load(self.current_page())

    def refresh(self) -> None:
        self._stale = {False: True, True: True}
        self._load(self.current_page())

    def show_my_work(self) -> None:
        self.tabs.setCurrentWidget(self.my_work)
        self.ensure_loaded()

    def _load(self, page: WorklistPage) -> None:
        self._stale[page.team] = False
        within = page.within_days()
        reminders = self._services.reminders

        def work() -> list[Reminder]:
            return reminders.worklist(team=page.team, within_days=within)

        def done(result: list[Reminder]) -> None:
            self._today = date.today()
            page.show_reminders(result, self._today)
            self._update_buttons()

        tasks.run_task(work, done, self._on_load_failed, parent=self)

    def _on_load_failed(self, exc: BaseException) -> None:
        if isinstance(exc, DomainError):
            self._say(str(exc), error=True)
            return
        tasks.report_error(exc)

    # ------------------------------------------------------------------ actions

    def selected(self) -> Reminder | None:
        return self.current_page().selected()

    def open_selected(self) -> None:
        reminder = self.selected()
        if reminder is not None:
            self.openPatient.emit(reminder.nhs_number, reminder.tab)

    def complete_selected(self) -> QDialog | None:
        reminder = self.selected()
        if reminder is None:
            return None
        dialog = CompleteReminderDialog(self._services, reminder, self)
        dialog.accepted.connect(lambda: self._after(f"Completed: {describe(reminder)}."))
        dialog.open()
        return dialog

    def reschedule_selected(self) -> QDialog | None:
        reminder = self.selected()
        if reminder is None:
            return None
        dialog = RescheduleReminderDialog(self._services, reminder, self)

        def moved() -> None:
            new = dialog.result_reminder
            when = f" to {new.due:%d/%m/%Y}" if new is not None else ""
            self._after(f"Rescheduled{when}: {describe(reminder)}.", keep=reminder.key)

        dialog.accepted.connect(moved)
        dialog.open()
        return dialog

    def reassign_selected(self) -> QDialog | None:
        reminder = self.selected()
        if reminder is None:
            return None
        dialog = ReassignReminderDialog(self._services, reminder, self)

        def given() -> None:
            new = dialog.result_reminder
            to = f" to {new.owner_name}" if new is not None and new.owner_name else ""
            self._after(f"Reassigned{to}: {describe(reminder)}.", keep=reminder.key)

        dialog.accepted.connect(given)
        dialog.open()
        return dialog

    def print_day_list(self) -> QDialog | None:
        """Today's and overdue reminders of the worker shown (me on My work; the chosen
        worker on Team), as a PDF to save or print."""
        page = self.current_page()
        username = page.worker_filter() if page.team else self._services.username
        if username is None:
            QMessageBox.information(
                self,
                "Print day list",
                "Choose a worker first: a day list is one person's visits.",
            )
            return None
        name = page.worker.currentText() if page.team else self._my_name
        try:
            from ltcdesk.reports.day_list import render_day_list
        except ImportError:
            QMessageBox.information(self, "Print day list", "Printing day lists is not available.")
            return None
        try:
            due = self._services.reminders.worklist(worker=username, within_days=0)
        except DomainError as err:
            self._say(str(err), error=True)
            return None
        from ltcdesk.ui.dialogs.meeting_dialogs import PrintMeetingDialog

        today, printed_by = date.today(), self._my_name

        def render(_initials: bool) -> bytes:
            pdf: bytes = render_day_list(
                due, worker_name=name, day=today, printed_by=printed_by, printed_at=datetime.now()
            )
            return pdf

        dialog = PrintMeetingDialog(
            "Print day list",
            f"{name}'s day list for {today:%A %d/%m/%Y}: {len(due):,} reminders due today "
            "or overdue, for home visits.",
            f"Day list {name} {today:%Y-%m-%d}",
            render,
            self,
            initials_option=False,
        )
        dialog.setObjectName("printDayListDialog")
        dialog.open()
        return dialog

    def _after(self, message: str, keep: str | None = None) -> None:
        self._say(message)
        self.refresh()
        if keep is not None:
            self.current_page().select_key(keep)
        self.changed.emit()

    def _say(self, text: str, *, error: bool = False) -> None:
        self.message.setStyleSheet(ERROR_STYLE if error else "")
        self.message.setText(text)

    # ------------------------------------------------------------------ slots

    def _on_tabs_current_changed(self) -> None:
        self.ensure_loaded()
        self._update_buttons()

    def _on_page_activated(self, reminder: Reminder) -> None:
        self.openPatient.emit(reminder.nhs_number, reminder.tab)

    def _update_buttons(self) -> None:
        chosen = self.selected() is not None
        for push in (
            self.open_button,
            self.complete_button,
            self.reschedule_button,
            self.reassign_button,
        ):
            push.setEnabled(chosen)
