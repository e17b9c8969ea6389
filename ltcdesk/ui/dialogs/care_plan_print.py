"""Print a care plan: the person's copy, large print, a one-page summary or the clinical
copy; saved as a PDF (or opened in the PDF viewer as a preview). The PDF is rendered and
written in a worker thread, so a long plan never freezes the window."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from pathlib import Path

from PySide6.QtGui import QPageSize
from PySide6.QtPrintSupport import QPrinter
from PySide6.QtWidgets import (
    QButtonGroup,
    QHBoxLayout,
    QLabel,
    QRadioButton,
    QVBoxLayout,
    QWidget,
)

from ltcdesk.services.careplan_views import CarePlanView
from ltcdesk.ui.dialogs.pdf_output import PdfOutputDialog, safe_file_name
from ltcdesk.ui.views.record_common import button, named

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


class PrintPlanDialog(PdfOutputDialog):
    """Choose a kind of copy, then Preview, Print… or Save as PDF…"""

    def __init__(self, plan: CarePlanView, printed_by: str, parent: QWidget | None) -> None:
        super().__init__(parent)
        named(self, "printPlanDialog", "Print the care plan")
        self.setWindowTitle("Print the care plan")
        self.setMinimumWidth(440)
        self._plan = plan
        self._printed_by = printed_by
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

    def _renderer(self) -> Callable[[], bytes]:
        """Reads the copy chosen here; the function reads only the frozen plan."""
        from ltcdesk.reports.care_plan import render_care_plan_pdf

        options, _suffix = self._kind()
        plan, printed_by = self._plan, self._printed_by
        return lambda: render_care_plan_pdf(
            plan, **options, printed_by=printed_by, printed_at=datetime.now()
        )

    def _on_save_button_clicked(self) -> None:
        _options, suffix = self._kind()
        plan = self._plan
        name = safe_file_name(f"Care plan {plan.patient_name} v{plan.version}{suffix}", "care plan")
        self._save_pdf("Save the care plan as PDF", Path.home() / f"{name}.pdf")

    def _on_preview_button_clicked(self) -> None:
        self._preview_pdf("ltcdesk-plan-", f"care-plan-v{self._plan.version}.pdf")
