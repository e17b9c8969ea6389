"""The widgets of the Assessment tab and where they sit; ``AssessmentTab`` adds the logic.

Sized for a 1366×768 screen inside the patient record: the domain list and the side panel
keep fixed widths, the selected domain's form scrolls between them.
"""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtGui import QColor
from PySide6.QtWidgets import (
    QComboBox,
    QFrame,
    QHBoxLayout,
    QLabel,
    QListWidget,
    QListWidgetItem,
    QPushButton,
    QScrollArea,
    QSplitter,
    QStackedWidget,
    QVBoxLayout,
    QWidget,
)

from ltcdesk.domain import assessment_domains as ad
from ltcdesk.ui.views.assessment_domain_form import DomainForm
from ltcdesk.ui.views.assessment_needs import ChangesPanel, ConsentStrip, NeedsPanel
from ltcdesk.ui.views.record_common import banner, button, named

NO_ASSESSMENT_TEXT = (
    "<b>No assessment yet.</b><br>The single assessment covers the person's health and "
    "social care needs in 18 domains, face to face or by telephone. Needs identified here "
    "become goals and team actions in the care plan."
)
LEGEND = "○ to confirm   ✓ confirmed   Δ changed since last   ⚑ need identified"
_TO_CONFIRM = "○"
_CONFIRMED = "✓"
_READ_ONLY = QColor("#6e7781")
_OK = QColor("#1f2328")
_TODO = QColor("#7a4b00")


class AssessmentLayout(QWidget):
    """Builds the tab's widgets (``build``) and shows a domain's state in the list."""

    forms: dict[str, DomainForm]

    def build(self) -> None:
        named(self, "assessmentTab", "Assessment")
        self._build_banners()
        self._build_top()
        self.body = QStackedWidget()
        named(self.body, "assessmentBody", "Assessment")
        self.empty_label = QLabel(NO_ASSESSMENT_TEXT)
        named(self.empty_label, "assessmentEmpty", "No assessment yet")
        self.empty_label.setWordWrap(True)
        # A wrapped label in an aligned layout item gets too little height unless its
        # width is fixed.
        self.empty_label.setFixedWidth(self.empty_label.fontMetrics().averageCharWidth() * 80)
        self.empty_label.setMinimumHeight(self.empty_label.heightForWidth(self.empty_label.width()))
        empty = QWidget()
        column = QVBoxLayout(empty)
        column.addStretch(1)
        column.addWidget(self.empty_label, 0, Qt.AlignmentFlag.AlignHCenter)
        column.addStretch(2)
        self.body.addWidget(empty)
        self.body.addWidget(self._build_main())
        layout = QVBoxLayout(self)
        layout.setContentsMargins(4, 4, 4, 4)
        layout.setSpacing(4)
        layout.addWidget(self.stale_banner)
        layout.addWidget(self.error_banner)
        layout.addLayout(self.top)
        layout.addWidget(self.status_label)
        layout.addWidget(self.consent)
        layout.addWidget(self.body, 1)

    def _build_banners(self) -> None:
        self.stale_banner, self.stale_label, row = banner(
            "assessmentStaleBanner", "#fff4ce", "#c98a00"
        )
        self.stale_banner.setAccessibleName("Someone else changed this assessment")
        self.reload_theirs_button = button(
            "assessmentReloadTheirsButton", "Reload their version", "Reload their version"
        )
        self.reload_theirs_button.setToolTip("Discard your unsaved changes and show theirs")
        self.save_mine_button = button(
            "assessmentSaveMineButton", "Save mine anyway", "Save mine anyway"
        )
        self.save_mine_button.setToolTip("Save the domains you changed on top of theirs")
        row.addWidget(self.reload_theirs_button)
        row.addWidget(self.save_mine_button)
        self.error_banner, self.error_label, row = banner(
            "assessmentErrorBanner", "#fce8e6", "#b3261e"
        )
        self.error_banner.setAccessibleName("Problem with the assessment")
        dismiss = button("assessmentDismissErrorButton", "Dismiss", "Dismiss the message")
        dismiss.clicked.connect(self.error_banner.hide)
        row.addWidget(dismiss)

    def _build_top(self) -> None:
        self.version_combo = QComboBox()
        named(self.version_combo, "assessmentVersionCombo", "Assessment version")
        self.version_combo.setMinimumContentsLength(34)
        self.version_label = QLabel("Assess&ment")
        self.version_label.setBuddy(self.version_combo)
        self.status_label = QLabel()
        named(self.status_label, "assessmentStatusLabel", "Assessment status")
        self.status_label.setWordWrap(True)
        self.status_label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.saved_label = QLabel()
        named(self.saved_label, "assessmentSavedLabel", "Assessment saved")
        self.saved_label.setStyleSheet("color: #146c2e;")
        self.start_button = button(
            "startAssessmentButton", "Start new assessment…", "Start new assessment"
        )
        self.start_button.setToolTip("Starts pre-filled from the last completed assessment")
        self.save_button = button("saveAssessmentButton", "Save", "Save assessment")
        self.save_button.setToolTip("Save the assessment (Ctrl+S)")
        self.complete_button = button(
            "completeAssessmentButton", "Complete…", "Complete assessment"
        )
        self.complete_button.setToolTip("Every domain must be confirmed or changed first")
        self.print_button = button(
            "printAssessmentButton", "Print summary…", "Print assessment summary"
        )
        self.print_button.setToolTip("Save a summary of this assessment as a PDF")
        self.top = QHBoxLayout()
        self.top.addWidget(self.version_label)
        self.top.addWidget(self.version_combo)
        self.top.addWidget(self.saved_label, 1)
        for push in (self.start_button, self.save_button, self.complete_button, self.print_button):
            self.top.addWidget(push)
        self.consent = ConsentStrip()

    def _build_main(self) -> QWidget:
        self.domain_list = QListWidget()
        named(self.domain_list, "assessmentDomainList", "Assessment domains")
        self.forms = {}
        self.form_stack = QStackedWidget()
        for spec in ad.DOMAINS:
            form = DomainForm(spec)
            self.forms[spec.key] = form
            self.form_stack.addWidget(form)
            item = QListWidgetItem(spec.label)
            self.domain_list.addItem(item)
        self.domain_list.setCurrentRow(0)
        width = max(
            self.domain_list.fontMetrics().horizontalAdvance(f"{_CONFIRMED} {s.label}  Δ ⚑")
            for s in ad.DOMAINS
        )
        self.domain_list.setFixedWidth(width + 34)
        self.legend = QLabel(LEGEND.replace("   ", "<br>"))
        named(self.legend, "assessmentDomainLegend", "Key to the domain list")
        self.legend.setStyleSheet("color: #57606a;")
        left = QWidget()
        column = QVBoxLayout(left)
        column.setContentsMargins(0, 0, 0, 0)
        column.addWidget(self.domain_list, 1)
        column.addWidget(self.legend)
        left.setFixedWidth(self.domain_list.width())

        self.form_scroll = QScrollArea()
        named(self.form_scroll, "assessmentFormScroll", "Domain form")
        self.form_scroll.setWidgetResizable(True)
        self.form_scroll.setFrameShape(QFrame.Shape.StyledPanel)
        self.form_scroll.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        self.form_scroll.setWidget(self.form_stack)

        self.needs = NeedsPanel()
        self.changes = ChangesPanel()
        side = QSplitter(Qt.Orientation.Vertical)
        named(side, "assessmentSidePanel", "Needs and changes")
        side.addWidget(self.needs)
        side.addWidget(self.changes)
        side.setChildrenCollapsible(False)
        side.setStretchFactor(0, 3)  # the needs are what the assessor acts on
        side.setStretchFactor(1, 2)
        side.setMinimumWidth(300)
        side.setMaximumWidth(380)

        page = QWidget()
        row = QHBoxLayout(page)
        row.setContentsMargins(0, 0, 0, 0)
        row.addWidget(left)
        row.addWidget(self.form_scroll, 1)
        row.addWidget(side)
        return page

    def _set_version_bar_visible(self, visible: bool) -> None:
        for widget in (self.version_label, self.version_combo, self.print_button):
            widget.setVisible(visible)
        self.status_label.setVisible(visible)
        if not visible:
            self.save_button.hide()
            self.complete_button.hide()

    @staticmethod
    def _gate(push: QPushButton, enabled: bool, why: str) -> None:
        """Enable ``push``, or disable it saying ``why``; its own tip comes back after."""
        if push.property("usualTip") is None:
            push.setProperty("usualTip", push.toolTip())
        push.setEnabled(enabled)
        push.setToolTip(str(push.property("usualTip")) if enabled else why)

    def show_domain_state(self, row: int, form: DomainForm, changed: bool, read_only: bool) -> None:
        item = self.domain_list.item(row)
        if item is None:
            return
        confirmed = form.is_confirmed()
        _fields, _note, need, _text = form.content()
        text = f"{_CONFIRMED if confirmed else _TO_CONFIRM} {form.spec.label}"
        if changed:
            text += "  Δ"
        if need:
            text += " ⚑"
        item.setText(text)
        words = [form.spec.label, "confirmed" if confirmed else "to confirm"]
        # read_only: the role may read but not change this (clinical) domain.
        if changed:
            words.append("changed since the last assessment")
        if need:
            words.append("need identified")
        if read_only:
            words.append("read-only for you")
        sentence = ", ".join(words)
        item.setData(Qt.ItemDataRole.AccessibleTextRole, sentence)
        item.setToolTip(sentence[0].upper() + sentence[1:])
        font = item.font()
        font.setItalic(read_only)
        item.setFont(font)
        colour = _READ_ONLY if read_only else None
        item.setForeground(colour or (_OK if confirmed else _TODO))
