"""The timeline on the record's Events tab: read when first shown, one row per entry
newest first as the user sees it, and opening an entry (Enter or double-click) shows the
record tab with its detail."""

from __future__ import annotations

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QTabWidget, QTreeWidget
from sqlalchemy import func, select

from ltcdesk import app
from ltcdesk.models import AuditEntry
from ltcdesk.ui.views.patient_record import PatientRecord
from tests.services.test_timeline import NHS, ago, fill_a_year


@pytest.fixture
def world(team):
    fill_a_year(team)
    return team


@pytest.fixture
def record(qtbot, world) -> PatientRecord:
    win = app.build_main_window(world, "matron1")
    qtbot.addWidget(win)
    win.show()
    opened = win.open_patient(NHS)
    assert isinstance(opened, PatientRecord)
    return opened


def timeline_views(db) -> int:
    with db.sessions() as s:
        return s.scalar(
            select(func.count()).select_from(AuditEntry).where(AuditEntry.action == "timeline.view")
        )


def row_of(tree: QTreeWidget, kind: str):
    for index in range(tree.topLevelItemCount()):
        item = tree.topLevelItem(index)
        if item.text(1) == kind:
            return item
    raise AssertionError(f"no {kind!r} row")


def show_timeline(qtbot, record: PatientRecord) -> QTreeWidget:
    record.tabs.setCurrentWidget(record.findChild(object, "eventsTab"))
    sub = record.findChild(QTabWidget, "eventsSubTabs")
    assert [sub.tabText(i) for i in range(sub.count())] == [
        "Hospital && coming &up",
        "Time&line",
        "Meeting a&ctions",
    ]
    assert sub.currentWidget() is record.hospital_events  # as before: hospital first
    sub.setCurrentWidget(record.timeline)
    tree = record.findChild(QTreeWidget, "patientTimeline")
    assert tree.isVisible()
    return tree


def test_the_timeline_lists_what_happened_newest_first(qtbot, world, record):
    assert record.timeline.entries == []  # not read until shown
    assert timeline_views(world) == 0
    tree = show_timeline(qtbot, record)
    assert timeline_views(world) == 1
    assert tree.topLevelItemCount() == 14
    assert [tree.headerItem().text(c) for c in range(4)] == ["Date", "What", "Details", "Who"]
    first, last = tree.topLevelItem(0), tree.topLevelItem(13)
    assert [first.text(c) for c in range(4)] == [
        f"{ago(2):%d/%m/%Y}",
        "Discharged from caseload",
        "Left Nia Nurse's caseload (Level 3 – case management): Goals met",
        "",
    ]
    assert [last.text(c) for c in range(4)] == [
        f"{ago(100):%d/%m/%Y}",
        "Accepted onto caseload",
        "Level 2 – disease-specific care management, key worker Mary Matron: Referred by GP",
        "Tessa Lead",
    ]
    assert record.timeline.message.text() == "14 entries"
    # A refresh of the record (after a save elsewhere) reads it again.
    record.refresh()
    assert timeline_views(world) == 2


def test_opening_an_entry_shows_its_tab(qtbot, world, record):
    tree = show_timeline(qtbot, record)
    sub = record.events_tabs

    # Enter on the conversation: the Conversations tab.
    tree.setFocus()
    tree.setCurrentItem(row_of(tree, "Conversation"))
    with qtbot.waitSignal(record.timeline.entryActivated):
        qtbot.keyClick(tree, Qt.Key.Key_Return)
    assert record.tabs.currentWidget() is record.conversations

    # The rest through the same signal as a double-click sends.
    expected = {
        "Assessment completed": record.assessment,
        "Care plan agreed": record.care_plan,
        "Stepped up": record._history,
    }
    for kind, page in expected.items():
        record.tabs.setCurrentWidget(record.findChild(object, "eventsTab"))
        sub.setCurrentWidget(record.timeline)
        item = row_of(tree, kind)
        tree.itemActivated.emit(item, 0)
        current = record.tabs.currentWidget()
        assert current is page, kind

    # A hospital entry stays on Events, on the hospital events; a meeting action goes to
    # the meeting actions with the done ones shown.
    record.tabs.setCurrentWidget(record.findChild(object, "eventsTab"))
    sub.setCurrentWidget(record.timeline)
    tree.itemActivated.emit(row_of(tree, "Hospital admission"), 0)
    assert record.tabs.currentWidget().objectName() == "eventsTab"
    assert sub.currentWidget() is record.hospital_events
    sub.setCurrentWidget(record.timeline)
    tree.itemActivated.emit(row_of(tree, "Meeting action done"), 0)
    assert sub.currentWidget() is record.meeting_actions
    assert record.meeting_actions.show_all.isChecked()
    assert record.meeting_actions.table.rowCount() == 1


def test_double_click_opens_the_entry(qtbot, world, record):
    tree = show_timeline(qtbot, record)
    item = row_of(tree, "Assessment completed")
    rect = tree.visualItemRect(item)
    with qtbot.waitSignal(record.timeline.entryActivated):
        # A double click is a click then a second press: the view wants the first one.
        qtbot.mouseClick(tree.viewport(), Qt.MouseButton.LeftButton, pos=rect.center())
        qtbot.mouseDClick(tree.viewport(), Qt.MouseButton.LeftButton, pos=rect.center())
    assert record.tabs.currentWidget() is record.assessment
