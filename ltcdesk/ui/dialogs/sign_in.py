"""Start-up dialogs: the database passphrase, a new database, the first administrator, and
signing in. Each takes the call that does the work, so it can be tested with the real
services and knows nothing of how they are built."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from PySide6.QtWidgets import (
    QCheckBox,
    QDialog,
    QFormLayout,
    QLabel,
    QLineEdit,
    QVBoxLayout,
    QWidget,
)

from ltcdesk.domain.errors import DomainError, ValidationError
from ltcdesk.ui.widgets import ERROR_STYLE, button_row, field_message


def _line(name: str, accessible: str, *, secret: bool = False) -> QLineEdit:
    edit = QLineEdit()
    edit.setObjectName(name)
    edit.setAccessibleName(accessible)
    if secret:
        edit.setEchoMode(QLineEdit.EchoMode.Password)
    return edit


class _Dialog(QDialog):
    """A form, a red message line under it, and OK / Cancel."""

    def __init__(self, name: str, title: str, ok_text: str, parent: QWidget | None) -> None:
        super().__init__(parent)
        self.setObjectName(name)
        self.setWindowTitle(title)
        self.setAccessibleName(title)
        self.intro = QLabel()
        self.intro.setWordWrap(True)
        self.intro.hide()
        self.form = QFormLayout()
        self.error = QLabel()
        self.error.setObjectName(f"{name}Error")
        self.error.setAccessibleName("Problem")
        self.error.setStyleSheet(ERROR_STYLE)
        self.error.setWordWrap(True)
        self.error.hide()
        self.ok_button, self.cancel_button, buttons = button_row(
            ok_text, f"{name}Ok", ok_text, f"{name}Cancel", "Cancel"
        )
        self.ok_button.clicked.connect(self._on_ok_clicked)
        self.cancel_button.clicked.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(self.intro)
        layout.addLayout(self.form)
        layout.addWidget(self.error)
        layout.addLayout(buttons)
        self.setMinimumWidth(self.fontMetrics().averageCharWidth() * 60)

    def say(self, text: str) -> None:
        self.intro.setText(text)
        self.intro.show()

    def show_error(self, text: str) -> None:
        self.error.setText(text)
        self.error.setVisible(bool(text))

    def _on_ok_clicked(self) -> None:
        try:
            self.attempt()
        except ValidationError as err:
            self.show_error(field_message(err))
        except DomainError as err:
            self.show_error(str(err))
        else:
            self.accept()

    def attempt(self) -> None:
        raise NotImplementedError


class SignInDialog(_Dialog):
    """``sign_in(username, password)`` returns who signed in or raises a DomainError."""

    def __init__(
        self,
        sign_in: Callable[[str, str], Any],
        username: str = "",
        parent: QWidget | None = None,
        *,
        title: str = "Sign in to ltcdesk",
    ) -> None:
        super().__init__("signInDialog", title, "Sign in", parent)
        self._sign_in = sign_in
        self.signed_in: Any = None
        self.username = _line("signInUsername", "Username")
        self.username.setText(username)
        self.password = _line("signInPassword", "Password", secret=True)
        self.form.addRow("&Username", self.username)
        self.form.addRow("&Password", self.password)
        (self.password if username else self.username).setFocus()

    def attempt(self) -> None:
        try:
            self.signed_in = self._sign_in(self.username.text().strip(), self.password.text())
        except DomainError:
            self.password.clear()
            self.password.setFocus()
            raise


class FirstAdminDialog(_Dialog):
    """The first run on a new database: who administers it.
    ``create(username, display_name, password)`` returns who signed in."""

    def __init__(self, create: Callable[[str, str, str], Any], parent: QWidget | None = None):
        super().__init__("firstAdminDialog", "Set up ltcdesk", "Create administrator", parent)
        self._create = create
        self.signed_in: Any = None
        self.say(
            "This database has no accounts yet. Create the administrator, who adds the "
            "team's accounts. A password needs at least 10 characters, and may not be a "
            "common password or contain your name: three or four unrelated words are easy "
            "to remember and hard to guess."
        )
        self.username = _line("adminUsername", "Administrator username")
        self.display_name = _line("adminName", "Administrator full name")
        self.password = _line("adminPassword", "Password", secret=True)
        self.confirm = _line("adminPasswordAgain", "Password again", secret=True)
        self.form.addRow("&Username", self.username)
        self.form.addRow("Full &name", self.display_name)
        self.form.addRow("&Password", self.password)
        self.form.addRow("Password &again", self.confirm)

    def attempt(self) -> None:
        if self.password.text() != self.confirm.text():
            raise ValidationError("password", "The two passwords are different.")
        self.signed_in = self._create(
            self.username.text().strip(), self.display_name.text().strip(), self.password.text()
        )


class PassphraseDialog(_Dialog):
    """An encrypted database: ``unlock(passphrase)`` opens it or raises a DomainError."""

    def __init__(
        self, where: str, unlock: Callable[[str], Any], parent: QWidget | None = None
    ) -> None:
        super().__init__("passphraseDialog", "Unlock the database", "Unlock", parent)
        self._unlock = unlock
        self.opened: Any = None
        self.say(f"{where} is encrypted. Enter the database passphrase.")
        self.passphrase = _line("databasePassphrase", "Database passphrase", secret=True)
        self.form.addRow("&Passphrase", self.passphrase)

    def attempt(self) -> None:
        try:
            self.opened = self._unlock(self.passphrase.text())
        except DomainError:
            self.passphrase.clear()
            raise


class NewDatabaseDialog(_Dialog):
    """Creating a database from the GUI: encrypted unless the user says otherwise."""

    def __init__(self, where: str, parent: QWidget | None = None) -> None:
        super().__init__("newDatabaseDialog", "New database", "Create", parent)
        self.say(
            f"ltcdesk will create a new database at {where}. Encrypting it means a lost "
            "laptop exposes nothing: the passphrase is asked for at every start."
        )
        self.encrypt = QCheckBox("&Encrypt the database (recommended)")
        self.encrypt.setObjectName("encryptDatabase")
        self.encrypt.setAccessibleName("Encrypt the database")
        self.encrypt.setChecked(True)
        self.passphrase = _line("newPassphrase", "Database passphrase", secret=True)
        self.confirm = _line("newPassphraseAgain", "Database passphrase again", secret=True)
        self.form.addRow(self.encrypt)
        self.form.addRow("&Passphrase", self.passphrase)
        self.form.addRow("Passphrase &again", self.confirm)
        self.encrypt.toggled.connect(self.passphrase.setEnabled)
        self.encrypt.toggled.connect(self.confirm.setEnabled)

    @property
    def chosen_passphrase(self) -> str | None:
        return self.passphrase.text() if self.encrypt.isChecked() else None

    def attempt(self) -> None:
        if not self.encrypt.isChecked():
            return
        if len(self.passphrase.text()) < 10:
            raise ValidationError("passphrase", "The passphrase needs at least 10 characters.")
        if self.passphrase.text() != self.confirm.text():
            raise ValidationError("passphrase", "The two passphrases are different.")
