"""What the Assessment tab does beyond the assessment itself: a need turned into a care
plan goal or team action, consent to share confirmed or updated, the summary printed.

A mixin of ``AssessmentTab``, which provides the state and the helpers declared here.
"""

from __future__ import annotations

from datetime import date, datetime
from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QFileDialog

from ltcdesk.domain.errors import DomainError
from ltcdesk.domain.vocab import Role
from ltcdesk.services.assessments import AssessmentView
from ltcdesk.services.patient_views import PatientDetail
from ltcdesk.ui import tasks
from ltcdesk.ui.dialogs.pdf_output import safe_file_name
from ltcdesk.ui.views.assessment_dialogs import ConsentDialog, TeamActionDialog
from ltcdesk.ui.views.assessment_layout import AssessmentLayout

if TYPE_CHECKING:
    from ltcdesk.app import Services
    from ltcdesk.services.setup import StaffView


class AssessmentActions(AssessmentLayout):
    _services: Services
    _nhs: str
    _role: str
    _can_consent: bool
    _view: AssessmentView | None
    _previous: AssessmentView | None
    _patient: PatientDetail | None
    _staff: list[StaffView] | None
    action_dialog: TeamActionDialog | None
    consent_dialog: ConsentDialog | None
    last_pdf: Path | None

    # provided by AssessmentTab
    def save(self) -> bool:
        raise NotImplementedError

    def has_unsaved_changes(self) -> bool:
        raise NotImplementedError

    def reload(self, assessment_id: int | None = None) -> None:
        raise NotImplementedError

    def _shown_id(self) -> int | None:
        raise NotImplementedError

    def _announce(self) -> None:
        raise NotImplementedError

    def _show_banner(self, message: str) -> None:
        raise NotImplementedError

    # ------------------------------------------------------------------ needs → care plan

    def _on_needs_make_goal(self, domain: str) -> None:
        if self._view is None or not self.save():
            return
        view = self._view
        try:
            self._services.assessments.need_to_goal(self._nhs, view.id, domain)
        except DomainError as err:
            self._show_banner(str(err))
            return
        self._after_link("Added to the care plan draft as a goal.")

    def _on_needs_make_action(self, domain: str) -> None:
        if self._view is None or not self.save():
            return
        view = self._view
        form = self.forms[domain]
        choices, default = self._who_choices()

        def make(who: str) -> object:
            return self._services.assessments.need_to_action(self._nhs, view.id, domain, who)

        dialog = TeamActionDialog(form.need_edit.text().strip(), choices, default, make, self)
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.accepted.connect(
            lambda: self._after_link("Added to the care plan draft as a team action.")
        )
        self.action_dialog = dialog
        dialog.open()

    def _after_link(self, message: str) -> None:
        self.reload(self._shown_id())
        self.saved_label.setText(message)
        self._announce()

    def _staff_list(self) -> list[StaffView]:
        if self._staff is None:
            try:
                self._staff = self._services.setup.staff()
            except DomainError:
                self._staff = []
        return self._staff

    def _who_choices(self) -> tuple[list[str], str]:
        """Roles in the team, then named staff; the key worker's role first."""
        staff = [m for m in self._staff_list() if m.active]

        def label(role: str) -> str:
            try:
                return Role(role).label
            except ValueError:
                return role

        key_role = ""
        assignment = self._patient.assignment if self._patient else None
        if assignment is not None:
            key_role = next(
                (label(m.role) for m in staff if m.username == assignment.key_worker_username),
                "",
            )
        roles = [label(m.role) for m in staff if m.role not in ("admin", "read_only")]
        ordered = list(dict.fromkeys([r for r in (key_role, label(self._role)) if r] + roles))
        people = [
            f"{m.display_name}, {label(m.role).lower()}"
            for m in staff
            if m.role not in ("admin", "read_only")
        ]
        return ordered + people, ordered[0] if ordered else ""

    def _me(self) -> str:
        me = self._services.username.strip().lower()
        return next(
            (m.display_name for m in self._staff_list() if m.username == me),
            self._services.username,
        )

    # ------------------------------------------------------------------ consent

    def _after_consent(self, message: str) -> None:
        try:
            self._patient = self._services.patients.get(self._nhs)
        except DomainError as err:
            self._show_banner(str(err))
            return
        self.consent.show_consent(self._patient.consent, self._can_consent)
        self.saved_label.setText(message)
        self._announce()

    def _on_confirm_consent_clicked(self) -> None:
        consent = self._patient.consent if self._patient else None
        if consent is None:
            return
        try:
            self._services.patients.record_consent(
                self._nhs, consent.status, date.today(), "Confirmed at assessment"
            )
        except DomainError as err:
            self._show_banner(f"Consent not recorded. {err}")
            return
        self._after_consent("Consent confirmed today.")

    def _on_update_consent_clicked(self) -> None:
        consent = self._patient.consent if self._patient else None

        def record(status: str, note: str | None) -> object:
            return self._services.patients.record_consent(self._nhs, status, date.today(), note)

        dialog = ConsentDialog(consent.status if consent else None, record, self)
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.accepted.connect(lambda: self._after_consent("Consent recorded today."))
        self.consent_dialog = dialog
        dialog.open()

    # ------------------------------------------------------------------ printing

    def _on_print_button_clicked(self) -> None:
        view = self._view
        if view is None:
            return
        if self.has_unsaved_changes() and not self.save():
            return
        view = self._view
        assert view is not None
        try:
            from ltcdesk.reports.assessment_summary import render_assessment_summary
        except ImportError:
            self._show_banner("Printing the assessment summary is not available yet.")
            return
        try:
            differences = (
                self._services.assessments.differences(self._nhs, view.id)
                if self._previous is not None
                else None
            )
        except DomainError as err:
            self._show_banner(str(err))
            return
        name = (
            safe_file_name(
                f"Assessment {view.patient_name} {view.assessed_on:%Y-%m-%d}", "assessment"
            )
            + ".pdf"
        )
        path, _filter = QFileDialog.getSaveFileName(
            self,
            "Save the assessment summary as PDF",
            str(Path.home() / name),
            "PDF files (*.pdf)",
        )
        if not path:
            return
        if not path.lower().endswith(".pdf"):
            path += ".pdf"
        target = Path(path)
        printed_by, dob = self._me(), self._patient.date_of_birth if self._patient else None

        def work() -> Path:
            from ltcdesk.fileio import write_atomically

            pdf = render_assessment_summary(
                view,
                printed_by=printed_by,
                printed_at=datetime.now(),
                differences=differences,
                date_of_birth=dob,
            )
            return write_atomically(target, pdf)

        self.print_button.setEnabled(False)
        self.saved_label.setText("Saving the summary…")
        tasks.run_task(work, self._on_printed, self._on_print_failed, parent=self)

    def _on_printed(self, path: Path) -> None:
        self.print_button.setEnabled(True)
        self.last_pdf = Path(path)
        self.saved_label.setText(f"Summary saved to {path}")

    def _on_print_failed(self, exc: BaseException) -> None:
        self.print_button.setEnabled(True)
        self.saved_label.clear()
        self._show_banner(f"The summary could not be written: {exc}")
