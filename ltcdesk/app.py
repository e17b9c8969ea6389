"""Composition root: opens the database, builds the services and the main window."""

from __future__ import annotations

import logging
import sys
from collections.abc import Callable
from dataclasses import dataclass
from functools import partial
from pathlib import Path
from typing import Any

from PySide6.QtWidgets import QApplication, QDialog, QMessageBox

from ltcdesk.db import Database, is_empty, open_database
from ltcdesk.services.accounts import AccountAdmin, AccountService, SignedIn
from ltcdesk.services.assessments import AssessmentService
from ltcdesk.services.audit import AuditService
from ltcdesk.services.careplans import CarePlanService
from ltcdesk.services.caseload import CaseloadService
from ltcdesk.services.conversations import ConversationService
from ltcdesk.services.events import EventService
from ltcdesk.services.meetings import MeetingService
from ltcdesk.services.patients import PatientService
from ltcdesk.services.reminders import ReminderService
from ltcdesk.services.settings import SettingsService
from ltcdesk.services.setup import SetupService, ensure_admin
from ltcdesk.services.timeline import TimelineService
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
    accounts: AccountAdmin
    settings: SettingsService
    audit: AuditService
    careplans: CarePlanService
    assessments: AssessmentService
    conversations: ConversationService
    meetings: MeetingService
    reminders: ReminderService
    events: EventService
    timeline: TimelineService


def build_services(db: Database, username: str) -> Services:
    return Services(
        db=db,
        username=username,
        patients=PatientService(db.sessions, username),
        caseload=CaseloadService(db.sessions, username),
        setup=SetupService(db.sessions, username),
        accounts=AccountAdmin(db.sessions, username),
        settings=SettingsService(db.sessions, username),
        audit=AuditService(db.sessions, username),
        careplans=CarePlanService(db.sessions, username),
        assessments=AssessmentService(db.sessions, username),
        conversations=ConversationService(db.sessions, username),
        meetings=MeetingService(db.sessions, username),
        reminders=ReminderService(db.sessions, username),
        events=EventService(db.sessions, username),
        timeline=TimelineService(db.sessions, username),
    )


def build_main_window(
    db: Database,
    username: str = "admin",
    *,
    unlock: Callable[[str], Any] | None = None,
    idle_minutes: float | None = None,
) -> object:
    """The main window over an open database, acting as ``username`` (run_gui passes the
    person who signed in; tests and scripts call it directly). ``unlock(password)`` and
    ``idle_minutes`` turn on the screen lock."""
    from ltcdesk.ui.main_window import MainWindow

    ensure_admin(db.sessions)
    return MainWindow(build_services(db, username), unlock=unlock, idle_minutes=idle_minutes)


def _install_excepthook() -> None:
    def hook(exc_type: type[BaseException], exc: BaseException, tb: object) -> None:
        from ltcdesk.db_errors import busy_message, database_busy

        if database_busy(exc):
            # Not a fault: someone else's long task held the database past the wait.
            log.warning("database busy past the wait")
            message = busy_message()
            QMessageBox.warning(None, "Database busy", message[:1].upper() + message[1:])
            return
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
    """Open the database (asking for its passphrase if encrypted), sign in, show the
    window; "Switch user" closes it and signs the next person in."""
    app = QApplication.instance() or QApplication(sys.argv)
    app.setApplicationName("ltcdesk")
    app.setOrganizationName("ltcdesk")
    _install_excepthook()
    db = open_for_gui(target)
    if db is None:
        return 0
    from ltcdesk.leftovers import tidy_on_start

    told = tidy_on_start(db)  # what a killed encrypt, decrypt, rekey or preview left
    if told:
        QMessageBox.warning(None, "ltcdesk", "\n\n".join(m[:1].upper() + m[1:] for m in told))
    try:
        return _session_loop(app, db, username)  # type: ignore[arg-type]
    finally:
        # A list may still be loading, or an export writing its file: let it finish before
        # the database closes under it.
        tasks.wait_for_all()
        db.dispose()


def _session_loop(app: QApplication, db: Database, hint: str) -> int:
    from ltcdesk.ui.dialogs.sign_in import FirstAdminDialog, SignInDialog

    accounts = AccountService(db.sessions)
    signed: SignedIn | None = None
    if accounts.needs_first_admin():
        first = FirstAdminDialog(accounts.create_first_admin)
        if first.exec() != QDialog.DialogCode.Accepted:
            return 0
        signed = first.signed_in
        assert signed is not None
        offer_demo_data(db, signed.username)
    while True:
        if signed is None:
            dialog = SignInDialog(accounts.sign_in, hint)
            if dialog.exec() != QDialog.DialogCode.Accepted:
                return 0
            signed = dialog.signed_in
        assert signed is not None
        who = signed.username
        minutes = SettingsService(db.sessions, who).get("idle_lock_minutes")
        window: Any = build_main_window(
            db, who, unlock=partial(accounts.sign_in, who), idle_minutes=minutes
        )
        window.show()
        window.show_startup_summary()  # what is overdue and due today for this person
        start_auto_backup(db, window)
        status = app.exec()
        if not window.switching_user:
            return status
        window.deleteLater()
        signed, hint = None, ""


def open_for_gui(target: str | None) -> Database | None:
    """The database, encrypted or not; a new SQLite file is encrypted unless the user says
    otherwise. None if the user cancelled."""
    from ltcdesk.db import create_database, is_encrypted, resolve_target
    from ltcdesk.ui.dialogs.sign_in import NewDatabaseDialog, PassphraseDialog

    _url, path = resolve_target(target)
    if path is None:
        return open_database(target)
    if not Path(path).exists():
        new = NewDatabaseDialog(str(path))
        if new.exec() != QDialog.DialogCode.Accepted:
            return None
        return create_database(path, new.chosen_passphrase)
    if is_encrypted(path):
        unlock = PassphraseDialog(str(path), lambda phrase: open_database(path, passphrase=phrase))
        if unlock.exec() != QDialog.DialogCode.Accepted:
            return None
        opened: Database = unlock.opened
        return opened
    return open_database(path)


def start_auto_backup(db: Database, window: Any) -> None:
    """Today's backup, if not made yet, in the background; the status bar says when."""
    from ltcdesk.db import auto_backup, last_backup

    if db.sqlite_path is None:
        window.set_last_backup(None)
        return
    keep = SettingsService(db.sessions, window._services.username).get("backups_kept")

    def backup() -> Any:
        auto_backup(db, keep=keep)
        return last_backup(db)

    window.set_last_backup(last_backup(db))
    tasks.run_task(backup, window.set_last_backup, tasks.report_error, parent=window)
