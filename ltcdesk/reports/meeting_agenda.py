"""The printed whiteboard meeting agenda and minutes (issue 7), and the action list as CSV.

The agenda (A4 landscape, for the room): the meeting's details, chair and attendees, then
every item in agenda order under its section's heading, with its time slot, the patient,
the reasons, and a ruled notes column to write in. Until the chair locks it, it says
"DRAFT agenda — not yet locked" under the title and in every page's header.

The minutes (A4 portrait, after the meeting): the same details with who came and who sent
apologies, each item discussed with its outcome and decisions in words, the items not
reached, and the actions agreed (patient, action, owner, due date, status).

``initials_only`` is for a room with visitors: a patient is shown by initials and NHS
number only (no level or key worker), and every patient name on the page is replaced by
initials, inside reasons, outcomes and actions too (see :class:`Redactor`). Staff names
stay: they are not patient-identifiable.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime
from xml.sax.saxutils import escape

from reportlab.lib import colors
from reportlab.lib.units import mm
from reportlab.platypus import Flowable, KeepTogether, Paragraph, Spacer, Table, TableStyle

from ltcdesk.domain.csvsafe import write_csv
from ltcdesk.domain.nhs_number import format_nhs
from ltcdesk.domain.redact import Redactor as Redactor
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
from ltcdesk.services.meeting_views import (
    DECISIONS,
    WEEKDAYS,
    ActionView,
    ItemView,
    MeetingView,
    Section,
)

AGENDA_TITLE = "Whiteboard meeting agenda"
MINUTES_TITLE = "Whiteboard meeting minutes"
DRAFT_AGENDA = "DRAFT agenda — not yet locked"
DRAFT_MINUTES = "DRAFT minutes — the meeting has not been closed"
INITIALS_ONLY = "Initials only: patients are shown by initials and NHS number"
DRAFT_TINT = colors.HexColor("#FFF4D9")
SECTION_TINT = colors.HexColor("#E8EDEE")
NOTES_ROW = 19 * mm  # room to write two or three lines by hand in each item's notes cell
STATUS_WORDS = {"open": "Open", "done": "Done", "cancelled": "Cancelled"}
CSV_HEADERS = (
    "Meeting date", "Patient", "NHS number", "Action", "Owner", "Due", "Status", "Done on",
    "Note",
)  # fmt: skip


# ---------------------------------------------------------------------------- names


def redactor_for(view: MeetingView, initials_only: bool) -> Redactor:
    people = [(i.nhs_number, i.patient_name, i.initials) for i in view.items]
    people += [(a.nhs_number, a.patient_name, a.initials) for a in view.actions]
    staff = [view.chair_name, *(a.name for a in view.attendees)]
    staff += [i.key_worker or "" for i in view.items] + [a.owner_name for a in view.actions]
    return Redactor(people, active=initials_only, keep=staff)


# ---------------------------------------------------------------------------- words


def meeting_date(view: MeetingView) -> str:
    return f"{WEEKDAYS[view.held_on.weekday()]} {uk_date(view.held_on)}"


def meeting_time(view: MeetingView) -> str:
    return f"{view.starts_at:%H:%M}–{view.ends_at:%H:%M} ({view.minutes} minutes)"


def meeting_place(view: MeetingView) -> str:
    return f"Virtual: {view.place}" if view.virtual else view.place


def action_status(a: ActionView) -> str:
    words = STATUS_WORDS.get(a.status, a.status)
    return f"{words} {uk_date(a.done_on)}" if a.done_on is not None else words


def _e(text: str | None) -> str:
    return escape(clean(text))


# ---------------------------------------------------------------------------- common


class _MeetingReport(BaseReportRenderer):
    """The header block both documents share."""

    heading = ""
    draft_mark = ""

    def __init__(
        self, view: MeetingView, *, printed_by: str, printed_at: datetime, initials_only: bool
    ) -> None:
        self.view = view
        self.initials_only = initials_only
        self.names = redactor_for(view, initials_only)
        super().__init__(
            title=f"{self.heading} — {view.team or 'team'}, {meeting_date(view)}",
            printed_by=printed_by,
            printed_at=printed_at,
        )
        self.styles.add(
            self.styles["body"].clone("label", fontName=self.fonts.bold, textColor=NHS_DARK_GREY)
        )
        self.styles.add(
            self.styles["body"].clone("section", fontName=self.fonts.bold, textColor=NHS_BLUE)
        )
        self.styles.add(
            self.styles["heading"].clone("subheading", fontSize=11, leading=14, spaceAfter=2 * mm)
        )
        self.styles.add(self.styles["cell"].clone("cell_grey", textColor=NHS_DARK_GREY))

    @property
    def draft(self) -> bool:
        raise NotImplementedError

    def header_text(self) -> str:
        marks = [self.title]
        if self.draft:
            marks.append(self.draft_mark)
        if self.initials_only:
            marks.append("initials only")
        return " — ".join(marks)

    def top(self) -> list[Flowable]:
        v, body = self.view, self.styles["body"]
        story: list[Flowable] = [Paragraph(escape(self.heading), self.styles["heading"])]
        if self.draft:
            story += [self.banner(self.draft_mark, DRAFT_TINT), Spacer(0, 2 * mm)]
        rows = [
            ("Team", v.team or DASH),
            ("Date", meeting_date(v)),
            ("Time", meeting_time(v)),
            ("Place", meeting_place(v)),
            ("Chair", v.chair_name),
            *self.attendance_rows(),
        ]
        if not self.draft and v.agenda_locked_at is not None:
            locked = v.agenda_locked_at.replace(tzinfo=UTC).astimezone()  # stored naive UTC
            rows.append(("Agenda locked", f"{locked:%d/%m/%Y at %H:%M}"))
        label = self.styles["label"]
        table = Table(
            [[Paragraph(escape(k), label), Paragraph(_e(val), body)] for k, val in rows],
            colWidths=[32 * mm, self.frame_width - 32 * mm],
            hAlign="LEFT",
        )
        table.setStyle(
            TableStyle(
                [
                    ("VALIGN", (0, 0), (-1, -1), "TOP"),
                    ("LEFTPADDING", (0, 0), (-1, -1), 0),
                    ("TOPPADDING", (0, 0), (-1, -1), 1),
                    ("BOTTOMPADDING", (0, 0), (-1, -1), 1.5),
                ]
            )
        )
        story.append(table)
        if self.initials_only:
            story += [Spacer(0, 2 * mm), self.banner(INITIALS_ONLY, SECTION_TINT)]
        story.append(Spacer(0, 4 * mm))
        return story

    def attendance_rows(self) -> list[tuple[str, str]]:
        raise NotImplementedError

    def people(self, attendance: str) -> str:
        names = [a.name for a in self.view.attendees if a.attendance == attendance]
        return ", ".join(names) if names else DASH

    def banner(self, text: str, tint: colors.Color) -> Table:
        t = Table(
            [[Paragraph(escape(text), self.styles["cell_bold"])]], colWidths=[self.frame_width]
        )
        t.setStyle(
            TableStyle(
                [
                    ("BACKGROUND", (0, 0), (-1, -1), tint),
                    ("BOX", (0, 0), (-1, -1), 0.5, RULE),
                    ("TOPPADDING", (0, 0), (-1, -1), 3),
                    ("BOTTOMPADDING", (0, 0), (-1, -1), 4),
                ]
            )
        )
        return t

    def patient_cell(self, item: ItemView, *, details: bool = True) -> list[Flowable]:
        cell, grey = self.styles["cell_bold"], self.styles["cell_grey"]
        nhs = f"NHS {format_nhs(item.nhs_number)}"
        out: list[Flowable] = [
            Paragraph(_e(self.names.patient(item.patient_name, item.initials)), cell),
            Paragraph(escape(nhs), self.styles["cell"]),
        ]
        if details and not self.initials_only:
            where = "Not on a caseload"
            if item.level is not None or item.key_worker is not None:
                where = f"Level {item.level or DASH} · {item.key_worker or 'no key worker'}"
            out.append(Paragraph(_e(where), grey))
        return out

    def reasons(self, item: ItemView) -> list[Flowable]:
        cell = self.styles["cell"]
        return [
            Paragraph("• " + _e(self.names.text(r, item.nhs_number)), cell) for r in item.reasons
        ] or [Paragraph(DASH, cell)]

    def grid(
        self, data: list[list[object]], widths: Sequence[float], spans: Sequence[int]
    ) -> Table:
        """A table with a blue header row repeated on every page; ``spans``: rows that
        are section headings across the whole width."""
        table = Table(data, colWidths=list(widths), repeatRows=1)
        style: list[tuple[object, ...]] = [
            ("BACKGROUND", (0, 0), (-1, 0), NHS_BLUE),
            ("VALIGN", (0, 0), (-1, -1), "TOP"),
            ("VALIGN", (0, 0), (-1, 0), "BOTTOM"),
            ("LEFTPADDING", (0, 0), (-1, -1), 3),
            ("RIGHTPADDING", (0, 0), (-1, -1), 3),
            ("TOPPADDING", (0, 0), (-1, -1), 2.5),
            ("BOTTOMPADDING", (0, 0), (-1, -1), 3),
            ("LINEBELOW", (0, 1), (-1, -1), 0.25, RULE),
            ("INNERGRID", (0, 1), (-1, -1), 0.25, RULE),
            ("BOX", (0, 0), (-1, -1), 0.5, RULE),
        ]
        for row in spans:
            style += [
                ("SPAN", (0, row), (-1, row)),
                ("BACKGROUND", (0, row), (-1, row), SECTION_TINT),
                # A heading never ends a page without its first item.
                ("NOSPLIT", (0, row), (-1, min(row + 1, len(data) - 1))),
            ]
        table.setStyle(TableStyle(style))
        return table

    def headers(self, names: Sequence[str]) -> list[object]:
        return [Paragraph(escape(n), self.styles["table_header"]) for n in names]


# ---------------------------------------------------------------------------- agenda


class MeetingAgendaReport(_MeetingReport):
    landscape = True
    heading = AGENDA_TITLE
    draft_mark = DRAFT_AGENDA
    # (heading, share of the frame width); the notes column is the widest after reasons.
    COLUMNS = (("Time", 0.07), ("Patient", 0.2), ("Reasons", 0.38), ("Notes", 0.35))

    @property
    def draft(self) -> bool:
        return not self.view.agenda_locked

    def attendance_rows(self) -> list[tuple[str, str]]:
        coming = [a.name for a in self.view.attendees if a.attendance != "apologies"]
        rows = [("Attendees", ", ".join(coming) or DASH)]
        if any(a.attendance == "apologies" for a in self.view.attendees):
            rows.append(("Apologies", self.people("apologies")))
        return rows

    def story(self) -> list[Flowable]:
        story = self.top()
        items = self.view.agenda
        if not items:
            story.append(Paragraph("Nothing on the agenda yet.", self.styles["body"]))
            return story
        total = sum(i.minutes for i in items)
        summary = f"{len(items)} item{'s' if len(items) != 1 else ''}, {total} minutes"
        if total > self.view.minutes:
            summary += f" — {total - self.view.minutes} minutes more than the meeting allows"
        story += [Paragraph(escape(summary), self.styles["body"]), Spacer(0, 2 * mm)]
        story.append(self.table(items))
        return story

    def table(self, items: Sequence[ItemView]) -> Table:
        widths = [share * self.frame_width for _, share in self.COLUMNS]
        data: list[list[object]] = [self.headers([name for name, _ in self.COLUMNS])]
        spans: list[int] = []
        section: Section | None = None
        cell = self.styles["cell"]
        for number, item in enumerate(items, start=1):
            if item.section is not section:
                section = item.section
                spans.append(len(data))
                data.append([Paragraph(escape(section.label), self.styles["section"]), "", "", ""])
            slot = "—" if item.starts_at is None else f"{item.starts_at:%H:%M}"
            data.append(
                [
                    [
                        Paragraph(f"<b>{slot}</b>", cell),
                        Paragraph(f"{item.minutes} min", self.styles["cell_grey"]),
                        Paragraph(f"#{number}", self.styles["cell_grey"]),
                    ],
                    self.patient_cell(item),
                    self.reasons(item),
                    WritingLines(NOTES_ROW, colour="#D5DBDF"),
                ]
            )
        return self.grid(data, widths, spans)


# ---------------------------------------------------------------------------- minutes


class MeetingMinutesReport(_MeetingReport):
    heading = MINUTES_TITLE
    draft_mark = DRAFT_MINUTES

    @property
    def draft(self) -> bool:
        return self.view.status != "closed"

    def attendance_rows(self) -> list[tuple[str, str]]:
        rows = [("Present", self.people("present")), ("Apologies", self.people("apologies"))]
        if any(a.attendance == "invited" for a in self.view.attendees):
            rows.append(("Invited", self.people("invited")))
        return rows

    def story(self) -> list[Flowable]:
        story = self.top()
        items = self.view.agenda
        discussed = [i for i in items if i.discussed]
        missed = [i for i in items if not i.discussed]
        sub, body = self.styles["subheading"], self.styles["body"]
        if self.view.notes:
            story += [
                Paragraph("Meeting notes", sub),
                Paragraph(_e(self.names.text(self.view.notes)).replace("\n", "<br/>"), body),
                Spacer(0, 4 * mm),
            ]
        story.append(Paragraph(f"Discussed ({len(discussed)})", sub))
        story.append(
            self.discussed_table(discussed)
            if discussed
            else Paragraph("No item has an outcome recorded.", body)
        )
        story.append(Spacer(0, 4 * mm))
        if missed:
            story += [Paragraph(f"Not discussed ({len(missed)})", sub), self.missed_table(missed)]
            story.append(Spacer(0, 4 * mm))
        story += self.actions_part()
        return story

    def discussed_table(self, items: Sequence[ItemView]) -> Table:
        cell = self.styles["cell"]
        data: list[list[object]] = [self.headers(["Patient", "Outcome", "Decisions"])]
        for item in items:
            outcome = _e(self.names.text(item.outcome, item.nhs_number)).replace("\n", "<br/>")
            why = "; ".join(self.names.text(r, item.nhs_number) or "" for r in item.reasons)
            data.append(
                [
                    self.patient_cell(item),
                    [
                        Paragraph(outcome, cell),
                        Paragraph("Why: " + _e(why), self.styles["cell_grey"]),
                    ],
                    [
                        Paragraph(_e(DECISIONS.get(d, d)), self.styles["cell_bold"])
                        for d in item.decisions
                    ]
                    or [Paragraph(DASH, cell)],
                ]
            )
        w = self.frame_width
        return self.grid(data, [0.24 * w, 0.52 * w, 0.24 * w], ())

    def missed_table(self, items: Sequence[ItemView]) -> Table:
        data: list[list[object]] = [self.headers(["Patient", "Section", "Reasons"])]
        for item in items:
            data.append(
                [
                    self.patient_cell(item, details=False),
                    Paragraph(escape(item.section.label), self.styles["cell_grey"]),
                    self.reasons(item),
                ]
            )
        w = self.frame_width
        return self.grid(data, [0.24 * w, 0.24 * w, 0.52 * w], ())

    def actions_part(self) -> list[Flowable]:
        actions = self.view.actions
        title = Paragraph(f"Actions agreed ({len(actions)})", self.styles["subheading"])
        if not actions:
            return [title, Paragraph("No actions were recorded.", self.styles["body"])]
        cell, bold = self.styles["cell"], self.styles["cell_bold"]
        data: list[list[object]] = [self.headers(["Patient", "Action", "Owner", "Due", "Status"])]
        for a in actions:
            data.append(
                [
                    [
                        Paragraph(_e(self.names.patient(a.patient_name, a.initials)), bold),
                        Paragraph(escape(f"NHS {format_nhs(a.nhs_number)}"), cell),
                    ],
                    Paragraph(_e(self.names.text(a.what, a.nhs_number)), cell),
                    Paragraph(_e(a.owner_name), cell),
                    Paragraph(uk_date(a.due_on), cell),
                    Paragraph(escape(action_status(a)), cell),
                ]
            )
        w = self.frame_width
        table = self.grid(data, [0.22 * w, 0.4 * w, 0.16 * w, 0.11 * w, 0.11 * w], ())
        return [KeepTogether([title, Spacer(0, 0), table])] if len(actions) < 8 else [title, table]


# ---------------------------------------------------------------------------- entry points


def render_agenda(
    view: MeetingView, *, printed_by: str, printed_at: datetime, initials_only: bool = False
) -> bytes:
    """The agenda as a PDF (A4 landscape)."""
    return MeetingAgendaReport(
        view, printed_by=printed_by, printed_at=printed_at, initials_only=initials_only
    ).render()


def render_minutes(
    view: MeetingView, *, printed_by: str, printed_at: datetime, initials_only: bool = False
) -> bytes:
    """The minutes and action list as a PDF (A4 portrait)."""
    return MeetingMinutesReport(
        view, printed_by=printed_by, printed_at=printed_at, initials_only=initials_only
    ).render()


def minutes_csv(view: MeetingView, initials_only: bool = False) -> str:
    """The meeting's actions as CSV text starting with a byte order mark (write it as
    UTF-8 so Excel shows "María"), through the one formula-safe writer."""
    names = redactor_for(view, initials_only)
    return write_csv(
        (
            [
                uk_date(a.meeting_date),
                names.patient(a.patient_name, a.initials),
                format_nhs(a.nhs_number),
                names.text(a.what, a.nhs_number),
                a.owner_name,
                uk_date(a.due_on),
                STATUS_WORDS.get(a.status, a.status),
                uk_date(a.done_on) if a.done_on else "",
                names.text(a.note, a.nhs_number),
            ]
            for a in view.actions
        ),
        CSV_HEADERS,
        bom=True,
    )
