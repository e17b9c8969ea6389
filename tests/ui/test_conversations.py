"""Care navigator conversations, driven as a navigator would on real services: record one
from the patient record's Conversations tab (topics, what matters, signposting, a
follow-up, a flag to the team and a goal re-scored), validation in the dialog, the
caseload's quick action, and the administrator's topic list."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from PySide6.QtCore import QPoint, Qt
from PySide6.QtGui import QAction
from PySide6.QtWidgets import QCheckBox, QComboBox, QLineEdit, QPushButton

from ltcdesk.app import build_services
from ltcdesk.services.careplan_views import CarePlanEdits, GoalEdits
from ltcdesk.services.patients import NewPatient
from ltcdesk.ui import tasks
from ltcdesk.ui.dialogs.conversation_topics import ConversationTopicsDialog
from ltcdesk.ui.dialogs.record_conversation import RecordConversationDialog
from ltcdesk.ui.views.caseload_view import CaseloadView
from tests.ui.test_patient_record import open_record

NHS = "9434765919"
LEFT = Qt.MouseButton.LeftButton
TODAY = date.today()


@pytest.fixture(autouse=True)
def synchronous():
    tasks.set_synchronous(True)
    yield
    tasks.set_synchronous(False)


@pytest.fixture
def registered(team):
    return register_maria(team)


def register_maria(team):
    """Maria O'Kon on Mary Matron's caseload, with an agreed care plan of one goal."""
    lead = build_services(team, "lead")
    lead.patients.register(
        NewPatient(
            nhs_number=NHS,
            family_name="O'Kon",
            given_name="Maria",
            date_of_birth=date(1941, 3, 12),
            practice_code="C82001",
        )
    )
    lead.caseload.assign(NHS, "matron1", 2)
    plans = build_services(team, "matron1").careplans
    draft = plans.start(NHS)
    edits = CarePlanEdits(
        goals=(GoalEdits("Get to the lunch club on Thursdays", 8, 4),),
        review_date=TODAY + timedelta(days=90),
    )
    plans.save_draft(NHS, edits, draft.lock_version)
    plans.agree(NHS, "Maria O'Kon")
    return team


@pytest.fixture
def navigator(registered):
    return build_services(registered, "navigator")


def click(qtbot, button) -> None:
    assert button.isEnabled(), button.objectName()
    if isinstance(button, QCheckBox):  # on the box: a check box's label may not fill it
        qtbot.mouseClick(button, LEFT, pos=QPoint(8, button.height() // 2))
    else:
        qtbot.mouseClick(button, LEFT)


def child(parent, kind, name):
    found = parent.findChild(kind, name)
    assert found is not None, name
    return found


def open_dialog_from_tab(qtbot, services) -> tuple[object, RecordConversationDialog]:
    record = open_record(qtbot, services, NHS)
    record.tabs.setCurrentWidget(record.conversations)
    tab = record.conversations
    assert tab.objectName() == "conversationsTab"
    assert tab.count_label.text() == "No conversations recorded yet."
    click(qtbot, child(tab, QPushButton, "recordConversationButton"))
    dialog = tab.dialog
    assert isinstance(dialog, RecordConversationDialog)
    assert dialog.isVisible()
    assert dialog.objectName() == "recordConversationDialog"
    return tab, dialog


def choose_mode(qtbot, dialog, text: str) -> None:
    combo = child(dialog, QComboBox, "conversationMode")
    combo.setFocus()
    qtbot.keyClicks(combo, text)
    assert combo.currentText() == text


def tick_topic(qtbot, dialog, code: str, note: str | None = None) -> None:
    click(qtbot, child(dialog, QCheckBox, f"topicCheck_{code}"))
    if note is not None:
        qtbot.keyClicks(child(dialog, QLineEdit, f"topicNote_{code}"), note)


def test_a_navigator_records_a_phone_conversation_with_everything(qtbot, navigator):
    tab, dialog = open_dialog_from_tab(qtbot, navigator)
    assert dialog.date_edit.text() == f"{TODAY:%d/%m/%Y}"  # today by default
    choose_mode(qtbot, dialog, "Phone")
    click(qtbot, child(dialog, QCheckBox, "tookPartCarer"))
    tick_topic(qtbot, dialog, "keeping_warm", "Heating on a timer now")
    tick_topic(qtbot, dialog, "loneliness", "Misses her sister")
    qtbot.keyClicks(dialog.what_matters_edit, "Seeing my friends at the lunch club")
    click(qtbot, dialog.add_signpost_button)
    qtbot.keyClicks(dialog.signposts[0].service, "Age UK befriending")
    click(qtbot, dialog.add_follow_up_button)
    qtbot.keyClicks(dialog.follow_ups[0].what, "Call after the first lunch club")
    click(qtbot, child(dialog, QCheckBox, "flagToTeamCheck"))
    qtbot.keyClicks(dialog.flag_reason, "Worried about falls at night")
    # The person re-scores their goal: confidence 4 -> 7.
    (goal,) = dialog.goal_rows
    assert not goal.rescored.isChecked()
    click(qtbot, child(goal.confidence, QPushButton, "scoreButton7"))
    assert goal.rescored.isChecked()

    with qtbot.waitSignal(tab.conversationRecorded):
        click(qtbot, dialog.save_button)
    assert not dialog.isVisible()

    assert tab.table.rowCount() == 1
    shown = [tab.table.item(0, c).text() for c in range(tab.table.columnCount())]
    assert shown == [
        f"{TODAY:%d/%m/%Y}",
        "Phone",
        "Patient and carer",
        "Keeping warm, Loneliness and social contact",
        "Flagged to the team",
    ]
    detail = tab.detail.toPlainText()
    for words in (
        "Heating on a timer now",
        "Misses her sister",
        "Seeing my friends at the lunch club",
        "Age UK befriending",
        "Call after the first lunch club",
        f"due {TODAY + timedelta(days=14):%d/%m/%Y}, by Nadia Navigator",
        "Worried about falls at night",
        "Recorded by Nadia Navigator",
    ):
        assert words in detail, words

    (flag,) = navigator.conversations.flags_open()
    assert (flag.nhs_number, flag.reason) == (NHS, "Worried about falls at night")
    plan = navigator.careplans.current(NHS)
    assert plan is not None
    assert (plan.goals[0].importance, plan.goals[0].confidence) == (8, 7)
    assert plan.goals[0].scores[-1].recorded_by == "Nadia Navigator"  # on the goal's trend


def test_flag_without_a_reason_names_the_field_and_saves_nothing(qtbot, navigator):
    _tab, dialog = open_dialog_from_tab(qtbot, navigator)
    choose_mode(qtbot, dialog, "Visit")
    tick_topic(qtbot, dialog, "eating_well", "Meals on wheels started")
    click(qtbot, child(dialog, QCheckBox, "flagToTeamCheck"))
    click(qtbot, dialog.save_button)

    assert dialog.isVisible()
    assert dialog.error_label.isVisible()
    assert "Flag reason" in dialog.error_label.text()
    assert dialog.focusWidget() is dialog.flag_reason
    # Everything typed is still there.
    assert child(dialog, QLineEdit, "topicNote_eating_well").text() == "Meals on wheels started"
    assert navigator.conversations.list_for(NHS) == []
    assert navigator.conversations.flags_open() == []

    # Given a reason, the same dialog saves.
    qtbot.keyClicks(dialog.flag_reason, "Lost weight")
    click(qtbot, dialog.save_button)
    assert not dialog.isVisible()
    assert len(navigator.conversations.list_for(NHS)) == 1


def test_a_service_refusal_shows_in_the_dialog_with_the_field_named(qtbot, navigator):
    _tab, dialog = open_dialog_from_tab(qtbot, navigator)
    choose_mode(qtbot, dialog, "Video")  # neither a topic nor what matters
    click(qtbot, dialog.save_button)
    assert dialog.isVisible()
    assert dialog.error_label.text().startswith("Topics:")
    assert navigator.conversations.list_for(NHS) == []


def test_mode_is_required(qtbot, navigator):
    _tab, dialog = open_dialog_from_tab(qtbot, navigator)
    tick_topic(qtbot, dialog, "transport")
    click(qtbot, dialog.save_button)
    assert "Mode" in dialog.error_label.text()
    assert navigator.conversations.list_for(NHS) == []


def test_a_read_only_user_cannot_record(qtbot, registered):
    build_services(registered, "admin").setup.add_staff(
        "reader", "Rita Reader", "read_only", team="Northfield"
    )
    record = open_record(qtbot, build_services(registered, "reader"), NHS)
    record.tabs.setCurrentWidget(record.conversations)
    assert not record.conversations.record_button.isEnabled()


def test_recording_from_the_caseload_quick_action(qtbot, registered):
    matron = build_services(registered, "matron1")
    view = CaseloadView(matron, "mine")
    qtbot.addWidget(view)
    view.resize(1300, 600)
    view.show()
    qtbot.waitExposed(view)
    button = view.conversation_actions.record_button
    assert button.objectName() == "recordConversationButton"
    assert not button.isEnabled()  # nobody selected
    view.table.selectRow(0)
    click(qtbot, button)
    dialog = view.conversation_actions.dialog
    assert isinstance(dialog, RecordConversationDialog)
    assert dialog.windowTitle() == "Record a conversation with Maria O'Kon"
    choose_mode(qtbot, dialog, "Visit")
    tick_topic(qtbot, dialog, "safe_at_home", "Grab rail fitted")
    click(qtbot, dialog.save_button)
    assert not dialog.isVisible()
    (saved,) = matron.conversations.list_for(NHS)
    assert saved.mode == "visit"
    assert view.message_label.text() == "Conversation with Maria O'Kon saved."
    # Only the team lead assigns navigators.
    assert not view.conversation_actions.assign_button.isVisible()


def test_admin_adds_and_retires_topics(qtbot, registered):
    admin = build_services(registered, "admin")
    topics = ConversationTopicsDialog(admin.conversations)
    qtbot.addWidget(topics)
    topics.show()
    qtbot.keyClicks(topics.new_label, "Falls and fractures")
    click(qtbot, topics.add_button)
    assert "Falls and fractures" in topics.labels()
    topics.select("Keeping warm")
    click(qtbot, topics.retire_button)
    assert "Keeping warm" not in topics.labels()
    assert "Keeping warm (retired)" in topics.labels(active=False)

    navigator = build_services(registered, "navigator")
    dialog = RecordConversationDialog(navigator, NHS)
    qtbot.addWidget(dialog)
    assert "falls_and_fractures" in dialog.topic_checks
    assert dialog.topic_checks["falls_and_fractures"].text() == "Falls and fractures"
    assert "keeping_warm" not in dialog.topic_checks

    # Brought back, it is offered again.
    topics.select("Keeping warm")
    click(qtbot, topics.restore_button)
    again = RecordConversationDialog(navigator, NHS)
    qtbot.addWidget(again)
    assert "keeping_warm" in again.topic_checks


def test_the_topics_action_is_for_administrators_only(qtbot, registered):
    from ltcdesk import app

    for user, enabled in (("admin", True), ("lead", False), ("navigator", False)):
        window = app.build_main_window(registered, user)
        qtbot.addWidget(window)
        action = window.findChild(QAction, "conversationTopicsAction")
        assert action is not None
        assert action.isEnabled() is enabled, user
