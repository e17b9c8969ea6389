"""The one CSV writer: every CSV output guards cells a spreadsheet would run as formulas."""

from __future__ import annotations

import ast
import csv
import io
from datetime import date, time
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from ltcdesk.domain.csvsafe import csv_bytes, safe_cell, safe_writer, write_csv

PACKAGE = Path(__file__).resolve().parents[2] / "ltcdesk"
FORMULA = '=HYPERLINK("http://x","y")'


def read(text: str) -> list[list[str]]:
    return list(csv.reader(io.StringIO(text.removeprefix("\ufeff"))))


@pytest.mark.parametrize(
    "cell", [FORMULA, "+1+1", "-2+3", "@SUM(A1:A2)", "\t=1+1", "\r=1+1", "=", "-"]
)
def test_a_cell_starting_like_a_formula_is_written_as_text(cell):
    assert safe_cell(cell) == "'" + cell
    assert read(write_csv([[cell]], ["Family name"]))[1] == ["'" + cell]


@pytest.mark.parametrize("cell", ["O'Kon", "María", "1 + 1", "a=b", " =x", "", "'=already"])
def test_other_cells_are_written_as_they_are(cell):
    assert safe_cell(cell) == cell


def test_none_and_numbers_become_text_and_nothing_is_cut():
    long = "x" * 100_000
    rows = read(write_csv([[None, 3, long, date(2026, 11, 22)]], ["a", "b", "c", "d"]))
    assert rows[1] == ["", "3", long, "2026-11-22"]


def test_headers_are_guarded_too_and_a_file_starts_with_a_byte_order_mark():
    data = csv_bytes([["x"]], ["=evil"])
    assert data.startswith(b"\xef\xbb\xbf")
    assert read(data.decode("utf-8"))[0] == ["'=evil"]


def test_the_writer_wraps_any_text_file():
    out = io.StringIO()
    writer = safe_writer(out, lineterminator="\n")
    writer.writerow(["NHS", FORMULA])
    writer.writerows([["943 476 5919", "@x"]])
    assert out.getvalue() == 'NHS,"\'=HYPERLINK(""http://x"",""y"")"\n943 476 5919,\'@x\n'


@given(st.lists(st.lists(st.text(max_size=30), min_size=1, max_size=4), max_size=5))
def test_every_cell_reads_back_the_same_or_guarded(rows):
    width = max((len(r) for r in rows), default=1)
    rows = [r + [""] * (width - len(r)) for r in rows]
    back = read(write_csv(rows, ["h"] * width))[1:]
    for written, original in zip(back, rows, strict=True):
        for cell, value in zip(written, original, strict=True):
            # The csv module reads "\r" back as "\n" inside a quoted cell only on some
            # platforms; compare line endings as written.
            expected = safe_cell(value)
            assert cell.replace("\r\n", "\n").replace("\r", "\n") == expected.replace(
                "\r\n", "\n"
            ).replace("\r", "\n")
            assert not cell.startswith(("=", "+", "-", "@"))


def test_no_other_module_writes_csv_with_the_bare_csv_module():
    """The one writer is the only ``csv.writer``: a new CSV output cannot forget the guard."""
    allowed = {PACKAGE / "domain" / "csvsafe.py"}
    offenders = []
    for path in PACKAGE.rglob("*.py"):
        if path in allowed:
            continue
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            if (
                isinstance(node, ast.Attribute)
                and isinstance(node.value, ast.Name)
                and node.value.id == "csv"
                and node.attr in ("writer", "DictWriter")
            ):
                offenders.append(str(path.relative_to(PACKAGE)))
    assert offenders == []


# ------------------------------------------------------------------ each output


def test_the_apps_caseload_export_guards_a_family_name():
    from ltcdesk.services.listing import CaseloadRow
    from ltcdesk.ui.models.caseload_table import Column
    from ltcdesk.ui.models.caseload_table import csv_bytes as caseload_csv

    row = CaseloadRow(
        patient_id=1,
        nhs_number="9434765919",
        family_name=FORMULA,
        given_name="@John",
        date_of_birth=date(1940, 1, 1),
        age=86,
        sex="male",
        postcode="LE4 7AB",
        practice_code="C82001",
        practice_name="Castle Street Surgery",
        key_worker_username="matron1",
        key_worker_name="Mary Matron",
        level=2,
        on_caseload_since=date(2026, 1, 5),
        conditions=("COPD",),
        lives_alone=True,
        has_carer=False,
        consent=None,
    )
    table = read(caseload_csv([row], list(Column)).decode("utf-8"))
    name = table[1][0]
    assert name.startswith("'")
    assert FORMULA in name


def test_a_meetings_action_list_guards_the_patient_and_owner():
    from ltcdesk.reports.meeting_agenda import minutes_csv
    from ltcdesk.services.meeting_views import ActionView, MeetingView

    action = ActionView(
        id=1,
        meeting_id=1,
        meeting_date=date(2026, 11, 20),
        nhs_number="9434765919",
        patient_name=f"John {FORMULA}",
        initials="J.H.",
        what="+ring the GP",
        owner_username="nurse",
        owner_name="-Nia Nurse",
        due_on=date(2026, 11, 27),
        status="open",
        done_on=None,
        note="@home",
    )
    view = MeetingView(
        id=1, team="Northfield", held_on=date(2026, 11, 20), starts_at=time(9, 30),
        minutes=60, place="Room 2", virtual=False, chair_username="lead",
        chair_name="Tessa Lead", status="closed", agenda_locked=True, agenda_locked_at=None,
        notes=None, lock_version=1, attendees=(), items=(), actions=(action,),
    )  # fmt: skip
    family = minutes_csv(view).encode("utf-8")
    rows = read(family.decode("utf-8"))
    assert rows[1][1] == f"John {FORMULA}"  # not at the start of the cell: not a formula
    assert rows[1][3] == "'+ring the GP"
    assert rows[1][4] == "'-Nia Nurse"
    assert rows[1][8] == "'@home"
    starts = ActionView(**{**action.__dict__, "patient_name": FORMULA})
    rows = read(minutes_csv(MeetingView(**{**view.__dict__, "actions": (starts,)})))
    assert rows[1][1] == "'" + FORMULA
