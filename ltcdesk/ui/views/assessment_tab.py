"""The patient record's Assessment tab (issue 6): the single holistic assessment, versioned
by date, face to face or by telephone.

Top: the versions, Start new assessment…, Save, Complete, Print summary…, and consent to
share. Left: the 18 domains, each marked to confirm / confirmed, changed since the last
assessment, need identified. Middle: the selected domain's form. Right: the summary of
needs (each one click from a care plan goal or team action) and the changes since last
time. A new assessment starts pre-filled from the previous one; the assessor confirms or
changes each domain before completing. Care navigators edit the non-clinical domains and
read the clinical ones. The tab loads on first showing, so opening a record does not read
(and audit) the assessment until someone looks at it.
"""

from __future__ import annotations

from datetime import date, datetime
from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QShowEvent
from PySide6.QtWidgets import QMessageBox, QWidget

from ltcdesk.domain.errors import DomainError, StaleRecordError, ValidationError
from ltcdesk.domain.permissions import Action, allowed, role_noun
from ltcdesk.services.assessments import AssessmentSummary, AssessmentView, Difference
from ltcdesk.services.patient_views import PatientDetail
from ltcdesk.ui.views.assessment_actions import AssessmentActions
from ltcdesk.ui.views.assessment_dialogs import (
    ConsentDialog,
    StartAssessmentDialog,
    TeamActionDialog,
)
from ltcdesk.ui.views.assessment_needs import NeedRow
from ltcdesk.ui.views.assessment_wording import heading, version_label
from ltcdesk.ui.views.record_common import DirtyWatch, ask_discard
from ltcdesk.ui.widgets import field_message

if TYPE_CHECKING:
    from ltcdesk.app import Services
    from ltcdesk.services.setup import StaffView

COMPLETE = "complete"
DRAFT = "draft"


class AssessmentTab(AssessmentActions):
    """``unsavedChanged(bool)``; ``assessmentChanged`` after any write (the care plan too)."""

    unsavedChanged = Signal(bool)
    assessmentChanged = Signal()

    def __init__(
        self, services: Services, nhs: str, role: str, parent: QWidget | None = None
    ) -> None:
        super().__init__(parent)
        self._services = services
        self._nhs = nhs
        self._role = role
        self._can_record = allowed(role, Action.EDIT_ASSESSMENT_SOCIAL)
        self._can_clinical = allowed(role, Action.EDIT_ASSESSMENT)
        self._can_plan = allowed(role, Action.EDIT_CARE_PLAN)
        self._can_consent = allowed(role, Action.RECORD_CONSENT)
        self._loaded = False
        self._history: list[AssessmentSummary] = []
        self._view: AssessmentView | None = None
        self._previous: AssessmentView | None = None
        self._patient: PatientDetail | None = None
        self._staff: list[StaffView] | None = None
        self._editable = False
        self._save_over: int | None = None
        self._announcing = False
        self._dirty_watch = DirtyWatch(self.unsavedChanged.emit)
        self.start_dialog: StartAssessmentDialog | None = None
        self.action_dialog: TeamActionDialog | None = None
        self.consent_dialog: ConsentDialog | None = None
        self.last_pdf: Path | None = None

        self._built = False  # the 18 domain forms are built when the tab is first shown

    # ------------------------------------------------------------------ public API

    def _ensure_built(self) -> None:
        if self._built:
            return
        self._built = True
        self.build()
        for form in self.forms.values():
            form.changed.connect(self._on_form_changed)
        self.domain_list.currentRowChanged.connect(self._on_domain_list_row_changed)
        self.version_combo.currentIndexChanged.connect(self._on_version_combo_index_changed)
        self.start_button.clicked.connect(self._on_start_button_clicked)
        self.save_button.clicked.connect(self.save)
        self.complete_button.clicked.connect(self._on_complete_button_clicked)
        self.print_button.clicked.connect(self._on_print_button_clicked)
        self.reload_theirs_button.clicked.connect(lambda: self.reload(self._shown_id()))
        self.save_mine_button.clicked.connect(self._on_save_mine_button_clicked)
        self.needs.makeGoal.connect(self._on_needs_make_goal)
        self.needs.makeAction.connect(self._on_needs_make_action)
        self.consent.confirm_button.clicked.connect(self._on_confirm_consent_clicked)
        self.consent.update_button.clicked.connect(self._on_update_consent_clicked)
        if not self._can_record:
            self._gate(self.start_button, False, "Your role cannot record assessments.")
        if self.isVisible():  # built while being shown: show what was not hidden on purpose
            for child in self.findChildren(
                QWidget, options=Qt.FindChildOption.FindDirectChildrenOnly
            ):
                explicit = child.testAttribute(Qt.WidgetAttribute.WA_WState_ExplicitShowHide)
                if not (explicit and child.isHidden()):
                    child.show()

    @property
    def assessment(self) -> AssessmentView | None:
        """The assessment on screen, as loaded or saved."""
        return self._view

    def ensure_loaded(self) -> None:
        if not self._loaded:
            self.reload()

    def showEvent(self, event: QShowEvent) -> None:
        self._ensure_built()
        super().showEvent(event)
        self.ensure_loaded()

    def has_unsaved_changes(self) -> bool:
        return self._editable and any(f.is_dirty() for f in self.forms.values())

    def refresh(self) -> None:
        """Something changed elsewhere: reload unless edits are pending."""
        if self._loaded and not self._announcing and not self.has_unsaved_changes():
            self.reload(self._shown_id())

    def reload(self, assessment_id: int | None = None) -> None:
        """Read the assessments again (the newest, or ``assessment_id``), discarding edits."""
        self._ensure_built()
        svc = self._services.assessments
        try:
            self._patient = self._services.patients.get(self._nhs)
            history = svc.history(self._nhs)
            ids = [h.id for h in history]
            wanted = assessment_id if assessment_id in ids else (ids[0] if ids else None)
            view = svc.get(self._nhs, wanted) if wanted is not None else None
            previous = self._previous_of(history, view)
        except DomainError as err:
            self._show_banner(str(err))
            return
        self._loaded = True
        self._history = history
        self._show(view, previous)

    def save(self) -> bool:
        """Save the domains edited or confirmed; True when saved (or nothing to save)."""
        if not self.has_unsaved_changes():
            return True
        assert self._view is not None
        self._clear_errors()
        edits = {key: form.edit() for key, form in self.forms.items() if form.is_dirty()}
        lock = self._save_over or self._view.lock_version
        try:
            view = self._services.assessments.save(self._nhs, self._view.id, edits, lock)
        except StaleRecordError as err:
            self.stale_label.setText(
                f"{err} Your changes are still on screen and have not been saved."
            )
            self.stale_banner.show()
            return False
        except ValidationError as err:
            self._show_field_error(err)
            return False
        except DomainError as err:
            self._show_banner(f"Nothing was saved. {err}")
            return False
        self._written(view, f"Saved at {datetime.now():%H:%M}.")
        return True

    # ------------------------------------------------------------------ loading

    def _shown_id(self) -> int | None:
        return self._view.id if self._view is not None else None

    def _previous_of(
        self, history: list[AssessmentSummary], view: AssessmentView | None
    ) -> AssessmentView | None:
        """The completed assessment before ``view``, as the service's ``differences`` sees it."""
        if view is None:
            return None
        here = (view.assessed_on, view.id)
        earlier = [
            h
            for h in history
            if h.status == COMPLETE and h.id != view.id and (h.assessed_on, h.id) < here
        ]
        if not earlier:
            return None
        last = max(earlier, key=lambda h: (h.assessed_on, h.id))
        return self._services.assessments.get(self._nhs, last.id)

    def _show(self, view: AssessmentView | None, previous: AssessmentView | None) -> None:
        self._view, self._previous = view, previous
        self._save_over = None
        self.stale_banner.hide()
        self.error_banner.hide()
        self.consent.show_consent(
            self._patient.consent if self._patient else None, self._can_consent
        )
        has_draft = any(h.status == DRAFT for h in self._history)
        if not self._can_record:
            pass
        elif has_draft:
            open_one = next(h for h in self._history if h.status == DRAFT)
            self._gate(
                self.start_button,
                False,
                f"The assessment of {open_one.assessed_on:%d/%m/%Y} is still a draft: "
                "complete it first.",
            )
        else:
            self._gate(self.start_button, True, "")
        if view is None:
            self._editable = False
            self.body.setCurrentIndex(0)
            self._set_version_bar_visible(False)
            self._emit_unsaved()
            return
        self.body.setCurrentIndex(1)
        self._set_version_bar_visible(True)
        self.version_combo.blockSignals(True)
        try:
            self.version_combo.clear()
            for summary in self._history:
                self.version_combo.addItem(version_label(summary), summary.id)
            self.version_combo.setCurrentIndex(self.version_combo.findData(view.id))
        finally:
            self.version_combo.blockSignals(False)
        draft = view.status == DRAFT
        self._editable = self._can_record and draft
        before = {d.key: d for d in previous.domains} if previous else {}
        for d in view.domains:
            editable, why = self._domain_editable(d.clinical, draft)
            self.forms[d.key].load(d, before.get(d.key), editable, why)
        self._update_all()

    def _domain_editable(self, clinical: bool, draft: bool) -> tuple[bool, str]:
        if not self._can_record:
            return False, "Read-only: your role cannot record assessments."
        if not draft:
            return False, "This assessment is complete. Start a new assessment to change it."
        if clinical and not self._can_clinical:
            who = role_noun(self._role)
            return False, (
                f"Clinical domain: {who} can read it but not change or confirm it; "
                "a clinician confirms it."
            )
        return True, ""

    # ------------------------------------------------------------------ state on screen

    def _update_all(self) -> None:
        view = self._view
        if view is None:
            return
        left = [f.spec.label for f in self.forms.values() if not f.is_confirmed()]
        status = "Draft" if view.status == DRAFT else "Complete"
        text = f"<b>{status}</b> · {heading(view)}"
        if view.status == DRAFT:
            text += (
                f" · {len(left)} of {len(self.forms)} domains to confirm"
                if left
                else (" · every domain confirmed")
            )
        if self._previous is not None:
            text += f" · compared with {self._previous.assessed_on:%d/%m/%Y}"
        self.status_label.setText(text)
        self._update_domain_list()
        self._update_needs()
        self._update_changes()
        dirty = self.has_unsaved_changes()
        self.save_button.setVisible(self._editable)
        self.save_button.setEnabled(dirty)
        self.complete_button.setVisible(self._editable)
        self._emit_unsaved()

    def _update_domain_list(self) -> None:
        for row, form in enumerate(self.forms.values()):
            self.show_domain_state(
                row,
                form,
                changed=form.has_previous() and bool(form.differences()),
                # Marked only where the role, not the assessment's state, is the reason.
                read_only=self._can_record and form.spec.clinical and not self._can_clinical,
            )

    def _update_needs(self) -> None:
        view = self._view
        if view is None:
            return
        saved = {n.domain: n for n in view.needs}
        rows = []
        for key, form in self.forms.items():
            _fields, _note, need, text = form.content()
            if need and text:
                link = saved.get(key)
                same = link is not None and link.text == text
                rows.append(
                    NeedRow(
                        key,
                        form.spec.label,
                        text,
                        link.goal_id if same and link else None,
                        link.action_id if same and link else None,
                    )
                )
        why = "" if self._can_plan else "Your role cannot edit care plans."
        self.needs.show_needs(rows, self._can_plan, why, self.has_unsaved_changes())

    def _update_changes(self) -> None:
        if self._previous is None:
            self.changes.show_changes(None, "")
            return
        found: list[Difference] = []
        for form in self.forms.values():
            found += form.differences()
        self.changes.show_changes(found, f"{self._previous.assessed_on:%d/%m/%Y}")

    def _on_form_changed(self) -> None:
        self.saved_label.clear()
        self._update_all()

    def _on_domain_list_row_changed(self, row: int) -> None:
        if row >= 0:
            self.form_stack.setCurrentIndex(row)
            self.form_scroll.verticalScrollBar().setValue(0)

    def _emit_unsaved(self) -> None:
        self._dirty_watch.update(self.has_unsaved_changes())

    def _may_discard(self) -> bool:
        return not self.has_unsaved_changes() or ask_discard(
            self, "Discard your unsaved changes to the assessment?"
        )

    # ------------------------------------------------------------------ writing

    def _written(self, view: AssessmentView, message: str) -> None:
        try:
            self._history = self._services.assessments.history(self._nhs)
        except DomainError as err:
            self._show_banner(str(err))
        self._show(view, self._previous)
        self.saved_label.setText(message)
        self._announce()

    def _announce(self) -> None:
        self._announcing = True
        try:
            self.assessmentChanged.emit()
        finally:
            self._announcing = False

    def _on_save_mine_button_clicked(self) -> None:
        assert self._view is not None
        try:
            theirs = self._services.assessments.get(self._nhs, self._view.id)
        except DomainError as err:
            self._show_banner(str(err))
            return
        if theirs.status != DRAFT:
            self._show_banner("This assessment has been completed: reload to see it.")
            return
        self.stale_banner.hide()
        # Only the domains this user changed are sent, so the other user's stay as saved.
        self._save_over = theirs.lock_version
        self.save()

    def _on_version_combo_index_changed(self, _index: int) -> None:
        wanted = self.version_combo.currentData()
        if wanted is None or self._view is None or wanted == self._view.id:
            return
        if not self._may_discard():
            self.version_combo.blockSignals(True)
            self.version_combo.setCurrentIndex(self.version_combo.findData(self._view.id))
            self.version_combo.blockSignals(False)
            return
        self.reload(wanted)

    def _on_start_button_clicked(self) -> None:
        if not self._may_discard():
            return
        last = next((h for h in self._history if h.status == COMPLETE), None)
        previous = (
            f"the assessment of {last.assessed_on:%d/%m/%Y} by {last.assessor}" if last else None
        )

        def start(mode: str, day: date) -> AssessmentView:
            return self._services.assessments.start(self._nhs, mode, day)

        dialog = StartAssessmentDialog(previous, start, self)
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.accepted.connect(self._on_started)
        self.start_dialog = dialog
        dialog.open()

    def _on_started(self) -> None:
        self.reload()
        self.domain_list.setCurrentRow(0)
        self.saved_label.setText("Started: confirm or change each domain.")
        self._announce()

    def _on_complete_button_clicked(self) -> None:
        view = self._view
        if view is None or not self.save():
            return
        left = [f for f in self.forms.values() if not f.is_confirmed()]
        if left:
            names = ", ".join(f.spec.label for f in left)
            clinical = [f for f in left if f.spec.clinical and not self._can_clinical]
            extra = " The clinical ones need a clinician to confirm them." if clinical else ""
            self._show_banner(
                f"Not completed: confirm or change each domain first. Still to confirm "
                f"({len(left)}): {names}.{extra}"
            )
            self.domain_list.setCurrentRow(list(self.forms.values()).index(left[0]))
            return
        answer = QMessageBox.question(
            self,
            "Complete the assessment",
            "Complete this assessment? It can no longer be changed; the next assessment "
            "starts from it.",
            QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.No,
            QMessageBox.StandardButton.No,
        )
        if answer != QMessageBox.StandardButton.Yes:
            return
        try:
            done = self._services.assessments.complete(self._nhs, view.id, view.lock_version)
        except StaleRecordError as err:
            self.stale_label.setText(str(err))
            self.stale_banner.show()
            return
        except DomainError as err:
            self._show_banner(f"Not completed. {err}")
            return
        self._written(done, f"Completed at {datetime.now():%H:%M}.")

    # ------------------------------------------------------------------ errors

    def _clear_errors(self) -> None:
        self.error_banner.hide()
        for form in self.forms.values():
            form.clear_errors()

    def _show_banner(self, message: str) -> None:
        self.error_label.setText(message)
        self.error_banner.show()

    def _show_field_error(self, err: ValidationError) -> None:
        message = field_message(err)
        named = err.field[:1].upper() + err.field[1:]
        where = "" if message.lower().startswith(err.field.lower()) else f"{named} — "
        self._show_banner(f"Nothing was saved. {where}{message}.")
        for row, form in enumerate(self.forms.values()):
            if err.field in form.errors:
                self.domain_list.setCurrentRow(row)
                form.show_error(err.field, message)
                break
