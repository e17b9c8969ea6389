"""The form of one assessment domain: its structured fields (with the previous assessment's
value beside any that differ), computed flags, a note, "need identified" with a short
description, and "Confirm unchanged" for a domain pre-filled from last time.

Any edit confirms the domain too: the assessor has looked at it with the person.
"""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import Signal
from PySide6.QtWidgets import (
    QCheckBox,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QVBoxLayout,
    QWidget,
)

from ltcdesk.domain import assessment_domains as ad
from ltcdesk.services.assessments import Difference, DomainEdit, DomainView
from ltcdesk.ui.views.assessment_fields import FieldEditor, editor_for
from ltcdesk.ui.views.assessment_wording import computed_text, live_differences, value_text
from ltcdesk.ui.views.record_common import button, named
from ltcdesk.ui.widgets import ErrorLabel, pad_form_labels

_WAS_STYLE = "color: #7a4b00;"
_HINT_STYLE = "color: #57606a;"
_FLAG_STYLE = "color: #7a4b00; font-weight: bold;"


def _sentence(text: str) -> str:
    return text[:1].upper() + text[1:]


class DomainForm(QWidget):
    """``changed`` after any edit or confirmation (not while loading)."""

    changed = Signal()

    def __init__(self, spec: ad.DomainSpec, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.spec = spec
        key = spec.key
        named(self, f"domainForm_{key}", f"{spec.label} domain")
        self._loading = False
        self._saved: DomainView | None = None
        self._previous: DomainView | None = None
        self._baseline: Any = None
        self._confirmed_now = False
        self._editable = False
        self.errors: dict[str, ErrorLabel] = {}
        self.targets: dict[str, QWidget] = {}

        title = QLabel(f"<b>{spec.label}</b>" + (" · clinical" if spec.clinical else ""))
        named(title, f"domainTitle_{key}", spec.label)
        title.setStyleSheet("font-size: 12pt;")
        self.readonly_label = QLabel()
        named(self.readonly_label, f"domainReadOnly_{key}", "Why this domain is read-only")
        self.readonly_label.setStyleSheet(_HINT_STYLE)
        self.readonly_label.setWordWrap(True)

        self.editors: dict[str, FieldEditor] = {}
        self.was_labels: dict[str, QLabel] = {}
        form = QFormLayout()
        form.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.ExpandingFieldsGrow)
        for f in spec.fields:
            editor = editor_for(spec, f)
            editor.changed.connect(self._on_edited)
            self.editors[f.key] = editor
            was = QLabel()
            named(was, f"{editor.name}Was", f"{spec.label}: {f.label}, previous value")
            was.setStyleSheet(_WAS_STYLE)
            was.hide()
            self.was_labels[f.key] = was
            line = QHBoxLayout()
            line.setContentsMargins(0, 0, 0, 0)
            line.addWidget(editor.widget, 1 if f.kind is ad.Kind.TEXT else 0)
            line.addWidget(was)
            if f.kind is not ad.Kind.TEXT:
                line.addStretch(1)
            form.addRow(_sentence(f.label), self._with_error(ad.where(spec, f), line, editor))

        self.flags_label = QLabel()
        named(self.flags_label, f"domainFlags_{key}", f"{spec.label}: computed flags")
        self.flags_label.setStyleSheet(_FLAG_STYLE)
        self.flags_label.hide()

        self.note_edit = QPlainTextEdit()
        named(self.note_edit, f"domainNote_{key}", f"{spec.label}: note")
        self.note_edit.setTabChangesFocus(True)
        self.note_edit.setPlaceholderText("What the person said, what you observed")
        self.note_edit.setFixedHeight(self.note_edit.fontMetrics().lineSpacing() * 4 + 12)
        self.note_edit.textChanged.connect(self._on_edited)
        self.note_was = QLabel()
        named(self.note_was, f"domainNote_{key}Was", f"{spec.label}: note changed")
        self.note_was.setStyleSheet(_WAS_STYLE)
        self.note_was.hide()
        note_box = QVBoxLayout()
        note_box.setSpacing(2)
        note_box.addWidget(self.note_edit)
        note_box.addWidget(self.note_was)
        form.addRow("Note", self._with_error(f"{spec.label.lower()}: note", note_box, None))

        self.need_check = QCheckBox("&Need identified")
        named(self.need_check, f"domainNeed_{key}", f"{spec.label}: need identified")
        self.need_check.toggled.connect(self._on_need_toggled)
        self.need_edit = QLineEdit()
        named(self.need_edit, f"domainNeedText_{key}", f"{spec.label}: the need, in brief")
        self.need_edit.setMaxLength(ad.NEED_TEXT_MAX)
        self.need_edit.setPlaceholderText("The need, in brief (it can become a care plan goal)")
        self.need_edit.textChanged.connect(self._on_edited)
        need_line = QHBoxLayout()
        need_line.setContentsMargins(0, 0, 0, 0)
        need_line.addWidget(self.need_check)
        need_line.addWidget(self.need_edit, 1)
        form.addRow("Need", self._with_error(f"{spec.label.lower()}: need", need_line, None))
        self.targets[f"{spec.label.lower()}: need"] = self.need_edit
        self.targets[f"{spec.label.lower()}: note"] = self.note_edit
        pad_form_labels(form)

        self.state_label = QLabel()
        named(self.state_label, f"domainState_{key}", f"{spec.label}: confirmation")
        self.state_label.setWordWrap(True)
        self.confirm_button = button(
            f"confirmDomain_{key}", "&Confirm unchanged", f"Confirm {spec.label} unchanged"
        )
        self.confirm_button.setToolTip(
            "You have gone through this domain with the person and nothing has changed"
        )
        self.confirm_button.clicked.connect(self._on_confirm_button_clicked)
        state = QHBoxLayout()
        state.addWidget(self.state_label, 1)
        state.addWidget(self.confirm_button)

        layout = QVBoxLayout(self)
        layout.setContentsMargins(8, 4, 8, 4)
        layout.addWidget(title)
        layout.addWidget(self.readonly_label)
        layout.addLayout(state)
        layout.addLayout(form)
        layout.addWidget(self.flags_label)
        layout.addStretch(1)

    def _with_error(
        self, field: str, inner: QHBoxLayout | QVBoxLayout, editor: FieldEditor | None
    ) -> QWidget:
        box = QWidget()
        column = QVBoxLayout(box)
        column.setContentsMargins(0, 0, 0, 0)
        column.setSpacing(2)
        column.addLayout(inner)
        label = ErrorLabel(f"{field.replace(' ', '_').replace(':', '')}Error", f"{field} error")
        column.addWidget(label)
        self.errors[field] = label
        if editor is not None:
            self.targets[field] = editor.widget
        return box

    # ------------------------------------------------------------------ loading

    def load(
        self, saved: DomainView, previous: DomainView | None, editable: bool, why: str = ""
    ) -> None:
        """Show ``saved`` (the domain as stored), ``previous`` (last assessment's) beside it."""
        self._loading = True
        try:
            self._saved, self._previous = saved, previous
            self._confirmed_now = False
            for key, editor in self.editors.items():
                editor.set_value(saved.fields.get(key))
            self.note_edit.setPlainText(saved.note or "")
            self.need_check.setChecked(saved.need_identified)
            self.need_edit.setText(saved.need_text or "")
        finally:
            self._loading = False
        self._baseline = self.content()
        self.set_editable(editable, why)
        self.clear_errors()
        self._update_hints()

    def set_editable(self, editable: bool, why: str = "") -> None:
        self._editable = editable
        for editor in self.editors.values():
            editor.set_editable(editable, why)
        for widget in (self.note_edit, self.need_check):
            widget.setEnabled(editable)
            widget.setToolTip("" if editable else why)
        self.need_edit.setEnabled(editable and self.need_check.isChecked())
        self.need_edit.setToolTip("" if editable else why)
        self.note_edit.setReadOnly(not editable)
        self.readonly_label.setText(why)
        self.readonly_label.setVisible(bool(why) and not editable)

    # ------------------------------------------------------------------ state

    def content(self) -> tuple[dict[str, object], str | None, bool, str | None]:
        fields = {k: v for k, e in self.editors.items() if (v := e.value()) is not None}
        need = self.need_check.isChecked()
        text = self.need_edit.text().strip() or None
        return fields, self.note_edit.toPlainText().strip() or None, need, text if need else None

    def is_editable(self) -> bool:
        return self._editable

    def saved_confirmed(self) -> bool:
        return bool(self._saved is not None and self._saved.confirmed)

    def is_confirmed(self) -> bool:
        return self.saved_confirmed() or self._confirmed_now or self.is_edited()

    def is_edited(self) -> bool:
        return self._baseline is not None and self.content() != self._baseline

    def is_dirty(self) -> bool:
        return self.is_edited() or self.is_confirmed() != self.saved_confirmed()

    def edit(self) -> DomainEdit:
        fields, note, need, text = self.content()
        # The need's text is sent even when unticked, so the service can refuse or keep it.
        return DomainEdit(fields, note, need, text, confirmed=self.is_confirmed())

    def differences(self) -> list[Difference]:
        fields, note, need, text = self.content()
        return live_differences(self.spec, self._previous, fields, note, need, text)

    def has_previous(self) -> bool:
        return self._previous is not None

    # ------------------------------------------------------------------ errors

    def show_error(self, field: str, message: str) -> bool:
        """Show ``message`` under the field the service named; False if not on this form."""
        label = self.errors.get(field)
        if label is None:
            return False
        label.show_error(message)
        target = self.targets.get(field)
        if target is not None:
            target.setAccessibleDescription(message)
            target.setFocus()
        return True

    def clear_errors(self) -> None:
        for label in self.errors.values():
            label.clear_error()

    # ------------------------------------------------------------------ reacting

    def _on_need_toggled(self, on: bool) -> None:
        self.need_edit.setEnabled(self._editable and on)
        if on and not self._loading:
            self.need_edit.setFocus()
        self._on_edited()

    def _on_confirm_button_clicked(self) -> None:
        self._confirmed_now = True
        self._update_hints()
        self.changed.emit()

    def _on_edited(self) -> None:
        if self._loading:
            return
        self._check_ranges()
        self._update_hints()
        self.changed.emit()

    def _check_ranges(self) -> None:
        """Name a number typed outside its range at once (the save would refuse it)."""
        for f in self.spec.fields:
            if f.kind is not ad.Kind.INT:
                continue
            value = self.editors[f.key].value()
            label = self.errors[ad.where(self.spec, f)]
            lo, hi = f.minimum or 0, f.maximum
            if isinstance(value, int) and hi is not None and not lo <= value <= hi:
                label.show_error(f"{_sentence(f.label)} must be between {lo} and {hi}")
            elif label.text().endswith(f"between {lo} and {hi}"):
                label.clear_error()

    def _update_hints(self) -> None:
        fields, note, _need, _text = self.content()
        before = self._previous
        for f in self.spec.fields:
            was = self.was_labels[f.key]
            old = before.fields.get(f.key) if before is not None else None
            differs = before is not None and old != fields.get(f.key)
            was.setText(f"was: {value_text(f, old)}" if differs else "")
            was.setVisible(differs)
        note_changed = before is not None and (before.note or None) != note
        self.note_was.setText("Note changed since the last assessment" if note_changed else "")
        self.note_was.setVisible(note_changed)
        flags = computed_text(ad.computed_flags(self.spec.key, fields))
        self.flags_label.setText("\n".join(flags))
        self.flags_label.setVisible(bool(flags))
        confirmed = self.is_confirmed()
        if confirmed and self.is_edited():
            text, style = "Changed in this assessment (counts as confirmed).", "color: #146c2e;"
        elif confirmed:
            text, style = "Confirmed.", "color: #146c2e;"
        elif self._previous is not None:
            text = "To confirm: pre-filled from the last assessment. Check it with the person."
            style = "color: #7a4b00; font-weight: bold;"
        else:
            text, style = "To confirm: fill in or confirm it is as shown.", "color: #7a4b00;"
        self.state_label.setText(text)
        self.state_label.setStyleSheet(style)
        self.confirm_button.setVisible(self._editable and not confirmed)
