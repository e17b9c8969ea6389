"""The agenda page's widgets and how they are laid out, and filling the agenda list and the
actions table from a meeting. ``AgendaView`` (agenda_view.py) connects them and acts."""

from __future__ import annotations

from textwrap import fill
from typing import Final

from PySide6.QtCore import Qt
from PySide6.QtGui import QBrush, QColor, QFont
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QFrame,
    QGridLayout,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QPushButton,
    QScrollArea,
    QSpinBox,
    QSplitter,
    QTableWidget,
    QTableWidgetItem,
    QTabWidget,
    QTreeWidget,
    QTreeWidgetItem,
    QVBoxLayout,
    QWidget,
)

from ltcdesk.domain import nhs_number
from ltcdesk.services.meeting_views import DECISIONS, ItemView, MeetingView, Section

COLUMNS: Final = ("Time", "Patient", "NHS number", "Level", "Key worker", "Min", "Reasons")
TIME, PATIENT, NHS, LEVEL, WORKER, MINUTES, REASONS = range(len(COLUMNS))
OUTCOME: Final = len(COLUMNS)  # shown once the meeting has started
ITEM_ROLE: Final = int(Qt.ItemDataRole.UserRole) + 1
HEADING_BACKGROUND: Final = QBrush(QColor("#E8EDEE"))  # NHS pale grey
HEADING_TEXT: Final = QBrush(QColor("#003087"))  # NHS dark blue
REMOVED_TEXT: Final = QBrush(QColor("#5E6B70"))
HOSPITAL_NOTE: Final = "Recorded once hospital events are available"
REMOVED_HEADING: Final = "Taken off the agenda"


class AgendaLayout(QWidget):
    """The agenda page's controls, built and laid out but not yet connected."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._build()

    def _build(self) -> None:
        self.back_button = self._button("backToMeetingsButton", "← All &meetings", "All meetings")
        self.title = QLabel()
        self.title.setObjectName("agendaTitle")
        font = self.title.font()
        font.setPointSizeF(font.pointSizeF() * 1.3)
        font.setBold(True)
        self.title.setFont(font)
        self.subtitle = QLabel()
        self.subtitle.setObjectName("agendaSubtitle")
        self.subtitle.setWordWrap(True)
        heading = QVBoxLayout()
        heading.setSpacing(2)
        heading.addWidget(self.title)
        heading.addWidget(self.subtitle)
        top = QHBoxLayout()
        top.addLayout(heading, 1)
        top.addWidget(self.back_button, 0, Qt.AlignmentFlag.AlignTop)

        self.build_button = self._button("buildAgendaButton", "&Build agenda", "Build the agenda")
        self.build_button.setToolTip("Add everyone the team should discuss (run it again later)")
        self.add_button = self._button(
            "addAgendaPatientButton", "&Add a patient…", "Add a patient by hand"
        )
        self.up_button = self._button("moveItemUpButton", "Move &up", "Move the item up")
        self.up_button.setToolTip("Alt+Up")
        self.down_button = self._button("moveItemDownButton", "Move do&wn", "Move the item down")
        self.down_button.setToolTip("Alt+Down")
        self.remove_button = self._button("removeItemButton", "&Remove", "Take off the agenda")
        self.restore_button = self._button("restoreItemButton", "Re&store", "Put back")
        self.minutes_label = QLabel("M&inutes:")
        self.minutes_spin = QSpinBox()
        self.minutes_spin.setObjectName("itemMinutes")
        self.minutes_spin.setAccessibleName("Minutes for the selected item")
        self.minutes_spin.setRange(1, 120)
        self.minutes_spin.setKeyboardTracking(False)
        self.minutes_label.setBuddy(self.minutes_spin)
        edit_row = QHBoxLayout()
        for widget in (
            self.build_button,
            self.add_button,
            self.up_button,
            self.down_button,
            self.remove_button,
            self.restore_button,
            self.minutes_label,
            self.minutes_spin,
        ):
            edit_row.addWidget(widget)
        edit_row.addStretch(1)

        self.lock_button = self._button("lockAgendaButton", "&Lock agenda", "Lock the agenda")
        self.print_button = self._button("printAgendaButton", "&Print agenda…", "Print agenda")
        self.start_button = self._button("startMeetingButton", "S&tart meeting", "Start meeting")
        self.minutes_button = self._button(
            "printMinutesButton", "Print mi&nutes…", "Print the minutes and actions"
        )
        self.export_button = self._button(
            "exportActionsButton", "E&xport actions CSV…", "Export the actions as CSV"
        )
        for widget in (self.lock_button, self.print_button, self.start_button):
            edit_row.addWidget(widget)
        edit_row.addWidget(self.minutes_button)
        edit_row.addWidget(self.export_button)

        self.note = QLabel()
        self.note.setObjectName("agendaNote")
        self.note.setAccessibleName("About this agenda")
        self.note.setWordWrap(True)
        self.note.setStyleSheet("color: #425563;")

        self.tree = QTreeWidget()
        self.tree.setObjectName("agendaList")
        self.tree.setAccessibleName("Agenda")
        self.tree.setColumnCount(len(COLUMNS) + 1)
        self.tree.setHeaderLabels([*COLUMNS, "Outcome"])
        self.tree.setRootIsDecorated(False)
        self.tree.setAllColumnsShowFocus(True)
        self.tree.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.tree.setWordWrap(True)
        self.tree.setAlternatingRowColors(False)
        header = self.tree.header()
        header.setStretchLastSection(True)
        metrics = self.tree.fontMetrics()
        for column, sample in (
            (TIME, "00:00"),
            (PATIENT, "Kazimierz Petrauskas"),
            (NHS, "999 999 9999"),
            (LEVEL, "Level"),
            (WORKER, "Dr Rakesh Chauhan"),
            (MINUTES, "Min"),
            (REASONS, "x" * 30),
        ):
            self.tree.setColumnWidth(column, metrics.horizontalAdvance(sample) + 20)
        header.setSectionResizeMode(QHeaderView.ResizeMode.Interactive)

        self.side = QTabWidget()
        self.side.setObjectName("agendaSideTabs")
        self.attendance = QWidget()
        self.attendance.setObjectName("attendancePanel")
        self.attendance.setAccessibleName("Attendance")
        self.attendance_grid = QGridLayout(self.attendance)
        self.attendance_grid.setContentsMargins(4, 4, 4, 4)
        self.attendance_grid.setColumnStretch(0, 1)
        self.attendance_combos: dict[str, QComboBox] = {}
        scroll = QScrollArea()
        scroll.setWidget(self.attendance)
        scroll.setWidgetResizable(True)
        scroll.setFrameShape(QFrame.Shape.NoFrame)
        self.invite_combo = QComboBox()
        self.invite_combo.setObjectName("inviteCombo")
        self.invite_combo.setAccessibleName("Someone else who came")
        self.invite_combo.setPlaceholderText("Someone else came…")
        people = QWidget()
        people_layout = QVBoxLayout(people)
        people_layout.setContentsMargins(4, 4, 4, 4)
        self.attendance_summary = QLabel()
        self.attendance_summary.setObjectName("attendanceSummary")
        people_layout.addWidget(self.attendance_summary)
        people_layout.addWidget(scroll, 1)
        people_layout.addWidget(self.invite_combo)
        self.actions_table = QTableWidget(0, 3)
        self.actions_table.setObjectName("meetingActionsTable")
        self.actions_table.setAccessibleName("Actions agreed at this meeting")
        self.actions_table.setHorizontalHeaderLabels(["Action", "Owner", "Due"])
        self.actions_table.verticalHeader().setVisible(False)
        self.actions_table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.actions_table.setWordWrap(True)
        self.actions_table.horizontalHeader().setSectionResizeMode(
            0, QHeaderView.ResizeMode.Stretch
        )
        self.side.addTab(people, "Attendance")
        self.side.addTab(self.actions_table, "Actions")

        self.splitter = QSplitter()
        self.splitter.setObjectName("agendaSplitter")
        self.splitter.addWidget(self.tree)
        self.splitter.addWidget(self.side)
        self.splitter.setStretchFactor(0, 1)
        self.splitter.setSizes([940, 250])

        layout = QVBoxLayout(self)
        layout.addLayout(top)
        layout.addLayout(edit_row)
        layout.addWidget(self.note)
        layout.addWidget(self.splitter, 1)

    @staticmethod
    def _button(name: str, text: str, accessible: str) -> QPushButton:
        push = QPushButton(text)
        push.setObjectName(name)
        push.setAccessibleName(accessible)
        push.setAutoDefault(False)
        return push

    # ------------------------------------------------------------------ filling

    def _fill_tree(self, view: MeetingView) -> None:
        self.tree.clear()
        started = view.status != "planned"
        self.tree.setColumnHidden(OUTCOME, not started)
        self.tree.setColumnHidden(MINUTES, False)
        # No hospital events are recorded yet: say so after the sections that come before
        # it (or first of all), wherever the chair has moved items.
        order = list(Section)
        before = order.index(Section.HOSPITAL)
        has_hospital = any(i.section is Section.HOSPITAL for i in view.agenda)
        earlier = [n for n, i in enumerate(view.agenda) if order.index(i.section) < before]
        note_after = earlier[-1] if earlier else -1
        if not has_hospital and note_after < 0:
            self._add_heading(Section.HOSPITAL.label, HOSPITAL_NOTE)
        previous: Section | None = None
        for n, item in enumerate(view.agenda):
            if item.section is not previous:
                self._add_heading(item.section.label)
                previous = item.section
            self._add_item(item)
            if not has_hospital and n == note_after:
                self._add_heading(Section.HOSPITAL.label, HOSPITAL_NOTE)
                previous = None
        removed = [i for i in view.items if i.removed]
        if removed:
            self._add_heading(REMOVED_HEADING)
            for item in removed:
                self._add_item(item)

    def _add_heading(self, text: str, note: str | None = None) -> None:
        row = QTreeWidgetItem([f"{text} — {note}" if note else text])
        row.setFlags(Qt.ItemFlag.NoItemFlags)  # keyboard navigation skips headings
        font = QFont(self.tree.font())
        font.setBold(note is None)
        font.setItalic(note is not None)
        row.setFont(0, font)
        for column in range(self.tree.columnCount()):
            row.setBackground(column, HEADING_BACKGROUND)
        row.setForeground(0, HEADING_TEXT)
        self.tree.addTopLevelItem(row)
        row.setFirstColumnSpanned(True)

    def _add_item(self, item: ItemView) -> None:
        decided = ", ".join(DECISIONS.get(d, d) for d in item.decisions)
        outcome = "; ".join(p for p in (decided, item.outcome or "") if p)
        cells = [
            f"{item.starts_at:%H:%M}" if item.starts_at else "",
            item.patient_name,
            nhs_number.format_nhs(item.nhs_number),
            str(item.level) if item.level is not None else "—",
            item.key_worker or "Not on a caseload",
            str(item.minutes),
            "\n".join(fill(r, width=self._reason_chars()) for r in item.reasons),
            ("✓ " if item.discussed else "") + outcome,
        ]
        row = QTreeWidgetItem(cells)
        row.setData(0, ITEM_ROLE, item.id)
        row.setToolTip(REASONS, "\n".join(item.reasons))
        row.setToolTip(OUTCOME, outcome)
        row.setTextAlignment(MINUTES, Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignTop)
        for column in range(len(cells)):
            if column != MINUTES:
                row.setTextAlignment(column, Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignTop)
        if item.removed:
            font = QFont(self.tree.font())
            font.setStrikeOut(True)
            for column in range(len(cells)):
                row.setForeground(column, REMOVED_TEXT)
                row.setFont(column, font)
        self.tree.addTopLevelItem(row)

    def _reason_chars(self) -> int:
        """How many characters of a reason fit in its column: the tree wraps only at
        line breaks, so long reasons are broken into lines here."""
        others = sum(
            self.tree.columnWidth(c)
            for c in range(self.tree.columnCount())
            if c != REASONS and not self.tree.isColumnHidden(c)
        )
        space = max(self.tree.columnWidth(REASONS), self.tree.viewport().width() - others)
        if not self.tree.isColumnHidden(OUTCOME):
            space = self.tree.columnWidth(REASONS)
        return max(30, space // max(1, self.tree.fontMetrics().averageCharWidth()) - 2)

    def _fill_actions(self, view: MeetingView) -> None:
        self.actions_table.setRowCount(len(view.actions))
        for row, action in enumerate(view.actions):
            what = QTableWidgetItem(f"{action.what} ({action.patient_name})")
            what.setToolTip(f"{action.what}\n{action.patient_name}, {action.status}")
            self.actions_table.setItem(row, 0, what)
            self.actions_table.setItem(row, 1, QTableWidgetItem(action.owner_name))
            self.actions_table.setItem(row, 2, QTableWidgetItem(f"{action.due_on:%d/%m/%Y}"))
        self.actions_table.resizeRowsToContents()
        self.side.setTabText(1, f"Actions ({len(view.actions)})")
