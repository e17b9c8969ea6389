"""Acting on one reminder from the worklist (issue 8): complete it (an optional note),
reschedule it (a new date and a reason, both required), reassign it (to whom and why); and
the start-up summary of what is overdue and due today for the person who signed in.

Each dialog calls the service itself and stays open when it is refused, naming the field
(or who may change the reminder), so nothing typed is lost."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, timedelta
from typing import TYPE_CHECKING

from PySide6.QtCore import QDate, Qt, Signal
from PySide6.QtGui import QFont
from PySide6.QtWidgets import (
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
    QVBoxLayout,
    QWidget,
)

from ltcdesk.domain import nhs_number
from ltcdesk.domain.errors import DomainError, ValidationError
from ltcdesk.services.reminders import Group, Reminder
from ltcdesk.ui.widgets import ERROR_STYLE, button_row, field_message, pad_form_labels, to_date

if TYPE_CHECKING:
    from ltcdesk.app import Services

REASON_MAX = 500
SUMMARY_ITEMS = 12  # the start-up summary lists this many, then "… and N more"


def describe(reminder: Reminder) -> str:
    """ "Care plan review for Ann Busy (943 476 5919), due 18/11/2026"."""
    return (
        f"{reminder.what} for {reminder.patient_name} "
        f"({nhs_number.format_nhs(reminder.nhs_number)}), due {reminder.due:%d/%m/%Y}"
    )


def _named(widget: QWidget, name: str, accessible: str) -> None:
    widget.setObjectName(name)
    widget.setAccessibleName(accessible)


def _qdate(day: date) -> QDate:
    return QDate(day.year, day.month, day.day)


def _plural(n: int, word: str) -> str:
    return f"{n:,} {word}" if n == 1 else f"{n:,} {word}s"


class _ReminderDialog(QDialog):
    """Intro, a form, an error line and OK/Cancel; ``submit`` calls the service."""

    def __init__(
        self,
        name: str,
        title: str,
        ok_text: str,
        reminder: Reminder,
        services: Services,
        parent: QWidget | None,
    ) -> None:
        super().__init__(parent)
        _named(self, f"{name}Dialog", title)
        self.setWindowTitle(title)
        self._services = services
        self.reminder = reminder
        self.result_reminder: Reminder | None = None
        self.intro = QLabel(describe(reminder) + ".")
        _named(self.intro, f"{name}Intro", "Reminder")
        self.intro.setWordWrap(True)
        self.intro.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.why = QLabel(reminder.why)
        _named(self.why, f"{name}Why", "Why it is due")
        self.why.setWordWrap(True)
        self.why.setStyleSheet("color: #425563;")
        self.form = QFormLayout()
        self.error_label = QLabel()
        _named(self.error_label, f"{name}Error", "Problem")
        self.error_label.setStyleSheet(ERROR_STYLE)
        self.error_label.setWordWrap(True)
        self.error_label.hide()
        self.ok_button, cancel, row = button_row(
            ok_text, f"{name}Ok", ok_text, f"{name}Cancel", "Cancel"
        )
        self.ok_button.clicked.connect(self.submit)
        cancel.clicked.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(self.intro)
        layout.addWidget(self.why)
        layout.addLayout(self.form)
        layout.addWidget(self.error_label)
        layout.addStretch(1)
        layout.addLayout(row)
        self.setMinimumWidth(520)

    def _finish_form(self) -> None:
        pad_form_labels(self.form)
        self.resize(560, self.sizeHint().height())

    def show_error(self, err: DomainError, focus: QWidget | None = None) -> None:
        text = field_message(err) if isinstance(err, ValidationError) else str(err)
        self.error_label.setText(text)
        self.error_label.show()
        if focus is not None:
            focus.setFocus()

    def submit(self) -> None:
        raise NotImplementedError


class CompleteReminderDialog(_ReminderDialog):
    """Mark a reminder done, with an optional note (kept with the reminder, not audited)."""

    def __init__(self, services: Services, reminder: Reminder, parent: QWidget | None = None):
        super().__init__(
            "completeReminder", "Complete a reminder", "&Complete", reminder, services, parent
        )
        self.note_edit = QLineEdit()
        _named(self.note_edit, "completeNoteEdit", "Note (optional)")
        self.note_edit.setMaxLength(REASON_MAX)
        self.note_edit.setPlaceholderText("What was done (optional)")
        self.form.addRow("&Note:", self.note_edit)
        self._finish_form()

    def submit(self) -> None:
        r = self.reminder
        try:
            self._services.reminders.complete(r.nhs_number, r.key, self.note_edit.text() or None)
        except DomainError as err:
            self.show_error(err, self.note_edit)
            return
        self.accept()


class RescheduleReminderDialog(_ReminderDialog):
    """A new date (today or later) and the reason, both required."""

    def __init__(
        self,
        services: Services,
        reminder: Reminder,
        parent: QWidget | None = None,
        *,
        today: date | None = None,
    ) -> None:
        super().__init__(
            "rescheduleReminder", "Reschedule a reminder", "&Reschedule", reminder, services, parent
        )
        today = today or date.today()
        self.date_edit = QDateEdit()
        _named(self.date_edit, "rescheduleDateEdit", "New date")
        self.date_edit.setDisplayFormat("dd/MM/yyyy")
        self.date_edit.setCalendarPopup(True)
        self.date_edit.setMinimumDate(_qdate(today))
        self.date_edit.setMaximumDate(_qdate(today + timedelta(days=3 * 366)))
        self.date_edit.setDate(_qdate(max(today, reminder.due) + timedelta(days=7)))
        self.reason_edit = QLineEdit()
        _named(self.reason_edit, "rescheduleReasonEdit", "Reason (required)")
        self.reason_edit.setMaxLength(REASON_MAX)
        self.reason_edit.setPlaceholderText("Why it moves, e.g. family visiting that week")
        self.form.addRow("New &date:", self.date_edit)
        self.form.addRow("&Reason:", self.reason_edit)
        self._finish_form()

    def submit(self) -> None:
        r = self.reminder
        try:
            self.result_reminder = self._services.reminders.reschedule(
                r.nhs_number, r.key, to_date(self.date_edit.date()), self.reason_edit.text()
            )
        except DomainError as err:
            field = err.field if isinstance(err, ValidationError) else ""
            self.show_error(err, self.date_edit if field == "new date" else self.reason_edit)
            return
        self.accept()


class ReassignReminderDialog(_ReminderDialog):
    """To another active member of staff, with the reason."""

    def __init__(self, services: Services, reminder: Reminder, parent: QWidget | None = None):
        super().__init__(
            "reassignReminder", "Reassign a reminder", "Re&assign", reminder, services, parent
        )
        me = next((m for m in services.setup.staff() if m.username == services.username), None)
        team = me.team if me is not None else None
        self.to_combo = QComboBox()
        _named(self.to_combo, "reassignToCombo", "Reassign to")
        staff = sorted(
            (
                m
                for m in services.setup.staff()
                if m.active
                and m.role != "admin"
                and m.username != reminder.owner_username
                and (team is None or m.team == team)
            ),
            key=lambda m: m.display_name.casefold(),
        )
        for member in staff:
            self.to_combo.addItem(member.display_name, member.username)
        self.reason_edit = QLineEdit()
        _named(self.reason_edit, "reassignReasonEdit", "Reason (required)")
        self.reason_edit.setMaxLength(REASON_MAX)
        self.reason_edit.setPlaceholderText("Why, e.g. on a course this week")
        owner = QLabel(reminder.owner_name or "Nobody")
        _named(owner, "reassignFrom", "Now with")
        self.form.addRow("Now with:", owner)
        self.form.addRow("Reassign &to:", self.to_combo)
        self.form.addRow("&Reason:", self.reason_edit)
        self._finish_form()

    def select_worker(self, username: str) -> bool:
        index = self.to_combo.findData(username)
        if index >= 0:
            self.to_combo.setCurrentIndex(index)
        return index >= 0

    def submit(self) -> None:
        r = self.reminder
        to = self.to_combo.currentData()
        if not to:
            self.show_error(ValidationError("reassign to", "choose who it goes to"), self.to_combo)
            return
        try:
            self.result_reminder = self._services.reminders.reassign(
                r.nhs_number, r.key, str(to), self.reason_edit.text()
            )
        except DomainError as err:
            self.show_error(err, self.reason_edit)
            return
        self.accept()


def summary_sentence(counts: dict[Group, int]) -> str:
    overdue, today = counts.get(Group.OVERDUE, 0), counts.get(Group.TODAY, 0)
    if not overdue and not today:
        return "Nothing is overdue or due today."
    parts = []
    if overdue:
        parts.append(f"{_plural(overdue, 'reminder')} overdue")
    if today:
        parts.append(f"{today:,} due today")
    return "You have " + " and ".join(parts) + "."


class StartupSummaryDialog(QDialog):
    """What is overdue and due today for the person who signed in; "Go to my work" opens
    the worklist (``goToMyWork``)."""

    goToMyWork = Signal()

    def __init__(
        self,
        name: str,
        counts: dict[Group, int],
        due: Sequence[Reminder],
        parent: QWidget | None = None,
        *,
        today: date | None = None,
    ) -> None:
        super().__init__(parent)
        _named(self, "startupSummaryDialog", "What is due today")
        self.setWindowTitle("What is due today")
        today = today or date.today()
        hello = QLabel(f"{name}: {today:%A %d/%m/%Y}")
        _named(hello, "startupSummaryTitle", "Today")
        bold = QFont(hello.font())
        bold.setBold(True)
        bold.setPointSizeF(bold.pointSizeF() * 1.2)
        hello.setFont(bold)
        self.counts_label = QLabel(summary_sentence(counts))
        _named(self.counts_label, "startupSummaryCounts", "Reminders due")
        self.counts_label.setWordWrap(True)
        later = counts.get(Group.THIS_WEEK, 0)
        self.week_label = QLabel(
            f"Later this week: {later:,}. Further ahead: {counts.get(Group.LATER, 0):,}."
        )
        _named(self.week_label, "startupSummaryLater", "Due later")
        self.week_label.setStyleSheet("color: #425563;")
        self.list = QListWidget()
        _named(self.list, "startupSummaryList", "Overdue and due today")
        urgent_first = sorted(due, key=lambda r: (not r.urgent, r.due))
        for reminder in urgent_first[:SUMMARY_ITEMS]:
            late = (today - reminder.due).days
            when = "today" if late <= 0 else f"{_plural(late, 'day')} overdue"
            text = (
                f"{'Urgent: ' if reminder.urgent else ''}{reminder.what} — "
                f"{reminder.patient_name} ({nhs_number.format_nhs(reminder.nhs_number)}) — "
                f"{when}"
            )
            item = QListWidgetItem(text)
            item.setToolTip(reminder.why)
            if reminder.urgent:
                item.setForeground(Qt.GlobalColor.darkRed)
            self.list.addItem(item)
        if len(due) > SUMMARY_ITEMS:
            more = QListWidgetItem(f"… and {len(due) - SUMMARY_ITEMS:,} more in My work")
            more.setFlags(Qt.ItemFlag.ItemIsEnabled)
            self.list.addItem(more)
        self.list.setVisible(bool(due))
        self.go_button = QPushButton("&Go to my work")
        _named(self.go_button, "goToMyWorkButton", "Go to my work")
        self.go_button.setDefault(True)
        self.go_button.clicked.connect(self._on_go_button_clicked)
        close = QPushButton("Close")
        _named(close, "startupSummaryClose", "Close")
        close.setAutoDefault(False)
        close.clicked.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(hello)
        layout.addWidget(self.counts_label)
        layout.addWidget(self.week_label)
        layout.addWidget(self.list, 1)
        row = QHBoxLayout()
        row.addStretch(1)
        row.addWidget(self.go_button)
        row.addWidget(close)
        layout.addLayout(row)
        self.resize(640, 420 if due else 180)

    def _on_go_button_clicked(self) -> None:
        self.accept()
        self.goToMyWork.emit()
