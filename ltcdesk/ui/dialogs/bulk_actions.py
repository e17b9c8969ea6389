"""Dialogs for acting on several patients at once: transfer to another key worker, change
level. Each takes the action as a callable, runs it when OK is pressed and stays open,
with everything the user typed, when it fails."""

from __future__ import annotations

from collections.abc import Callable, Sequence

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QLabel,
    QMessageBox,
    QPlainTextEdit,
    QVBoxLayout,
    QWidget,
)

from ltcdesk.domain.errors import DomainError
from ltcdesk.domain.vocab import LEVEL_LABELS, LEVELS, Role
from ltcdesk.services.caseload import REASON_MAX, BulkResult, WorkerCaseload


def _role_label(role: str) -> str:
    try:
        return Role(role).label
    except ValueError:
        return role


def patients(n: int) -> str:
    return f"{n:,} patient" if n == 1 else f"{n:,} patients"


class _BulkDialog(QDialog):
    """A summary line, the fields a subclass adds, a required reason, OK and Cancel."""

    def __init__(self, title: str, summary: str, ok_text: str, name: str, parent: QWidget | None):
        super().__init__(parent)
        self.setObjectName(f"{name}Dialog")
        self.setWindowTitle(title)
        self.setAccessibleName(title)
        self.setWindowModality(Qt.WindowModality.WindowModal)
        self.outcome = ""  # what was done, in words, once accepted

        self._layout = layout = QVBoxLayout(self)
        self.summary = QLabel(summary)
        self.summary.setObjectName(f"{name}Summary")
        self.summary.setWordWrap(True)
        layout.addWidget(self.summary)
        self.form = QFormLayout()
        layout.addLayout(self.form)

        self.reason = QPlainTextEdit()
        self.reason.setObjectName(f"{name}Reason")
        self.reason.setAccessibleName("Reason")
        self.reason.setTabChangesFocus(True)
        self.reason.setPlaceholderText("Required: kept in each patient's caseload history")
        self.reason.setFixedHeight(self.reason.fontMetrics().lineSpacing() * 4 + 12)
        self.reason.setMinimumWidth(self.reason.fontMetrics().averageCharWidth() * 55)

        self.buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel
        )
        self.ok_button = self.buttons.button(QDialogButtonBox.StandardButton.Ok)
        self.ok_button.setText(ok_text)
        self.ok_button.setObjectName(f"{name}OkButton")
        self.ok_button.setAccessibleName(ok_text)
        cancel = self.buttons.button(QDialogButtonBox.StandardButton.Cancel)
        cancel.setObjectName(f"{name}CancelButton")
        cancel.setAccessibleName("Cancel")
        self.buttons.accepted.connect(self._on_buttons_accepted)
        self.buttons.rejected.connect(self.reject)

    def _finish_layout(self) -> None:
        self.form.addRow("&Reason:", self.reason)
        self._layout.addWidget(self.buttons)

    def reason_text(self) -> str:
        return self.reason.toPlainText().strip()

    def _check(self) -> str | None:
        """A problem to put right before calling the service, or None."""
        if not self.reason_text():
            return "Give a reason. It is kept in each patient's caseload history."
        length = len(self.reason_text())
        if length > REASON_MAX:
            return f"The reason is too long: {length} characters, at most {REASON_MAX}."
        return None

    def _apply(self) -> str:
        raise NotImplementedError

    def _on_buttons_accepted(self) -> None:
        problem = self._check()
        if problem is None:
            try:
                self.outcome = self._apply()
            except DomainError as exc:
                problem = str(exc)
        if problem is not None:
            QMessageBox.warning(self, self.windowTitle(), problem)
            return
        self.accept()


class BulkTransferDialog(_BulkDialog):
    """Transfer the selected patients to another key worker (all or none move)."""

    def __init__(
        self,
        count: int,
        workers: Sequence[WorkerCaseload],
        transfer: Callable[[str, str], BulkResult],
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(
            "Transfer to another key worker",
            f"Transfer {patients(count)} to another key worker. They keep their level.",
            "Transfer",
            "transfer",
            parent,
        )
        self._transfer = transfer
        self.worker = QComboBox()
        self.worker.setObjectName("transferWorker")
        self.worker.setAccessibleName("New key worker")
        self.worker.setPlaceholderText("Choose a key worker")
        for w in workers:
            note = ", over the limit" if w.over_limit else ""
            text = f"{w.display_name} – {_role_label(w.role)} ({w.total} on caseload{note})"
            self.worker.addItem(text, w.username)
        self.worker.setCurrentIndex(-1)
        self.form.addRow("New &key worker:", self.worker)
        self._finish_layout()

    def choose_worker(self, username: str) -> None:
        self.worker.setCurrentIndex(self.worker.findData(username))

    def _check(self) -> str | None:
        if self.worker.currentIndex() < 0:
            return "Choose the key worker to transfer to."
        return super()._check()

    def _apply(self) -> str:
        result = self._transfer(self.worker.currentData(), self.reason_text())
        return f"{patients(result.moved)} transferred to {result.to_worker}."


class BulkLevelDialog(_BulkDialog):
    """Step the selected patients up or down to one level (all or none change)."""

    def __init__(
        self,
        count: int,
        change: Callable[[int, str], int],
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(
            "Change level of care",
            f"Change the level of care of {patients(count)}. They keep their key worker.",
            "Change level",
            "level",
            parent,
        )
        self._change = change
        self.level = QComboBox()
        self.level.setObjectName("levelChoice")
        self.level.setAccessibleName("New level")
        self.level.setPlaceholderText("Choose a level")
        for level in LEVELS:
            self.level.addItem(LEVEL_LABELS[level], level)
        self.level.setCurrentIndex(-1)
        self.form.addRow("New &level:", self.level)
        self._finish_layout()

    def choose_level(self, level: int) -> None:
        self.level.setCurrentIndex(self.level.findData(level))

    def _check(self) -> str | None:
        if self.level.currentIndex() < 0:
            return "Choose the new level."
        return super()._check()

    def _apply(self) -> str:
        level = int(self.level.currentData())
        changed = self._change(level, self.reason_text())
        if changed == 0:
            return f"No change: already at level {level}."
        return f"{patients(changed)} moved to level {level}."
