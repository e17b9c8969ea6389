"""Need to know in the desktop application: opening the record of a patient another team
cares for asks for a reason first ("break the glass"), then opens it; the audit viewer
lists the times someone did, for the team lead."""

from __future__ import annotations

import pytest
from PySide6.QtCore import Qt

from ltcdesk import app
from ltcdesk.services.audit import AuditService
from ltcdesk.services.patients import NewPatient, PatientService
from ltcdesk.services.setup import SetupService
from ltcdesk.ui import tasks
from ltcdesk.ui.views.audit_view import AuditView, Column

LEFT = Qt.MouseButton.LeftButton
OURS = "9434765919"  # Northfield's (C82001)
REASON = "Covering the out-of-hours visit tonight"


@pytest.fixture
def south(team):
    """The conftest team's patient, and a GP of another team who is asked to visit."""
    tasks.set_synchronous(True)
    setup = SetupService(team.sessions, "admin")
    setup.add_practice("C82003", "Southgate Surgery", team="Southgate")
    setup.add_staff("gp.south", "Dr Sam South", "gp", team="Southgate")
    PatientService(team.sessions, "lead").register(
        NewPatient(OURS, "O'Kon", "María", "1940-03-01", "C82001")
    )
    yield team
    tasks.set_synchronous(False)


@pytest.fixture
def window(qtbot, south):
    win = app.build_main_window(south, "gp.south")
    qtbot.addWidget(win)
    win.show()
    return win


def test_a_refused_record_asks_for_a_reason_then_opens(qtbot, window):
    assert window.open_patient(OURS) is None
    dialog = window.break_glass_dialog
    assert dialog is not None
    assert dialog.isVisible()
    intro = dialog.findChild(object, "breakGlassIntro")
    assert intro.text().startswith("943 476 5919 is not cared for by your team.")
    assert OURS not in window._records

    qtbot.keyClicks(dialog.reason_edit, "urgent")  # too short to say why
    qtbot.mouseClick(dialog.ok_button, LEFT)
    assert dialog.isVisible()
    assert "Say why you need this record" in dialog.error.text()
    assert OURS not in window._records

    dialog.reason_edit.clear()
    qtbot.keyClicks(dialog.reason_edit, REASON)
    qtbot.mouseClick(dialog.ok_button, LEFT)
    assert not dialog.isVisible()
    record = window._records[OURS]
    assert record.title() == "O'Kon, María"
    assert window.tabs.currentWidget() is record


def test_cancelling_opens_nothing_and_breaks_no_glass(qtbot, window, south):
    window.open_patient(OURS)
    qtbot.mouseClick(window.break_glass_dialog.cancel_button, LEFT)
    assert OURS not in window._records
    rows = AuditService(south.sessions, "lead").search(_break_glass_only(), 10)
    assert rows == []


def _break_glass_only():
    from ltcdesk.services.audit import AuditFilter

    return AuditFilter(action="break_glass")


def test_the_audit_viewer_lists_the_glass_broken(qtbot, south):
    PatientService(south.sessions, "gp.south").break_glass(OURS, REASON)
    PatientService(south.sessions, "lead").get(OURS)  # an ordinary look, not listed
    view = AuditView(AuditService(south.sessions, "lead"))
    qtbot.addWidget(view)
    view.show()
    everything = view.model.rowCount()
    qtbot.mouseClick(view.break_glass_filter, LEFT)
    assert view.break_glass_filter.isChecked()
    assert not view.action_filter.isEnabled()
    model = view.model
    assert model.rowCount() == 1 < everything
    assert model.index(0, Column.USER).data() == "gp.south"
    assert model.index(0, Column.ACTION).data() == "break_glass"
    assert REASON in model.index(0, Column.SUMMARY).data()
    qtbot.mouseClick(view.clear_button, LEFT)
    assert not view.break_glass_filter.isChecked()
    assert view.model.rowCount() == everything
