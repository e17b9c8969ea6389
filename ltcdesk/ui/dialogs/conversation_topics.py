"""Tools ▸ Conversation topics… (administrators): the list of topics a care navigator
ticks in a conversation. Adding a topic offers it from the next conversation on; retiring
one stops offering it while past conversations keep it; a retired topic can come back."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtGui import QBrush, QColor
from PySide6.QtWidgets import (
    QDialog,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from ltcdesk.domain.errors import DomainError
from ltcdesk.services.conversations import CODE_MAX, LABEL_MAX, ConversationService, TopicView
from ltcdesk.ui.widgets import ERROR_STYLE

CODE_ROLE = int(Qt.ItemDataRole.UserRole) + 1
ACTIVE_ROLE = int(Qt.ItemDataRole.UserRole) + 2
RETIRED = QBrush(QColor("#57606a"))


def code_for(label: str) -> str:
    """A stable code from the topic's words: "Falls & fractures" -> "falls_fractures"."""
    text = "".join(ch if ch.isalnum() else " " for ch in label.casefold())
    return "_".join(text.split())[:CODE_MAX].strip("_")


class ConversationTopicsDialog(QDialog):
    def __init__(self, conversations: ConversationService, parent: QWidget | None = None):
        super().__init__(parent)
        self._conversations = conversations
        self.changed = False
        self.setObjectName("conversationTopicsDialog")
        self.setWindowTitle("Conversation topics")
        self.setAccessibleName("Conversation topics")

        intro = QLabel(
            "The topics a care navigator can tick when recording a conversation. Retired "
            "topics are no longer offered; conversations that used them keep them."
        )
        intro.setWordWrap(True)
        self.topic_list = QListWidget()
        self.topic_list.setObjectName("topicList")
        self.topic_list.setAccessibleName("Conversation topics")
        self.topic_list.itemSelectionChanged.connect(self._update_buttons)
        self.retire_button = QPushButton("&Retire")
        self.retire_button.setObjectName("retireTopicButton")
        self.retire_button.setAccessibleName("Retire the selected topic")
        self.retire_button.setAutoDefault(False)
        self.retire_button.clicked.connect(self._on_retire_button_clicked)
        self.restore_button = QPushButton("&Bring back")
        self.restore_button.setObjectName("restoreTopicButton")
        self.restore_button.setAccessibleName("Offer the selected retired topic again")
        self.restore_button.setAutoDefault(False)
        self.restore_button.clicked.connect(self._on_restore_button_clicked)
        side = QVBoxLayout()
        side.addWidget(self.retire_button)
        side.addWidget(self.restore_button)
        side.addStretch(1)
        middle = QHBoxLayout()
        middle.addWidget(self.topic_list, 1)
        middle.addLayout(side)

        self.new_label = QLineEdit()
        self.new_label.setObjectName("newTopicLabel")
        self.new_label.setAccessibleName("New topic")
        self.new_label.setPlaceholderText("New topic, e.g. Falls and fractures")
        self.new_label.setMaxLength(LABEL_MAX)
        self.new_label.returnPressed.connect(self._on_add_button_clicked)
        self.add_button = QPushButton("&Add topic")
        self.add_button.setObjectName("addTopicButton")
        self.add_button.setAccessibleName("Add topic")
        self.add_button.setAutoDefault(False)
        self.add_button.clicked.connect(self._on_add_button_clicked)
        adding = QHBoxLayout()
        adding.addWidget(self.new_label, 1)
        adding.addWidget(self.add_button)

        self.error_label = QLabel()
        self.error_label.setObjectName("topicError")
        self.error_label.setStyleSheet(ERROR_STYLE)
        self.error_label.setWordWrap(True)
        self.error_label.hide()
        close = QPushButton("Close")
        close.setObjectName("closeTopicsButton")
        close.setAutoDefault(False)
        close.clicked.connect(self.accept)
        bottom = QHBoxLayout()
        bottom.addStretch(1)
        bottom.addWidget(close)

        layout = QVBoxLayout(self)
        layout.addWidget(intro)
        layout.addLayout(middle, 1)
        layout.addLayout(adding)
        layout.addWidget(self.error_label)
        layout.addLayout(bottom)
        self.resize(520, 480)
        self.reload()

    def reload(self, current: str | None = None) -> None:
        try:
            topics = self._conversations.topics(include_inactive=True)
        except DomainError as err:
            self._fail(str(err))
            return
        self.topic_list.clear()
        ordered = sorted(topics, key=lambda t: not t.active)  # retired ones last
        for topic in ordered:
            self.topic_list.addItem(self._item(topic))
            if topic.code == current:
                self.topic_list.setCurrentRow(self.topic_list.count() - 1)
        self._update_buttons()

    @staticmethod
    def _item(topic: TopicView) -> QListWidgetItem:
        item = QListWidgetItem(topic.label if topic.active else f"{topic.label} (retired)")
        item.setData(CODE_ROLE, topic.code)
        item.setData(ACTIVE_ROLE, topic.active)
        if not topic.active:
            item.setForeground(RETIRED)
        return item

    def labels(self, *, active: bool = True) -> list[str]:
        """The topics listed (active ones, or the retired ones), as shown."""
        return [
            self.topic_list.item(i).text()
            for i in range(self.topic_list.count())
            if bool(self.topic_list.item(i).data(ACTIVE_ROLE)) is active
        ]

    def select(self, label: str) -> None:
        for i in range(self.topic_list.count()):
            if self.topic_list.item(i).text().removesuffix(" (retired)") == label:
                self.topic_list.setCurrentRow(i)
                return
        raise LookupError(label)

    def _chosen(self) -> QListWidgetItem | None:
        """The selected topic (not merely the one with the focus frame)."""
        chosen = self.topic_list.selectedItems()
        return chosen[0] if chosen else None

    def _update_buttons(self) -> None:
        item = self._chosen()
        active = item is not None and bool(item.data(ACTIVE_ROLE))
        self.retire_button.setEnabled(active)
        self.restore_button.setEnabled(item is not None and not active)

    def _fail(self, message: str) -> None:
        self.error_label.setText(message)
        self.error_label.show()

    def _after_change(self, code: str) -> None:
        self.error_label.hide()
        self.changed = True
        self.reload(code)

    def _on_add_button_clicked(self) -> None:
        label = self.new_label.text().strip()
        if not label:
            self._fail("New topic: type the topic's name.")
            return
        try:
            topic = self._conversations.add_topic(code_for(label) or label, label)
        except DomainError as err:
            self._fail(str(err))
            return
        self.new_label.clear()
        self._after_change(topic.code)

    def _on_retire_button_clicked(self) -> None:
        item = self._chosen()
        if item is None:
            return
        code = str(item.data(CODE_ROLE))
        try:
            self._conversations.deactivate_topic(code)
        except DomainError as err:
            self._fail(str(err))
            return
        self._after_change(code)

    def _on_restore_button_clicked(self) -> None:
        item = self._chosen()
        if item is None:
            return
        code = str(item.data(CODE_ROLE))
        label = item.text().removesuffix(" (retired)")
        try:
            self._conversations.add_topic(code, label)
        except DomainError as err:
            self._fail(str(err))
            return
        self._after_change(code)
