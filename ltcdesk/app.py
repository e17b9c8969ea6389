"""Composition root: opens the database, builds the services and the main window."""

from __future__ import annotations

import logging
import sys
from dataclasses import dataclass

from PySide6.QtWidgets import QApplication, QMessageBox

from ltcdesk.db import Database, is_empty, open_database
from ltcdesk.services.caseload import CaseloadService
from ltcdesk.services.patients import PatientService
from ltcdesk.services.setup import SetupService, ensure_admin
from ltcdesk.ui import tasks

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Services:
    """Everything the UI may call, bound to one database and one acting user."""

    db: Database
    username: str
    patients: PatientService
    caseload: CaseloadService
    setup: SetupService


def build_services(db: Database, username: str) -> Services:
    return Services(
        db=db,
        username=username,
        patients=PatientService(db.sessions, username),
        caseload=CaseloadService(db.sessions, username),
        setup=SetupService(db.sessions, username),
    )


def build_main_window(db: Database, username: str = "admin") -> object:
    """The main window over an open database (used by run_gui, tests and scripts)."""
    from ltcdesk.ui.main_window import MainWindow

    ensure_admin(db.sessions)
    return MainWindow(build_services(db, username))


def _install_excepthook() -> None:
    def hook(exc_type: type[BaseException], exc: BaseException, tb: object) -> None:
        log.error("unhandled error", exc_info=(exc_type, exc, tb))  # type: ignore[arg-type]
        from ltcdesk.paths import log_dir

        QMessageBox.critical(
            None,
            "Something went wrong",
            "ltcdesk hit an unexpected problem. Nothing you had saved is lost; "
            f"unsaved changes are still on screen.\n\nDetails are in {log_dir()}.",
        )

    sys.excepthook = hook


def offer_demo_data(db: Database, username: str, parent: object = None) -> bool:
    """On an empty database, ask whether to load the demo team. True if it was loaded."""
    if not is_empty(db):
        return False
    answer = QMessageBox.question(
        parent,  # type: ignore[arg-type]
        "Welcome to ltcdesk",
        "This database has no patients yet.\n\nLoad a demonstration team with 2,000 "
        "fictitious patients so you can try ltcdesk?",
        QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.No,
    )
    if answer != QMessageBox.StandardButton.Yes:
        return False
    from ltcdesk.services.demo import generate_demo

    generate_demo(db, patients=2000, actor_username=username)
    return True


def run_gui(target: str | None, username: str) -> int:
    app = QApplication.instance() or QApplication(sys.argv)
    app.setApplicationName("ltcdesk")
    app.setOrganizationName("ltcdesk")
    _install_excepthook()
    db = open_database(target)
    ensure_admin(db.sessions)
    offer_demo_data(db, username)
    window = build_main_window(db, username)
    window.show()  # type: ignore[attr-defined]
    status = app.exec()
    # A list may still be loading, or an export writing its file: let it finish before
    # the database closes under it.
    tasks.wait_for_all()
    db.dispose()
    return status
