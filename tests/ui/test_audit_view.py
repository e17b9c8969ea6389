"""The audit viewer driven as a team lead would: filters by user, patient, dates and action,
bad input shown beside the filters, CSV export, the integrity check, and the model checked
by ``qtmodeltester``."""

from __future__ import annotations

import csv
import io
from datetime import datetime

import pytest
from PySide6.QtCore import QPoint, Qt
from PySide6.QtWidgets import (
    QComboBox,
    QDateEdit,
    QFileDialog,
    QLineEdit,
    QPushButton,
    QTableView,
    QWidget,
)

from ltcdesk.services.audit import AuditFilter, AuditService
from ltcdesk.ui.views.audit_view import HEADERS, AuditView, Column
from tests.services.audit_seed import seed_log


@pytest.fixture
def logged(team):
    return seed_log(team)


def make_view(qtbot, db, user="lead"):
    widget = AuditView(AuditService(db.sessions, user))
    qtbot.addWidget(widget)
    widget.resize(1300, 600)
    widget.show()
    qtbot.waitExposed(widget)
    return widget


@pytest.fixture
def view(qtbot, logged):
    return make_view(qtbot, logged)


def column(view, col):
    model = view.model
    return [model.data(model.index(r, col)) for r in range(model.rowCount())]


def shown(view):
    """(user, action, patient) for every row on screen, top to bottom."""
    return list(
        zip(
            column(view, Column.USER),
            column(view, Column.ACTION),
            column(view, Column.PATIENT),
            strict=True,
        )
    )


def choose(qtbot, combo, text):
    """Pick an item as a keyboard user would: focus the combo and type its start."""
    combo.setFocus()
    index = combo.findText(text)
    assert index >= 0, f"{text!r} is not offered"
    while combo.currentIndex() != index:
        key = Qt.Key.Key_Down if combo.currentIndex() < index else Qt.Key.Key_Up
        qtbot.keyClick(combo, key)


def search(qtbot, view):
    qtbot.mouseClick(view.search_button, Qt.MouseButton.LeftButton)


def type_date(qtbot, edit, digits):
    """Type into a blank date edit as a user would: DDMMYYYY, the slashes are there."""
    edit.clear_date()
    edit.setFocus()
    qtbot.keyClicks(edit, digits)


# ------------------------------------------------------------------ what it shows


def test_opens_with_the_newest_entries_first(view, logged):
    assert view.objectName() == "auditView"
    expected = AuditService(logged.sessions, "lead").search(AuditFilter())
    assert view.model.rowCount() == len(expected)
    assert view.count_label.text() == f"{len(expected)} entries"
    assert column(view, Column.SUMMARY)[0] == "Entry of 12/01/2026"
    assert column(view, Column.WHEN)[0] == f"{expected[0].local_at:%d/%m/%Y %H:%M}"
    assert datetime.strptime(column(view, Column.WHEN)[-1], "%d/%m/%Y %H:%M")
    assert [view.model.headerData(c, Qt.Orientation.Horizontal) for c in Column] == list(HEADERS)
    assert [view.user_filter.itemText(i) for i in range(view.user_filter.count())] == [
        "All users", "admin", "lead", "matron1", "matron2", "nurse",
    ]  # fmt: skip
    actions = [view.action_filter.itemText(i) for i in range(view.action_filter.count())]
    assert actions[0] == "All actions"
    assert {"patient.view", "patient.register", "dated.entry"} <= set(actions)


def test_every_control_has_an_object_and_accessible_name(view):
    controls = [
        w
        for w in view.findChildren(QWidget)
        if isinstance(w, QComboBox | QLineEdit | QDateEdit | QPushButton | QTableView)
        and not w.objectName().startswith("qt_")  # Qt's own parts of a date edit
    ]
    assert len(controls) >= 10
    for w in controls:
        assert w.objectName(), w
        assert w.accessibleName(), w.objectName()
    for name in ("auditUserFilter", "auditPatientFilter", "auditActionFilter", "auditTable",
                 "auditExportButton", "auditSearchButton"):  # fmt: skip
        assert view.findChild(QWidget, name) is not None, name


def test_model_passes_qtmodeltester(view, qtmodeltester):
    qtmodeltester.check(view.model)
    view.model.sort(Column.USER, Qt.SortOrder.AscendingOrder)
    qtmodeltester.check(view.model)
    view.model.set_rows([])
    qtmodeltester.check(view.model)


def test_sorting_by_a_column_and_back_to_newest_first(qtbot, view):
    header = view.table.horizontalHeader()
    pos = QPoint(header.sectionViewportPosition(Column.USER) + 10, header.height() // 2)
    qtbot.mouseClick(header.viewport(), Qt.MouseButton.LeftButton, pos=pos)
    users = column(view, Column.USER)
    assert users in (sorted(users), sorted(users, reverse=True))
    view.table.sortByColumn(Column.WHEN, Qt.SortOrder.DescendingOrder)
    assert column(view, Column.SUMMARY)[0] == "Entry of 12/01/2026"


# ------------------------------------------------------------------ filters


def test_filter_by_user(qtbot, view):
    choose(qtbot, view.user_filter, "nurse")
    search(qtbot, view)
    assert shown(view) == [("nurse", "patient.view", "943 476 5919")]
    assert view.count_label.text() == "1 entry"


def test_filter_by_patient_with_enter(qtbot, view):
    qtbot.keyClicks(view.patient_filter, "943 476 5919")
    qtbot.keyClick(view.patient_filter, Qt.Key.Key_Return)
    assert shown(view) == [
        ("nurse", "patient.view", "943 476 5919"),
        ("lead", "patient.register", "943 476 5919"),
    ]


def test_a_bad_nhs_number_is_shown_beside_the_filters_and_the_list_kept(qtbot, view):
    before = shown(view)
    qtbot.keyClicks(view.patient_filter, "123")
    search(qtbot, view)
    assert view.error_label.isVisible()
    assert "NHS number" in view.error_label.text()
    assert "10 digits" in view.error_label.text()
    assert view.patient_filter.hasFocus()
    assert shown(view) == before
    view.patient_filter.clear()
    search(qtbot, view)
    assert not view.error_label.isVisible()


def test_filter_by_action(qtbot, view):
    choose(qtbot, view.action_filter, "patient.view")
    search(qtbot, view)
    assert shown(view) == [
        ("matron1", "patient.view", "943 476 5870"),
        ("nurse", "patient.view", "943 476 5919"),
    ]


def test_filter_by_dates_typed_dd_mm_yyyy(qtbot, view):
    type_date(qtbot, view.from_filter, "11012026")
    type_date(qtbot, view.to_filter, "11012026")
    assert view.from_filter.value() == view.to_filter.value() == datetime(2026, 1, 11).date()
    search(qtbot, view)
    assert column(view, Column.SUMMARY) == ["Entry of 11/01/2026"]
    view.to_filter.clear_date()
    search(qtbot, view)
    summaries = column(view, Column.SUMMARY)
    assert "Entry of 12/01/2026" in summaries
    assert "Entry of 11/01/2026" in summaries
    assert "Entry of 10/01/2026" not in summaries


def test_dates_the_wrong_way_round_or_without_a_year_are_explained(qtbot, view):
    type_date(qtbot, view.from_filter, "12012026")
    type_date(qtbot, view.to_filter, "10012026")
    search(qtbot, view)
    assert "before the 'from' date" in view.error_label.text()
    assert view.to_filter.hasFocus()
    type_date(qtbot, view.to_filter, "1001")
    search(qtbot, view)
    assert "needs the whole date" in view.error_label.text()


def test_filters_combine_and_clear(qtbot, view):
    everything = view.model.rowCount()
    choose(qtbot, view.user_filter, "lead")
    choose(qtbot, view.action_filter, "patient.register")
    qtbot.keyClicks(view.patient_filter, "9434765870")
    search(qtbot, view)
    assert shown(view) == [("lead", "patient.register", "943 476 5870")]
    qtbot.mouseClick(view.clear_button, Qt.MouseButton.LeftButton)
    assert view.model.rowCount() == everything
    assert view.user_filter.currentIndex() == view.action_filter.currentIndex() == 0
    assert view.patient_filter.text() == ""


# ------------------------------------------------------------------ export and verify


def _export_to(monkeypatch, path):
    asked = []

    def fake(parent, title, suggested, file_filter):
        asked.append((title, suggested, file_filter))
        return (str(path) if path else "", file_filter)

    monkeypatch.setattr(QFileDialog, "getSaveFileName", fake)
    return asked


def test_export_csv_saves_the_search_shown(qtbot, view, logged, monkeypatch, tmp_path):
    choose(qtbot, view.user_filter, "matron2")
    search(qtbot, view)
    choose(qtbot, view.user_filter, "nurse")  # changed but not searched: not exported
    asked = _export_to(monkeypatch, tmp_path / "audit")
    qtbot.mouseClick(view.export_button, Qt.MouseButton.LeftButton)
    assert asked[0][1].endswith(".csv")
    data = (tmp_path / "audit.csv").read_bytes()
    assert data.startswith(b"\xef\xbb\xbf")
    rows = list(csv.reader(io.StringIO(data.decode("utf-8-sig"))))
    assert rows[0] == ["Id", "When", "User", "Action", "Record", "Patient NHS number", "Summary"]
    assert [(r[2], r[6]) for r in rows[1:]] == [
        ("matron2", "Entry of 12/01/2026"),
        ("matron2", "Entry of 11/01/2026"),
        ("matron2", "Entry of 10/01/2026"),
    ]
    assert view.message_label.text() == "Saved the audit log to audit.csv."
    exports = AuditService(logged.sessions, "lead").search(AuditFilter(action="audit.export"))
    assert [(r.username, r.summary) for r in exports] == [
        ("lead", "Exported 3 audit entries as CSV (user matron2)")
    ]


def test_export_cancelled_writes_nothing(qtbot, view, logged, monkeypatch, tmp_path):
    _export_to(monkeypatch, None)
    qtbot.mouseClick(view.export_button, Qt.MouseButton.LeftButton)
    assert list(tmp_path.glob("*.csv")) == []
    assert AuditService(logged.sessions, "lead").search(AuditFilter(action="audit.export")) == []


def test_export_to_an_unwritable_place_is_explained(qtbot, view, monkeypatch, tmp_path):
    _export_to(monkeypatch, tmp_path / "no such folder" / "audit.csv")
    qtbot.mouseClick(view.export_button, Qt.MouseButton.LeftButton)
    assert view.message_label.text().startswith("Could not save")


def test_check_integrity(qtbot, view):
    qtbot.mouseClick(view.verify_button, Qt.MouseButton.LeftButton)
    intact, checkpoint = view.message_label.text().splitlines()
    assert intact.startswith("Audit log intact:")
    assert checkpoint.startswith("Checkpoint: ")
    assert " entries ending " in checkpoint


def test_check_integrity_after_tampering_says_so(qtbot, view, logged):
    from sqlalchemy import text

    with logged.engine.begin() as conn:
        conn.execute(text("DELETE FROM audit_chain"))
    qtbot.mouseClick(view.verify_button, Qt.MouseButton.LeftButton)
    assert view.message_label.text() == (
        "The audit chain record is missing. The audit log has been altered."
    )


# ------------------------------------------------------------------ refused


def test_a_care_navigator_is_told_and_nothing_is_shown(qtbot, logged):
    widget = make_view(qtbot, logged, user="navigator")
    assert widget.model.rowCount() == 0
    assert widget.error_label.isVisible()
    assert "audit log" in widget.error_label.text()
    assert not widget.export_button.isEnabled()
