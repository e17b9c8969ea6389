"""The record's Carers & contacts tab: carers (new ones queued until Save) and consent."""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QFormLayout,
    QGroupBox,
    QLabel,
    QLineEdit,
    QWidget,
)

from ltcdesk.domain import validate
from ltcdesk.domain.vocab import ConsentStatus
from ltcdesk.services.patients import NewCarer, NewConsent
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
from ltcdesk.ui.widgets import collect_errors


class CarersTab(DraftTab):
    """Queues new carers; the consent answer is read from the form, which calls ``on_edited``."""

    def __init__(self, links: TabLinks, on_edited: Callable[..., None]) -> None:
        super().__init__(links)
        errors = links.errors
        self.carers_table = make_table(
            "carersTable",
            "Carers",
            ["Name", "Relationship", "Telephone", "Lives with patient", "Support offered", ""],
        )
        self.carers_table.setMinimumHeight(130)
        self.carers_table.itemSelectionChanged.connect(self._on_carers_selection)

        carer_box = QGroupBox("Add a carer")
        carer_box.setObjectName("addCarerGroup")
        self.carer_name_edit = QLineEdit()
        named(self.carer_name_edit, "carerNameEdit", "Carer's name")
        self.carer_relationship_edit = QLineEdit()
        named(self.carer_relationship_edit, "carerRelationshipEdit", "Relationship")
        self.carer_relationship_edit.setPlaceholderText("e.g. Daughter")
        self.carer_phone_edit = QLineEdit()
        named(self.carer_phone_edit, "carerPhoneEdit", "Carer's telephone")
        self.carer_lives_with_check = QCheckBox("Lives &with the patient")
        named(self.carer_lives_with_check, "carerLivesWithCheck", "Lives with the patient")
        self.carer_support_check = QCheckBox("Offered carer's su&pport (today)")
        named(self.carer_support_check, "carerOfferedSupportCheck", "Offered support")
        self.add_carer_button = button("addCarerButton", "Add ca&rer", "Add carer")
        self.remove_carer_button = button(
            "removeCarerButton", "Remove &unsaved carer", "Remove unsaved carer"
        )
        self.remove_carer_button.setEnabled(False)
        buttons = button_strip(self.add_carer_button, self.remove_carer_button)
        form = QFormLayout(carer_box)
        form.addRow("Name", errors.wrap("carer name", self.carer_name_edit, "carerNameError"))
        form.addRow(
            "Relationship",
            errors.wrap("relationship", self.carer_relationship_edit, "carerRelationshipError"),
        )
        form.addRow(
            "Telephone", errors.wrap("carer phone", self.carer_phone_edit, "carerPhoneError")
        )
        form.addRow("", self.carer_lives_with_check)
        form.addRow("", self.carer_support_check)
        form.addRow("", buttons)
        errors.check_as_typed(self.carer_phone_edit, "carer phone", validate.phone)
        self.carer_name_edit.textEdited.connect(
            lambda _t: errors.labels["carer name"].clear_error()
        )
        self.add_carer_button.clicked.connect(self._on_add_carer_button_clicked)
        self.remove_carer_button.clicked.connect(self._on_remove_carer_button_clicked)

        consent_box = QGroupBox("Consent to share information with the team")
        consent_box.setObjectName("consentGroup")
        self.consent_current_label = QLabel()
        named(self.consent_current_label, "consentCurrentLabel", "Consent recorded")
        self.consent_current_label.setWordWrap(True)
        self.consent_combo = QComboBox()
        named(self.consent_combo, "consentStatusCombo", "Consent status")
        for status in ConsentStatus:
            self.consent_combo.addItem(status.label, status.value)
        self.consent_combo.setPlaceholderText("Not recorded")
        self.consent_note_edit = QLineEdit()
        named(self.consent_note_edit, "consentNoteEdit", "Consent note")
        self.consent_note_edit.setPlaceholderText("Optional, e.g. agreed at home visit")
        form = QFormLayout(consent_box)
        form.addRow("Recorded", self.consent_current_label)
        form.addRow("St&atus", errors.wrap("consent", self.consent_combo, "consentError"))
        form.addRow(
            "Not&e", errors.wrap("consent note", self.consent_note_edit, "consentNoteError")
        )
        errors.alias("consent date", "consent")
        self.consent_combo.currentIndexChanged.connect(on_edited)
        self.consent_note_edit.textChanged.connect(on_edited)

        lay_out_table_and_forms(self, self.carers_table, carer_box, consent_box)

    def carer_controls(self) -> tuple[QWidget, ...]:
        """The controls a role without EDIT_CARERS may not use."""
        return (
            self.carer_name_edit,
            self.carer_relationship_edit,
            self.carer_phone_edit,
            self.carer_lives_with_check,
            self.carer_support_check,
            self.add_carer_button,
        )

    def consent_controls(self) -> tuple[QWidget, ...]:
        """The controls a role without RECORD_CONSENT may not use."""
        return (self.consent_combo, self.consent_note_edit)

    def load_consent(self) -> None:
        """Show the saved consent answer in the form, with no note."""
        consent = self._draft.detail.consent
        status = consent.status if consent else ""
        self.consent_combo.setCurrentIndex(self.consent_combo.findData(status))
        self.consent_note_edit.clear()

    def pending_consent(self) -> NewConsent | None:
        base = self._draft.detail
        status = self.consent_combo.currentData() or ""
        note = self.consent_note_edit.text().strip()
        if status == (base.consent.status if base.consent else "") and not note:
            return None
        return NewConsent(status=status, note=note or None)

    def consent_checks(self) -> list[Callable[[], object]]:
        """Validations of an unsaved consent answer, to run before saving."""
        consent = self.pending_consent()
        if consent is None:
            return []
        return [
            lambda: validate.choice(consent.status, ConsentStatus, "consent"),
            lambda: validate.text(consent.note, "consent note", max_len=2000, multiline=True),
        ]

    def consent_text(self) -> str:
        """The consent on record and any unsaved answer, in words."""
        consent = self._draft.detail.consent
        if consent is None:
            text = "Not recorded. Ask the person and record their answer."
        else:
            label = ConsentStatus(consent.status).label
            text = f"{label} on {consent.recorded_on:%d/%m/%Y}, recorded by {consent.recorded_by}."
            if consent.note:
                text += f"\n“{consent.note}”"
        pending = self.pending_consent()
        if pending is not None and pending.status:
            text += f"\nNew answer (not saved yet): {ConsentStatus(pending.status).label}."
        return text

    def show_carers(self) -> None:
        rows: list[Row] = []
        for c in self._draft.detail.carers:
            support = "No"
            if c.offered_support:
                support = f"Yes, {dmy(c.support_offered_on)}" if c.support_offered_on else "Yes"
            rows.append(
                (
                    [
                        c.name,
                        c.relationship or "",
                        c.phone or "",
                        "Yes" if c.lives_with_patient else "No",
                        support,
                        "",
                    ],
                    None,
                    str(c.id),
                )
            )
        for i, new in enumerate(self._draft.add_carers):
            rows.append(
                (
                    [
                        new.name,
                        new.relationship or "",
                        new.phone or "",
                        "Yes" if new.lives_with_patient else "No",
                        "Yes, today" if new.offered_support else "No",
                        "New (not saved yet)",
                    ],
                    "add",
                    str(i),
                )
            )
        fill_table(self.carers_table, rows)
        self._on_carers_selection()

    def _on_carers_selection(self) -> None:
        kind, _code = selected_row(self.carers_table)
        self.remove_carer_button.setEnabled(kind == "add")

    def clear_carer_form(self) -> None:
        self.carer_name_edit.clear()
        self.carer_relationship_edit.clear()
        self.carer_phone_edit.clear()
        self.carer_lives_with_check.setChecked(False)
        self.carer_support_check.setChecked(False)

    def _on_add_carer_button_clicked(self) -> None:
        for field in ("carer name", "relationship", "carer phone"):
            self._errors.labels[field].clear_error()
        problems = collect_errors(
            (
                lambda: validate.name(self.carer_name_edit.text(), "carer name"),
                lambda: validate.text(
                    self.carer_relationship_edit.text(), "relationship", max_len=50
                ),
                lambda: validate.phone(self.carer_phone_edit.text(), "carer phone"),
            )
        )
        if problems:
            for err in reversed(problems):
                self._show_error(err)
            return
        self._draft.add_carers.append(
            NewCarer(
                name=self.carer_name_edit.text().strip(),
                relationship=self.carer_relationship_edit.text().strip() or None,
                phone=self.carer_phone_edit.text().strip() or None,
                lives_with_patient=self.carer_lives_with_check.isChecked(),
                offered_support=self.carer_support_check.isChecked(),
            )
        )
        self.clear_carer_form()
        self._on_change()
        self.carer_name_edit.setFocus()

    def _on_remove_carer_button_clicked(self) -> None:
        kind, code = selected_row(self.carers_table)
        if kind == "add" and code is not None:
            del self._draft.add_carers[int(code)]
            self._on_change()
