"""What every "print this" dialog does with its PDF: save it (in a worker thread), preview it
in the user's PDF viewer (a private temporary file in ltcdesk's own 0700 temporary folder,
``ltcdesk.paths.session_temp_dir``: deleted when ltcdesk closes, or at the next start if it
crashed), or print it on paper (pages rasterised by poppler, see ``ltcdesk.ui.printing``).

A dialog subclasses ``PdfOutputDialog``, builds ``save_button``, ``preview_button``,
``print_button``, ``status`` and ``printer``, and gives ``_renderer()``: a function made
on the GUI thread (reading the dialog's choices there) that builds the PDF from frozen data,
so it may run in a worker thread.
"""

from __future__ import annotations

import atexit
import re
import shutil
import tempfile
from collections.abc import Callable
from pathlib import Path

from PySide6.QtCore import Qt, QUrl
from PySide6.QtGui import QDesktopServices
from PySide6.QtPrintSupport import QPrintDialog, QPrinter
from PySide6.QtWidgets import QApplication, QDialog, QLabel, QPushButton, QWidget

from ltcdesk.domain.errors import DomainError
from ltcdesk.ui import tasks
from ltcdesk.ui.widgets import ERROR_STYLE, OK_STYLE

# A preview holds patient details: its file goes when ltcdesk closes (or, after a crash, at
# the next start: ltcdesk.leftovers), not whenever the system next clears its temp folder.
_PREVIEW_FOLDERS: list[Path] = []


@atexit.register
def _remove_previews() -> None:
    for folder in _PREVIEW_FOLDERS:
        shutil.rmtree(folder, ignore_errors=True)


def safe_file_name(text: str, fallback: str) -> str:
    """``text`` without the characters file systems refuse."""
    return re.sub(r'[\\/:*?"<>|]+', "", text).strip() or fallback


class PdfOutputDialog(QDialog):
    save_button: QPushButton
    preview_button: QPushButton
    print_button: QPushButton
    status: QLabel
    printer: QPrinter

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.saved_path: Path | None = None

    def _renderer(self) -> Callable[[], bytes]:
        raise NotImplementedError

    def _busy(self, busy: bool, message: str = "") -> None:
        for push in (self.save_button, self.preview_button, self.print_button):
            push.setEnabled(not busy)
        if message:
            self.status.setStyleSheet("")
            self.status.setText(message)

    def _save_pdf(self, title: str, suggested: Path) -> None:
        from PySide6.QtWidgets import QFileDialog

        path, _filter = QFileDialog.getSaveFileName(
            self, title, str(suggested), "PDF files (*.pdf)"
        )
        if not path:
            return
        if not path.lower().endswith(".pdf"):
            path += ".pdf"
        target = Path(path)
        self._busy(True, "Saving…")
        render = self._renderer()

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

    def _preview_pdf(self, prefix: str, name: str) -> None:
        self._busy(True, "Preparing the preview…")
        render = self._renderer()

        def work() -> Path:
            from ltcdesk import paths
            from ltcdesk.fileio import write_atomically

            # mkdtemp makes it 0700, inside this process's 0700 folder; the file is 0600.
            folder = Path(tempfile.mkdtemp(prefix=prefix, dir=paths.session_temp_dir()))
            _PREVIEW_FOLDERS.append(folder)
            return write_atomically(folder / name, render())

        tasks.run_task(work, self._on_preview_ready, self._on_failed, parent=self)

    def _on_preview_ready(self, path: Path) -> None:
        self._busy(False, "Opened in your PDF viewer; the file is deleted when ltcdesk closes.")
        QDesktopServices.openUrl(QUrl.fromLocalFile(str(path)))

    def _on_print_button_clicked(self) -> None:
        from ltcdesk.ui.printing import print_pdf

        chooser = QPrintDialog(self.printer, self)
        chooser.setObjectName("choosePrinterDialog")
        if chooser.exec() != QDialog.DialogCode.Accepted:
            return
        self._busy(True, "Printing…")
        QApplication.setOverrideCursor(Qt.CursorShape.WaitCursor)
        try:
            pages = print_pdf(self._renderer()(), self.printer)
        except DomainError as exc:
            self._busy(False)
            self.status.setStyleSheet(ERROR_STYLE)
            self.status.setText(str(exc))
            return
        finally:
            QApplication.restoreOverrideCursor()
        self._busy(False, f"Sent {pages} page{'s' if pages != 1 else ''} to the printer.")
