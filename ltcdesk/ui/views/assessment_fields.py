"""One editor per kind of assessment field (``assessment_domains.FieldSpec``), each with a
blank "not recorded" state: a number, yes / no, a date, a choice or a short text.

Every editor has ``value()`` (the stored form: int, bool, ISO date text, choice key, text,
or None when not recorded), ``set_value()`` and a ``changed`` signal. A number box lets
the user type past the field's range so a slip is named beside the field ("must be between
0 and 50") instead of being silently cut to the first digit; its arrows stay in range.
"""

from __future__ import annotations

from datetime import date

from PySide6.QtCore import QObject, Signal
from PySide6.QtWidgets import (
    QButtonGroup,
    QComboBox,
    QHBoxLayout,
    QLineEdit,
    QPlainTextEdit,
    QRadioButton,
    QSpinBox,
    QWidget,
)

from ltcdesk.domain import assessment_domains as ad
from ltcdesk.ui.views.assessment_wording import choice_label
from ltcdesk.ui.views.record_common import named
from ltcdesk.ui.widgets import OptionalDateEdit

_TYPING_ROOM = 9999
LONG_TEXT_AT = 300  # longer texts get a multi-line box


class NumberBox(QSpinBox):
    """A whole number with "Not recorded" below the range."""

    def __init__(self, lo: int, hi: int) -> None:
        super().__init__()
        self._lo, self._hi = lo, hi
        self.setRange(lo - 1, max(hi, _TYPING_ROOM))
        self.setSpecialValueText("Not recorded")
        self.setValue(lo - 1)
        self.setMinimumWidth(self.fontMetrics().horizontalAdvance("Not recorded") + 44)

    def stepBy(self, steps: int) -> None:
        target = self.value() + steps
        if self.value() > self._hi:
            target = self._hi
        self.setValue(max(self._lo - 1, min(self._hi, target)))
        self.selectAll()


class FieldEditor(QObject):
    """The editor of one field; ``widget`` goes in the form."""

    changed = Signal()

    def __init__(self, spec: ad.DomainSpec, field: ad.FieldSpec) -> None:
        super().__init__()
        self.spec = spec
        self.field = field
        self.name = f"assess_{spec.key}_{field.key}"
        self.accessible = f"{spec.label}: {field.label}"
        self.widget: QWidget = self._build()

    # subclasses
    def _build(self) -> QWidget:
        raise NotImplementedError

    def value(self) -> object:
        raise NotImplementedError

    def set_value(self, value: object) -> None:
        raise NotImplementedError

    def set_editable(self, editable: bool, why: str = "") -> None:
        self.widget.setEnabled(editable)
        self.widget.setToolTip("" if editable else why)


class IntEditor(FieldEditor):
    def _build(self) -> QWidget:
        lo = self.field.minimum or 0
        hi = self.field.maximum if self.field.maximum is not None else _TYPING_ROOM
        self.box = NumberBox(lo, hi)
        named(self.box, self.name, self.accessible)
        self.box.setAccessibleDescription(f"{lo} to {hi}; below {lo} is not recorded")
        self.box.valueChanged.connect(lambda _v: self.changed.emit())
        self.blank = lo - 1
        return self.box

    def value(self) -> object:
        number = self.box.value()
        return None if number == self.blank else number

    def set_value(self, value: object) -> None:
        self.box.setValue(value if isinstance(value, int) else self.blank)


class YesNoEditor(FieldEditor):
    """Yes / No / Not recorded: one click each, and "no" is never confused with "not asked"."""

    def _build(self) -> QWidget:
        box = QWidget()
        named(box, self.name, self.accessible)
        row = QHBoxLayout(box)
        row.setContentsMargins(0, 0, 0, 0)
        self.group = QButtonGroup(box)
        self.radios: dict[object, QRadioButton] = {}
        for value, text, suffix in (
            (True, "Yes", "Yes"),
            (False, "No", "No"),
            (None, "Not recorded", "Blank"),
        ):
            radio = QRadioButton(text)
            named(radio, f"{self.name}{suffix}", f"{self.accessible}: {text.lower()}")
            self.group.addButton(radio)
            row.addWidget(radio)
            self.radios[value] = radio
        row.addStretch(1)
        self.radios[None].setChecked(True)
        self.group.buttonToggled.connect(self._on_group_button_toggled)
        box.setFocusProxy(self.radios[None])
        return box

    def _on_group_button_toggled(self, _button: object, on: bool) -> None:
        if on:  # the radio switched off is reported too
            self.changed.emit()

    def value(self) -> object:
        for value, radio in self.radios.items():
            if radio.isChecked():
                return value
        return None

    def set_value(self, value: object) -> None:
        key = value if isinstance(value, bool) else None
        self.radios[key].setChecked(True)


class DateEditor(FieldEditor):
    def _build(self) -> QWidget:
        self.edit = OptionalDateEdit(calendar_years_back=1)
        named(self.edit, self.name, self.accessible)
        self.edit.setAccessibleDescription("DD/MM/YYYY; leave blank if not recorded")
        self.edit.dateChanged.connect(lambda _d: self.changed.emit())
        return self.edit

    def value(self) -> object:
        day = self.edit.value()
        return day.isoformat() if day else None

    def set_value(self, value: object) -> None:
        day = None
        if isinstance(value, str):
            try:
                day = date.fromisoformat(value)
            except ValueError:
                day = None
        self.edit.set_value(day)


class ChoiceEditor(FieldEditor):
    def _build(self) -> QWidget:
        self.combo = QComboBox()
        named(self.combo, self.name, self.accessible)
        self.combo.addItem("Not recorded", None)
        for choice in self.field.choices:
            self.combo.addItem(choice_label(choice), choice)
        self.combo.currentIndexChanged.connect(lambda _i: self.changed.emit())
        return self.combo

    def value(self) -> object:
        return self.combo.currentData()

    def set_value(self, value: object) -> None:
        index = self.combo.findData(value) if value is not None else 0
        self.combo.setCurrentIndex(max(0, index))


class TextEditor(FieldEditor):
    def _build(self) -> QWidget:
        if self.field.max_len >= LONG_TEXT_AT:
            self.long: QPlainTextEdit | None = QPlainTextEdit()
            self.long.setTabChangesFocus(True)
            self.long.setFixedHeight(self.long.fontMetrics().lineSpacing() * 5 + 12)
            self.long.textChanged.connect(self.changed.emit)
            self.line: QLineEdit | None = None
            widget: QWidget = self.long
        else:
            self.line = QLineEdit()
            self.line.setMaxLength(self.field.max_len)
            self.line.textChanged.connect(lambda _t: self.changed.emit())
            self.long = None
            widget = self.line
        named(widget, self.name, self.accessible)
        return widget

    def value(self) -> object:
        if self.long is not None:
            text = self.long.toPlainText()
        else:
            text = self.line.text() if self.line is not None else ""
        return text.strip() or None

    def set_value(self, value: object) -> None:
        text = value if isinstance(value, str) else ""
        if self.long is not None:
            self.long.setPlainText(text)
        elif self.line is not None:
            self.line.setText(text)


_EDITORS: dict[ad.Kind, type[FieldEditor]] = {
    ad.Kind.INT: IntEditor,
    ad.Kind.BOOL: YesNoEditor,
    ad.Kind.DATE: DateEditor,
    ad.Kind.CHOICE: ChoiceEditor,
    ad.Kind.TEXT: TextEditor,
}


def editor_for(spec: ad.DomainSpec, field: ad.FieldSpec) -> FieldEditor:
    return _EDITORS[field.kind](spec, field)
