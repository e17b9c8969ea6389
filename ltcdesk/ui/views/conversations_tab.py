"""The patient record's Conversations tab (issue 6). SKELETON: replaced by the full tab."""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtCore import Signal
from PySide6.QtWidgets import QLabel, QVBoxLayout, QWidget

if TYPE_CHECKING:
    from ltcdesk.app import Services


class ConversationsTab(QWidget):
    """``conversationRecorded`` after a conversation is saved (goal scores may change)."""

    conversationRecorded = Signal()

    def __init__(
        self, services: Services, nhs: str, role: str, parent: QWidget | None = None
    ) -> None:
        super().__init__(parent)
        self.setObjectName("conversationsTab")
        QVBoxLayout(self).addWidget(QLabel("Conversations"))

    def refresh(self) -> None:
        return None
