"""A 0–10 score entered with one click or one key: eleven buttons in a row, ends labelled.

The row is one control for the keyboard and for screen readers: Tab reaches it once, digits
choose a score, the arrows and Home/End move it, and the accessible description says the
chosen score in words ("8 out of 10 (eight)"), since "8" alone is easy to mishear.
"""

from __future__ import annotations

import time
from collections.abc import Callable

from PySide6.QtCore import QEvent, QRectF, Qt, Signal
from PySide6.QtGui import (
    QFocusEvent,
    QFont,
    QFontMetrics,
    QKeyEvent,
    QPainter,
    QPaintEvent,
    QPalette,
    QPen,
)
from PySide6.QtWidgets import (
    QButtonGroup,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QSizePolicy,
    QVBoxLayout,
    QWidget,
)

from ltcdesk.services.careplan_views import SCORE_MAX, SCORE_MIN

# Typing "1" then "0" within this many seconds means 10, not 1 then 0.
TEN_WINDOW_S = 1.0

WORDS = (
    "zero",
    "one",
    "two",
    "three",
    "four",
    "five",
    "six",
    "seven",
    "eight",
    "nine",
    "ten",
)

_STYLE = """
QPushButton {
    background: #ffffff; color: #1f2328;
    border: 1px solid #8c959f; border-radius: 4px; padding: 3px 0px;
}
QPushButton:hover { background: #eef4fb; border-color: #005eb8; }
QPushButton:checked {
    background: #005eb8; color: #ffffff; border: 1px solid #003d78; font-weight: bold;
}
QPushButton:disabled { color: #8c959f; background: #f6f8fa; }
"""

# Room around the buttons for the focus ring, which is painted by the row itself because
# the buttons never take focus.
_RING = 3


def _lower_first(text: str) -> str:
    return text[:1].lower() + text[1:]


class ScoreScale(QWidget):
    """A 0–10 score, or None until one is chosen.

    ``low_label`` and ``high_label`` name the ends, e.g. "Not important" / "Extremely
    important". ``valueChanged`` carries the new score (an int, or None when cleared).
    """

    valueChanged = Signal(object)

    def __init__(
        self,
        low_label: str = "Not at all",
        high_label: str = "Extremely",
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self._value: int | None = None
        self._low = self._high = ""
        self._clock: Callable[[], float] = time.monotonic
        self._one_typed_at: float | None = None
        self.setFocusPolicy(Qt.FocusPolicy.StrongFocus)
        self.setStyleSheet(_STYLE)

        self._group = QButtonGroup(self)
        self._group.setExclusive(True)
        row = QHBoxLayout()
        row.setContentsMargins(0, 0, 0, 0)
        row.setSpacing(4)
        self._buttons: list[QPushButton] = []
        for score in range(SCORE_MIN, SCORE_MAX + 1):
            push = QPushButton(str(score))
            push.setObjectName(f"scoreButton{score}")
            push.setAccessibleName(f"{score} out of {SCORE_MAX}")
            push.setCheckable(True)
            # One tab stop for the whole row; the row handles the keys.
            push.setFocusPolicy(Qt.FocusPolicy.NoFocus)
            push.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Fixed)
            self._group.addButton(push, score)
            row.addWidget(push)
            self._buttons.append(push)
        self._group.idClicked.connect(self._on_group_id_clicked)

        self.low_label = QLabel()
        self.low_label.setObjectName("scoreLowLabel")
        self.high_label = QLabel()
        self.high_label.setObjectName("scoreHighLabel")
        self.high_label.setAlignment(Qt.AlignmentFlag.AlignRight)
        for label in (self.low_label, self.high_label):
            label.setStyleSheet("color: #57606a;")
        ends = QHBoxLayout()
        ends.setContentsMargins(0, 0, 0, 0)
        ends.addWidget(self.low_label)
        ends.addStretch(1)
        ends.addWidget(self.high_label)

        layout = QVBoxLayout(self)
        layout.setContentsMargins(_RING, _RING, _RING, _RING)
        layout.setSpacing(2)
        layout.addLayout(row)
        layout.addLayout(ends)
        self.setSizePolicy(QSizePolicy.Policy.Preferred, QSizePolicy.Policy.Fixed)
        self._size_buttons()
        self.set_end_labels(low_label, high_label)

    # The value

    def value(self) -> int | None:
        return self._value

    def setValue(self, value: int | None) -> None:  # camelCase as QSpinBox
        if value is not None and not SCORE_MIN <= value <= SCORE_MAX:
            raise ValueError(f"score must be {SCORE_MIN} to {SCORE_MAX}, not {value}")
        if value == self._value:
            return
        self._value = value
        if value is None:
            # An exclusive group will not uncheck its last button.
            self._group.setExclusive(False)
            for push in self._buttons:
                push.setChecked(False)
            self._group.setExclusive(True)
        else:
            self._buttons[value].setChecked(True)
        self._describe()
        self.valueChanged.emit(value)

    def set_end_labels(self, low_label: str, high_label: str) -> None:
        self._low, self._high = low_label, high_label
        self.low_label.setText(low_label)
        self.high_label.setText(high_label)
        self.low_label.setAccessibleName(f"0 means {_lower_first(low_label)}")
        self.high_label.setAccessibleName(f"10 means {_lower_first(high_label)}")
        self._describe()

    def _describe(self) -> None:
        ends = f"0 is {_lower_first(self._low)}, 10 is {_lower_first(self._high)}."
        if self._value is None:
            said = "Not scored yet."
        else:
            said = f"{self._value} out of {SCORE_MAX} ({WORDS[self._value]})."
        self.setAccessibleDescription(f"{said} {ends}")
        self.update()

    # Keyboard and mouse

    def keyPressEvent(self, event: QKeyEvent) -> None:
        text = event.text()
        key = event.key()
        if text.isdigit() and len(text) == 1:
            typed = int(text)
            now = self._clock()
            after_one = self._one_typed_at is not None and now - self._one_typed_at <= TEN_WINDOW_S
            self._one_typed_at = now if typed == 1 else None
            self.setValue(SCORE_MAX if typed == 0 and after_one else typed)
            event.accept()
            return
        self._one_typed_at = None
        current = self._value
        step = {
            Qt.Key.Key_Left: -1,
            Qt.Key.Key_Down: -1,
            Qt.Key.Key_Right: 1,
            Qt.Key.Key_Up: 1,
        }.get(Qt.Key(key))
        if step is not None:
            # From "not scored" either direction starts at 0, the left end.
            moved = SCORE_MIN if current is None else current + step
            self.setValue(max(SCORE_MIN, min(SCORE_MAX, moved)))
        elif key == Qt.Key.Key_Home:
            self.setValue(SCORE_MIN)
        elif key == Qt.Key.Key_End:
            self.setValue(SCORE_MAX)
        elif key in (Qt.Key.Key_Delete, Qt.Key.Key_Backspace):
            self.setValue(None)
        else:
            super().keyPressEvent(event)
            return
        event.accept()

    def _on_group_id_clicked(self, score: int) -> None:
        self.setFocus(Qt.FocusReason.MouseFocusReason)
        self._one_typed_at = None
        self.setValue(score)

    # Looks

    def _size_buttons(self) -> None:
        """Buttons wide enough for a bold "10" in the current font, so it scales with it."""
        bold = QFont(self.font())
        bold.setBold(True)
        metrics = QFontMetrics(bold)
        width = metrics.horizontalAdvance("10") + metrics.averageCharWidth() + 4
        height = metrics.height() + 12
        for push in self._buttons:
            push.setMinimumWidth(width)
            push.setFixedHeight(height)

    def changeEvent(self, event: QEvent) -> None:
        super().changeEvent(event)
        if event.type() == QEvent.Type.FontChange:
            self._size_buttons()

    def focusInEvent(self, event: QFocusEvent) -> None:
        super().focusInEvent(event)
        self._one_typed_at = None
        self.update()

    def focusOutEvent(self, event: QFocusEvent) -> None:
        super().focusOutEvent(event)
        self.update()

    def paintEvent(self, event: QPaintEvent) -> None:
        super().paintEvent(event)
        if not self.hasFocus():
            return
        painter = QPainter(self)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        colour = self.palette().color(QPalette.ColorRole.Highlight)
        painter.setPen(QPen(colour, 2))
        top = self._buttons[0].geometry()
        bottom = self._buttons[-1].geometry()
        ring = QRectF(top.topLeft().toPointF(), bottom.bottomRight().toPointF())
        painter.drawRoundedRect(ring.adjusted(-2, -2, 2, 2), 5, 5)
