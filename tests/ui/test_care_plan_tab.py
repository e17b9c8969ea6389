"""The patient record's Care plan tab, driven as a user would on real services: start a
plan, enter a goal with the keyboard, save, agree, start a review, compare versions,
validation beside the field, printing to PDF, permissions and unsaved changes."""

from __future__ import annotations

import dataclasses
import io
from datetime import date, datetime, timedelta

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QAbstractButton,
    QApplication,
    QCalendarWidget,
    QComboBox,
    QDateEdit,
    QFileDialog,
    QLabel,
    QLineEdit,
    QListWidget,
    QMessageBox,
    QPlainTextEdit,
    QTabBar,
    QTableWidget,
    QWidget,
)

from ltcdesk.app import build_services
from ltcdesk.services.careplan_views import CarePlanEdits, GoalEdits, edits_from
from ltcdesk.services.patients import NewPatient
from ltcdesk.ui import tasks
from ltcdesk.ui.views.care_plan_tab import CarePlanTab
from ltcdesk.ui.views.goal_editor import ACTION_PLAN_PROMPT, BARRIERS_PROMPT
from ltcdesk.ui.views.patient_record import PatientRecord
from tests.ui.test_patient_record import open_record

NHS = "9434765919"
WORDS = "Walk to the corner shop on my own"
TODAY = date.today()
REVIEW = TODAY + timedelta(days=90)
ISSUE_NAMES = (
    "carePlanTab",
    "goalList",
    "goalImportance",
    "goalConfidence",
    "goalFollowUpWho",
    "goalFollowUpWhen",
    "goalFollowUpHow",
    "agreePlanButton",
    "startReviewButton",
    "printPlanButton",
)


@pytest.fixture
def registered(team):
    """María O'Kon, registered and on Mary Matron's caseload."""
    lead = build_services(team, "lead")
    lead.patients.register(
        NewPatient(
            nhs_number=NHS,
            family_name="O'Kon",
            given_name="María",
            date_of_birth=date(1941, 3, 12),
            practice_code="C82001",
        )
    )
    lead.caseload.assign(NHS, "matron1", 2)
    return team


@pytest.fixture
def services(registered):
    return build_services(registered, "matron1")


def agreed_plan(db, *, review=True) -> None:
    s = build_services(db, "matron1").careplans
    draft = s.start(NHS)
    edits = CarePlanEdits(
        goals=(GoalEdits(WORDS, 8, 5, follow_up_who="Mary Matron"),),
        review_date=REVIEW if review else None,
    )
    s.save_draft(NHS, edits, draft.lock_version)
    s.agree(NHS, "María O'Kon")


def open_plan(qtbot, services) -> tuple[PatientRecord, CarePlanTab]:
    record = open_record(qtbot, services, NHS)
    record.tabs.setCurrentWidget(record.care_plan)
    return record, record.care_plan


def click(qtbot, push: QAbstractButton) -> None:
    assert push.isEnabled(), push.objectName()
    qtbot.mouseClick(push, Qt.MouseButton.LeftButton)


def focused() -> QWidget:
    widget = QApplication.focusWidget()
    assert widget is not None
    return widget


def press(qtbot, key) -> None:
    qtbot.keyClick(focused(), key)


def prompt_text(frame: QWidget) -> str:
    label = frame.findChild(QLabel, f"{frame.objectName()}Text")
    assert label is not None
    assert label.isVisible()
    return label.text()


def type_date(qtbot, edit: QDateEdit, day: date) -> None:
    edit.setFocus()
    qtbot.keyClicks(edit, f"{day:%d%m%Y}")


def section(tab: CarePlanTab, title: str) -> None:
    for index in range(tab.sections.count()):
        if tab.sections.tabText(index).replace("&&", "&") == title:
            tab.sections.setCurrentIndex(index)
            return
    raise AssertionError(title)


def start_with_goal(qtbot, tab: CarePlanTab, words=WORDS, importance="8", confidence="5"):
    click(qtbot, tab.start_button)
    editor = tab.goal_editor
    assert focused() is editor.description_edit
    qtbot.keyClicks(editor.description_edit, words)
    press(qtbot, Qt.Key.Key_Tab)
    assert focused() is editor.importance_scale
    press(qtbot, importance)
    press(qtbot, Qt.Key.Key_Tab)
    assert focused() is editor.confidence_scale
    press(qtbot, confidence)


def test_no_plan_explains_and_offers_to_start(qtbot, services):
    _record, tab = open_plan(qtbot, services)
    assert tab.stack.currentIndex() == 0
    assert tab.empty_label.isVisible()
    assert "No care plan yet" in tab.empty_label.text()
    assert tab.start_button.isVisible()
    assert tab.start_button.isEnabled()
    assert not tab.has_unsaved_changes()


def test_keyboard_goal_save_agree_review_and_compare(qtbot, services):
    record, tab = open_plan(qtbot, services)
    editor = tab.goal_editor
    click(qtbot, tab.start_button)
    assert tab.plan is not None
    assert (tab.plan.version, tab.plan.status) == (1, "draft")
    assert focused() is editor.description_edit

    qtbot.keyClicks(editor.description_edit, WORDS)
    press(qtbot, Qt.Key.Key_Tab)
    assert focused() is editor.importance_scale
    press(qtbot, "8")
    assert editor.action_prompt.isVisible()
    assert ACTION_PLAN_PROMPT in prompt_text(editor.action_prompt)
    press(qtbot, Qt.Key.Key_Tab)
    assert focused() is editor.confidence_scale
    press(qtbot, "5")
    assert editor.barriers_prompt.isVisible()
    assert BARRIERS_PROMPT in prompt_text(editor.barriers_prompt)
    assert tab.goals.goal_list.item(0).text() == f"1. {WORDS}  I 8 · C 5"

    section(tab, "Keeping well & review")
    type_date(qtbot, tab.keeping.review_date_edit, REVIEW)
    assert tab.has_unsaved_changes()
    assert record.has_unsaved_changes()
    assert tab.save_button.isEnabled()

    click(qtbot, tab.save_button)
    assert not tab.has_unsaved_changes()
    assert not record.has_unsaved_changes()
    saved = services.careplans.current(NHS)
    assert [(g.description, g.importance, g.confidence) for g in saved.goals] == [(WORDS, 8, 5)]
    assert saved.review_date == REVIEW
    assert "Saved at" in tab.saved_label.text()

    # Agree: who agreed, defaulting to the person's name; recorded with today's date.
    click(qtbot, tab.agree_button)
    dialog = tab.agree_dialog
    assert dialog is not None
    assert dialog.agreed_with_edit.text() == "María O'Kon"
    qtbot.keyClick(dialog.agreed_with_edit, Qt.Key.Key_End)
    qtbot.keyClicks(dialog.agreed_with_edit, " and her daughter Ana")
    click(qtbot, dialog.ok_button)
    plan = tab.plan
    assert plan is not None
    assert (plan.status, plan.agreed_on, plan.agreed_by) == ("agreed", TODAY, "Mary Matron")
    assert plan.agreed_with == "María O'Kon and her daughter Ana"
    assert "Agreed" in tab.status_label.text()
    assert "her daughter Ana" in tab.status_label.text()
    assert editor.description_edit.isReadOnly()
    assert not editor.importance_scale.isEnabled()
    assert not tab.agree_button.isEnabled()
    assert not tab.save_button.isVisible()

    # Start a review: version 2 is a draft; version 1 stays readable.
    click(qtbot, tab.review_button)
    assert (tab.plan.version, tab.plan.status) == (2, "draft")
    combo = tab.version_combo
    assert [combo.itemData(i) for i in range(combo.count())] == [2, 1]
    assert combo.itemText(1) == f"Version 1 · agreed {TODAY:%d/%m/%Y}"
    combo.setCurrentIndex(1)
    assert tab.plan.version == 1
    assert editor.description_edit.toPlainText() == WORDS
    assert editor.description_edit.isReadOnly()
    assert "earlier version" in tab.status_label.text()
    combo.setCurrentIndex(0)
    assert tab.plan.version == 2
    assert not editor.description_edit.isReadOnly()

    # Change a score, save, compare versions 1 and 2.
    section(tab, "Goal")
    editor.confidence_scale.setFocus()
    press(qtbot, "7")
    assert not editor.barriers_prompt.isVisible()
    click(qtbot, tab.save_button)
    assert tab.plan.goals[0].confidence == 7
    click(qtbot, tab.compare_button)
    compare = tab.compare_dialog
    assert compare is not None
    assert compare.from_combo.currentData() == 1
    assert compare.to_combo.currentData() == 2
    rows = compare.rows()
    assert any(
        "confidence" in item.lower() and (before, after) == ("5", "7")
        for _section, item, before, after in rows
    ), rows
    assert compare.table.horizontalHeaderItem(2).text() == "Before"
    compare.accept()


def test_scores_stay_0_to_10_and_service_errors_show_beside_the_field(qtbot, services):
    _record, tab = open_plan(qtbot, services)
    editor = tab.goal_editor
    start_with_goal(qtbot, tab)
    # "1" then "1" is 1 (ten is "1" then "0"): 11 cannot be entered.
    press(qtbot, "1")
    press(qtbot, "1")
    assert editor.confidence_scale.value() == 1
    with pytest.raises(ValueError, match="0 to 10"):
        editor.confidence_scale.setValue(11)

    # A second goal whose follow-up date is already past.
    click(qtbot, tab.goals.add_button)
    assert tab.goals.goal_list.currentRow() == 1
    assert focused() is editor.description_edit
    qtbot.keyClicks(editor.description_edit, "Sleep through the night")
    press(qtbot, Qt.Key.Key_Tab)
    press(qtbot, "9")
    press(qtbot, Qt.Key.Key_Tab)
    press(qtbot, "3")
    type_date(qtbot, editor.follow_up_when_edit, TODAY - timedelta(days=1))
    tab.goals.goal_list.setCurrentRow(0)  # the user moves on to goal 1
    click(qtbot, tab.save_button)

    error = editor.findChild(QWidget, "goalFollowUpWhenError")
    assert tab.goals.goal_list.currentRow() == 1
    assert error.isVisible()
    assert "is in the past" in error.text()
    assert tab.has_unsaved_changes()  # the user's edits are kept
    assert editor.description_edit.toPlainText() == "Sleep through the night"
    assert services.careplans.current(NHS).goals == ()


def add_step(qtbot, editor, what: str) -> None:
    """Add step, type what the person will do, then Tab through When and How often."""
    click(qtbot, editor.add_step_button)
    qtbot.keyClicks(focused(), what)
    press(qtbot, Qt.Key.Key_Tab)  # when
    press(qtbot, Qt.Key.Key_Tab)  # how often
    press(qtbot, Qt.Key.Key_Tab)  # by: the step's date


def test_a_step_date_typed_in_the_goal_editor_is_saved(qtbot, services):
    _record, tab = open_plan(qtbot, services)
    editor = tab.goal_editor
    start_with_goal(qtbot, tab)
    by = TODAY + timedelta(days=21)
    add_step(qtbot, editor, "Ring the surgery to book a blood test")
    qtbot.waitUntil(lambda: focused().objectName() == "goalStepBy")
    date_edit = focused()
    assert date_edit is editor.step_date_edit(0)
    assert date_edit.text() == "DD/MM/YYYY"  # blank: no date yet
    qtbot.keyClicks(date_edit, f"{by:%d%m%Y}")
    assert date_edit.text() == f"{by:%d/%m/%Y}"
    add_step(qtbot, editor, "Walk to the gate and back")  # a step with no date
    assert tab.has_unsaved_changes()
    click(qtbot, tab.save_button)
    assert not tab.has_unsaved_changes()

    saved = services.careplans.current(NHS).goals[0].steps
    assert [(st.what, st.due_on) for st in saved] == [
        ("Ring the surgery to book a blood test", by),
        ("Walk to the gate and back", None),
    ]
    # Shown again after saving, and read-only once agreed.
    assert editor.step_date_edit(0).text() == f"{by:%d/%m/%Y}"
    assert editor.step_date_edit(1).text() == "DD/MM/YYYY"
    section(tab, "Keeping well & review")
    type_date(qtbot, tab.keeping.review_date_edit, REVIEW)
    click(qtbot, tab.save_button)
    click(qtbot, tab.agree_button)
    click(qtbot, tab.agree_dialog.ok_button)
    assert tab.plan.status == "agreed"
    assert editor.step_date_edit(0).isReadOnly()
    assert editor.step_date_edit(0).text() == f"{by:%d/%m/%Y}"
    assert editor.step_date_edit(1).text().strip() == ""  # no date: nothing to type now
    assert not editor.add_step_button.isVisible()


def test_a_past_step_date_is_refused_beside_the_steps(qtbot, services):
    _record, tab = open_plan(qtbot, services)
    editor = tab.goal_editor
    start_with_goal(qtbot, tab)
    add_step(qtbot, editor, "Ring the surgery")
    qtbot.waitUntil(lambda: focused().objectName() == "goalStepBy")
    qtbot.keyClicks(focused(), f"{TODAY - timedelta(days=1):%d%m%Y}")
    click(qtbot, tab.save_button)

    error = editor.findChild(QWidget, "goalStepsError")
    assert error.isVisible()
    assert error.text() == f"Step 1 by when: {TODAY - timedelta(days=1):%d/%m/%Y} is in the past"
    assert focused() is editor.step_date_edit(0)
    assert tab.has_unsaved_changes()
    assert services.careplans.current(NHS).goals == ()  # nothing saved
    # A date typed without its year is caught before saving.
    focused().clear_date()
    assert not error.isVisible()  # changed, so the message goes
    qtbot.keyClicks(focused(), "0503")
    click(qtbot, tab.save_button)
    assert error.isVisible()
    assert error.text() == "Step 1 by when: Add the year to the date"
    assert services.careplans.current(NHS).goals == ()


def test_agree_refused_without_a_review_date(qtbot, services):
    _record, tab = open_plan(qtbot, services)
    start_with_goal(qtbot, tab)
    click(qtbot, tab.save_button)
    click(qtbot, tab.agree_button)
    click(qtbot, tab.agree_dialog.ok_button)
    error = tab.keeping.findChild(QWidget, "planReviewDateError")
    assert error.isVisible()
    assert error.text() == "Review date is required to agree the plan"
    assert tab.sections.tabText(tab.sections.currentIndex()) == "Keeping well && review"
    assert tab.plan.status == "draft"


def test_agree_refused_without_goals_says_so_beside_the_list(qtbot, services):
    _record, tab = open_plan(qtbot, services)
    click(qtbot, tab.start_button)
    click(qtbot, tab.agree_button)
    click(qtbot, tab.agree_dialog.ok_button)
    assert tab.goals.error.isVisible()
    assert "at least one goal" in tab.goals.error.text()


def test_print_to_pdf_writes_the_goal(qtbot, services, registered, tmp_path, monkeypatch):
    from pypdf import PdfReader

    agreed_plan(registered)
    _record, tab = open_plan(qtbot, services)
    target = tmp_path / "plan.pdf"
    monkeypatch.setattr(
        QFileDialog, "getSaveFileName", staticmethod(lambda *a, **k: (str(target), "PDF"))
    )
    tasks.set_synchronous(True)
    try:
        click(qtbot, tab.print_button)
        dialog = tab.print_dialog
        assert dialog is not None
        click(qtbot, dialog.radios["printLargePrint"])
        click(qtbot, dialog.save_button)
    finally:
        tasks.set_synchronous(False)
    assert dialog.saved_path == target
    text = " ".join(p.extract_text() for p in PdfReader(io.BytesIO(target.read_bytes())).pages)
    assert "corner shop" in " ".join(text.split())
    assert "Saved to" in dialog.status.text()


def test_print_on_paper_sends_every_page_to_the_printer(
    qtbot, services, registered, tmp_path, monkeypatch
):
    from pypdf import PdfReader
    from PySide6.QtPrintSupport import QPrintDialog, QPrinter

    from ltcdesk.reports.care_plan import render_care_plan_pdf

    agreed_plan(registered)
    _record, tab = open_plan(qtbot, services)
    click(qtbot, tab.print_button)
    dialog = tab.print_dialog
    paper = tmp_path / "printed.pdf"  # a printer that writes a file, as a test stand-in
    dialog.printer.setOutputFormat(QPrinter.OutputFormat.PdfFormat)
    dialog.printer.setOutputFileName(str(paper))
    monkeypatch.setattr(QPrintDialog, "exec", lambda self: QPrintDialog.DialogCode.Accepted)
    click(qtbot, dialog.print_button)
    plan = services.careplans.agreed(NHS)
    expected = len(
        PdfReader(
            io.BytesIO(render_care_plan_pdf(plan, printed_by="x", printed_at=datetime.now()))
        ).pages
    )
    assert len(PdfReader(paper).pages) == expected
    assert dialog.status.text() == f"Sent {expected} pages to the printer."


def test_follow_up_of_an_agreed_goal_adds_to_its_trend(qtbot, services, registered):
    agreed_plan(registered)
    _record, tab = open_plan(qtbot, services)
    assert tab.follow_up_button.isEnabled()
    click(qtbot, tab.follow_up_button)
    dialog = tab.follow_up_dialog
    assert dialog.importance_scale.value() == 8
    qtbot.keyClick(dialog.confidence_scale, "7")
    qtbot.keyClicks(dialog.comment_edit, "Got there with Ana")
    click(qtbot, dialog.ok_button)
    goal = tab.plan.goals[0]
    assert (goal.confidence, goal.comment) == (7, "Got there with Ana")
    assert tab.plan.status == "agreed"
    assert len(tab.goal_editor.trend_chart.points()) == len(goal.scores)


def test_care_navigator_can_edit_but_not_agree(qtbot, registered):
    navigator = build_services(registered, "navigator")
    _record, tab = open_plan(qtbot, navigator)
    start_with_goal(qtbot, tab)
    assert not tab.agree_button.isEnabled()
    assert "cannot agree" in tab.agree_button.toolTip()
    assert not tab.close_button.isEnabled()
    click(qtbot, tab.save_button)
    assert navigator.careplans.current(NHS).goals[0].importance == 8


@pytest.mark.parametrize("username", ["admin", "reader"])
def test_read_only_roles_see_the_plan_but_cannot_change_it(qtbot, registered, username):
    if username == "reader":
        build_services(registered, "admin").setup.add_staff(
            "reader", "Rita Reader", "read_only", team="Northfield"
        )
    agreed_plan(registered)
    _record, tab = open_plan(qtbot, build_services(registered, username))
    assert tab.goal_editor.description_edit.toPlainText() == WORDS
    for push in (tab.review_button, tab.agree_button, tab.close_button, tab.follow_up_button):
        assert not push.isEnabled(), push.objectName()
    assert tab.print_button.isEnabled()


def test_plan_edits_count_as_unsaved_in_the_record(qtbot, services, registered, monkeypatch):
    agreed_plan(registered)
    record, tab = open_plan(qtbot, services)
    click(qtbot, tab.review_button)
    section(tab, "About me")
    tab.about.about_edit.setFocus()
    qtbot.keyClicks(tab.about.about_edit, "I like my garden")
    assert tab.has_unsaved_changes()
    assert record.has_unsaved_changes()
    assert not record.save_button.isEnabled()  # the record's own Save is for its details
    asked: list[str] = []

    def no(_parent, _title, text, *_a):
        asked.append(text)
        return QMessageBox.StandardButton.No

    monkeypatch.setattr(QMessageBox, "question", no)
    assert not record.can_close()
    assert "care plan" in asked[0]
    # Ctrl+S on the Care plan tab saves the plan.
    qtbot.keyClick(tab.about.about_edit, Qt.Key.Key_S, Qt.KeyboardModifier.ControlModifier)
    assert not record.has_unsaved_changes()
    assert services.careplans.current(NHS).about_me == "I like my garden"


def test_stale_save_says_who_and_keeps_the_edits(qtbot, services, registered):
    _record, tab = open_plan(qtbot, services)
    start_with_goal(qtbot, tab)
    lead = build_services(registered, "lead").careplans
    theirs = lead.current(NHS)
    lead.save_draft(
        NHS, dataclasses.replace(edits_from(theirs), about_me="From Tessa"), theirs.lock_version
    )
    click(qtbot, tab.save_button)
    assert tab.stale_banner.isVisible()
    assert "Tessa Lead" in tab.stale_label.text()
    assert tab.has_unsaved_changes()
    assert tab.goal_editor.description_edit.toPlainText() == WORDS
    click(qtbot, tab.stale_banner.findChild(QAbstractButton, "planSaveMineButton"))
    assert not tab.stale_banner.isVisible()
    assert services.careplans.current(NHS).goals[0].description == WORDS


def test_every_control_is_named_including_the_issue_names(qtbot, services, registered):
    agreed_plan(registered)
    record, tab = open_plan(qtbot, services)
    for name in ISSUE_NAMES:
        assert record.findChild(QWidget, name) is not None, name
    kinds = (
        QAbstractButton,
        QComboBox,
        QDateEdit,
        QLineEdit,
        QPlainTextEdit,
        QTableWidget,
        QListWidget,
    )
    controls = [
        w
        for w in tab.findChildren(QWidget)
        if isinstance(w, kinds)
        and not isinstance(w.parent(), (*kinds, QTabBar, QCalendarWidget))
        and not w.objectName().startswith("qt_")
    ]
    missing = [
        f"{type(w).__name__} {w.objectName()!r}"
        for w in controls
        if not (w.objectName() and w.accessibleName())
    ]
    assert missing == []
