"""Printing a PDF the reports made on a real printer: poppler's pdftoppm turns each page
into an image, which is painted on the chosen QPrinter page by page. The PDF and the page
images live in a private folder inside ltcdesk's own temporary folder (0700,
``ltcdesk.paths.session_temp_dir``), removed as soon as the pages are sent; if ltcdesk is
killed meanwhile, the next start removes it (``ltcdesk.leftovers``)."""

from __future__ import annotations

import os
import shutil
import subprocess
import tempfile
from pathlib import Path

from PySide6.QtCore import Qt
from PySide6.QtGui import QImage, QPainter
from PySide6.QtPrintSupport import QPrinter

from ltcdesk import paths
from ltcdesk.domain.errors import DomainError

DPI = 200  # sharp text on paper, a second or two for a long plan


def print_pdf(pdf: bytes, printer: QPrinter, *, dpi: int = DPI) -> int:
    """Send every page of ``pdf`` to ``printer``; returns the number of pages printed."""
    tool = shutil.which("pdftoppm")
    if tool is None:
        raise DomainError(
            "Printing needs the poppler-utils package (pdftoppm). Save as PDF and print "
            "from your PDF viewer instead, or ask IT to install it."
        )
    with tempfile.TemporaryDirectory(prefix="print-", dir=paths.session_temp_dir()) as folder:
        source = Path(folder) / "document.pdf"
        with os.fdopen(paths.open_private(source), "wb") as out:
            out.write(pdf)
        try:
            subprocess.run(
                [tool, "-r", str(dpi), "-png", str(source), str(Path(folder) / "page")],
                check=True,
                capture_output=True,
                timeout=300,
                umask=0o077,  # the page images are 0600 too (POSIX; ignored elsewhere)
            )
        except (subprocess.SubprocessError, OSError) as exc:
            raise DomainError(f"The pages could not be prepared for printing ({exc}).") from exc
        pages = sorted(Path(folder).glob("page-*.png"), key=lambda p: int(p.stem.split("-")[-1]))
        painter = QPainter()
        if not painter.begin(printer):
            raise DomainError("The printer could not be started. Check it is switched on.")
        try:
            for number, page in enumerate(pages):
                if number:
                    printer.newPage()
                image = QImage(str(page))
                area = painter.viewport()
                size = image.size()
                size.scale(area.size(), Qt.AspectRatioMode.KeepAspectRatio)
                painter.setViewport(area.x(), area.y(), size.width(), size.height())
                painter.setWindow(image.rect())
                painter.drawImage(0, 0, image)
                painter.setViewport(area)
        finally:
            painter.end()
        return len(pages)
