"""Quick actions of the caseload lists for care navigation (issue 6): "Record a
conversation…" with the selected person and, for team leads, "Assign care navigator…" for
the selection. Kept apart from caseload_view.py, which is long enough."""

from __future__ import annotations

import weakref
from collections.abc import Callable
from typing import TYPE_CHECKING

from PySide6.QtWidgets import QMessageBox, QPushButton, QWidget

from ltcdesk.domain.errors import DomainError
from ltcdesk.domain.permissions import Action, allowed
from ltcdesk.domain.vocab import Role

if TYPE_CHECKING:
    from ltcdesk.app import Services
    from ltcdesk.services.listing import CaseloadRow
    from ltcdesk.ui.dialogs.assign_navigator import AssignNavigatorDialog
    from ltcdesk.ui.dialogs.record_conversation import RecordConversationDialog


class CaseloadConversationActions:
    """Two buttons for a caseload view's bottom row. ``selected()`` gives the selected rows;
    ``done(message)`` runs after a conversation is saved or patients are assigned."""

    def __init__(
        self,
        services: Services,
        owner: QWidget,
        selected: Callable[[], list[CaseloadRow]],
        done: Callable[[str], None],
    ) -> None:
        # Weak references: the view owns this object, and a reference cycle would leave a
        # closed top-level view for the garbage collector to delete at an arbitrary moment.
        self._services = services
        self._owner_ref = weakref.ref(owner)
        self._selected_ref = weakref.WeakMethod(selected)
        self._done_ref = weakref.WeakMethod(done)
        self.dialog: RecordConversationDialog | AssignNavigatorDialog | None = None
        self.record_button = QPushButton("Record a con&versation…")
        self.record_button.setObjectName("recordConversationButton")
        self.record_button.setAccessibleName("Record a conversation with the selected patient")
        self.record_button.setToolTip("Record a care navigator conversation with this person")
        self.record_button.setEnabled(False)
        self.record_button.clicked.connect(self._on_record_button_clicked)
        self.assign_button = QPushButton("Assign care &navigator…")
        self.assign_button.setObjectName("assignNavigatorButton")
        self.assign_button.setAccessibleName("Assign the selected patients to a care navigator")
        self.assign_button.setToolTip("Put the selected patients on a care navigator's list")
        self.assign_button.setEnabled(False)
        self.assign_button.hide()
        self.assign_button.clicked.connect(self._on_assign_button_clicked)

    @property
    def _owner(self) -> QWidget | None:
        return self._owner_ref()

    def _selected(self) -> list[CaseloadRow]:
        selected = self._selected_ref()
        return selected() if selected is not None else []

    def _done(self, message: str) -> None:
        done = self._done_ref()
        if done is not None:
            done(message)

    @property
    def buttons(self) -> tuple[QPushButton, QPushButton]:
        return (self.record_button, self.assign_button)

    def update(self, role: str | None, selected: int, loading: bool) -> None:
        may_record = role is not None and allowed(role, Action.EDIT_CARERS)
        self.record_button.setVisible(may_record)
        self.record_button.setEnabled(may_record and selected == 1 and not loading)
        # Navigators' lists are the team lead's to keep (the issue: "assigned by the team lead").
        lead = role == Role.TEAM_LEAD.value
        self.assign_button.setVisible(lead)
        self.assign_button.setEnabled(lead and selected > 0 and not loading)

    def open_record_dialog(self) -> RecordConversationDialog | None:
        from ltcdesk.ui.dialogs.record_conversation import RecordConversationDialog

        rows = self._selected()
        if len(rows) != 1:
            return None
        row = rows[0]
        name = f"{row.given_name} {row.family_name}"
        try:
            dialog = RecordConversationDialog(self._services, row.nhs_number, name, self._owner)
        except DomainError as err:
            QMessageBox.warning(self._owner, "Record a conversation", str(err))
            return None
        self._replace(dialog)
        dialog.recorded.connect(lambda _saved: self._done(f"Conversation with {name} saved."))
        dialog.open()
        return dialog

    def open_assign_dialog(self) -> AssignNavigatorDialog | None:
        from ltcdesk.ui.dialogs.assign_navigator import AssignNavigatorDialog

        nhs = [row.nhs_number for row in self._selected()]
        if not nhs:
            return None
        dialog = AssignNavigatorDialog(self._services, nhs, parent=self._owner)
        self._replace(dialog)
        dialog.accepted.connect(lambda: self._done(dialog.outcome))
        dialog.open()
        return dialog

    def _replace(self, dialog: RecordConversationDialog | AssignNavigatorDialog) -> None:
        if self.dialog is not None:
            self.dialog.deleteLater()
        self.dialog = dialog

    def _on_record_button_clicked(self) -> None:
        self.open_record_dialog()

    def _on_assign_button_clicked(self) -> None:
        self.open_assign_dialog()
