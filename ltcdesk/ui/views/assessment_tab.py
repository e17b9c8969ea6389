"""The patient record's Assessment tab (issue 6). SKELETON: replaced by the full tab."""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtCore import Signal
from PySide6.QtWidgets import QLabel, QVBoxLayout, QWidget

if TYPE_CHECKING:
    from ltcdesk.app import Services


class AssessmentTab(QWidget):
    """``unsavedChanged(bool)``; ``assessmentChanged`` after any write (the care plan too)."""

    unsavedChanged = Signal(bool)
    assessmentChanged = Signal()

    def __init__(
        self, services: Services, nhs: str, role: str, parent: QWidget | None = None
    ) -> None:
        super().__init__(parent)
        self.setObjectName("assessmentTab")
        QVBoxLayout(self).addWidget(QLabel("Assessment"))

    def has_unsaved_changes(self) -> bool:
        return False

    def save(self) -> bool:
        return True

    def refresh(self) -> None:
        return None
