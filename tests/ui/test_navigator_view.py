"""A care navigator's own list, as the navigator and the team lead use it: last contact,
who is due a call, recording a conversation from the list, and the team lead assigning
patients to a navigator (from the list and from the caseload)."""

from __future__ import annotations

from datetime import date

import pytest
from PySide6.QtCore import QPoint, Qt
from PySide6.QtWidgets import QCheckBox

from ltcdesk.app import build_services
from ltcdesk.services.conversations import ConversationInput, TopicNote
from ltcdesk.services.patients import NewPatient
from ltcdesk.ui import tasks
from ltcdesk.ui.dialogs.assign_navigator import AssignNavigatorDialog
from ltcdesk.ui.dialogs.record_conversation import RecordConversationDialog
from ltcdesk.ui.views.caseload_view import CaseloadView
from ltcdesk.ui.views.navigator_view import Column, NavigatorListView
from tests.ui.test_conversations import NHS, choose_mode, register_maria

LEFT = Qt.MouseButton.LeftButton
OTHER = "4010232137"
TODAY = date.today()


def click(qtbot, button) -> None:
    assert button.isEnabled(), button.objectName()
    assert button.isVisible(), button.objectName()
    if isinstance(button, QCheckBox):
        qtbot.mouseClick(button, LEFT, pos=QPoint(8, button.height() // 2))
    else:
        qtbot.mouseClick(button, LEFT)


@pytest.fixture(autouse=True)
def synchronous():
    tasks.set_synchronous(True)
    yield
    tasks.set_synchronous(False)


@pytest.fixture
def registered(team):
    return register_maria(team)


@pytest.fixture
def lead(registered):
    services = build_services(registered, "lead")
    services.patients.register(
        NewPatient(OTHER, "Smith", "John", date(1939, 5, 1), "C82001", postcode="LE1 1AA")
    )
    return services


@pytest.fixture
def make_view(qtbot):
    def make(services) -> NavigatorListView:
        view = NavigatorListView(services)
        qtbot.addWidget(view)
        view.resize(1100, 600)
        view.show()
        qtbot.waitExposed(view)
        view.ensure_loaded()
        return view

    return make


def rows(view: NavigatorListView) -> list[list[str]]:
    model = view.model
    return [
        [model.index(r, c).data() for c in range(model.columnCount())]
        for r in range(model.rowCount())
    ]


def test_a_navigators_list_shows_last_contact_and_who_is_due_a_call(
    qtbot, registered, lead, make_view
):
    lead.conversations.assign_navigator(NHS, "navigator")
    navigator = build_services(registered, "navigator")
    view = make_view(navigator)
    assert view.objectName() == "navigatorListView"
    assert view.title.text() == "My navigator list"
    assert not view.navigator_choice.isVisible()  # a navigator sees their own list
    assert not view.assign_button.isVisible()
    assert rows(view) == [["Maria O'Kon", "943 476 5919", "Never", "—", "Due a call"]]
    assert view.count_label.text() == "1 patient · 1 due a call"

    view.table.selectRow(0)
    click(qtbot, view.record_button)
    dialog = view.dialog
    assert isinstance(dialog, RecordConversationDialog)
    choose_mode(qtbot, dialog, "Phone")
    click(qtbot, dialog.topic_checks["care_plan"])
    click(qtbot, dialog.add_follow_up_button)
    qtbot.keyClicks(dialog.follow_ups[0].what, "Ring about the lunch club")
    with qtbot.waitSignal(view.changed):
        click(qtbot, dialog.save_button)
    assert not dialog.isVisible()

    (row,) = rows(view)
    assert row[Column.LAST_CONTACT] == f"{TODAY:%d/%m/%Y}"
    assert row[Column.NEXT_FOLLOW_UP] == dialog.follow_ups[0].due.text()
    assert row[Column.DUE] == ""
    assert view.count_label.text() == "1 patient · 0 due a call"
    assert view.message_label.text() == "Conversation with Maria O'Kon saved."


def test_due_a_call_only_and_opening_a_record(qtbot, registered, lead, make_view):
    for nhs in (NHS, OTHER):
        lead.conversations.assign_navigator(nhs, "navigator")
    navigator = build_services(registered, "navigator")
    navigator.conversations.record(
        OTHER, ConversationInput(TODAY, "visit", topics=(TopicNote("transport"),))
    )
    view = make_view(navigator)
    # By family name, as the service lists them.
    assert [r[Column.NAME] for r in rows(view)] == ["Maria O'Kon", "John Smith"]
    due_row = view.model.index(0, Column.DUE)
    assert due_row.data(Qt.ItemDataRole.BackgroundRole) is not None  # highlighted
    assert view.model.index(1, Column.DUE).data(Qt.ItemDataRole.BackgroundRole) is None

    click(qtbot, view.due_only)
    assert [r[Column.NAME] for r in rows(view)] == ["Maria O'Kon"]
    click(qtbot, view.due_only)
    assert len(rows(view)) == 2

    view.table.setFocus()
    view.table.setCurrentIndex(view.model.index(1, 0))
    with qtbot.waitSignal(view.patientActivated) as opened:
        qtbot.keyClick(view.table, Qt.Key.Key_Return)
    assert opened.args == [OTHER]
    rect = view.table.visualRect(view.model.index(0, 0))
    with qtbot.waitSignal(view.patientActivated) as opened:
        # A double click is a click then a second press: the view wants the first one.
        qtbot.mouseClick(view.table.viewport(), LEFT, pos=rect.center())
        qtbot.mouseDClick(view.table.viewport(), LEFT, pos=rect.center())
    assert opened.args == [NHS]


def test_a_team_lead_assigns_a_patient_and_sees_them_on_the_navigators_list(qtbot, lead, make_view):
    view = make_view(lead)
    assert view.title.text() == "Navigator lists"
    assert view.navigator_choice.isVisible()
    assert view.navigator_choice.currentText() == "Nadia Navigator"
    assert rows(view) == []

    click(qtbot, view.assign_button)
    dialog = view.dialog
    assert isinstance(dialog, AssignNavigatorDialog)
    assert dialog.navigator.currentData() == "navigator"
    qtbot.keyClicks(dialog.search, "Smith")
    assert dialog.found.count() == 1
    dialog.found.item(0).setSelected(True)
    click(qtbot, dialog.ok_button)
    assert not dialog.isVisible()

    assert [r[Column.NAME] for r in rows(view)] == ["John Smith"]
    assert view.message_label.text() == "1 patient put on Nadia Navigator's list."


def test_assign_without_choosing_patients_says_so(qtbot, lead, make_view):
    view = make_view(lead)
    dialog = view.open_assign_dialog()
    click(qtbot, dialog.ok_button)
    assert dialog.isVisible()
    assert dialog.error_label.text().startswith("Patients:")


def test_a_team_lead_assigns_from_the_caseload(qtbot, registered, lead):
    view = CaseloadView(lead, "team")
    qtbot.addWidget(view)
    view.resize(1300, 600)
    view.show()
    qtbot.waitExposed(view)
    view.table.selectRow(0)
    actions = view.conversation_actions
    assert actions.assign_button.objectName() == "assignNavigatorButton"
    click(qtbot, actions.assign_button)
    dialog = actions.dialog
    assert isinstance(dialog, AssignNavigatorDialog)
    assert not dialog.search.isVisible()
    dialog.choose_navigator("navigator")
    click(qtbot, dialog.ok_button)
    assert [r.nhs_number for r in lead.conversations.my_list("navigator")] == [NHS]
    assert view.message_label.text() == "1 patient put on Nadia Navigator's list."


def test_main_window_rail_names_the_list_for_a_navigator(qtbot, registered):
    from ltcdesk import app
    from ltcdesk.ui.main_window import NAVIGATOR_LISTS

    window = app.build_main_window(registered, "navigator")
    qtbot.addWidget(window)
    window.show()
    assert window.nav.item(NAVIGATOR_LISTS).text() == "My navigator list"
    window.show_section(NAVIGATOR_LISTS)
    assert window.stack.currentWidget() is window.navigator_lists
    assert window.navigator_lists.findChild(object, "navigatorTable") is not None
