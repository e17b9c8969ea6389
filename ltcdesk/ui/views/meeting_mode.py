"""Meeting mode (issue 7, point 3): the meeting as the room sees it on a projector — large
text, one patient at a time, the key facts from the record — while the chair records the
outcome, decisions and actions (each with an owner, a due date and the patient).

It is a window of its own (a dialog, so the screen lock hides it) that can be dragged to
the projector and shown full screen (F11); PageUp/PageDown move between patients. Moving
on records an outcome typed but not yet recorded, so nothing said is lost.
"""

from __future__ import annotations

from datetime import date
from html import escape
from typing import TYPE_CHECKING, Final

from PySide6.QtCore import QDate, Qt, Signal
from PySide6.QtGui import QFont, QKeyEvent, QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDateEdit,
    QDialog,
    QFrame,
    QGridLayout,
    QHBoxLayout,
    QInputDialog,
    QLabel,
    QLineEdit,
    QListWidget,
    QPlainTextEdit,
    QPushButton,
    QScrollArea,
    QVBoxLayout,
    QWidget,
)

from ltcdesk.domain import nhs_number
from ltcdesk.domain.errors import DomainError, ValidationError
from ltcdesk.services.meeting_views import DECISIONS, ActionView, ItemView, MeetingView
from ltcdesk.services.setup import StaffView
from ltcdesk.ui.dialogs.meeting_dialogs import (
    STATUS_LABELS,
    default_due,
    meeting_when,
    meeting_where,
    team_members,
)
from ltcdesk.ui.widgets import field_message, to_date

if TYPE_CHECKING:
    from ltcdesk.app import Services
    from ltcdesk.services.meeting_views import PatientFacts

BODY_PT: Final = 18
NAME_PT: Final = 26
# High contrast for a projector in a lit room: black on white, NHS blue headings, large
# tick boxes. Red and green are never the only sign of anything.
_D = "QDialog#meetingModeView"
STYLE: Final = f"""
{_D} {{ background: #FFFFFF; }}
{_D} QWidget {{ font-size: {BODY_PT}pt; }}
{_D} QLabel {{ color: #000000; }}
{_D} QScrollArea#meetingFactsScroll, {_D} QWidget#meetingFactsPane {{ background: #FFFFFF; }}
{_D} QLabel#meetingPatientName {{ color: #003087; font-size: {NAME_PT}pt; font-weight: bold; }}
{_D} QLabel#meetingSection {{ color: #005EB8; font-weight: bold; }}
{_D} QLabel[heading="true"] {{ color: #003087; font-weight: bold; }}
{_D} QFrame#meetingModeBar {{ background: #003087; }}
{_D} QFrame#meetingModeBar QLabel {{ color: #FFFFFF; font-weight: bold; }}
{_D} QCheckBox::indicator {{ width: 24px; height: 24px; }}
{_D} QPlainTextEdit, {_D} QLineEdit, {_D} QComboBox, {_D} QDateEdit {{
    border: 2px solid #425563; padding: 2px;
}}
{_D} QPlainTextEdit:focus, {_D} QLineEdit:focus, {_D} QComboBox:focus, {_D} QDateEdit:focus {{
    border: 3px solid #FFB81C;
}}
{_D} QLabel#outcomeStatus[ok="true"] {{ color: #006747; font-weight: bold; }}
{_D} QLabel#outcomeStatus[ok="false"] {{ color: #B3261E; font-weight: bold; }}
"""


def _heading(text: str) -> QLabel:
    label = QLabel(text)
    label.setProperty("heading", True)
    return label


class MeetingModeView(QDialog):
    """``changed`` after an outcome, an action or the meeting's closing is recorded."""

    changed = Signal()

    def __init__(self, services: Services, meeting_id: int, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._services = services
        self._meeting_id = meeting_id
        self._staff: list[StaffView] = services.setup.staff()
        self._facts: dict[str, PatientFacts] = {}
        self._loaded_outcome: tuple[str, tuple[str, ...]] = ("", ())
        self.meeting: MeetingView = services.meetings.get(meeting_id)
        self.index = 0
        self.setObjectName("meetingModeView")
        self.setAccessibleName("Meeting mode")
        self.setWindowTitle(
            f"Meeting mode — {meeting_when(self.meeting)} · {meeting_where(self.meeting)}"
        )
        self.setWindowFlags(
            Qt.WindowType.Window
            | Qt.WindowType.WindowMinMaxButtonsHint
            | Qt.WindowType.WindowCloseButtonHint
        )
        self.setModal(False)
        font = QFont(self.font())
        font.setPointSize(BODY_PT)
        self.setFont(font)
        self.setStyleSheet(STYLE)
        self._build()
        self._show_item()

    # ------------------------------------------------------------------ building

    def _build(self) -> None:
        bar = QFrame()
        bar.setObjectName("meetingModeBar")
        self.position_label = QLabel()
        self.position_label.setObjectName("meetingPosition")
        self.position_label.setAccessibleName("Which patient of how many")
        self.prev_button = self._button("previousItemButton", "◀ &Previous", "Previous patient")
        self.prev_button.setToolTip("Page Up")
        self.next_button = self._button("nextItemButton", "&Next ▶", "Next patient")
        self.next_button.setToolTip("Page Down")
        self.full_button = self._button("fullScreenButton", "&Full screen", "Full screen")
        self.full_button.setToolTip("F11")
        self.close_meeting_button = self._button(
            "closeMeetingButton", "&Close meeting…", "Close the meeting"
        )
        self.prev_button.clicked.connect(self.previous_item)
        self.next_button.clicked.connect(self.next_item)
        self.full_button.clicked.connect(self.toggle_full_screen)
        self.close_meeting_button.clicked.connect(self.close_meeting)
        top = QHBoxLayout(bar)
        top.setContentsMargins(12, 6, 12, 6)
        top.addWidget(self.position_label, 1)
        for push in (
            self.prev_button,
            self.next_button,
            self.full_button,
            self.close_meeting_button,
        ):
            top.addWidget(push)

        # Left: who, why, and the key facts from the record.
        self.name_label = QLabel()
        self.name_label.setObjectName("meetingPatientName")
        self.name_label.setAccessibleName("Patient")
        self.name_label.setWordWrap(True)
        self.section_label = QLabel()
        self.section_label.setObjectName("meetingSection")
        self.section_label.setAccessibleName("Agenda section")
        self.section_label.setWordWrap(True)
        self.summary_label = QLabel()
        self.summary_label.setObjectName("meetingPatientSummary")
        self.summary_label.setWordWrap(True)
        self.facts_label = QLabel()
        self.facts_label.setObjectName("meetingFacts")
        self.facts_label.setAccessibleName("Key facts")
        self.facts_label.setWordWrap(True)
        self.facts_label.setTextFormat(Qt.TextFormat.RichText)
        self.facts_label.setAlignment(Qt.AlignmentFlag.AlignTop | Qt.AlignmentFlag.AlignLeft)
        self.facts_label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        facts = QWidget()
        facts.setObjectName("meetingFactsPane")
        facts_layout = QVBoxLayout(facts)
        facts_layout.setContentsMargins(0, 0, 8, 0)
        facts_layout.addWidget(self.section_label)
        facts_layout.addWidget(self.name_label)
        facts_layout.addWidget(self.summary_label)
        facts_layout.addWidget(self.facts_label, 1)
        self.facts_scroll = QScrollArea()
        self.facts_scroll.setObjectName("meetingFactsScroll")
        self.facts_scroll.setWidget(facts)
        self.facts_scroll.setWidgetResizable(True)
        self.facts_scroll.setFrameShape(QFrame.Shape.NoFrame)
        self.facts_scroll.setMinimumWidth(440)
        self.facts_scroll.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)

        # Right: what the team decided.
        self.outcome_edit = QPlainTextEdit()
        self.outcome_edit.setObjectName("meetingOutcome")
        self.outcome_edit.setAccessibleName("Outcome of the discussion")
        self.outcome_edit.setPlaceholderText("What the team agreed")
        self.outcome_edit.setTabChangesFocus(True)
        self.outcome_edit.setMinimumHeight(90)
        self.decision_checks: dict[str, QCheckBox] = {}
        decisions = QGridLayout()
        decisions.setContentsMargins(0, 0, 0, 0)
        decisions.setVerticalSpacing(2)
        for n, (code, label) in enumerate(DECISIONS.items()):
            check = QCheckBox(label)
            check.setObjectName(f"decision_{code}")
            check.setAccessibleName(f"Decision: {label}")
            self.decision_checks[code] = check
            decisions.addWidget(check, n // 2, n % 2)
        self.record_button = self._button(
            "recordOutcomeButton", "&Record outcome", "Record the outcome"
        )
        self.record_button.clicked.connect(self.record_outcome)
        self.outcome_status = QLabel()
        self.outcome_status.setObjectName("outcomeStatus")
        self.outcome_status.setAccessibleName("Outcome recorded")
        self.outcome_status.setWordWrap(True)
        record_row = QHBoxLayout()
        record_row.addWidget(self.record_button)
        record_row.addWidget(self.outcome_status, 1)

        self.action_what = QLineEdit()
        self.action_what.setObjectName("actionWhat")
        self.action_what.setAccessibleName("Action: what is to be done")
        self.action_what.setPlaceholderText("Action: what is to be done")
        self.action_owner = QComboBox()
        self.action_owner.setObjectName("actionOwner")
        self.action_owner.setAccessibleName("Action owner")
        for member in team_members(self._staff):
            self.action_owner.addItem(member.display_name, member.username)
        self.action_due = QDateEdit()
        self.action_due.setObjectName("actionDue")
        self.action_due.setAccessibleName("Action due date")
        self.action_due.setDisplayFormat("dd/MM/yyyy")
        self.action_due.setCalendarPopup(True)
        held = self.meeting.held_on
        self.action_due.setMinimumDate(QDate(held.year, held.month, held.day))
        self.add_action_button = self._button("addActionButton", "&Add action", "Add the action")
        self.add_action_button.clicked.connect(self.add_action)
        self.action_what.returnPressed.connect(self.add_action)
        who_when = QHBoxLayout()
        who_when.addWidget(QLabel("Owner"))
        who_when.addWidget(self.action_owner, 1)
        who_when.addWidget(QLabel("Due"))
        who_when.addWidget(self.action_due)
        who_when.addWidget(self.add_action_button)
        self.actions_list = QListWidget()
        self.actions_list.setObjectName("itemActionsList")
        self.actions_list.setAccessibleName("Actions agreed for this patient")
        self.actions_list.setWordWrap(True)
        self.actions_list.setMinimumHeight(70)

        right = QVBoxLayout()
        right.setSpacing(6)
        right.addWidget(_heading("Outcome"))
        right.addWidget(self.outcome_edit, 2)
        right.addLayout(decisions)
        right.addLayout(record_row)
        right.addWidget(_heading("Actions"))
        right.addWidget(self.action_what)
        right.addLayout(who_when)
        right.addWidget(self.actions_list, 1)
        right_box = QWidget()
        right_box.setLayout(right)
        right.setContentsMargins(8, 0, 0, 0)

        body = QHBoxLayout()
        body.setContentsMargins(16, 8, 16, 12)
        body.addWidget(self.facts_scroll, 5)
        body.addWidget(right_box, 6)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(bar)
        layout.addLayout(body, 1)

        for keys, slot in (
            (QKeySequence.StandardKey.MoveToNextPage, self.next_item),
            (QKeySequence.StandardKey.MoveToPreviousPage, self.previous_item),
            (QKeySequence(Qt.Key.Key_F11), self.toggle_full_screen),
        ):
            shortcut = QShortcut(QKeySequence(keys), self)
            shortcut.setContext(Qt.ShortcutContext.WindowShortcut)
            shortcut.activated.connect(slot)

    def _button(self, name: str, text: str, accessible: str) -> QPushButton:
        push = QPushButton(text)
        push.setObjectName(name)
        push.setAccessibleName(accessible)
        push.setAutoDefault(False)
        return push

    # ------------------------------------------------------------------ showing

    @property
    def items(self) -> tuple[ItemView, ...]:
        return self.meeting.agenda

    def current_item(self) -> ItemView | None:
        return self.items[self.index] if 0 <= self.index < len(self.items) else None

    def present(self) -> None:
        """Show it as big as the screen allows (F11 for full screen on the projector)."""
        self.resize(1366, 768)
        self.showMaximized()

    def facts(self, nhs: str, *, fresh: bool = False) -> PatientFacts:
        if fresh or nhs not in self._facts:
            self._facts[nhs] = self._services.meetings.patient_facts(nhs)
        return self._facts[nhs]

    def _show_item(self) -> None:
        item = self.current_item()
        closed = self.meeting.status == "closed"
        count = len(self.items)
        self.prev_button.setEnabled(self.index > 0)
        self.next_button.setEnabled(self.index < count - 1)
        self.close_meeting_button.setEnabled(self.meeting.status == "in_progress")
        for widget in (
            self.outcome_edit,
            self.record_button,
            self.action_what,
            self.action_owner,
            self.action_due,
            self.add_action_button,
            *self.decision_checks.values(),
        ):
            widget.setEnabled(item is not None and not closed)
        if item is None:
            self.position_label.setText("The agenda is empty")
            self.name_label.setText("Nobody on the agenda")
            self.summary_label.clear()
            self.section_label.clear()
            self.facts_label.clear()
            return
        state = STATUS_LABELS.get(self.meeting.status, self.meeting.status)
        slot = f"{item.starts_at:%H:%M}, " if item.starts_at else ""
        self.position_label.setText(
            f"Patient {self.index + 1} of {count} · {slot}{item.minutes} min"
            + (f" · Meeting {state.lower()}" if closed else "")
        )
        self.section_label.setText(item.section.label)
        try:
            facts = self.facts(item.nhs_number)
        except DomainError as exc:
            self.name_label.setText(item.patient_name)
            self.facts_label.setText(escape(str(exc)))
            return
        self.name_label.setText(facts.name)
        bits = [f"NHS number {nhs_number.format_nhs(facts.nhs_number)}"]
        if facts.age is not None:
            bits.append(f"{facts.age} years")
        bits.append(f"Level {facts.level}" if facts.level is not None else "Not on a caseload")
        if facts.key_worker:
            bits.append(f"Key worker {facts.key_worker}")
        self.summary_label.setText(" · ".join(bits))
        self.facts_label.setText(self._facts_html(item, facts))
        self.outcome_edit.setPlainText(item.outcome or "")
        for code, check in self.decision_checks.items():
            check.setChecked(code in item.decisions)
        self._loaded_outcome = (item.outcome or "", item.decisions)
        self._set_status(
            "Outcome recorded ✓" if item.discussed else "Not discussed yet",
            True if item.discussed else None,
        )
        self._fill_actions(item)
        self._default_owner(facts)
        due = default_due(self.meeting)
        self.action_due.setDate(QDate(due.year, due.month, due.day))
        self.action_what.clear()

    def _facts_html(self, item: ItemView, facts: PatientFacts) -> str:
        today = date.today()

        def section(title: str, lines: list[str], empty: str) -> str:
            body = (
                "<ul style='margin-top:0; margin-left:-20px'>"
                + "".join(f"<li>{line}</li>" for line in lines)
                + "</ul>"
                if lines
                else f"<p style='margin-top:0'>{escape(empty)}</p>"
            )
            return f"<p style='margin-bottom:2px'><b style='color:#003087'>{title}</b></p>{body}"

        goals = [
            f"{escape(goal)} — importance {importance}/10, confidence {confidence}/10"
            for goal, importance, confidence in facts.goals
        ]
        review = (
            f"Care plan review due {facts.plan_review:%d/%m/%Y}"
            + (" (overdue)" if facts.plan_review < today else "")
            if facts.plan_review
            else "No agreed care plan"
        )
        actions = [_action_line(a, today) for a in facts.open_actions]
        return "".join(
            (
                section("Why we are discussing", [escape(r) for r in item.reasons], "—"),
                section("Conditions", [escape(", ".join(facts.conditions))], "None recorded")
                if facts.conditions
                else section("Conditions", [], "None recorded"),
                section("Current goals", goals, "No current goals"),
                f"<p>{escape(review)}</p>",
                section(
                    "Last conversation",
                    [escape(facts.last_conversation)] if facts.last_conversation else [],
                    "None recorded",
                ),
                section("Open actions", actions, "None"),
            )
        )

    def _fill_actions(self, item: ItemView) -> None:
        self.actions_list.clear()
        for action in self.meeting.actions:
            if action.nhs_number == item.nhs_number:
                self.actions_list.addItem(
                    f"{action.what} — {action.owner_name}, due {action.due_on:%d/%m/%Y}"
                )

    def _default_owner(self, facts: PatientFacts) -> None:
        by_name = self.action_owner.findText(facts.key_worker or "")
        mine = self.action_owner.findData(self._services.username)
        self.action_owner.setCurrentIndex(by_name if by_name >= 0 else max(mine, 0))

    def _set_status(self, text: str, ok: bool | None) -> None:
        """``ok`` None: neutral (black); True green; False a problem, in bold red."""
        self.outcome_status.setText(text)
        self.outcome_status.setProperty("ok", "" if ok is None else ok)
        self.outcome_status.style().unpolish(self.outcome_status)
        self.outcome_status.style().polish(self.outcome_status)

    # ------------------------------------------------------------------ moving

    def go_to(self, index: int) -> bool:
        if not 0 <= index < len(self.items) or index == self.index:
            return False
        if not self._save_if_changed():
            return False
        self.index = index
        self._show_item()
        return True

    def next_item(self) -> bool:
        return self.go_to(self.index + 1)

    def previous_item(self) -> bool:
        return self.go_to(self.index - 1)

    def toggle_full_screen(self) -> None:
        if self.isFullScreen():
            self.showMaximized()
            self.full_button.setText("&Full screen")
        else:
            self.showFullScreen()
            self.full_button.setText("Exit &full screen")

    def keyPressEvent(self, event: QKeyEvent) -> None:
        # The shortcuts above need the window active; a key a control did not use still
        # arrives here (e.g. Page Down pressed on a button).
        if event.key() == Qt.Key.Key_PageDown:
            self.next_item()
        elif event.key() == Qt.Key.Key_PageUp:
            self.previous_item()
        else:
            super().keyPressEvent(event)

    def reject(self) -> None:
        """Escape leaves full screen first; closing keeps what was typed by recording it."""
        if self.isFullScreen():
            self.toggle_full_screen()
            return
        if self._save_if_changed():
            super().reject()

    # ------------------------------------------------------------------ recording

    def _chosen(self) -> tuple[str, tuple[str, ...]]:
        text = self.outcome_edit.toPlainText().strip()
        return text, tuple(c for c, check in self.decision_checks.items() if check.isChecked())

    def _save_if_changed(self) -> bool:
        if self.meeting.status != "in_progress" or self.current_item() is None:
            return True
        chosen = self._chosen()
        if chosen == (self._loaded_outcome[0].strip(), self._loaded_outcome[1]):
            return True
        if not chosen[0] and not chosen[1]:
            return True  # cleared, never recorded: nothing to keep
        return self.record_outcome()

    def record_outcome(self) -> bool:
        item = self.current_item()
        if item is None:
            return False
        text, decisions = self._chosen()
        try:
            view = self._services.meetings.record_outcome(
                self.meeting.id, item.id, text or None, decisions
            )
        except ValidationError as err:
            self._set_status(field_message(err), False)
            return False
        except DomainError as exc:
            self._set_status(str(exc), False)
            return False
        self.meeting = view
        self._loaded_outcome = (text, decisions)
        self._set_status("Outcome recorded ✓", True)
        self.changed.emit()
        return True

    def add_action(self) -> ActionView | None:
        item = self.current_item()
        owner = self.action_owner.currentData()
        if item is None or owner is None:
            return None
        try:
            action = self._services.meetings.add_action(
                self.meeting.id,
                item.nhs_number,
                self.action_what.text(),
                owner,
                to_date(self.action_due.date()),
            )
            self.meeting = self._services.meetings.get(self.meeting.id)
        except ValidationError as err:
            self._set_status(field_message(err), False)
            return None
        except DomainError as exc:
            self._set_status(str(exc), False)
            return None
        self._fill_actions(item)
        self.action_what.clear()
        self.action_what.setFocus()
        self._set_status(f"Action added for {action.owner_name} ✓", True)
        try:
            facts = self.facts(item.nhs_number, fresh=True)
            self.facts_label.setText(self._facts_html(item, facts))
        except DomainError:
            pass
        self.changed.emit()
        return action

    def close_meeting(self) -> bool:
        """Ask for notes for the minutes, then close: the flags of the patients discussed
        are marked handled; open actions carry forward to the next meeting."""
        if self.meeting.status != "in_progress" or not self._save_if_changed():
            return False
        discussed = sum(1 for i in self.items if i.discussed)
        left = len(self.items) - discussed
        note = (
            f"{discussed} of {len(self.items)} patients discussed, "
            f"{len(self.meeting.actions)} actions agreed."
        )
        if left:
            note += f" The {left} not discussed will be proposed again at the next meeting."
        text, ok = QInputDialog.getMultiLineText(
            self, "Close the meeting", f"{note}\n\nNotes for the minutes (optional):", ""
        )
        if not ok:
            return False
        try:
            self.meeting = self._services.meetings.close(self.meeting.id, text or None)
        except DomainError as exc:
            self._set_status(str(exc), False)
            return False
        self._show_item()
        self._set_status("The meeting is closed. Print the minutes from the agenda.", True)
        self.changed.emit()
        return True


def _action_line(a: ActionView, today: date) -> str:
    late = " — <b>overdue</b>" if a.overdue(today) else ""
    return (
        f"{escape(a.what)} ({escape(a.owner_name)}, due {a.due_on:%d/%m/%Y}, "
        f"from {a.meeting_date:%d/%m/%Y}){late}"
    )
