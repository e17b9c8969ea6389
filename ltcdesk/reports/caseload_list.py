"""A caseload (or any list of patients) as an A4 landscape table, for a handover or a
multidisciplinary team meeting."""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from datetime import datetime

from reportlab.lib import colors
from reportlab.lib.enums import TA_CENTER
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.platypus import Flowable, Paragraph, Spacer, Table, TableStyle

from ltcdesk.domain.nhs_number import format_nhs
from ltcdesk.domain.vocab import CONDITION_NAMES
from ltcdesk.reports.base import (
    DASH,
    NHS_BLUE,
    RULE,
    ZEBRA,
    BaseReportRenderer,
    clean,
    para,
    uk_date,
)
from ltcdesk.services.listing import CaseloadRow

# (heading, share of the frame width): shares rather than points so a change of margins
# or page size keeps the table inside the frame. Sized for 8 pt DejaVu Sans on landscape A4.
COLUMNS: tuple[tuple[str, float], ...] = (
    ("Name", 0.155),
    ("NHS number", 0.085),
    ("Date of birth (age)", 0.102),
    ("Practice", 0.14),
    ("Key worker", 0.11),
    ("Level", 0.042),
    ("LTCs", 0.04),
    ("Long term conditions", 0.231),
    ("Lives alone", 0.05),
    ("Carer", 0.045),
)
_CENTRED = ("Level", "LTCs", "Lives alone", "Carer")
_CENTRED_INDEXES = tuple(n for n, (name, _) in enumerate(COLUMNS) if name in _CENTRED)


def patients_text(count: int) -> str:
    return f"{count:,} patient" + ("" if count == 1 else "s")


def condition_names(codes: Sequence[str]) -> str:
    return ", ".join(CONDITION_NAMES.get(code, code) for code in codes) or DASH


def _yes_no(value: bool) -> str:
    return "Yes" if value else "No"


class CaseloadListReport(BaseReportRenderer):
    landscape = True

    def __init__(
        self, rows: Sequence[CaseloadRow], title: str, printed_by: str, printed_at: datetime
    ) -> None:
        self.rows = rows
        super().__init__(
            title=f"{clean(title)} ({patients_text(len(rows))})",
            printed_by=printed_by,
            printed_at=printed_at,
        )
        self.header_centred = ParagraphStyle(
            "header_centred", parent=self.styles["table_header"], alignment=TA_CENTER
        )
        self.note = ParagraphStyle("cell_note", parent=self.styles["small"], textColor=colors.black)

    def story(self) -> list[Flowable]:
        story: list[Flowable] = [para(self.title, self.styles["heading"])]
        summary = self.summary()
        if summary:
            story += [Paragraph(summary, self.styles["body"]), Spacer(0, 3 * mm)]
        if not self.rows:
            story.append(Paragraph("No patients to list.", self.styles["body"]))
            return story
        story.append(self.table())
        return story

    def summary(self) -> str:
        levels = Counter(row.level for row in self.rows if row.level is not None)
        parts = [f"Level {lv}: {levels[lv]:,}" for lv in (3, 2, 1) if levels[lv]]
        alone = sum(row.lives_alone for row in self.rows)
        if self.rows:
            parts.append(f"Lives alone: {alone:,}")
        return " · ".join(parts)

    def table(self) -> Table:
        header_style = self.styles["table_header"]
        header = [
            Paragraph(name, self.header_centred if name in _CENTRED else header_style)
            for name, _ in COLUMNS
        ]
        data = [header, *(self.cells(row) for row in self.rows)]
        widths = [share * self.frame_width for _, share in COLUMNS]
        cell = self.styles["cell"]
        table = Table(data, colWidths=widths, repeatRows=1)
        table.setStyle(
            TableStyle(
                [
                    # For the short cells given as plain strings (quicker than Paragraphs).
                    ("FONT", (0, 1), (-1, -1), cell.fontName, cell.fontSize, cell.leading),
                    *(("ALIGN", (c, 1), (c, -1), "CENTRE") for c in _CENTRED_INDEXES),
                    ("BACKGROUND", (0, 0), (-1, 0), NHS_BLUE),
                    ("ROWBACKGROUNDS", (0, 1), (-1, -1), [colors.white, ZEBRA]),
                    ("VALIGN", (0, 0), (-1, -1), "TOP"),
                    ("VALIGN", (0, 0), (-1, 0), "BOTTOM"),
                    ("LEFTPADDING", (0, 0), (-1, -1), 3),
                    ("RIGHTPADDING", (0, 0), (-1, -1), 3),
                    ("TOPPADDING", (0, 0), (-1, -1), 2.5),
                    ("BOTTOMPADDING", (0, 0), (-1, -1), 3),
                    ("LINEBELOW", (0, 1), (-1, -1), 0.25, RULE),
                    ("BOX", (0, 0), (-1, -1), 0.5, RULE),
                ]
            )
        )
        return table

    def cells(self, row: CaseloadRow) -> list[str | Flowable | list[Flowable]]:
        """Paragraphs where text may wrap, plain strings for short values (about half the
        time per row: a long list takes ~1.5 ms a row)."""
        cell = self.styles["cell"]
        name: Flowable | list[Flowable] = para(f"{row.family_name}, {row.given_name}", cell)
        if row.date_of_death is not None:
            name = [name, para(f"Died {uk_date(row.date_of_death)}", self.note)]
        return [
            name,
            format_nhs(row.nhs_number),
            f"{uk_date(row.date_of_birth)} ({row.age})",
            para(row.practice_name, cell),
            para(row.key_worker_name, cell),
            DASH if row.level is None else str(row.level),
            str(row.ltc_count),
            para(condition_names(row.conditions), cell),
            _yes_no(row.lives_alone),
            _yes_no(row.has_carer),
        ]


def render_caseload_pdf(
    rows: Sequence[CaseloadRow], title: str, printed_by: str, printed_at: datetime
) -> bytes:
    """The rows, in the order given, as a PDF: "Caseload — Mercy Okafor (84 patients)".

    Rows from the Patients view (no key worker or level) print "—" in those columns.
    """
    return CaseloadListReport(rows, title, printed_by, printed_at).render()
