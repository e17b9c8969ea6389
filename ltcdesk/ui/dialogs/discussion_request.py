"""Ask for a person to be discussed at the team's next whiteboard meeting: a step up, a
step down, or another reason. The request waits on the next agenda until discussed."""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QLabel,
    QLineEdit,
    QVBoxLayout,
    QWidget,
)

from ltcdesk.domain.errors import DomainError

if TYPE_CHECKING:
    from ltcdesk.app import Services

KINDS = (("step_up", "Step up"), ("step_down", "Step down"), ("discuss", "Discuss"))


class DiscussionRequestDialog(QDialog):
    def __init__(
        self, services: Services, nhs: str, name: str, parent: QWidget | None = None
    ) -> None:
        super().__init__(parent)
        self._services, self._nhs = services, nhs
        self.request_id: int | None = None
        self.setObjectName("discussionRequestDialog")
        self.setWindowTitle("Ask for discussion at the next meeting")
        self.setAccessibleName("Ask for discussion at the next whiteboard meeting")
        intro = QLabel(f"{name} will be on the next whiteboard meeting's agenda.")
        intro.setWordWrap(True)
        self.kind_combo = QComboBox()
        self.kind_combo.setObjectName("discussionKindCombo")
        self.kind_combo.setAccessibleName("What is asked")
        for code, label in KINDS:
            self.kind_combo.addItem(label, code)
        self.reason_edit = QLineEdit()
        self.reason_edit.setObjectName("discussionReasonEdit")
        self.reason_edit.setAccessibleName("Reason")
        self.reason_edit.setMaxLength(500)
        self.reason_edit.setPlaceholderText("Why, in a sentence (required)")
        self.error_label = QLabel()
        self.error_label.setObjectName("discussionRequestError")
        self.error_label.setStyleSheet("color: #b3261e;")
        self.error_label.setWordWrap(True)
        self.error_label.hide()
        form = QFormLayout()
        form.addRow("&Asking for:", self.kind_combo)
        form.addRow("&Reason:", self.reason_edit)
        buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel
        )
        ok = buttons.button(QDialogButtonBox.StandardButton.Ok)
        ok.setText("Ask")
        ok.setObjectName("discussionRequestOk")
        buttons.accepted.connect(self.submit)
        buttons.rejected.connect(self.reject)
        column = QVBoxLayout(self)
        column.addWidget(intro)
        column.addLayout(form)
        column.addWidget(self.error_label)
        column.addWidget(buttons)
        self.resize(520, self.sizeHint().height())

    def submit(self) -> None:
        """Send the request; a problem is shown here, naming the field, and nothing is kept."""
        try:
            self.request_id = self._services.meetings.request_discussion(
                self._nhs, str(self.kind_combo.currentData()), self.reason_edit.text()
            )
        except DomainError as err:
            self.error_label.setText(str(err))
            self.error_label.show()
            self.reason_edit.setFocus()
            return
        self.accept()
