"""The record's Conditions tab: the table, and forms to add, end or undo a condition.

Nothing is written here: additions and endings are queued in the record's ``Draft`` and
shown in italics until the record is saved.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date

from PySide6.QtWidgets import (
    QComboBox,
    QFormLayout,
    QGroupBox,
    QLabel,
    QLineEdit,
    QWidget,
)

from ltcdesk.domain import validate
from ltcdesk.domain.errors import ValidationError
from ltcdesk.domain.vocab import CONDITION_NAMES, CONDITIONS
from ltcdesk.ui.views.record_common import (
    DraftTab,
    Row,
    TabLinks,
    button,
    button_strip,
    dmy,
    fill_table,
    lay_out_table_and_forms,
    make_table,
    named,
    selected_row,
)
from ltcdesk.ui.widgets import OptionalDateEdit


class ConditionsTab(DraftTab):
    """Queues conditions to add or end.

    ``can_edit`` is whether the user's role may edit conditions; ``date_of_birth`` gives the
    date of birth as currently typed, which a diagnosis may not precede.
    """

    def __init__(self, links: TabLinks, date_of_birth: Callable[[], date], can_edit: bool) -> None:
        super().__init__(links)
        errors = links.errors
        self._date_of_birth = date_of_birth
        self._can_edit = can_edit
        self.conditions_table = make_table(
            "conditionsTable",
            "Long term conditions",
            ["Condition", "Diagnosed", "Ended", "Why ended", "Status"],
        )
        self.conditions_table.setMinimumHeight(160)
        self.conditions_table.itemSelectionChanged.connect(self._on_conditions_selection)

        add_box = QGroupBox("Add a condition")
        add_box.setObjectName("addConditionGroup")
        self.condition_combo = QComboBox()
        named(self.condition_combo, "conditionCombo", "Condition to add")
        self.condition_combo.setPlaceholderText("Choose a condition")
        self.diagnosis_date_edit = OptionalDateEdit(calendar_years_back=0)
        named(self.diagnosis_date_edit, "diagnosisDateEdit", "Date diagnosed (optional)")
        self.add_condition_button = button("addConditionButton", "A&dd condition", "Add condition")
        form = QFormLayout(add_box)
        form.addRow("Condition", errors.wrap("condition", self.condition_combo, "conditionError"))
        form.addRow(
            "Diagnosed (optional)",
            errors.wrap("diagnosis date", self.diagnosis_date_edit, "diagnosisDateError"),
        )
        form.addRow("", self.add_condition_button)
        self.condition_combo.currentIndexChanged.connect(
            lambda _i: errors.labels["condition"].clear_error()
        )
        self.diagnosis_date_edit.dateChanged.connect(
            lambda _d: errors.labels["diagnosis date"].clear_error()
        )
        self.add_condition_button.clicked.connect(self._on_add_condition_button_clicked)

        end_box = QGroupBox("End or undo the selected condition")
        end_box.setObjectName("endConditionGroup")
        self.selected_condition_label = QLabel("Select a condition in the table.")
        named(self.selected_condition_label, "selectedConditionLabel", "Selected condition")
        self.end_reason_edit = QLineEdit()
        named(self.end_reason_edit, "endReasonEdit", "Why the condition ended")
        self.end_reason_edit.setPlaceholderText("e.g. Resolved; diagnosis revised")
        self.end_condition_button = button("endConditionButton", "&End condition", "End condition")
        self.undo_condition_button = button(
            "undoConditionButton", "&Undo unsaved change", "Undo unsaved condition change"
        )
        buttons = button_strip(self.end_condition_button, self.undo_condition_button)
        form = QFormLayout(end_box)
        form.addRow("Selected", self.selected_condition_label)
        form.addRow("Why", errors.wrap("reason", self.end_reason_edit, "endConditionError"))
        errors.alias("end date", "reason")
        form.addRow("", buttons)
        self.end_condition_button.clicked.connect(self._on_end_condition_button_clicked)
        self.undo_condition_button.clicked.connect(self._on_undo_condition_button_clicked)

        lay_out_table_and_forms(self, self.conditions_table, add_box, end_box)

    def editable(self) -> tuple[QWidget, ...]:
        """The controls a role without EDIT_CONDITIONS may not use."""
        return (
            self.condition_combo,
            self.diagnosis_date_edit,
            self.add_condition_button,
            self.end_reason_edit,
            self.end_condition_button,
            self.undo_condition_button,
        )

    def clear_forms(self) -> None:
        self.diagnosis_date_edit.clear_date()
        self.end_reason_edit.clear()

    def show_conditions(self) -> None:
        """Fill the table (saved and queued) and offer only conditions not already current."""
        base = self._draft.detail
        ending = self._draft.end_conditions
        rows: list[Row] = []
        for c in sorted(base.conditions, key=lambda c: (c.ended_on is not None, c.name)):
            if c.ended_on is None and c.code in ending:
                why = ending[c.code] or ""
                rows.append(
                    (
                        [c.name, dmy(c.diagnosed_on), "On save", why, "Ending (not saved yet)"],
                        "end",
                        c.code,
                    )
                )
            elif c.ended_on is None:
                rows.append(([c.name, dmy(c.diagnosed_on), "", "", "Current"], None, c.code))
            else:
                status = "Ended"
                rows.append(
                    (
                        [
                            c.name,
                            dmy(c.diagnosed_on),
                            dmy(c.ended_on),
                            c.ended_reason or "",
                            status,
                        ],
                        None,
                        c.code,
                    )
                )
        for code, when in self._draft.add_conditions:
            name = CONDITION_NAMES.get(code, code)
            rows.append(([name, dmy(when), "", "", "New (not saved yet)"], "add", code))
        rows.sort(key=lambda r: (r[0][4].startswith("Ended"), r[0][0]))
        fill_table(self.conditions_table, rows)
        self._on_conditions_selection()

        current = self._draft.current_codes()
        chosen = self.condition_combo.currentData()
        self.condition_combo.blockSignals(True)
        self.condition_combo.clear()
        for code, name in CONDITIONS:
            if code not in current:
                self.condition_combo.addItem(name, code)
        self.condition_combo.setCurrentIndex(self.condition_combo.findData(chosen))
        self.condition_combo.blockSignals(False)

    def _on_conditions_selection(self) -> None:
        kind, code = selected_row(self.conditions_table)
        saved_current = {c.code for c in self._draft.detail.active_conditions}
        endable = kind is None and code in saved_current
        self.end_condition_button.setEnabled(self._can_edit and endable)
        self.end_reason_edit.setEnabled(self._can_edit and endable)
        self.undo_condition_button.setEnabled(self._can_edit and kind is not None)
        if code is None:
            self.selected_condition_label.setText("Select a condition in the table.")
        else:
            name = CONDITION_NAMES.get(code, code)
            if kind is None and code not in saved_current:
                name += " (already ended)"
            self.selected_condition_label.setText(name)

    def _on_add_condition_button_clicked(self) -> None:
        self._errors.labels["condition"].clear_error()
        self._errors.labels["diagnosis date"].clear_error()
        code = self.condition_combo.currentData()
        if not code:
            self._show_error(ValidationError("condition", "choose a condition to add"))
            return
        if not self.diagnosis_date_edit.is_blank() and not self.diagnosis_date_edit.is_complete():
            self._show_error(
                ValidationError("diagnosis date", "needs the year as well as the day and month")
            )
            return
        when = self.diagnosis_date_edit.value()
        dob = self._date_of_birth()
        if when is not None and when < dob:
            self._show_error(ValidationError("diagnosis date", "is before the date of birth"))
            return
        self._draft.add_conditions.append((code, when))
        self.diagnosis_date_edit.clear_date()
        self.condition_combo.setCurrentIndex(-1)
        self._on_change()

    def _on_end_condition_button_clicked(self) -> None:
        kind, code = selected_row(self.conditions_table)
        if code is None or kind is not None:
            return
        try:
            reason = validate.text(self.end_reason_edit.text(), "reason")
        except ValidationError as err:
            self._show_error(err)
            return
        self._draft.end_conditions[code] = reason
        self.end_reason_edit.clear()
        self._on_change()

    def _on_undo_condition_button_clicked(self) -> None:
        kind, code = selected_row(self.conditions_table)
        if kind == "end" and code is not None:
            self._draft.end_conditions.pop(code, None)
        elif kind == "add":
            added = self._draft.add_conditions
            self._draft.add_conditions = [(c, w) for c, w in added if c != code]
        self._on_change()
