"""Signing in, the first administrator, the screen lock and switching user, driven through
the real dialogs and window over the real account services."""

from __future__ import annotations

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QMessageBox, QToolBar

from ltcdesk import app
from ltcdesk.services.accounts import AccountAdmin, AccountService
from ltcdesk.services.patients import NewPatient
from ltcdesk.ui import tasks
from ltcdesk.ui.dialogs.sign_in import FirstAdminDialog, SignInDialog

PASSWORD = "correct horse battery"
NHS = "9434765919"


@pytest.fixture
def accounts(team):
    AccountAdmin(team.sessions, "admin").reset_password("matron1", PASSWORD)
    return AccountService(team.sessions)


def click(qtbot, button):
    qtbot.mouseClick(button, Qt.MouseButton.LeftButton)


def test_sign_in_with_the_right_password(qtbot, accounts):
    dialog = SignInDialog(accounts.sign_in, "matron1")
    qtbot.addWidget(dialog)
    qtbot.keyClicks(dialog.password, PASSWORD)
    click(qtbot, dialog.ok_button)
    assert dialog.result() == dialog.DialogCode.Accepted
    assert dialog.signed_in.username == "matron1"
    assert dialog.signed_in.role == "community_matron"


def test_wrong_passwords_then_lockout_are_explained_and_the_password_cleared(qtbot, accounts):
    dialog = SignInDialog(accounts.sign_in, "matron1")
    qtbot.addWidget(dialog)
    dialog.show()
    qtbot.keyClicks(dialog.password, "not my password")
    click(qtbot, dialog.ok_button)
    assert dialog.isVisible()
    assert dialog.error.text() == "Wrong username or password."
    assert dialog.password.text() == ""
    for _ in range(5):
        qtbot.keyClicks(dialog.password, "still not my password")
        click(qtbot, dialog.ok_button)
    assert "Too many wrong passwords" in dialog.error.text()
    # Locked: even the right password is refused until the delay has passed.
    qtbot.keyClicks(dialog.password, PASSWORD)
    click(qtbot, dialog.ok_button)
    assert dialog.signed_in is None
    assert "Too many wrong passwords" in dialog.error.text()


def test_first_administrator_needs_matching_passwords_of_ten_characters(qtbot, db):
    accounts = AccountService(db.sessions)
    assert accounts.needs_first_admin()
    dialog = FirstAdminDialog(accounts.create_first_admin)
    qtbot.addWidget(dialog)
    dialog.show()
    qtbot.keyClicks(dialog.username, "jo.admin")
    qtbot.keyClicks(dialog.display_name, "Jo Admin")
    qtbot.keyClicks(dialog.password, "short")
    qtbot.keyClicks(dialog.confirm, "short")
    click(qtbot, dialog.ok_button)
    assert dialog.isVisible()
    assert "10" in dialog.error.text()
    for weak, reason in [
        ("password12", "Password is one of the most common passwords"),
        ("jo.admin rules", "Password must not be or contain the username"),
        ("admin jo is me", "Password must not contain the person's name or username ('admin')"),
    ]:
        dialog.password.setText(weak)
        dialog.confirm.setText(weak)
        click(qtbot, dialog.ok_button)
        assert dialog.error.text().startswith(reason), dialog.error.text()
    assert accounts.needs_first_admin()
    dialog.password.setText(PASSWORD)
    dialog.confirm.setText(PASSWORD + "!")
    click(qtbot, dialog.ok_button)
    assert dialog.error.text() == "The two passwords are different."
    dialog.confirm.setText(PASSWORD)
    click(qtbot, dialog.ok_button)
    assert dialog.signed_in.username == "jo.admin"
    assert not accounts.needs_first_admin()
    assert accounts.sign_in("jo.admin", PASSWORD).role == "admin"


@pytest.fixture
def window(qtbot, team, accounts, monkeypatch):
    tasks.set_synchronous(True)
    services = app.build_services(team, "matron1")
    services.patients.register(NewPatient(NHS, "O'Kon", "María", "1941-03-12", "C82001"))
    win = app.build_main_window(
        team,
        "matron1",
        unlock=lambda password: accounts.sign_in("matron1", password),
        idle_minutes=0.002,  # 120 ms
    )
    qtbot.addWidget(win)
    win.show()
    yield win
    tasks.set_synchronous(False)


def test_idle_lock_hides_patients_and_keeps_unsaved_edits(qtbot, window):
    record = window.open_patient(NHS)
    record.phone_edit.setFocus()
    qtbot.keyClicks(record.phone_edit, "0116 496 0000")
    assert record.has_unsaved_changes()

    qtbot.waitUntil(lambda: window.locked, timeout=3000)
    assert window.lock_screen.isVisible()
    assert not record.isVisible()
    assert not window.tabs.isVisible()
    assert not any(bar.isVisible() for bar in window.findChildren(QToolBar))  # quick search
    assert not window.menuBar().isEnabled()

    screen = window.lock_screen
    qtbot.keyClicks(screen.password, "wrong password")
    click(qtbot, screen.unlock_button)
    assert window.locked
    assert screen.error.text() == "Wrong username or password."

    qtbot.keyClicks(screen.password, PASSWORD)
    qtbot.keyClick(screen.password, Qt.Key.Key_Return)
    assert not window.locked
    assert record.isVisible()
    assert record.phone_edit.text() == "0116 496 0000"
    assert record.has_unsaved_changes()


def test_switch_user_from_the_lock_screen_warns_about_unsaved_edits(qtbot, window, monkeypatch):
    record = window.open_patient(NHS)
    qtbot.keyClicks(record.phone_edit, "0116 496 0000")
    window.lock()
    asked: list[str] = []

    def answer(parent, title, text, *args):
        asked.append(text)
        assert "O'Kon" not in text  # nothing about the patient while locked
        return QMessageBox.StandardButton.Cancel

    monkeypatch.setattr(QMessageBox, "question", answer)
    click(qtbot, window.lock_screen.switch_button)
    assert asked == [
        "1 open patient record has unsaved changes. Switching user discards them. "
        "Unlock instead to save them first."
    ]
    assert window.isVisible()
    assert window.locked
    assert not window.switching_user

    monkeypatch.setattr(QMessageBox, "question", lambda *a: QMessageBox.StandardButton.Discard)
    with qtbot.waitSignal(window.switchUserRequested):
        click(qtbot, window.lock_screen.switch_button)
    assert not window.isVisible()
    assert window.switching_user


def test_audit_log_and_settings_are_offered_by_role(qtbot, team):
    tasks.set_synchronous(True)
    try:
        matron = app.build_main_window(team, "matron1")
        lead = app.build_main_window(team, "lead")
        admin = app.build_main_window(team, "admin", unlock=lambda password: None, idle_minutes=10)
        for win in (matron, lead, admin):
            qtbot.addWidget(win)
        action = "auditLogAction"
        assert not matron.findChild(type(matron.menuBar().actions()[0]), action).isEnabled()
        assert lead.findChild(type(lead.menuBar().actions()[0]), action).isEnabled()
        view = lead.open_audit_log()
        assert view.objectName() == "auditView"
        assert lead.tabs.currentWidget() is view
        assert lead.open_audit_log() is view  # one tab, reused

        settings = admin.findChild(type(admin.menuBar().actions()[0]), "settingsAction")
        assert settings.isEnabled()
        assert not lead.findChild(type(lead.menuBar().actions()[0]), "settingsAction").isEnabled()
        dialog = admin.open_settings()
        dialog.spins["idle_lock_minutes"].setValue(25)
        click(qtbot, dialog.ok_button)
        assert admin._services.settings.get("idle_lock_minutes") == 25
        assert admin.idle._limit_ms == 25 * 60_000
    finally:
        tasks.set_synchronous(False)


def test_a_new_database_from_the_gui_is_encrypted_and_needs_its_passphrase(
    qtbot, tmp_path, monkeypatch
):
    from ltcdesk.db import is_encrypted
    from ltcdesk.ui.dialogs import sign_in

    path = tmp_path / "team.db"
    phrase = "a long database passphrase"

    def create(dialog):
        assert dialog.encrypt.isChecked()  # on unless the user says otherwise
        dialog.passphrase.setText(phrase)
        dialog.confirm.setText(phrase)
        dialog._on_ok_clicked()
        return dialog.result()

    monkeypatch.setattr(sign_in.NewDatabaseDialog, "exec", create)
    db = app.open_for_gui(str(path))
    assert db is not None
    assert db.encrypted
    db.dispose()
    assert is_encrypted(path)

    tries = iter(["not the passphrase", phrase])
    errors: list[str] = []

    def unlock(dialog):
        for attempt in tries:
            dialog.passphrase.setText(attempt)
            dialog._on_ok_clicked()
            if dialog.result():
                return dialog.result()
            errors.append(dialog.error.text())
        return dialog.result()

    monkeypatch.setattr(sign_in.PassphraseDialog, "exec", unlock)
    reopened = app.open_for_gui(str(path))
    assert errors == ["The database passphrase is wrong. Nothing was changed."]
    assert reopened is not None
    reopened.dispose()
