"""Small dialogs of the care plan tab: agree, record a goal's follow-up, close the plan,
and compare two versions side by side. None of them knows the services: each is handed
what to show and, where it writes, a callable that raises the service's errors."""

from __future__ import annotations

import html
from collections.abc import Callable, Sequence
from datetime import date
from typing import Any

from PySide6.QtCore import QDate
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QDialog,
    QFormLayout,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from ltcdesk.domain.errors import DomainError, ValidationError
from ltcdesk.services.careplan_views import LABELS, Change, GoalStatus, GoalView
from ltcdesk.ui.views.record_common import button, named
from ltcdesk.ui.widgets import (
    ErrorLabel,
    OptionalDateEdit,
    button_row,
    field_message,
    pad_form_labels,
    with_error,
)
from ltcdesk.ui.widgets.score_scale import ScoreScale

CLOSE_REASONS = (
    "Discharged from the service",
    "Moved away",
    "Died",
    "Declined care planning",
)


def _intro(name: str, text: str) -> QLabel:
    label = QLabel(text)
    label.setObjectName(name)
    label.setWordWrap(True)
    return label


class _OneFieldDialog(QDialog):
    """A line of explanation, one field with its error label, OK and Cancel."""

    def __init__(
        self,
        name: str,
        title: str,
        intro: str,
        field: tuple[str, QWidget],
        ok: tuple[str, str],
        parent: QWidget | None,
    ) -> None:
        super().__init__(parent)
        named(self, f"{name}Dialog", title)
        self.setWindowTitle(title)
        self.setMinimumWidth(460)
        label, widget = field
        self.error = ErrorLabel(f"{name}Error", f"{title} error")
        form = QFormLayout()
        form.addRow(label, with_error(widget, self.error))
        pad_form_labels(form)
        self.ok_button, self.cancel_button, buttons = button_row(
            ok[0], f"{name}OkButton", ok[1], f"{name}CancelButton", "Cancel"
        )
        layout = QVBoxLayout(self)
        layout.addWidget(_intro(f"{name}Intro", intro))
        layout.addLayout(form)
        layout.addLayout(buttons)
        self.ok_button.clicked.connect(self._on_ok_button_clicked)
        self.cancel_button.clicked.connect(self.reject)

    def _on_ok_button_clicked(self) -> None:
        raise NotImplementedError


class AgreeDialog(_OneFieldDialog):
    """Who the plan was agreed with (the person's name to start with)."""

    def __init__(self, patient_name: str, me: str, version: int, parent: QWidget | None) -> None:
        self.agreed_with_edit = QLineEdit(patient_name)
        named(self.agreed_with_edit, "agreedWithEdit", "Agreed with")
        self.agreed_with_edit.setPlaceholderText("e.g. María O'Kon and her daughter Ana")
        self.agreed_with_edit.selectAll()
        super().__init__(
            "agreePlan",
            "Agree the care plan",
            f"Agree version {version} of the plan, recorded by <b>{html.escape(me)}</b> "
            f"today ({date.today():%d/%m/%Y}). Once agreed it can only be changed by "
            "starting a review.",
            ("Agreed &with", self.agreed_with_edit),
            ("A&gree", "Agree"),
            parent,
        )

    def agreed_with(self) -> str:
        return self.agreed_with_edit.text().strip()

    def _on_ok_button_clicked(self) -> None:
        if not self.agreed_with():
            self.error.show_error("Say who the plan was agreed with")
            self.agreed_with_edit.setFocus()
            return
        self.accept()


class FollowUpDialog(QDialog):
    """A goal's follow-up: both scores again, its status and the person's comment.
    ``submit(values)`` records it; its ValidationErrors show beside their fields."""

    def __init__(
        self, goal: GoalView, submit: Callable[[dict[str, Any]], object], parent: QWidget | None
    ) -> None:
        super().__init__(parent)
        named(self, "followUpDialog", "Record follow-up")
        self.setWindowTitle(f"Follow-up of goal {goal.position}")
        self.setMinimumWidth(560)
        self._submit = submit
        words = goal.description if len(goal.description) < 160 else goal.description[:157] + "…"
        intro = _intro("followUpIntro", f"<b>Goal {goal.position}:</b> {html.escape(words)}")

        self.importance_scale = ScoreScale("Not important", "Extremely important")
        named(self.importance_scale, "followUpImportance", "Importance now, 0 to 10")
        self.importance_scale.setValue(goal.importance)
        self.confidence_scale = ScoreScale("Not confident", "Extremely confident")
        named(self.confidence_scale, "followUpConfidence", "Confidence now, 0 to 10")
        self.confidence_scale.setValue(goal.confidence)
        self.status_combo = QComboBox()
        named(self.status_combo, "followUpStatus", "Goal status")
        for status in GoalStatus:
            self.status_combo.addItem(LABELS[status], status.value)
        self.status_combo.setCurrentIndex(max(0, self.status_combo.findData(goal.status)))
        self.comment_edit = QLineEdit()
        named(self.comment_edit, "followUpComment", "The person's comment")
        self.comment_edit.setPlaceholderText("In the person's own words")
        self.on_edit = OptionalDateEdit(calendar_years_back=0)
        named(self.on_edit, "followUpDate", "Date of the follow-up")
        self.on_edit.set_value(date.today())
        self.next_edit = OptionalDateEdit(calendar_years_back=0)
        named(self.next_edit, "followUpNext", "Next follow-up (DD/MM/YYYY)")
        self.next_edit.setMaximumDate(QDate.currentDate().addYears(5))

        self.errors: dict[str, tuple[ErrorLabel, QWidget]] = {}

        def cell(field: str, widget: QWidget, name: str) -> QWidget:
            label = ErrorLabel(name, f"{field.capitalize()} error")
            self.errors[field] = (label, widget)
            return with_error(widget, label)

        form = QFormLayout()
        form.setRowWrapPolicy(QFormLayout.RowWrapPolicy.WrapLongRows)
        form.addRow(
            "&Importance", cell("importance", self.importance_scale, "followUpImportanceError")
        )
        form.addRow(
            "&Confidence", cell("confidence", self.confidence_scale, "followUpConfidenceError")
        )
        form.addRow("&Status", cell("status", self.status_combo, "followUpStatusError"))
        form.addRow("Co&mment", cell("comment", self.comment_edit, "followUpCommentError"))
        form.addRow("&Date", cell("follow-up date", self.on_edit, "followUpDateError"))
        form.addRow(
            "&Next follow-up", cell("next follow-up date", self.next_edit, "followUpNextError")
        )
        pad_form_labels(form)
        self.dialog_error = ErrorLabel("followUpError", "Follow-up error")
        self.ok_button, self.cancel_button, buttons = button_row(
            "&Record", "followUpOkButton", "Record follow-up", "followUpCancelButton", "Cancel"
        )
        layout = QVBoxLayout(self)
        layout.addWidget(intro)
        layout.addLayout(form)
        layout.addWidget(self.dialog_error)
        layout.addLayout(buttons)
        self.ok_button.clicked.connect(self._on_ok_button_clicked)
        self.cancel_button.clicked.connect(self.reject)

    def values(self) -> dict[str, Any]:
        return {
            "importance": self.importance_scale.value(),
            "confidence": self.confidence_scale.value(),
            "status": self.status_combo.currentData(),
            "comment": self.comment_edit.text().strip() or None,
            "on": self.on_edit.value(),
            "next_follow_up": self.next_edit.value(),
        }

    def _on_ok_button_clicked(self) -> None:
        for label, _widget in self.errors.values():
            label.clear_error()
        self.dialog_error.clear_error()
        try:
            self._submit(self.values())
        except ValidationError as err:
            found = self.errors.get(err.field)
            if found is None:
                self.dialog_error.show_error(field_message(err))
            else:
                found[0].show_error(field_message(err))
                found[1].setFocus()
            return
        except DomainError as err:
            self.dialog_error.show_error(str(err))
            return
        self.accept()


class ClosePlanDialog(_OneFieldDialog):
    """Why the plan ends; ``submit(reason)`` closes it."""

    def __init__(self, submit: Callable[[str], object], parent: QWidget | None) -> None:
        self._submit = submit
        self.reason_combo = QComboBox()
        named(self.reason_combo, "closeReasonCombo", "Reason for closing")
        self.reason_combo.setEditable(True)
        self.reason_combo.addItems(CLOSE_REASONS)
        self.reason_combo.setCurrentIndex(-1)
        self.reason_combo.setPlaceholderText("Choose or type a reason")
        line = self.reason_combo.lineEdit()
        if line is not None:
            named(line, "closeReasonEdit", "Reason for closing")
        super().__init__(
            "closePlan",
            "Close the care plan",
            "Closing ends the plan: its versions stay readable, and a new plan can be "
            "started later.",
            ("&Reason", self.reason_combo),
            ("C&lose plan", "Close plan"),
            parent,
        )

    def _on_ok_button_clicked(self) -> None:
        self.error.clear_error()
        try:
            self._submit(self.reason_combo.currentText())
        except ValidationError as err:
            self.error.show_error(field_message(err))
            return
        except DomainError as err:
            self.error.show_error(str(err))
            return
        self.accept()


class CompareDialog(QDialog):
    """Two versions side by side: every change as section, item, before and after.
    ``versions`` are (version, label) newest first; ``compare(a, b)`` lists the changes."""

    def __init__(
        self,
        versions: Sequence[tuple[int, str]],
        compare: Callable[[int, int], list[Change]],
        parent: QWidget | None,
        *,
        shown: int | None = None,
    ) -> None:
        super().__init__(parent)
        named(self, "compareDialog", "Compare versions")
        self.setWindowTitle("Compare versions of the care plan")
        self.resize(900, 520)
        self._compare = compare
        self.from_combo = QComboBox()
        named(self.from_combo, "compareFromCombo", "Earlier version")
        self.to_combo = QComboBox()
        named(self.to_combo, "compareToCombo", "Later version")
        for number, label in versions:
            self.from_combo.addItem(label, number)
            self.to_combo.addItem(label, number)
        later = self.to_combo.findData(shown) if shown is not None else 0
        later = max(0, later)
        self.to_combo.setCurrentIndex(later)
        self.from_combo.setCurrentIndex(min(later + 1, self.from_combo.count() - 1))

        self.table = QTableWidget(0, 4)
        named(self.table, "compareTable", "Changes between the versions")
        self.table.setHorizontalHeaderLabels(["Section", "Item", "Before", "After"])
        self.table.verticalHeader().hide()
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setWordWrap(True)
        self.table.setAlternatingRowColors(True)
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(0, QHeaderView.ResizeMode.ResizeToContents)
        for column in (1, 2, 3):
            header.setSectionResizeMode(column, QHeaderView.ResizeMode.Stretch)
        self.summary = QLabel()
        named(self.summary, "compareSummary", "Comparison summary")
        self.summary.setWordWrap(True)

        choose = QHBoxLayout()
        choose.addWidget(QLabel("Compare"))
        choose.addWidget(self.from_combo, 1)
        choose.addWidget(QLabel("with"))
        choose.addWidget(self.to_combo, 1)
        close = button("compareCloseButton", "Close", "Close")
        close.clicked.connect(self.accept)
        bottom = QHBoxLayout()
        bottom.addWidget(self.summary, 1)
        bottom.addWidget(close)
        layout = QVBoxLayout(self)
        layout.addLayout(choose)
        layout.addWidget(self.table, 1)
        layout.addLayout(bottom)
        self.from_combo.currentIndexChanged.connect(self.refresh)
        self.to_combo.currentIndexChanged.connect(self.refresh)
        self.refresh()

    def rows(self) -> list[list[str]]:
        return [
            [self._text(r, c) for c in range(self.table.columnCount())]
            for r in range(self.table.rowCount())
        ]

    def _text(self, row: int, column: int) -> str:
        item = self.table.item(row, column)
        return item.text() if item is not None else ""

    def refresh(self, *_args: object) -> None:
        a, b = self.from_combo.currentData(), self.to_combo.currentData()
        self.table.setRowCount(0)
        if a is None or b is None or a == b:
            self.summary.setText("Choose two different versions.")
            return
        try:
            changes = self._compare(a, b)
        except DomainError as err:
            self.summary.setText(str(err))
            return
        self.table.setRowCount(len(changes))
        for row, change in enumerate(changes):
            cells = (
                change.section.capitalize(),
                change.item,
                "(added)" if change.before is None else change.before,
                "(removed)" if change.after is None else change.after,
            )
            for column, text in enumerate(cells):
                item = QTableWidgetItem(text)
                item.setToolTip(text)
                self.table.setItem(row, column, item)
        self.table.resizeRowsToContents()
        self.summary.setText(
            f"{len(changes)} change{'s' if len(changes) != 1 else ''} "
            f"from version {a} to version {b}."
            if changes
            else f"No differences between version {a} and version {b}."
        )
