"""The Assessment tab's side panels: the summary of needs (each one click from a care plan
goal or team action), the changes since the last assessment, and consent to share."""

from __future__ import annotations

import html
from dataclasses import dataclass

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QAbstractItemView,
    QFrame,
    QGridLayout,
    QHBoxLayout,
    QLabel,
    QListWidget,
    QListWidgetItem,
    QScrollArea,
    QVBoxLayout,
    QWidget,
)

from ltcdesk.domain.vocab import ConsentStatus
from ltcdesk.services.assessments import Difference
from ltcdesk.services.patient_views import ConsentView
from ltcdesk.ui.views.assessment_wording import difference_text
from ltcdesk.ui.views.record_common import button, named

_LINKED_STYLE = "color: #146c2e;"
_HINT_STYLE = "color: #57606a;"


@dataclass(frozen=True)
class NeedRow:
    domain: str
    label: str
    text: str
    goal_id: int | None
    action_id: int | None


class NeedsPanel(QFrame):
    """Every flagged need; ``makeGoal(domain)`` / ``makeAction(domain)`` on a click."""

    makeGoal = Signal(str)
    makeAction = Signal(str)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        named(self, "needsSummary", "Summary of needs")
        title = QLabel("<b>Summary of needs</b>")
        self.hint = QLabel()
        named(self.hint, "needsHint", "About the needs")
        self.hint.setStyleSheet(_HINT_STYLE)
        self.hint.setWordWrap(True)
        self.rows = QWidget()
        self.grid = QVBoxLayout(self.rows)
        self.grid.setContentsMargins(0, 0, 0, 0)
        self.grid.setSpacing(6)
        area = QScrollArea()
        area.setWidgetResizable(True)
        area.setFrameShape(QFrame.Shape.NoFrame)
        area.setWidget(self.rows)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(title)
        layout.addWidget(self.hint)
        layout.addWidget(area, 1)
        self.labels: dict[str, QLabel] = {}

    def show_needs(self, needs: list[NeedRow], can_plan: bool, why: str, unsaved: bool) -> None:
        while self.grid.count():
            item = self.grid.takeAt(0)
            widget = item.widget() if item is not None else None
            if widget is not None:
                widget.setParent(None)  # gone from findChild at once, deleted later
                widget.deleteLater()
        self.labels.clear()
        if not needs:
            self.hint.setText("No need identified yet. Tick “Need identified” in a domain.")
        elif unsaved:
            self.hint.setText("Includes unsaved changes: making a goal or action saves first.")
        else:
            self.hint.setText("Turn a need into a goal or a team action in the care plan.")
        for need in needs:
            row = self._row(need, can_plan, why)
            self.grid.addWidget(row)
            row.show()  # now, not on the next pass of the event loop
        self.grid.addStretch(1)

    def _row(self, need: NeedRow, can_plan: bool, why: str) -> QWidget:
        row = QFrame()
        row.setObjectName(f"need_{need.domain}")
        row.setFrameShape(QFrame.Shape.StyledPanel)
        text = QLabel(f"<b>{html.escape(need.label)}</b><br>{html.escape(need.text)}")
        named(text, f"needText_{need.domain}", f"Need in {need.label}: {need.text}")
        text.setWordWrap(True)
        text.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.labels[need.domain] = text
        grid = QGridLayout(row)
        grid.setContentsMargins(6, 4, 6, 4)
        grid.addWidget(text, 0, 0, 1, 2)
        # A need becomes a goal or a team action, not both.
        linked = [
            (kind, noun)
            for kind, noun, link in (
                ("Goal", "goal", need.goal_id),
                ("Action", "team action", need.action_id),
            )
            if link is not None
        ]
        if linked:
            kind, noun = linked[0]
            done = QLabel(f"✓ {noun.capitalize()} in care plan")
            named(done, f"need{kind}Linked_{need.domain}", f"{noun.capitalize()} in care plan")
            done.setStyleSheet(_LINKED_STYLE)
            grid.addWidget(done, 1, 0, 1, 2)
            return row
        for column, (kind, noun, signal) in enumerate(
            (("Goal", "goal", self.makeGoal), ("Action", "team action", self.makeAction))
        ):
            push = button(
                f"need{kind}_{need.domain}",
                f"Make a {noun}",
                f"Make the need in {need.label} a {noun}",
            )
            push.setEnabled(can_plan)
            push.setToolTip(why if not can_plan else f"Adds it to the care plan draft as a {noun}")
            push.clicked.connect(lambda _c=False, d=need.domain, s=signal: s.emit(d))
            grid.addWidget(push, 1, column)
        return row


class ChangesPanel(QFrame):
    """What differs from the previous assessment, domain by domain."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        named(self, "assessmentChangesPanel", "Changes since last assessment")
        self.title = QLabel("<b>Changes since last assessment</b>")
        self.list = QListWidget()
        named(self.list, "assessmentChanges", "Changes since last assessment")
        self.list.setWordWrap(True)
        self.list.setSelectionMode(QAbstractItemView.SelectionMode.NoSelection)
        self.list.setFocusPolicy(Qt.FocusPolicy.TabFocus)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.title)
        layout.addWidget(self.list, 1)

    def show_changes(self, changes: list[Difference] | None, since: str) -> None:
        self.list.clear()
        if changes is None:
            self.title.setText("<b>Changes since last assessment</b>")
            self.list.addItem("The first assessment: nothing earlier to compare with.")
            return
        self.title.setText(f"<b>Changes since {html.escape(since)}</b> ({len(changes)})")
        if not changes:
            self.list.addItem("Nothing has changed so far.")
        domain = ""
        for diff in changes:
            if diff.domain != domain:
                domain = diff.domain
                head = QListWidgetItem(domain)
                font = head.font()
                font.setBold(True)
                head.setFont(font)
                self.list.addItem(head)
            self.list.addItem("   " + difference_text(diff))

    def texts(self) -> list[str]:
        return [self.list.item(i).text().strip() for i in range(self.list.count())]


def consent_text(consent: ConsentView | None) -> str:
    if consent is None:
        return "Consent to share with the team: <b>not recorded</b>. Ask the person."
    label = ConsentStatus(consent.status).label
    return (
        f"Consent to share with the team: <b>{html.escape(label)}</b> on "
        f"{consent.recorded_on:%d/%m/%Y}, recorded by {html.escape(consent.recorded_by)}."
    )


class ConsentStrip(QFrame):
    """The current consent to share, with Confirm consent and Update consent…"""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        named(self, "assessmentConsent", "Consent to share with the team")
        self.label = QLabel()
        named(self.label, "assessmentConsentLabel", "Consent to share with the team")
        self.label.setWordWrap(True)
        self.confirm_button = button(
            "confirmConsentButton", "Confirm consent", "Confirm consent to share"
        )
        self.update_button = button(
            "updateConsentButton", "Update consent…", "Update consent to share"
        )
        row = QHBoxLayout(self)
        row.setContentsMargins(0, 0, 0, 0)
        row.addWidget(self.label, 1)
        row.addWidget(self.confirm_button)
        row.addWidget(self.update_button)

    def show_consent(self, consent: ConsentView | None, can_record: bool) -> None:
        self.label.setText(consent_text(consent))
        self.label.setAccessibleDescription(
            self.label.text().replace("<b>", "").replace("</b>", "")
        )
        no_role = "Your role cannot record consent."
        self.confirm_button.setEnabled(can_record and consent is not None)
        self.confirm_button.setToolTip(
            no_role
            if not can_record
            else "Nothing recorded yet: use Update consent…"
            if consent is None
            else "The person confirms the same answer today"
        )
        self.update_button.setEnabled(can_record)
        self.update_button.setToolTip(no_role if not can_record else "Record a new answer")
