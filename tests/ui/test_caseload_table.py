"""The caseload table model: what each cell shows, filtering as you type, sorting."""

from __future__ import annotations

import random
from datetime import date

import pytest
from PySide6.QtCore import Qt

from ltcdesk.domain.listing import haystack, needle
from ltcdesk.services.listing import CaseloadRow
from ltcdesk.ui.models.caseload_table import (
    NHS_ROLE,
    ROW_ROLE,
    CaseloadTableModel,
    Column,
)

DISPLAY = Qt.ItemDataRole.DisplayRole
TOOLTIP = Qt.ItemDataRole.ToolTipRole
ASC, DESC = Qt.SortOrder.AscendingOrder, Qt.SortOrder.DescendingOrder


def make_row(n: int, family: str, given: str, **kw) -> CaseloadRow:
    values = {
        "patient_id": n,
        "nhs_number": f"999{n:07d}",
        "family_name": family,
        "given_name": given,
        "date_of_birth": date(1940, 1, 1),
        "age": 86,
        "sex": "female",
        "postcode": "LE4 7AB",
        "practice_code": "C82044",
        "practice_name": "Castle Street Surgery",
        "key_worker_username": "m.okafor",
        "key_worker_name": "Mercy Okafor",
        "level": 3,
        "on_caseload_since": date(2025, 3, 4),
        "conditions": (),
        "lives_alone": False,
        "has_carer": False,
        "consent": "given",
    }
    values.update(kw)
    return CaseloadRow(**values)


ROWS = [
    make_row(
        1,
        "O'Kon",
        "María",
        nhs_number="9434765919",
        conditions=("COPD", "DM", "HF", "HYP"),
        lives_alone=True,
        has_carer=True,
        age=91,
    ),
    make_row(2, "Smith", "John", age=67, level=2, postcode="LE1 1AA", consent=None),
    make_row(3, "Patel", "Asha", age=78, level=1, practice_code="C82017",
             practice_name="Belgrave Health Centre", consent="declined"),
    make_row(4, "Nguyễn", "Lan", age=67, key_worker_username="h.mistry",
             key_worker_name="Hetal Mistry", conditions=("DEM",)),
    make_row(5, "Smithson", "Zoë", age=80, date_of_death=date(2026, 10, 1), level=None,
             key_worker_username=None, key_worker_name=None),
]  # fmt: skip


@pytest.fixture
def model(qapp):
    m = CaseloadTableModel()
    m.set_rows(ROWS)
    return m


def shown(model, column=Column.NAME):
    return [model.index(r, column).data() for r in range(model.rowCount())]


def test_passes_the_model_tester_loaded_filtered_and_sorted(qtmodeltester, model):
    qtmodeltester.check(model)
    model.set_filter(text="smith")
    qtmodeltester.check(model)
    model.sort(Column.AGE, DESC)
    model.set_filter(text="")
    qtmodeltester.check(model)
    model.set_rows([])
    qtmodeltester.check(model)


def test_rows_are_in_name_order_accents_folded(model):
    assert shown(model) == ["Nguyễn, Lan", "O'Kon, María", "Patel, Asha", "Smith, John",
                            "Smithson, Zoë"]  # fmt: skip


def test_cells_show_what_a_matron_reads(model):
    (okon,) = model.rows_of(["9434765919"])
    cells = [model.index(okon, c).data() for c in Column]
    assert cells == [
        "O'Kon, María",
        "943 476 5919",
        "91",
        "Castle Street Surgery",
        "Mercy Okafor",
        "3",
        "4",
        "Heart failure, COPD, Diabetes",
        "Yes",
        "Yes",
        "",
        "",
    ]
    assert model.index(okon, Column.CONDITIONS).data(TOOLTIP) == (
        "Heart failure, COPD, Diabetes, Hypertension"
    )
    assert model.index(okon, Column.NAME).data(TOOLTIP) == "María O'Kon, born 01/01/1940 (age 91)"
    assert model.index(okon, Column.KEY_WORKER).data(TOOLTIP) == (
        "On this caseload since 04/03/2025"
    )
    assert model.index(okon, Column.LEVEL).data(TOOLTIP).startswith("Level 3")
    assert model.index(okon, Column.NHS_NUMBER).data(NHS_ROLE) == "9434765919"
    assert model.index(okon, Column.AGE).data(ROW_ROLE) is ROWS[0]
    assert model.headerData(Column.LIVES_ALONE, Qt.Orientation.Horizontal) == "Lives alone"
    assert shown(model, Column.FLAGS) == [
        "",
        "",
        "Consent declined",
        "No consent recorded",
        "Deceased",
    ]
    assert model.index(4, Column.FLAGS).data(TOOLTIP) == "Died on 01/10/2026"
    assert model.index(4, Column.LEVEL).data() == ""


@pytest.mark.parametrize(
    ("typed", "expected"),
    [
        ("smith", ["Smith, John", "Smithson, Zoë"]),
        ("SMITHSON", ["Smithson, Zoë"]),
        ("maria o'kon", ["O'Kon, María"]),  # given then family, accents folded
        ("okon", ["O'Kon, María"]),
        ("o’kon, mar", ["O'Kon, María"]),  # typographic apostrophe, "Family, Given"
        ("nguyen", ["Nguyễn, Lan"]),
        ("zoe", ["Smithson, Zoë"]),
        ("943 476 5919", ["O'Kon, María"]),
        ("943-476", ["O'Kon, María"]),
        ("le1 1aa", ["Smith, John"]),
        ("LE11AA", ["Smith, John"]),
        ("  ", ["Nguyễn, Lan", "O'Kon, María", "Patel, Asha", "Smith, John", "Smithson, Zoë"]),
        ("nobody", []),
    ],
)
def test_filter_text_matches_names_nhs_number_and_postcode(model, typed, expected):
    model.set_filter(text=typed)
    assert shown(model) == expected


def test_quick_filters_combine_with_the_text(model):
    model.set_filter(level=3)
    assert shown(model) == ["Nguyễn, Lan", "O'Kon, María"]
    model.set_filter(worker="h.mistry")
    assert shown(model) == ["Nguyễn, Lan"]
    model.set_filter(worker=None, condition="HF")
    assert shown(model) == ["O'Kon, María"]
    model.set_filter(level=None, condition=None, practice="C82017")
    assert shown(model) == ["Patel, Asha"]
    model.set_filter(practice=None, text="smith")
    assert shown(model) == ["Smith, John", "Smithson, Zoë"]
    assert model.total == len(ROWS)


def test_sorting_by_age_keeps_name_order_for_equal_ages(model):
    model.sort(Column.AGE, ASC)
    assert shown(model, Column.AGE) == ["67", "67", "78", "80", "91"]
    assert shown(model)[:2] == ["Nguyễn, Lan", "Smith, John"]  # name order
    model.sort(Column.AGE, DESC)
    assert shown(model, Column.AGE) == ["91", "80", "78", "67", "67"]
    assert shown(model)[3:] == ["Nguyễn, Lan", "Smith, John"]
    model.sort(Column.NAME, ASC)
    assert shown(model) == ["Nguyễn, Lan", "O'Kon, María", "Patel, Asha", "Smith, John",
                            "Smithson, Zoë"]  # fmt: skip


def test_new_rows_keep_the_filter_and_the_sort(model):
    model.sort(Column.AGE, DESC)
    model.set_filter(text="smith")
    model.set_rows([*ROWS, make_row(6, "Smithers", "Wayland", age=99)])
    assert shown(model) == ["Smithers, Wayland", "Smithson, Zoë", "Smith, John"]
    assert model.rows_of(["9990000002", "9990000005"]) == [1, 2]


def test_typing_and_deleting_letter_by_letter_matches_a_fresh_filter(qapp):
    """Narrowing searches only the rows already shown; it must agree with a full search."""
    rng = random.Random(3)
    families = ["Smith", "Smythe", "O'Neill", "Okafor", "Nowak", "Ó Briain", "Ng", "Šimić"]
    rows = [
        make_row(n, rng.choice(families), rng.choice(["Ann", "Anna", "Seán", "Zoë"]),
                 nhs_number=f"{rng.randrange(10**9, 10**10)}", postcode=rng.choice(
                     ["LE4 7AB", "LE1 1AA", None]))
        for n in range(400)
    ]  # fmt: skip
    model = CaseloadTableModel()
    model.set_rows(rows)
    rows.sort(key=lambda r: haystack(r.family_name, r.given_name, r.nhs_number, r.postcode))
    hay = {r.nhs_number: haystack(r.family_name, r.given_name, r.nhs_number, r.postcode)
           for r in rows}  # fmt: skip
    for word in ["smith", "o'n", "ann s", "le4 7", "9 9", "sean", "ó b", "simic"]:
        for typed in [word[:k] for k in range(len(word) + 1)] + [word[:2], ""]:
            model.set_filter(text=typed)
            term = needle(typed)
            expected = [r.nhs_number for r in rows if term in hay[r.nhs_number]]
            assert [model.row_at(i).nhs_number for i in range(model.rowCount())] == expected
