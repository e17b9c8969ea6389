"""The patient record's Conversations tab (issue 6): the care navigator conversations held
with the person, newest first, the selected one in full, and "Record a conversation…".

Loaded on first show, as the care plan tab is: opening a record does not read (and audit)
conversations nobody looked at.
"""

from __future__ import annotations

from html import escape
from typing import TYPE_CHECKING

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QShowEvent
from PySide6.QtWidgets import (
    QAbstractItemView,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QMessageBox,
    QPushButton,
    QSplitter,
    QTableWidget,
    QTableWidgetItem,
    QTextBrowser,
    QVBoxLayout,
    QWidget,
)

from ltcdesk.domain.errors import DomainError
from ltcdesk.domain.permissions import Action, allowed, denial_message
from ltcdesk.services.conversations import ConversationView

if TYPE_CHECKING:
    from ltcdesk.app import Services
    from ltcdesk.ui.dialogs.record_conversation import RecordConversationDialog

HEADERS = ("Date", "Mode", "Who took part", "Topics", "Flag")
ID_ROLE = int(Qt.ItemDataRole.UserRole) + 1


def took_part(c: ConversationView) -> str:
    if c.with_patient and c.with_carer:
        return "Patient and carer"
    return "Patient" if c.with_patient else "Carer"


def flag_text(c: ConversationView) -> str:
    if not c.flag_to_team:
        return ""
    return "Flagged (handled)" if c.flag_handled else "Flagged to the team"


def mode_label(mode: str) -> str:
    from ltcdesk.ui.dialogs.record_conversation import MODE_LABELS

    return MODE_LABELS.get(mode, mode.capitalize())


def detail_html(c: ConversationView, topic_labels: dict[str, str]) -> str:
    """The conversation in full, as the detail pane shows it (all text escaped)."""

    def words(text: str | None) -> str:
        return escape(text or "").replace("\n", "<br>")

    parts = [
        f"<h3>{mode_label(c.mode)} conversation on {c.held_on:%d/%m/%Y}</h3>",
        f"<p>With: {took_part(c).lower()}. Recorded by {escape(c.recorded_by)}.</p>",
    ]
    if c.flag_to_team:
        state = "handled at a meeting" if c.flag_handled else "for the next whiteboard meeting"
        parts.append(
            f"<p style='color:#8A1538'><b>Flagged to the team</b> ({state}): "
            f"{words(c.flag_reason)}</p>"
        )
    if c.topics:
        items = "".join(
            f"<li><b>{escape(topic_labels.get(t.code, t.code))}</b>"
            + (f": {words(t.note)}" if t.note else "")
            + "</li>"
            for t in c.topics
        )
        parts.append(f"<h4>Topics</h4><ul>{items}</ul>")
    if c.what_matters:
        parts.append(f"<h4>What matters to me</h4><p><i>“{words(c.what_matters)}”</i></p>")
    if c.signposting:
        items = "".join(
            f"<li>{escape(service)} ({on:%d/%m/%Y})</li>" for service, on in c.signposting
        )
        parts.append(f"<h4>Signposting given</h4><ul>{items}</ul>")
    if c.follow_ups:
        items = "".join(
            f"<li>{escape(f.what)} – due {f.due:%d/%m/%Y}"
            + (f", by {escape(f.by_whom)}" if f.by_whom else "")
            + (f" (done {f.done_on:%d/%m/%Y})" if f.done_on else "")
            + "</li>"
            for f in c.follow_ups
        )
        parts.append(f"<h4>Follow-ups</h4><ul>{items}</ul>")
    return "".join(parts)


class ConversationsTab(QWidget):
    """``conversationRecorded`` after a conversation is saved (goal scores may change)."""

    conversationRecorded = Signal()

    def __init__(
        self, services: Services, nhs: str, role: str, parent: QWidget | None = None
    ) -> None:
        super().__init__(parent)
        self._services = services
        self._nhs = nhs
        self._role = role
        self._loaded = False
        self._conversations: list[ConversationView] = []
        self._topic_labels: dict[str, str] = {}
        self.dialog: RecordConversationDialog | None = None
        self.setObjectName("conversationsTab")
        self.setAccessibleName("Conversations")
        self._build()

    def _build(self) -> None:
        self.record_button = QPushButton("&Record a conversation…")
        self.record_button.setObjectName("recordConversationButton")
        self.record_button.setAccessibleName("Record a conversation")
        may = allowed(self._role, Action.EDIT_CARERS)
        self.record_button.setEnabled(may)
        self.record_button.setToolTip(
            "Record a guided conversation with the person or their carer"
            if may
            else denial_message(self._role, Action.EDIT_CARERS)
        )
        self.record_button.clicked.connect(self._on_record_button_clicked)
        self.count_label = QLabel()
        self.count_label.setObjectName("conversationCount")
        self.count_label.setAccessibleName("Number of conversations")
        top = QHBoxLayout()
        top.addWidget(self.count_label, 1)
        top.addWidget(self.record_button)

        self.table = QTableWidget(0, len(HEADERS))
        self.table.setObjectName("conversationList")
        self.table.setAccessibleName("Conversations, newest first")
        self.table.setHorizontalHeaderLabels(HEADERS)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.verticalHeader().setVisible(False)
        self.table.setWordWrap(False)
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(3, QHeaderView.ResizeMode.Stretch)
        self.table.itemSelectionChanged.connect(self._on_table_item_selection_changed)

        self.detail = QTextBrowser()
        self.detail.setObjectName("conversationDetail")
        self.detail.setAccessibleName("The selected conversation")
        self.detail.setOpenLinks(False)

        splitter = QSplitter(Qt.Orientation.Vertical)
        splitter.setObjectName("conversationSplitter")
        splitter.addWidget(self.table)
        splitter.addWidget(self.detail)
        splitter.setStretchFactor(0, 2)
        splitter.setStretchFactor(1, 3)

        layout = QVBoxLayout(self)
        layout.addLayout(top)
        layout.addWidget(splitter, 1)

    # ------------------------------------------------------------------ loading

    def showEvent(self, event: QShowEvent) -> None:
        super().showEvent(event)
        self.ensure_loaded()

    def ensure_loaded(self) -> None:
        if not self._loaded:
            self.reload()

    def refresh(self) -> None:
        """Something changed elsewhere: reload if already shown once."""
        if self._loaded:
            self.reload()

    def reload(self, select_id: int | None = None) -> None:
        current = self.selected()
        keep = select_id if select_id is not None else (current.id if current else None)
        try:
            conversations = self._services.conversations.list_for(self._nhs)
            topics = self._services.conversations.topics(include_inactive=True)
        except DomainError as err:
            self.count_label.setText("Could not load the conversations")
            self.detail.setPlainText(str(err))
            return
        self._loaded = True
        self._conversations = conversations
        self._topic_labels = {t.code: t.label for t in topics}
        self._fill(keep)

    def _fill(self, keep: int | None) -> None:
        table = self.table
        blocked = table.blockSignals(True)
        try:
            table.setRowCount(len(self._conversations))
            for row, c in enumerate(self._conversations):
                topics = ", ".join(self._topic_labels.get(t.code, t.code) for t in c.topics)
                cells = (
                    f"{c.held_on:%d/%m/%Y}",
                    mode_label(c.mode),
                    took_part(c),
                    topics or "—",
                    flag_text(c),
                )
                for column, text in enumerate(cells):
                    item = QTableWidgetItem(text)
                    item.setData(ID_ROLE, c.id)
                    if column == 3:
                        item.setToolTip(topics)
                    table.setItem(row, column, item)
        finally:
            table.blockSignals(blocked)
        n = len(self._conversations)
        self.count_label.setText(
            "No conversations recorded yet."
            if n == 0
            else f"{n} conversation{'s' if n != 1 else ''}, newest first"
        )
        rows = [r for r, c in enumerate(self._conversations) if c.id == keep]
        if rows or n:
            table.selectRow(rows[0] if rows else 0)
        self._show_selected()

    # ------------------------------------------------------------------ selection

    def conversations(self) -> list[ConversationView]:
        return list(self._conversations)

    def selected(self) -> ConversationView | None:
        rows = self.table.selectionModel().selectedRows() if self.table.selectionModel() else []
        if not rows or not 0 <= rows[0].row() < len(self._conversations):
            return None
        return self._conversations[rows[0].row()]

    def _on_table_item_selection_changed(self) -> None:
        self._show_selected()

    def _show_selected(self) -> None:
        chosen = self.selected()
        if chosen is None:
            self.detail.setHtml(
                "<p>No conversation selected.</p>"
                if self._conversations
                else "<p>Care navigator conversations with this person appear here.</p>"
            )
            return
        self.detail.setHtml(detail_html(chosen, self._topic_labels))

    # ------------------------------------------------------------------ recording

    def open_record_dialog(self) -> RecordConversationDialog | None:
        """Open (without blocking) the dialog to record a conversation with this person."""
        from ltcdesk.ui.dialogs.record_conversation import RecordConversationDialog

        try:
            dialog = RecordConversationDialog(self._services, self._nhs, parent=self)
        except DomainError as err:
            QMessageBox.warning(self, "Record a conversation", str(err))
            return None
        if self.dialog is not None:
            self.dialog.deleteLater()
        self.dialog = dialog
        dialog.recorded.connect(self._on_dialog_recorded)
        dialog.open()
        return dialog

    def _on_record_button_clicked(self) -> None:
        self.open_record_dialog()

    def _on_dialog_recorded(self, saved: ConversationView) -> None:
        self.reload(select_id=saved.id)
        self.conversationRecorded.emit()
