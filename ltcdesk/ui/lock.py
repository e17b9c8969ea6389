"""Screen lock: after a quiet spell the window hides every patient detail until the same
person types their password again. Nothing underneath is closed, so unsaved edits survive.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from PySide6.QtCore import QElapsedTimer, QEvent, QObject, Qt, QTimer, Signal
from PySide6.QtWidgets import (
    QApplication,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from ltcdesk.domain.errors import DomainError
from ltcdesk.ui.widgets import ERROR_STYLE

# What counts as someone at the keyboard; mouse movement alone does not (a bumped desk).
_ACTIVITY = frozenset(
    {
        QEvent.Type.KeyPress,
        QEvent.Type.MouseButtonPress,
        QEvent.Type.Wheel,
        QEvent.Type.TouchBegin,
    }
)


class IdleWatcher(QObject):
    """Emits ``idle`` once after ``minutes`` without a key press, click or scroll anywhere
    in the application; ``reset`` starts the count again."""

    idle = Signal()

    def __init__(self, minutes: float, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._limit_ms = int(minutes * 60_000)
        self._quiet = QElapsedTimer()
        self._quiet.start()
        self._fired = False
        self._timer = QTimer(self)
        self._timer.setInterval(min(15_000, max(200, self._limit_ms // 4)))
        self._timer.timeout.connect(self._check)
        self._timer.start()
        app = QApplication.instance()
        if app is not None:
            app.installEventFilter(self)

    def set_minutes(self, minutes: float) -> None:
        self._limit_ms = int(minutes * 60_000)
        self._timer.setInterval(min(15_000, max(200, self._limit_ms // 4)))

    def reset(self) -> None:
        self._quiet.restart()
        self._fired = False

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if event.type() in _ACTIVITY:
            self._quiet.restart()
        return False

    def _check(self) -> None:
        if not self._fired and self._quiet.elapsed() >= self._limit_ms:
            self._fired = True
            self.idle.emit()

    def stop(self) -> None:
        self._timer.stop()
        app = QApplication.instance()
        if app is not None:
            app.removeEventFilter(self)


class LockScreen(QWidget):
    """objectName ``lockScreen``. ``unlock(password)`` raises a DomainError when wrong."""

    unlocked = Signal()
    switchUserRequested = Signal()

    def __init__(
        self, who: str, unlock: Callable[[str], Any], parent: QWidget | None = None
    ) -> None:
        super().__init__(parent)
        self._unlock = unlock
        self.setObjectName("lockScreen")
        self.setAccessibleName("Screen locked")
        title = QLabel("ltcdesk is locked")
        font = title.font()
        font.setPointSizeF(font.pointSizeF() * 1.6)
        font.setBold(True)
        title.setFont(font)
        # Lines broken by hand: a word-wrapped label in a centred box gets too little height.
        note = QLabel(
            "Locked to protect patient information.\n"
            f"{who}: enter your password to carry on where you left off.\n"
            "Nothing you were typing has been lost."
        )
        self.password = QLineEdit()
        self.password.setObjectName("unlockPassword")
        self.password.setAccessibleName("Password")
        self.password.setEchoMode(QLineEdit.EchoMode.Password)
        self.password.setPlaceholderText("Password")
        self.password.returnPressed.connect(self.try_unlock)
        self.error = QLabel()
        self.error.setObjectName("unlockError")
        self.error.setAccessibleName("Problem")
        self.error.setStyleSheet(ERROR_STYLE)
        self.error.setWordWrap(True)
        self.error.hide()
        self.unlock_button = QPushButton("&Unlock")
        self.unlock_button.setObjectName("unlockButton")
        self.unlock_button.setAccessibleName("Unlock")
        self.unlock_button.setDefault(True)
        self.unlock_button.clicked.connect(self.try_unlock)
        self.switch_button = QPushButton("&Switch user…")
        self.switch_button.setObjectName("switchUserButton")
        self.switch_button.setAccessibleName("Switch user")
        self.switch_button.clicked.connect(self.switchUserRequested)

        buttons = QHBoxLayout()
        buttons.addWidget(self.unlock_button)
        buttons.addWidget(self.switch_button)
        buttons.addStretch(1)
        box = QWidget()
        box.setMinimumWidth(self.fontMetrics().averageCharWidth() * 60)
        inner = QVBoxLayout(box)
        for widget in (title, note, self.password, self.error):
            inner.addWidget(widget)
        inner.addLayout(buttons)
        layout = QVBoxLayout(self)
        layout.addStretch(1)
        layout.addWidget(box, 0, Qt.AlignmentFlag.AlignHCenter)
        layout.addStretch(2)

    def prepare(self) -> None:
        self.password.clear()
        self.error.hide()
        self.password.setFocus(Qt.FocusReason.OtherFocusReason)

    def try_unlock(self) -> None:
        try:
            self._unlock(self.password.text())
        except DomainError as err:
            self.password.clear()
            self.error.setText(str(err))
            self.error.show()
            return
        self.password.clear()
        self.error.hide()
        self.unlocked.emit()
