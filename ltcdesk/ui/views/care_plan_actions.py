"""What the care plan tab does to the plan besides saving it: start, agree, start a
review, record a goal's follow-up, close, compare versions and print; and showing the
service's validation errors beside their fields. A mixin of ``CarePlanTab``, kept apart so
each module stays readable."""

from __future__ import annotations

import re
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QMessageBox, QTabWidget, QWidget

from ltcdesk.domain.errors import DomainError, ValidationError
from ltcdesk.ui.dialogs.care_plan_dialogs import (
    AgreeDialog,
    ClosePlanDialog,
    CompareDialog,
    FollowUpDialog,
)
from ltcdesk.ui.dialogs.care_plan_print import PrintPlanDialog
from ltcdesk.ui.views.care_plan_wording import version_label
from ltcdesk.ui.widgets import field_message

if TYPE_CHECKING:
    from ltcdesk.app import Services
    from ltcdesk.services.careplan_views import CarePlanView
    from ltcdesk.ui.views.care_plan_goals import GoalsPanel
    from ltcdesk.ui.views.care_plan_sections import (
        AboutMeSection,
        ContingencySection,
        ContributionsSection,
        KeepingWellSection,
    )
    from ltcdesk.ui.views.goal_editor import GoalEditor

_GOAL_FIELD = re.compile(r"^goal (\d+)(?: (.+))?$")


class PlanActions(QWidget):
    """The tab's plan actions; ``CarePlanTab`` supplies the state and widgets below."""

    if TYPE_CHECKING:
        _services: Services
        _nhs: str
        _me: str
        _current: CarePlanView | None
        _plan: CarePlanView | None
        _goal_rows: list[int]
        goals: GoalsPanel
        goal_editor: GoalEditor
        sections: QTabWidget
        about: AboutMeSection
        contributions: ContributionsSection
        contingency: ContingencySection
        keeping: KeepingWellSection
        agree_dialog: AgreeDialog | None
        compare_dialog: CompareDialog | None
        print_dialog: PrintPlanDialog | None
        follow_up_dialog: FollowUpDialog | None
        close_dialog: ClosePlanDialog | None

        def save(self) -> bool: ...
        def has_unsaved_changes(self) -> bool: ...
        def _may_discard(self) -> bool: ...
        def _written(self, plan: CarePlanView, message: str) -> None: ...
        def _show_banner(self, message: str) -> None: ...

    def _start(self) -> None:
        try:
            plan = self._services.careplans.start(self._nhs)
        except DomainError as err:
            self._show_banner(str(err))
            return
        self._written(plan, "Draft started.")
        self.sections.setCurrentIndex(0)
        self.goal_editor.description_edit.setFocus()

    def _on_start_button_clicked(self) -> None:
        self._start()

    def _on_agree(self) -> None:
        if self.has_unsaved_changes() and not self.save():
            return
        assert self._current is not None
        dialog = AgreeDialog(self._current.patient_name, self._me, self._current.version, self)
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.accepted.connect(lambda: self._agree(dialog.agreed_with()))
        self.agree_dialog = dialog
        dialog.open()

    def _agree(self, agreed_with: str) -> None:
        assert self._current is not None
        try:
            plan = self._services.careplans.agree(
                self._nhs, agreed_with, expected_lock_version=self._current.lock_version
            )
        except ValidationError as err:
            self._show_error(err, "The plan was not agreed.")
            return
        except DomainError as err:
            self._show_banner(f"The plan was not agreed. {err}")
            return
        self._written(plan, "Agreed.")

    def _on_start_review(self) -> None:
        if not self._may_discard():
            return
        try:
            plan = self._services.careplans.start_review(self._nhs)
        except DomainError as err:
            self._show_banner(str(err))
            return
        self._written(plan, f"Review started: version {plan.version} is a draft.")

    def _on_follow_up(self) -> None:
        if self.has_unsaved_changes() and not self.save():
            return
        goal = self.goals.current_saved_goal()
        if goal is None:
            return
        services, nhs = self._services, self._nhs

        def submit(v: dict[str, Any]) -> None:
            plan = services.careplans.record_follow_up(
                nhs,
                goal.id,
                v["importance"],
                v["confidence"],
                v["status"],
                comment=v["comment"],
                on=v["on"],
                next_follow_up=v["next_follow_up"],
            )
            self._written(plan, f"Follow-up of goal {goal.position} recorded.")

        dialog = FollowUpDialog(goal, submit, self)
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        self.follow_up_dialog = dialog
        dialog.open()

    def _on_close_plan(self) -> None:
        if not self._may_discard():
            return

        def submit(reason: str) -> None:
            self._written(self._services.careplans.close(self._nhs, reason), "Plan closed.")

        dialog = ClosePlanDialog(submit, self)
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        self.close_dialog = dialog
        dialog.open()

    def _on_compare(self) -> None:
        assert self._current is not None
        assert self._plan is not None
        versions = [
            (h.version, version_label(h))
            for h in sorted(self._current.history, key=lambda h: -h.version)
        ]
        dialog = CompareDialog(
            versions,
            lambda a, b: self._services.careplans.compare(self._nhs, a, b),
            self,
            shown=self._plan.version,
        )
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        self.compare_dialog = dialog
        dialog.open()

    def _on_print(self) -> None:
        assert self._plan is not None
        if self.has_unsaved_changes():
            QMessageBox.information(
                self,
                "Unsaved changes",
                "The printout shows the plan as last saved. Save your changes first to "
                "include them.",
            )
        dialog = PrintPlanDialog(self._plan, self._me, self)
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        self.print_dialog = dialog
        dialog.open()

    def _show_error(self, err: ValidationError, prefix: str = "Nothing was saved.") -> None:
        """Beside the field it names, on the section that holds it."""
        message = field_message(err)
        goal = _GOAL_FIELD.match(err.field)
        if err.field == "goals":
            self.goals.show_error(message)
            return
        if goal is not None:
            n, part = int(goal.group(1)), goal.group(2) or ""
            rows = self._goal_rows
            row = rows[n - 1] if 0 < n <= len(rows) else n - 1
            self.sections.setCurrentIndex(0)
            self.goals.show_goal_error(row, part, message)
            return
        for index, section in enumerate(
            (self.about, self.contributions, self.contingency, self.keeping), 1
        ):
            target = section.show_error(err.field, message)
            if target is not None:
                self.sections.setCurrentIndex(index)
                target.setFocus()
                return
        self._show_banner(f"{prefix} {err}")
