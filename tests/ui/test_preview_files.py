"""Print previews and pages for the printer are private files in ltcdesk's own temporary
folder (0600 in 0700 folders), whatever the umask, and the pages go once they are printed."""

from __future__ import annotations

import os
import stat
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from PySide6.QtPrintSupport import QPrinter
from PySide6.QtWidgets import QLabel, QPushButton

from ltcdesk import paths
from ltcdesk.ui import tasks
from ltcdesk.ui.dialogs import pdf_output
from ltcdesk.ui.dialogs.pdf_output import PdfOutputDialog

pytestmark = pytest.mark.skipif(os.name != "posix", reason="POSIX file modes")


def _mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


@pytest.fixture(autouse=True)
def _umask_022_and_synchronous_tasks() -> Iterator[None]:
    before = os.umask(0o022)
    tasks.set_synchronous(True)
    try:
        yield
    finally:
        tasks.set_synchronous(False)
        os.umask(before)


def _pdf() -> bytes:
    import io

    from reportlab.pdfgen import canvas

    out = io.BytesIO()
    page = canvas.Canvas(out)
    page.drawString(72, 720, "Care plan of a patient")
    page.showPage()
    page.save()
    return out.getvalue()


class _Dialog(PdfOutputDialog):
    def __init__(self) -> None:
        super().__init__()
        self.save_button = QPushButton("Save")
        self.preview_button = QPushButton("Preview")
        self.print_button = QPushButton("Print")
        self.status = QLabel()
        self.printer = QPrinter()

    def _renderer(self) -> Callable[[], bytes]:
        return _pdf


def test_a_preview_is_a_private_file_in_ltcdesks_temp_folder(qtbot, monkeypatch):
    opened: list[str] = []
    monkeypatch.setattr(
        pdf_output.QDesktopServices, "openUrl", lambda url: opened.append(url.toLocalFile())
    )
    dialog = _Dialog()
    qtbot.addWidget(dialog)
    dialog._preview_pdf("ltcdesk-plan-", "care-plan-v3.pdf")
    assert len(opened) == 1
    preview = Path(opened[0])
    assert preview.read_bytes().startswith(b"%PDF")
    assert preview.parent.parent == paths.session_temp_dir()
    assert paths.session_temp_dir().parent == paths.temp_dir()
    assert _mode(preview) == 0o600
    assert [_mode(f) for f in (preview.parent, preview.parent.parent, paths.temp_dir())] == [
        0o700
    ] * 3


def test_the_pages_sent_to_the_printer_are_private_and_then_removed(qtbot, tmp_path, monkeypatch):
    import shutil

    from ltcdesk.ui import printing

    if shutil.which("pdftoppm") is None:
        pytest.fail("poppler-utils (pdftoppm) is needed for this test")
    seen: dict[str, int] = {}
    real_run = printing.subprocess.run

    def watching(command, **kwargs):  # look at the files while pdftoppm has them
        done = real_run(command, **kwargs)
        folder = Path(command[-1]).parent
        seen["folder"] = _mode(folder)
        for page in folder.iterdir():
            seen[page.name] = _mode(page)
        seen["inside"] = int(folder.parent == paths.session_temp_dir())
        return done

    monkeypatch.setattr(printing.subprocess, "run", watching)
    printer = QPrinter()
    printer.setOutputFormat(QPrinter.OutputFormat.PdfFormat)
    printer.setOutputFileName(str(tmp_path / "printed.pdf"))
    assert printing.print_pdf(_pdf(), printer, dpi=50) == 1
    assert seen.pop("inside") == 1
    assert seen.pop("folder") == 0o700
    assert seen == {"document.pdf": 0o600, "page-1.png": 0o600}
    assert list(paths.session_temp_dir().glob("print-*")) == []  # removed once sent
