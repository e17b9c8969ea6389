"""The patient record's Care plan tab: the versions of the person's plan, its goals and
sections, and the plan's life: start, save the draft, agree, start a review, compare
versions, print, close.

Only a draft is edited; an agreed plan is read-only until someone starts a review, and
older versions are shown read-only from the version selector. Everything on screen is
saved in one ``save_draft`` call checked against the version loaded; a stale save keeps
the user's edits and says who saved first. The tab loads on first showing, so opening a
record does not read (and audit) the plan until someone looks at it.
"""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QShowEvent
from PySide6.QtWidgets import (
    QComboBox,
    QFrame,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QScrollArea,
    QStackedWidget,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from ltcdesk.domain.errors import DomainError, StaleRecordError, ValidationError
from ltcdesk.domain.permissions import Action, allowed
from ltcdesk.services.careplan_views import CarePlanEdits, CarePlanView, PlanStatus
from ltcdesk.ui.dialogs.care_plan_dialogs import (
    AgreeDialog,
    ClosePlanDialog,
    CompareDialog,
    FollowUpDialog,
)
from ltcdesk.ui.dialogs.care_plan_print import PrintPlanDialog
from ltcdesk.ui.views.care_plan_actions import PlanActions
from ltcdesk.ui.views.care_plan_goals import GoalsPanel
from ltcdesk.ui.views.care_plan_sections import (
    AboutMeSection,
    ContingencySection,
    ContributionsSection,
    KeepingWellSection,
)
from ltcdesk.ui.views.care_plan_wording import status_text, version_label
from ltcdesk.ui.views.goal_editor import GoalEditor
from ltcdesk.ui.views.record_common import DirtyWatch, ask_discard, banner, button, named

if TYPE_CHECKING:
    from ltcdesk.app import Services
    from ltcdesk.services.setup import StaffView

_OPEN = (PlanStatus.DRAFT.value, PlanStatus.AGREED.value)
NO_PLAN_TEXT = (
    "<b>No care plan yet.</b><br>A personalised care and support plan records what matters "
    "to the person, their goals in their own words with how important each is and how "
    "confident they feel, who does what, and what to do if things get worse."
)


def _scrolled(page: QWidget) -> QScrollArea:
    area = QScrollArea()
    area.setWidgetResizable(True)
    area.setFrameShape(QFrame.Shape.NoFrame)
    area.setFocusPolicy(Qt.FocusPolicy.NoFocus)
    area.setWidget(page)
    return area


class CarePlanTab(PlanActions):
    """``unsavedChanged(bool)`` when edits appear or go; ``planChanged`` after any write."""

    unsavedChanged = Signal(bool)
    planChanged = Signal()

    def __init__(
        self,
        services: Services,
        nhs: str,
        role: str,
        staff: list[StaffView],
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        named(self, "carePlanTab", "Care plan")
        self._services = services
        self._nhs = nhs
        me = services.username.strip().lower()
        self._me = next((m.display_name for m in staff if m.username == me), services.username)
        self._can_edit = allowed(role, Action.EDIT_CARE_PLAN)
        self._can_agree = allowed(role, Action.AGREE_CARE_PLAN)
        self._loaded = False
        self._current: CarePlanView | None = None  # the latest version
        self._plan: CarePlanView | None = None  # the version on screen
        self._editable = False
        self._baseline: Any = None
        self._dirty_watch = DirtyWatch(self.unsavedChanged.emit)
        self._announcing = False  # planChanged going out: the refresh it causes is not needed
        self._save_over: int | None = None  # after "Save mine anyway"
        self._goal_rows: list[int] = []  # list row of each goal sent in the last save
        self.agree_dialog: AgreeDialog | None = None
        self.compare_dialog: CompareDialog | None = None
        self.print_dialog: PrintPlanDialog | None = None
        self.follow_up_dialog: FollowUpDialog | None = None
        self.close_dialog: ClosePlanDialog | None = None

        self.stack = QStackedWidget()
        self.stack.addWidget(self._build_empty_page())
        self.stack.addWidget(self._build_plan_page(staff))
        self._build_banners()
        layout = QVBoxLayout(self)
        layout.setContentsMargins(4, 4, 4, 4)
        layout.addWidget(self.stale_banner)
        layout.addWidget(self.error_banner)
        layout.addWidget(self.stack, 1)

    # ------------------------------------------------------------------ building

    def _build_empty_page(self) -> QWidget:
        page = QWidget()
        self.empty_label = QLabel(NO_PLAN_TEXT)
        named(self.empty_label, "carePlanEmpty", "No care plan yet")
        self.empty_label.setWordWrap(True)
        # A wrapped label in an aligned layout item gets too little height unless its
        # width is fixed.
        self.empty_label.setFixedWidth(self.empty_label.fontMetrics().averageCharWidth() * 80)
        self.empty_label.setMinimumHeight(self.empty_label.heightForWidth(self.empty_label.width()))
        self.start_button = button("startPlanButton", "Start a care plan", "Start a care plan")
        self.start_button.clicked.connect(self._on_start_button_clicked)
        if not self._can_edit:
            self.start_button.setEnabled(False)
            self.start_button.setToolTip("Your role cannot edit care plans.")
        column = QVBoxLayout(page)
        column.addStretch(1)
        column.addWidget(self.empty_label, 0, Qt.AlignmentFlag.AlignHCenter)
        column.addSpacing(8)
        column.addWidget(self.start_button, 0, Qt.AlignmentFlag.AlignHCenter)
        column.addStretch(2)
        return page

    def _build_plan_page(self, staff: list[StaffView]) -> QWidget:
        page = QWidget()
        self.version_combo = QComboBox()
        named(self.version_combo, "planVersionCombo", "Version of the plan")
        self.version_combo.currentIndexChanged.connect(self._on_version_combo_index_changed)
        self.status_label = QLabel()
        named(self.status_label, "planStatusLabel", "Plan status")
        self.status_label.setWordWrap(True)
        self.status_label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)

        def action(name: str, text: str, accessible: str, slot: Any) -> QPushButton:
            push = button(name, text, accessible)
            push.clicked.connect(slot)
            return push

        self.save_button = action("savePlanButton", "Save plan", "Save plan", self.save)
        self.save_button.setToolTip("Save the draft plan (Ctrl+S)")
        self.agree_button = action("agreePlanButton", "Agree…", "Agree plan", self._on_agree)
        self.review_button = action(
            "startReviewButton", "Start review", "Start review", self._on_start_review
        )
        self.compare_button = action(
            "compareVersionsButton", "Compare…", "Compare versions", self._on_compare
        )
        self.print_button = action("printPlanButton", "Print…", "Print plan", self._on_print)
        self.close_button = action(
            "closePlanButton", "Close plan…", "Close plan", self._on_close_plan
        )
        self.start_new_button = action(
            "startNewPlanButton", "Start a new plan", "Start a new plan", self._start
        )
        self.saved_label = QLabel()
        named(self.saved_label, "planSavedLabel", "Plan saved")
        top = QHBoxLayout()
        version = QLabel("&Version")
        version.setBuddy(self.version_combo)
        top.addWidget(version)
        top.addWidget(self.version_combo)
        top.addWidget(self.status_label, 1)
        top.addWidget(self.saved_label)
        for push in (
            self.save_button,
            self.agree_button,
            self.review_button,
            self.start_new_button,
            self.compare_button,
            self.print_button,
            self.close_button,
        ):
            top.addWidget(push)

        self.goal_editor = GoalEditor()
        self.goals = GoalsPanel(self.goal_editor)
        self.goals.setMinimumWidth(230)
        self.goals.setMaximumWidth(300)
        self.goals.changed.connect(self._on_edited)
        self.goals.goalSelected.connect(self._update_follow_up_button)
        self.follow_up_button = action(
            "recordFollowUpButton", "Record follow-up…", "Record follow-up", self._on_follow_up
        )
        self.follow_up_hint = QLabel()
        named(self.follow_up_hint, "followUpHint", "About follow-ups")
        self.follow_up_hint.setStyleSheet("color: #57606a;")
        self.follow_up_hint.setWordWrap(True)
        follow = QHBoxLayout()
        follow.setContentsMargins(6, 4, 6, 0)
        follow.addWidget(self.follow_up_hint, 1)
        follow.addWidget(self.follow_up_button)
        goal_page = QWidget()
        goal_layout = QVBoxLayout(goal_page)
        goal_layout.setContentsMargins(0, 0, 0, 0)
        goal_layout.setSpacing(0)
        goal_layout.addLayout(follow)
        goal_layout.addWidget(self.goal_editor, 1)

        self.about = AboutMeSection()
        self.contributions = ContributionsSection()
        self.contingency = ContingencySection()
        self.keeping = KeepingWellSection(staff)
        self.sections = QTabWidget()
        named(self.sections, "planSections", "Care plan sections")
        for widget, title in (
            (goal_page, "Goal"),
            (self.about, "About me"),
            (self.contributions, "Who does what"),
            (self.contingency, "If things get worse"),
            (self.keeping, "Keeping well && review"),
        ):
            self.sections.addTab(_scrolled(widget), title)
        for section in (self.about, self.contributions, self.contingency, self.keeping):
            section.changed.connect(self._on_edited)

        body = QHBoxLayout()
        body.addWidget(self.goals)
        body.addWidget(self.sections, 1)
        layout = QVBoxLayout(page)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(4)
        layout.addLayout(top)
        layout.addLayout(body, 1)
        return page

    def _build_banners(self) -> None:
        self.stale_banner, self.stale_label, row = banner("planStaleBanner", "#fff4ce", "#c98a00")
        self.stale_banner.setAccessibleName("Someone else changed this care plan")
        reload_theirs = button(
            "planReloadTheirsButton", "Reload their version", "Reload their version"
        )
        reload_theirs.clicked.connect(lambda: self.reload())
        save_mine = button("planSaveMineButton", "Save mine anyway", "Save mine anyway")
        save_mine.clicked.connect(self._on_save_mine)
        row.addWidget(reload_theirs)
        row.addWidget(save_mine)
        self.error_banner, self.error_label, row = banner("planErrorBanner", "#fce8e6", "#b3261e")
        self.error_banner.setAccessibleName("Problem with the care plan")
        dismiss = button("planDismissErrorButton", "Dismiss", "Dismiss the message")
        dismiss.clicked.connect(self.error_banner.hide)
        row.addWidget(dismiss)

    # ------------------------------------------------------------------ public API

    @property
    def plan(self) -> CarePlanView | None:
        """The version on screen, as loaded or saved."""
        return self._plan

    def ensure_loaded(self) -> None:
        if not self._loaded:
            self.reload()

    def showEvent(self, event: QShowEvent) -> None:
        super().showEvent(event)
        self.ensure_loaded()

    def reload(self, version: int | None = None, goal_row: int = 0) -> None:
        """Read the plan again (the latest version, or ``version``), discarding edits."""
        try:
            current = self._services.careplans.current(self._nhs)
            shown = current
            if current is not None and version not in (None, current.version):
                assert version is not None
                shown = self._services.careplans.version(self._nhs, version)
        except DomainError as err:
            self._show_banner(str(err))
            return
        self._loaded = True
        self._current = current
        self._show_plan(shown, goal_row)

    def refresh(self) -> None:
        """Something changed elsewhere: reload unless edits are pending."""
        if self._loaded and not self._announcing and not self.has_unsaved_changes():
            plan, current = self._plan, self._current
            older = plan is not None and current is not None and plan.version != current.version
            self.reload(plan.version if older and plan else None, max(0, self.goals.current_row()))

    def has_unsaved_changes(self) -> bool:
        return self._editable and self._snapshot() != self._baseline

    def save(self) -> bool:
        """Save the draft; True when saved (or nothing to save)."""
        if not self.has_unsaved_changes():
            return True
        self._clear_errors()
        if not self.goal_editor.check_entries():
            self.sections.setCurrentIndex(0)
            return False
        if not self.keeping.check_entries():
            self.sections.setCurrentIndex(4)
            return False
        try:
            edits = self._edits()
        except ValidationError as err:
            self._show_error(err)
            return False
        assert self._plan is not None
        return self._save(edits, self._save_over or self._plan.lock_version)

    # ------------------------------------------------------------------ showing

    def _show_plan(self, plan: CarePlanView | None, goal_row: int = 0) -> None:
        self._plan = plan
        self._save_over = None
        self.stale_banner.hide()
        self.error_banner.hide()
        if plan is None or self._current is None:
            self._editable = False
            self._baseline = None
            self.stack.setCurrentIndex(0)
            self._emit_unsaved()
            return
        self.stack.setCurrentIndex(1)
        latest = plan.version == self._current.version
        self._editable = self._can_edit and latest and plan.status == PlanStatus.DRAFT.value
        self.version_combo.blockSignals(True)
        try:
            self.version_combo.clear()
            for summary in sorted(self._current.history, key=lambda h: -h.version):
                self.version_combo.addItem(version_label(summary), summary.version)
            self.version_combo.setCurrentIndex(self.version_combo.findData(plan.version))
        finally:
            self.version_combo.blockSignals(False)
        self.status_label.setText(status_text(plan, latest, self._editable))
        self.goals.load(plan.goals, self._editable, goal_row)
        self.about.load(plan)
        self.contributions.load(plan)
        self.contingency.load(plan, blank_rows=self._editable)
        self.keeping.load(plan)
        for section in (self.about, self.contributions, self.contingency, self.keeping):
            section.set_editable(self._editable)
        self._baseline = self._snapshot()
        self._update_buttons()
        self._emit_unsaved()

    def _update_buttons(self) -> None:
        plan, current = self._plan, self._current
        if plan is None or current is None:
            return
        draft = current.status == PlanStatus.DRAFT.value
        self._gate(
            self.agree_button,
            self._can_agree and draft,
            "Your role cannot agree care plans."
            if not self._can_agree
            else "Only a draft can be agreed: start a review first.",
        )
        self._gate(
            self.review_button,
            self._can_edit and current.status == PlanStatus.AGREED.value,
            "Your role cannot edit care plans."
            if not self._can_edit
            else "A review starts from the agreed plan.",
        )
        self._gate(
            self.close_button,
            self._can_agree and current.status in _OPEN,
            "Your role cannot close care plans."
            if not self._can_agree
            else "This plan is already closed.",
        )
        self._gate(
            self.compare_button,
            len(current.history) > 1,
            "There is only one version so far.",
        )
        self.review_button.setVisible(not draft)
        self.start_new_button.setVisible(current.status == PlanStatus.CLOSED.value)
        self._gate(self.start_new_button, self._can_edit, "Your role cannot edit care plans.")
        self.save_button.setVisible(self._editable)
        self.save_button.setEnabled(self.has_unsaved_changes())
        self._update_follow_up_button()

    @staticmethod
    def _gate(push: QPushButton, enabled: bool, why: str) -> None:
        push.setEnabled(enabled)
        push.setToolTip("" if enabled else why)

    def _update_follow_up_button(self) -> None:
        plan, current = self._plan, self._current
        goal = self.goals.current_saved_goal()
        usable = (
            self._can_edit
            and plan is not None
            and current is not None
            and plan.version == current.version
            and plan.status in _OPEN
            and goal is not None
        )
        self.follow_up_button.setEnabled(usable)
        if not self._can_edit:
            hint = "Your role cannot record follow-ups."
        elif plan is not None and plan.status not in _OPEN:
            hint = "Follow-ups are recorded on the current plan."
        elif goal is None:
            hint = "Save the plan before recording a follow-up of this goal."
        else:
            hint = "A follow-up records both scores again, the goal's status and a comment."
        self.follow_up_hint.setText(hint)

    # ------------------------------------------------------------------ editing

    def _snapshot(self) -> Any:
        return (
            self.goals.snapshot(),
            self.about.values(),
            self.contributions.values(),
            self.contingency.values(),
            self.keeping.snapshot(),
        )

    def _edits(self) -> CarePlanEdits:
        goals, self._goal_rows = self.goals.edits()
        return CarePlanEdits(
            goals=goals,
            **self.about.values(),
            **self.contributions.values(),
            **self.contingency.values(),
            **self.keeping.values(),
        )

    def _on_edited(self) -> None:
        self.save_button.setEnabled(self.has_unsaved_changes())
        self.saved_label.clear()
        self._emit_unsaved()

    def _emit_unsaved(self) -> None:
        self._dirty_watch.update(self.has_unsaved_changes())

    def _may_discard(self) -> bool:
        return not self.has_unsaved_changes() or ask_discard(
            self, "Discard your unsaved changes to the care plan?"
        )

    # ------------------------------------------------------------------ writing

    def _written(self, plan: CarePlanView, message: str) -> None:
        self._current = plan
        self._show_plan(plan, max(0, self.goals.current_row()))
        self.saved_label.setText(message)
        self._announcing = True
        try:
            self.planChanged.emit()
        finally:
            self._announcing = False

    def _save(self, edits: CarePlanEdits, lock_version: int) -> bool:
        try:
            plan = self._services.careplans.save_draft(self._nhs, edits, lock_version)
        except StaleRecordError as err:
            self.stale_label.setText(
                f"{err} Your changes are still on screen and have not been saved."
            )
            self.stale_banner.show()
            return False
        except ValidationError as err:
            self._show_error(err)
            return False
        except DomainError as err:
            self._show_banner(f"Nothing was saved. {err}")
            return False
        self._written(plan, f"Saved at {datetime.now():%H:%M}.")
        return True

    def _on_save_mine(self) -> None:
        try:
            theirs = self._services.careplans.current(self._nhs)
        except DomainError as err:
            self._show_banner(str(err))
            return
        if theirs is None or theirs.status != PlanStatus.DRAFT.value:
            self._show_banner("The draft is no longer open: reload to see what happened.")
            return
        self.stale_banner.hide()
        self._save_over = theirs.lock_version
        self.save()

    def _on_version_combo_index_changed(self, _index: int) -> None:
        wanted = self.version_combo.currentData()
        if wanted is None or self._plan is None or wanted == self._plan.version:
            return
        if not self._may_discard():
            self.version_combo.blockSignals(True)
            self.version_combo.setCurrentIndex(self.version_combo.findData(self._plan.version))
            self.version_combo.blockSignals(False)
            return
        self.reload(wanted)

    # ------------------------------------------------------------------ errors

    def _clear_errors(self) -> None:
        self.error_banner.hide()
        self.goals.error.clear_error()
        self.goal_editor.clear_errors()

    def _show_banner(self, message: str) -> None:
        self.error_label.setText(message)
        self.error_banner.show()
