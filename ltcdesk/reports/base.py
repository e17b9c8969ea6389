"""What every printed document shares: page size, margins, styles, a Unicode font, and a
header and footer with "Page X of Y" and who printed it (after pretix's
BaseReportlabInvoiceRenderer).

A document subclasses :class:`BaseReportRenderer`, sets ``landscape`` if it needs the
width, and returns its flowables from :meth:`BaseReportRenderer.story`; :meth:`render`
gives the PDF as bytes. Documents only lay out data a service has already fetched.
"""

from __future__ import annotations

import contextlib
import functools
import logging
import os
import unicodedata
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime
from io import BytesIO
from pathlib import Path
from typing import Any
from xml.sax.saxutils import escape

from reportlab.lib import colors
from reportlab.lib.pagesizes import A4, landscape, portrait
from reportlab.lib.styles import ParagraphStyle, StyleSheet1
from reportlab.lib.units import mm
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont
from reportlab.pdfgen.canvas import Canvas
from reportlab.platypus import BaseDocTemplate, Flowable, Frame, PageTemplate, Paragraph

log = logging.getLogger(__name__)

CONFIDENTIAL = "CONFIDENTIAL: contains personal information"
DASH = "—"  # printed for a value that is not known or does not apply

# NHS identity colours: readable in greyscale, which is how most of these get printed.
NHS_BLUE = colors.HexColor("#005EB8")
NHS_DARK_GREY = colors.HexColor("#425563")
ZEBRA = colors.HexColor("#EEF3F8")
RULE = colors.HexColor("#AEB7BD")


# ---------------------------------------------------------------------------- fonts


@dataclass(frozen=True)
class FontFamily:
    """Registered reportlab font names for one family."""

    regular: str
    bold: str
    unicode: bool  # False: the Vera fallback, which lacks e.g. "ễ" and "Ł"


_DEJAVU = ("DejaVuSans.ttf", "DejaVuSans-Bold.ttf")
# Where distributions and users put DejaVu (Debian/Ubuntu fonts-dejavu-core first, as the
# install script installs it), then a copy shipped in resources/fonts if there ever is one.
_FONT_DIRS = (
    "/usr/share/fonts/truetype/dejavu",  # Debian, Ubuntu
    "/usr/share/fonts/dejavu-sans-fonts",  # Fedora, RHEL
    "/usr/share/fonts/dejavu",  # openSUSE, Alpine
    "/usr/share/fonts/TTF",  # Arch
    "/usr/local/share/fonts",
    "/usr/local/share/fonts/dejavu",  # FreeBSD
    "/opt/homebrew/share/fonts",
    "~/.local/share/fonts",
    "~/.fonts",
    "~/Library/Fonts",  # macOS, installed per user
    "/Library/Fonts",
    os.path.join(os.environ.get("WINDIR", r"C:\Windows"), "Fonts"),
    os.path.join(os.environ.get("LOCALAPPDATA", "~"), "Microsoft", "Windows", "Fonts"),
    str(Path(__file__).resolve().parents[2] / "resources" / "fonts"),
)
_FONT_ROOTS = ("/usr/share/fonts", "/usr/local/share/fonts")  # searched last, recursively


def find_dejavu(dirs: Iterable[str] = _FONT_DIRS) -> tuple[Path, Path] | None:
    """Paths of DejaVu Sans and DejaVu Sans Bold, or None when they are not installed.

    ``LTCDESK_FONT_DIR`` names a folder to look in first (a locked-down PC without the
    system package can be pointed at a copy).
    """
    candidates = [os.environ.get("LTCDESK_FONT_DIR", ""), *dirs]
    for folder in candidates:
        if not folder:
            continue
        base = Path(folder).expanduser()
        regular, bold = (base / name for name in _DEJAVU)
        if regular.is_file() and bold.is_file():
            return regular, bold
    if dirs is _FONT_DIRS:
        for root in _FONT_ROOTS:
            with contextlib.suppress(OSError):
                for regular in Path(root).rglob(_DEJAVU[0]):
                    bold = regular.with_name(_DEJAVU[1])
                    if bold.is_file():
                        return regular, bold
    return None


@functools.cache
def register_fonts() -> FontFamily:
    """Register the report font once per process; DejaVu, or Vera with a warning."""
    found = find_dejavu()
    if found is not None:
        try:
            _register("LtcSans", "LtcSans-Bold", *found)
            return FontFamily("LtcSans", "LtcSans-Bold", unicode=True)
        except Exception:  # a damaged or unreadable file: print something rather than nothing
            log.warning("could not load DejaVu Sans from %s", found[0], exc_info=True)
    log.warning(
        "DejaVu Sans not found (install fonts-dejavu-core); printing with Vera, which "
        "cannot show some letters in names such as 'ễ' or 'Ł'"
    )
    import reportlab

    vera = Path(reportlab.__file__).parent / "fonts"
    _register("LtcSans", "LtcSans-Bold", vera / "Vera.ttf", vera / "VeraBd.ttf")
    return FontFamily("LtcSans", "LtcSans-Bold", unicode=False)


def _register(regular_name: str, bold_name: str, regular: Path, bold: Path) -> None:
    pdfmetrics.registerFont(TTFont(regular_name, str(regular)))
    pdfmetrics.registerFont(TTFont(bold_name, str(bold)))
    pdfmetrics.registerFontFamily(
        regular_name, normal=regular_name, bold=bold_name, italic=regular_name, boldItalic=bold_name
    )


# ---------------------------------------------------------------------------- text helpers


def clean(text: str | None) -> str:
    """Text as it should be printed: NFC (reportlab does not combine accents), "—" if empty."""
    if text is None or not str(text).strip():
        return DASH
    return unicodedata.normalize("NFC", str(text))


def para(text: str | None, style: ParagraphStyle) -> Paragraph:
    """A Paragraph of plain text: escaped, so "<", "&" in a name cannot break the markup."""
    return Paragraph(escape(clean(text)), style)


def uk_date(value: Any) -> str:
    return DASH if value is None else f"{value:%d/%m/%Y}"


def printed_line(printed_by: str, printed_at: datetime) -> str:
    return (
        f"Printed by {clean(printed_by)} on {printed_at:%d/%m/%Y} at {printed_at:%H:%M}"
        f" — {CONFIDENTIAL}"
    )


# ---------------------------------------------------------------------------- canvas


class NumberedCanvas(Canvas):
    """Holds every page until the end so each can say "Page X of Y" (two passes)."""

    def __init__(
        self,
        *args: Any,
        decorate: Callable[[Canvas, int, int], None],
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        self._decorate = decorate
        self._saved_pages: list[dict[str, Any]] = []

    def showPage(self) -> None:
        self._saved_pages.append(dict(self.__dict__))
        self._startPage()

    def save(self) -> None:
        total = len(self._saved_pages)
        for number, state in enumerate(self._saved_pages, start=1):
            self.__dict__.update(state)
            self._decorate(self, number, total)
            super().showPage()
        super().save()


# ---------------------------------------------------------------------------- renderer


class BaseReportRenderer:
    """Page set-up and furniture for one printed document; subclasses supply the story."""

    landscape: bool = False
    margin_left: float = 15 * mm
    margin_right: float = 15 * mm
    margin_top: float = 18 * mm  # room for the header line
    margin_bottom: float = 18 * mm  # room for the two footer lines
    base_font_size: float = 9
    header_bold: bool = False  # the header line in bold (the person's name on a plan)

    def __init__(self, *, title: str, printed_by: str, printed_at: datetime) -> None:
        self.title = clean(title)
        self.printed_by = clean(printed_by)
        self.printed_at = printed_at
        self.fonts = register_fonts()
        self.styles = self.stylesheet()

    # -- page geometry

    @property
    def pagesize(self) -> tuple[float, float]:
        return landscape(A4) if self.landscape else portrait(A4)

    @property
    def frame_width(self) -> float:
        return self.pagesize[0] - self.margin_left - self.margin_right

    @property
    def frame_height(self) -> float:
        return self.pagesize[1] - self.margin_top - self.margin_bottom

    # -- styles

    def stylesheet(self) -> StyleSheet1:
        regular, bold, size = self.fonts.regular, self.fonts.bold, self.base_font_size
        sheet = StyleSheet1()
        sheet.add(ParagraphStyle("body", fontName=regular, fontSize=size, leading=size * 1.25))
        sheet.add(
            ParagraphStyle(
                "small", fontName=regular, fontSize=size - 1.5, leading=(size - 1.5) * 1.2
            )
        )
        sheet.add(
            ParagraphStyle(
                "heading",
                fontName=bold,
                fontSize=size + 6,
                leading=(size + 6) * 1.2,
                textColor=NHS_BLUE,
                spaceAfter=3 * mm,
            )
        )
        sheet.add(
            ParagraphStyle(
                "table_header",
                fontName=bold,
                fontSize=size - 1,
                leading=(size - 1) * 1.2,
                textColor=colors.white,
            )
        )
        sheet.add(
            ParagraphStyle(
                "cell",
                fontName=regular,
                fontSize=size - 1,
                leading=(size - 1) * 1.2,
                embeddedHyphenation=1,  # "Smythe-Worthington" breaks at its hyphen
            )
        )
        sheet.add(ParagraphStyle("cell_bold", parent=sheet["cell"], fontName=bold))
        return sheet

    # -- furniture

    @property
    def furniture_size(self) -> float:
        """Size of the header and footer text."""
        return self.base_font_size - 1.5

    def header_text(self) -> str:
        return self.title

    def footer_text(self) -> str:
        return printed_line(self.printed_by, self.printed_at)

    def draw_page(self, canvas: Canvas, page: int, total: int) -> None:
        """Header rule and title, footer rule, printed-by line and "Page X of Y"."""
        width, height = self.pagesize
        left, right = self.margin_left, width - self.margin_right
        small = self.furniture_size
        canvas.saveState()
        canvas.setStrokeColor(RULE)
        canvas.setLineWidth(0.5)
        canvas.setFillColor(NHS_DARK_GREY)

        top = height - self.margin_top + 5 * mm
        # Said at the top too: it is what someone sees on a sheet left on a printer.
        canvas.setFont(self.fonts.bold, small)
        canvas.drawRightString(right, top + 1.5 * mm, "CONFIDENTIAL")
        room = right - left - pdfmetrics.stringWidth("CONFIDENTIAL", self.fonts.bold, small)
        header_font = self.fonts.bold if self.header_bold else self.fonts.regular
        canvas.setFont(header_font, small)
        canvas.drawString(
            left,
            top + 1.5 * mm,
            _fit(self.header_text(), self, small, room - 6 * mm, font=header_font),
        )
        canvas.line(left, top, right, top)

        bottom = self.margin_bottom - 6 * mm
        rule = bottom + max(4 * mm, small * 1.35)  # clear of the tallest letters
        canvas.line(left, rule, right, rule)
        page_text = f"Page {page} of {total}"
        canvas.setFont(self.fonts.bold, small)
        canvas.drawRightString(right, bottom, page_text)
        room = right - left - pdfmetrics.stringWidth(page_text, self.fonts.bold, small) - 6 * mm
        canvas.setFont(self.fonts.regular, small)
        canvas.drawString(left, bottom, _fit(self.footer_text(), self, small, room))
        canvas.restoreState()

    # -- building

    def story(self) -> Sequence[Flowable]:
        raise NotImplementedError

    def render(self) -> bytes:
        buffer = BytesIO()
        doc = BaseDocTemplate(
            buffer,
            pagesize=self.pagesize,
            leftMargin=self.margin_left,
            rightMargin=self.margin_right,
            topMargin=self.margin_top,
            bottomMargin=self.margin_bottom,
            title=self.title,
            author=self.printed_by,
            subject=CONFIDENTIAL,
            creator="ltcdesk",
        )
        frame = Frame(
            doc.leftMargin,
            doc.bottomMargin,
            doc.width,
            doc.height,
            id="body",
            leftPadding=0,
            rightPadding=0,
            topPadding=0,
            bottomPadding=0,
        )
        doc.addPageTemplates([PageTemplate(id="page", frames=[frame])])
        doc.build(
            list(self.story()),
            canvasmaker=functools.partial(NumberedCanvas, decorate=self.draw_page),
        )
        return buffer.getvalue()


def _fit(
    text: str, renderer: BaseReportRenderer, size: float, width: float, font: str | None = None
) -> str:
    """Shorten a header/footer line with "…" so it never runs off the page."""
    font = font or renderer.fonts.regular
    if pdfmetrics.stringWidth(text, font, size) <= width:
        return text
    while text and pdfmetrics.stringWidth(text + "…", font, size) > width:
        text = text[:-1]
    return text.rstrip() + "…"


# ---------------------------------------------------------------------------- files


class WritingLines(Flowable):
    """Faint dotted rules to write notes on (a notes column); as tall as the row asks for."""

    def __init__(self, height: float, gap: float = 6 * mm, colour: str = "#C5CCD1") -> None:
        super().__init__()
        self.height, self.gap, self.colour = height, gap, colour

    def wrap(self, available_width: float, available_height: float) -> tuple[float, float]:
        self.width = available_width
        return available_width, self.height

    def draw(self) -> None:
        c = self.canv
        c.saveState()
        c.setStrokeColor(colors.HexColor(self.colour))
        c.setLineWidth(0.4)
        c.setDash(1, 2)
        y = self.height - self.gap
        while y > 0:
            c.line(0, y, self.width, y)
            y -= self.gap
        c.restoreState()
