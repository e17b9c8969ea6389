"""Printing the care plans of a whole caseload from the GUI: one PDF per person into a
folder, with a progress bar and Cancel (files already written are kept whole)."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path
from typing import Any

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication, QProgressDialog, QWidget

from ltcdesk.reports.care_plan_batch import export_plans


def export_caseload_plans(
    parent: QWidget | None,
    careplans: Any,
    worker: str,
    folder: Path,
    printed_by: str,
    *,
    large_print: bool = False,
) -> tuple[int, int]:
    """Write the agreed plans of ``worker``'s caseload into ``folder``. Returns (written,
    total). Each file takes a few tens of milliseconds, so the loop runs here and keeps the
    window responsive between files."""
    plans = careplans.plans_for_caseload(worker)
    progress = QProgressDialog("Preparing care plans…", "Cancel", 0, max(1, len(plans)), parent)
    progress.setObjectName("carePlanBatchProgress")
    progress.setAccessibleName("Printing care plans")
    progress.setWindowTitle("Print care plans")
    progress.setWindowModality(Qt.WindowModality.WindowModal)
    progress.setMinimumDuration(0)

    def step(done: int, total: int) -> None:
        progress.setMaximum(max(1, total))
        progress.setValue(done)
        progress.setLabelText(f"Written {done} of {total} care plans…")
        QApplication.processEvents()

    written = export_plans(
        plans,
        folder,
        large_print=large_print,
        printed_by=printed_by,
        printed_at=datetime.now(),
        progress=step,
        cancelled=progress.wasCanceled,
    )
    progress.close()
    return len(written), len(plans)
