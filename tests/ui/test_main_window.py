"""The main window as a matron or team lead uses it: rail, quick search, records in tabs."""

from __future__ import annotations

from datetime import date

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QMessageBox, QTableWidget

from ltcdesk import app
from ltcdesk.db import open_database
from ltcdesk.services.demo import generate_demo
from ltcdesk.ui import tasks
from ltcdesk.ui.main_window import SECTIONS

TODAY = date(2026, 11, 22)


@pytest.fixture(scope="module")
def demo_path(tmp_path_factory):
    path = tmp_path_factory.mktemp("mw") / "demo.db"
    db = open_database(path)
    generate_demo(db, patients=400, seed=5, today=TODAY)
    db.dispose()
    return path


@pytest.fixture
def window(qtbot, demo_path):
    tasks.set_synchronous(True)
    db = open_database(demo_path)
    win = app.build_main_window(db, "m.okafor")
    qtbot.addWidget(win)
    win.show()
    yield win
    tasks.set_synchronous(False)
    db.dispose()


def test_rail_has_every_section_and_the_stable_object_names(window):
    texts = [window.nav.item(i).text() for i in range(window.nav.count())]
    # The Reminders entry carries its count, e.g. "Reminders (85 overdue)".
    assert [t.split(" (")[0] for t in texts] == list(SECTIONS)
    reminders = next(t for t in texts if t.startswith("Reminders"))
    assert reminders == "Reminders" or reminders.endswith(("overdue)", "today)"))
    for name in ("navRail", "caseloadTable", "caseloadFilter", "quickSearch"):
        assert window.findChild(object, name) is not None, name


def test_my_caseload_lists_the_signed_in_matrons_patients(window, qtbot):
    table = window.my_caseload.findChild(object, "caseloadTable")
    qtbot.waitUntil(lambda: table.model().rowCount() > 0)
    rows = window._services.caseload.list_caseload()
    mine = [r for r in rows if r.key_worker_username == "m.okafor"]
    assert table.model().rowCount() == len(mine)


def test_team_caseloads_drill_down_to_a_worker(window, qtbot):
    window.nav.setCurrentRow(1)
    with qtbot.waitSignal(window.team_caseloads.workerActivated):
        window.team_caseloads.workerActivated.emit("m.okafor")
    assert window.stack.currentWidget() is window.team_drilldown


def test_quick_search_by_nhs_number_opens_the_record_in_a_tab(window, qtbot):
    row = window._services.caseload.list_caseload()[0]
    qtbot.keyClick(window, Qt.Key.Key_K, Qt.KeyboardModifier.ControlModifier)
    assert window.quick_search.hasFocus()
    qtbot.keyClicks(
        window.quick_search, f"{row.nhs_number[:3]} {row.nhs_number[3:6]} {row.nhs_number[6:]}"
    )
    qtbot.keyClick(window.quick_search, Qt.Key.Key_Return)
    record = window.tabs.currentWidget()
    assert record.objectName() == "patientRecord"
    assert window.tabs.tabText(window.tabs.currentIndex()).startswith(row.family_name)
    # Opening the same patient again switches to the existing tab.
    count = window.tabs.count()
    window.open_patient(row.nhs_number)
    assert window.tabs.count() == count


def test_several_records_can_be_open_and_closed_with_ctrl_w(window, qtbot):
    rows = window._services.caseload.list_caseload()[:3]
    for r in rows:
        window.open_patient(r.nhs_number)
    assert window.tabs.count() == 4
    qtbot.keyClick(window, Qt.Key.Key_W, Qt.KeyboardModifier.ControlModifier)
    assert window.tabs.count() == 3


def test_keyboard_shortcuts_dialog_lists_the_shortcuts(window):
    dialog = window.show_shortcuts()
    table = dialog.findChild(QTableWidget, "shortcutsTable")
    keys = [table.item(r, 0).text() for r in range(table.rowCount())]
    assert "Ctrl+F or Ctrl+K" in keys
    assert "Ctrl+S" in keys
    dialog.close()


def test_window_fits_a_1366_by_768_laptop(window):
    window.resize(1366, 768)
    assert window.minimumSizeHint().width() <= 1366
    assert window.minimumSizeHint().height() <= 768


def test_closing_a_record_with_unsaved_edits_asks_first(window, qtbot, monkeypatch):
    row = window._services.caseload.list_caseload()[0]
    record = window.open_patient(row.nhs_number)
    monkeypatch.setattr(record, "has_unsaved_changes", lambda: True)
    asked = []

    def cancel(*args, **kwargs):
        asked.append(args[1])
        return QMessageBox.StandardButton.Cancel

    monkeypatch.setattr(QMessageBox, "question", cancel)
    window._on_tabs_close_requested(window.tabs.indexOf(record))
    assert asked == ["Unsaved changes"]
    assert window.tabs.indexOf(record) > 0


def test_a_bulk_change_reloads_its_list_once_and_hidden_lists_when_shown(
    qtbot, demo_path, tmp_path, monkeypatch
):
    copy = tmp_path / "copy.db"
    copy.write_bytes(demo_path.read_bytes())
    tasks.set_synchronous(True)
    db = open_database(copy)
    try:
        win = app.build_main_window(db, "m.okafor")
        qtbot.addWidget(win)
        win.show()
        win.nav.setCurrentRow(2)  # Patients loads...
        win.nav.setCurrentRow(0)  # ...and is hidden again
        loads = {"mine": 0, "patients": 0}
        for view in (win.my_caseload, win.patients):
            original = view.refresh

            def counted(original=original, mode=view.mode):
                loads[mode] += 1
                original()

            monkeypatch.setattr(view, "refresh", counted)
        mine = win.my_caseload
        mine.table.selectRow(0)
        nhs = mine.selected_nhs_numbers()[0]
        monkeypatch.setattr(QMessageBox, "warning", lambda *a: pytest.fail(str(a)))
        dialog = mine.open_level_dialog()
        level = 1 if mine.selected_rows()[0].level != 1 else 2
        dialog.choose_level(level)
        dialog.reason.setPlainText("Reviewed at the whiteboard meeting")
        with qtbot.waitSignal(mine.changed):
            dialog.ok_button.click()
        assert loads == {"mine": 1, "patients": 0}  # Patients is hidden: not yet
        win.nav.setCurrentRow(2)
        assert loads == {"mine": 1, "patients": 1}
        (row,) = win.patients.model.rows_of([nhs])
        assert win.patients.model.row_at(row).level == level
    finally:
        tasks.set_synchronous(False)
        db.dispose()
