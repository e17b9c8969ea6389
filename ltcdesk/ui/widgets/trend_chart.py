"""A small chart of one goal's importance and confidence across follow-ups and reviews.

Importance is a solid line with round markers, confidence a dashed line with square ones,
so the two read apart in greyscale and to someone who cannot tell blue from orange; the
accessible description says the trend in words and the tooltip lists every score.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date

from PySide6.QtCore import QPointF, QRectF, QSize, Qt
from PySide6.QtGui import QBrush, QColor, QPainter, QPainterPath, QPaintEvent, QPen
from PySide6.QtWidgets import QSizePolicy, QWidget

from ltcdesk.services.careplan_views import LABELS, SCORE_MAX, SCORE_MIN, ScorePoint

IMPORTANCE_COLOUR = QColor("#005eb8")  # NHS blue
CONFIDENCE_COLOUR = QColor("#b35900")  # dark orange: tells apart from blue in all colour vision
_GRID = QColor("#d0d7de")
_AXIS_TEXT = QColor("#57606a")
EMPTY_TEXT = "No scores yet"


def _dmy(day: date) -> str:
    return day.strftime("%d/%m/%Y")


def _span(name: str, first: int, last: int) -> str:
    return f"{name} {first} to {last}" if first != last else f"{name} steady at {first}"


def describe_trend(points: Sequence[ScorePoint]) -> str:
    """The trend in words, e.g. "Importance 6 to 8, confidence 3 to 7 over 3 follow-ups"."""
    if not points:
        return EMPTY_TEXT
    first, last = points[0], points[-1]
    if len(points) == 1:
        return (
            f"Importance {first.importance}, confidence {first.confidence},"
            f" scored once on {_dmy(first.on)}"
        )
    importance = _span("Importance", first.importance, last.importance)
    confidence = _span("confidence", first.confidence, last.confidence)
    return (
        f"{importance}, {confidence} over {len(points)} follow-ups,"
        f" {_dmy(first.on)} to {_dmy(last.on)}"
    )


def list_points(points: Sequence[ScorePoint]) -> str:
    """Every score, one line each, for the tooltip."""
    if not points:
        return EMPTY_TEXT
    lines = [
        f"{_dmy(p.on)}: importance {p.importance}, confidence {p.confidence}"
        f" ({LABELS.get(p.status, p.status)})"
        for p in points
    ]
    return "\n".join(lines)


class TrendChart(QWidget):
    """Importance and confidence (0–10) against the date each was recorded."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._points: tuple[ScorePoint, ...] = ()
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Preferred)
        self.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        self.set_points(())

    def set_points(self, points: Sequence[ScorePoint]) -> None:
        self._points = tuple(sorted(points, key=lambda p: p.on))
        self.setAccessibleDescription(describe_trend(self._points))
        self.setToolTip(list_points(self._points))
        self.update()

    def points(self) -> tuple[ScorePoint, ...]:
        return self._points

    def sizeHint(self) -> QSize:
        metrics = self.fontMetrics()
        return QSize(metrics.averageCharWidth() * 44, metrics.height() * 9)

    def minimumSizeHint(self) -> QSize:
        metrics = self.fontMetrics()
        return QSize(metrics.averageCharWidth() * 28, metrics.height() * 6)

    # Drawing

    def paintEvent(self, event: QPaintEvent) -> None:
        painter = QPainter(self)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        painter.fillRect(self.rect(), QColor("#ffffff"))
        painter.setPen(QPen(_GRID, 1))
        painter.drawRect(QRectF(self.rect()).adjusted(0.5, 0.5, -0.5, -0.5))
        if not self._points:
            painter.setPen(_AXIS_TEXT)
            painter.drawText(self.rect(), Qt.AlignmentFlag.AlignCenter, EMPTY_TEXT)
            return
        metrics = self.fontMetrics()
        line = metrics.height()
        pad = max(4, line // 3)
        marker = max(3.0, line / 4)
        legend_bottom = pad + line
        self._draw_legend(painter, pad, marker)
        plot = QRectF(
            pad + metrics.horizontalAdvance("10") + pad,
            legend_bottom + pad + marker,
            0,
            0,
        )
        plot.setRight(self.width() - pad - 2 * marker - 1)  # room for the last square
        plot.setBottom(self.height() - pad - line - marker)
        if plot.width() < 10 or plot.height() < 10:
            return
        self._draw_axes(painter, plot, pad)
        xs = self._x_positions(plot)
        self._draw_series(painter, xs, [p.confidence for p in self._points], plot, marker, False)
        self._draw_series(painter, xs, [p.importance for p in self._points], plot, marker, True)

    def _y(self, plot: QRectF, score: int) -> float:
        return plot.bottom() - (score - SCORE_MIN) / (SCORE_MAX - SCORE_MIN) * plot.height()

    def _x_positions(self, plot: QRectF) -> list[float]:
        """By date, so a long gap between follow-ups looks long."""
        first, last = self._points[0].on, self._points[-1].on
        days = (last - first).days
        if days == 0:
            return [plot.center().x()] * len(self._points)
        return [plot.left() + (p.on - first).days / days * plot.width() for p in self._points]

    def _draw_axes(self, painter: QPainter, plot: QRectF, pad: int) -> None:
        metrics = self.fontMetrics()
        for score in range(SCORE_MIN, SCORE_MAX + 1, 2):
            y = self._y(plot, score)
            painter.setPen(
                QPen(_GRID, 1, Qt.PenStyle.SolidLine if score % 10 == 0 else Qt.PenStyle.DotLine)
            )
            painter.drawLine(QPointF(plot.left(), y), QPointF(plot.right(), y))
        painter.setPen(_AXIS_TEXT)
        for score in (SCORE_MIN, 5, SCORE_MAX):
            y = self._y(plot, score)
            box = QRectF(pad, y - metrics.height() / 2, plot.left() - 2 * pad, metrics.height())
            painter.drawText(
                box, Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter, str(score)
            )
        first, last = self._points[0].on, self._points[-1].on
        top = self.height() - pad - metrics.height()
        label_box = QRectF(pad, top, self.width() - 2 * pad, metrics.height())
        align = Qt.AlignmentFlag.AlignVCenter
        if first == last:
            painter.drawText(
                label_box, align | Qt.AlignmentFlag.AlignHCenter, first.strftime("%d/%m/%y")
            )
            return
        painter.drawText(label_box, align | Qt.AlignmentFlag.AlignLeft, first.strftime("%d/%m/%y"))
        painter.drawText(label_box, align | Qt.AlignmentFlag.AlignRight, last.strftime("%d/%m/%y"))

    def _draw_series(
        self,
        painter: QPainter,
        xs: list[float],
        scores: list[int],
        plot: QRectF,
        marker: float,
        importance: bool,
    ) -> None:
        colour = IMPORTANCE_COLOUR if importance else CONFIDENCE_COLOUR
        style = Qt.PenStyle.SolidLine if importance else Qt.PenStyle.DashLine
        points = [QPointF(x, self._y(plot, s)) for x, s in zip(xs, scores, strict=True)]
        if len(points) > 1:
            path = QPainterPath(points[0])
            for point in points[1:]:
                path.lineTo(point)
            painter.setPen(QPen(colour, 2, style))
            painter.setBrush(Qt.BrushStyle.NoBrush)
            painter.drawPath(path)
        for point in points:
            self._draw_marker(painter, point, marker, importance)

    @staticmethod
    def _draw_marker(painter: QPainter, at: QPointF, size: float, importance: bool) -> None:
        """A filled circle (importance) or a larger hollow square (confidence): where the
        two scores are equal the circle sits inside the square and both stay visible."""
        if importance:
            painter.setPen(QPen(IMPORTANCE_COLOUR, 1))
            painter.setBrush(QBrush(IMPORTANCE_COLOUR))
            painter.drawEllipse(at, size, size)
        else:
            half = size + 2
            painter.setPen(QPen(CONFIDENCE_COLOUR, 2))
            painter.setBrush(QBrush(QColor("#ffffff")))
            painter.drawRect(QRectF(at.x() - half, at.y() - half, 2 * half, 2 * half))

    def _draw_legend(self, painter: QPainter, pad: int, marker: float) -> None:
        metrics = self.fontMetrics()
        sample = metrics.averageCharWidth() * 3
        x = float(pad + metrics.horizontalAdvance("10") + pad)
        y = pad + metrics.height() / 2
        for importance, name in ((True, "Importance"), (False, "Confidence")):
            colour = IMPORTANCE_COLOUR if importance else CONFIDENCE_COLOUR
            style = Qt.PenStyle.SolidLine if importance else Qt.PenStyle.DashLine
            painter.setPen(QPen(colour, 2, style))
            painter.drawLine(QPointF(x, y), QPointF(x + sample, y))
            self._draw_marker(painter, QPointF(x + sample / 2, y), marker, importance)
            x += sample + pad
            painter.setPen(QColor("#1f2328"))
            text_box = QRectF(x, pad, metrics.horizontalAdvance(name) + 2, metrics.height())
            painter.drawText(text_box, Qt.AlignmentFlag.AlignVCenter, name)
            x += text_box.width() + 3 * pad
