"""Whiteboard meeting dialogs: a new meeting (or a weekly series), adding a patient to the
agenda by hand, and printing an agenda or the minutes as PDF. Shared wording lives here
too, so the list, the agenda and meeting mode say things the same way."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import date, time, timedelta
from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtCore import QDate, Qt, QTime
from PySide6.QtGui import QPageSize
from PySide6.QtPrintSupport import QPrinter
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDateEdit,
    QDialog,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QPushButton,
    QSpinBox,
    QTimeEdit,
    QVBoxLayout,
    QWidget,
)

from ltcdesk.domain import nhs_number
from ltcdesk.domain.errors import DomainError, ValidationError
from ltcdesk.domain.permissions import Action, allowed
from ltcdesk.domain.vocab import Role
from ltcdesk.services.meeting_views import WEEKDAYS, MeetingView
from ltcdesk.services.setup import StaffView
from ltcdesk.ui.dialogs.pdf_output import PdfOutputDialog, safe_file_name
from ltcdesk.ui.widgets import ERROR_STYLE, button_row, field_message, to_date

if TYPE_CHECKING:
    from ltcdesk.app import Services

STATUS_LABELS = {"planned": "Planned", "in_progress": "In progress", "closed": "Closed"}
ATTENDANCE_LABELS = {"invited": "Invited", "present": "Present", "apologies": "Apologies"}
NOT_ATTENDING = {Role.ADMIN.value, Role.READ_ONLY.value}


NOT_HELD = "Not held"


def status_label(status: str, held_on: date, today: date | None = None) -> str:
    """The status in words; a planned meeting whose day has passed was never started, so
    it reads "Not held" rather than "Planned"."""
    if status == "planned" and held_on < (today or date.today()):
        return NOT_HELD
    return STATUS_LABELS.get(status, status)


def team_names(staff: Sequence[StaffView]) -> list[str]:
    """The teams that have staff, by name (there is no service listing teams as such)."""
    return sorted({s.team for s in staff if s.team}, key=str.casefold)


def runs_meetings(staff: Sequence[StaffView]) -> list[StaffView]:
    """Active staff who may chair a meeting."""
    return [s for s in staff if s.active and allowed(s.role, Action.RUN_MEETINGS)]


def team_members(staff: Sequence[StaffView]) -> list[StaffView]:
    """Active staff who attend meetings and own actions (not administrators)."""
    return [s for s in staff if s.active and s.role not in NOT_ATTENDING]


def meeting_when(view: MeetingView) -> str:
    return f"{view.held_on:%A} {view.held_on:%d/%m/%Y}, {view.starts_at:%H:%M}–{view.ends_at:%H:%M}"


def meeting_where(view: MeetingView) -> str:
    return f"{view.place} (virtual)" if view.virtual else view.place


def _qdate(day: date) -> QDate:
    return QDate(day.year, day.month, day.day)


def _named(widget: QWidget, name: str, accessible: str) -> None:
    widget.setObjectName(name)
    widget.setAccessibleName(accessible)


class NewMeetingDialog(QDialog):
    """Date, time, length, place (or virtual), chair, team and attendees; optionally
    repeated weekly on chosen days. ``created`` holds the meetings made once accepted.

    The team follows the chair's team until someone picks one."""

    def __init__(
        self,
        services: Services,
        staff: Sequence[StaffView],
        parent: QWidget | None = None,
        *,
        today: date | None = None,
    ) -> None:
        super().__init__(parent)
        self._meetings = services.meetings
        me = services.username
        _named(self, "newMeetingDialog", "New whiteboard meeting")
        self.setWindowTitle("New whiteboard meeting")
        self.created: list[MeetingView] = []
        start = today or date.today()

        self.date_edit = QDateEdit(_qdate(start))
        _named(self.date_edit, "meetingDate", "Date of the meeting")
        self.date_edit.setDisplayFormat("dd/MM/yyyy")
        self.date_edit.setCalendarPopup(True)
        self.date_edit.dateChanged.connect(self._on_date_edit_date_changed)
        self.time_edit = QTimeEdit(QTime(9, 30))
        _named(self.time_edit, "meetingTime", "Start time")
        self.time_edit.setDisplayFormat("HH:mm")
        self.length_spin = QSpinBox()
        _named(self.length_spin, "meetingLength", "Length in minutes")
        self.length_spin.setRange(10, 8 * 60)
        self.length_spin.setSingleStep(15)
        self.length_spin.setValue(60)
        self.length_spin.setSuffix(" minutes")
        self.place_edit = QLineEdit()
        _named(self.place_edit, "meetingPlace", "Place")
        self.place_edit.setPlaceholderText("e.g. Room 2, Northfield Health Centre")
        self.virtual_check = QCheckBox("&Virtual (video call)")
        _named(self.virtual_check, "meetingVirtual", "Virtual meeting")
        self.virtual_check.toggled.connect(self._on_virtual_check_toggled)

        self.chair_combo = QComboBox()
        _named(self.chair_combo, "meetingChair", "Chair")
        for member in runs_meetings(staff):
            self.chair_combo.addItem(member.display_name, member.username)
        self.chair_combo.setCurrentIndex(max(0, self.chair_combo.findData(me)))
        self.chair_combo.currentIndexChanged.connect(self._on_chair_combo_changed)

        self._teams = team_names(staff)
        self._team_of = {s.username: s.team for s in staff}
        self._team_chosen = False
        self.team_combo = QComboBox()
        _named(self.team_combo, "meetingTeam", "Team")
        self.team_combo.setToolTip("The team whose meeting this is (the chair's team at first)")
        self.team_combo.activated.connect(self._on_team_combo_activated)

        self.attendees = QListWidget()
        _named(self.attendees, "meetingAttendees", "Attendees")
        mine = next((s.team for s in staff if s.username == me), None)
        for member in team_members(staff):
            label = f"{member.display_name} — {Role(member.role).label}"
            item = QListWidgetItem(label)
            item.setData(Qt.ItemDataRole.UserRole, member.username)
            item.setFlags(item.flags() | Qt.ItemFlag.ItemIsUserCheckable)
            same_team = mine is not None and member.team == mine
            item.setCheckState(Qt.CheckState.Checked if same_team else Qt.CheckState.Unchecked)
            self.attendees.addItem(item)
        self.attendees.setMinimumHeight(150)

        self.repeat_check = QCheckBox("&Repeat weekly on these days (a recurring schedule):")
        _named(self.repeat_check, "repeatWeekly", "Repeat weekly")
        self.repeat_check.toggled.connect(self._on_repeat_check_toggled)
        self.day_checks: list[QCheckBox] = []
        days = QHBoxLayout()
        for number, name in enumerate(WEEKDAYS, start=1):
            check = QCheckBox(name[:3])
            _named(check, f"repeat{name}", f"Repeat on {name}")
            check.setProperty("weekday", number)
            self.day_checks.append(check)
            days.addWidget(check)
        self.weeks_spin = QSpinBox()
        _named(self.weeks_spin, "repeatWeeks", "For how many weeks")
        self.weeks_spin.setRange(1, 26)
        self.weeks_spin.setValue(8)
        self.weeks_spin.setSuffix(" weeks")
        days.addWidget(QLabel("for"))
        days.addWidget(self.weeks_spin)
        days.addStretch(1)
        self.days_box = QWidget()
        self.days_box.setLayout(days)
        days.setContentsMargins(0, 0, 0, 0)

        self.error = QLabel()
        _named(self.error, "newMeetingError", "Problem with the meeting")
        self.error.setStyleSheet(ERROR_STYLE)
        self.error.setWordWrap(True)
        self.error.hide()

        form = QFormLayout()
        form.addRow("&Date:", self.date_edit)
        when = QHBoxLayout()
        when.addWidget(self.time_edit)
        when.addWidget(QLabel("for"))
        when.addWidget(self.length_spin)
        when.addStretch(1)
        time_label = QLabel("&Time:")
        time_label.setBuddy(self.time_edit)
        form.addRow(time_label, when)
        form.addRow("&Place:", self.place_edit)
        form.addRow("", self.virtual_check)
        form.addRow("C&hair:", self.chair_combo)
        form.addRow("T&eam:", self.team_combo)
        form.addRow("&Attendees:", self.attendees)
        form.addRow("", self.repeat_check)
        form.addRow("", self.days_box)
        self.ok, cancel, buttons = button_row(
            "&Create", "createMeetingButton", "Create the meeting", "cancelMeetingButton", "Cancel"
        )
        self.ok.clicked.connect(self._on_ok_clicked)
        cancel.clicked.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addWidget(self.error)
        layout.addLayout(buttons)
        self._on_repeat_check_toggled(False)
        self._on_chair_combo_changed(self.chair_combo.currentIndex())
        self.setMinimumWidth(560)

    # -- slots

    def _on_date_edit_date_changed(self, _day: QDate) -> None:
        if self.repeat_check.isChecked() and not any(c.isChecked() for c in self.day_checks):
            self._tick_weekday()

    def _tick_weekday(self) -> None:
        self.day_checks[self.date_edit.date().dayOfWeek() - 1].setChecked(True)

    def _on_virtual_check_toggled(self, on: bool) -> None:
        if on and not self.place_edit.text().strip():
            self.place_edit.setText("Microsoft Teams")

    def _on_repeat_check_toggled(self, on: bool) -> None:
        self.days_box.setEnabled(on)
        if on and not any(c.isChecked() for c in self.day_checks):
            self._tick_weekday()
        self.ok.setText("&Create meetings" if on else "&Create")

    def _on_team_combo_activated(self, _index: int) -> None:
        self._team_chosen = True

    def _fill_teams(self) -> None:
        """The teams, at the chair's own (or the one picked); "No team" only while the chair
        has none, since the service files a meeting without a team under the chair's."""
        chair_team = self._team_of.get(self.chair_combo.currentData())
        keep = self.team_combo.currentData() if self._team_chosen else chair_team
        blocked = self.team_combo.blockSignals(True)
        self.team_combo.clear()
        if chair_team is None:
            self.team_combo.addItem("No team", None)
        for name in self._teams:
            self.team_combo.addItem(name, name)
        index = self.team_combo.findData(keep) if keep is not None else 0
        self.team_combo.setCurrentIndex(max(0, index))
        self.team_combo.setEnabled(self.team_combo.count() > 1)
        self.team_combo.blockSignals(blocked)

    def chosen_team(self) -> str | None:
        team = self.team_combo.currentData()
        return str(team) if team else None

    def _on_chair_combo_changed(self, _index: int) -> None:
        self._fill_teams()
        chair = self.chair_combo.currentData()
        for row in range(self.attendees.count()):
            item = self.attendees.item(row)
            if item.data(Qt.ItemDataRole.UserRole) == chair:
                item.setCheckState(Qt.CheckState.Checked)

    def chosen_attendees(self) -> list[str]:
        return [
            self.attendees.item(r).data(Qt.ItemDataRole.UserRole)
            for r in range(self.attendees.count())
            if self.attendees.item(r).checkState() == Qt.CheckState.Checked
        ]

    def _on_ok_clicked(self) -> None:
        chair = self.chair_combo.currentData()
        if chair is None:
            self._show_error("Nobody in the team can chair a meeting yet.")
            return
        held_on = to_date(self.date_edit.date())
        qt = self.time_edit.time()
        minutes, virtual = self.length_spin.value(), self.virtual_check.isChecked()
        attendees, team = self.chosen_attendees(), self.chosen_team()
        place = self.place_edit.text()
        starts = time(qt.hour(), qt.minute())
        try:
            if self.repeat_check.isChecked():
                days = [int(c.property("weekday")) for c in self.day_checks if c.isChecked()]
                self.created = self._meetings.schedule(
                    days,
                    starts,
                    place,
                    chair,
                    first_date=held_on,
                    weeks=self.weeks_spin.value(),
                    minutes=minutes,
                    virtual=virtual,
                    team=team,
                    attendees=attendees,
                )
            else:
                made = self._meetings.create(
                    held_on,
                    starts,
                    place,
                    chair,
                    minutes=minutes,
                    virtual=virtual,
                    team=team,
                    attendees=attendees,
                )
                self.created = [made]
        except ValidationError as err:
            self._show_error(field_message(err))
            return
        except DomainError as err:
            self._show_error(str(err))
            return
        self.accept()

    def _show_error(self, message: str) -> None:
        self.error.setText(message)
        self.error.show()


class AddPatientDialog(QDialog):
    """Find a patient by name or NHS number and give the reason to discuss them.
    ``add(nhs, reason, minutes)`` does the adding; its refusal is shown here."""

    def __init__(
        self,
        search: Callable[[str], list[tuple[str, str, date]]],
        add: Callable[[str, str, int], object],
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        _named(self, "addAgendaPatientDialog", "Add a patient to the agenda")
        self.setWindowTitle("Add a patient to the agenda")
        self._search = search
        self._add = add
        self.added_nhs: str | None = None
        self.find_edit = QLineEdit()
        _named(self.find_edit, "addPatientFind", "Find a patient by name or NHS number")
        self.find_edit.setPlaceholderText("Name or NHS number")
        self.find_edit.setClearButtonEnabled(True)
        self.find_edit.textEdited.connect(self._on_find_edit_text_edited)
        self.results = QListWidget()
        _named(self.results, "addPatientResults", "Patients found")
        self.results.setMinimumHeight(140)
        self.results.currentRowChanged.connect(lambda _row: self._update())
        self.reason_edit = QLineEdit()
        _named(self.reason_edit, "addPatientReason", "Reason to discuss")
        self.reason_edit.setPlaceholderText("Why the team should discuss this person")
        self.reason_edit.textChanged.connect(lambda _text: self._update())
        self.minutes_spin = QSpinBox()
        _named(self.minutes_spin, "addPatientMinutes", "Minutes for this patient")
        self.minutes_spin.setRange(1, 120)
        self.minutes_spin.setValue(5)
        self.minutes_spin.setSuffix(" min")
        self.error = QLabel()
        _named(self.error, "addPatientError", "Problem adding the patient")
        self.error.setStyleSheet(ERROR_STYLE)
        self.error.setWordWrap(True)
        self.error.hide()
        form = QFormLayout()
        form.addRow("&Find:", self.find_edit)
        form.addRow("", self.results)
        form.addRow("&Reason:", self.reason_edit)
        form.addRow("&Time:", self.minutes_spin)
        self.ok, cancel, buttons = button_row(
            "&Add to agenda",
            "addPatientOkButton",
            "Add to the agenda",
            "addPatientCancel",
            "Cancel",
        )
        self.ok.clicked.connect(self._on_ok_clicked)
        cancel.clicked.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addWidget(self.error)
        layout.addLayout(buttons)
        self.setMinimumWidth(520)
        self._update()

    def _on_find_edit_text_edited(self, text: str) -> None:
        self.results.clear()
        if len(text.strip()) < 2:
            self._update()
            return
        try:
            found = self._search(text)
        except DomainError:
            found = []
        for nhs, name, dob in found:
            item = QListWidgetItem(f"{name} — {nhs_number.format_nhs(nhs)} — born {dob:%d/%m/%Y}")
            item.setData(Qt.ItemDataRole.UserRole, nhs)
            self.results.addItem(item)
        if self.results.count():
            self.results.setCurrentRow(0)
        self._update()

    def chosen_nhs(self) -> str | None:
        item = self.results.currentItem()
        if item is not None:
            return str(item.data(Qt.ItemDataRole.UserRole))
        text = self.find_edit.text()
        return nhs_number.normalise(text) if nhs_number.is_valid(text) else None

    def _update(self) -> None:
        self.ok.setEnabled(bool(self.chosen_nhs() and self.reason_edit.text().strip()))

    def _on_ok_clicked(self) -> None:
        nhs = self.chosen_nhs()
        if nhs is None:
            return
        try:
            self._add(nhs, self.reason_edit.text(), self.minutes_spin.value())
        except ValidationError as err:
            self.error.setText(field_message(err))
            self.error.show()
            return
        except DomainError as err:
            self.error.setText(str(err))
            self.error.show()
            return
        self.added_nhs = nhs
        self.accept()


class PrintMeetingDialog(PdfOutputDialog):
    """Save as PDF, preview or print an agenda or minutes. ``render(initials_only)``
    builds the PDF (in a worker thread when saving, so it must only read frozen data)."""

    def __init__(
        self,
        title: str,
        intro: str,
        file_name: str,
        render: Callable[[bool], bytes],
        parent: QWidget | None = None,
        *,
        initials_option: bool = True,
    ) -> None:
        super().__init__(parent)
        _named(self, "printMeetingDialog", title)
        self.setWindowTitle(title)
        self.setMinimumWidth(460)
        self._render_with = render
        self._file_name = safe_file_name(file_name, "meeting") + ".pdf"
        label = QLabel(intro)
        label.setWordWrap(True)
        self.initials_check = QCheckBox("&Initials and NHS number only (no names)")
        _named(self.initials_check, "printInitialsOnly", "Initials and NHS number only")
        self.initials_check.setToolTip(
            "For a copy that may be seen outside the meeting room: patients appear as "
            "initials and NHS number"
        )
        self.initials_check.setVisible(initials_option)
        self.status = QLabel()
        _named(self.status, "printMeetingStatus", "Printing status")
        self.status.setWordWrap(True)
        self.save_button = QPushButton("&Save as PDF…")
        _named(self.save_button, "saveMeetingPdfButton", "Save as PDF")
        self.save_button.setDefault(True)
        self.preview_button = QPushButton("Pre&view")
        _named(self.preview_button, "previewMeetingPdfButton", "Preview the PDF")
        self.print_button = QPushButton("&Print…")
        _named(self.print_button, "printMeetingToPrinterButton", "Print on paper")
        close = QPushButton("Close")
        _named(close, "printMeetingCloseButton", "Close")
        self.printer = QPrinter(QPrinter.PrinterMode.HighResolution)
        self.printer.setPageSize(QPageSize(QPageSize.PageSizeId.A4))
        self.save_button.clicked.connect(self._on_save_button_clicked)
        self.preview_button.clicked.connect(self._on_preview_button_clicked)
        self.print_button.clicked.connect(self._on_print_button_clicked)
        close.clicked.connect(self.accept)
        row = QHBoxLayout()
        row.addStretch(1)
        for push in (self.preview_button, self.print_button, self.save_button, close):
            row.addWidget(push)
        layout = QVBoxLayout(self)
        layout.addWidget(label)
        layout.addWidget(self.initials_check)
        layout.addWidget(self.status)
        layout.addLayout(row)

    def _renderer(self) -> Callable[[], bytes]:
        render, initials = self._render_with, self.initials_check.isChecked()
        return lambda: render(initials)

    def _on_save_button_clicked(self) -> None:
        suffix = " initials" if self.initials_check.isChecked() else ""
        suggested = Path.home() / self._file_name.replace(".pdf", f"{suffix}.pdf")
        self._save_pdf(self.windowTitle(), suggested)

    def _on_preview_button_clicked(self) -> None:
        self._preview_pdf("ltcdesk-meeting-", self._file_name)


def default_due(view: MeetingView) -> date:
    """An action's due date unless the team says otherwise: a week after the meeting."""
    return view.held_on + timedelta(days=7)
