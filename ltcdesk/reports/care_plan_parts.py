"""Pieces of the printed care plan that are not text: the 0–10 score scale, tick boxes, the
green/amber/red colours, and plain-English dates and shortening.

Every drawing says the same thing in words next to it ("Importance 8 out of 10", "Done on
12 October 2026", "Amber"), so a plan printed in black and white, or read aloud by a screen
reader from the PDF text, loses nothing.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from xml.sax.saxutils import escape

from reportlab.lib import colors
from reportlab.lib.units import mm
from reportlab.platypus import Flowable

from ltcdesk.reports.base import NHS_BLUE, NHS_DARK_GREY, clean, uk_date
from ltcdesk.services.careplan_views import SCORE_MAX, SCORE_MIN, ActionStep, ContingencyRow

# NHS identity palette. Amber takes black text (white on amber is unreadable); green and
# red take white. The tints fill the rest of a contingency row.
RAG_COLOURS: dict[str, tuple[colors.Color, colors.Color, colors.Color]] = {
    # level: (strong, text on strong, tint)
    "green": (colors.HexColor("#007F3B"), colors.white, colors.HexColor("#E3F1E8")),
    "amber": (colors.HexColor("#FFB81C"), colors.black, colors.HexColor("#FFF4D9")),
    "red": (colors.HexColor("#DA291C"), colors.white, colors.HexColor("#FBE4E2")),
}
RAG_ORDER = ("green", "amber", "red")
# What each level means, in the person's words.
RAG_MEANING = {
    "green": "I am keeping well",
    "amber": "I am getting worse",
    "red": "Emergency",
}

_MONTHS = (
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
)


def long_date(value: date | None, missing: str = "not set") -> str:
    """``3 February 2027``: clearer to read than 03/02/2027, and not locale-dependent."""
    if value is None:
        return missing
    return f"{value.day} {_MONTHS[value.month - 1]} {value.year}"


def step_when(step: ActionStep) -> str | None:
    """When a step is done, and by when if the person set a date: "After breakfast, by
    05/12/2026" (the date as on the person's calendar, short enough for a narrow column)."""
    by = f"by {uk_date(step.due_on)}" if step.due_on is not None else None
    return ", ".join(x for x in (step.when, by) if x) or None


def esc(text: str | None) -> str:
    """User text for a Paragraph: escaped, NFC, "—" if empty, line breaks kept."""
    return escape(clean(text)).replace("\n", "<br/>")


def sorted_contingency(rows: Sequence[ContingencyRow]) -> list[ContingencyRow]:
    """Green, then amber, then red (any other level last), keeping the order within each."""
    rank = {level: n for n, level in enumerate(RAG_ORDER)}
    return sorted(rows, key=lambda row: rank.get(row.level, len(RAG_ORDER)))


def first_of_each_level(rows: Sequence[ContingencyRow], count: int) -> list[ContingencyRow]:
    """At most ``count`` rows, the first of each level before any second one (a summary
    with room for three shows green, amber and red), in green, amber, red order."""
    firsts: dict[str, ContingencyRow] = {}
    for row in rows:
        firsts.setdefault(row.level, row)
    rest = [row for row in rows if firsts[row.level] is not row]
    return sorted_contingency([*firsts.values(), *rest][:count])


def shorten(text: str | None, limit: int) -> tuple[str, bool]:
    """``text`` cut at a word to at most ``limit`` characters ending in "…", and whether it
    was cut. Whitespace runs (line breaks typed in a note) become single spaces."""
    flat = " ".join((text or "").split())
    if len(flat) <= limit:
        return flat, False
    cut = flat[: max(limit - 1, 1)]
    if flat[len(cut)] != " " and " " in cut[len(cut) // 2 :]:  # not mid-word
        cut = cut[: cut.rindex(" ")]
    return cut.rstrip(" ,;:.–—-") + "…", True


class ScoreScale(Flowable):
    """Eleven boxes numbered 0 to 10 with the chosen one filled in dark blue.

    The filled box has white bold figures and a thicker border, so it stands out on a
    black-and-white printout too. ``numbers=False`` draws small plain boxes (the summary).
    """

    def __init__(
        self,
        value: int,
        *,
        box: float,
        font: str,
        bold: str,
        font_size: float,
        numbers: bool = True,
        gap: float = 1 * mm,
    ) -> None:
        super().__init__()
        self.value = value
        self.box = box
        self.font = font
        self.bold = bold
        self.font_size = font_size
        self.numbers = numbers
        self.gap = gap

    @property
    def count(self) -> int:
        return SCORE_MAX - SCORE_MIN + 1

    def wrap(self, availWidth: float, availHeight: float) -> tuple[float, float]:
        self.width = self.count * self.box + (self.count - 1) * self.gap
        self.height = self.box
        return self.width, self.height

    def draw(self) -> None:
        canvas = self.canv
        for n in range(SCORE_MIN, SCORE_MAX + 1):
            x = (n - SCORE_MIN) * (self.box + self.gap)
            chosen = n == self.value
            canvas.setLineWidth(1.6 if chosen else 0.6)
            canvas.setStrokeColor(colors.black if chosen else NHS_DARK_GREY)
            canvas.setFillColor(NHS_BLUE if chosen else colors.white)
            canvas.rect(x, 0, self.box, self.box, stroke=1, fill=1)
            if self.numbers:
                canvas.setFillColor(colors.white if chosen else colors.black)
                canvas.setFont(self.bold if chosen else self.font, self.font_size)
                baseline = (self.box - self.font_size * 0.72) / 2
                canvas.drawCentredString(x + self.box / 2, baseline, str(n))


class CheckBox(Flowable):
    """A square, ticked or empty (drawn, so it needs no glyph from the font)."""

    def __init__(self, ticked: bool, size: float) -> None:
        super().__init__()
        self.ticked = ticked
        self.size = size

    def wrap(self, availWidth: float, availHeight: float) -> tuple[float, float]:
        self.width = self.height = self.size
        return self.size, self.size

    def draw(self) -> None:
        canvas, s = self.canv, self.size
        canvas.setStrokeColor(colors.black)
        canvas.setLineWidth(0.9)
        canvas.rect(0, 0, s, s, stroke=1, fill=0)
        if self.ticked:
            canvas.setLineWidth(max(s / 8, 1.4))
            canvas.setLineCap(1)
            canvas.setLineJoin(1)
            path = canvas.beginPath()
            path.moveTo(s * 0.2, s * 0.52)
            path.lineTo(s * 0.42, s * 0.25)
            path.lineTo(s * 0.82, s * 0.8)
            canvas.drawPath(path, stroke=1, fill=0)
