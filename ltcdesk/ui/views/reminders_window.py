"""The main window's part in reminders (issue 8), kept here so the window stays small: the
rail item's count, opening a record on the tab a reminder names, the start-up summary,
and the Tools menu's absences and hospital event import."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from PySide6.QtWidgets import QDialog, QScrollArea, QTabWidget, QWidget

from ltcdesk.domain.errors import DomainError
from ltcdesk.services.reminders import Group

if TYPE_CHECKING:
    from ltcdesk.app import Services

TITLE = "Reminders"
# Reminder.tab → the attribute of PatientRecord holding that tab's page.
RECORD_TABS = {
    "care_plan": "care_plan",
    "assessment": "assessment",
    "conversations": "conversations",
    "carers": "_carers",
}


def rail_text(counts: dict[Group, int]) -> str:
    """ "Reminders (3 overdue)"; "Reminders (2 today)" when none is overdue."""
    overdue, today = counts.get(Group.OVERDUE, 0), counts.get(Group.TODAY, 0)
    if overdue:
        return f"{TITLE} ({overdue:,} overdue)"
    if today:
        return f"{TITLE} ({today:,} today)"
    return TITLE


def rail_tip(counts: dict[Group, int]) -> str:
    return "Your reminders: " + ", ".join(f"{g.value.lower()} {counts.get(g, 0)}" for g in Group)


def reminder_counts(services: Services) -> dict[Group, int]:
    try:
        return services.reminders.counts()
    except DomainError:
        return {g: 0 for g in Group}


def select_record_tab(record: Any, tab: str) -> bool:
    """Show ``tab`` ("care_plan", "assessment", "conversations", "carers", "events") of
    an open patient record; False if the record has no such tab."""
    tabs: QTabWidget = record.tabs
    target: QWidget | None
    if tab == "events":
        target = record.findChild(QWidget, "eventsTab")
    else:
        target = getattr(record, RECORD_TABS.get(tab, ""), None)
    if target is None:
        return False
    for index in range(tabs.count()):
        page = tabs.widget(index)
        if page is target or (isinstance(page, QScrollArea) and page.widget() is target):
            tabs.setCurrentIndex(index)
            return True
    return False


def startup_summary(
    services: Services, name: str, parent: QWidget
) -> tuple[QDialog | None, dict[Group, int] | None]:
    """The summary of what is overdue and due today (not yet opened), or None when
    nothing is; and the counts it was made from (None when they could not be read)."""
    from ltcdesk.ui.dialogs.reminder_dialogs import StartupSummaryDialog

    try:
        counts, due = services.reminders.summary()
    except DomainError:
        return None, None
    if not counts.get(Group.OVERDUE) and not counts.get(Group.TODAY):
        return None, counts
    return StartupSummaryDialog(name, counts, due, parent), counts


def absences_dialog(services: Services, parent: QWidget) -> QDialog:
    from ltcdesk.ui.dialogs.absences import AbsencesDialog

    return AbsencesDialog(services, parent)


def import_events_dialog(services: Services, parent: QWidget) -> QDialog:
    from ltcdesk.ui.dialogs.hospital_events import ImportEventsDialog

    return ImportEventsDialog(services, parent)
