"""The printed summary of a single assessment (issue 6): who was assessed, when, how and by
whom; the summary of needs first (each with whether it became a care plan goal or a team
action); then every domain with something recorded, its fields in words ("Yes", "16 out of
20", "10/01/2026"), its note and its need; the domains with nothing recorded in one line;
and, when given, the changes since the last assessment.

A draft says "DRAFT — not complete" under the title and in the header of every page, so a
loose sheet is never mistaken for a finished assessment. Notes are top-level paragraphs, so
a long one runs on to the next page instead of overflowing a table cell.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime
from typing import Any
from xml.sax.saxutils import escape

from reportlab.lib import colors
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.pdfbase import pdfmetrics
from reportlab.platypus import Flowable, KeepTogether, Paragraph, Spacer, Table, TableStyle

from ltcdesk.domain import assessment_domains as ad
from ltcdesk.domain.nhs_number import format_nhs
from ltcdesk.domain.vocab import Role
from ltcdesk.reports.base import (
    DASH,
    NHS_BLUE,
    NHS_DARK_GREY,
    RULE,
    ZEBRA,
    BaseReportRenderer,
    clean,
    uk_date,
)
from ltcdesk.reports.care_plan_parts import esc, shorten
from ltcdesk.services.assessments import AssessmentView, Difference, DomainView, Need

TITLE = "Single assessment summary"
DRAFT_MARK = "DRAFT — not complete"
CONFIDENTIAL_LINE = "Confidential: contains patient information"
MODES = {"face_to_face": "Face to face", "telephone": "Telephone"}
# Scores printed "16 out of 20": a bare number means little on paper.
SCORED = frozenset(
    {"symptom_burden", "phq2", "six_cit", "barthel_total", "iadl_total", "must_score",
     "carer_strain"}
)  # fmt: skip
COMPUTED_LABELS = {"polypharmacy": f"Polypharmacy ({ad.POLYPHARMACY_AT}+ medicines)"}
KEEP_TOGETHER_NOTE = 600  # a domain with a shorter note is never split over pages
CHANGE_TEXT_LIMIT = 200  # a changed note is shown shortened; the full text is in the domain
DRAFT_TINT = colors.HexColor("#FFF4D9")
NEED_TINT = colors.HexColor("#E8EDEE")


def sentence(text: str) -> str:
    """``"regular medicines"`` -> ``"Regular medicines"`` (the rest left as typed)."""
    return text[:1].upper() + text[1:] if text else text


def role_words(role: str) -> str:
    try:
        return Role(role).label
    except ValueError:
        return sentence(role.replace("_", " "))


def value_words(f: ad.FieldSpec | None, value: object) -> str:
    """A stored value in words: Yes/No, DD/MM/YYYY, "16 out of 20", "Social rented"."""
    if value is None or value == "":
        return DASH
    if isinstance(value, bool):
        return "Yes" if value else "No"
    kind = f.kind if f is not None else None
    if kind is ad.Kind.DATE or (kind is None and isinstance(value, str) and _iso(value)):
        parsed = _iso(str(value))
        return uk_date(parsed) if parsed else clean(str(value))
    if kind is ad.Kind.CHOICE:
        return sentence(str(value).replace("_", " "))
    if kind is ad.Kind.INT and f is not None and f.key in SCORED and f.maximum is not None:
        return f"{value} out of {f.maximum}"
    return clean(str(value))


def _iso(text: str) -> date | None:
    if len(text) != 10:
        return None
    try:
        return date.fromisoformat(text)
    except ValueError:
        return None


def recorded(d: DomainView) -> bool:
    return bool(d.fields or d.note or d.need_identified)


def need_destination(need: Need | None) -> str:
    if need is None:
        return "Not yet in the care plan"
    if need.goal_id is not None:
        return "A goal in the care plan"
    if getattr(need, "action_id", None) is not None:
        return "A team action in the care plan"
    return "Not yet in the care plan"


class AssessmentSummaryReport(BaseReportRenderer):
    base_font_size = 10
    header_bold = True

    def __init__(
        self,
        view: AssessmentView,
        *,
        printed_by: str,
        printed_at: datetime,
        differences: Sequence[Difference] | None = None,
        date_of_birth: date | None = None,
    ) -> None:
        self.view = view
        self.differences = differences
        self.date_of_birth = date_of_birth or view.patient_dob
        self.draft = view.status != "complete"
        super().__init__(
            title=f"{TITLE}: {clean(view.patient_name)}",
            printed_by=printed_by,
            printed_at=printed_at,
        )
        self.s = self._styles()

    # -- furniture

    def header_text(self) -> str:
        """Name, NHS number and (a draft) the draft mark; a long name is shortened so that
        the NHS number and the mark always print."""
        rest = f"    NHS number {format_nhs(self.view.patient_nhs)}"
        if self.draft:
            rest += f"    {DRAFT_MARK}"
        font, size = self.fonts.bold, self.furniture_size
        room = (
            self.frame_width
            - pdfmetrics.stringWidth("CONFIDENTIAL", font, size)
            - 8 * mm
            - pdfmetrics.stringWidth(rest, font, size)
        )
        name = clean(self.view.patient_name)
        if pdfmetrics.stringWidth(name, font, size) > room:
            while name and pdfmetrics.stringWidth(name + "…", font, size) > room:
                name = name[:-1]
            name = name.rstrip() + "…"
        return name + rest

    def footer_text(self) -> str:
        at = self.printed_at
        return f"Printed by {self.printed_by} on {at:%d/%m/%Y} at {at:%H:%M} — {CONFIDENTIAL_LINE}"

    # -- styles

    def _styles(self) -> dict[str, ParagraphStyle]:
        size, regular, bold = self.base_font_size, self.fonts.regular, self.fonts.bold
        body = ParagraphStyle(
            "as_body", fontName=regular, fontSize=size, leading=size * 1.3, spaceAfter=size * 0.3
        )
        cell = ParagraphStyle(
            "as_cell",
            fontName=regular,
            fontSize=size - 0.5,
            leading=(size - 0.5) * 1.25,
            embeddedHyphenation=1,
        )
        return {
            "body": body,
            "h1": ParagraphStyle(
                "as_h1",
                fontName=bold,
                fontSize=size + 9,
                leading=(size + 9) * 1.2,
                textColor=NHS_BLUE,
                spaceAfter=size * 0.5,
            ),
            "h2": ParagraphStyle(
                "as_h2",
                fontName=bold,
                fontSize=size + 4,
                leading=(size + 4) * 1.2,
                textColor=NHS_BLUE,
                spaceBefore=size * 1.1,
                spaceAfter=size * 0.4,
                keepWithNext=1,
            ),
            "h3": ParagraphStyle(
                "as_h3",
                fontName=bold,
                fontSize=size + 1.5,
                leading=(size + 1.5) * 1.25,
                textColor=NHS_BLUE,
                spaceBefore=size * 0.9,
                spaceAfter=size * 0.3,
                keepWithNext=1,
            ),
            "draft": ParagraphStyle(
                "as_draft",
                parent=body,
                fontName=bold,
                fontSize=size + 2,
                leading=(size + 2) * 1.25,
                leftIndent=size * 0.6,
                rightIndent=size * 0.6,
                borderWidth=1.2,
                borderColor=colors.black,
                borderPadding=size * 0.6,
                backColor=DRAFT_TINT,
                spaceBefore=size * 0.6,
                spaceAfter=size * 1.0,
            ),
            "need": ParagraphStyle(
                "as_need",
                parent=body,
                # Indented by its padding, so the tinted box lines up with the tables.
                leftIndent=size * 0.5,
                rightIndent=size * 0.5,
                borderWidth=0,
                borderPadding=(size * 0.35, size * 0.5),
                backColor=NEED_TINT,
                spaceBefore=size * 0.6,
                spaceAfter=size * 0.4,
            ),
            "note": ParagraphStyle("as_note", parent=body, spaceBefore=size * 0.35),
            "muted": ParagraphStyle("as_muted", parent=body, textColor=NHS_DARK_GREY),
            "cell": cell,
            "cell_bold": ParagraphStyle("as_cell_bold", parent=cell, fontName=bold),
            "th": ParagraphStyle("as_th", parent=cell, fontName=bold, textColor=colors.white),
        }

    def p(self, markup: str, style: str = "body") -> Paragraph:
        return Paragraph(markup, self.s[style])

    def table(
        self, rows: list[list[Any]], shares: Sequence[float], *, header: bool = True
    ) -> Table:
        """A ruled table over the frame's width; rows split across pages when they must."""
        table = Table(
            rows,
            colWidths=[share * self.frame_width for share in shares],
            repeatRows=1 if header else 0,
            splitInRow=1,
            hAlign="LEFT",
        )
        style: list[tuple[Any, ...]] = [
            ("VALIGN", (0, 0), (-1, -1), "TOP"),
            ("FONT", (0, 0), (-1, -1), self.fonts.regular, self.base_font_size - 0.5),
            ("LEFTPADDING", (0, 0), (-1, -1), 4),
            ("RIGHTPADDING", (0, 0), (-1, -1), 4),
            ("TOPPADDING", (0, 0), (-1, -1), 2.5),
            ("BOTTOMPADDING", (0, 0), (-1, -1), 3.5),
            ("GRID", (0, 0), (-1, -1), 0.5, RULE),
        ]
        if header:
            style += [
                ("BACKGROUND", (0, 0), (-1, 0), NHS_BLUE),
                ("ROWBACKGROUNDS", (0, 1), (-1, -1), [colors.white, ZEBRA]),
            ]
        else:
            style.append(("ROWBACKGROUNDS", (0, 0), (-1, -1), [colors.white, ZEBRA]))
        table.setStyle(TableStyle(style))
        return table

    def header_row(self, *names: str) -> list[Any]:
        return [self.p(escape(name), "th") for name in names]

    # -- the document

    def story(self) -> list[Flowable]:
        story = self.title_block()
        story += self.needs_section()
        story += self.domains_section()
        if self.differences is not None:
            story += self.changes_section(self.differences)
        return story

    def title_block(self) -> list[Flowable]:
        v = self.view
        nhs = format_nhs(v.patient_nhs).replace(" ", "\u00a0")
        born = f" · Born\u00a0{uk_date(self.date_of_birth)}" if self.date_of_birth else ""
        out: list[Flowable] = [
            self.p(escape(TITLE), "h1"),
            self.p(f"<b>{esc(v.patient_name)}</b> · NHS number {nhs}{born}"),
        ]
        if self.draft:
            out.append(
                self.p(
                    f"{DRAFT_MARK}. This assessment is still being written and may change.",
                    "draft",
                )
            )
        status = DRAFT_MARK if self.draft else "Complete"
        assessor = f"{esc(v.assessor)}, {escape(role_words(v.assessor_role))}"
        rows = [
            ("Date of assessment", uk_date(v.assessed_on)),
            ("How", escape(MODES.get(v.mode, sentence(v.mode.replace("_", " "))))),
            ("Assessor", assessor),
            ("Status", f"<b>{status}</b>" if self.draft else status),
        ]
        table = self.table(
            [[self.p(escape(k), "cell_bold"), self.p(val, "cell")] for k, val in rows],
            (0.25, 0.75),
            header=False,
        )
        out += [Spacer(0, 2 * mm), table]
        return out

    def needs_section(self) -> list[Flowable]:
        out: list[Flowable] = [self.p("Summary of needs", "h2")]
        needs = self.view.needs
        if not needs:
            out.append(self.p("No needs were identified in this assessment."))
            return out
        rows: list[list[Any]] = [self.header_row("Area", "Need identified", "Care plan")]
        for need in needs:
            rows.append(
                [
                    self.p(esc(need.label), "cell_bold"),
                    self.p(esc(need.text), "cell"),
                    self.p(escape(need_destination(need)), "cell"),
                ]
            )
        out.append(self.table(rows, (0.27, 0.48, 0.25)))
        return out

    def domains_section(self) -> list[Flowable]:
        out: list[Flowable] = [self.p("The assessment, area by area", "h2")]
        needs = {n.domain: n for n in self.view.needs}
        empty: list[str] = []
        for d in self.view.domains:
            if not recorded(d):
                empty.append(d.label)
                continue
            out += self.domain_block(d, needs.get(d.key))
        if empty:
            out.append(Spacer(0, 2 * mm))
            out.append(self.p(f"<b>Nothing recorded:</b> {escape(', '.join(empty))}.", "muted"))
        return out

    def domain_block(self, d: DomainView, need: Need | None) -> list[Flowable]:
        spec = ad.BY_KEY.get(d.key)
        out: list[Flowable] = [self.p(esc(d.label), "h3")]
        if self.draft and getattr(d, "confirmed", True) is False:
            out.append(self.p("Copied from the last assessment; not yet confirmed.", "muted"))
        rows: list[list[Any]] = []
        for key, value in d.fields.items():
            f = _field(spec, key)
            label = sentence(f.label) if f else sentence(key.replace("_", " "))
            rows.append([self.p(escape(label), "cell"), self.p(esc(value_words(f, value)), "cell")])
        for key, value in d.computed.items():
            if value is True:
                label = COMPUTED_LABELS.get(key, sentence(key.replace("_", " ")))
                rows.append([self.p(escape(label), "cell_bold"), self.p("<b>Yes</b>", "cell")])
        if rows:
            out.append(self.table(rows, (0.4, 0.6), header=False))
        if d.note:
            out.append(self.p(f"<b>Note:</b> {esc(d.note)}", "note"))
        if d.need_identified:
            where = escape(need_destination(need))
            out.append(
                self.p(f"<b>Need identified:</b> {esc(d.need_text)} <i>({where})</i>", "need")
            )
        if len(d.note or "") <= KEEP_TOGETHER_NOTE:
            return [KeepTogether(out)]
        # A long note runs on over pages; the heading's keepWithNext keeps it off the foot
        # of a page by itself.
        return out

    def changes_section(self, differences: Sequence[Difference]) -> list[Flowable]:
        out: list[Flowable] = [self.p("Changes since the last assessment", "h2")]
        if not differences:
            out.append(self.p("Nothing has changed since the last assessment."))
            return out
        specs = {d.label: d for d in ad.DOMAINS}
        rows: list[list[Any]] = [self.header_row("Area", "What", "Before", "Now")]
        for diff in differences:
            spec = specs.get(diff.domain)
            f = next((x for x in spec.fields if x.label == diff.field), None) if spec else None
            rows.append(
                [
                    self.p(esc(diff.domain), "cell_bold"),
                    self.p(escape(sentence(diff.field)), "cell"),
                    self.p(esc(_change_words(f, diff.before)), "cell"),
                    self.p(esc(_change_words(f, diff.after)), "cell"),
                ]
            )
        out.append(self.table(rows, (0.22, 0.2, 0.29, 0.29)))
        return out


def _field(spec: ad.DomainSpec | None, key: str) -> ad.FieldSpec | None:
    if spec is None:
        return None
    return next((f for f in spec.fields if f.key == key), None)


def _change_words(f: ad.FieldSpec | None, value: object) -> str:
    if value is None or value == "":
        return DASH
    if isinstance(value, str) and f is None:  # a note or a need
        return shorten(value, CHANGE_TEXT_LIMIT)[0]
    return value_words(f, value)


def render_assessment_summary(
    view: AssessmentView,
    *,
    printed_by: str,
    printed_at: datetime,
    differences: list[Difference] | None = None,
    date_of_birth: date | None = None,
) -> bytes:
    """The assessment summary as an A4 PDF."""
    return AssessmentSummaryReport(
        view,
        printed_by=printed_by,
        printed_at=printed_at,
        differences=differences,
        date_of_birth=date_of_birth,
    ).render()
