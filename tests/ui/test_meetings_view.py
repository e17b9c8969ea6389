"""Whiteboard meetings as the team lead and the team use them: a new meeting and a
twice-weekly series, the agenda built from real data (a flag, a review due, an action still
open from an earlier meeting), reordered with the keyboard, minutes set, a patient added
by hand and locked; then meeting mode from the first patient to recorded actions and the
meeting closed, with the action in its owner's worklist and carried to the next agenda."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from PySide6.QtCore import QDate, QPoint, Qt
from PySide6.QtWidgets import QCheckBox, QFileDialog, QInputDialog, QMessageBox

from ltcdesk.app import build_services
from ltcdesk.domain import nhs_number
from ltcdesk.services.careplan_views import CarePlanEdits, GoalEdits
from ltcdesk.services.conversations import ConversationInput, TopicNote
from ltcdesk.services.meeting_views import Section
from ltcdesk.services.patients import NewPatient
from ltcdesk.ui import tasks
from ltcdesk.ui.views.agenda_view import ITEM_ROLE, AgendaView
from ltcdesk.ui.views.meetings_view import MeetingsView
from ltcdesk.ui.views.record_actions import MeetingActionsPanel

LEFT = Qt.MouseButton.LeftButton
TODAY = date.today()
MEETING_DAY = TODAY + timedelta(days=2)


def nhs_for(n: int) -> str:
    number = nhs_number.complete(f"{400000000 + n * 7:09d}")
    while number is None:
        n += 1000
        number = nhs_number.complete(f"{400000000 + n * 7:09d}")
    return number


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


class World:
    """Patients and history made through the services, as the team would have made them."""

    def __init__(self, db) -> None:
        self.db = db
        self.lead = build_services(db, "lead")
        self.n = 0
        self.flagged = self.patient("Flagg", "Fiona")
        build_services(db, "navigator").conversations.record(
            self.flagged,
            ConversationInput(
                held_on=TODAY - timedelta(days=2),
                mode="phone",
                topics=(TopicNote("safe_at_home"),),
                flag_to_team=True,
                flag_reason="Lives alone, heating broken",
            ),
        )
        self.review = self.patient("Reviewer", "Rita")
        self.lead.caseload.assign(
            self.review, "matron1", 2, "Referred by GP", TODAY - timedelta(60)
        )
        plans = build_services(db, "matron1").careplans
        draft = plans.start(self.review)
        plans.save_draft(
            self.review,
            CarePlanEdits(
                goals=[GoalEdits(description="Walk to the shop", importance=8, confidence=4)],
                review_date=TODAY + timedelta(days=1),
            ),
            draft.lock_version,
        )
        plans.agree(self.review, "the person")
        # An action from a meeting ten days ago, still open.
        self.acting = self.patient("Acton", "Arthur")
        meetings = self.lead.meetings
        earlier = meetings.create(TODAY - timedelta(days=10), "09:30", "Room 2", "lead").id
        meetings.add_item(earlier, self.acting, "Discuss pain relief")
        meetings.lock_agenda(earlier)
        meetings.start(earlier)
        meetings.add_action(earlier, self.acting, "Ask GP about pain relief", "matron2", TODAY)
        meetings.close(earlier)
        self.manual = self.patient("Handley", "Harriet")

    def patient(self, family: str, given: str) -> str:
        self.n += 1
        nhs = nhs_for(self.n)
        self.lead.patients.register(NewPatient(nhs, family, given, date(1944, 5, 6), "C82001"))
        return nhs


@pytest.fixture
def world(team):
    return World(team)


@pytest.fixture
def make_view(qtbot):
    def make(services) -> MeetingsView:
        view = MeetingsView(services)
        qtbot.addWidget(view)
        view.resize(1280, 720)
        view.show()
        qtbot.waitExposed(view)
        view.ensure_loaded()
        return view

    return make


def agenda_rows(agenda: AgendaView) -> list[tuple[str, str]]:
    """(time or heading, patient) for each row of the agenda as shown."""
    tree = agenda.tree
    rows = []
    for r in range(tree.topLevelItemCount()):
        row = tree.topLevelItem(r)
        if row.data(0, ITEM_ROLE) is None:
            rows.append(("#", row.text(0)))
        else:
            rows.append((row.text(0), row.text(1)))
    return rows


def patients(agenda: AgendaView) -> list[str]:
    return [name for slot, name in agenda_rows(agenda) if slot != "#"]


def new_meeting(qtbot, view: MeetingsView, place: str, day: date, *, repeat: tuple = ()):
    click(qtbot, view.new_button)
    dialog = view.dialog
    assert dialog is not None
    assert dialog.isVisible()
    dialog.date_edit.setDate(QDate(day.year, day.month, day.day))
    qtbot.keyClicks(dialog.place_edit, place)
    if repeat:
        click(qtbot, dialog.repeat_check)
        for check in dialog.day_checks:
            check.setChecked(int(check.property("weekday")) in repeat)
        dialog.weeks_spin.setValue(2)
    click(qtbot, dialog.ok)
    assert not dialog.isVisible(), dialog.error.text()
    return dialog.created


def build_locked_meeting(world) -> int:
    meetings = world.lead.meetings
    m = meetings.create(MEETING_DAY, "09:30", "Room 2", "lead", attendees=["matron1", "nurse"])
    meetings.build_agenda(m.id)
    meetings.lock_agenda(m.id)
    return m.id


def test_the_lead_creates_meetings_builds_reorders_and_locks_the_agenda(world, make_view, qtbot):
    view = make_view(world.lead)
    assert view.objectName() == "meetingsView"
    assert view.findChild(object, "newMeetingButton").isEnabled()
    assert [view.table.item(0, c).text() for c in (1, 4)] == ["09:30", "Closed"]

    # A twice-weekly series (Tuesdays and Fridays for two weeks) ...
    series = new_meeting(qtbot, view, "Teams call", TODAY, repeat=(2, 5))
    assert len(series) == 4
    assert {m.held_on.isoweekday() for m in series} == {2, 5}
    view.show_list()
    # ... and a single meeting, whose agenda opens.
    (made,) = new_meeting(qtbot, view, "Room 2, Northfield Health Centre", MEETING_DAY)
    assert view.pages.currentWidget() is view.agenda
    assert view.table.rowCount() == 6  # the earlier meeting, the series, this one
    agenda = view.agenda
    assert agenda.meeting.id == made.id
    assert agenda.meeting.chair_name == "Tessa Lead"
    assert "Room 2, Northfield Health Centre" in agenda.subtitle.text()

    click(qtbot, agenda.build_button)
    assert agenda_rows(agenda) == [
        ("#", "Care plans due or overdue for review"),
        ("09:30", "Rita Reviewer"),
        ("#", "Flags from care navigators and the team"),
        ("09:35", "Fiona Flagg"),
        (
            "#",
            "Hospital admissions, discharges and A&E — Recorded once hospital events are available",
        ),
        ("#", "Open actions from earlier meetings"),
        ("09:40", "Arthur Acton"),
    ]
    flag_row = agenda.tree.topLevelItem(3)
    assert flag_row.text(2) == nhs_number.format_nhs(world.flagged)
    assert "Lives alone, heating broken" in flag_row.text(6)

    # Alt+Up moves the open action to the top; the time slots follow.
    agenda.select_item(agenda.meeting.agenda[2].id)
    qtbot.keyClick(agenda.tree, Qt.Key.Key_Up, Qt.KeyboardModifier.AltModifier)
    qtbot.keyClick(agenda.tree, Qt.Key.Key_Up, Qt.KeyboardModifier.AltModifier)
    assert patients(agenda) == ["Arthur Acton", "Rita Reviewer", "Fiona Flagg"]
    assert agenda.selected_item().patient_name == "Arthur Acton"
    assert agenda_rows(agenda)[:3] == [
        ("#", "Open actions from earlier meetings"),
        ("09:30", "Arthur Acton"),
        ("#", "Care plans due or overdue for review"),
    ]

    # Ten minutes for him: the next slots move.
    agenda.minutes_spin.selectAll()
    qtbot.keyClicks(agenda.minutes_spin, "10")
    qtbot.keyClick(agenda.minutes_spin, Qt.Key.Key_Return)
    assert agenda.meeting.agenda[0].minutes == 10
    assert [i.starts_at.strftime("%H:%M") for i in agenda.meeting.agenda] == [
        "09:30",
        "09:40",
        "09:45",
    ]

    # A patient added by hand, found by name, with a reason.
    click(qtbot, agenda.add_button)
    dialog = agenda.dialog
    qtbot.keyClicks(dialog.find_edit, "Handley")
    assert dialog.results.count() == 1
    qtbot.keyClicks(dialog.reason_edit, "Family asked for a review")
    click(qtbot, dialog.ok)
    assert not dialog.isVisible()
    last = agenda.meeting.agenda[-1]
    assert (last.patient_name, last.section, last.reasons) == (
        "Harriet Handley",
        Section.MANUAL,
        ("Family asked for a review",),
    )
    assert agenda.selected_item().id == last.id

    # Remove and restore: back at the end of its own section.
    agenda.select_item(agenda.meeting.agenda[2].id)  # Fiona Flagg
    click(qtbot, agenda.remove_button)
    assert "Fiona Flagg" not in patients(agenda)[:3]
    assert agenda_rows(agenda)[-2:] == [("#", "Taken off the agenda"), ("", "Fiona Flagg")]
    click(qtbot, agenda.restore_button)
    assert patients(agenda) == ["Arthur Acton", "Rita Reviewer", "Fiona Flagg", "Harriet Handley"]

    click(qtbot, agenda.lock_button)
    assert agenda.meeting.agenda_locked
    assert agenda.lock_button.text() == "Un&lock agenda"
    for name in ("build_button", "add_button", "up_button", "down_button", "remove_button"):
        assert not getattr(agenda, name).isEnabled(), name
    assert agenda.start_button.isEnabled()
    # The list shows the counts.
    click(qtbot, agenda.back_button)
    row = next(r for r in range(view.table.rowCount()) if view._id_at(r) == made.id)
    assert [view.table.item(row, c).text() for c in (5, 6)] == ["Locked", "4"]


def test_a_meeting_from_agenda_to_recorded_actions(world, make_view, qtbot, monkeypatch):
    meeting_id = build_locked_meeting(world)
    view = make_view(world.lead)
    agenda = view.open_meeting(meeting_id)
    assert agenda is not None
    assert agenda.attendance_combos["matron1"].isEnabled()
    agenda.attendance_combos["matron1"].setCurrentIndex(1)
    agenda.attendance_combos["matron1"].activated.emit(1)
    assert {a.username: a.attendance for a in agenda.meeting.attendees}["matron1"] == "present"

    click(qtbot, agenda.start_button)
    mode = agenda.meeting_mode
    assert mode is not None
    assert mode.objectName() == "meetingModeView"
    qtbot.addWidget(mode)
    assert agenda.meeting.status == "in_progress"
    assert mode.font().pointSize() >= 18
    first = mode.current_item()
    assert first.patient_name == "Rita Reviewer"
    assert mode.name_label.text() == "Rita Reviewer"
    assert "Level 2" in mode.summary_label.text()
    assert "Mary Matron" in mode.summary_label.text()
    assert "Walk to the shop — importance 8/10, confidence 4/10" in mode.facts_label.text()

    qtbot.keyClicks(mode.outcome_edit, "Plan reviewed; falls clinic referral agreed")
    click(qtbot, mode.decision_checks["refer"])
    click(qtbot, mode.decision_checks["review_plan"])
    click(qtbot, mode.record_button)
    assert mode.outcome_status.text() == "Outcome recorded ✓"

    owner = mode.findChild(object, "actionOwner")
    due = mode.findChild(object, "actionDue")
    assert owner.currentData() == "matron1"  # the key worker by default
    assert due.date().toString("dd/MM/yyyy") == f"{MEETING_DAY + timedelta(days=7):%d/%m/%Y}"
    qtbot.keyClicks(mode.action_what, "Refer to the falls clinic")
    owner.setCurrentIndex(owner.findData("nurse"))
    due_on = MEETING_DAY + timedelta(days=5)
    due.setDate(QDate(due_on.year, due_on.month, due_on.day))
    click(qtbot, mode.add_action_button)
    assert mode.actions_list.count() == 1
    assert "Refer to the falls clinic — Nia Nurse" in mode.actions_list.item(0).text()

    # Next patient (Page Down); an outcome typed but not recorded is kept on moving on.
    mode.activateWindow()
    mode.next_button.setFocus()
    qtbot.keyClick(mode.next_button, Qt.Key.Key_PageDown)
    assert mode.current_item().patient_name == "Fiona Flagg"
    assert mode.actions_list.count() == 0
    qtbot.keyClicks(mode.outcome_edit, "Heating engineer booked by her son")
    click(qtbot, mode.next_button)
    assert mode.current_item().patient_name == "Arthur Acton"
    assert "Ask GP about pain relief" in mode.facts_label.text()
    click(qtbot, mode.prev_button)
    assert mode.outcome_edit.toPlainText() == "Heating engineer booked by her son"

    monkeypatch.setattr(
        QInputDialog, "getMultiLineText", staticmethod(lambda *a, **k: ("Quorate", True))
    )
    click(qtbot, mode.close_meeting_button)
    assert mode.meeting.status == "closed"
    assert not mode.outcome_edit.isEnabled()
    assert agenda.meeting.status == "closed"
    assert agenda.meeting.notes == "Quorate"
    assert agenda.minutes_button.isVisible()
    discussed = {i.patient_name: i.discussed for i in agenda.meeting.agenda}
    assert discussed == {"Rita Reviewer": True, "Fiona Flagg": True, "Arthur Acton": False}
    assert agenda.meeting.agenda[0].decisions == ("refer", "review_plan")

    # The owner's worklist and the next meeting's agenda have the action.
    nurse = build_services(world.db, "nurse")
    worklist = nurse.meetings.actions(owner="nurse")
    assert [(a.what, a.due_on, a.nhs_number) for a in worklist] == [
        ("Refer to the falls clinic", due_on, world.review)
    ]
    meetings = world.lead.meetings
    nxt = meetings.create(MEETING_DAY + timedelta(days=3), "09:30", "Room 2", "lead")
    carried = meetings.build_agenda(nxt.id).agenda
    forward = [i for i in carried if i.patient_name == "Rita Reviewer"]
    assert forward
    assert any("Refer to the falls clinic" in r for r in forward[0].reasons)
    # Fiona's flag was handled at this meeting; Arthur's action is still open.
    assert "Fiona Flagg" not in [i.patient_name for i in carried]
    assert "Arthur Acton" in [i.patient_name for i in carried]


def test_a_planned_meeting_whose_day_has_passed_reads_not_held(world, make_view):
    meetings = world.lead.meetings
    missed = meetings.create(TODAY - timedelta(days=3), "09:30", "Room 2", "lead").id
    coming = meetings.create(MEETING_DAY, "09:30", "Room 2", "lead").id
    view = make_view(world.lead)

    def status(meeting_id: int) -> str:
        row = next(r for r in range(view.table.rowCount()) if view._id_at(r) == meeting_id)
        return view.table.item(row, 4).text()

    # In words, not only greyed out as past: nobody started it on the day.
    assert status(missed) == "Not held"
    assert "never started" in view.table.item(view.meeting_ids().index(missed), 4).toolTip()
    assert status(coming) == "Planned"
    agenda = view.open_meeting(missed)
    assert "Not held" in agenda.subtitle.text()
    assert "Planned" not in agenda.subtitle.text()


def test_a_new_meeting_is_for_the_chairs_team_or_the_one_chosen(world, make_view, qtbot):
    admin = build_services(world.db, "admin")
    admin.setup.add_staff("oakmatron", "Olive Oak", "community_matron", team="Selly Oak")
    view = make_view(world.lead)
    click(qtbot, view.new_button)
    dialog = view.dialog
    team = dialog.team_combo
    assert team.objectName() == "meetingTeam"
    assert [team.itemText(i) for i in range(team.count())] == ["Northfield", "Selly Oak"]
    assert team.currentText() == "Northfield"  # the chair's (Tessa Lead's) team
    chair = dialog.chair_combo
    chair.setCurrentIndex(chair.findData("oakmatron"))
    assert team.currentText() == "Selly Oak"  # follows the chair ...
    chair.setCurrentIndex(chair.findData("lead"))
    assert team.currentText() == "Northfield"
    # ... until someone picks a team.
    team.setFocus()
    qtbot.keyClick(team, Qt.Key.Key_Down)
    assert team.currentText() == "Selly Oak"
    chair.setCurrentIndex(chair.findData("matron1"))
    assert team.currentText() == "Selly Oak"
    qtbot.keyClicks(dialog.place_edit, "Selly Oak Health Centre")
    click(qtbot, dialog.ok)
    assert not dialog.isVisible(), dialog.error.text()
    (made,) = dialog.created
    assert (made.team, made.chair_name) == ("Selly Oak", "Mary Matron")
    assert view.agenda.subtitle.text().startswith("Selly Oak · ")

    # A weekly series takes the team too; by default the chair's.
    view.show_list()
    click(qtbot, view.new_button)
    series = view.dialog
    series.chair_combo.setCurrentIndex(series.chair_combo.findData("oakmatron"))
    qtbot.keyClicks(series.place_edit, "Teams call")
    click(qtbot, series.repeat_check)
    series.weeks_spin.setValue(1)
    click(qtbot, series.ok)
    assert series.created
    assert {m.team for m in series.created} == {"Selly Oak"}


def test_a_clinician_who_is_not_the_chair_cannot_change_the_agenda(
    world, make_view, qtbot, monkeypatch
):
    meeting_id = world.lead.meetings.create(MEETING_DAY, "09:30", "Room 2", "lead").id
    view = make_view(build_services(world.db, "matron1"))
    assert view.new_button.isEnabled()  # matrons run meetings of their own
    agenda = view.open_meeting(meeting_id)
    for name in ("build_button", "add_button", "lock_button", "start_button"):
        assert not getattr(agenda, name).isEnabled(), name
    assert "Only the chair (Tessa Lead) or a team lead" in agenda.note.text()
    shown: list[str] = []
    monkeypatch.setattr(
        QMessageBox, "warning", staticmethod(lambda _p, _t, text: shown.append(text))
    )
    agenda.build_agenda()  # e.g. a shortcut that slipped through: the service says no
    assert shown
    assert shown[0].startswith("Only the chair (Tessa Lead)")
    assert agenda.meeting.agenda == ()
    # A care navigator may look but not plan meetings.
    navigator = make_view(build_services(world.db, "navigator"))
    assert not navigator.new_button.isEnabled()


def test_printing_the_agenda_writes_a_pdf_with_the_items(
    world, make_view, qtbot, tmp_path, monkeypatch
):
    pytest.importorskip("ltcdesk.reports.meeting_agenda")
    from pypdf import PdfReader

    meeting_id = build_locked_meeting(world)
    agenda = make_view(world.lead).open_meeting(meeting_id)
    target = tmp_path / "agenda.pdf"
    monkeypatch.setattr(
        QFileDialog, "getSaveFileName", staticmethod(lambda *a, **k: (str(target), ""))
    )
    click(qtbot, agenda.print_button)
    dialog = agenda.dialog
    click(qtbot, dialog.save_button)
    assert dialog.saved_path == target, dialog.status.text()
    text = " ".join(page.extract_text() for page in PdfReader(target).pages)
    for name in ("Rita Reviewer", "Fiona Flagg", "Arthur Acton"):
        assert name in text
    assert nhs_number.format_nhs(world.flagged) in text
    # Initials only: no names on the page.
    click(qtbot, dialog.initials_check)
    click(qtbot, dialog.save_button)
    text = " ".join(page.extract_text() for page in PdfReader(target).pages)
    assert "Fiona Flagg" not in text
    assert nhs_number.format_nhs(world.flagged) in text


def test_the_patients_meeting_actions_on_the_record(world, qtbot):
    # A navigator neither owns the action nor runs meetings: read only.
    other = MeetingActionsPanel(build_services(world.db, "navigator"), world.acting)
    qtbot.addWidget(other)
    other.show()
    other.table.selectRow(0)
    assert other.selected() is not None
    assert not other.done_button.isEnabled()

    nurse = build_services(world.db, "nurse")
    panel = MeetingActionsPanel(nurse, world.acting)
    qtbot.addWidget(panel)
    panel.show()
    assert panel.table.rowCount() == 1
    cells = [panel.table.item(0, c).text() for c in range(5)]
    assert cells[:3] == ["Ask GP about pain relief", "Martin Matron", f"{TODAY:%d/%m/%Y}"]
    assert cells[4] == f"Meeting {TODAY - timedelta(days=10):%d/%m/%Y}"
    panel.table.selectRow(0)
    assert panel.done_button.isEnabled()  # nurses run meetings, so may close it
    click(qtbot, panel.done_button)
    assert panel.table.rowCount() == 0
    assert panel.message.text() == "Marked done: Ask GP about pain relief"
    click(qtbot, panel.show_all)
    assert panel.table.item(0, 3).text() == f"Done {TODAY:%d/%m/%Y}"


def test_a_navigator_asks_for_a_step_up_at_the_next_meeting(world, qtbot):
    navigator = build_services(world.db, "navigator")
    panel = MeetingActionsPanel(navigator, world.manual)
    qtbot.addWidget(panel)
    panel.show()
    assert panel.request_button.isEnabled()
    dialog = panel.ask_for_discussion()
    qtbot.addWidget(dialog)
    dialog.kind_combo.setCurrentIndex(dialog.kind_combo.findData("step_up"))
    # No reason: refused, the reason named, nothing saved, the dialog still open.
    dialog.submit()
    assert "reason" in dialog.error_label.text()
    assert dialog.isVisible()
    assert dialog.request_id is None
    qtbot.keyClicks(dialog.reason_edit, "Two falls this week, carer struggling")
    dialog.submit()
    assert dialog.request_id is not None
    assert panel.message.text() == "Asked: they will be on the next meeting's agenda."
    # The team's next meeting proposes Harriet under step up / step down.
    meeting = world.lead.meetings.create(TODAY + timedelta(days=1), "09:30", "Room 2", "lead")
    proposals = {p.patient_id: p for p in world.lead.meetings.propose(meeting.id)}
    built = world.lead.meetings.build_agenda(meeting.id)
    item = next(i for i in built.agenda if i.patient_name == "Harriet Handley")
    assert item.section is Section.STEP
    assert item.reasons[0].startswith("Step up requested by Nadia Navigator")
    assert item.reasons[0].endswith("Two falls this week, carer struggling")
    assert len(proposals) == len(built.agenda)
    # The administrator (no clinical work) may not ask.
    viewer = MeetingActionsPanel(build_services(world.db, "admin"), world.manual)
    qtbot.addWidget(viewer)
    viewer.show()
    assert not viewer.request_button.isEnabled()
