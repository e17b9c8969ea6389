"""The personalised care and support plan on paper, written for the person ("My goals",
"If things get worse"), with a large-print form (16 pt and up), a one-page summary, and a
clinical copy that adds the version history and each goal's score trend.

Every page carries the person's name and NHS number in the header and "Page X of Y" in the
footer, so a loose sheet can always be matched to its owner. Everything the person or a
professional typed goes through :func:`esc`, so "&" or "<" in a goal prints as typed, and
long texts are Paragraphs (tables with ``splitInRow``) that run on to the next page.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from xml.sax.saxutils import escape

from reportlab.lib import colors
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.pdfgen.canvas import Canvas
from reportlab.platypus import Flowable, KeepTogether, Paragraph, Spacer, Table, TableStyle

from ltcdesk.domain.nhs_number import format_nhs
from ltcdesk.reports.base import (
    NHS_BLUE,
    NHS_DARK_GREY,
    RULE,
    ZEBRA,
    BaseReportRenderer,
    clean,
    printed_line,
    uk_date,
)
from ltcdesk.reports.care_plan_parts import (
    RAG_COLOURS,
    RAG_MEANING,
    CheckBox,
    ScoreScale,
    esc,
    long_date,
    shorten,
    sorted_contingency,
    step_when,
)
from ltcdesk.reports.care_plan_summary import SUMMARY_LIMITS, SummaryLayout, SummaryLimits
from ltcdesk.services.careplan_views import LABELS, CarePlanView, ContingencyRow, GoalView

PERSON_TITLE = "My care and support plan"
CLINICAL_TITLE = "Care and support plan: clinical copy"
COPY_ROLES = {"patient": "Me", "carer": "Carer", "gp": "GP", "other": "Other"}


@dataclass(frozen=True)
class Sizes:
    """Type and drawing sizes (points) for one form of the plan."""

    body: float
    h1: float
    h2: float
    h3: float
    cell: float
    furniture: float  # header and footer
    box: float  # one box of the 0–10 scale
    check: float  # a tick box


NORMAL = Sizes(body=11, h1=22, h2=15, h3=12.5, cell=10.5, furniture=8, box=7.5 * mm, check=4.5 * mm)
# Large print: nothing in the body below 16 pt (RNIB clear print guidance).
LARGE = Sizes(body=16, h1=28, h2=21, h3=18, cell=16, furniture=12, box=13 * mm, check=7 * mm)
SUMMARY = Sizes(body=9.5, h1=17, h2=12, h3=10, cell=9, furniture=7.5, box=3.2 * mm, check=0)
SUMMARY_LARGE = Sizes(body=16, h1=22, h2=18, h3=16, cell=16, furniture=11, box=4.4 * mm, check=0)


def nbsp(text: str) -> str:
    """Spaces that never break a line ("943 476 5919", "3 February 2027" stay whole)."""
    return text.replace(" ", "\u00a0")


class CarePlanReport(BaseReportRenderer):
    header_bold = True

    def __init__(
        self,
        plan: CarePlanView,
        *,
        large_print: bool = False,
        summary: bool = False,
        clinical: bool = False,
        printed_by: str,
        printed_at: datetime,
        limits: SummaryLimits = SUMMARY_LIMITS[0],
    ) -> None:
        if summary and clinical:
            raise ValueError("a care plan prints as a summary or as a clinical copy, not both")
        self.plan = plan
        self.large_print = large_print
        self.summary = summary
        self.clinical = clinical
        self.limits = limits
        self.shortened = False  # the summary cut something short
        self.page_count = 0
        if summary:
            self.sizes = SUMMARY_LARGE if large_print else SUMMARY
        else:
            self.sizes = LARGE if large_print else NORMAL
        self.base_font_size = self.sizes.body
        if summary:  # a summary needs the room more than wide margins
            self.margin_top = self.margin_bottom = 16 * mm
            self.margin_left = self.margin_right = 13 * mm
        elif large_print:
            self.margin_top = self.margin_bottom = 22 * mm
        title = CLINICAL_TITLE if clinical else PERSON_TITLE
        super().__init__(
            title=f"{title}: {clean(plan.patient_name)}",
            printed_by=printed_by,
            printed_at=printed_at,
        )
        self.s = self._styles()

    # -- furniture

    @property
    def furniture_size(self) -> float:
        return self.sizes.furniture

    def header_text(self) -> str:
        return f"{clean(self.plan.patient_name)}    NHS number {format_nhs(self.plan.patient_nhs)}"

    def footer_text(self) -> str:
        full = printed_line(self.printed_by, self.printed_at)
        if not self.large_print:
            return full
        # The header already says CONFIDENTIAL; at 12 pt the whole line would not fit.
        return f"Printed by {self.printed_by} on {self.printed_at:%d/%m/%Y at %H:%M}"

    def draw_page(self, canvas: Canvas, page: int, total: int) -> None:
        self.page_count = total
        super().draw_page(canvas, page, total)

    # -- styles

    def _styles(self) -> dict[str, ParagraphStyle]:
        z, regular, bold = self.sizes, self.fonts.regular, self.fonts.bold
        body = ParagraphStyle(
            "cp_body",
            fontName=regular,
            fontSize=z.body,
            leading=z.body * 1.3,
            spaceAfter=z.body * 0.35,
        )
        cell = ParagraphStyle(
            "cp_cell",
            fontName=regular,
            fontSize=z.cell,
            leading=z.cell * 1.25,
            embeddedHyphenation=1,
        )
        size = z.cell if self.large_print else z.cell - 1.5
        small = ParagraphStyle("cp_small", parent=cell, fontSize=size, leading=size * 1.25)
        return {
            "body": body,
            "bullet": ParagraphStyle(
                "cp_bullet",
                parent=body,
                leftIndent=z.body * 1.3,
                bulletIndent=z.body * 0.2,
                bulletFontName=regular,  # not Helvetica 10 pt, the default
                bulletFontSize=z.body,
            ),
            "quote": ParagraphStyle(
                "cp_quote",
                parent=body,
                leftIndent=z.body * 0.8,
                fontName=bold,
                textColor=colors.black,
                keepWithNext=1,  # with its scores
            ),
            "said": ParagraphStyle("cp_said", parent=body, leftIndent=z.body * 0.8),
            "note": ParagraphStyle("cp_note", parent=body, textColor=NHS_DARK_GREY),
            "h1": ParagraphStyle(
                "cp_h1",
                fontName=bold,
                fontSize=z.h1,
                leading=z.h1 * 1.2,
                textColor=NHS_BLUE,
                spaceAfter=z.body * 0.5,
            ),
            "h2": ParagraphStyle(
                "cp_h2",
                fontName=bold,
                fontSize=z.h2,
                leading=z.h2 * 1.2,
                textColor=NHS_BLUE,
                spaceBefore=z.h2 * (0.5 if self.summary else 0.9),
                spaceAfter=z.body * 0.4,
                keepWithNext=1,
            ),
            "h3": ParagraphStyle(
                "cp_h3",
                fontName=bold,
                fontSize=z.h3,
                leading=z.h3 * 1.25,
                textColor=NHS_BLUE,
                spaceBefore=z.h3 * 0.8,
                spaceAfter=z.body * 0.2,
                keepWithNext=1,
            ),
            "banner": ParagraphStyle(
                "cp_banner",
                parent=body,
                fontName=bold,
                borderWidth=1.2,
                borderColor=colors.black,
                borderPadding=z.body * 0.5,
                backColor=colors.HexColor("#FFF4D9"),
                spaceBefore=z.body * 0.6,
                spaceAfter=z.body * 1.0,
            ),
            "cell": cell,
            "cell_bold": ParagraphStyle("cp_cell_bold", parent=cell, fontName=bold),
            "th": ParagraphStyle("cp_th", parent=cell, fontName=bold, textColor=colors.white),
            # The clinical tables: seven columns need a smaller size (not in large print).
            "small": small,
            "small_bold": ParagraphStyle("cp_small_bold", parent=small, fontName=bold),
            "th_small": ParagraphStyle(
                "cp_th_small", parent=small, fontName=bold, textColor=colors.white
            ),
        }

    # -- small builders

    def p(self, markup: str, style: str = "body") -> Paragraph:
        return Paragraph(markup, self.s[style])

    def labelled(self, label: str, text: str | None, style: str = "body") -> Paragraph:
        return self.p(f"<b>{escape(label)}:</b> {esc(text)}", style)

    def bullets(self, items: Sequence[str]) -> list[Flowable]:
        return [Paragraph(esc(item), self.s["bullet"], bulletText="•") for item in items]

    def table(
        self,
        rows: list[list[object]],
        shares: Sequence[float],
        *,
        header: bool = True,
        extra: Sequence[tuple[object, ...]] = (),
        heights: Sequence[float | None] | None = None,
    ) -> Table:
        """A ruled table over the frame's width; rows split across pages when they must."""
        pad = 5 if self.large_print else 3.5
        table = Table(
            rows,
            colWidths=[share * self.frame_width for share in shares],
            rowHeights=list(heights) if heights else None,
            repeatRows=1 if header else 0,
            splitInRow=1,
            hAlign="LEFT",
        )
        style: list[tuple[object, ...]] = [
            ("VALIGN", (0, 0), (-1, -1), "TOP"),
            # Empty cells too: reportlab's default, Helvetica, has no "ł" or "ễ".
            ("FONT", (0, 0), (-1, -1), self.fonts.regular, self.sizes.cell),
            ("LEFTPADDING", (0, 0), (-1, -1), pad),
            ("RIGHTPADDING", (0, 0), (-1, -1), pad),
            ("TOPPADDING", (0, 0), (-1, -1), pad * 0.7),
            ("BOTTOMPADDING", (0, 0), (-1, -1), pad),
            ("GRID", (0, 0), (-1, -1), 0.5, RULE),
        ]
        if header:
            style += [
                ("BACKGROUND", (0, 0), (-1, 0), NHS_BLUE),
                ("ROWBACKGROUNDS", (0, 1), (-1, -1), [colors.white, ZEBRA]),
            ]
        table.setStyle(TableStyle([*style, *extra]))
        return table

    def header_row(self, *names: str, style: str = "th") -> list[object]:
        return [self.p(escape(name), style) for name in names]

    def cell(self, text: str | None, style: str = "cell") -> Paragraph:
        return self.p(esc(text), style)

    # -- the document

    def story(self) -> list[Flowable]:
        if self.summary:
            layout = SummaryLayout(self, self.limits)
            story = layout.story()
            self.shortened = layout.shortened
            return story
        story = self.title_block()
        plan = self.plan
        if plan.about_me:
            story += [self.p("About me", "h2"), self.p(esc(plan.about_me))]
        story += [self.p("What matters to me", "h2"), self.p(esc(plan.what_matters))]
        if plan.agenda:
            story += [self.p("Things I wanted to talk about:"), *self.bullets(plan.agenda)]
        story += self.goals_section()
        story += self.contributions_section()
        story += self.contingency_section()
        story += self.keeping_well_section()
        story += self.copies_section()
        story += self.review_section()
        if self.clinical:
            story += self.history_section()
            story += self.trends_section()
        return story

    def title_block(self) -> list[Flowable]:
        plan = self.plan
        title = CLINICAL_TITLE if self.clinical else PERSON_TITLE
        if self.summary:
            title += ": summary"
        born = f" · Born {long_date(plan.date_of_birth)}"
        if self.summary and self.large_print:
            born = ""  # a line the page has no room for; the header names the person too
        nhs = nbsp(format_nhs(plan.patient_nhs))
        who = f"<b>{esc(plan.patient_name)}</b>{born} · NHS number {nhs}"
        out: list[Flowable] = [self.p(escape(title), "h1"), self.p(who)]
        status = plan.status
        closed = long_date(plan.closed_on, "a date not recorded")
        version = nbsp(f"Version {plan.version}.")
        if status == "agreed" and self.summary:
            out.append(self.p(f"Agreed on {long_date(plan.agreed_on)}. {version}"))
        elif status == "agreed":
            with_whom = f" with {esc(plan.agreed_with)}" if plan.agreed_with else ""
            by = f" (recorded by {esc(plan.agreed_by)})" if plan.agreed_by else ""
            line = f"Agreed on {long_date(plan.agreed_on)}{with_whom}{by}. {version}"
            out.append(self.p(line))
        else:
            banner = {
                "draft": "DRAFT: this plan has not been agreed yet.",
                "superseded": "This version has been replaced by a newer plan.",
                "closed": f"This plan was closed on {closed}.",
            }.get(status, f"Status: {escape(LABELS.get(status, status))}.")
            out.append(self.p(f"{banner} {version}", "banner"))
        return out

    # -- goals

    def goals_section(self) -> list[Flowable]:
        out: list[Flowable] = [self.p("My goals", "h2")]
        if not self.plan.goals:
            return [*out, self.p("No goals have been written down yet.")]
        out.append(
            self.p(
                "For each goal I have said how important it is to me and how confident I feel "
                "that I can do it, from 0 (not at all) to 10 (very).",
                "note",
            )
        )
        for goal in self.plan.goals:
            block = self.goal_block(goal)
            # Together only when it fits comfortably: a long goal would leave a near-empty page.
            if self.height(block) <= self.frame_height * 0.6:
                out.append(KeepTogether(block))
            else:
                out += block
        return out

    def goal_block(self, goal: GoalView) -> list[Flowable]:
        tags = ["quick win"] if goal.quick_win else []
        if goal.status != "active":
            tags.append(LABELS.get(goal.status, goal.status).lower())
        title = f"Goal {goal.position}" + (f" ({', '.join(tags)})" if tags else "")
        out: list[Flowable] = [
            self.p(escape(title), "h3"),
            # Bold reads well for a line or two, not for a page of it.
            self.p(
                f"“{esc(goal.description)}”", "quote" if len(goal.description) < 300 else "said"
            ),
        ]
        out += self.scales(goal)
        if goal.barriers:
            out.append(self.labelled("What gets in the way", goal.barriers))
        if goal.move_up:
            out.append(self.labelled("What would help me feel more confident", goal.move_up))
        if goal.steps:
            rows: list[list[object]] = [
                self.header_row("My action plan: what I will do", "When", "How often")
            ]
            rows += [
                [self.cell(s.what), self.cell(step_when(s)), self.cell(s.how_often)]
                for s in goal.steps
            ]
            # A date ("by 05/12/2026") needs a wider "When", on one line even in large print.
            dated = any(s.due_on for s in goal.steps)
            widths = (0.5, 0.3, 0.2) if dated else (0.56, 0.22, 0.22)
            out += [self.table(rows, widths), Spacer(0, self.sizes.body * 0.5)]
        how = LABELS.get(goal.follow_up_how or "", goal.follow_up_how)
        rows = [
            self.header_row("Who will check how I am getting on", "When", "How"),
            [
                self.cell(goal.follow_up_who),
                self.cell(long_date(goal.follow_up_when, "—")),
                self.cell(how),
            ],
        ]
        out += [self.table(rows, (0.46, 0.27, 0.27)), Spacer(0, self.sizes.body * 0.5)]
        if goal.comment:
            out.append(self.labelled("What I said last time", goal.comment))
        return out

    def scales(self, goal: GoalView) -> list[Flowable]:
        pairs = (
            ("Importance", goal.importance, "How important this goal is to me"),
            ("Confidence", goal.confidence, "How confident I feel that I can do it"),
        )
        z = self.sizes
        drawn = [
            (
                self.p(f"<b>{name} {value} out of 10</b><br/>{meaning}"),
                ScoreScale(
                    value,
                    box=z.box,
                    font=self.fonts.regular,
                    bold=self.fonts.bold,
                    font_size=min(z.box * 0.55, 16) if self.large_print else 9.5,
                ),
            )
            for name, value, meaning in pairs
        ]
        scale_width = drawn[0][1].wrap(self.frame_width, self.frame_height)[0] + 4
        # One row a score, so a label never parts from its scale at a page break.
        rows: list[list[object]]
        if self.large_print:  # no room side by side at 16 pt
            rows = [[[label, Spacer(0, 3), scale]] for label, scale in drawn]
            widths = [self.frame_width]
        else:
            rows = [[label, scale] for label, scale in drawn]
            widths = [self.frame_width - scale_width, scale_width]
        table = Table(rows, colWidths=widths, hAlign="LEFT")
        table.setStyle(
            TableStyle(
                [
                    ("VALIGN", (0, 0), (-1, -1), "MIDDLE"),
                    ("LEFTPADDING", (0, 0), (-1, -1), 0),
                    ("RIGHTPADDING", (0, 0), (-1, -1), 0),
                    ("TOPPADDING", (0, 0), (-1, -1), 2),
                    ("BOTTOMPADDING", (0, 0), (-1, -1), z.body * 0.5),
                ]
            )
        )
        return [table, Spacer(0, z.body * 0.3)]

    def height(self, flowables: Sequence[Flowable]) -> float:
        total = 0.0
        for f in flowables:
            total += f.wrap(self.frame_width, self.frame_height)[1]
            total += f.getSpaceBefore() + f.getSpaceAfter()
        return total

    # -- the rest of the plan

    def contributions_section(self) -> list[Flowable]:
        mine = [c.what for c in self.plan.contributions if c.by_person]
        team = [c for c in self.plan.contributions if not c.by_person]
        out: list[Flowable] = [self.p("What I will do", "h2")]
        out += self.bullets(mine) if mine else [self.p("Nothing written down yet.")]
        out.append(self.p("What my team will do", "h2"))
        if not team:
            return [*out, self.p("Nothing written down yet.")]
        rows: list[list[object]] = [self.header_row("Who", "What they will do")]
        rows += [[self.cell(c.who, "cell_bold"), self.cell(c.what)] for c in team]
        return [*out, self.table(rows, (0.36, 0.64))]

    def contingency_section(self) -> list[Flowable]:
        out: list[Flowable] = [
            self.p("If things get worse", "h2"),
            self.p("If I notice these signs, this is what to do and who to call."),
        ]
        if not self.plan.contingency:
            return [*out, self.p("No plan for this has been written down yet.")]
        rows: list[list[object]] = []
        extra: list[tuple[object, ...]] = []
        for n, row in enumerate(sorted_contingency(self.plan.contingency)):
            rows.append([self.rag_cell(row.level), self.rag_details(row)])
            extra += self.rag_style(row.level, n)
        shares = (0.27, 0.73) if self.large_print else (0.2, 0.8)
        return [*out, self.table(rows, shares, header=False, extra=extra)]

    def rag_cell(self, level: str, *, meaning: bool = True) -> Paragraph:
        word = LABELS.get(level, level.title())
        says = RAG_MEANING.get(level, "") if meaning else ""
        text_colour = RAG_COLOURS.get(level, (None, colors.black, None))[1]
        style = ParagraphStyle("cp_rag", parent=self.s["cell_bold"], textColor=text_colour)
        size = self.sizes.cell + 2
        line = f"<br/>{escape(says)}" if says else ""
        return Paragraph(f'<font size="{size}">{escape(word)}</font>{line}', style)

    def rag_style(self, level: str, row: int) -> list[tuple[object, ...]]:
        strong, _, tint = RAG_COLOURS.get(level, (colors.white, colors.black, colors.white))
        return [
            ("BACKGROUND", (0, row), (0, row), strong),
            ("BACKGROUND", (1, row), (1, row), tint),
        ]

    def rag_details(self, row: ContingencyRow) -> list[Flowable]:
        cell = "cell"
        out = [
            self.labelled("What I notice", row.signs, cell),
            self.labelled("What to do", row.action, cell),
        ]
        if row.call_in_hours:
            out.append(self.labelled("Who to call, weekdays 9am to 5pm", row.call_in_hours, cell))
        if row.call_out_of_hours:
            out.append(
                self.labelled(
                    "Who to call, evenings, nights and weekends", row.call_out_of_hours, cell
                )
            )
        return out

    def keeping_well_section(self) -> list[Flowable]:
        prev = self.plan.preventive
        today = self.printed_at.date()
        items = (
            ("Flu vaccination", prev.flu_vaccine),
            ("Pneumonia vaccination (pneumococcal)", prev.pneumococcal_vaccine),
            ("Medicines review", prev.medicines_review),
            ("Falls risk check", prev.falls_risk_assessed),
        )
        rows: list[list[object]] = []
        for label, when in items:
            if when is None:
                state = "Not yet"
            elif when > today:
                state = f"Booked for {long_date(when)}"
            else:
                state = f"Done on {long_date(when)}"
            rows.append(
                [
                    CheckBox(when is not None, self.sizes.check),
                    self.p(label, "cell_bold"),
                    self.p(state, "cell"),
                ]
            )
        box_share = (self.sizes.check + 14) / self.frame_width
        table = self.table(rows, (box_share, 0.55 - box_share, 0.45), header=False)
        return [self.p("Keeping well", "h2"), table]

    def copies_section(self) -> list[Flowable]:
        out: list[Flowable] = [self.p("Who has a copy", "h2")]
        if not self.plan.copies:
            return [*out, self.p("No one has been given a copy yet.")]
        rows: list[list[object]] = [self.header_row("Who", "Their part", "Given a copy on")]
        for c in self.plan.copies:
            role = (
                "Patient"
                if self.clinical and c.role == "patient"
                else COPY_ROLES.get(c.role, c.role)
            )
            rows.append(
                [self.cell(c.who), self.cell(role), self.cell(long_date(c.shared_on, "Not yet"))]
            )
        return [*out, self.table(rows, (0.5, 0.18, 0.32))]

    def review_section(self) -> list[Flowable]:
        plan = self.plan
        if plan.review_date is None:
            text = "A date to look at my plan again has not been set yet."
        else:
            by = f" with {esc(plan.reviewer)}" if plan.reviewer else ""
            text = f"We will look at my plan again on <b>{long_date(plan.review_date)}</b>{by}."
        sign = [
            self.p("Agreeing my plan", "h2"),
            self.p("We agreed this plan together."),
            self.signature_box(),
        ]
        return [self.p("Next review", "h2"), self.p(text), KeepTogether(sign)]

    def signature_box(self) -> Table:
        professional = self.plan.agreed_by or self.plan.reviewer
        rows: list[list[object]] = [
            self.header_row("", "Signature", "Date"),
            [self.p(f"<b>Me</b><br/>{esc(self.plan.patient_name)}", "cell"), "", ""],
            [self.p(f"<b>Professional</b><br/>{escape(clean(professional))}", "cell"), "", ""],
        ]
        height = (24 if self.large_print else 16) * mm
        white = [("BACKGROUND", (0, 1), (-1, -1), colors.white)]
        return self.table(rows, (0.4, 0.38, 0.22), heights=(None, height, height), extra=white)

    # -- clinical copy

    def history_section(self) -> list[Flowable]:
        rows: list[list[object]] = [
            self.header_row(
                "Version",
                "Status",
                "Created",
                "Created by",
                "Agreed",
                "Agreed by",
                "Review",
                style="th_small",
            )
        ]
        for v in self.plan.history:
            style = "small_bold" if v.id == self.plan.id else "small"
            rows.append(
                [
                    self.cell(str(v.version), style),
                    self.cell(LABELS.get(v.status, v.status), style),
                    self.cell(f"{v.created_at:%d/%m/%Y %H:%M}", style),
                    self.cell(v.created_by, style),
                    self.cell(uk_date(v.agreed_on), style),
                    self.cell(v.agreed_by, style),
                    self.cell(uk_date(v.review_date), style),
                ]
            )
        if len(rows) == 1:
            return [self.p("Version history", "h2"), self.p("No earlier versions.")]
        shares = (0.1, 0.14, 0.17, 0.16, 0.13, 0.16, 0.14)
        return [self.p("Version history", "h2"), self.table(rows, shares)]

    def trends_section(self) -> list[Flowable]:
        out: list[Flowable] = [self.p("Goal score trends", "h2")]
        for goal in self.plan.goals:
            head, _ = shorten(goal.description, 120)
            out.append(self.p(f"Goal {goal.position}: {esc(head)}", "h3"))
            if not goal.scores:
                out.append(self.p("No scores recorded."))
                continue
            imp = " → ".join(str(s.importance) for s in goal.scores)
            conf = " → ".join(str(s.confidence) for s in goal.scores)
            out.append(self.p(f"Importance {imp} · Confidence {conf}"))
            rows: list[list[object]] = [
                self.header_row(
                    "Date",
                    "Importance",
                    "Confidence",
                    "Status",
                    "Comment",
                    "Recorded by",
                    style="th_small",
                )
            ]
            rows += [
                [
                    self.cell(uk_date(s.on), "small"),
                    self.cell(f"{s.importance} out of 10", "small"),
                    self.cell(f"{s.confidence} out of 10", "small"),
                    self.cell(LABELS.get(s.status, s.status), "small"),
                    self.cell(s.comment, "small"),
                    self.cell(s.recorded_by, "small"),
                ]
                for s in goal.scores
            ]
            out.append(self.table(rows, (0.14, 0.15, 0.15, 0.13, 0.27, 0.16)))
        return out


def render_care_plan_pdf(
    plan: CarePlanView,
    *,
    large_print: bool = False,
    summary: bool = False,
    clinical: bool = False,
    printed_by: str,
    printed_at: datetime,
) -> bytes:
    """The plan as a PDF: the person's copy, or its large-print, one-page summary or clinical
    form. The summary shortens its texts step by step until it fits one A4 page."""

    def report(limits: SummaryLimits = SUMMARY_LIMITS[0]) -> CarePlanReport:
        return CarePlanReport(
            plan,
            large_print=large_print,
            summary=summary,
            clinical=clinical,
            printed_by=printed_by,
            printed_at=printed_at,
            limits=limits,
        )

    if not summary:
        return report().render()
    data = b""
    for limits in SUMMARY_LIMITS:
        attempt = report(limits)
        data = attempt.render()
        if attempt.page_count == 1:
            break
    return data
