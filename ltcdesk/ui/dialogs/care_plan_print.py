"""Print a care plan: the person's copy, large print, a one-page summary or the clinical
copy; saved as a PDF (or opened in the PDF viewer as a preview). The PDF is rendered and
written in a worker thread, so a long plan never freezes the window."""

from __future__ import annotations

import atexit
import re
import shutil
import tempfile
from datetime import datetime
from pathlib import Path

from PySide6.QtCore import Qt, QUrl
from PySide6.QtGui import QDesktopServices, QPageSize
from PySide6.QtPrintSupport import QPrintDialog, QPrinter
from PySide6.QtWidgets import (
    QApplication,
    QButtonGroup,
    QDialog,
    QFileDialog,
    QHBoxLayout,
    QLabel,
    QRadioButton,
    QVBoxLayout,
    QWidget,
)

from ltcdesk.domain.errors import DomainError
from ltcdesk.services.careplan_views import CarePlanView
from ltcdesk.ui import tasks
from ltcdesk.ui.views.record_common import button, named
from ltcdesk.ui.widgets import ERROR_STYLE, OK_STYLE

# (objectName, label, render options, file name suffix)
KINDS: tuple[tuple[str, str, dict[str, bool], str], ...] = (
    ("printPersonCopy", "The person's copy", {}, ""),
    ("printLargePrint", "Large print (16 pt and larger)", {"large_print": True}, " large print"),
    ("printSummary", "One-page summary", {"summary": True}, " summary"),
    (
        "printClinicalCopy",
        "Clinical copy (with version history)",
        {"clinical": True},
        " clinical",
    ),
)


def _safe(text: str) -> str:
    return re.sub(r'[\\/:*?"<>|]+', "", text).strip() or "care plan"


# A preview holds patient details: its file goes when ltcdesk closes, not whenever the
# system next clears its temporary folder.
_PREVIEW_FOLDERS: list[Path] = []


@atexit.register
def _remove_previews() -> None:
    for folder in _PREVIEW_FOLDERS:
        shutil.rmtree(folder, ignore_errors=True)


class PrintPlanDialog(QDialog):
    """Choose a kind of copy, then Preview, Print… or Save as PDF…"""

    def __init__(self, plan: CarePlanView, printed_by: str, parent: QWidget | None) -> None:
        super().__init__(parent)
        named(self, "printPlanDialog", "Print the care plan")
        self.setWindowTitle("Print the care plan")
        self.setMinimumWidth(440)
        self._plan = plan
        self._printed_by = printed_by
        self.saved_path: Path | None = None
        intro = QLabel(
            f"Version {plan.version} of {plan.patient_name}'s care plan ({plan.status})."
        )
        intro.setWordWrap(True)
        self.group = QButtonGroup(self)
        radios = QVBoxLayout()
        self.radios: dict[str, QRadioButton] = {}
        for index, (name, label, _options, _suffix) in enumerate(KINDS):
            radio = QRadioButton(label)
            named(radio, name, label)
            self.group.addButton(radio, index)
            radios.addWidget(radio)
            self.radios[name] = radio
        self.radios["printPersonCopy"].setChecked(True)
        self.status = QLabel()
        named(self.status, "printStatus", "Printing status")
        self.status.setWordWrap(True)
        self.save_button = button("savePlanPdfButton", "&Save as PDF…", "Save as PDF")
        self.save_button.setDefault(True)
        self.preview_button = button("previewPlanButton", "Pre&view", "Preview the PDF")
        self.print_button = button("printPlanToPrinterButton", "&Print…", "Print on paper")
        self.close_button = button("printCloseButton", "Close", "Close")
        self.printer = QPrinter(QPrinter.PrinterMode.HighResolution)
        self.printer.setPageSize(QPageSize(QPageSize.PageSizeId.A4))
        self.print_button.clicked.connect(self._on_print_button_clicked)
        self.save_button.clicked.connect(self._on_save_button_clicked)
        self.preview_button.clicked.connect(self._on_preview_button_clicked)
        self.close_button.clicked.connect(self.accept)
        row = QHBoxLayout()
        row.addStretch(1)
        row.addWidget(self.preview_button)
        row.addWidget(self.print_button)
        row.addWidget(self.save_button)
        row.addWidget(self.close_button)
        layout = QVBoxLayout(self)
        layout.addWidget(intro)
        layout.addLayout(radios)
        layout.addWidget(self.status)
        layout.addLayout(row)

    def _kind(self) -> tuple[dict[str, bool], str]:
        _name, _label, options, suffix = KINDS[max(0, self.group.checkedId())]
        return dict(options), suffix

    def _render(self) -> bytes:
        from ltcdesk.reports.care_plan import render_care_plan_pdf

        options, _suffix = self._kind()
        return render_care_plan_pdf(
            self._plan,
            **options,
            printed_by=self._printed_by,
            printed_at=datetime.now(),
        )

    def _busy(self, busy: bool, message: str = "") -> None:
        for push in (self.save_button, self.preview_button, self.print_button):
            push.setEnabled(not busy)
        if message:
            self.status.setStyleSheet("")
            self.status.setText(message)

    def _on_save_button_clicked(self) -> None:
        _options, suffix = self._kind()
        plan = self._plan
        name = _safe(f"Care plan {plan.patient_name} v{plan.version}{suffix}") + ".pdf"
        path, _filter = QFileDialog.getSaveFileName(
            self, "Save the care plan as PDF", str(Path.home() / name), "PDF files (*.pdf)"
        )
        if not path:
            return
        if not path.lower().endswith(".pdf"):
            path += ".pdf"
        target = Path(path)
        self._busy(True, "Saving…")
        render = self._render  # reads only the frozen plan: safe off the GUI thread

        def work() -> Path:
            from ltcdesk.fileio import write_atomically

            return write_atomically(target, render())

        tasks.run_task(work, self._on_saved, self._on_failed, parent=self)

    def _on_saved(self, path: Path) -> None:
        self.saved_path = Path(path)
        self._busy(False)
        self.status.setStyleSheet(OK_STYLE)
        self.status.setText(f"Saved to {path}")

    def _on_failed(self, exc: BaseException) -> None:
        self._busy(False)
        self.status.setStyleSheet(ERROR_STYLE)
        self.status.setText(f"The PDF could not be written: {exc}")

    def _on_print_button_clicked(self) -> None:
        from ltcdesk.ui.printing import print_pdf

        chooser = QPrintDialog(self.printer, self)
        chooser.setObjectName("choosePrinterDialog")
        if chooser.exec() != QDialog.DialogCode.Accepted:
            return
        self._busy(True, "Printing…")
        QApplication.setOverrideCursor(Qt.CursorShape.WaitCursor)
        try:
            pages = print_pdf(self._render(), self.printer)
        except DomainError as exc:
            self._busy(False)
            self.status.setStyleSheet(ERROR_STYLE)
            self.status.setText(str(exc))
            return
        finally:
            QApplication.restoreOverrideCursor()
        self._busy(False, f"Sent {pages} page{'s' if pages != 1 else ''} to the printer.")

    def _on_preview_button_clicked(self) -> None:
        self._busy(True, "Preparing the preview…")
        render = self._render
        version = self._plan.version

        def work() -> Path:
            from ltcdesk.fileio import write_atomically

            folder = Path(tempfile.mkdtemp(prefix="ltcdesk-plan-"))  # private to this user
            _PREVIEW_FOLDERS.append(folder)
            return write_atomically(folder / f"care-plan-v{version}.pdf", render())

        tasks.run_task(work, self._on_preview_ready, self._on_failed, parent=self)

    def _on_preview_ready(self, path: Path) -> None:
        self._busy(False, "Opened in your PDF viewer; the file is deleted when ltcdesk closes.")
        QDesktopServices.openUrl(QUrl.fromLocalFile(str(path)))
