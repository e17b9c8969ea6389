"""The caseload list PDF: every name prints (accents included), pages are numbered
"Page X of Y", the table fits landscape A4, and files are written atomically."""

from __future__ import annotations

import io
from dataclasses import replace
from datetime import date, datetime

import pypdf
import pytest

from ltcdesk import fileio
from ltcdesk.domain.nhs_number import complete
from ltcdesk.domain.vocab import CONDITIONS
from ltcdesk.reports import base
from ltcdesk.reports.caseload_list import render_caseload_pdf
from ltcdesk.services.listing import CaseloadRow

PRINTED_AT = datetime(2026, 11, 22, 14, 2)
ALL_CONDITIONS = tuple(code for code, _ in CONDITIONS)


def _nhs_numbers():
    """Valid NHS numbers starting 943 476 …, in order."""
    n = 943476000
    while True:
        n += 1
        number = complete(f"{n:09d}")
        if number is not None:
            yield number


def make_row(nhs: str, family: str, given: str, **changes) -> CaseloadRow:
    row = CaseloadRow(
        patient_id=int(nhs),
        nhs_number=nhs,
        family_name=family,
        given_name=given,
        date_of_birth=date(1941, 3, 12),
        age=85,
        sex="female",
        postcode="LS6 2AB",
        practice_code="C82001",
        practice_name="Castle Street Surgery",
        key_worker_username="m.okafor",
        key_worker_name="Mercy Okafor",
        level=3,
        on_caseload_since=date(2025, 1, 6),
        conditions=("COPD", "HF"),
        lives_alone=True,
        has_carer=False,
        consent="given",
    )
    return replace(row, **changes)


def sample_rows(count: int) -> list[CaseloadRow]:
    numbers = _nhs_numbers()
    rows = [
        make_row(next(numbers), "O'Kon", "María"),
        make_row(next(numbers), "Nguyễn", "Thị Lan", conditions=ALL_CONDITIONS),
        make_row(next(numbers), "Wiśniewski", "Łukasz", key_worker_name=None, level=None),
    ]
    while len(rows) < count:
        level = len(rows) % 3 + 1
        rows.append(make_row(next(numbers), "Smith", f"Patient {len(rows)}", level=level))
    return rows[:count]


def pages_text(data: bytes) -> list[str]:
    return [page.extract_text() for page in pypdf.PdfReader(io.BytesIO(data)).pages]


def render(rows, title="Caseload — Mercy Okafor"):
    return render_caseload_pdf(rows, title, "Kate O'Connell", PRINTED_AT)


def test_names_with_accents_and_formatted_nhs_numbers_print():
    rows = sample_rows(3)
    data = render(rows)
    assert data[:5] == b"%PDF-"
    text = "\n".join(pages_text(data))
    assert "Caseload — Mercy Okafor (3 patients)" in text
    for name in ("O'Kon, María", "Nguyễn, Thị Lan", "Wiśniewski, Łukasz"):
        assert name in text
    for row in rows:
        digits = row.nhs_number
        assert f"{digits[:3]} {digits[3:6]} {digits[6:]}" in text
    assert "12/03/1941 (85)" in text
    assert "Printed by Kate O'Connell on 22/11/2026 at 14:02" in text
    assert "CONFIDENTIAL" in text
    assert "Page 1 of 1" in text


def test_the_font_is_dejavu_so_every_letter_has_a_glyph():
    # The Vera fallback would print "ễ" and "Ł" as boxes while the text still extracts.
    assert base.register_fonts().unicode, "install fonts-dejavu-core"
    fonts = set()
    for page in pypdf.PdfReader(io.BytesIO(render(sample_rows(3)))).pages:
        for font in page["/Resources"]["/Font"].values():
            fonts.add(str(font.get_object()["/BaseFont"]))
    assert any("DejaVuSans" in f for f in fonts), fonts


def test_a_long_condition_list_is_wrapped_in_full():
    text = "\n".join(pages_text(render(sample_rows(3))))
    flat = " ".join(text.split())
    assert "Frailty, Palliative care" in flat
    assert "Diabetes, Hypertension, COPD" in flat


def test_patients_view_rows_print_a_dash_for_key_worker_and_level():
    numbers = _nhs_numbers()
    rows = [make_row(next(numbers), "Jones", "Alys", key_worker_name=None, level=None)]
    lines = pages_text(render(rows, title="All patients"))[0].splitlines()
    assert [line.strip() for line in lines].count("—") >= 2
    assert "Mercy Okafor" not in "\n".join(lines)


def test_markup_characters_in_names_print_literally():
    numbers = _nhs_numbers()
    rows = [make_row(next(numbers), "Smith & Jones", "<b>Ann</b>")]
    flat = " ".join(pages_text(render(rows))[0].split())
    assert "Smith & Jones, <b>Ann</b>" in flat


def test_three_hundred_rows_run_to_several_numbered_landscape_pages():
    data = render(sample_rows(300))
    reader = pypdf.PdfReader(io.BytesIO(data))
    total = len(reader.pages)
    assert total >= 3
    texts = [page.extract_text() for page in reader.pages]
    for number, text in enumerate(texts, start=1):
        assert f"Page {number} of {total}" in text
        assert "Name" in text  # the header row repeats on every page
        assert "Printed by Kate O'Connell" in text
    assert f"Page {total} of {total}" in texts[-1]
    assert "Patient 299" in texts[-1]
    for page in reader.pages:
        width, height = float(page.mediabox.width), float(page.mediabox.height)
        assert width > height
        assert (round(width), round(height)) == (842, 595)


def test_an_empty_list_still_prints_a_page():
    text = pages_text(render([]))[0]
    assert "(0 patients)" in text
    assert "No patients to list." in text
    assert "Page 1 of 1" in text


def test_one_patient_is_singular():
    assert "(1 patient)" in pages_text(render(sample_rows(1)))[0]


def test_write_atomically_replaces_the_file_and_leaves_no_temporary_files(tmp_path):
    target = tmp_path / "caseload.pdf"
    target.write_bytes(b"old")
    data = render(sample_rows(3))
    assert fileio.write_atomically(target, data) == target
    assert target.read_bytes() == data
    assert [p.name for p in tmp_path.iterdir()] == ["caseload.pdf"]


def test_write_atomically_keeps_the_old_file_when_writing_fails(tmp_path, monkeypatch):
    target = tmp_path / "caseload.pdf"
    target.write_bytes(b"old")

    def broken_fsync(fd):
        raise OSError("disk full")

    monkeypatch.setattr(fileio.os, "fsync", broken_fsync)
    with pytest.raises(OSError, match="disk full"):
        fileio.write_atomically(target, b"new")
    assert target.read_bytes() == b"old"
    assert [p.name for p in tmp_path.iterdir()] == ["caseload.pdf"]


def test_find_dejavu_looks_in_the_folder_it_is_given(tmp_path, monkeypatch):
    monkeypatch.delenv("LTCDESK_FONT_DIR", raising=False)
    assert base.find_dejavu([str(tmp_path)]) is None
    (tmp_path / "DejaVuSans.ttf").write_bytes(b"")
    (tmp_path / "DejaVuSans-Bold.ttf").write_bytes(b"")
    assert base.find_dejavu([str(tmp_path)]) == (
        tmp_path / "DejaVuSans.ttf",
        tmp_path / "DejaVuSans-Bold.ttf",
    )


def test_without_dejavu_it_prints_with_vera_and_says_why(monkeypatch, caplog):
    monkeypatch.setattr(base, "find_dejavu", lambda: None)
    base.register_fonts.cache_clear()
    try:
        with caplog.at_level("WARNING", logger="ltcdesk.reports.base"):
            assert base.register_fonts().unicode is False
            data = render(sample_rows(1))
        assert data[:5] == b"%PDF-"
        assert "fonts-dejavu-core" in caplog.text
    finally:
        monkeypatch.undo()
        base.register_fonts.cache_clear()
        assert base.register_fonts().unicode


def test_columns_fill_the_landscape_frame_and_fixed_width_values_fit():
    from reportlab.pdfbase.pdfmetrics import stringWidth

    from ltcdesk.reports.caseload_list import COLUMNS, CaseloadListReport

    assert sum(share for _, share in COLUMNS) == pytest.approx(1.0)
    report = CaseloadListReport([], "Caseload", "Kate O'Connell", PRINTED_AT)
    widths = {name: share * report.frame_width - 6 for name, share in COLUMNS}  # less padding
    cell = report.styles["cell"]
    for column, widest in (
        ("NHS number", "888 888 8888"),
        ("Date of birth (age)", "28/08/1920 (106)"),  # plain strings: they do not wrap
    ):
        assert stringWidth(widest, cell.fontName, cell.fontSize) <= widths[column]
