"""The goal editor, the 0–10 score scale and the trend chart, driven as a user would."""

from __future__ import annotations

from dataclasses import replace
from datetime import date, timedelta

import pytest
from PySide6.QtCore import Qt
from PySide6.QtGui import QColor
from PySide6.QtWidgets import (
    QAbstractButton,
    QAbstractItemView,
    QApplication,
    QCalendarWidget,
    QComboBox,
    QDateEdit,
    QLineEdit,
    QPlainTextEdit,
    QTableWidget,
    QWidget,
)

from ltcdesk.services.careplan_views import ActionStep, GoalView, ScorePoint
from ltcdesk.ui.views.goal_editor import ACTION_PLAN_PROMPT, GoalEditor
from ltcdesk.ui.widgets.score_scale import ScoreScale
from ltcdesk.ui.widgets.trend_chart import (
    CONFIDENCE_COLOUR,
    IMPORTANCE_COLOUR,
    TrendChart,
)

WORDS = "Walk to the corner shop on my own and back without stopping"
SCORES = (
    ScorePoint(date(2026, 5, 12), 6, 3, "active", "Too far for now", "Mary Matron"),
    ScorePoint(date(2026, 8, 20), 7, 4, "active", None, "Mary Matron"),
    ScorePoint(date(2026, 11, 20), 8, 7, "partly_achieved", "Halfway", "Anna Kowalski"),
)
GOAL = GoalView(
    id=1,
    position=1,
    description=WORDS,
    importance=8,
    confidence=5,
    quick_win=True,
    barriers="My knees hurt and I'm scared of falling on the kerb",
    move_up="If Ana walked with me the first few times",
    steps=(
        ActionStep("Walk to the end of the road and back", "After breakfast", "Daily"),
        ActionStep("Knee exercises from the physio sheet", None, "Twice a day"),
    ),
    follow_up_who="Anna Kowalski, care navigator",
    follow_up_when=date(2026, 12, 15),
    follow_up_how="navigator_call",
    status="active",
    comment="I got halfway last week before I had to rest",
    scores=SCORES,
)


def focused() -> QWidget:
    widget = QApplication.focusWidget()
    assert widget is not None
    return widget


def press(qtbot, key: Qt.Key | str, times: int = 1) -> None:
    """A key pressed wherever the keyboard focus is, as a user would."""
    for _ in range(times):
        qtbot.keyClick(focused(), key)


@pytest.fixture
def editor(qtbot) -> GoalEditor:
    widget = GoalEditor()
    qtbot.addWidget(widget)
    widget.resize(900, 560)
    widget.show()
    with qtbot.waitActive(widget):
        widget.activateWindow()
    return widget


@pytest.fixture
def scale(qtbot) -> ScoreScale:
    widget = ScoreScale("Not important", "Extremely important")
    widget.setObjectName("testScale")
    widget.setAccessibleName("Importance")
    qtbot.addWidget(widget)
    widget.show()
    with qtbot.waitActive(widget):
        widget.activateWindow()
    widget.setFocus()
    return widget


def test_a_goal_entered_with_the_keyboard_only_prompts_as_the_scores_change(qtbot, editor):
    editor.load(None, first=True)
    editor.description_edit.setFocus()
    qtbot.keyClicks(editor.description_edit, WORDS)
    assert not editor.action_prompt.isVisible()
    assert not editor.barriers_prompt.isVisible()

    press(qtbot, Qt.Key.Key_Tab)
    assert focused() is editor.importance_scale
    press(qtbot, "8")
    assert editor.action_prompt.isVisible()
    assert editor.action_prompt.findChild(QWidget, "goalActionPromptText").text() == (
        ACTION_PLAN_PROMPT
    )
    assert "agree one" in editor.steps_group.title()

    press(qtbot, Qt.Key.Key_Tab)
    assert focused() is editor.confidence_scale
    press(qtbot, "5")
    assert editor.barriers_prompt.isVisible()
    assert editor.barriers_edit.isVisible()
    assert editor.move_up_edit.isVisible()

    press(qtbot, Qt.Key.Key_Tab)
    assert focused() is editor.barriers_edit
    qtbot.keyClicks(editor.barriers_edit, "My knees")
    press(qtbot, Qt.Key.Key_Tab)
    assert focused() is editor.move_up_edit
    qtbot.keyClicks(editor.move_up_edit, "Someone to walk with")
    values = editor.values()
    assert values["description"] == WORDS
    assert (values["importance"], values["confidence"]) == (8, 5)
    assert (values["barriers"], values["move_up"]) == ("My knees", "Someone to walk with")

    press(qtbot, Qt.Key.Key_Backtab, times=2)
    assert focused() is editor.confidence_scale
    press(qtbot, "7")
    assert not editor.barriers_prompt.isVisible()
    assert editor.values()["barriers"] is None  # hidden, so not saved
    press(qtbot, Qt.Key.Key_Backtab)
    press(qtbot, "7")
    assert not editor.action_prompt.isVisible()
    assert editor.steps_group.title() == "&Action plan"


def test_the_scale_is_one_tab_stop_and_its_buttons_never_take_focus(scale):
    buttons = scale.findChildren(QAbstractButton)
    assert len(buttons) == 11
    assert [b.text() for b in buttons] == [str(n) for n in range(11)]
    assert all(b.focusPolicy() == Qt.FocusPolicy.NoFocus for b in buttons)
    assert scale.focusPolicy() == Qt.FocusPolicy.StrongFocus


def test_one_then_zero_quickly_gives_ten_and_slowly_gives_zero(qtbot, scale):
    now = [100.0]
    scale._clock = lambda: now[0]
    with qtbot.waitSignal(scale.valueChanged) as blocker:
        qtbot.keyClick(scale, "1")
    assert blocker.args == [1]
    now[0] += 0.4
    qtbot.keyClick(scale, "0")
    assert scale.value() == 10
    assert scale.findChild(QAbstractButton, "scoreButton10").isChecked()

    qtbot.keyClick(scale, "1")
    now[0] += 1.5
    qtbot.keyClick(scale, "0")
    assert scale.value() == 0

    qtbot.keyClick(scale, "0")  # a second 0 is still 0, not 10
    assert scale.value() == 0


def test_real_clock_one_zero_typed_at_once_gives_ten(qtbot, scale):
    qtbot.keyClicks(scale, "10")
    assert scale.value() == 10


def test_arrows_home_and_end_move_the_score_and_delete_clears_it(qtbot, scale):
    assert scale.value() is None
    qtbot.keyClick(scale, Qt.Key.Key_Right)
    assert scale.value() == 0  # from "not scored" the arrows start at the left end
    qtbot.keyClick(scale, Qt.Key.Key_Right)
    qtbot.keyClick(scale, Qt.Key.Key_Up)
    assert scale.value() == 2
    qtbot.keyClick(scale, Qt.Key.Key_Left)
    qtbot.keyClick(scale, Qt.Key.Key_Down)
    qtbot.keyClick(scale, Qt.Key.Key_Down)
    assert scale.value() == 0
    qtbot.keyClick(scale, Qt.Key.Key_End)
    qtbot.keyClick(scale, Qt.Key.Key_Right)
    assert scale.value() == 10  # stays at the end
    qtbot.keyClick(scale, Qt.Key.Key_Home)
    assert scale.value() == 0
    qtbot.keyClick(scale, Qt.Key.Key_Delete)
    assert scale.value() is None
    assert not any(b.isChecked() for b in scale.findChildren(QAbstractButton))


def test_a_click_chooses_the_score_and_the_description_says_it_in_words(qtbot, scale):
    assert scale.accessibleDescription().startswith("Not scored yet.")
    with qtbot.waitSignal(scale.valueChanged) as blocker:
        qtbot.mouseClick(
            scale.findChild(QAbstractButton, "scoreButton8"), Qt.MouseButton.LeftButton
        )
    assert blocker.args == [8]
    assert scale.value() == 8
    assert scale.accessibleDescription() == (
        "8 out of 10 (eight). 0 is not important, 10 is extremely important."
    )
    assert scale.low_label.text() == "Not important"
    assert scale.high_label.text() == "Extremely important"


def test_set_value_rejects_scores_outside_zero_to_ten(scale):
    with pytest.raises(ValueError, match="0 to 10"):
        scale.setValue(11)


def test_the_scale_fits_eleven_buttons_in_its_minimum_width(scale):
    scale.resize(scale.minimumSizeHint())
    for push in scale.findChildren(QAbstractButton):
        assert push.width() >= push.fontMetrics().horizontalAdvance(push.text())


def test_values_round_trip_from_a_loaded_goal(editor):
    editor.load(GOAL, first=True)
    assert editor.values() == {
        "description": WORDS,
        "importance": 8,
        "confidence": 5,
        "quick_win": True,
        "barriers": GOAL.barriers,
        "move_up": GOAL.move_up,
        "steps": list(GOAL.steps),
        "follow_up_who": "Anna Kowalski, care navigator",
        "follow_up_when": date(2026, 12, 15),
        "follow_up_how": "navigator_call",
        "status": "active",
        "comment": GOAL.comment,
    }
    assert editor.heading.text() == "Goal 1"
    assert editor.follow_up_how_combo.currentText() == "Call from the care navigator"
    assert editor.follow_up_when_edit.text() == "15/12/2026"
    assert editor.trend_chart.points() == SCORES


def test_a_new_goal_starts_blank_and_active(editor):
    editor.load(GOAL, first=True)
    editor.load(None, first=False)
    values = editor.values()
    assert values["description"] == ""
    assert values["importance"] is None
    assert values["confidence"] is None
    assert values["steps"] == []
    assert values["follow_up_when"] is None
    assert values["follow_up_how"] is None
    assert values["status"] == "active"
    assert not editor.action_prompt.isVisible()
    assert not editor.barriers_prompt.isVisible()
    assert editor.trend_chart.accessibleDescription() == "No scores yet"


def test_only_the_first_goal_can_be_a_quick_win(qtbot, editor):
    editor.load(GOAL, first=False)
    assert not editor.quick_win_check.isEnabled()
    assert not editor.quick_win_check.isChecked()
    assert editor.values()["quick_win"] is False

    editor.load(None, first=True)
    assert editor.quick_win_check.isEnabled()
    editor.quick_win_check.setFocus()
    qtbot.keyClick(editor.quick_win_check, Qt.Key.Key_Space)
    assert editor.values()["quick_win"] is True


def test_steps_are_added_typed_and_removed(qtbot, editor):
    editor.load(None, first=True)
    qtbot.mouseClick(editor.add_step_button, Qt.MouseButton.LeftButton)
    table = editor.steps_table
    assert table.rowCount() == 1
    assert table.state() == QAbstractItemView.State.EditingState
    what_editor = focused()
    qtbot.keyClicks(what_editor, "Walk to the end of the road")
    press(qtbot, Qt.Key.Key_Tab)  # on to the next cell: when
    qtbot.waitUntil(
        lambda: (
            table.currentColumn() == 1
            and isinstance(focused(), QLineEdit)
            and focused() is not what_editor
        )
    )
    qtbot.keyClicks(focused(), "After breakfast")
    press(qtbot, Qt.Key.Key_Return)  # the view commits the text once events are processed
    qtbot.waitUntil(lambda: table.state() == QAbstractItemView.State.NoState)
    assert editor.values()["steps"] == [
        ActionStep("Walk to the end of the road", "After breakfast", None)
    ]

    qtbot.mouseClick(editor.add_step_button, Qt.MouseButton.LeftButton)
    press(qtbot, Qt.Key.Key_Escape)
    assert len(editor.values()["steps"]) == 1  # a blank row is not a step
    table.selectRow(0)
    assert editor.remove_step_button.isEnabled()
    qtbot.mouseClick(editor.remove_step_button, Qt.MouseButton.LeftButton)
    assert table.rowCount() == 1
    assert editor.values()["steps"] == []


def test_changed_fires_on_edits_but_not_on_load(qtbot, editor):
    seen: list[int] = []
    editor.changed.connect(lambda: seen.append(1))
    editor.load(GOAL, first=True)
    assert seen == []
    editor.confidence_scale.setFocus()
    with qtbot.waitSignal(editor.changed):
        qtbot.keyClick(editor.confidence_scale, "6")
    with qtbot.waitSignal(editor.changed):
        qtbot.keyClicks(editor.comment_edit, " and back")
    with qtbot.waitSignal(editor.changed):
        editor.status_combo.setCurrentIndex(editor.status_combo.findData("achieved"))
    assert editor.values()["status"] == "achieved"


def test_errors_show_beside_their_field_and_clear(qtbot, editor):
    editor.load(None, first=True)
    editor.show_error("importance", "Choose a score from 0 to 10")
    editor.show_error("follow-up date", "Follow-up date is in the past")
    editor.show_error("steps", "Too many steps")
    importance_error = editor.findChild(QWidget, "goalImportanceError")
    date_error = editor.findChild(QWidget, "goalFollowUpWhenError")
    assert importance_error.isVisible()
    assert importance_error.text() == "Choose a score from 0 to 10"
    assert date_error.text() == "Follow-up date is in the past"
    assert editor.findChild(QWidget, "goalError").text() == "Too many steps"

    editor.importance_scale.setFocus()
    qtbot.keyClick(editor.importance_scale, "4")
    assert not importance_error.isVisible()  # fixed, so the message goes
    editor.clear_errors()
    assert not date_error.isVisible()
    assert not editor.findChild(QWidget, "goalError").isVisible()


def test_a_follow_up_date_without_its_year_is_reported(qtbot, editor):
    editor.load(None, first=True)
    editor.follow_up_when_edit.setFocus()
    qtbot.keyClicks(editor.follow_up_when_edit, "1512")
    assert editor.values()["follow_up_when"] is None
    assert not editor.check_entries()
    assert editor.findChild(QWidget, "goalFollowUpWhenError").isVisible()


def test_trend_chart_says_the_trend_in_words_and_lists_every_point(qtbot):
    chart = TrendChart()
    qtbot.addWidget(chart)
    chart.set_points(SCORES)
    assert chart.accessibleDescription() == (
        "Importance 6 to 8, confidence 3 to 7 over 3 follow-ups, 12/05/2026 to 20/11/2026"
    )
    assert chart.toolTip().splitlines() == [
        "12/05/2026: importance 6, confidence 3 (Active)",
        "20/08/2026: importance 7, confidence 4 (Active)",
        "20/11/2026: importance 8, confidence 7 (Partly achieved)",
    ]
    chart.set_points(SCORES[:1])
    assert chart.accessibleDescription() == (
        "Importance 6, confidence 3, scored once on 12/05/2026"
    )


def _colours(widget: QWidget) -> set[str]:
    image = widget.grab().toImage()
    return {
        QColor(image.pixel(x, y)).name()
        for x in range(0, image.width(), 1)
        for y in range(0, image.height(), 1)
    }


def test_trend_chart_draws_both_lines_and_an_empty_state(qtbot):
    chart = TrendChart()
    qtbot.addWidget(chart)
    chart.resize(360, 150)
    assert chart.accessibleDescription() == "No scores yet"
    assert chart.toolTip() == "No scores yet"
    empty = _colours(chart)
    assert IMPORTANCE_COLOUR.name() not in empty
    chart.set_points(SCORES)
    drawn = _colours(chart)
    assert {IMPORTANCE_COLOUR.name(), CONFIDENCE_COLOUR.name()} <= drawn


def test_every_control_has_an_object_name_and_accessible_name(editor):
    editor.load(GOAL, first=True)
    kinds = (
        QAbstractButton,
        QComboBox,
        QDateEdit,
        QLineEdit,
        QPlainTextEdit,
        QTableWidget,
        ScoreScale,
        TrendChart,
    )
    controls = [
        w
        for w in editor.findChildren(QWidget)
        if isinstance(w, kinds)
        # Qt's own parts (the line edit inside a date edit or combo, the table's corner)
        # but the scale's own buttons.
        and not isinstance(w.parent(), (*kinds[:-2], QCalendarWidget))
        and not w.objectName().startswith("qt_")
    ]
    names = {w.objectName() for w in controls}
    assert {
        "goalDescription",
        "goalImportance",
        "goalConfidence",
        "goalQuickWin",
        "goalBarriers",
        "goalMoveUp",
        "goalSteps",
        "goalFollowUpWho",
        "goalFollowUpWhen",
        "goalFollowUpHow",
        "goalStatus",
        "goalComment",
        "goalTrend",
        "scoreButton0",
        "scoreButton10",
    } <= names
    missing = [
        f"{type(w).__name__} {w.objectName()!r} {w.accessibleName()!r}"
        for w in controls
        if not (w.objectName() and w.accessibleName())
    ]
    assert missing == []


def test_a_steps_date_is_shown_edited_and_cleared(qtbot, editor):
    by = date.today() + timedelta(days=30)
    dated = ActionStep("Ring the surgery", None, None, by)
    goal = replace(GOAL, steps=(dated, *GOAL.steps))
    editor.load(goal, first=True)
    table = editor.steps_table
    assert table.horizontalHeaderItem(3).text() == "By"
    first, second = editor.step_date_edit(0), editor.step_date_edit(1)
    assert (first.text(), second.text()) == (f"{by:%d/%m/%Y}", "DD/MM/YYYY")
    assert editor.values()["steps"][0].due_on == by
    with qtbot.waitSignal(editor.changed):
        first.clear_date()
    assert editor.values()["steps"][0] == ActionStep("Ring the surgery", None, None)
    assert table.selectedItems()[0].row() == 0  # the step being worked on is selected
    second.setFocus()
    with qtbot.waitSignal(editor.changed):
        qtbot.keyClicks(second, f"{by:%d%m%Y}")
    assert editor.values()["steps"][1].due_on == by
    editor.set_read_only(True)
    assert second.isReadOnly()
