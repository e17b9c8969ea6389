"""Small widgets shared by views and dialogs: field error labels and an optional date edit."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from datetime import date

from PySide6.QtCore import QDate, QEvent, QObject
from PySide6.QtGui import QKeyEvent
from PySide6.QtWidgets import (
    QDateEdit,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from ltcdesk.domain.errors import ValidationError
from ltcdesk.domain.validate import EARLIEST_DOB

ERROR_STYLE = "color: #b3261e;"
OK_STYLE = "color: #146c2e;"


def to_date(value: QDate) -> date:
    return date(value.year(), value.month(), value.day())


def collect_errors(checks: Iterable[Callable[[], object]]) -> list[ValidationError]:
    """Run every check and return all their ValidationErrors, so all can be shown at once."""
    found: list[ValidationError] = []
    for check in checks:
        try:
            check()
        except ValidationError as err:
            found.append(err)
    return found


def field_message(err: ValidationError) -> str:
    """A message to show beside its field: "is required" becomes "Postcode is required"."""
    message = err.message.strip()
    first = message.split(" ", 1)[0]
    if first in {"is", "must", "contains", "has", "needs", "cannot", "none"}:
        return f"{err.field[:1].upper()}{err.field[1:]} {message}"
    return message[:1].upper() + message[1:]


class ErrorLabel(QLabel):
    """Red text under a field; hidden (taking no space) until there is something to say."""

    def __init__(self, object_name: str, accessible_name: str) -> None:
        super().__init__()
        self.setObjectName(object_name)
        self.setAccessibleName(accessible_name)
        self.setStyleSheet(ERROR_STYLE)
        self.setWordWrap(True)
        self.hide()

    def show_error(self, message: str) -> None:
        self.setText(message)
        self.show()

    def clear_error(self) -> None:
        self.setText("")
        self.hide()


def with_error(field: QWidget, error: QLabel) -> QWidget:
    """The field with its error label directly below it, as one form cell."""
    box = QWidget()
    layout = QVBoxLayout(box)
    layout.setContentsMargins(0, 0, 0, 0)
    layout.setSpacing(2)
    layout.addWidget(field)
    layout.addWidget(error)
    box.setFocusProxy(field)
    return box


def pad_form_labels(form: QFormLayout) -> None:
    """Give each label of a finished form a few pixels spare.

    A QLabel sized exactly to its hint can lose its last letter to font hinting (seen
    with "Telephone" under X11 and DejaVu Sans).
    """
    for row in range(form.rowCount()):
        item = form.itemAt(row, QFormLayout.ItemRole.LabelRole)
        label = item.widget() if item is not None else None
        if isinstance(label, QLabel) and label.text():
            label.setMinimumWidth(label.sizeHint().width() + 4)


def button_row(
    ok_text: str, ok_name: str, ok_accessible: str, cancel_name: str, cancel_accessible: str
) -> tuple[QPushButton, QPushButton, QHBoxLayout]:
    """A dialog's right-aligned default button and Cancel (which Enter never triggers)."""
    ok = QPushButton(ok_text)
    ok.setObjectName(ok_name)
    ok.setAccessibleName(ok_accessible)
    ok.setDefault(True)
    cancel = QPushButton("Cancel")
    cancel.setObjectName(cancel_name)
    cancel.setAccessibleName(cancel_accessible)
    cancel.setAutoDefault(False)
    row = QHBoxLayout()
    row.addStretch(1)
    row.addWidget(ok)
    row.addWidget(cancel)
    return ok, cancel, row


class OptionalDateEdit(QDateEdit):
    """A DD/MM/YYYY date picker that may be left blank (shows "DD/MM/YYYY" until filled).

    Qt's blank-date idiom (the minimum date shown as special text) cannot be typed into,
    so the first digit typed starts from a template date. A date counts as entered only
    once its year has been typed, stepped or picked from the calendar: someone who types
    the day and month and tabs away is asked for the year rather than given 2000.
    """

    # The day before the earliest plausible date of birth, so every real date stays valid.
    BLANK = QDate(1889, 12, 31)
    _TEMPLATE_YEAR = 2000

    def __init__(self, calendar_years_back: int = 0, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setDisplayFormat("dd/MM/yyyy")
        self.setCalendarPopup(True)
        self.setMinimumDate(self.BLANK)
        self.setMaximumDate(QDate.currentDate())
        self.setSpecialValueText("DD/MM/YYYY")
        self._calendar_years_back = calendar_years_back
        self._year_entered = True
        self.clear_date()
        self.calendarWidget().installEventFilter(self)
        self.calendarWidget().clicked.connect(self._on_calendar_clicked)

    def clear_date(self) -> None:
        self.setDate(self.BLANK)
        self._year_entered = True

    def is_blank(self) -> bool:
        return self.date() == self.BLANK

    def is_complete(self) -> bool:
        return not self.is_blank() and self._year_entered

    def value(self) -> date | None:
        """The date entered, or None when blank or when the year was never entered."""
        if not self.is_complete():
            return None
        return to_date(self.date())

    def set_value(self, value: date | None) -> None:
        if value is None:
            self.clear_date()
        else:
            self.setDate(QDate(value.year, value.month, value.day))
            self._year_entered = True

    def keyPressEvent(self, event: QKeyEvent) -> None:
        if event.text().isdigit():
            if self.is_blank():
                self.setDate(QDate(self._TEMPLATE_YEAR, 1, 1))
                self.setSelectedSection(QDateEdit.Section.DaySection)
                self._year_entered = False
            elif self.currentSection() == QDateEdit.Section.YearSection:
                self._year_entered = True
        super().keyPressEvent(event)

    def stepBy(self, steps: int) -> None:
        if self.is_blank():
            self.setDate(QDate(self._TEMPLATE_YEAR, 1, 1))
            self._year_entered = False
        elif self.currentSection() == QDateEdit.Section.YearSection:
            self._year_entered = True
        super().stepBy(steps)

    def _on_calendar_clicked(self, _day: QDate) -> None:
        self._year_entered = True

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        # An empty field would open the calendar in December 1889; start somewhere likelier.
        calendar = self.calendarWidget()
        if watched is calendar and event.type() == QEvent.Type.Show and self.is_blank():
            today = QDate.currentDate()
            year = max(EARLIEST_DOB.year, today.year() - self._calendar_years_back)
            calendar.setCurrentPage(year, today.month())
        return super().eventFilter(watched, event)
