"""Accept a patient onto a key worker's caseload at a level of care."""

from __future__ import annotations

import html
from typing import TYPE_CHECKING

from PySide6.QtWidgets import (
    QButtonGroup,
    QComboBox,
    QDialog,
    QFormLayout,
    QLabel,
    QLineEdit,
    QRadioButton,
    QVBoxLayout,
    QWidget,
)

from ltcdesk.domain import nhs_number
from ltcdesk.domain.errors import DomainError, ValidationError
from ltcdesk.domain.vocab import KEY_WORKER_ROLES, LEVEL_LABELS, LEVELS, Role
from ltcdesk.services.caseload import REASON_MAX
from ltcdesk.ui.widgets import (
    ErrorLabel,
    button_row,
    field_message,
    pad_form_labels,
    with_error,
)

if TYPE_CHECKING:
    from ltcdesk.app import Services
    from ltcdesk.services.caseload import AssignmentView


def _role_label(role: str) -> str:
    try:
        return Role(role).label
    except ValueError:
        return role


class AddToCaseloadDialog(QDialog):
    """Key worker, level and reason; OK calls ``services.caseload.assign``.

    On success ``assignment`` holds the new AssignmentView and the dialog is accepted;
    on error the message appears in the dialog, which stays open.
    """

    def __init__(
        self,
        services: Services,
        nhs: str,
        parent: QWidget | None = None,
        patient_name: str | None = None,
    ) -> None:
        super().__init__(parent)
        self._services = services
        self._nhs = nhs
        self.assignment: AssignmentView | None = None
        self.setObjectName("addToCaseloadDialog")
        self.setAccessibleName("Add to caseload")
        self.setWindowTitle("Add to caseload")
        self.setMinimumWidth(480)

        who = patient_name or f"NHS number {nhs_number.format_nhs(nhs)}"
        intro = QLabel(f"Accept <b>{html.escape(who)}</b> onto a key worker's caseload.")
        intro.setObjectName("addToCaseloadIntro")
        intro.setWordWrap(True)

        self.key_worker_combo = QComboBox()
        self.key_worker_combo.setObjectName("keyWorkerCombo")
        self.key_worker_combo.setAccessibleName("Key worker")
        for member in services.setup.staff():
            if member.active and member.role in KEY_WORKER_ROLES:
                self.key_worker_combo.addItem(
                    f"{member.display_name} — {_role_label(member.role)}", member.username
                )
        self.key_worker_combo.setPlaceholderText("Choose a key worker")
        self.key_worker_combo.setCurrentIndex(-1)

        self.level_group = QButtonGroup(self)
        level_box = QWidget()
        level_box.setObjectName("levelChoice")
        level_layout = QVBoxLayout(level_box)
        level_layout.setContentsMargins(0, 0, 0, 0)
        level_layout.setSpacing(2)
        self.level_radios: dict[int, QRadioButton] = {}
        for level in LEVELS:
            label = LEVEL_LABELS[level]
            radio = QRadioButton(label.replace(f"Level {level}", f"Level &{level}", 1))
            radio.setObjectName(f"level{level}Radio")
            radio.setAccessibleName(label)
            self.level_group.addButton(radio, level)
            self.level_radios[level] = radio
            level_layout.addWidget(radio)
        level_box.setFocusProxy(self.level_radios[LEVELS[0]])

        self.reason_edit = QLineEdit()
        self.reason_edit.setObjectName("reasonEdit")
        self.reason_edit.setAccessibleName("Reason")
        self.reason_edit.setMaxLength(REASON_MAX)
        self.reason_edit.setPlaceholderText("e.g. Two emergency admissions since August")

        self.errors = {
            "key worker": ErrorLabel("keyWorkerError", "Key worker error"),
            "level": ErrorLabel("levelError", "Level error"),
            "reason": ErrorLabel("reasonError", "Reason error"),
        }
        self._targets: dict[str, QWidget] = {
            "key worker": self.key_worker_combo,
            "level": level_box,
            "reason": self.reason_edit,
        }
        form = QFormLayout()
        form.addRow("&Key worker", with_error(self.key_worker_combo, self.errors["key worker"]))
        form.addRow("Level of care", with_error(level_box, self.errors["level"]))
        form.addRow("R&eason", with_error(self.reason_edit, self.errors["reason"]))

        self.dialog_error = ErrorLabel("addToCaseloadError", "Add to caseload error")
        self.ok_button, self.cancel_button, buttons = button_row(
            "&Add to caseload",
            "addToCaseloadOkButton",
            "Add to caseload",
            "addToCaseloadCancelButton",
            "Cancel",
        )

        layout = QVBoxLayout(self)
        layout.addWidget(intro)
        layout.addLayout(form)
        pad_form_labels(form)
        layout.addWidget(self.dialog_error)
        layout.addLayout(buttons)

        self.key_worker_combo.currentIndexChanged.connect(
            lambda _i: self.errors["key worker"].clear_error()
        )
        self.level_group.idClicked.connect(lambda _id: self.errors["level"].clear_error())
        self.ok_button.clicked.connect(self._on_ok_button_clicked)
        self.cancel_button.clicked.connect(self.reject)

    def select_key_worker(self, username: str) -> None:
        index = self.key_worker_combo.findData(username)
        self.key_worker_combo.setCurrentIndex(index)

    def _clear_errors(self) -> None:
        for label in self.errors.values():
            label.clear_error()
        self.dialog_error.clear_error()

    def _show(self, err: ValidationError) -> None:
        label = self.errors.get(err.field)
        if label is None:
            self.dialog_error.show_error(str(err))
            return
        label.show_error(field_message(err))
        self._targets[err.field].setFocus()

    def _on_ok_button_clicked(self) -> None:
        self._clear_errors()
        worker = self.key_worker_combo.currentData()
        level = self.level_group.checkedId()
        missing = []
        if not worker:
            missing.append(ValidationError("key worker", "choose who will co-ordinate care"))
        if level not in LEVELS:
            missing.append(ValidationError("level", "choose a level of care"))
        if missing:
            for err in reversed(missing):
                self._show(err)
            return
        try:
            self.assignment = self._services.caseload.assign(
                self._nhs, worker, level, self.reason_edit.text()
            )
        except ValidationError as err:
            self._show(err)
            return
        except DomainError as err:
            self.dialog_error.show_error(str(err))
            return
        self.accept()
