"""Printing a meeting's agenda or minutes (PDF) and exporting its actions (CSV), for the
agenda page. reportlab is imported only when someone prints (house rule 7)."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

from PySide6.QtWidgets import QFileDialog, QMessageBox, QWidget

from ltcdesk.services.meeting_views import MeetingView
from ltcdesk.ui.dialogs.meeting_dialogs import PrintMeetingDialog, meeting_when


def print_agenda_dialog(
    parent: QWidget, view: MeetingView, printed_by: str
) -> PrintMeetingDialog | None:
    """The dialog that prints or saves the agenda (not yet opened); None, with the reason
    shown, when printing agendas is not available."""
    try:
        from ltcdesk.reports.meeting_agenda import render_agenda
    except ImportError:
        QMessageBox.information(parent, "Print agenda", "Printing agendas is not available.")
        return None

    def render(initials: bool) -> bytes:
        return render_agenda(
            view, printed_by=printed_by, printed_at=datetime.now(), initials_only=initials
        )

    return PrintMeetingDialog(
        "Print the agenda",
        f"The agenda of the meeting on {meeting_when(view)}, {len(view.agenda)} patients.",
        f"Agenda {view.held_on:%Y-%m-%d}",
        render,
        parent,
    )


def print_minutes_dialog(
    parent: QWidget, view: MeetingView, printed_by: str
) -> PrintMeetingDialog | None:
    """The dialog that prints or saves the minutes and actions (not yet opened); None,
    with the reason shown, when printing minutes is not available."""
    try:
        from ltcdesk.reports import meeting_agenda
    except ImportError:
        QMessageBox.information(parent, "Print minutes", "Printing minutes is not available.")
        return None
    render_minutes = getattr(meeting_agenda, "render_minutes", None)
    if render_minutes is None:
        QMessageBox.information(parent, "Print minutes", "Printing minutes is not available.")
        return None

    def render(initials: bool) -> bytes:
        pdf: bytes = render_minutes(
            view, printed_by=printed_by, printed_at=datetime.now(), initials_only=initials
        )
        return pdf

    return PrintMeetingDialog(
        "Print the minutes",
        f"Minutes and actions of the meeting on {meeting_when(view)}: "
        f"{sum(1 for i in view.agenda if i.discussed)} patients discussed, "
        f"{len(view.actions)} actions.",
        f"Minutes {view.held_on:%Y-%m-%d}",
        render,
        parent,
    )


def export_actions_csv(parent: QWidget, view: MeetingView) -> Path | None:
    """Ask where, then write the meeting's actions as CSV (UTF-8 with a byte order mark,
    for Excel). The file written, or None if cancelled or refused (the reason shown)."""
    try:
        from ltcdesk.reports.meeting_agenda import minutes_csv
    except ImportError:
        QMessageBox.information(parent, "Export actions", "Exporting actions is not available.")
        return None
    suggested = str(Path.home() / f"Actions {view.held_on:%Y-%m-%d}.csv")
    path, _filter = QFileDialog.getSaveFileName(
        parent, "Export the actions", suggested, "CSV files (*.csv)"
    )
    if not path:
        return None
    if not path.lower().endswith(".csv"):
        path += ".csv"
    from ltcdesk.fileio import write_atomically

    try:
        return write_atomically(Path(path), minutes_csv(view).encode("utf-8"))
    except OSError as exc:
        QMessageBox.warning(parent, "Export actions", f"The file could not be written: {exc}")
        return None
