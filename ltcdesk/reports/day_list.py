"""A worker's printed day list for home visits (issue 8): A4 portrait.

What is due on the day and everything still overdue by then, one block per person (a home
visit sees the person once, whatever is due for them): the person's name and NHS number,
then each reminder with a box to tick, what is due and why, when it was due ("OVERDUE" in
words, for a greyscale printer), and ruled space to write notes. People with something
urgent come first, then those with something overdue, then by the earliest due date.

The reminders are given as the service computed them (``ReminderService.worklist``); any
due after ``day`` are left out, so the whole worklist may be passed.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import date, datetime
from typing import Protocol
from xml.sax.saxutils import escape

from reportlab.lib import colors
from reportlab.lib.units import mm
from reportlab.platypus import Flowable, Paragraph, Spacer, Table, TableStyle

from ltcdesk.domain.nhs_number import format_nhs
from ltcdesk.reports.base import (
    DASH,
    NHS_BLUE,
    NHS_DARK_GREY,
    RULE,
    BaseReportRenderer,
    WritingLines,
    clean,
    uk_date,
)

TITLE = "Day list"
WEEKDAYS = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")
PERSON_TINT = colors.HexColor("#E8EDEE")
OVERDUE_TINT = colors.HexColor("#FFF4D9")
NOTES_HEIGHT = 13 * mm  # two handwritten lines per reminder
BOX = 4.2 * mm


class DayReminder(Protocol):
    """What the day list reads of a reminder (``services.reminders.Reminder``)."""

    @property
    def key(self) -> str: ...
    @property
    def nhs_number(self) -> str: ...
    @property
    def patient_name(self) -> str: ...
    @property
    def what(self) -> str: ...
    @property
    def why(self) -> str: ...
    @property
    def due(self) -> date: ...
    @property
    def urgent(self) -> bool: ...
    @property
    def covering_for(self) -> str | None: ...
    @property
    def note(self) -> str | None: ...


def long_date(day: date) -> str:
    return f"{WEEKDAYS[day.weekday()]} {uk_date(day)}"


def overdue_words(due: date, day: date) -> str:
    days = (day - due).days
    return f"OVERDUE: due {uk_date(due)} ({days} day{'s' if days != 1 else ''} ago)"


def people_for_day(
    reminders: Iterable[DayReminder], day: date
) -> list[tuple[str, list[DayReminder]]]:
    """(NHS number, that person's reminders due by ``day``), in visiting-priority order."""
    by_person: dict[str, list[DayReminder]] = {}
    for r in reminders:
        if r.due <= day:
            by_person.setdefault(r.nhs_number, []).append(r)
    for items in by_person.values():
        items.sort(key=lambda r: (not r.urgent, r.due, r.what, r.key))

    def priority(entry: tuple[str, list[DayReminder]]) -> tuple[bool, bool, date, str]:
        items = entry[1]
        return (
            not any(r.urgent for r in items),
            not any(r.due < day for r in items),
            min(r.due for r in items),
            items[0].patient_name.casefold(),
        )

    return sorted(by_person.items(), key=priority)


def _e(text: str | None) -> str:
    return escape(clean(text))


class TickBox(Flowable):
    """An empty square to tick by hand."""

    def __init__(self, size: float = BOX) -> None:
        super().__init__()
        self.size = size

    def wrap(self, available_width: float, available_height: float) -> tuple[float, float]:
        return self.size, self.size

    def draw(self) -> None:
        c = self.canv
        c.saveState()
        c.setStrokeColor(NHS_DARK_GREY)
        c.setLineWidth(0.8)
        c.rect(0, 0, self.size, self.size)
        c.restoreState()


class DayListReport(BaseReportRenderer):
    margin_left = 14 * mm
    margin_right = 14 * mm
    header_bold = True
    # (heading, share of the frame width)
    COLUMNS = (("Done", 0.07), ("What is due and why", 0.5), ("Notes", 0.43))

    def __init__(
        self,
        reminders: Iterable[DayReminder],
        *,
        worker_name: str,
        day: date,
        printed_by: str,
        printed_at: datetime,
    ) -> None:
        self.worker_name = clean(worker_name)
        self.day = day
        self.people = people_for_day(reminders, day)
        super().__init__(
            title=f"{TITLE} — {self.worker_name}, {long_date(day)}",
            printed_by=printed_by,
            printed_at=printed_at,
        )
        st = self.styles
        st.add(st["body"].clone("label", fontName=self.fonts.bold, textColor=NHS_DARK_GREY))
        st.add(st["cell"].clone("cell_grey", textColor=NHS_DARK_GREY))
        st.add(st["cell_bold"].clone("person", fontSize=self.base_font_size + 1, leading=13))
        st.add(st["cell_bold"].clone("overdue", textColor=colors.HexColor("#8A1538")))

    def story(self) -> list[Flowable]:
        st = self.styles
        reminders = [r for _, items in self.people for r in items]
        overdue = sum(r.due < self.day for r in reminders)
        urgent = sum(r.urgent for r in reminders)
        story: list[Flowable] = [Paragraph(escape(TITLE), st["heading"])]
        rows = [
            ("Worker", self.worker_name),
            ("Day", long_date(self.day)),
            (
                "To do",
                f"{len(reminders)} reminder{'s' if len(reminders) != 1 else ''} for "
                f"{len(self.people)} {'person' if len(self.people) == 1 else 'people'}"
                f" — {overdue} overdue, {urgent} urgent",
            ),
        ]
        covering = sorted({r.covering_for for r in reminders if r.covering_for})
        if covering:
            rows.append(("Covering for", ", ".join(covering)))
        facts = Table(
            [[Paragraph(escape(k), st["label"]), Paragraph(_e(v), st["body"])] for k, v in rows],
            colWidths=[28 * mm, self.frame_width - 28 * mm],
            hAlign="LEFT",
        )
        facts.setStyle(
            TableStyle(
                [
                    ("VALIGN", (0, 0), (-1, -1), "TOP"),
                    ("LEFTPADDING", (0, 0), (-1, -1), 0),
                    ("TOPPADDING", (0, 0), (-1, -1), 1),
                    ("BOTTOMPADDING", (0, 0), (-1, -1), 1.5),
                ]
            )
        )
        story += [facts, Spacer(0, 4 * mm)]
        if not self.people:
            story.append(
                Paragraph("Nothing is due on this day and nothing is overdue.", st["body"])
            )
            return story
        story.append(self.table())
        return story

    def table(self) -> Table:
        st = self.styles
        widths = [share * self.frame_width for _, share in self.COLUMNS]
        data: list[list[object]] = [
            [Paragraph(escape(name), st["table_header"]) for name, _ in self.COLUMNS]
        ]
        style: list[tuple[object, ...]] = [
            ("BACKGROUND", (0, 0), (-1, 0), NHS_BLUE),
            ("VALIGN", (0, 0), (-1, -1), "TOP"),
            ("VALIGN", (0, 0), (-1, 0), "BOTTOM"),
            ("LEFTPADDING", (0, 0), (-1, -1), 4),
            ("RIGHTPADDING", (0, 0), (-1, -1), 4),
            ("TOPPADDING", (0, 0), (-1, -1), 3),
            ("BOTTOMPADDING", (0, 0), (-1, -1), 4),
            ("LINEBELOW", (0, 1), (-1, -1), 0.25, RULE),
            ("BOX", (0, 0), (-1, -1), 0.5, RULE),
        ]
        for nhs, items in self.people:
            first = len(data)
            data.append([self.person_cell(nhs, items), "", ""])
            style += [
                ("SPAN", (0, first), (-1, first)),
                ("BACKGROUND", (0, first), (-1, first), PERSON_TINT),
                ("LINEABOVE", (0, first), (-1, first), 0.8, NHS_DARK_GREY),
            ]
            for r in items:
                if r.due < self.day:
                    style.append(("BACKGROUND", (0, len(data)), (1, len(data)), OVERDUE_TINT))
                data.append([TickBox(), self.reminder_cell(r), WritingLines(NOTES_HEIGHT)])
            # A person's name never ends a page without their first reminder.
            style.append(("NOSPLIT", (0, first), (-1, first + 1)))
        table = Table(data, colWidths=widths, repeatRows=1)
        table.setStyle(TableStyle(style))
        return table

    def person_cell(self, nhs: str, items: Sequence[DayReminder]) -> Paragraph:
        name = items[0].patient_name
        marks = []
        if any(r.urgent for r in items):
            marks.append("URGENT")
        if any(r.due < self.day for r in items):
            marks.append("OVERDUE")
        tail = f"   ·   {' · '.join(marks)}" if marks else ""
        return Paragraph(
            f"{_e(name)}   <font name='{self.fonts.regular}'>NHS {escape(format_nhs(nhs))}</font>"
            f"{escape(tail)}",
            self.styles["person"],
        )

    def reminder_cell(self, r: DayReminder) -> list[Flowable]:
        st = self.styles
        what = ("URGENT: " if r.urgent else "") + r.what
        out: list[Flowable] = [Paragraph(_e(what), st["cell_bold"])]
        out.append(Paragraph(_e(r.why) if r.why else DASH, st["cell"]))
        if r.due < self.day:
            out.append(Paragraph(escape(overdue_words(r.due, self.day)), st["overdue"]))
        else:
            out.append(Paragraph("Due today", st["cell_grey"]))
        extra = []
        if r.covering_for:
            extra.append(f"Covering for {r.covering_for}")
        if r.note:
            extra.append(r.note)
        if extra:
            out.append(Paragraph(_e(" · ".join(extra)), st["cell_grey"]))
        return out


def render_day_list(
    reminders: Iterable[DayReminder],
    *,
    worker_name: str,
    day: date,
    printed_by: str,
    printed_at: datetime,
) -> bytes:
    """The worker's day list for ``day`` as a PDF (A4 portrait)."""
    return DayListReport(
        reminders,
        worker_name=worker_name,
        day=day,
        printed_by=printed_by,
        printed_at=printed_at,
    ).render()
