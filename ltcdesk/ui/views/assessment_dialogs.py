"""Small dialogs of the Assessment tab: start a new assessment (how and when), who does a
team action made from a need, and a new answer on consent to share. None of them knows the
services: each is handed a callable that writes and raises the service's errors, which are
shown in the dialog (it stays open so nothing typed is lost)."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import date

from PySide6.QtCore import QDate
from PySide6.QtWidgets import (
    QButtonGroup,
    QComboBox,
    QDateEdit,
    QDialog,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QRadioButton,
    QVBoxLayout,
    QWidget,
)

from ltcdesk.domain.errors import DomainError
from ltcdesk.domain.vocab import ConsentStatus
from ltcdesk.ui.views.record_common import named
from ltcdesk.ui.widgets import ErrorLabel, button_row, pad_form_labels, to_date


class _Dialog(QDialog):
    """Intro text, a form, an error line, OK and Cancel; OK calls ``_submit``."""

    def __init__(self, name: str, title: str, intro: str, ok: str, parent: QWidget | None):
        super().__init__(parent)
        named(self, f"{name}Dialog", title)
        self.setWindowTitle(title)
        self.setMinimumWidth(460)
        self.intro = QLabel(intro)
        self.intro.setObjectName(f"{name}Intro")
        self.intro.setWordWrap(True)
        self.form = QFormLayout()
        self.error = ErrorLabel(f"{name}Error", f"{title}: problem")
        self.ok_button, self.cancel_button, buttons = button_row(
            ok, f"{name}OkButton", ok.replace("&", ""), f"{name}CancelButton", "Cancel"
        )
        self.ok_button.clicked.connect(self._on_ok)
        self.cancel_button.clicked.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(self.intro)
        layout.addLayout(self.form)
        layout.addWidget(self.error)
        layout.addLayout(buttons)

    def _finish_form(self) -> None:
        pad_form_labels(self.form)

    def _submit(self) -> None:
        raise NotImplementedError

    def _on_ok(self) -> None:
        self.error.clear_error()
        try:
            self._submit()
        except DomainError as err:
            self.error.show_error(str(err))
            return
        self.accept()


class StartAssessmentDialog(_Dialog):
    """Face to face or telephone, and the date; ``start(mode, day)`` does it."""

    def __init__(
        self, previous: str | None, start: Callable[[str, date], object], parent: QWidget | None
    ) -> None:
        if previous:
            intro = (
                f"The new assessment starts pre-filled from {previous}. Go through each "
                "domain with the person: confirm it is unchanged or change it. The changes "
                "since last time are listed as you go."
            )
        else:
            intro = "This is the person's first assessment: every domain starts empty."
        super().__init__("startAssessment", "Start a new assessment", intro, "&Start", parent)
        self._start = start
        self.group = QButtonGroup(self)
        row = QHBoxLayout()
        self.face_radio = QRadioButton("&Face to face")
        named(self.face_radio, "modeFaceToFace", "Face to face")
        self.phone_radio = QRadioButton("&Telephone")
        named(self.phone_radio, "modeTelephone", "Telephone")
        for radio in (self.face_radio, self.phone_radio):
            self.group.addButton(radio)
            row.addWidget(radio)
        row.addStretch(1)
        self.face_radio.setChecked(True)
        self.date_edit = QDateEdit(QDate.currentDate())
        named(self.date_edit, "assessedOnEdit", "Date of the assessment")
        self.date_edit.setDisplayFormat("dd/MM/yyyy")
        self.date_edit.setCalendarPopup(True)
        self.date_edit.setMaximumDate(QDate.currentDate())
        self.form.addRow("How", row)
        self.form.addRow("&Date", self.date_edit)
        self._finish_form()

    def mode(self) -> str:
        return "telephone" if self.phone_radio.isChecked() else "face_to_face"

    def _submit(self) -> None:
        self._start(self.mode(), to_date(self.date_edit.date()))


class TeamActionDialog(_Dialog):
    """Who will act on a need; ``make(who)`` adds the team action."""

    def __init__(
        self,
        need: str,
        choices: Sequence[str],
        default: str,
        make: Callable[[str], object],
        parent: QWidget | None,
    ) -> None:
        super().__init__(
            "teamAction",
            "Make a team action",
            f"“{need}” goes into the care plan draft under “Who does what”. Who will do it?",
            "&Add to care plan",
            parent,
        )
        self._make = make
        self.who_combo = QComboBox()
        named(self.who_combo, "teamActionWho", "Who will do it")
        self.who_combo.setEditable(True)
        self.who_combo.addItems(list(choices))
        self.who_combo.setCurrentText(default)
        self.form.addRow("&Who", self.who_combo)
        self._finish_form()

    def _submit(self) -> None:
        who = self.who_combo.currentText().strip()
        if not who:
            raise DomainError("Say who will do it: a role, a named person or an agency.")
        self._make(who)


class ConsentDialog(_Dialog):
    """A new answer on consent to share; ``record(status, note)`` saves it today."""

    def __init__(
        self,
        current: str | None,
        record: Callable[[str, str | None], object],
        parent: QWidget | None,
    ) -> None:
        super().__init__(
            "consent",
            "Update consent to share",
            "Ask the person whether they agree to information being shared with the team. "
            "Their answer is recorded today.",
            "&Record answer",
            parent,
        )
        self._record = record
        self.status_combo = QComboBox()
        named(self.status_combo, "consentAnswerCombo", "Consent to share")
        for status in ConsentStatus:
            self.status_combo.addItem(status.label, status.value)
        index = self.status_combo.findData(current) if current else 0
        self.status_combo.setCurrentIndex(max(0, index))
        self.note_edit = QLineEdit("Updated at assessment")
        named(self.note_edit, "consentAnswerNote", "Note about consent")
        self.form.addRow("&Answer", self.status_combo)
        self.form.addRow("&Note", self.note_edit)
        self._finish_form()

    def _submit(self) -> None:
        self._record(self.status_combo.currentData(), self.note_edit.text().strip() or None)
