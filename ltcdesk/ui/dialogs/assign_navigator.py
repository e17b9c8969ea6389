"""Put patients on a care navigator's list (issue 6, point 4): the team lead chooses the
navigator, and either the patients chosen already (the caseload's selection) or patients
found by name or NHS number here."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QDialog,
    QFormLayout,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QVBoxLayout,
    QWidget,
)

from ltcdesk.domain import nhs_number
from ltcdesk.domain.errors import ConflictError, DomainError
from ltcdesk.domain.vocab import Role
from ltcdesk.services.setup import StaffView
from ltcdesk.ui.widgets import ERROR_STYLE, button_row

if TYPE_CHECKING:
    from ltcdesk.app import Services

NHS_ROLE = int(Qt.ItemDataRole.UserRole) + 1


def navigators(staff: Sequence[StaffView]) -> list[StaffView]:
    """The active care navigators, by name."""
    found = [s for s in staff if s.active and s.role == Role.CARE_NAVIGATOR.value]
    return sorted(found, key=lambda s: s.display_name.casefold())


def _patients(n: int) -> str:
    return f"{n} patient" if n == 1 else f"{n} patients"


class AssignNavigatorDialog(QDialog):
    """``nhs_numbers`` given: assign those; None: find patients in the dialog."""

    def __init__(
        self,
        services: Services,
        nhs_numbers: Sequence[str] | None = None,
        navigator: str | None = None,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self._services = services
        self._given = list(nhs_numbers) if nhs_numbers is not None else None
        self.outcome = ""
        self.navigator_username: str | None = None
        self.setObjectName("assignNavigatorDialog")
        self.setWindowTitle("Assign to a care navigator")
        self.setAccessibleName("Assign to a care navigator")
        self.setWindowModality(Qt.WindowModality.WindowModal)

        layout = QVBoxLayout(self)
        form = QFormLayout()
        self.navigator = QComboBox()
        self.navigator.setObjectName("assignNavigatorChoice")
        self.navigator.setAccessibleName("Care navigator")
        self.navigator.setPlaceholderText("Choose a care navigator")
        for member in navigators(services.setup.staff()):
            self.navigator.addItem(member.display_name, member.username)
        self.navigator.setCurrentIndex(self.navigator.findData(navigator) if navigator else -1)
        form.addRow("Care &navigator:", self.navigator)

        self.search = QLineEdit()
        self.search.setObjectName("assignPatientSearch")
        self.search.setAccessibleName("Find patients by name or NHS number")
        self.search.setPlaceholderText("Name or NHS number")
        self.search.setClearButtonEnabled(True)
        self.search.textEdited.connect(self._on_search_text_edited)
        self.found = QListWidget()
        self.found.setObjectName("assignPatientList")
        self.found.setAccessibleName("Patients found: select those to assign")
        self.found.setSelectionMode(QAbstractItemView.SelectionMode.ExtendedSelection)
        if self._given is None:
            summary = "Find the patients to put on the navigator's list, then select them."
            form.addRow("&Find:", self.search)
            form.addRow("", self.found)
        else:
            summary = f"Put {_patients(len(self._given))} on a care navigator's list."
            self.search.hide()
            self.found.hide()
        intro = QLabel(summary)
        intro.setWordWrap(True)
        layout.addWidget(intro)
        layout.addLayout(form)
        self.error_label = QLabel()
        self.error_label.setObjectName("assignNavigatorError")
        self.error_label.setStyleSheet(ERROR_STYLE)
        self.error_label.setWordWrap(True)
        self.error_label.hide()
        layout.addWidget(self.error_label)
        self.ok_button, cancel, buttons = button_row(
            "&Assign", "assignNavigatorOkButton", "Assign", "assignNavigatorCancel", "Cancel"
        )
        self.ok_button.clicked.connect(self._on_ok_button_clicked)
        cancel.clicked.connect(self.reject)
        layout.addLayout(buttons)
        self.resize(480, 420 if self._given is None else 160)

    def choose_navigator(self, username: str) -> None:
        self.navigator.setCurrentIndex(self.navigator.findData(username))

    def _on_search_text_edited(self, text: str) -> None:
        self.found.clear()
        if len(text.strip()) < 2:
            return
        try:
            matches = self._services.patients.search(text, limit=50)
        except DomainError:
            return
        for nhs, name, dob in matches:
            item = QListWidgetItem(f"{name} — {nhs_number.format_nhs(nhs)} — born {dob:%d/%m/%Y}")
            item.setData(NHS_ROLE, nhs)
            self.found.addItem(item)

    def chosen_patients(self) -> list[str]:
        if self._given is not None:
            return list(self._given)
        return [str(item.data(NHS_ROLE)) for item in self.found.selectedItems()]

    def _fail(self, message: str) -> None:
        self.error_label.setText(message)
        self.error_label.show()

    def _on_ok_button_clicked(self) -> None:
        username = self.navigator.currentData()
        if username is None:
            self._fail("Care navigator: choose whose list to put them on.")
            return
        chosen = self.chosen_patients()
        if not chosen:
            self._fail("Patients: find and select at least one patient.")
            return
        assigned = already = 0
        for nhs in chosen:
            try:
                self._services.conversations.assign_navigator(nhs, username)
            except ConflictError:
                already += 1
            except DomainError as err:
                done = f" ({_patients(assigned)} assigned before this)" if assigned else ""
                self._fail(f"{nhs_number.format_nhs(nhs)}: {err}{done}")
                return
            else:
                assigned += 1
        name = self.navigator.currentText()
        self.navigator_username = username
        self.outcome = f"{_patients(assigned)} put on {name}'s list." + (
            f" {_patients(already)} already on it." if already else ""
        )
        self.accept()
