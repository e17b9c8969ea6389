"""The main window: a navigation rail, the current view, and a status bar."""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtCore import QByteArray, QSettings, Qt
from PySide6.QtWidgets import (
    QHBoxLayout,
    QLabel,
    QListWidget,
    QMainWindow,
    QStackedWidget,
    QWidget,
)

if TYPE_CHECKING:
    from ltcdesk.app import Services

SECTIONS = (
    "My caseload",
    "Team caseloads",
    "Patients",
    "Reminders",
    "Meetings",
    "Case finding",
    "Dashboard",
)


class MainWindow(QMainWindow):
    def __init__(self, services: Services) -> None:
        super().__init__()
        self._services = services
        self.setObjectName("mainWindow")
        self.setWindowTitle("ltcdesk")
        self.setAccessibleName("ltcdesk main window")

        central = QWidget()
        layout = QHBoxLayout(central)
        self.nav = QListWidget()
        self.nav.setObjectName("navRail")
        self.nav.setAccessibleName("Navigation")
        self.nav.addItems(SECTIONS)
        self.nav.setFixedWidth(180)
        self.stack = QStackedWidget()
        for name in SECTIONS:
            label = QLabel(f"{name} — coming soon")
            label.setAlignment(Qt.AlignmentFlag.AlignCenter)
            self.stack.addWidget(label)
        self.nav.currentRowChanged.connect(self.stack.setCurrentIndex)
        self.nav.setCurrentRow(0)
        layout.addWidget(self.nav)
        layout.addWidget(self.stack, 1)
        self.setCentralWidget(central)

        me = services.username
        self.statusBar().addPermanentWidget(QLabel(f"Signed in as {me}"))
        self.statusBar().addWidget(QLabel(f"Database: {services.db.display_name}"))
        self._restore_geometry()

    def _restore_geometry(self) -> None:
        geometry = QSettings().value("mainWindow/geometry")
        if isinstance(geometry, QByteArray):
            self.restoreGeometry(geometry)
        else:
            self.resize(1280, 760)

    def closeEvent(self, event: object) -> None:
        QSettings().setValue("mainWindow/geometry", self.saveGeometry())
        super().closeEvent(event)  # type: ignore[arg-type]
