"""The main window's Tools and Help menus and what they open: the audit log, settings,
conversation topics, absences, the hospital events import and the keyboard shortcuts.

Mixed into ``MainWindow`` (``MainWindow(ToolsMenus, QMainWindow)``), so the window keeps
its public methods (``open_audit_log``, ``open_settings``, ``show_shortcuts`` …)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import (
    QDialog,
    QListWidget,
    QMainWindow,
    QTableWidget,
    QTableWidgetItem,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from ltcdesk.domain.permissions import Action, allowed

if TYPE_CHECKING:
    from PySide6.QtCore import SignalInstance

    from ltcdesk.app import Services
    from ltcdesk.ui.lock import IdleWatcher

    _Window = QMainWindow
else:
    _Window = object

SHORTCUTS = (
    ("Ctrl+F or Ctrl+K", "Quick search: find a patient by name or NHS number"),
    ("Ctrl+1 … Ctrl+{last}", "Go to a section of the navigation rail"),  # one per section
    ("Ctrl+N", "Register a new patient"),
    ("Enter or double-click", "Open the selected patient's record"),
    ("Ctrl+S", "Save the patient record you are editing"),
    ("Escape", "Cancel edits (you are asked first if anything is unsaved)"),
    ("Ctrl+W", "Close the current patient record"),
    ("Ctrl+Tab / Ctrl+Shift+Tab", "Next / previous open tab"),
    ("F5", "Refresh the current list"),
    ("Ctrl+L", "Lock the screen now (your password unlocks it)"),
    ("F1", "This list of keyboard shortcuts"),
)


class ToolsMenus(_Window):
    """The Tools and Help menus of the main window, and their handlers."""

    if TYPE_CHECKING:
        _services: Services
        tabs: QTabWidget
        nav: QListWidget
        idle: IdleWatcher | None
        changed: SignalInstance

        def _my_role(self) -> str | None: ...

    def _build_tools_menus(self) -> None:
        role = self._my_role()

        def action(text: str, name: str, permission: Action, slot: Any) -> QAction:
            item = QAction(text, self)
            item.setObjectName(name)
            item.setEnabled(role is not None and allowed(role, permission))
            item.triggered.connect(slot)
            return item

        tools = self.menuBar().addMenu("&Tools")
        tools.addActions(
            [
                action("&Audit log", "auditLogAction", Action.VIEW_AUDIT, self.open_audit_log),
                action("&Settings…", "settingsAction", Action.MANAGE_SETTINGS, self.open_settings),
                action(
                    "Conversation &topics…",
                    "conversationTopicsAction",
                    Action.MANAGE_SETTINGS,
                    self.open_conversation_topics,
                ),
            ]
        )
        tools.addSeparator()
        tools.addActions(
            [
                action("A&bsences…", "absencesAction", Action.MANAGE_STAFF, self.open_absences),
                action(
                    "&Import hospital events…",
                    "importEventsAction",
                    Action.RECORD_EVENT,
                    self.open_import_events,
                ),
            ]
        )

        help_menu = self.menuBar().addMenu("&Help")
        shortcuts = QAction("&Keyboard shortcuts", self)
        shortcuts.setShortcut(QKeySequence("F1"))
        shortcuts.triggered.connect(self.show_shortcuts)
        help_menu.addAction(shortcuts)

    def open_audit_log(self) -> QWidget | None:
        """The audit viewer, in a tab of its own (team leads and administrators)."""
        from ltcdesk.ui.views.audit_view import AuditView

        for index in range(self.tabs.count()):
            if isinstance(self.tabs.widget(index), AuditView):
                self.tabs.setCurrentIndex(index)
                return self.tabs.widget(index)
        view = AuditView(self._services.audit)
        self.tabs.setCurrentIndex(self.tabs.addTab(view, "Audit log"))
        return view

    def open_settings(self) -> QDialog:
        from ltcdesk.ui.dialogs.settings import SettingsDialog

        dialog = SettingsDialog(self._services.settings, self)
        dialog.accepted.connect(self._on_settings_accepted)
        dialog.open()
        return dialog

    def open_conversation_topics(self) -> QDialog:
        """The topics care navigators tick in a conversation (administrators)."""
        from ltcdesk.ui.dialogs.conversation_topics import ConversationTopicsDialog

        dialog = ConversationTopicsDialog(self._services.conversations, self)
        dialog.open()
        return dialog

    def open_absences(self) -> QDialog:
        """Who is absent, and when (team leads and administrators)."""
        from ltcdesk.ui.views.reminders_window import absences_dialog

        dialog = absences_dialog(self._services, self)
        dialog.changed.connect(self.changed)  # type: ignore[attr-defined]
        dialog.open()
        return dialog

    def open_import_events(self) -> QDialog:
        from ltcdesk.ui.views.reminders_window import import_events_dialog

        dialog = import_events_dialog(self._services, self)
        dialog.eventsImported.connect(self.changed)  # type: ignore[attr-defined]
        dialog.open()
        return dialog

    def show_shortcuts(self) -> QDialog:
        dialog = QDialog(self)
        dialog.setObjectName("shortcutsDialog")
        dialog.setWindowTitle("Keyboard shortcuts")
        layout = QVBoxLayout(dialog)
        table = QTableWidget(len(SHORTCUTS), 2)
        table.setObjectName("shortcutsTable")
        table.setAccessibleName("Keyboard shortcuts")
        table.setHorizontalHeaderLabels(["Keys", "What they do"])
        for row, (keys, what) in enumerate(SHORTCUTS):
            table.setItem(row, 0, QTableWidgetItem(keys.format(last=self.nav.count())))
            table.setItem(row, 1, QTableWidgetItem(what))
        table.resizeColumnsToContents()
        table.verticalHeader().setVisible(False)
        table.setEditTriggers(QTableWidget.EditTrigger.NoEditTriggers)
        layout.addWidget(table)
        dialog.resize(640, 420)
        dialog.open()
        return dialog

    def _on_settings_accepted(self) -> None:
        if self.idle is not None:
            self.idle.set_minutes(self._services.settings.get("idle_lock_minutes"))
