"""One goal of a care plan: the person's words, importance and confidence, the action plan,
the follow-up the person chose, and the trend of their scores.

Nothing is saved here: the care plan tab reads ``values()`` and hands them to the service,
then reports what the service refused with ``show_error``. The prompts follow the Year of
Care rules in ``careplan_views``: above 7 for importance agree an action plan; below 7 for
confidence ask what gets in the way and what would move it up a point.
"""

from __future__ import annotations

import re
from datetime import date
from itertools import pairwise
from typing import Any

from PySide6.QtCore import QDate, Qt, Signal
from PySide6.QtWidgets import (
    QAbstractItemView,
    QCheckBox,
    QComboBox,
    QFormLayout,
    QFrame,
    QGroupBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from ltcdesk.services.careplan_views import (
    ACTION_PLAN_ABOVE,
    BARRIERS_BELOW,
    LABELS,
    ActionStep,
    FollowUpHow,
    GoalStatus,
    GoalView,
    needs_action_plan,
    needs_barriers,
)
from ltcdesk.ui.views.record_common import button, named
from ltcdesk.ui.widgets import ErrorLabel, OptionalDateEdit, pad_form_labels, with_error
from ltcdesk.ui.widgets.score_scale import ScoreScale
from ltcdesk.ui.widgets.trend_chart import TrendChart

ACTION_PLAN_PROMPT = "This matters a lot: agree a short action plan — what, when, how often."
BARRIERS_PROMPT = f"Confidence is below {BARRIERS_BELOW}: talk about what gets in the way."

# Fields show_error knows, and the objectName of the red label beside each.
ERROR_FIELDS = {
    "description": "goalDescriptionError",
    "importance": "goalImportanceError",
    "confidence": "goalConfidenceError",
    "follow-up date": "goalFollowUpWhenError",
    "follow-up how": "goalFollowUpHowError",
}

_PROMPT_STYLE = (
    "QFrame#{name} {{ background: {bg}; border: 1px solid {border}; border-radius: 4px; }}"
    " QFrame#{name} QLabel {{ background: transparent; }}"
)
_GROUP_STYLE = (
    "QGroupBox {{ border: {width}px solid {colour}; border-radius: 4px;"
    " margin-top: 1.1em; padding-top: 4px; }}"
    " QGroupBox::title {{ subcontrol-origin: margin; left: 8px; padding: 0 3px;"
    " color: {title}; }}"
)
# The action plan's box turns blue when importance calls for one.
_GROUP_PLAIN = _GROUP_STYLE.format(width=1, colour="#afb8c1", title="#1f2328")
_GROUP_EMPHASISED = _GROUP_STYLE.format(width=2, colour="#005eb8", title="#005eb8")
_STEP_COLUMNS = ("What", "When", "How often", "By")
_BY = 3  # the column holding each step's "by when" date picker
_STEP_FIELD = re.compile(r"^step (\d+)\b")  # "step 2 by when", as the service names it
# A read-only goal still shows its chosen score clearly (the scale greys every button).
_CHECKED_READ_ONLY = (
    "QPushButton:checked:disabled { background: #4a6f96; color: #ffffff;"
    " border: 1px solid #2f4d6b; font-weight: bold; }"
)
_STEP_EDITING = (
    QAbstractItemView.EditTrigger.DoubleClicked
    | QAbstractItemView.EditTrigger.EditKeyPressed
    | QAbstractItemView.EditTrigger.AnyKeyPressed
    | QAbstractItemView.EditTrigger.SelectedClicked
)


def _prompt_frame(
    name: str, accessible: str, bg: str, border: str, text: str
) -> tuple[QFrame, QVBoxLayout]:
    """A hidden tinted box with a line of advice; add fields to the returned layout."""
    frame = QFrame()
    frame.setObjectName(name)
    frame.setAccessibleName(accessible)
    frame.setStyleSheet(_PROMPT_STYLE.format(name=name, bg=bg, border=border))
    label = QLabel(text)
    label.setObjectName(f"{name}Text")
    label.setAccessibleName(text)
    label.setWordWrap(True)
    layout = QVBoxLayout(frame)
    layout.setContentsMargins(8, 5, 8, 5)
    layout.setSpacing(4)
    layout.addWidget(label)
    frame.hide()
    return frame, layout


def _or_none(text: str) -> str | None:
    return text.strip() or None


class GoalEditor(QWidget):
    """Edits one goal; ``changed`` fires on every edit the user makes (not on ``load``)."""

    changed = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._loading = False
        self._first = False
        self._read_only = False
        self._errors: dict[str, ErrorLabel] = {}
        left = self._build_scores()
        right = self._build_plan()
        columns = QHBoxLayout(self)
        columns.setContentsMargins(6, 6, 6, 6)
        columns.setSpacing(12)
        columns.addLayout(left, 1)
        columns.addLayout(right, 1)
        self._set_tab_order()
        self.load(None, first=False)

    # ------------------------------------------------------------------ building

    def _error(self, field: str) -> ErrorLabel:
        label = ErrorLabel(ERROR_FIELDS[field], f"{field.capitalize()} error")
        self._errors[field] = label
        return label

    def _score_and_prompt(
        self, field: str, ends: tuple[str, str], prompt: tuple[str, str, str, str, str]
    ) -> tuple[ScoreScale, QFrame, QVBoxLayout]:
        """A score's scale, and the hidden prompt that its value may call for."""
        scale = ScoreScale(*ends)
        named(scale, f"goal{field.capitalize()}", f"{field.capitalize()}, 0 to 10")
        scale.valueChanged.connect(lambda _value: self._on_score_changed(field))
        scale.setStyleSheet(scale.styleSheet() + _CHECKED_READ_ONLY)
        frame, layout = _prompt_frame(*prompt)
        return scale, frame, layout

    def _build_scores(self) -> QVBoxLayout:
        """The left column: the goal in the person's words, the scores and their prompts."""
        self.heading = QLabel()
        named(self.heading, "goalHeading", "Goal")
        self.heading.setStyleSheet("font-weight: bold;")

        self.description_edit = QPlainTextEdit()
        named(self.description_edit, "goalDescription", "Goal, in the person's own words")
        self.description_edit.setPlaceholderText("In the person's own words")
        self.description_edit.setTabChangesFocus(True)
        lines = self.description_edit.fontMetrics().lineSpacing()
        # At least three lines; more when the column has room, for long goals.
        self.description_edit.setMinimumHeight(lines * 3 + 14)
        self.description_edit.setMaximumHeight(lines * 6 + 14)
        self.description_edit.textChanged.connect(self._on_description_edit_text_changed)

        self.importance_scale, self.action_prompt, _ = self._score_and_prompt(
            "importance",
            ("Not important", "Extremely important"),
            ("goalActionPrompt", "Action plan prompt", "#e8f0fe", "#aecbfa", ACTION_PLAN_PROMPT),
        )
        self.confidence_scale, self.barriers_prompt, prompt_layout = self._score_and_prompt(
            "confidence",
            ("Not confident", "Extremely confident"),
            ("goalBarriersPrompt", "Barriers prompt", "#fef7e0", "#f9d479", BARRIERS_PROMPT),
        )
        self.barriers_edit = QLineEdit()
        named(self.barriers_edit, "goalBarriers", "What gets in the way?")
        self.move_up_edit = QLineEdit()
        named(self.move_up_edit, "goalMoveUp", "What would move confidence up a point?")
        barriers_form = QFormLayout()
        barriers_form.setContentsMargins(0, 0, 0, 0)
        # Labels above their fields, so the person's words get the whole width.
        barriers_form.setRowWrapPolicy(QFormLayout.RowWrapPolicy.WrapAllRows)
        barriers_form.setVerticalSpacing(2)
        barriers_form.addRow("What gets in the wa&y?", self.barriers_edit)
        barriers_form.addRow("What would mo&ve it up a point?", self.move_up_edit)
        pad_form_labels(barriers_form)
        prompt_layout.addLayout(barriers_form)
        for edit in (self.barriers_edit, self.move_up_edit):
            edit.textEdited.connect(self._on_edit)

        self.quick_win_check = QCheckBox("&Quick win (can be done soon)")
        named(self.quick_win_check, "goalQuickWin", "Quick win")
        self.quick_win_check.toggled.connect(self._on_edit)

        def caption(text: str, buddy: QWidget) -> QLabel:
            label = QLabel(text)
            label.setBuddy(buddy)
            label.setWordWrap(True)
            return label

        column = QVBoxLayout()
        column.setSpacing(4)
        column.addWidget(self.heading)
        column.addWidget(caption("&Goal, in the person's own words", self.description_edit))
        column.addWidget(self.description_edit, 1)
        column.addWidget(self._error("description"))
        column.addSpacing(4)
        column.addWidget(
            caption("&Importance: how important is this to you?", self.importance_scale)
        )
        column.addWidget(with_error(self.importance_scale, self._error("importance")))
        column.addWidget(self.action_prompt)
        column.addSpacing(4)
        column.addWidget(
            caption("&Confidence: how sure are you that you can do it?", self.confidence_scale)
        )
        column.addWidget(with_error(self.confidence_scale, self._error("confidence")))
        column.addWidget(self.barriers_prompt)
        column.addWidget(self.quick_win_check)
        column.addSpacing(4)
        column.addLayout(self._build_progress())
        self.general_error = ErrorLabel("goalError", "Goal error")
        column.addWidget(self.general_error)
        column.addStretch(0)  # only once the description is at its tallest
        return column

    def _build_progress(self) -> QFormLayout:
        """Status and the person's comment, recorded again at each follow-up."""
        self.status_combo = QComboBox()
        named(self.status_combo, "goalStatus", "Goal status")
        for status in GoalStatus:
            self.status_combo.addItem(LABELS[status], status.value)
        self.status_combo.currentIndexChanged.connect(self._on_edit)
        self.comment_edit = QLineEdit()
        named(self.comment_edit, "goalComment", "The person's comment")
        self.comment_edit.setPlaceholderText("In the person's own words")
        self.comment_edit.textEdited.connect(self._on_edit)

        form = QFormLayout()
        form.setContentsMargins(0, 0, 0, 0)
        form.addRow("S&tatus", self.status_combo)
        form.addRow("Co&mment", self.comment_edit)
        pad_form_labels(form)
        return form

    def _build_plan(self) -> QVBoxLayout:
        """The right column: the trend, the action plan, follow-up and status."""
        self.trend_chart = TrendChart()
        named(self.trend_chart, "goalTrend", "Importance and confidence over time")
        lines = self.trend_chart.fontMetrics().height()
        self.trend_chart.setFixedHeight(lines * 10)

        self.steps_group = QGroupBox("&Action plan")
        self.steps_group.setObjectName("goalStepsGroup")
        self.steps_group.setStyleSheet(_GROUP_PLAIN)
        self.steps_table = QTableWidget(0, len(_STEP_COLUMNS))
        named(self.steps_table, "goalSteps", "Action plan steps: what, when, how often, by")
        self.steps_table.setHorizontalHeaderLabels(list(_STEP_COLUMNS))
        self.steps_table.verticalHeader().hide()
        # Rows grow to show a long step in full rather than cutting it short.
        self.steps_table.verticalHeader().setSectionResizeMode(
            QHeaderView.ResizeMode.ResizeToContents
        )
        self.steps_table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.steps_table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.steps_table.setEditTriggers(_STEP_EDITING)
        self.steps_table.setTabKeyNavigation(False)
        header = self.steps_table.horizontalHeader()
        header.setSectionResizeMode(0, QHeaderView.ResizeMode.Stretch)
        header.setSectionResizeMode(1, QHeaderView.ResizeMode.Interactive)
        header.setSectionResizeMode(2, QHeaderView.ResizeMode.Interactive)
        header.setSectionResizeMode(_BY, QHeaderView.ResizeMode.Fixed)
        self.steps_table.setColumnWidth(_BY, self._step_date_edit().sizeHint().width())
        by_header = self.steps_table.horizontalHeaderItem(_BY)
        if by_header is not None:
            by_header.setToolTip("By when (optional): a date")
        rows = self.steps_table.verticalHeader().defaultSectionSize()
        self.steps_table.setMinimumHeight(header.sizeHint().height() + rows * 3 + 4)
        self.steps_table.itemChanged.connect(self._on_edit)
        self.steps_table.itemSelectionChanged.connect(self._on_steps_table_selection)
        self.steps_table.currentCellChanged.connect(self._on_steps_table_current_cell)
        self.steps_error = ErrorLabel("goalStepsError", "Action plan error")
        self.add_step_button = button("goalAddStep", "Add &step", "Add action plan step")
        self.remove_step_button = button(
            "goalRemoveStep", "&Remove step", "Remove selected action plan step"
        )
        self.add_step_button.clicked.connect(self._on_add_step_button_clicked)
        self.remove_step_button.clicked.connect(self._on_remove_step_button_clicked)
        step_buttons = QHBoxLayout()
        step_buttons.addWidget(self.add_step_button)
        step_buttons.addWidget(self.remove_step_button)
        step_buttons.addStretch(1)
        steps_layout = QVBoxLayout(self.steps_group)
        steps_layout.setContentsMargins(8, 6, 8, 6)
        steps_layout.addWidget(self.steps_table, 1)
        steps_layout.addWidget(self.steps_error)
        steps_layout.addLayout(step_buttons)

        self.follow_up_who_edit = QLineEdit()
        named(self.follow_up_who_edit, "goalFollowUpWho", "Follow-up: who")
        self.follow_up_who_edit.setPlaceholderText("e.g. Anna, care navigator")
        self.follow_up_who_edit.textEdited.connect(self._on_edit)
        self.follow_up_when_edit = OptionalDateEdit(calendar_years_back=0)
        named(self.follow_up_when_edit, "goalFollowUpWhen", "Follow-up: when (DD/MM/YYYY)")
        # Follow-ups lie ahead; the widget's default limit (today) suits dates of birth.
        self.follow_up_when_edit.setMaximumDate(QDate.currentDate().addYears(5))
        self.follow_up_when_edit.dateChanged.connect(self._on_follow_up_when_edit_date_changed)
        self.follow_up_how_combo = QComboBox()
        named(self.follow_up_how_combo, "goalFollowUpHow", "Follow-up: how")
        self.follow_up_how_combo.setPlaceholderText("Choose how")
        for how in FollowUpHow:
            self.follow_up_how_combo.addItem(LABELS[how], how.value)
        self.follow_up_how_combo.currentIndexChanged.connect(self._on_follow_up_how_combo_index)

        follow_up = QGroupBox("Follow-up, set by the person")
        follow_up.setObjectName("goalFollowUpGroup")
        follow_up.setStyleSheet(_GROUP_PLAIN)
        form = QFormLayout(follow_up)
        form.setContentsMargins(8, 6, 8, 6)
        form.addRow("Wh&o", self.follow_up_who_edit)
        when_cell = with_error(self.follow_up_when_edit, self._error("follow-up date"))
        form.addRow("Whe&n", when_cell)
        form.addRow("Ho&w", with_error(self.follow_up_how_combo, self._error("follow-up how")))
        pad_form_labels(form)

        column = QVBoxLayout()
        column.setSpacing(6)
        column.addWidget(self.trend_chart)
        column.addWidget(self.steps_group, 1)
        column.addWidget(follow_up)
        return column

    def _set_tab_order(self) -> None:
        chain: list[QWidget] = [
            self.description_edit,
            self.importance_scale,
            self.confidence_scale,
            self.barriers_edit,
            self.move_up_edit,
            self.quick_win_check,
            self.status_combo,
            self.comment_edit,
            self.steps_table,
            self.add_step_button,
            self.remove_step_button,
            self.follow_up_who_edit,
            self.follow_up_when_edit,
            self.follow_up_how_combo,
        ]
        for before, after in pairwise(chain):
            QWidget.setTabOrder(before, after)

    # ------------------------------------------------------------------ the goal

    def load(self, goal: GoalView | None, *, first: bool) -> None:
        """Show ``goal`` (None: a blank new goal). ``first``: the plan's first goal, the only
        one that may be a quick win."""
        self._loading = True
        try:
            self._first = first
            self.clear_errors()
            if goal is None:
                self.heading.setText("New goal")
            else:
                self.heading.setText(f"Goal {goal.position}")
            self.description_edit.setPlainText(goal.description if goal else "")
            self.importance_scale.setValue(goal.importance if goal else None)
            self.confidence_scale.setValue(goal.confidence if goal else None)
            self.barriers_edit.setText((goal.barriers if goal else None) or "")
            self.move_up_edit.setText((goal.move_up if goal else None) or "")
            self.quick_win_check.setEnabled(first and not self._read_only)
            self.quick_win_check.setChecked(bool(goal and goal.quick_win and first))
            self.quick_win_check.setToolTip(
                "" if first else "Only the first goal in the plan can be a quick win"
            )
            self._fill_steps(goal.steps if goal else ())
            self.follow_up_who_edit.setText((goal.follow_up_who if goal else None) or "")
            self.follow_up_when_edit.set_value(goal.follow_up_when if goal else None)
            how = goal.follow_up_how if goal else None
            self.follow_up_how_combo.setCurrentIndex(self.follow_up_how_combo.findData(how))
            status = goal.status if goal else GoalStatus.ACTIVE.value
            self.status_combo.setCurrentIndex(max(0, self.status_combo.findData(status)))
            self.comment_edit.setText((goal.comment if goal else None) or "")
            for edit in (
                self.barriers_edit,
                self.move_up_edit,
                self.follow_up_who_edit,
                self.comment_edit,
            ):
                edit.setCursorPosition(0)  # show the start of long text, not its end
            self.trend_chart.set_points(goal.scores if goal else ())
            self._update_prompts()
        finally:
            self._loading = False

    def set_read_only(self, read_only: bool) -> None:
        """Show the goal without letting it change (an agreed or older version)."""
        self._read_only = read_only
        for edit in (
            self.barriers_edit,
            self.move_up_edit,
            self.follow_up_who_edit,
            self.comment_edit,
        ):
            edit.setReadOnly(read_only)
        self.description_edit.setReadOnly(read_only)
        for widget in (
            self.importance_scale,
            self.confidence_scale,
            self.status_combo,
            self.follow_up_how_combo,
        ):
            widget.setEnabled(not read_only)
        self.follow_up_when_edit.setReadOnly(read_only)
        self.quick_win_check.setEnabled(self._first and not read_only)
        self.steps_table.setEditTriggers(
            QAbstractItemView.EditTrigger.NoEditTriggers if read_only else _STEP_EDITING
        )
        for by in self._step_date_edits():
            self._set_step_date_read_only(by, read_only)
        self.add_step_button.setVisible(not read_only)
        self.remove_step_button.setVisible(not read_only)

    def values(self) -> dict[str, Any]:
        """What the user entered. The barriers and what would move confidence up count only
        while their prompt shows (confidence below 7): nothing hidden is saved."""
        confidence = self.confidence_scale.value()
        asked = needs_barriers(confidence)
        return {
            "description": self.description_edit.toPlainText().strip(),
            "importance": self.importance_scale.value(),
            "confidence": confidence,
            "quick_win": self._first and self.quick_win_check.isChecked(),
            "barriers": _or_none(self.barriers_edit.text()) if asked else None,
            "move_up": _or_none(self.move_up_edit.text()) if asked else None,
            "steps": self._steps(),
            "follow_up_who": _or_none(self.follow_up_who_edit.text()),
            "follow_up_when": self.follow_up_when_edit.value(),
            "follow_up_how": self.follow_up_how_combo.currentData(),
            "status": self.status_combo.currentData(),
            "comment": _or_none(self.comment_edit.text()),
        }

    def check_entries(self) -> bool:
        """Show what the editor itself can tell is unfinished (a follow-up or step date
        typed without its year); False if anything is."""
        when = self.follow_up_when_edit
        if not when.is_blank() and not when.is_complete():
            self.show_error("follow-up date", "Add the year to the follow-up date")
            return False
        for n, row in enumerate(self._step_rows(), 1):
            by = self.step_date_edit(row)
            if by is not None and not by.is_blank() and not by.is_complete():
                self.show_error(f"step {n} by when", "Add the year to the date")
                by.setFocus()
                return False
        return True

    # ------------------------------------------------------------------ errors

    def show_error(self, field: str, message: str) -> None:
        """A red message beside ``field`` (one of ERROR_FIELDS); other fields' messages
        show under the scores."""
        if _STEP_FIELD.match(field):
            # One label under all the steps: say which step (the row is selected too).
            if field.lower() not in message.lower():
                message = f"{field[:1].upper()}{field[1:]}: {message}"
            self.steps_error.show_error(message)
            return
        label = self._errors.get(field, self.general_error)
        label.show_error(message)

    def step_control(self, field: str) -> QWidget | None:
        """The control a step's error is about ("step 2 by when": step 2's date), with its
        row selected; None if ``field`` is not about a step."""
        found = _STEP_FIELD.match(field)
        rows = self._step_rows()
        if found is None:
            return None
        n = int(found.group(1))
        if not 0 < n <= len(rows):
            return self.steps_table
        row, part = rows[n - 1], field[found.end() :].strip()
        if part == "by when":
            self.steps_table.selectRow(row)
            return self.step_date_edit(row) or self.steps_table
        self.steps_table.setCurrentCell(row, {"when": 1, "how often": 2}.get(part, 0))
        return self.steps_table

    def clear_errors(self) -> None:
        for label in self._errors.values():
            label.clear_error()
        self.general_error.clear_error()
        self.steps_error.clear_error()

    # ------------------------------------------------------------------ steps

    def _fill_steps(self, steps: tuple[ActionStep, ...]) -> None:
        self.steps_table.setRowCount(0)
        for step in steps:
            self._append_step_row((step.what, step.when or "", step.how_often or ""), step.due_on)
        self._on_steps_table_selection()

    def _step_date_edit(self) -> OptionalDateEdit:
        """A step's optional "by when" date: blank means no date."""
        edit = OptionalDateEdit(calendar_years_back=0)
        named(edit, "goalStepBy", "Action plan step: by when (DD/MM/YYYY), optional")
        edit.setToolTip("By when (optional)")
        # Steps lie ahead; the widget's default limit (today) suits dates of birth.
        edit.setMaximumDate(QDate.currentDate().addYears(5))
        edit.setFrame(False)
        return edit

    def _append_step_row(self, cells: tuple[str, str, str], due: date | None = None) -> int:
        row = self.steps_table.rowCount()
        self.steps_table.insertRow(row)
        for column, text in enumerate(cells):
            self.steps_table.setItem(row, column, QTableWidgetItem(text))
        # Under the picker: not editable as text, so Tab from "How often" lands on the picker.
        under = QTableWidgetItem()
        under.setFlags(Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable)
        self.steps_table.setItem(row, _BY, under)
        by = self._step_date_edit()
        by.set_value(due)
        self._set_step_date_read_only(by, self._read_only)
        by.dateChanged.connect(self._on_step_date_changed)
        # Centred at its own height: a long step makes a tall row, not a tall date box.
        cell = QWidget()
        cell.setFocusProxy(by)
        layout = QVBoxLayout(cell)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(by, 0, Qt.AlignmentFlag.AlignVCenter)
        self.steps_table.setCellWidget(row, _BY, cell)
        self._chain_step_dates()
        return row

    @staticmethod
    def _set_step_date_read_only(by: OptionalDateEdit, read_only: bool) -> None:
        by.setReadOnly(read_only)
        # An agreed plan's step without a date shows nothing rather than a prompt to type.
        by.setSpecialValueText(" " if read_only else "DD/MM/YYYY")

    def step_date_edit(self, row: int) -> OptionalDateEdit | None:
        """The "by when" date of the step in table row ``row``."""
        cell = self.steps_table.cellWidget(row, _BY)
        return cell.findChild(OptionalDateEdit) if cell is not None else None

    def _step_date_edits(self) -> list[OptionalDateEdit]:
        found = (self.step_date_edit(r) for r in range(self.steps_table.rowCount()))
        return [edit for edit in found if edit is not None]

    def _chain_step_dates(self) -> None:
        """Tab goes from the table through each step's date to Add step."""
        chain: list[QWidget] = [self.steps_table, *self._step_date_edits(), self.add_step_button]
        for before, after in pairwise(chain):
            QWidget.setTabOrder(before, after)

    def _step_rows(self) -> list[int]:
        """The table rows that are steps (a row left blank is not), in order: the service's
        "step N" is the Nth of these."""
        return [r for r in range(self.steps_table.rowCount()) if self._cell(r, 0)]

    def _steps(self) -> list[ActionStep]:
        steps: list[ActionStep] = []
        for row in self._step_rows():
            what, when, how_often = (self._cell(row, c) for c in range(_BY))
            by = self.step_date_edit(row)
            steps.append(
                ActionStep(
                    what=what,
                    when=when or None,
                    how_often=how_often or None,
                    due_on=by.value() if by is not None else None,
                )
            )
        return steps

    def _cell(self, row: int, column: int) -> str:
        item = self.steps_table.item(row, column)
        return item.text().strip() if item is not None else ""

    def _on_add_step_button_clicked(self) -> None:
        row = self._append_step_row(("", "", ""), None)
        self.steps_table.setCurrentCell(row, 0)
        self.steps_table.setFocus(Qt.FocusReason.OtherFocusReason)
        self.steps_table.edit(self.steps_table.currentIndex())
        self._on_edit()

    def _on_remove_step_button_clicked(self) -> None:
        row = self.steps_table.currentRow()
        if row < 0:
            return
        self.steps_table.removeRow(row)
        self._on_edit()

    def _on_steps_table_selection(self) -> None:
        self.remove_step_button.setEnabled(bool(self.steps_table.selectedItems()))

    def _on_steps_table_current_cell(self, row: int, column: int, *_previous: int) -> None:
        # Reached from the keyboard (Tab out of "How often"): type the date straight away.
        by = self.step_date_edit(row) if column == _BY else None
        if by is not None and self.steps_table.hasFocus():
            by.setFocus(Qt.FocusReason.TabFocusReason)

    def _on_step_date_changed(self, _day: QDate) -> None:
        self.steps_error.clear_error()
        # Picking a date selects its step, so Remove step acts on the row being worked on.
        for row in range(self.steps_table.rowCount()):
            if self.step_date_edit(row) is self.sender():
                self.steps_table.selectRow(row)
        self._on_edit()

    # ------------------------------------------------------------------ reacting

    def _update_prompts(self) -> None:
        plan = needs_action_plan(self.importance_scale.value())
        self.action_prompt.setVisible(plan)
        self.steps_group.setStyleSheet(_GROUP_EMPHASISED if plan else _GROUP_PLAIN)
        self.steps_group.setTitle("&Action plan: agree one" if plan else "&Action plan")
        self.barriers_prompt.setVisible(needs_barriers(self.confidence_scale.value()))
        self.steps_group.setToolTip(
            f"Importance is above {ACTION_PLAN_ABOVE}: agree what, when and how often"
            if plan
            else ""
        )

    def _on_edit(self, *_args: object) -> None:
        if not self._loading:
            self.changed.emit()

    def _on_description_edit_text_changed(self) -> None:
        self._errors["description"].clear_error()
        self._on_edit()

    def _on_score_changed(self, field: str) -> None:
        self._errors[field].clear_error()
        self._update_prompts()
        self._on_edit()

    def _on_follow_up_when_edit_date_changed(self, _day: QDate) -> None:
        self._errors["follow-up date"].clear_error()
        self._on_edit()

    def _on_follow_up_how_combo_index(self, _index: int) -> None:
        self._errors["follow-up how"].clear_error()
        self._on_edit()
