"""The care plan's goals while they are edited: the list on the left, the GoalEditor on the
right, and each goal's values as the user left them when moving to another goal.

A goal's values are read back through the editor once on loading, so that comparing them
later says only whether the user changed something (not how the editor tidies text)."""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from typing import Any

from PySide6.QtCore import Signal
from PySide6.QtWidgets import (
    QLabel,
    QListWidget,
    QListWidgetItem,
    QVBoxLayout,
    QWidget,
)

from ltcdesk.services.careplan_views import GoalEdits, GoalView, goal_edits_from
from ltcdesk.ui.views.goal_editor import ERROR_FIELDS, GoalEditor
from ltcdesk.ui.views.record_common import button, button_strip, named
from ltcdesk.ui.widgets import ErrorLabel

_LIST_WORDS = 48
# Values of a goal that say nothing yet: a new goal left like this is not saved.
_BLANK_KEYS = ("description", "importance", "confidence", "follow_up_who", "follow_up_when")


@dataclass
class WorkingGoal:
    base: GoalView | None  # as saved; None for a goal added since
    values: dict[str, Any]  # GoalEditor.values()


def is_blank(values: dict[str, Any]) -> bool:
    return not any(values.get(k) not in (None, "") for k in _BLANK_KEYS) and not values["steps"]


def list_text(position: int, values: dict[str, Any]) -> str:
    words = " ".join(str(values.get("description") or "").split())
    if not words:
        words = "(new goal)"
    elif len(words) > _LIST_WORDS:
        words = words[: _LIST_WORDS - 1].rstrip() + "…"

    def score(key: str) -> str:
        value = values.get(key)
        return "–" if value is None else str(value)

    return f"{position}. {words}  I {score('importance')} · C {score('confidence')}"


class GoalsPanel(QWidget):
    """The goal list with Add goal and Remove goal; drives ``editor`` (placed elsewhere)."""

    changed = Signal()
    goalSelected = Signal()

    def __init__(self, editor: GoalEditor) -> None:
        super().__init__()
        self.editor = editor
        self._goals: list[WorkingGoal] = []
        self._index = -1
        self._editable = False
        self._filling = False

        title = QLabel("<b>Goals</b>")
        self.goal_list = QListWidget()
        named(self.goal_list, "goalList", "Goals")
        self.goal_list.setWordWrap(True)
        self.goal_list.setSpacing(2)
        self.goal_list.currentRowChanged.connect(self._on_goal_list_current_row_changed)
        self.error = ErrorLabel("goalsError", "Goals error")
        self.add_button = button("addGoalButton", "Add goal", "Add goal")
        self.remove_button = button("removeGoalButton", "Remove goal", "Remove selected goal")
        self.add_button.clicked.connect(self._on_add_button_clicked)
        self.remove_button.clicked.connect(self._on_remove_button_clicked)
        buttons = button_strip(self.add_button, self.remove_button)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(4)
        layout.addWidget(title)
        layout.addWidget(self.goal_list, 1)
        layout.addWidget(self.error)
        layout.addLayout(buttons)
        editor.changed.connect(self._on_editor_changed)

    # ------------------------------------------------------------------ loading

    def load(self, goals: tuple[GoalView, ...], editable: bool, select: int = 0) -> None:
        """Show ``goals``; an editable plan without goals starts with a blank one to type in."""
        self._editable = editable
        self.editor.set_read_only(not editable)
        self._goals = []
        for n, goal in enumerate(goals):
            self.editor.load(goal, first=n == 0)
            self._goals.append(WorkingGoal(goal, self.editor.values()))
        if not goals and editable:
            self.editor.load(None, first=True)
            self._goals.append(WorkingGoal(None, self.editor.values()))
        self._index = -1
        self.error.clear_error()
        self._fill(min(select, len(self._goals) - 1))

    def _fill(self, select: int) -> None:
        self._filling = True
        try:
            self.goal_list.clear()
            for n, goal in enumerate(self._goals, 1):
                item = QListWidgetItem(list_text(n, goal.values))
                item.setToolTip(str(goal.values.get("description") or ""))
                self.goal_list.addItem(item)
        finally:
            self._filling = False
        self._index = -1
        self.goal_list.setCurrentRow(select)
        if select < 0:
            self.editor.load(None, first=True)
            self.editor.setEnabled(False)
        self._update_buttons()

    def _show(self, index: int) -> None:
        self._index = index
        goal = self._goals[index]
        self.editor.setEnabled(True)
        self.editor.load(self._as_view(goal, index + 1), first=index == 0)
        self.goalSelected.emit()

    @staticmethod
    def _as_view(goal: WorkingGoal, position: int) -> GoalView:
        v, base = goal.values, goal.base
        return GoalView(
            id=base.id if base else 0,
            position=position,
            description=v["description"],
            importance=v["importance"],
            confidence=v["confidence"],
            quick_win=v["quick_win"],
            barriers=v["barriers"],
            move_up=v["move_up"],
            steps=tuple(v["steps"]),
            follow_up_who=v["follow_up_who"],
            follow_up_when=v["follow_up_when"],
            follow_up_how=v["follow_up_how"],
            status=v["status"],
            comment=v["comment"],
            scores=base.scores if base else (),
            goal_key=base.goal_key if base else "",
        )

    # ------------------------------------------------------------------ reading

    def snapshot(self) -> list[dict[str, Any]]:
        """The goals as the user has left them, blank new ones aside."""
        return [g.values for g in self._goals if not is_blank(g.values)]

    def edits(self) -> tuple[tuple[GoalEdits, ...], list[int]]:
        """The goals to save, and for each its row in the list (blank new goals skipped)."""
        out: list[GoalEdits] = []
        rows: list[int] = []
        for row, goal in enumerate(self._goals):
            if is_blank(goal.values):
                continue
            edits = goal_edits_from(self._as_view(goal, len(out) + 1))
            out.append(
                dataclasses.replace(
                    edits,
                    id=goal.base.id if goal.base else None,
                    quick_win=edits.quick_win and not out,
                )
            )
            rows.append(row)
        return tuple(out), rows

    def current_row(self) -> int:
        return self._index

    def current_saved_goal(self) -> GoalView | None:
        """The selected goal as saved (None for a goal not saved yet)."""
        if 0 <= self._index < len(self._goals):
            return self._goals[self._index].base
        return None

    # ------------------------------------------------------------------ errors

    def show_goal_error(self, row: int, field: str, message: str) -> None:
        """A service error about the goal in list row ``row``, beside its field."""
        if 0 <= row < len(self._goals):
            self.goal_list.setCurrentRow(row)
        self.editor.show_error(field, message)
        targets = {
            "description": self.editor.description_edit,
            "importance": self.editor.importance_scale,
            "confidence": self.editor.confidence_scale,
            "follow-up date": self.editor.follow_up_when_edit,
            "follow-up how": self.editor.follow_up_how_combo,
        }
        target = targets.get(field) if field in ERROR_FIELDS else None
        target = target or self.editor.step_control(field)  # "step 2 by when": its date
        (target or self.goal_list).setFocus()

    def show_error(self, message: str) -> None:
        self.error.show_error(message)
        self.goal_list.setFocus()

    # ------------------------------------------------------------------ reacting

    def _update_buttons(self) -> None:
        self.add_button.setVisible(self._editable)
        self.remove_button.setVisible(self._editable)
        self.remove_button.setEnabled(self._editable and self._index >= 0)

    def _on_goal_list_current_row_changed(self, row: int) -> None:
        if self._filling or row < 0 or row == self._index:
            return
        self._show(row)
        self._update_buttons()

    def _on_editor_changed(self) -> None:
        if not (0 <= self._index < len(self._goals)):
            return
        goal = self._goals[self._index]
        goal.values = self.editor.values()
        item = self.goal_list.item(self._index)
        if item is not None:
            item.setText(list_text(self._index + 1, goal.values))
            item.setToolTip(str(goal.values.get("description") or ""))
        self.error.clear_error()
        self.changed.emit()

    def _on_add_button_clicked(self) -> None:
        self.editor.load(None, first=not self._goals)
        self._goals.append(WorkingGoal(None, self.editor.values()))
        self._fill(len(self._goals) - 1)
        self.editor.description_edit.setFocus()
        self.changed.emit()

    def _on_remove_button_clicked(self) -> None:
        if not (0 <= self._index < len(self._goals)):
            return
        row = self._index
        del self._goals[row]
        self._fill(min(row, len(self._goals) - 1))
        self.changed.emit()
