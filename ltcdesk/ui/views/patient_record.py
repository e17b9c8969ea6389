"""One patient's record: header, tabs, and in-place editing saved in one transaction.

Edits accumulate as pending changes (demographics are compared with the version loaded;
added and ended conditions, new carers and a new consent are queued) and nothing is
written until Save, which sends them all in one ``save_record`` call checked against the
version the user opened. If someone else saved first, the user's edits stay on screen
and a banner offers their version or saving these edits on top of it.
"""

from __future__ import annotations

import logging
from datetime import datetime
from typing import TYPE_CHECKING

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QDialog,
    QFormLayout,
    QFrame,
    QHBoxLayout,
    QLabel,
    QPlainTextEdit,
    QScrollArea,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from ltcdesk.domain import nhs_number
from ltcdesk.domain.errors import DomainError, StaleRecordError, ValidationError
from ltcdesk.domain.permissions import Action, allowed
from ltcdesk.services.patients import PatientDetail, RecordEdits
from ltcdesk.services.timeline import MEETING_KINDS, TimelineEntry
from ltcdesk.ui.dialogs.add_to_caseload import AddToCaseloadDialog
from ltcdesk.ui.views.assessment_tab import AssessmentTab
from ltcdesk.ui.views.care_plan_tab import CarePlanTab
from ltcdesk.ui.views.conversations_tab import ConversationsTab
from ltcdesk.ui.views.record_actions import MeetingActionsPanel
from ltcdesk.ui.views.record_carers import CarersTab
from ltcdesk.ui.views.record_common import (
    DirtyWatch,
    Draft,
    FieldErrors,
    TabLinks,
    ask_discard,
    banner,
    button,
    named,
)
from ltcdesk.ui.views.record_conditions import ConditionsTab
from ltcdesk.ui.views.record_history import HistoryTab
from ltcdesk.ui.views.record_summary import SummaryTab
from ltcdesk.ui.views.record_timeline import TimelinePanel
from ltcdesk.ui.views.record_wording import FIELD_NAMES as FIELD_NAMES
from ltcdesk.ui.views.record_wording import differences, pending_parts
from ltcdesk.ui.views.reminders_events import HospitalEventsPanel
from ltcdesk.ui.widgets import (
    ErrorLabel,
    button_row,
    collect_errors,
    field_message,
    pad_form_labels,
)
from ltcdesk.ui.widgets.patient_header import PatientHeader

if TYPE_CHECKING:
    from ltcdesk.app import Services

log = logging.getLogger(__name__)


class PatientRecord(QWidget):
    """The record of the patient with NHS number ``nhs``; raises DomainError if not found.

    ``saved(nhs)`` follows anything written from here (a record save or adding to a
    caseload); ``titleChanged("Family, Given")`` follows every load, the first included
    (read ``title()`` for that one); ``unsavedChanged(bool)`` when pending edits appear
    or go.
    """

    saved = Signal(str)
    titleChanged = Signal(str)
    unsavedChanged = Signal(bool)

    def __init__(self, services: Services, nhs: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("patientRecord")
        self.setAccessibleName("Patient record")
        self._services = services
        self._nhs = nhs_number.normalise(nhs)
        practices = services.setup.practices()
        me = services.username.strip().lower()
        staff = services.setup.staff()
        self._role = next((m.role for m in staff if m.username == me), "")
        self._draft = Draft()
        self._loading = False
        self._dirty_watch = DirtyWatch(self.unsavedChanged.emit)
        # After "Save mine anyway": the version the user chose to save over.
        self._save_over: int | None = None
        self.add_to_caseload_dialog: AddToCaseloadDialog | None = None
        self._errors = FieldErrors()

        self.header = PatientHeader()
        self._build_banners()
        self.tabs = QTabWidget()
        self.tabs.setObjectName("recordTabs")
        self.tabs.setAccessibleName("Record sections")
        self._summary = SummaryTab(self._errors, practices, self._on_edited)
        self.tabs.addTab(self._scrolled(self._summary), "&Summary")
        links = TabLinks(
            self._draft, self._errors, self._refresh_pending_views, self._show_field_error
        )
        self._conditions = ConditionsTab(
            links, self._summary.date_of_birth, allowed(self._role, Action.EDIT_CONDITIONS)
        )
        self.tabs.addTab(self._scrolled(self._conditions), "C&onditions")
        self._carers = CarersTab(links, self._on_edited)
        self.tabs.addTab(self._scrolled(self._carers), "Carers && co&ntacts")
        self._history = HistoryTab()
        self.tabs.addTab(self._history, "Caseload &history")
        self.care_plan = CarePlanTab(services, self._nhs, self._role, staff)
        self.care_plan.unsavedChanged.connect(self._on_tab_unsaved_changed)
        self.care_plan.planChanged.connect(lambda: self.saved.emit(self._nhs))
        self.tabs.addTab(self.care_plan, "Care &plan")
        self.assessment = AssessmentTab(services, self._nhs, self._role)
        self.assessment.unsavedChanged.connect(self._on_tab_unsaved_changed)
        self.assessment.assessmentChanged.connect(lambda: self.saved.emit(self._nhs))
        self.tabs.insertTab(self.tabs.indexOf(self.care_plan), self.assessment, "&Assessment")
        self.conversations = ConversationsTab(services, self._nhs, self._role)
        self.conversations.conversationRecorded.connect(lambda: self.saved.emit(self._nhs))
        self.tabs.addTab(self.conversations, "Con&versations")
        self.tabs.addTab(self._events_tab(services), "&Events")
        self._expose_tab_widgets()
        self._build_actions()

        layout = QVBoxLayout(self)
        layout.setContentsMargins(8, 8, 8, 8)
        layout.setSpacing(6)
        layout.addWidget(self.header)
        layout.addWidget(self.stale_banner)
        layout.addWidget(self.error_banner)
        layout.addWidget(self.tabs, 1)
        layout.addLayout(self._actions)

        save_key = QShortcut(QKeySequence.StandardKey.Save, self)
        save_key.setContext(Qt.ShortcutContext.WidgetWithChildrenShortcut)
        save_key.activated.connect(self._on_save_key_activated)
        escape_key = QShortcut(QKeySequence(Qt.Key.Key_Escape), self)
        escape_key.setContext(Qt.ShortcutContext.WidgetWithChildrenShortcut)
        escape_key.activated.connect(self.cancel_edits)

        for form in self.findChildren(QFormLayout):
            pad_form_labels(form)
        self._apply_permissions()
        self._load(services.patients.get(self._nhs))

    # ------------------------------------------------------------------ public API

    @property
    def nhs_number(self) -> str:
        return self._nhs

    @property
    def detail(self) -> PatientDetail:
        """The record as last loaded or saved (without pending edits)."""
        return self._draft.detail

    def title(self) -> str:
        base = self.detail
        return f"{base.family_name}, {base.given_name}"

    def has_unsaved_changes(self) -> bool:
        """Unsaved edits anywhere in the record, the care plan included."""
        return (
            self._record_dirty()
            or self.care_plan.has_unsaved_changes()
            or self.assessment.has_unsaved_changes()
        )

    def _record_dirty(self) -> bool:
        return self._draft.base is not None and self.pending_edits() != RecordEdits()

    def pending_edits(self) -> RecordEdits:
        draft = self._draft
        return RecordEdits(
            changes=self._summary.changes(self.detail),
            add_conditions=tuple(draft.add_conditions),
            end_conditions=tuple((c, None, why) for c, why in draft.end_conditions.items()),
            add_carers=tuple(draft.add_carers),
            consent=self._carers.pending_consent(),
        )

    def save(self) -> bool:
        """Save every pending edit of the record's details in one transaction; True when
        saved (or nothing to save). The care plan has its own Save plan."""
        if not self._record_dirty():
            return True
        self._clear_errors()
        problems = self._local_errors()
        if problems:
            for err in reversed(problems):  # the focus ends on the first
                self._show_field_error(err)
            return False
        return self._save(self._save_over or self.detail.version)

    def cancel_edits(self) -> bool:
        """Discard pending edits of the record's details (after asking) and reload; True if
        nothing is left pending there. The care plan's draft is left alone."""
        if self._record_dirty() and not ask_discard(self, "Discard your unsaved changes?"):
            return False
        if self._record_dirty() or self.stale_banner.isVisible():
            self.reload()
        return True

    def can_close(self) -> bool:
        """True when there is nothing unsaved (the care plan included) or the user agrees
        to discard it."""
        if not self.has_unsaved_changes():
            return True
        what = "your unsaved changes"
        if self.care_plan.has_unsaved_changes():
            what += " (including the care plan)"
        elif self.assessment.has_unsaved_changes():
            what += " (including the assessment)"
        return ask_discard(self, f"Discard {what}?")

    def reload(self) -> None:
        """Read the record again, discarding pending edits."""
        try:
            self._load(self._services.patients.get(self._nhs))
        except DomainError as err:
            self._show_banner_error(str(err))

    def refresh(self) -> None:
        """Something changed elsewhere: reload, or update only what shows if edits are pending."""
        self.care_plan.refresh()
        self.assessment.refresh()
        self.conversations.refresh()
        self.meeting_actions.refresh()
        self.hospital_events.refresh()
        self.timeline.refresh()
        if not self._record_dirty():
            self.reload()
            return
        try:
            fresh = self._services.patients.get(self._nhs)
        except DomainError as err:
            self._show_banner_error(str(err))
            return
        if fresh.version == self.detail.version:
            self._draft.base = fresh  # same version: the pending edits still compare correctly
        self.header.show_patient(fresh)
        self._history.show_history(fresh.history)
        self._update_caseload_button(fresh)

    # ------------------------------------------------------------------ building

    def _scrolled(self, page: QWidget) -> QScrollArea:
        area = QScrollArea()
        area.setWidgetResizable(True)
        area.setFrameShape(QFrame.Shape.NoFrame)
        area.setFocusPolicy(Qt.FocusPolicy.NoFocus)  # Tab goes to the fields; it still scrolls
        area.setWidget(page)
        return area

    def _events_tab(self, services: Services) -> QWidget:
        """Sub-tabs: hospital events with what is coming up, the person's timeline, and the
        whiteboard meeting actions; each part is read when first shown. Opening a timeline
        entry shows the tab with its detail."""
        page = QWidget()
        page.setObjectName("eventsTab")
        self.hospital_events = HospitalEventsPanel(services, self._nhs, self._role)
        self.hospital_events.changed.connect(lambda: self.saved.emit(self._nhs))
        self.timeline = TimelinePanel(services, self._nhs)
        self.meeting_actions = MeetingActionsPanel(services, self._nhs)
        self.meeting_actions.changed.connect(lambda: self.saved.emit(self._nhs))
        self.events_tabs = QTabWidget()
        self.events_tabs.setObjectName("eventsSubTabs")
        self.events_tabs.setAccessibleName("Events sections")
        self.events_tabs.setDocumentMode(True)
        for panel in (self.hospital_events, self.timeline, self.meeting_actions):
            panel.setContentsMargins(0, 6, 0, 0)  # clear of the tab bar (document mode)
        self.events_tabs.addTab(self.hospital_events, "Hospital && coming &up")
        self.events_tabs.addTab(self.timeline, "Time&line")
        self.events_tabs.addTab(self.meeting_actions, "Meeting a&ctions")

        def show_entry(entry: TimelineEntry) -> None:
            pages: dict[str, QWidget] = {
                "conversations": self.conversations,
                "assessment": self.assessment,
                "care_plan": self.care_plan,
                "history": self._history,
            }
            target = pages.get(entry.tab)
            if target is not None:
                self.tabs.setCurrentWidget(target)
                return
            self.tabs.setCurrentWidget(page)
            meeting = entry.kind in MEETING_KINDS
            self.events_tabs.setCurrentWidget(
                self.meeting_actions if meeting else self.hospital_events
            )
            if meeting:
                self.meeting_actions.show_all.setChecked(True)  # done ones too

        self.timeline.entryActivated.connect(show_entry)
        column = QVBoxLayout(page)
        column.setContentsMargins(6, 6, 6, 6)
        column.addWidget(self.events_tabs, 1)
        return page

    def _build_banners(self) -> None:
        self.stale_banner, self.stale_label, row = banner("staleBanner", "#fff4ce", "#c98a00")
        self.stale_banner.setAccessibleName("Someone else changed this record")
        self.stale_label.setAccessibleName("Conflicting change")
        self.reload_theirs_button = button(
            "reloadTheirVersionButton", "Reload their &version", "Reload their version"
        )
        self.reload_theirs_button.setToolTip("Discard your unsaved changes and show theirs")
        self.save_mine_button = button(
            "saveMineAnywayButton", "Save &mine anyway", "Save mine anyway"
        )
        self.save_mine_button.setToolTip("Save your changes on top of theirs")
        row.addWidget(self.reload_theirs_button)
        row.addWidget(self.save_mine_button)
        self.reload_theirs_button.clicked.connect(self.reload)
        self.save_mine_button.clicked.connect(self._on_save_mine_button_clicked)

        self.error_banner, self.error_label, row = banner("recordErrorBanner", "#fce8e6", "#b3261e")
        self.error_banner.setAccessibleName("Problem")
        self.error_label.setAccessibleName("Problem")
        dismiss = button("dismissErrorButton", "Dismiss", "Dismiss the message")
        dismiss.clicked.connect(self.error_banner.hide)
        row.addWidget(dismiss)

    def _expose_tab_widgets(self) -> None:
        """Keep the tabs' controls reachable as attributes of the record, as callers expect."""
        summary, conditions, carers = self._summary, self._conditions, self._carers
        self.family_name_edit = summary.family_name_edit
        self.given_name_edit = summary.given_name_edit
        self.dob_edit = summary.dob_edit
        self.sex_combo = summary.sex_combo
        self.address_edit = summary.address_edit
        self.postcode_edit = summary.postcode_edit
        self.phone_edit = summary.phone_edit
        self.practice_combo = summary.practice_combo
        self.contact_combo = summary.contact_combo
        self.lives_alone_check = summary.lives_alone_check
        self.interpreter_check = summary.interpreter_check
        self.language_edit = summary.language_edit
        self.summary_conditions = summary.summary_conditions
        self.summary_consent = summary.summary_consent
        self.last_changed_label = summary.last_changed_label
        self.conditions_table = conditions.conditions_table
        self.condition_combo = conditions.condition_combo
        self.diagnosis_date_edit = conditions.diagnosis_date_edit
        self.add_condition_button = conditions.add_condition_button
        self.selected_condition_label = conditions.selected_condition_label
        self.end_reason_edit = conditions.end_reason_edit
        self.end_condition_button = conditions.end_condition_button
        self.undo_condition_button = conditions.undo_condition_button
        self.carers_table = carers.carers_table
        self.carer_name_edit = carers.carer_name_edit
        self.carer_relationship_edit = carers.carer_relationship_edit
        self.carer_phone_edit = carers.carer_phone_edit
        self.carer_lives_with_check = carers.carer_lives_with_check
        self.carer_support_check = carers.carer_support_check
        self.add_carer_button = carers.add_carer_button
        self.remove_carer_button = carers.remove_carer_button
        self.consent_current_label = carers.consent_current_label
        self.consent_combo = carers.consent_combo
        self.consent_note_edit = carers.consent_note_edit
        self.history_table = self._history.history_table
        self.history_empty = self._history.history_empty

    def _build_actions(self) -> None:
        self.add_to_caseload_button = button(
            "addToCaseloadButton", "Add &to caseload…", "Add to caseload"
        )
        self.add_to_caseload_button.clicked.connect(self._on_add_to_caseload_button_clicked)
        self.pending_label = QLabel()
        named(self.pending_label, "pendingChangesLabel", "Unsaved changes")
        self.pending_label.setWordWrap(True)
        self.cancel_button = button("cancelEditsButton", "Cancel changes", "Cancel changes")
        self.cancel_button.setToolTip("Discard your unsaved changes (Esc)")
        self.save_button = button("saveRecordButton", "Save", "Save record")
        self.save_button.setToolTip("Save all your changes (Ctrl+S)")
        self.save_button.setDefault(True)
        self.cancel_button.clicked.connect(self.cancel_edits)
        self.save_button.clicked.connect(self.save)
        self._actions = QHBoxLayout()
        self._actions.addWidget(self.add_to_caseload_button)
        self._actions.addSpacing(12)
        self._actions.addWidget(self.pending_label, 1)
        self._actions.addWidget(self.cancel_button)
        self._actions.addWidget(self.save_button)

    def _apply_permissions(self) -> None:
        self._can_manage_caseload = allowed(self._role, Action.MANAGE_CASELOAD)
        gates = (
            (Action.EDIT_DEMOGRAPHICS, "edit patient details", self._summary.editable()),
            (Action.EDIT_CONDITIONS, "edit long term conditions", self._conditions.editable()),
            (Action.EDIT_CARERS, "edit carers", self._carers.carer_controls()),
            (Action.RECORD_CONSENT, "record consent", self._carers.consent_controls()),
        )
        for action, what, widgets in gates:
            if allowed(self._role, action):
                continue
            for widget in widgets:
                widget.setEnabled(False)
                widget.setToolTip(f"Your role cannot {what}.")

    # ------------------------------------------------------------------ loading

    def _load(self, detail: PatientDetail) -> None:
        self._loading = True
        try:
            self._draft.base = detail
            self._save_over = None
            self._draft.discard()
            self.header.show_patient(detail)
            self._summary.load(detail, allowed(self._role, Action.EDIT_DEMOGRAPHICS))
            self._carers.load_consent()
            self._conditions.clear_forms()
            self._carers.clear_carer_form()
            self._history.show_history(detail.history)
            self._update_caseload_button(detail)
            self._clear_errors()
            self.stale_banner.hide()
            self.error_banner.hide()
            self._summary.show_last_changed(detail)
        finally:
            self._loading = False
        self._refresh_pending_views()
        self.titleChanged.emit(self.title())

    def _update_caseload_button(self, detail: PatientDetail) -> None:
        add = self.add_to_caseload_button
        if detail.date_of_death is not None:
            add.setEnabled(False)
            add.setToolTip(f"Died on {detail.date_of_death:%d/%m/%Y}; caseloads cannot change.")
        elif detail.assignment is not None:
            add.setEnabled(False)
            add.setToolTip(f"Already on {detail.assignment.key_worker_name}'s caseload.")
        elif not self._can_manage_caseload:
            add.setEnabled(False)
            add.setToolTip("Your role cannot change caseloads.")
        else:
            add.setEnabled(True)
            add.setToolTip("Accept this patient onto a key worker's caseload")

    # ------------------------------------------------------------------ pending edits

    def _on_edited(self, *_args: object) -> None:
        if not self._loading:
            self._refresh_pending_views()

    def _refresh_pending_views(self) -> None:
        if self._draft.base is None:
            return
        self._conditions.show_conditions()
        self._summary.show_conditions(
            self._draft.current_codes(), {c for c, _ in self._draft.add_conditions}
        )
        self._carers.show_carers()
        consent = self._carers.consent_text()
        self.summary_consent.setText(consent)
        self.consent_current_label.setText(consent)
        edits = self.pending_edits()
        dirty = edits != RecordEdits()
        if dirty:
            self.pending_label.setText("Unsaved changes: " + ", ".join(pending_parts(edits)) + ".")
            self.pending_label.setStyleSheet("color: #7a4b00; font-weight: bold;")
        else:
            self.pending_label.setText("No unsaved changes.")
            self.pending_label.setStyleSheet("color: #5f6368;")
        self.save_button.setEnabled(dirty)
        self.cancel_button.setEnabled(dirty)
        self._emit_unsaved()

    def _emit_unsaved(self) -> None:
        self._dirty_watch.update(self.has_unsaved_changes())

    def _on_tab_unsaved_changed(self, _dirty: bool) -> None:
        self._emit_unsaved()

    def _on_save_key_activated(self) -> None:
        """Ctrl+S saves what the user is looking at: the care plan or assessment on its tab."""
        if self.tabs.currentWidget() is self.care_plan:
            self.care_plan.save()
        elif self.tabs.currentWidget() is self.assessment:
            self.assessment.save()
        else:
            self.save()

    # ------------------------------------------------------------------ saving

    def _local_errors(self) -> list[ValidationError]:
        """Problems in the changed fields, all at once (the service reports only the first)."""
        checks = [*self._summary.checks(self.detail), *self._carers.consent_checks()]
        return collect_errors(checks)

    def _save(self, expected_version: int) -> bool:
        edits = self.pending_edits()
        try:
            detail = self._services.patients.save_record(
                self._nhs, edits, expected_version=expected_version
            )
        except StaleRecordError as err:
            self._show_stale(err)
            return False
        except ValidationError as err:
            self._show_field_error(err)
            return False
        except DomainError as err:
            self._show_banner_error(f"Nothing was saved. {err}")
            return False
        self._load(detail)
        self.pending_label.setText(f"Saved at {datetime.now():%H:%M}.")
        self.saved.emit(self._nhs)
        return True

    def _show_stale(self, err: StaleRecordError) -> None:
        text = str(err)
        try:
            theirs = self._services.patients.get(self._nhs)
        except DomainError:
            theirs = None
        if theirs is not None:
            changed = differences(self.detail, theirs)
            if changed:
                text += " They changed: " + ", ".join(changed) + "."
        text += " Your changes are still on screen and have not been saved."
        self.stale_label.setText(text)
        self.stale_banner.show()
        self.save_mine_button.setFocus()

    def _on_save_mine_button_clicked(self) -> None:
        try:
            current = self._services.patients.get(self._nhs)
        except DomainError as err:
            self._show_banner_error(str(err))
            return
        self.stale_banner.hide()
        # Only the user's own edits are sent (compared with the version they opened), so
        # whatever else the other user changed is kept.
        self._save_over = current.version
        self.save()

    def _show_banner_error(self, message: str) -> None:
        self.error_label.setText(message)
        self.error_banner.show()

    def _show_field_error(self, err: ValidationError) -> None:
        label = self._errors.labels.get(err.field)
        target = self._errors.targets.get(err.field)
        if label is None or target is None:
            self._show_banner_error(f"Nothing was saved. {err}")
            return
        label.show_error(field_message(err))
        target.setAccessibleDescription(label.text())
        for index in range(self.tabs.count()):
            page = self.tabs.widget(index)
            if page is not None and page.isAncestorOf(target):
                self.tabs.setCurrentIndex(index)
                break
        target.setFocus()

    def _clear_errors(self) -> None:
        self._errors.clear_all()
        self.error_banner.hide()

    # ------------------------------------------------------------------ caseload

    def _on_add_to_caseload_button_clicked(self) -> None:
        dialog = AddToCaseloadDialog(
            self._services, self._nhs, self, patient_name=self.detail.display_name
        )
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.accepted.connect(self._on_add_to_caseload_dialog_accepted)
        self.add_to_caseload_dialog = dialog
        dialog.open()

    def _on_add_to_caseload_dialog_accepted(self) -> None:
        self.refresh()
        self.saved.emit(self._nhs)  # the caseload lists need to know, as after a save


class BreakGlassDialog(QDialog):
    """Offered when a record is refused because the person's team does not care for the
    patient: the refusal, a reason to type, and "Break the glass", which asks the service
    for time-limited access (audited with the reason). Accepted once access is granted;
    the caller then opens the record."""

    def __init__(
        self, services: Services, nhs: str, refusal: str, parent: QWidget | None = None
    ) -> None:
        super().__init__(parent)
        named(self, "breakGlassDialog", "Break the glass")
        self.setWindowTitle("Not cared for by your team")
        self.setMinimumWidth(480)
        self._services = services
        self._nhs = nhs
        intro = QLabel(refusal)
        named(intro, "breakGlassIntro", "Why the record is closed")
        intro.setWordWrap(True)
        self.reason_edit = QPlainTextEdit()
        named(self.reason_edit, "breakGlassReason", "Reason for breaking the glass")
        self.reason_edit.setPlaceholderText(
            "e.g. Covering the out-of-hours visit; the patient's own team is closed"
        )
        self.reason_edit.setTabChangesFocus(True)
        self.reason_edit.setFixedHeight(self.reason_edit.fontMetrics().lineSpacing() * 4)
        self.error = ErrorLabel("breakGlassError", "Break the glass error")
        self.ok_button, self.cancel_button, buttons = button_row(
            "&Break the glass", "breakGlassButton", "Break the glass",
            "breakGlassCancelButton", "Cancel",
        )  # fmt: skip
        form = QFormLayout()
        form.addRow("&Reason", self.reason_edit)
        form.addRow("", self.error)
        pad_form_labels(form)
        layout = QVBoxLayout(self)
        layout.addWidget(intro)
        layout.addLayout(form)
        layout.addLayout(buttons)
        self.ok_button.clicked.connect(self._on_ok_button_clicked)
        self.cancel_button.clicked.connect(self.reject)
        self.reason_edit.setFocus()

    def _on_ok_button_clicked(self) -> None:
        try:
            self._services.patients.break_glass(self._nhs, self.reason_edit.toPlainText())
        except ValidationError as err:
            self.error.show_error(field_message(err))
            self.reason_edit.setFocus()
            return
        except DomainError as err:
            self.error.show_error(str(err))
            return
        self.accept()
