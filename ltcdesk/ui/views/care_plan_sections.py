"""The care plan's sections besides the goals: about me, who does what, if things get
worse, keeping well and review. Each loads from a ``CarePlanView``, gives back its part of
``CarePlanEdits``, can be made read-only, and shows the service's errors for its fields."""

from __future__ import annotations

import re
from collections.abc import Sequence
from datetime import date
from typing import Any

from PySide6.QtCore import QDate, Signal
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QFormLayout,
    QGridLayout,
    QGroupBox,
    QLabel,
    QPlainTextEdit,
    QVBoxLayout,
    QWidget,
)

from ltcdesk.domain import validate
from ltcdesk.services.careplan_views import (
    LABELS,
    CarePlanView,
    ContingencyRow,
    Contribution,
    CopyHolder,
    CopyRole,
    Preventive,
    Rag,
)
from ltcdesk.services.setup import StaffView
from ltcdesk.ui.views.care_plan_table import Column, PlanTable
from ltcdesk.ui.views.record_common import named
from ltcdesk.ui.widgets import ErrorLabel, OptionalDateEdit, pad_form_labels, with_error

COPY_ROLES = {
    CopyRole.PATIENT: "The person",
    CopyRole.CARER: "Carer",
    CopyRole.GP: "GP",
    CopyRole.OTHER: "Other",
}
RAG_COLOURS = (("green", "#d8f0dc"), ("amber", "#fde7c2"), ("red", "#f8d3d0"))
_NUMBERED = re.compile(r"^(contribution|contingency|copy|agenda item) (\d+)\b")
_HINT_STYLE = "color: #57606a;"


def _text(edit: QPlainTextEdit) -> str | None:
    return edit.toPlainText().strip() or None


def _hint(text: str) -> QLabel:
    label = QLabel(text)
    label.setWordWrap(True)
    label.setStyleSheet(_HINT_STYLE)
    return label


def _row_number(field: str) -> int | None:
    found = _NUMBERED.match(field)
    return int(found.group(2)) if found else None


class Section(QWidget):
    changed = Signal()

    def __init__(self) -> None:
        super().__init__()
        self._loading = False

    def _on_edit(self, *_args: object) -> None:
        if not self._loading:
            self.changed.emit()

    def load(self, plan: CarePlanView) -> None:
        raise NotImplementedError

    def set_editable(self, editable: bool) -> None:
        raise NotImplementedError

    def show_error(self, field: str, message: str) -> QWidget | None:
        """Show ``message`` if ``field`` is in this section; the control to focus, or None."""
        raise NotImplementedError


class AboutMeSection(Section):
    """The person's own words: about me, what matters to me, what they wanted to talk about."""

    def __init__(self) -> None:
        super().__init__()
        self.about_edit = self._box("planAboutMe", "About me")
        self.matters_edit = self._box("planWhatMatters", "What matters to me")
        self.agenda_edit = self._box("planAgenda", "Things I want to talk about, one per line")
        self.error = ErrorLabel("planAboutMeError", "About me error")
        form = QFormLayout(self)
        form.setRowWrapPolicy(QFormLayout.RowWrapPolicy.WrapAllRows)
        form.addRow(_hint("In the person's own words."))
        form.addRow("&About me", self.about_edit)
        form.addRow("&What matters to me", self.matters_edit)
        form.addRow("Things I want to talk about (one per line)", self.agenda_edit)
        form.addRow(self.error)
        pad_form_labels(form)

    def _box(self, name: str, accessible: str) -> QPlainTextEdit:
        edit = QPlainTextEdit()
        named(edit, name, accessible)
        edit.setTabChangesFocus(True)
        edit.setMinimumHeight(edit.fontMetrics().lineSpacing() * 4 + 12)
        edit.textChanged.connect(self._on_edit)
        return edit

    def load(self, plan: CarePlanView) -> None:
        self._loading = True
        try:
            self.about_edit.setPlainText(plan.about_me or "")
            self.matters_edit.setPlainText(plan.what_matters or "")
            self.agenda_edit.setPlainText("\n".join(plan.agenda))
            self.error.clear_error()
        finally:
            self._loading = False

    def values(self) -> dict[str, Any]:
        lines = self.agenda_edit.toPlainText().splitlines()
        return {
            "about_me": _text(self.about_edit),
            "what_matters": _text(self.matters_edit),
            "agenda": tuple(line.strip() for line in lines if line.strip()),
        }

    def set_editable(self, editable: bool) -> None:
        for edit in (self.about_edit, self.matters_edit, self.agenda_edit):
            edit.setReadOnly(not editable)

    def show_error(self, field: str, message: str) -> QWidget | None:
        """Show the message if the field is here; the control to focus, or None."""
        targets = {"about me": self.about_edit, "what matters to me": self.matters_edit}
        target = targets.get(field)
        if target is None and field.startswith("agenda item"):
            target = self.agenda_edit
        if target is not None:
            self.error.show_error(message)
        return target


class TableSection(Section):
    """One PlanTable with a line of advice above it."""

    PREFIX = ""

    def __init__(self, table: PlanTable, hint: str) -> None:
        super().__init__()
        self.plan_table = table
        table.changed.connect(self._on_edit)
        layout = QVBoxLayout(self)
        layout.addWidget(_hint(hint))
        layout.addWidget(table, 1)

    def set_editable(self, editable: bool) -> None:
        self.plan_table.set_editable(editable)

    def show_error(self, field: str, message: str) -> QWidget | None:
        if not field.startswith(self.PREFIX):
            return None
        self.plan_table.show_row_error(_row_number(field) or 0, message)
        return self.plan_table.table


class ContributionsSection(TableSection):
    PREFIX = "contribution"

    def __init__(self) -> None:
        table = PlanTable(
            "planContributions",
            "Who does what",
            (
                Column("Who does it", (("I will", "me"), ("My team will", "team"))),
                Column("Who (name, role or agency)"),
                Column("What", stretch=True),
            ),
            "contribution",
        )
        super().__init__(
            table,
            "What the person will do, and what each professional or agency will do.",
        )

    def load(self, plan: CarePlanView) -> None:
        self.plan_table.load(
            [("me" if c.by_person else "team", c.who, c.what) for c in plan.contributions]
        )

    def values(self) -> dict[str, Any]:
        return {
            "contributions": tuple(
                Contribution(by_person=by == "me", who=who or "", what=what or "")
                for by, who, what in self.plan_table.rows()
            )
        }


class ContingencySection(TableSection):
    PREFIX = "contingency"

    def __init__(self) -> None:
        table = PlanTable(
            "planContingency",
            "If things get worse",
            (
                Column("Level", tuple((LABELS[r], r.value) for r in Rag), colours=RAG_COLOURS),
                Column("Signs I notice", stretch=True),
                Column("What to do", stretch=True),
                Column("Call in hours"),
                Column("Call out of hours"),
            ),
            "row",
        )
        super().__init__(
            table,
            "Green: keeping well. Amber: getting worse. Red: an emergency. "
            "What the person notices, what to do, and who to call.",
        )

    def load(self, plan: CarePlanView, *, blank_rows: bool = False) -> None:
        rows: list[Sequence[str | None]] = [
            (r.level, r.signs, r.action, r.call_in_hours, r.call_out_of_hours)
            for r in plan.contingency
        ]
        if not rows and blank_rows:  # a new plan starts with one row per level
            rows = [(r.value, None, None, None, None) for r in Rag]
        self.plan_table.load(rows)

    def values(self) -> dict[str, Any]:
        return {
            "contingency": tuple(
                ContingencyRow(
                    level=level or Rag.GREEN.value,
                    signs=signs or "",
                    action=action or "",
                    call_in_hours=in_hours,
                    call_out_of_hours=out_of_hours,
                )
                for level, signs, action, in_hours, out_of_hours in self.plan_table.rows()
            )
        }


# (Preventive field, label, service field name)
PREVENTIVE = (
    ("flu_vaccine", "Flu vaccination", "flu vaccine"),
    ("pneumococcal_vaccine", "Pneumococcal vaccination", "pneumococcal vaccine"),
    ("medicines_review", "Medicines review", "medicines review"),
    ("falls_risk_assessed", "Falls risk assessed", "falls risk assessed"),
)


def _pascal(snake: str) -> str:
    return "".join(part.capitalize() for part in snake.split("_"))


def _future_date_edit(name: str, accessible: str, years: int) -> OptionalDateEdit:
    edit = OptionalDateEdit(calendar_years_back=0)
    named(edit, name, accessible)
    edit.setMaximumDate(QDate.currentDate().addYears(years))
    return edit


class KeepingWellSection(Section):
    """Preventive basics, the review date and reviewer, and who holds a copy."""

    def __init__(self, staff: Sequence[StaffView]) -> None:
        super().__init__()
        self._staff = staff
        self._errors: dict[str, tuple[ErrorLabel, QWidget]] = {}
        self.checks: dict[str, QCheckBox] = {}
        self.dates: dict[str, OptionalDateEdit] = {}

        basics = QGroupBox("Keeping well")
        grid = QGridLayout(basics)
        grid.setColumnStretch(2, 1)
        for row, (key, label, field) in enumerate(PREVENTIVE):
            name = f"preventive{_pascal(key)}"
            check = QCheckBox(label)
            named(check, name, label)
            when = _future_date_edit(f"{name}Date", f"{label}: date", 2)
            check.toggled.connect(lambda on, k=key: self._on_check_toggled(k, on))
            when.dateChanged.connect(lambda _d, k=key: self._on_date_changed(k))
            error = ErrorLabel(f"{name}Error", f"{label} error")
            self._errors[field] = (error, when)
            self.checks[key], self.dates[key] = check, when
            grid.addWidget(check, row, 0)
            grid.addWidget(with_error(when, error), row, 1)

        review = QGroupBox("Review")
        self.review_date_edit = _future_date_edit("planReviewDate", "Review date", 5)
        self.review_date_edit.dateChanged.connect(self._on_review_date_changed)
        self.reviewer_combo = QComboBox()
        named(self.reviewer_combo, "planReviewer", "Who reviews the plan")
        self.reviewer_combo.currentIndexChanged.connect(self._on_edit)
        review_error = ErrorLabel("planReviewDateError", "Review date error")
        reviewer_error = ErrorLabel("planReviewerError", "Reviewer error")
        self._errors["review date"] = (review_error, self.review_date_edit)
        self._errors["reviewer"] = (reviewer_error, self.reviewer_combo)
        form = QFormLayout(review)
        form.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.FieldsStayAtSizeHint)
        self.reviewer_combo.setMinimumContentsLength(22)
        form.addRow("Re&view date", with_error(self.review_date_edit, review_error))
        form.addRow("Reviewed &by", with_error(self.reviewer_combo, reviewer_error))
        pad_form_labels(form)

        self.copies = PlanTable(
            "planCopies",
            "Who holds a copy",
            (
                Column("Who", stretch=True),
                Column("Role", tuple((COPY_ROLES[r], r.value) for r in CopyRole)),
                Column("Shared on (DD/MM/YYYY)"),
            ),
            "copy holder",
        )
        self.copies.changed.connect(self._on_edit)
        copies = QGroupBox("Who holds a copy")
        copies_layout = QVBoxLayout(copies)
        copies_layout.addWidget(self.copies)

        top = QGridLayout()
        top.addWidget(basics, 0, 0)
        top.addWidget(review, 0, 1)
        top.setColumnStretch(0, 1)
        top.setColumnStretch(1, 1)
        layout = QVBoxLayout(self)
        layout.addLayout(top)
        layout.addWidget(copies, 1)

    # ------------------------------------------------------------------ loading

    def load(self, plan: CarePlanView) -> None:
        self._loading = True
        try:
            for key, _label, _field in PREVENTIVE:
                value: date | None = getattr(plan.preventive, key)
                self.dates[key].set_value(value)
                self.checks[key].setChecked(value is not None)
            self.review_date_edit.set_value(plan.review_date)
            self._fill_reviewers(plan.reviewer_username, plan.reviewer)
            self.copies.load(
                [
                    (c.who, c.role, f"{c.shared_on:%d/%m/%Y}" if c.shared_on else None)
                    for c in plan.copies
                ]
            )
            for error, _target in self._errors.values():
                error.clear_error()
        finally:
            self._loading = False

    def _fill_reviewers(self, username: str | None, display: str | None) -> None:
        combo = self.reviewer_combo
        combo.clear()
        combo.addItem("Not chosen yet", None)
        for member in self._staff:
            if member.active and member.role not in {"admin", "read_only"}:
                combo.addItem(member.display_name, member.username)
        if username and combo.findData(username) < 0:
            combo.addItem(display or username, username)
        combo.setCurrentIndex(max(0, combo.findData(username)))

    def snapshot(self) -> Any:
        """What is on screen, for telling whether anything changed (never raises)."""
        parts = [
            self.dates[key].value() if self.checks[key].isChecked() else None
            for key, _label, _field in PREVENTIVE
        ]
        return (
            parts,
            self.review_date_edit.value(),
            self.review_date_edit.is_complete(),
            self.reviewer_combo.currentData(),
            self.copies.rows(),
        )

    def values(self) -> dict[str, Any]:
        """Dates in the copies table are read here: one not understood raises the same
        ValidationError the service would."""
        parts = {
            key: self.dates[key].value() if self.checks[key].isChecked() else None
            for key, _label, _field in PREVENTIVE
        }
        copies = tuple(
            CopyHolder(
                who=who or "",
                role=role or CopyRole.PATIENT.value,
                shared_on=validate.parse_date(shared, f"copy {n} shared on"),
            )
            for n, (who, role, shared) in enumerate(self.copies.rows(), 1)
        )
        return {
            "preventive": Preventive(**parts),
            "review_date": self.review_date_edit.value(),
            "reviewer": self.reviewer_combo.currentData(),
            "copies": copies,
        }

    def check_entries(self) -> bool:
        """Dates typed without their year: asked for rather than guessed."""
        fine = True
        edits = [(f, e) for (_k, _l, f), e in zip(PREVENTIVE, self.dates.values(), strict=True)]
        for field, edit in [*edits, ("review date", self.review_date_edit)]:
            if not edit.is_blank() and not edit.is_complete():
                self.show_error(field, f"Add the year to the {field}")
                fine = False
        return fine

    def set_editable(self, editable: bool) -> None:
        for check in self.checks.values():
            check.setEnabled(editable)
        # Read-only rather than disabled: the dates stay easy to read.
        for edit in (*self.dates.values(), self.review_date_edit):
            edit.setReadOnly(not editable)
        self.reviewer_combo.setEnabled(editable)
        self.copies.set_editable(editable)

    def show_error(self, field: str, message: str) -> QWidget | None:
        if field.startswith("copy "):
            self.copies.show_row_error(_row_number(field) or 0, message)
            return self.copies.table
        found = self._errors.get(field)
        if found is None:
            return None
        error, target = found
        error.show_error(message)
        return target

    # ------------------------------------------------------------------ reacting

    def _on_check_toggled(self, key: str, on: bool) -> None:
        if self._loading:
            return
        self._loading = True
        try:
            edit = self.dates[key]
            if on and edit.is_blank():
                edit.set_value(date.today())
            elif not on:
                edit.clear_date()
        finally:
            self._loading = False
        self._on_edit()

    def _on_date_changed(self, key: str) -> None:
        if self._loading:
            return
        self._loading = True
        try:
            self.checks[key].setChecked(not self.dates[key].is_blank())
        finally:
            self._loading = False
        self._on_edit()

    def _on_review_date_changed(self, _day: QDate) -> None:
        self._errors["review date"][0].clear_error()
        self._on_edit()
