"""Reminders as the team uses them (issue 8): a matron's My work grouped Overdue / Today /
This week / Later, completing and rescheduling (a reason is required); a team lead
reassigning; an absence moving a worker's reminders to the team lead; Open going to the
right tab of the record; an admission recorded on the Events tab putting an urgent
reminder at the top of the key worker's list; a messy CSV import naming the rejected rows;
the rail's overdue count and the start-up summary."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from PySide6.QtCore import QDate, Qt
from PySide6.QtWidgets import QDialog, QFileDialog, QLabel, QScrollArea
from sqlalchemy import select

from ltcdesk import app
from ltcdesk.app import build_services
from ltcdesk.domain import nhs_number
from ltcdesk.models import AuditEntry
from ltcdesk.services.careplan_views import CarePlanEdits, GoalEdits
from ltcdesk.services.careplans import CarePlanService
from ltcdesk.services.conversations import ConversationInput, FollowUp, TopicNote
from ltcdesk.services.patients import NewPatient
from ltcdesk.services.reminder_sources import Source
from ltcdesk.services.reminders import Group, group_of
from ltcdesk.ui import tasks
from ltcdesk.ui.dialogs.absences import AbsencesDialog
from ltcdesk.ui.dialogs.hospital_events import ImportEventsDialog
from ltcdesk.ui.views.patient_record import PatientRecord
from ltcdesk.ui.views.reminders_list import URGENT_TEXT, Col
from ltcdesk.ui.views.reminders_view import RemindersView
from ltcdesk.ui.views.team_view import Column, TeamCaseloadView

LEFT = Qt.MouseButton.LeftButton
TODAY = date.today()


def nhs_for(n: int) -> str:
    number = nhs_number.complete(f"{450000000 + n * 13:09d}")
    while number is None:
        n += 1000
        number = nhs_number.complete(f"{450000000 + n * 13:09d}")
    return number


@pytest.fixture(autouse=True)
def synchronous():
    tasks.set_synchronous(True)
    yield
    tasks.set_synchronous(False)


class World:
    """A matron's caseload made through the services: a new patient with no consent and
    no plan, one with an agreed plan whose review is overdue, and a navigator's call."""

    def __init__(self, db) -> None:
        self.db = db
        self.n = 0
        self.lead = build_services(db, "lead")
        self.newby = self.patient("Newby", "Nora")
        self.lead.caseload.assign(self.newby, "matron1", 2, "Referred by GP", TODAY - timedelta(40))
        self.planned = self.patient("Planner", "Percy")
        self.lead.caseload.assign(
            self.planned, "matron1", 2, "Referred by GP", TODAY - timedelta(90)
        )
        build_services(db, "matron1").patients.record_consent(
            self.planned, "given", TODAY - timedelta(80), None
        )
        plans = CarePlanService(db.sessions, "matron1", today=lambda: TODAY - timedelta(60))
        draft = plans.start(self.planned)
        plans.save_draft(
            self.planned,
            CarePlanEdits(
                goals=[GoalEdits(description="Walk to the shop", importance=8, confidence=4)],
                review_date=TODAY - timedelta(days=3),
            ),
            draft.lock_version,
        )
        plans.agree(self.planned, "the person")
        build_services(db, "navigator").conversations.record(
            self.planned,
            ConversationInput(
                held_on=TODAY - timedelta(days=2),
                mode="phone",
                topics=(TopicNote("loneliness"),),
                follow_ups=(FollowUp("Ring about the lunch club", TODAY, "navigator"),),
            ),
        )

    def patient(self, family: str, given: str) -> str:
        self.n += 1
        nhs = nhs_for(self.n)
        self.lead.patients.register(NewPatient(nhs, family, given, "1944-05-06", "C82001"))
        return nhs


@pytest.fixture
def world(team):
    return World(team)


def reminders_view(qtbot, db, username: str) -> RemindersView:
    view = RemindersView(build_services(db, username))
    qtbot.addWidget(view)
    view.resize(1200, 700)
    view.show()
    view.ensure_loaded()
    return view


def find(page, nhs: str, source: Source):
    return next((r for r in page.reminders if r.nhs_number == nhs and r.source is source), None)


def row_of(page, key: str):
    assert page.select_key(key)
    return page.list.currentItem()


def open_dialog(qtbot, view, button, name: str) -> QDialog:
    qtbot.mouseClick(button, LEFT)
    dialog = view.findChild(QDialog, name)
    assert dialog is not None, name
    assert dialog.isVisible(), name
    return dialog


def test_a_matrons_my_work_groups_completes_and_reschedules(qtbot, world):
    db = world.db
    view = reminders_view(qtbot, db, "matron1")
    page = view.my_work
    assert view.objectName() == "remindersView"
    assert view.findChild(object, "myWorkTab") is page
    assert view.findChild(object, "teamWorkTab") is view.team_work
    assert page.list.objectName() == "reminderList"
    # Grouped under the four headings, each with its count, as the service groups them.
    mine = build_services(db, "matron1").reminders.worklist()
    shown = page.group_items()
    expected = {g: [r for r in mine if r.group(TODAY) is g] for g in Group}
    assert list(shown) == [f"{g.value} ({len(expected[g])})" for g in Group]
    assert {r.key for r in shown[f"Overdue ({len(expected[Group.OVERDUE])})"]} == {
        r.key for r in expected[Group.OVERDUE]
    }
    consent = find(page, world.newby, Source.CONSENT)
    review = find(page, world.planned, Source.REVIEW)
    assert consent is not None
    assert review is not None
    assert find(page, world.planned, Source.CALL) is None  # the navigator's, not hers
    item = row_of(page, review.key)
    assert item.text(Col.PATIENT) == "Percy Planner"
    assert item.text(Col.NHS) == nhs_number.format_nhs(world.planned)
    assert item.text(Col.WHAT) == "Care plan review"
    assert item.text(Col.DUE) == f"{TODAY - timedelta(days=3):%d/%m/%Y}"
    assert item.parent().text(0).startswith("Overdue")

    # Complete the consent reminder, with a note: gone from the list, audited.
    row_of(page, consent.key)
    dialog = open_dialog(qtbot, view, view.complete_button, "completeReminderDialog")
    qtbot.keyClicks(dialog.note_edit, "Asked on the phone")
    qtbot.mouseClick(dialog.ok_button, LEFT)
    assert not dialog.isVisible()
    assert find(page, world.newby, Source.CONSENT) is None
    assert "Completed: Consent not recorded for Nora Newby" in view.message.text()
    with db.sessions() as s:
        actions = list(
            s.scalars(select(AuditEntry.action).where(AuditEntry.action == "reminder.done"))
        )
    assert actions == ["reminder.done"]

    # Reschedule without a reason: refused, the dialog stays open and says why.
    no_plan = find(page, world.newby, Source.NO_PLAN)
    assert no_plan is not None
    assert no_plan.group(TODAY) is Group.OVERDUE
    row_of(page, no_plan.key)
    dialog = open_dialog(qtbot, view, view.reschedule_button, "rescheduleReminderDialog")
    qtbot.mouseClick(dialog.ok_button, LEFT)
    assert dialog.isVisible()
    assert dialog.error_label.isVisible()
    assert dialog.error_label.text() == "Reason is required"
    # With a reason it moves to its new group, the note saying why.
    new_due = TODAY + timedelta(days=10)
    dialog.date_edit.setDate(QDate(new_due.year, new_due.month, new_due.day))
    qtbot.keyClicks(dialog.reason_edit, "Family visiting this week")
    qtbot.mouseClick(dialog.ok_button, LEFT)
    assert not dialog.isVisible()
    moved = find(page, world.newby, Source.NO_PLAN)
    assert moved.due == new_due
    item = row_of(page, moved.key)
    assert item.parent().text(0).startswith(group_of(new_due, TODAY).value)
    assert item.text(Col.NOTE) == (
        f"Rescheduled from {no_plan.due:%d/%m/%Y}: Family visiting this week"
    )
    assert item.text(Col.DUE) == f"{new_due:%d/%m/%Y}"


def test_a_team_lead_reassigns_a_reminder_to_a_nurse(qtbot, world):
    db = world.db
    # Another matron may not change Mary's reminder: the dialog says who may.
    other = reminders_view(qtbot, db, "matron2")
    other.tabs.setCurrentWidget(other.team_work)
    assert other.team_work.set_worker_filter("matron1")
    review = find(other.team_work, world.planned, Source.REVIEW)
    row_of(other.team_work, review.key)
    refused = open_dialog(qtbot, other, other.complete_button, "completeReminderDialog")
    qtbot.mouseClick(refused.ok_button, LEFT)
    assert refused.isVisible()
    assert "Only Mary Matron or a team lead may change this reminder" in (
        refused.error_label.text()
    )
    refused.reject()

    view = reminders_view(qtbot, db, "lead")
    view.tabs.setCurrentWidget(view.team_work)
    team = view.team_work
    assert team.set_worker_filter("matron1")
    review = find(team, world.planned, Source.REVIEW)
    assert row_of(team, review.key).text(Col.OWNER) == "Mary Matron"
    dialog = open_dialog(qtbot, view, view.reassign_button, "reassignReminderDialog")
    assert dialog.to_combo.findData("matron1") == -1  # not to whom it is already
    assert dialog.select_worker("nurse")
    qtbot.keyClicks(dialog.reason_edit, "Mary is on a course")
    qtbot.mouseClick(dialog.ok_button, LEFT)
    assert not dialog.isVisible()
    assert find(team, world.planned, Source.REVIEW) is None  # no longer Mary's
    assert team.set_worker_filter("nurse")
    given = find(team, world.planned, Source.REVIEW)
    item = row_of(team, given.key)
    assert item.text(Col.OWNER) == "Nia Nurse"
    assert item.text(Col.NOTE) == "Reassigned by Tessa Lead: Mary is on a course"
    nurse = build_services(db, "nurse").reminders.worklist()
    assert any(r.key == review.key for r in nurse)


def test_an_absence_moves_a_workers_reminders_to_the_team_lead(qtbot, world):
    db = world.db
    dialog = AbsencesDialog(build_services(db, "lead"))
    qtbot.addWidget(dialog)
    dialog.show()
    assert dialog.select_worker("matron1")
    dialog.first_edit.setDate(QDate(TODAY.year, TODAY.month, TODAY.day))
    last = TODAY + timedelta(days=3)
    dialog.last_edit.setDate(QDate(last.year, last.month, last.day))
    qtbot.keyClicks(dialog.reason_edit, "Annual leave")
    with qtbot.waitSignal(dialog.changed):
        qtbot.mouseClick(dialog.add_button, LEFT)
    assert dialog.table.rowCount() == 1
    assert [dialog.table.item(0, c).text() for c in range(5)] == [
        "Mary Matron",
        f"{TODAY:%d/%m/%Y}",
        f"{last:%d/%m/%Y}",
        "Annual leave",
        "Absent today",
    ]
    # A last day before the first is refused, naming the field.
    dialog.last_edit.setDate(QDate(TODAY.year, TODAY.month, TODAY.day).addDays(-1))
    qtbot.mouseClick(dialog.add_button, LEFT)
    assert dialog.error_label.text() == "Last day must not be before the first day"

    lead = reminders_view(qtbot, db, "lead")
    review = find(lead.my_work, world.planned, Source.REVIEW)
    assert review is not None
    assert review.covering_for == "Mary Matron"
    assert row_of(lead.my_work, review.key).text(Col.NOTE) == "Covering for Mary Matron"
    matron = reminders_view(qtbot, db, "matron1")
    assert matron.my_work.reminders == []
    # Ended: back to her.
    dialog.table.selectRow(0)
    qtbot.mouseClick(dialog.end_button, LEFT)
    matron.refresh()
    assert find(matron.my_work, world.planned, Source.REVIEW) is not None


@pytest.fixture
def window(qtbot, world):
    win = app.build_main_window(world.db, "matron1")
    qtbot.addWidget(win)
    win.show()
    return win


def test_open_goes_to_the_right_tab_of_the_record(qtbot, world, window):
    window.go_to_my_work()
    view = window.reminders
    assert window.stack.currentWidget() is view
    page = view.my_work
    consent = find(page, world.newby, Source.CONSENT)
    row_of(page, consent.key)
    qtbot.keyClick(page.list, Qt.Key.Key_Return)
    record = window.tabs.currentWidget()
    assert isinstance(record, PatientRecord)
    assert record.nhs_number == world.newby
    current = record.tabs.currentWidget()
    assert isinstance(current, QScrollArea)
    assert current.widget() is record._carers
    # Back to the list: the review opens the care plan, the assessment its tab.
    window.go_to_my_work()
    review = find(page, world.planned, Source.REVIEW)
    row_of(page, review.key)
    qtbot.mouseClick(view.open_button, LEFT)
    assert (
        window.tabs.currentWidget().tabs.currentWidget() is window._records[world.planned].care_plan
    )
    window.open_patient_on_tab(world.newby, "assessment")
    assert record.tabs.currentWidget() is record.assessment
    window.open_patient_on_tab(world.newby, "events")
    assert record.tabs.currentWidget().objectName() == "eventsTab"


def test_an_admission_recorded_on_the_events_tab_is_urgent_for_the_key_worker(qtbot, world, window):
    record = window.open_patient(world.newby)
    events_page = record.findChild(object, "eventsTab")
    record.tabs.setCurrentWidget(events_page)
    panel = record.hospital_events
    assert panel.isVisible()
    assert panel.table.rowCount() == 0
    assert panel.timeline.count() >= 2  # her reminders for this person, as a timeline
    button = record.findChild(object, "recordEventButton")
    assert button.text() == "&Record a hospital event…"
    qtbot.mouseClick(button, LEFT)
    dialog = panel.findChild(QDialog, "recordEventDialog")
    assert dialog.isVisible()
    dialog.set_kind("admission")
    admitted = TODAY - timedelta(days=1)
    dialog.date_edit.setDate(QDate(admitted.year, admitted.month, admitted.day))
    qtbot.keyClicks(dialog.hospital_edit, "Northfield General")
    qtbot.keyClicks(dialog.reason_edit, "Chest infection")
    dialog.expected_edit.set_value(TODAY + timedelta(days=3))
    qtbot.mouseClick(dialog.ok_button, LEFT)
    assert not dialog.isVisible()
    assert panel.table.rowCount() == 1
    assert [panel.table.item(0, c).text() for c in range(6)] == [
        f"{admitted:%d/%m/%Y}",
        "Admission",
        "Northfield General",
        "Chest infection",
        f"{TODAY + timedelta(days=3):%d/%m/%Y}",
        "By Mary Matron",
    ]
    timeline = [panel.timeline.item(i).text() for i in range(panel.timeline.count())]
    assert f"{admitted:%d/%m/%Y} (1 day overdue)  Urgent: In hospital: plan the discharge" in (
        "\n".join(timeline)
    )

    window.go_to_my_work()
    page = window.reminders.my_work
    first = page.reminders[0]
    assert (first.source, first.urgent, first.nhs_number) == (
        Source.ADMISSION,
        True,
        world.newby,
    )
    overdue = page.list.topLevelItem(0)
    item = overdue.child(0)
    assert item.text(Col.WHAT) == "Urgent: In hospital: plan the discharge"
    assert item.foreground(Col.WHAT) == URGENT_TEXT
    assert item.text(Col.WHY).startswith(f"Admitted to Northfield General on {admitted:%d/%m/%Y}")


MESSY = (
    "\ufeffNHS Number;Event Type;Date;Hospital;Reason\r\n"
    "{a};Admitted;{yesterday};Northfield General;Fall\r\n"
    "943 476 5918;discharge;{yesterday};Northfield General;\r\n"
    "{a};Admitted;{yesterday};Northfield General;Fall\r\n"
    "\r\n"
    "{b};holiday;{yesterday};Northfield General;\r\n"
    "{b};discharge;31/02/2026;Northfield General;\r\n"
    "{b};A&E;{yesterday};;\r\n"
)


def test_importing_a_messy_csv_shows_the_rejected_rows(qtbot, world, tmp_path, monkeypatch):
    path = tmp_path / "events.csv"
    yesterday = f"{TODAY - timedelta(days=1):%d/%m/%Y}"
    text = MESSY.format(a=world.newby, b=nhs_number.format_nhs(world.planned), yesterday=yesterday)
    path.write_text(text, encoding="utf-8")
    monkeypatch.setattr(
        QFileDialog, "getOpenFileName", staticmethod(lambda *a, **k: (str(path), ""))
    )
    dialog = ImportEventsDialog(build_services(world.db, "lead"))
    qtbot.addWidget(dialog)
    dialog.show()
    qtbot.mouseClick(dialog.choose_button, LEFT)
    qtbot.waitUntil(lambda: dialog.choose_button.isEnabled())
    assert dialog.result_label.text() == (
        "Nothing was imported: 4 rows need correcting. Correct them in the file and import "
        "it again."
    )
    table = dialog.rejected_table
    assert table.isVisible()
    rows = [(table.item(r, 0).text(), table.item(r, 1).text()) for r in range(table.rowCount())]
    assert [number for number, _ in rows] == ["Row 3", "Row 6", "Row 7", "Row 8"]
    assert rows[0][1].startswith("NHS number: '943 476 5918' is not a valid NHS number")
    assert rows[1][1].startswith("event type: 'holiday'")
    assert rows[2][1].startswith("date:")
    assert rows[3][1].startswith("hospital:")
    # Corrected (the bad rows taken out): saved, the repeated row listed as not saved again.
    lines = text.split("\r\n")
    path.write_text("\r\n".join([*lines[:2], lines[3]]) + "\r\n", encoding="utf-8")
    with qtbot.waitSignal(dialog.eventsImported):
        dialog.import_file(path)
    assert dialog.result_label.text() == (
        "1 event saved for 1 person. 1 row already recorded, not saved again:"
    )
    rows = [(table.item(r, 0).text(), table.item(r, 1).text()) for r in range(table.rowCount())]
    assert rows == [("Row 3", "the same as row 2 (same person, type and date)")]
    # Not a CSV at all: refused whole, said so.
    binary = tmp_path / "scan.pdf"
    binary.write_bytes(b"%PDF-1.7\n%\xe2\xe3 binary")
    dialog.import_file(binary)
    assert dialog.result_label.text().startswith("Nothing was imported: the file is not a CSV")
    assert not table.isVisible()


def test_the_rail_counts_and_the_start_up_summary(qtbot, world, window):
    counts = build_services(world.db, "matron1").reminders.counts()
    overdue = counts[Group.OVERDUE]
    assert overdue >= 3
    assert window.nav.item(4).text() == f"Reminders ({overdue} overdue)"
    dialog = window.show_startup_summary()
    assert dialog is not None
    assert dialog.isVisible()
    assert dialog.objectName() == "startupSummaryDialog"
    text = dialog.counts_label.text()
    assert text.startswith(f"You have {overdue} reminders overdue")
    assert dialog.list.count() == overdue + counts[Group.TODAY]
    qtbot.mouseClick(dialog.go_button, LEFT)
    assert not dialog.isVisible()
    assert window.stack.currentWidget() is window.reminders
    assert window.reminders.tabs.currentWidget() is window.reminders.my_work
    # Completing one brings the rail count down.
    page = window.reminders.my_work
    consent = find(page, world.newby, Source.CONSENT)
    row_of(page, consent.key)
    view = window.reminders
    done = open_dialog(qtbot, view, view.complete_button, "completeReminderDialog")
    qtbot.mouseClick(done.ok_button, LEFT)
    assert window.nav.item(4).text() == f"Reminders ({overdue - 1} overdue)"
    # The team caseload view counts overdue care plan reviews per worker.
    team = TeamCaseloadView(build_services(world.db, "lead"))
    qtbot.addWidget(team)
    team.show()  # read when first shown
    row = team.model.row_of("matron1")
    cell = team.model.index(row, Column.OVERDUE_REVIEWS).data()
    assert cell == "1"


def test_printing_a_workers_day_list(qtbot, world, tmp_path, monkeypatch):
    from pypdf import PdfReader
    from PySide6.QtWidgets import QMessageBox

    told = []
    monkeypatch.setattr(QMessageBox, "information", lambda *a: told.append(a[2]))
    target = tmp_path / "day.pdf"
    monkeypatch.setattr(
        QFileDialog, "getSaveFileName", staticmethod(lambda *a, **k: (str(target), ""))
    )
    view = reminders_view(qtbot, world.db, "lead")
    # The whole team is not one person's day: choose a worker first.
    view.tabs.setCurrentWidget(view.team_work)
    qtbot.mouseClick(view.print_button, LEFT)
    assert told == ["Choose a worker first: a day list is one person's visits."]
    assert view.team_work.set_worker_filter("matron1")
    dialog = open_dialog(qtbot, view, view.print_button, "printDayListDialog")
    labels = [label.text() for label in dialog.findChildren(QLabel)]
    assert any(t.startswith("Mary Matron's day list for ") for t in labels)
    qtbot.mouseClick(dialog.save_button, LEFT)
    assert target.exists()
    text = "\n".join(page.extract_text() for page in PdfReader(target).pages)
    assert "Mary Matron" in text
    assert "Percy Planner" in text
    assert "Nora Newby" in text
