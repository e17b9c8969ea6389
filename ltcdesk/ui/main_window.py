"""The main window: navigation rail, list views, patient records in tabs, quick search."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QByteArray, QSettings, QStringListModel, Qt, Signal
from PySide6.QtGui import QAction, QCloseEvent, QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QApplication,
    QCompleter,
    QDialog,
    QLabel,
    QLineEdit,
    QListWidget,
    QMainWindow,
    QMessageBox,
    QSplitter,
    QStackedWidget,
    QTabWidget,
    QToolBar,
    QWidget,
)

from ltcdesk.domain import nhs_number
from ltcdesk.domain.errors import DomainError
from ltcdesk.domain.vocab import Role
from ltcdesk.ui import tasks
from ltcdesk.ui.lock import IdleWatcher, LockScreen
from ltcdesk.ui.main_menus import SHORTCUTS as SHORTCUTS
from ltcdesk.ui.main_menus import ToolsMenus

if TYPE_CHECKING:
    from ltcdesk.app import Services
    from ltcdesk.ui.views.caseload_view import CaseloadView
    from ltcdesk.ui.views.meetings_view import MeetingsView
    from ltcdesk.ui.views.navigator_view import NavigatorListView
    from ltcdesk.ui.views.patient_record import BreakGlassDialog, PatientRecord
    from ltcdesk.ui.views.reminders_view import RemindersView

MY_CASELOAD, TEAM_CASELOADS, PATIENTS, NAVIGATOR_LISTS, REMINDERS, MEETINGS = 0, 1, 2, 3, 4, 5
SECTIONS = (
    "My caseload",
    "Team caseloads",
    "Patients",
    "Navigator lists",  # "My navigator list" for a care navigator
    "Reminders",
    "Meetings",
    "Case finding",
    "Dashboard",
)


class MainWindow(ToolsMenus, QMainWindow):
    """Lists on the first tab; every opened patient record is a further, closable tab."""

    changed = Signal()  # something was saved: views refresh what concerns them
    switchUserRequested = Signal()

    def __init__(
        self,
        services: Services,
        *,
        unlock: Callable[[str], Any] | None = None,
        idle_minutes: float | None = None,
    ) -> None:
        """``unlock(password)`` checks the signed-in user's password (raising a DomainError
        when wrong); with ``idle_minutes`` the screen locks after that long untouched."""
        super().__init__()
        self._services = services
        self._records: dict[str, PatientRecord] = {}
        self.break_glass_dialog: BreakGlassDialog | None = None
        self._unlock = unlock
        self._hidden_dialogs: list[QDialog] = []
        self.switching_user = False
        self.setObjectName("mainWindow")
        self.setAccessibleName("ltcdesk main window")
        self.setWindowTitle("ltcdesk — caseload management")

        self._build_lists()
        self.tabs = QTabWidget()
        self.tabs.setObjectName("workspaceTabs")
        self.tabs.setAccessibleName("Open lists and patient records")
        self.tabs.setTabsClosable(True)
        self.tabs.setDocumentMode(True)
        self.tabs.addTab(self.splitter, "Lists")
        self.tabs.tabBar().setTabButton(0, self.tabs.tabBar().ButtonPosition.RightSide, None)
        self.tabs.tabCloseRequested.connect(self._on_tabs_close_requested)
        self.lock_screen = LockScreen(self._user_label(), self._check_unlock)
        self.lock_screen.unlocked.connect(self._on_lock_screen_unlocked)
        self.lock_screen.switchUserRequested.connect(self.switch_user)
        self.central = QStackedWidget()
        self.central.setObjectName("centralStack")
        self.central.addWidget(self.tabs)
        self.central.addWidget(self.lock_screen)
        self.setCentralWidget(self.central)
        self.idle: IdleWatcher | None = None
        if idle_minutes is not None and unlock is not None:
            self.idle = IdleWatcher(idle_minutes, self)
            self.idle.idle.connect(self.lock)

        self._build_toolbar()
        self._build_menus()
        self.statusBar().addWidget(QLabel(f"Database: {services.db.display_name}"))
        self.backup_label = QLabel()
        self.backup_label.setObjectName("lastBackup")
        self.backup_label.setAccessibleName("Last backup")
        self.backup_label.setContentsMargins(0, 0, 16, 0)
        self.statusBar().addPermanentWidget(self.backup_label)
        self.statusBar().addPermanentWidget(QLabel(f"Signed in as {self._user_label()}"))
        self.changed.connect(self._on_self_changed)
        self._restore_state()
        self.nav.setCurrentRow(MY_CASELOAD)
        self.update_reminder_counts()

    # ------------------------------------------------------------------ building

    def _build_lists(self) -> None:
        from ltcdesk.ui.views.caseload_view import CaseloadView
        from ltcdesk.ui.views.meetings_view import MeetingsView
        from ltcdesk.ui.views.navigator_view import MY_TITLE, NavigatorListView
        from ltcdesk.ui.views.reminders_view import RemindersView
        from ltcdesk.ui.views.team_view import TeamCaseloadView

        self.nav = QListWidget()
        self.nav.setObjectName("navRail")
        self.nav.setAccessibleName("Navigation")
        self.nav.addItems(SECTIONS)
        if self._my_role() == Role.CARE_NAVIGATOR.value:
            self.nav.item(NAVIGATOR_LISTS).setText(MY_TITLE)
        self.nav.setMinimumWidth(150)
        self.stack = QStackedWidget()
        self.my_caseload = CaseloadView(self._services, "mine")
        self.team_caseloads = TeamCaseloadView(self._services)
        self.patients = CaseloadView(self._services, "patients")
        self.navigator_lists: NavigatorListView = NavigatorListView(self._services)
        self.meetings: MeetingsView = MeetingsView(self._services)
        self.reminders: RemindersView = RemindersView(self._services)
        self.team_drilldown: CaseloadView | None = None
        for view in (self.my_caseload, self.team_caseloads, self.patients, self.navigator_lists):
            self.stack.addWidget(view)
        for row, name in enumerate(SECTIONS[NAVIGATOR_LISTS + 1 :], start=NAVIGATOR_LISTS + 1):
            if row in (REMINDERS, MEETINGS):
                self.stack.addWidget(self.reminders if row == REMINDERS else self.meetings)
                continue
            placeholder = QLabel(f"{name} arrives in a later release of ltcdesk.")
            placeholder.setAlignment(Qt.AlignmentFlag.AlignCenter)
            placeholder.setObjectName(f"{name.replace(' ', '')}Placeholder")
            self.stack.addWidget(placeholder)
        for view in (self.my_caseload, self.patients, self.navigator_lists):
            view.patientActivated.connect(self.open_patient)
            view.changed.connect(lambda v=view: self._on_view_changed(v))
        self.meetings.patientActivated.connect(self.open_patient)
        self.meetings.changed.connect(lambda: self._on_view_changed(self.meetings))
        self.reminders.openPatient.connect(self.open_patient_on_tab)
        self.reminders.changed.connect(lambda: self._on_view_changed(self.reminders))
        self.team_caseloads.workerActivated.connect(self._on_team_worker_activated)
        self.nav.currentRowChanged.connect(self._on_nav_current_row_changed)
        self.splitter = QSplitter()
        self.splitter.setObjectName("mainSplitter")
        self.splitter.addWidget(self.nav)
        self.splitter.addWidget(self.stack)
        self.splitter.setStretchFactor(1, 1)
        self.splitter.setSizes([170, 1100])

    def _build_toolbar(self) -> None:
        bar = QToolBar("Search")
        bar.setObjectName("searchToolbar")
        bar.setMovable(False)
        self.quick_search = QLineEdit()
        self.quick_search.setObjectName("quickSearch")
        self.quick_search.setAccessibleName("Quick search for a patient")
        self.quick_search.setPlaceholderText("Find a patient: name or NHS number (Ctrl+K)")
        self.quick_search.setClearButtonEnabled(True)
        self.quick_search.setMaximumWidth(460)
        self._matches = QStringListModel(self)
        completer = QCompleter(self._matches, self)
        completer.setCaseSensitivity(Qt.CaseSensitivity.CaseInsensitive)
        completer.setFilterMode(Qt.MatchFlag.MatchContains)
        completer.setCompletionMode(QCompleter.CompletionMode.UnfilteredPopupCompletion)
        completer.activated.connect(self._on_completer_activated)
        self.quick_search.setCompleter(completer)
        self.quick_search.textEdited.connect(self._on_quick_search_text_edited)
        self.quick_search.returnPressed.connect(self._on_quick_search_return_pressed)
        bar.addWidget(QLabel(" Find: "))
        bar.addWidget(self.quick_search)
        self.addToolBar(bar)
        for keys in ("Ctrl+F", "Ctrl+K"):
            shortcut = QShortcut(QKeySequence(keys), self)
            shortcut.activated.connect(self.focus_quick_search)

    def _build_menus(self) -> None:
        file_menu = self.menuBar().addMenu("&File")
        register = QAction("&Register a patient…", self)
        register.setShortcut(QKeySequence("Ctrl+N"))
        register.triggered.connect(self.register_patient)
        file_menu.addAction(register)
        close_tab = QAction("&Close patient record", self)
        close_tab.setShortcut(QKeySequence("Ctrl+W"))
        close_tab.triggered.connect(lambda: self._on_tabs_close_requested(self.tabs.currentIndex()))
        file_menu.addAction(close_tab)
        file_menu.addSeparator()
        lock = QAction("&Lock screen", self)
        lock.setShortcut(QKeySequence("Ctrl+L"))
        lock.setEnabled(self._unlock is not None)
        lock.triggered.connect(self.lock)
        switch = QAction("S&witch user…", self)
        switch.setEnabled(self._unlock is not None)
        switch.triggered.connect(self.switch_user)
        file_menu.addActions([lock, switch])
        file_menu.addSeparator()
        quit_action = QAction("&Quit", self)
        quit_action.setShortcut(QKeySequence.StandardKey.Quit)
        quit_action.triggered.connect(self.close)
        file_menu.addAction(quit_action)

        view_menu = self.menuBar().addMenu("&View")
        for row, name in enumerate(SECTIONS):
            action = QAction(name, self)
            action.setShortcut(QKeySequence(f"Ctrl+{row + 1}"))
            action.triggered.connect(lambda _=False, r=row: self.show_section(r))
            view_menu.addAction(action)
        refresh = QAction("&Refresh", self)
        refresh.setShortcut(QKeySequence("F5"))
        refresh.triggered.connect(self.changed)
        view_menu.addAction(refresh)
        next_tab = QAction("Next tab", self)
        next_tab.setShortcut(QKeySequence("Ctrl+Tab"))
        next_tab.triggered.connect(lambda: self._step_tab(1))
        prev_tab = QAction("Previous tab", self)
        prev_tab.setShortcut(QKeySequence("Ctrl+Shift+Tab"))
        prev_tab.triggered.connect(lambda: self._step_tab(-1))
        view_menu.addActions([next_tab, prev_tab])

        self._build_tools_menus()

    def _me(self) -> Any:
        """The signed-in member of staff, read once (a change of role needs a new sign-in)."""
        if not hasattr(self, "_me_cached"):
            self._me_cached = next(
                (m for m in self._services.setup.staff() if m.username == self._services.username),
                None,
            )
        return self._me_cached

    def _user_label(self) -> str:
        me = self._me()
        return f"{me.display_name} ({me.username})" if me else self._services.username

    def _my_role(self) -> str | None:
        me = self._me()
        return me.role if me is not None and me.active else None

    # ------------------------------------------------------------------ security

    @property
    def locked(self) -> bool:
        return self.central.currentWidget() is self.lock_screen

    def lock(self) -> None:
        """Hide every patient detail until the same user's password is typed again."""
        if self._unlock is None or self.locked:
            return
        for widget in QApplication.topLevelWidgets():  # dialogs may show patient details
            if isinstance(widget, QDialog) and widget.isVisible() and widget.parent():
                widget.hide()
                self._hidden_dialogs.append(widget)
        self.central.setCurrentWidget(self.lock_screen)
        self.menuBar().setEnabled(False)
        for bar in self.findChildren(QToolBar):
            bar.hide()
        self.lock_screen.prepare()

    def _check_unlock(self, password: str) -> Any:
        assert self._unlock is not None
        return self._unlock(password)

    def _on_lock_screen_unlocked(self) -> None:
        self.central.setCurrentWidget(self.tabs)
        self.menuBar().setEnabled(True)
        for bar in self.findChildren(QToolBar):
            bar.show()
        for dialog in self._hidden_dialogs:
            dialog.show()
        self._hidden_dialogs.clear()
        if self.idle is not None:
            self.idle.reset()

    def switch_user(self) -> None:
        """Close this window (asking about unsaved edits) so someone else can sign in."""
        self.switching_user = True
        if not self.close():
            self.switching_user = False
            return
        self.switchUserRequested.emit()

    def _may_switch_while_locked(self) -> bool:
        """Closing a locked window: only to switch user, and only once told (without a name
        on screen) that unsaved edits would go."""
        if not self.switching_user:
            return False
        unsaved = sum(
            1 for r in self._records.values() if getattr(r, "has_unsaved_changes", bool)()
        )
        if not unsaved:
            return True
        answer = QMessageBox.question(
            self,
            "Switch user",
            f"{unsaved} open patient record{'s have' if unsaved > 1 else ' has'} unsaved "
            "changes. Switching user discards them. Unlock instead to save them first.",
            QMessageBox.StandardButton.Discard | QMessageBox.StandardButton.Cancel,
            QMessageBox.StandardButton.Cancel,
        )
        return answer == QMessageBox.StandardButton.Discard

    def set_last_backup(self, when: datetime | None) -> None:
        self.backup_label.setText(
            f"Last backup: {when:%d/%m/%Y %H:%M}" if when else "Last backup: none yet"
        )

    def show_startup_summary(self) -> QDialog | None:
        """What is overdue and due today for the person who signed in (call once the window
        is shown after a real sign-in); None when nothing is."""
        from ltcdesk.ui.views.reminders_window import startup_summary

        me = self._me()
        dialog, counts = startup_summary(self._services, me.display_name if me else "", self)
        if counts is not None:  # the same reading: the rail says the same as the summary
            self._show_reminder_counts(counts)
        if dialog is not None:
            dialog.goToMyWork.connect(self.go_to_my_work)  # type: ignore[attr-defined]
            dialog.open()
        return dialog

    def go_to_my_work(self) -> None:
        self.show_section(REMINDERS)
        self.reminders.show_my_work()

    def update_reminder_counts(self) -> None:
        """The rail item says how many of the user's reminders are overdue (or due today)."""
        from ltcdesk.ui.views.reminders_window import reminder_counts

        # Counted in the background: the window is usable while the worklist is worked out.
        services = self._services
        tasks.run_task(lambda: reminder_counts(services), self._show_reminder_counts, parent=self)

    def _show_reminder_counts(self, counts: Any) -> None:
        from ltcdesk.ui.views.reminders_window import rail_text, rail_tip

        item = self.nav.item(REMINDERS)
        item.setText(rail_text(counts))
        item.setToolTip(rail_tip(counts))

    # ------------------------------------------------------------------ actions

    def show_section(self, row: int) -> None:
        self.tabs.setCurrentIndex(0)
        self.nav.setCurrentRow(row)

    def focus_quick_search(self) -> None:
        self.quick_search.setFocus(Qt.FocusReason.ShortcutFocusReason)
        self.quick_search.selectAll()

    def open_patient(self, nhs: str) -> PatientRecord | None:
        """Open (or switch to) the patient's record tab. A patient the user's team does not
        care for is offered behind ``break_glass_dialog`` (the record opens once the glass
        is broken); None meanwhile."""
        from ltcdesk.domain.errors import NeedToKnowError
        from ltcdesk.ui.views.patient_record import BreakGlassDialog, PatientRecord

        if nhs in self._records:
            self.tabs.setCurrentWidget(self._records[nhs])
            return self._records[nhs]
        try:
            self._services.patients.require_access(nhs)
            record = PatientRecord(self._services, nhs)
        except NeedToKnowError as refusal:
            self.break_glass_dialog = BreakGlassDialog(self._services, nhs, str(refusal), self)
            self.break_glass_dialog.accepted.connect(lambda: self.open_patient(nhs))
            self.break_glass_dialog.open()
            return None
        except DomainError as exc:
            QMessageBox.warning(self, "Cannot open the record", str(exc))
            return None
        self._records[nhs] = record
        index = self.tabs.addTab(record, record.title() or nhs_number.format_nhs(nhs))
        record.titleChanged.connect(lambda title, r=record: self._set_tab_title(r, title))
        record.saved.connect(lambda _nhs: self.changed.emit())
        self.tabs.setCurrentIndex(index)
        return record

    def open_patient_on_tab(self, nhs: str, tab: str) -> PatientRecord | None:
        """Open the record on the tab where a reminder's work is done."""
        from ltcdesk.ui.views.reminders_window import select_record_tab

        record = self.open_patient(nhs)
        if record is not None:
            select_record_tab(record, tab)
        return record

    def register_patient(self) -> None:
        from ltcdesk.ui.dialogs.register_patient import RegisterPatientDialog

        dialog = RegisterPatientDialog(self._services, self)
        if dialog.exec() == QDialog.DialogCode.Accepted and dialog.registered_nhs:
            self.changed.emit()
            self.open_patient(dialog.registered_nhs)

    # ------------------------------------------------------------------ slots

    def _on_nav_current_row_changed(self, row: int) -> None:
        self.stack.setCurrentIndex(row)
        ensure_loaded = getattr(self.stack.currentWidget(), "ensure_loaded", None)
        if ensure_loaded is not None:
            ensure_loaded()

    def _on_team_worker_activated(self, username: str) -> None:
        """Double-click on a worker in Team caseloads opens that worker's caseload."""
        from ltcdesk.ui.views.caseload_view import CaseloadView

        if self.team_drilldown is None:
            self.team_drilldown = CaseloadView(self._services, "team")
            self.team_drilldown.patientActivated.connect(self.open_patient)
            drilldown = self.team_drilldown
            drilldown.changed.connect(lambda: self._on_view_changed(drilldown))
            self.stack.addWidget(self.team_drilldown)
        self.team_drilldown.set_worker_filter(username)
        self.stack.setCurrentWidget(self.team_drilldown)
        self.team_drilldown.ensure_loaded()  # reloads if something changed while hidden

    def _on_self_changed(self) -> None:
        self._on_view_changed(None)

    def _on_view_changed(self, source: QWidget | None) -> None:
        """``source`` (a list after a bulk action) has reloaded itself already."""
        views = (
            self.my_caseload,
            self.team_caseloads,
            self.patients,
            self.navigator_lists,
            self.meetings,
            self.reminders,
        )
        for view in (*views, self.team_drilldown):
            if view is not None and view is not source:
                view.invalidate()
        for record in self._records.values():
            record.refresh()  # keeps the user's unsaved edits
        self.update_reminder_counts()

    def _on_quick_search_text_edited(self, text: str) -> None:
        if len(text.strip()) < 2:
            self._matches.setStringList([])
            return
        try:
            found = self._services.patients.search(text, limit=20)
        except DomainError:
            found = []
        self._matches.setStringList(
            [
                f"{name} — {nhs_number.format_nhs(nhs)} — born {dob:%d/%m/%Y}"
                for nhs, name, dob in found
            ]
        )

    def _on_completer_activated(self, text: str) -> None:
        parts = text.split(" — ")
        if len(parts) >= 2:
            self.open_patient(parts[1].replace(" ", ""))
            self.quick_search.clear()

    def _on_quick_search_return_pressed(self) -> None:
        text = self.quick_search.text().strip()
        if " — " in text:
            self._on_completer_activated(text)
            return
        if nhs_number.is_valid(text):
            self.open_patient(nhs_number.normalise(text))
            self.quick_search.clear()
            return
        matches = self._services.patients.search(text, limit=2) if len(text) >= 2 else []
        if len(matches) == 1:
            self.open_patient(matches[0][0])
            self.quick_search.clear()
        else:
            self.quick_search.completer().complete()

    def _on_tabs_close_requested(self, index: int) -> None:
        widget = self.tabs.widget(index)
        if index <= 0 or widget is None:
            return
        if not self._may_close(widget):
            return
        self.tabs.removeTab(index)
        self._records = {k: v for k, v in self._records.items() if v is not widget}
        widget.deleteLater()

    def _may_close(self, record: QWidget) -> bool:
        if getattr(record, "has_unsaved_changes", lambda: False)():
            answer = QMessageBox.question(
                self,
                "Unsaved changes",
                f"{getattr(record, 'title', lambda: 'This record')()} has unsaved changes. "
                "Discard them?",
                QMessageBox.StandardButton.Discard | QMessageBox.StandardButton.Cancel,
                QMessageBox.StandardButton.Cancel,
            )
            return answer == QMessageBox.StandardButton.Discard
        return True

    def _set_tab_title(self, record: QWidget, title: str) -> None:
        index = self.tabs.indexOf(record)
        if index >= 0:
            self.tabs.setTabText(index, title)

    def _step_tab(self, step: int) -> None:
        if self.tabs.count():
            self.tabs.setCurrentIndex((self.tabs.currentIndex() + step) % self.tabs.count())

    # ------------------------------------------------------------------ state

    def _restore_state(self) -> None:
        settings = QSettings()
        geometry = settings.value("mainWindow/geometry")
        if isinstance(geometry, QByteArray):
            self.restoreGeometry(geometry)
        else:
            self.resize(1366, 768)
        splitter = settings.value("mainWindow/splitter")
        if isinstance(splitter, QByteArray):
            self.splitter.restoreState(splitter)

    def closeEvent(self, event: QCloseEvent) -> None:
        if self.locked and not self._may_switch_while_locked():
            event.ignore()
            return
        for record in [] if self.locked else list(self._records.values()):
            if not self._may_close(record):
                self.tabs.setCurrentWidget(record)
                event.ignore()
                return
        settings = QSettings()
        settings.setValue("mainWindow/geometry", self.saveGeometry())
        settings.setValue("mainWindow/splitter", self.splitter.saveState())
        super().closeEvent(event)
