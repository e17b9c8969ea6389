"""The banner at the top of a patient record: who this is, whose caseload, and alerts.

Alerts are worded chips ("Lives alone", "Deceased 03/10/2026"): colour only reinforces
the words, so they read the same in greyscale print-outs and to a screen reader.
"""

from __future__ import annotations

import html
from typing import TYPE_CHECKING

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QFrame, QHBoxLayout, QLabel, QSizePolicy, QVBoxLayout, QWidget

from ltcdesk.domain.nhs_number import format_nhs
from ltcdesk.domain.vocab import LEVEL_LABELS, ConsentStatus, Sex

if TYPE_CHECKING:
    from ltcdesk.services.patients import PatientDetail

# (background, text, border) per kind of alert.
_CHIP_COLOURS = {
    "info": ("#e8f0fe", "#174ea6", "#aecbfa"),
    "warning": ("#fef7e0", "#7a4b00", "#f9d479"),
    "danger": ("#202124", "#ffffff", "#202124"),
}

_STYLE = """
QFrame#patientHeader {
    background: #f6f8fa;
    border: 1px solid #d0d7de;
    border-radius: 6px;
}
QFrame#patientHeader QLabel { background: transparent; }
QLabel#headerName { font-size: 16pt; font-weight: bold; }
QLabel#headerNhsNumber { font-weight: bold; }
"""


def _chip(object_name: str, kind: str) -> QLabel:
    label = QLabel()
    label.setObjectName(object_name)
    bg, fg, border = _CHIP_COLOURS[kind]
    weight = "bold" if kind == "danger" else "normal"
    label.setStyleSheet(
        f"QLabel#{object_name} {{ background: {bg}; color: {fg}; border: 1px solid {border};"
        f" border-radius: 9px; padding: 2px 8px; font-weight: {weight}; }}"
    )
    label.setSizePolicy(QSizePolicy.Policy.Maximum, QSizePolicy.Policy.Fixed)
    label.hide()
    return label


def _label(object_name: str, accessible: str) -> QLabel:
    label = QLabel()
    label.setObjectName(object_name)
    label.setAccessibleName(accessible)
    label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
    return label


class PatientHeader(QFrame):
    """Name, NHS number, date of birth and age, key worker and level, practice, alerts."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("patientHeader")
        self.setAccessibleName("Patient summary")
        self.setFrameShape(QFrame.Shape.StyledPanel)
        self.setStyleSheet(_STYLE)

        self.name_label = _label("headerName", "Patient name")
        self.deceased_chip = _chip("alertDeceased", "danger")
        self.deceased_chip.setAccessibleName("Deceased")
        self.nhs_label = _label("headerNhsNumber", "NHS number")
        self.dob_label = _label("headerDateOfBirth", "Date of birth and age")
        self.sex_label = _label("headerSex", "Sex")
        self.practice_label = _label("headerPractice", "Practice")
        self.caseload_label = _label("headerCaseload", "Key worker and level")

        self.lives_alone_chip = _chip("alertLivesAlone", "warning")
        self.carer_chip = _chip("alertHasCarer", "info")
        self.consent_chip = _chip("alertConsent", "warning")
        self.interpreter_chip = _chip("alertInterpreter", "info")
        self.alert_chips = (
            self.deceased_chip,
            self.lives_alone_chip,
            self.carer_chip,
            self.consent_chip,
            self.interpreter_chip,
        )
        for chip in self.alert_chips[1:]:
            chip.setAccessibleName("Alert")

        top = QHBoxLayout()
        top.setSpacing(12)
        top.addWidget(self.name_label)
        top.addWidget(self.deceased_chip)
        top.addStretch(1)
        top.addWidget(self.nhs_label)

        details = QHBoxLayout()
        details.setSpacing(24)
        for widget in (self.dob_label, self.sex_label, self.practice_label):
            details.addWidget(widget)
        details.addStretch(1)

        bottom = QHBoxLayout()
        bottom.setSpacing(8)
        bottom.addWidget(self.caseload_label)
        bottom.addSpacing(16)
        for chip in self.alert_chips[1:]:
            bottom.addWidget(chip)
        bottom.addStretch(1)

        layout = QVBoxLayout(self)
        layout.setContentsMargins(12, 8, 12, 8)
        layout.setSpacing(4)
        layout.addLayout(top)
        layout.addLayout(details)
        layout.addLayout(bottom)

    def show_patient(self, detail: PatientDetail) -> None:
        self.name_label.setText(f"{detail.family_name.upper()}, {detail.given_name}")
        self.nhs_label.setText(f"NHS number {format_nhs(detail.nhs_number)}")
        age = f"died aged {detail.age}" if detail.date_of_death else f"age {detail.age}"
        self.dob_label.setText(f"Born {detail.date_of_birth:%d/%m/%Y} ({age})")
        try:
            self.sex_label.setText(Sex(detail.sex).label)
        except ValueError:
            self.sex_label.setText(detail.sex)
        self.practice_label.setText(f"{detail.practice_name} ({detail.practice_code})")

        current = detail.assignment
        if current is None:
            self.caseload_label.setText("Not on a caseload")
        else:
            level = LEVEL_LABELS.get(current.level, f"Level {current.level}")
            self.caseload_label.setText(
                f"Key worker: <b>{html.escape(current.key_worker_name)}</b> · {level} · "
                f"since {current.start_date:%d/%m/%Y}"
            )

        self._set_chip(
            self.deceased_chip,
            f"Deceased {detail.date_of_death:%d/%m/%Y}" if detail.date_of_death else None,
        )
        self._set_chip(self.lives_alone_chip, "Lives alone" if detail.lives_alone else None)
        self._set_chip(self.carer_chip, "Has a carer" if detail.carers else None)
        self._set_chip(self.consent_chip, _consent_alert(detail))
        interpreter = None
        if detail.interpreter_needed:
            interpreter = f"Interpreter: {detail.language}" if detail.language else "Interpreter"
        self._set_chip(self.interpreter_chip, interpreter)

    def alerts(self) -> list[str]:
        """The alert texts currently shown (for tests and screen readers)."""
        return [chip.text() for chip in self.alert_chips if not chip.isHidden()]

    @staticmethod
    def _set_chip(chip: QLabel, text: str | None) -> None:
        chip.setText(text or "")
        chip.setAccessibleDescription(text or "")
        chip.setVisible(bool(text))


def _consent_alert(detail: PatientDetail) -> str | None:
    if detail.consent is None:
        return "Consent not recorded"
    if detail.consent.status == ConsentStatus.DECLINED:
        return "Consent declined"
    if detail.consent.status == ConsentStatus.NOT_ASKED:
        return "Consent not asked"
    return None
