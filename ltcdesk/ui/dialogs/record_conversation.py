"""Record a care navigator conversation (issue 6): date, mode, who took part, topics with
notes, what matters to me, signposting, follow-ups, a flag to the team and goal re-scores.

The dialog calls ``ConversationService.record`` itself; when the service refuses, the
message (naming the field) shows in the dialog, which stays open with everything typed.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from html import escape
from typing import TYPE_CHECKING

from PySide6.QtCore import QDate, Qt, Signal
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDateEdit,
    QDialog,
    QFormLayout,
    QFrame,
    QGridLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QPushButton,
    QScrollArea,
    QVBoxLayout,
    QWidget,
)

from ltcdesk.domain import nhs_number
from ltcdesk.domain.errors import DomainError, ValidationError
from ltcdesk.domain.permissions import Action, allowed
from ltcdesk.services.careplan_views import GoalStatus, GoalView
from ltcdesk.services.conversations import (
    FOLLOW_UP_MAX,
    NOTE_MAX,
    REASON_MAX,
    SERVICE_MAX,
    ConversationInput,
    ConversationView,
    FollowUp,
    Signpost,
    TopicNote,
    TopicView,
)
from ltcdesk.ui.widgets import ERROR_STYLE, button_row, field_message, to_date
from ltcdesk.ui.widgets.score_scale import ScoreScale

if TYPE_CHECKING:
    from ltcdesk.app import Services

MODES = (("visit", "Visit"), ("phone", "Phone"), ("video", "Video"), ("group", "Group"))
MODE_LABELS = dict(MODES)
FOLLOW_UP_DAYS = 14  # a follow-up's due date starts a fortnight ahead


def _qdate(day: date) -> QDate:
    return QDate(day.year, day.month, day.day)


def _date_edit(name: str, accessible: str, day: date) -> QDateEdit:
    edit = QDateEdit()
    edit.setObjectName(name)
    edit.setAccessibleName(accessible)
    edit.setDisplayFormat("dd/MM/yyyy")
    edit.setCalendarPopup(True)
    edit.setDate(_qdate(day))
    return edit


def _remove_button(name: str, accessible: str) -> QPushButton:
    button = QPushButton("Remove")
    button.setObjectName(name)
    button.setAccessibleName(accessible)
    button.setAutoDefault(False)
    return button


@dataclass
class SignpostRow:
    service: QLineEdit
    on: QDateEdit
    remove: QPushButton
    box: QWidget


@dataclass
class FollowUpRow:
    what: QLineEdit
    due: QDateEdit
    by_whom: QComboBox
    remove: QPushButton
    box: QWidget


@dataclass
class GoalRow:
    goal: GoalView
    importance: ScoreScale
    confidence: ScoreScale
    comment: QLineEdit
    rescored: QCheckBox


class RecordConversationDialog(QDialog):
    """``recorded`` carries the saved ConversationView; the dialog then closes."""

    recorded = Signal(object)

    def __init__(
        self,
        services: Services,
        nhs: str,
        patient_name: str | None = None,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self._services = services
        self._nhs = nhs
        self._today = date.today()
        self.saved: ConversationView | None = None
        self.setObjectName("recordConversationDialog")
        self.setWindowModality(Qt.WindowModality.WindowModal)
        if patient_name is None:
            detail = services.patients.get(nhs)
            patient_name = f"{detail.given_name} {detail.family_name}"
        title = f"Record a conversation with {patient_name}"
        self.setWindowTitle(title)
        self.setAccessibleName(title)
        topics = services.conversations.topics()
        plan = services.careplans.current(nhs)
        staff = [s for s in services.setup.staff() if s.active]
        me = next((s for s in staff if s.username == services.username), None)
        self._may_rescore = me is not None and allowed(me.role, Action.EDIT_CARE_PLAN)
        goals: list[GoalView] = []
        if plan is not None and plan.status in ("draft", "agreed"):
            # Goals still being worked on (partly achieved ones too); not finished ones.
            done = (GoalStatus.ACHIEVED.value, GoalStatus.STOPPED.value)
            goals = [g for g in plan.goals if g.status not in done]
        self._staff = staff
        self.signposts: list[SignpostRow] = []
        self.follow_ups: list[FollowUpRow] = []
        self._row_serial = 0

        body = QWidget()
        body.setObjectName("conversationBody")
        column = QVBoxLayout(body)
        heading = QLabel(
            f"Conversation with <b>{escape(patient_name)}</b>, NHS number "
            f"{nhs_number.format_nhs(nhs)}"
        )
        heading.setObjectName("conversationHeading")
        column.addWidget(heading)
        column.addLayout(self._build_basics())
        column.addWidget(self._build_topics(topics))
        column.addWidget(self._build_what_matters())
        column.addWidget(self._build_signposting())
        column.addWidget(self._build_follow_ups())
        column.addWidget(self._build_flag())
        column.addWidget(self._build_goals(goals))
        column.addStretch(1)
        self.scroll_area = scroll = QScrollArea()
        scroll.setObjectName("conversationScroll")
        scroll.setWidgetResizable(True)
        scroll.setFrameShape(QFrame.Shape.NoFrame)
        scroll.setWidget(body)

        self.error_label = QLabel()
        self.error_label.setObjectName("conversationError")
        self.error_label.setAccessibleName("What needs putting right")
        self.error_label.setStyleSheet(ERROR_STYLE)
        self.error_label.setWordWrap(True)
        self.error_label.hide()
        self.save_button, cancel, buttons = button_row(
            "&Save conversation",
            "saveConversationButton",
            "Save conversation",
            "cancelConversationButton",
            "Cancel",
        )
        self.save_button.clicked.connect(self._on_save_button_clicked)
        cancel.clicked.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(scroll, 1)
        layout.addWidget(self.error_label)
        layout.addLayout(buttons)
        self.resize(860, 680)

    # ------------------------------------------------------------------ building

    def _build_basics(self) -> QFormLayout:
        form = QFormLayout()
        form.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.FieldsStayAtSizeHint)
        self.date_edit = _date_edit("conversationDate", "Date of the conversation", self._today)
        self.date_edit.setMaximumDate(_qdate(self._today))
        self.mode_combo = QComboBox()
        self.mode_combo.setObjectName("conversationMode")
        self.mode_combo.setAccessibleName("Mode")
        self.mode_combo.setPlaceholderText("Choose how it was held")
        for code, label in MODES:
            self.mode_combo.addItem(label, code)
        self.mode_combo.setCurrentIndex(-1)
        self.patient_check = QCheckBox("The &patient")
        self.patient_check.setObjectName("tookPartPatient")
        self.patient_check.setAccessibleName("The patient took part")
        self.patient_check.setChecked(True)
        self.carer_check = QCheckBox("A ca&rer")
        self.carer_check.setObjectName("tookPartCarer")
        self.carer_check.setAccessibleName("A carer took part")
        took_part = QHBoxLayout()
        took_part.addWidget(self.patient_check)
        took_part.addWidget(self.carer_check)
        took_part.addStretch(1)
        form.addRow("&Date:", self.date_edit)
        form.addRow("&Mode:", self.mode_combo)
        form.addRow("Who took part:", took_part)
        return form

    def _build_topics(self, topics: list[TopicView]) -> QGroupBox:
        box = QGroupBox("Topics talked about")
        box.setObjectName("conversationTopics")
        grid = QGridLayout(box)
        grid.setColumnStretch(1, 1)
        self.topic_checks: dict[str, QCheckBox] = {}
        self.topic_notes: dict[str, QLineEdit] = {}
        for row, topic in enumerate(topics):
            check = QCheckBox(topic.label)
            check.setObjectName(f"topicCheck_{topic.code}")
            check.setAccessibleName(topic.label)
            note = QLineEdit()
            note.setObjectName(f"topicNote_{topic.code}")
            note.setAccessibleName(f"Note on {topic.label}")
            note.setPlaceholderText("Note (optional)")
            note.setMaxLength(NOTE_MAX)
            note.setEnabled(False)
            check.toggled.connect(note.setEnabled)
            # Typing a note ticks its topic: nobody writes about a topic not talked about.
            note.textEdited.connect(lambda _t, c=check: c.setChecked(True))
            grid.addWidget(check, row, 0)
            grid.addWidget(note, row, 1)
            self.topic_checks[topic.code] = check
            self.topic_notes[topic.code] = note
        if not topics:
            grid.addWidget(QLabel("No topics are set up: an administrator can add them."), 0, 0)
        return box

    def _build_what_matters(self) -> QGroupBox:
        box = QGroupBox("What matters to me")
        box.setObjectName("whatMattersBox")
        self.what_matters_edit = QPlainTextEdit()
        self.what_matters_edit.setObjectName("whatMattersEdit")
        self.what_matters_edit.setAccessibleName("What matters to me, in the person's words")
        self.what_matters_edit.setPlaceholderText("In the person's own words")
        self.what_matters_edit.setTabChangesFocus(True)
        self.what_matters_edit.setFixedHeight(
            self.what_matters_edit.fontMetrics().lineSpacing() * 4 + 12
        )
        QVBoxLayout(box).addWidget(self.what_matters_edit)
        return box

    def _build_signposting(self) -> QGroupBox:
        box = QGroupBox("Signposting given")
        box.setObjectName("signpostingBox")
        layout = QVBoxLayout(box)
        self._signpost_rows = QVBoxLayout()
        layout.addLayout(self._signpost_rows)
        self.add_signpost_button = QPushButton("Add si&gnposting")
        self.add_signpost_button.setObjectName("addSignpostButton")
        self.add_signpost_button.setAccessibleName("Add signposting")
        self.add_signpost_button.setAutoDefault(False)
        self.add_signpost_button.clicked.connect(self.add_signpost)
        layout.addWidget(self.add_signpost_button, 0, Qt.AlignmentFlag.AlignLeft)
        return box

    def _build_follow_ups(self) -> QGroupBox:
        box = QGroupBox("Follow-ups")
        box.setObjectName("followUpsBox")
        layout = QVBoxLayout(box)
        self._follow_up_rows = QVBoxLayout()
        layout.addLayout(self._follow_up_rows)
        self.add_follow_up_button = QPushButton("Add &follow-up")
        self.add_follow_up_button.setObjectName("addFollowUpButton")
        self.add_follow_up_button.setAccessibleName("Add follow-up")
        self.add_follow_up_button.setAutoDefault(False)
        self.add_follow_up_button.clicked.connect(self.add_follow_up)
        layout.addWidget(self.add_follow_up_button, 0, Qt.AlignmentFlag.AlignLeft)
        return box

    def _build_flag(self) -> QGroupBox:
        box = QGroupBox("Flag to the team")
        box.setObjectName("flagBox")
        form = QFormLayout(box)
        self.flag_check = QCheckBox("Fla&g to the team (goes on the next whiteboard meeting)")
        self.flag_check.setObjectName("flagToTeamCheck")
        self.flag_check.setAccessibleName("Flag to the team")
        self.flag_reason = QLineEdit()
        self.flag_reason.setObjectName("flagReason")
        self.flag_reason.setAccessibleName("Reason for the flag")
        self.flag_reason.setPlaceholderText("Required when flagged: what the team should know")
        self.flag_reason.setMaxLength(REASON_MAX)
        self.flag_reason.setEnabled(False)
        self.flag_check.toggled.connect(self.flag_reason.setEnabled)
        form.addRow(self.flag_check)
        form.addRow("Reason:", self.flag_reason)
        return box

    def _build_goals(self, goals: list[GoalView]) -> QGroupBox:
        box = QGroupBox("Goal scores")
        box.setObjectName("goalScoresBox")
        layout = QVBoxLayout(box)
        self.goal_rows: list[GoalRow] = []
        if not goals:
            note = QLabel("No care plan goals in progress to re-score.")
            note.setObjectName("noGoalsLabel")
            layout.addWidget(note)
            return box
        hint = QLabel(
            "If the person re-scored a goal, change its scores: the care plan records them."
            if self._may_rescore
            else "You may not change care plan scores."
        )
        hint.setWordWrap(True)
        hint.setStyleSheet("color: #57606a;")
        layout.addWidget(hint)
        for goal in goals:
            layout.addWidget(self._goal_row(goal))
        return box

    def _goal_row(self, goal: GoalView) -> QWidget:
        frame = QFrame()
        frame.setObjectName(f"goalRow{goal.id}")
        frame.setFrameShape(QFrame.Shape.StyledPanel)
        grid = QGridLayout(frame)
        words = QLabel(f"Goal {goal.position}: “{goal.description}”")
        words.setWordWrap(True)
        font = words.font()
        font.setBold(True)
        words.setFont(font)
        rescored = QCheckBox("Re-scored in this conversation")
        rescored.setObjectName(f"goalRescored{goal.id}")
        rescored.setAccessibleName(f"Goal {goal.position} re-scored")
        importance = ScoreScale("Not important", "Extremely important")
        importance.setObjectName(f"goalImportance{goal.id}")
        importance.setAccessibleName(f"Goal {goal.position} importance")
        importance.setValue(goal.importance)
        confidence = ScoreScale("Not confident", "Extremely confident")
        confidence.setObjectName(f"goalConfidence{goal.id}")
        confidence.setAccessibleName(f"Goal {goal.position} confidence")
        confidence.setValue(goal.confidence)
        comment = QLineEdit()
        comment.setObjectName(f"goalComment{goal.id}")
        comment.setAccessibleName(f"Goal {goal.position}: the person's comment")
        comment.setPlaceholderText("What the person said (optional)")
        comment.setMaxLength(2000)
        row = GoalRow(goal, importance, confidence, comment, rescored)
        importance.valueChanged.connect(lambda _v, r=row: self._on_goal_score_changed(r))
        confidence.valueChanged.connect(lambda _v, r=row: self._on_goal_score_changed(r))
        comment.textEdited.connect(lambda _t, r=row: r.rescored.setChecked(True))
        grid.addWidget(words, 0, 0, 1, 2)
        grid.addWidget(rescored, 0, 2, Qt.AlignmentFlag.AlignRight)
        grid.addWidget(QLabel(f"Importance (was {goal.importance}):"), 1, 0)
        grid.addWidget(importance, 1, 1, 1, 2)
        grid.addWidget(QLabel(f"Confidence (was {goal.confidence}):"), 2, 0)
        grid.addWidget(confidence, 2, 1, 1, 2)
        grid.addWidget(QLabel("Their words:"), 3, 0)
        grid.addWidget(comment, 3, 1, 1, 2)
        grid.setColumnStretch(1, 1)
        frame.setEnabled(self._may_rescore)
        self.goal_rows.append(row)
        return frame

    # ------------------------------------------------------------------ rows

    def add_signpost(self) -> SignpostRow:
        n = self._next_serial()
        service = QLineEdit()
        service.setObjectName(f"signpostService{n}")
        service.setAccessibleName("Service signposted to")
        service.setPlaceholderText("Service, e.g. Age UK befriending")
        service.setMaxLength(SERVICE_MAX)
        on = _date_edit(f"signpostDate{n}", "Date signposted", self._picked_date())
        on.setMaximumDate(_qdate(self._today))
        remove = _remove_button(f"removeSignpost{n}", "Remove this signposting")
        box = self._row_box(service, QLabel("on"), on, remove)
        row = SignpostRow(service, on, remove, box)
        remove.clicked.connect(lambda: self._remove_signpost(row))
        self.signposts.append(row)
        self._signpost_rows.addWidget(box)
        service.setFocus()
        return row

    def add_follow_up(self) -> FollowUpRow:
        n = self._next_serial()
        what = QLineEdit()
        what.setObjectName(f"followUpWhat{n}")
        what.setAccessibleName("Follow-up: what")
        what.setPlaceholderText("What, e.g. call to see how the group went")
        what.setMaxLength(FOLLOW_UP_MAX)
        due = _date_edit(
            f"followUpDue{n}", "Follow-up due", self._today + timedelta(days=FOLLOW_UP_DAYS)
        )
        due.setMinimumDate(_qdate(self._today))
        by_whom = QComboBox()
        by_whom.setObjectName(f"followUpBy{n}")
        by_whom.setAccessibleName("Follow-up by whom")
        by_whom.setEditable(True)
        by_whom.setInsertPolicy(QComboBox.InsertPolicy.NoInsert)
        by_whom.setToolTip("Choose a member of staff, or type who (e.g. her daughter)")
        for member in sorted(self._staff, key=lambda s: s.display_name.casefold()):
            by_whom.addItem(member.display_name, member.username)
        mine = by_whom.findData(self._services.username)
        by_whom.setCurrentIndex(mine)
        by_whom.setMinimumContentsLength(16)
        remove = _remove_button(f"removeFollowUp{n}", "Remove this follow-up")
        box = self._row_box(what, QLabel("due"), due, QLabel("by"), by_whom, remove)
        row = FollowUpRow(what, due, by_whom, remove, box)
        remove.clicked.connect(lambda: self._remove_follow_up(row))
        self.follow_ups.append(row)
        self._follow_up_rows.addWidget(box)
        what.setFocus()
        return row

    def _next_serial(self) -> int:
        self._row_serial += 1
        return self._row_serial

    def _picked_date(self) -> date:
        return to_date(self.date_edit.date())

    @staticmethod
    def _row_box(first: QWidget, *rest: QWidget) -> QWidget:
        box = QWidget()
        row = QHBoxLayout(box)
        row.setContentsMargins(0, 0, 0, 0)
        row.addWidget(first, 1)
        for widget in rest:
            row.addWidget(widget)
        return box

    def _remove_signpost(self, row: SignpostRow) -> None:
        self.signposts.remove(row)
        row.box.deleteLater()

    def _remove_follow_up(self, row: FollowUpRow) -> None:
        self.follow_ups.remove(row)
        row.box.deleteLater()

    def _on_goal_score_changed(self, row: GoalRow) -> None:
        changed = (row.importance.value(), row.confidence.value()) != (
            row.goal.importance,
            row.goal.confidence,
        )
        if changed:
            row.rescored.setChecked(True)

    # ------------------------------------------------------------------ saving

    def by_whom(self, row: FollowUpRow) -> str | None:
        """The staff username chosen, or the words typed (e.g. "her daughter")."""
        text = row.by_whom.currentText().strip()
        index = row.by_whom.findText(text, Qt.MatchFlag.MatchFixedString)
        if index >= 0:
            return str(row.by_whom.itemData(index))
        return text or None

    def entry(self) -> ConversationInput:
        """What the dialog holds, as the service takes it (checks only what it must)."""
        rescored = []
        for g in self.goal_rows:
            if not g.rescored.isChecked():
                continue
            importance, confidence = g.importance.value(), g.confidence.value()
            if importance is None or confidence is None:
                raise ValidationError(
                    f"goal {g.goal.position} scores", "need importance and confidence"
                )
            rescored.append((g.goal.id, importance, confidence, g.comment.text().strip() or None))
        return ConversationInput(
            held_on=self._picked_date(),
            mode=self.mode_combo.currentData() or "",
            with_patient=self.patient_check.isChecked(),
            with_carer=self.carer_check.isChecked(),
            topics=tuple(
                TopicNote(code, self.topic_notes[code].text().strip() or None)
                for code, check in self.topic_checks.items()
                if check.isChecked()
            ),
            what_matters=self.what_matters_edit.toPlainText().strip() or None,
            signposting=tuple(
                Signpost(r.service.text(), to_date(r.on.date())) for r in self.signposts
            ),
            follow_ups=tuple(
                FollowUp(r.what.text(), to_date(r.due.date()), self.by_whom(r))
                for r in self.follow_ups
            ),
            flag_to_team=self.flag_check.isChecked(),
            flag_reason=self.flag_reason.text().strip() or None,
            rescored=tuple(rescored),
        )

    def _problems(self) -> list[tuple[str, str]]:
        """(field, message) to put right before asking the service."""
        found = []
        if self.mode_combo.currentIndex() < 0:
            found.append(("mode", "Mode: choose how the conversation was held."))
        if not (self.patient_check.isChecked() or self.carer_check.isChecked()):
            found.append(("who took part", "Who took part: tick the patient, a carer or both."))
        if self.flag_check.isChecked() and not self.flag_reason.text().strip():
            found.append(("flag reason", "Flag reason: say why you are flagging this to the team."))
        if any(not r.service.text().strip() for r in self.signposts):
            found.append(
                ("signposted to", "Signposting: name the service, or remove the empty row.")
            )
        if any(not r.what.text().strip() for r in self.follow_ups):
            found.append(
                ("follow-up", "Follow-up: say what is to be done, or remove the empty row.")
            )
        return found

    def _focus_for(self, field: str) -> None:
        target: QWidget | None = {
            "mode": self.mode_combo,
            "who took part": self.patient_check,
            "flag reason": self.flag_reason,
            "date": self.date_edit,
            "what matters to me": self.what_matters_edit,
        }.get(field)
        if field.startswith("signpost"):
            target = next((r.service for r in self.signposts if not r.service.text().strip()), None)
        elif field.startswith("follow-up"):
            target = next((r.what for r in self.follow_ups if not r.what.text().strip()), None)
        elif field.startswith("note on "):
            target = self.topic_notes.get(field.removeprefix("note on "))
        if target is not None:
            self.scroll_area.ensureWidgetVisible(target)
            target.setFocus(Qt.FocusReason.OtherFocusReason)

    def show_problems(self, problems: list[tuple[str, str]]) -> None:
        self.error_label.setText("\n".join(message for _field, message in problems))
        self.error_label.show()
        self._focus_for(problems[0][0])

    def _on_save_button_clicked(self) -> None:
        problems = self._problems()
        if problems:
            self.show_problems(problems)
            return
        try:
            self.saved = self._services.conversations.record(self._nhs, self.entry())
        except ValidationError as err:
            self.show_problems([(err.field, _named(err))])
            return
        except DomainError as err:
            self.show_problems([("", str(err))])
            return
        self.error_label.hide()
        self.recorded.emit(self.saved)
        self.accept()


def _named(err: ValidationError) -> str:
    """The service's message, always naming its field: "Flag reason is required …"."""
    said = field_message(err)
    if said.casefold().startswith(err.field.casefold()):
        return said
    return f"{err.field[:1].upper()}{err.field[1:]}: {err.message}"
