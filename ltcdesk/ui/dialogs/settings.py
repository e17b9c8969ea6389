"""Team-wide settings an administrator may change: when the screen locks, how many daily
backups are kept, and when reminders say a care plan or an assessment is due."""

from __future__ import annotations

from typing import Any

from PySide6.QtWidgets import QDialog, QFormLayout, QLabel, QSpinBox, QVBoxLayout, QWidget

from ltcdesk.domain.errors import DomainError
from ltcdesk.ui.widgets import ERROR_STYLE, button_row

# (key, label, suffix, lowest, highest)
_FIELDS = (
    ("idle_lock_minutes", "Lock the screen after", " minutes untouched", 1, 240),
    ("backups_kept", "Keep the last", " daily backups", 1, 365),
    ("no_plan_after_days", "Remind when no care plan is agreed", " days after joining", 1, 365),
    ("reassess_after_months", "Reassess everyone on a caseload every", " months", 1, 36),
)


class SettingsDialog(QDialog):
    """``settings`` is a SettingsService (get(key) -> int, set(key, value))."""

    def __init__(self, settings: Any, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._settings = settings
        self.setObjectName("settingsDialog")
        self.setWindowTitle("Settings")
        self.spins: dict[str, QSpinBox] = {}
        form = QFormLayout()
        for key, label, suffix, low, high in _FIELDS:
            spin = QSpinBox()
            spin.setObjectName(f"{key}Setting")
            spin.setAccessibleName(label + suffix)
            spin.setRange(low, high)
            spin.setSuffix(suffix)
            spin.setValue(int(settings.get(key)))
            form.addRow(label, spin)
            self.spins[key] = spin
        self.error = QLabel()
        self.error.setObjectName("settingsError")
        self.error.setStyleSheet(ERROR_STYLE)
        self.error.setWordWrap(True)
        self.error.hide()
        self.ok_button, cancel, buttons = button_row(
            "Save", "settingsSave", "Save settings", "settingsCancel", "Cancel"
        )
        self.ok_button.clicked.connect(self._on_ok_button_clicked)
        cancel.clicked.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addWidget(self.error)
        layout.addLayout(buttons)

    def _on_ok_button_clicked(self) -> None:
        try:
            for key, spin in self.spins.items():
                if int(self._settings.get(key)) != spin.value():
                    self._settings.set(key, spin.value())
        except DomainError as err:
            self.error.setText(str(err))
            self.error.show()
            return
        self.accept()
