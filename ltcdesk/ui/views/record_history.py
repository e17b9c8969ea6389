"""The record's Caseload history tab: every assignment, newest first."""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtWidgets import QHeaderView, QLabel, QVBoxLayout, QWidget

from ltcdesk.domain.vocab import LEVEL_LABELS, AssignmentChange
from ltcdesk.ui.views.record_common import Row, dmy, fill_table, make_table

if TYPE_CHECKING:
    from ltcdesk.services.caseload import AssignmentView


def _change_label(change: str | None) -> str:
    if not change:
        return ""
    try:
        return AssignmentChange(change).label
    except ValueError:
        return change


class HistoryTab(QWidget):
    def __init__(self) -> None:
        super().__init__()
        self.history_table = make_table(
            "historyTable",
            "Caseload history",
            [
                "From",
                "To",
                "Level",
                "Key worker",
                "How it started",
                "Reason",
                "How it ended",
                "Recorded by",
            ],
        )
        self.history_empty = QLabel("Not on anyone's caseload so far.")
        self.history_empty.setObjectName("historyEmptyLabel")
        note = QLabel("Newest first. Steps up and down, transfers and discharges are kept here.")
        note.setObjectName("historyNote")
        note.setStyleSheet("color: #5f6368;")
        layout = QVBoxLayout(self)
        layout.addWidget(note)
        layout.addWidget(self.history_empty)
        layout.addWidget(self.history_table, 1)

    def show_history(self, history: tuple[AssignmentView, ...]) -> None:
        """``history`` oldest first, as the service gives it."""
        rows: list[Row] = []
        for i, a in enumerate(history):
            following = history[i + 1] if i + 1 < len(history) else None
            ended = _change_label(a.end_change)
            # A step's reason is shown once, on the row it started; other endings say why.
            if a.end_reason and (following is None or following.start_reason != a.end_reason):
                repeats = ended and a.end_reason.lower().startswith(ended.lower())
                ended = f"{ended}: {a.end_reason}" if ended and not repeats else a.end_reason
            rows.append(
                (
                    [
                        dmy(a.start_date),
                        dmy(a.end_date, "Current"),
                        LEVEL_LABELS.get(a.level, str(a.level)),
                        a.key_worker_name,
                        _change_label(a.start_change),
                        a.start_reason or "",
                        ended,
                        a.recorded_by,
                    ],
                    None,
                    str(a.id),
                )
            )
        rows.reverse()
        fill_table(self.history_table, rows)
        self.history_table.horizontalHeader().setSectionResizeMode(
            5, QHeaderView.ResizeMode.Stretch
        )
        self.history_table.resizeRowsToContents()
        self.history_empty.setVisible(not rows)
        self.history_table.setVisible(bool(rows))
