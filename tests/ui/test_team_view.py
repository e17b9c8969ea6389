"""Team caseloads, driven as a team lead would: the over-80 warning, sorting, opening a
worker's caseload by double-click, Enter or the button."""

from __future__ import annotations

from datetime import date

import pytest
from PySide6.QtCore import QPoint, Qt

from ltcdesk.app import build_services
from ltcdesk.db import open_database
from ltcdesk.services.demo import generate_demo
from ltcdesk.services.listing import CaseloadFilter
from ltcdesk.ui.views.team_view import Column, TeamCaseloadView

TODAY = date(2026, 11, 22)


def _demo(path):
    db = open_database(path)
    # 2,000 patients put Mercy Okafor, a community matron, at 84.
    generate_demo(db, patients=2000, seed=1, today=TODAY)
    return db


@pytest.fixture(scope="module")
def demo_db(tmp_path_factory):
    db = _demo(tmp_path_factory.mktemp("team") / "demo.db")
    yield db
    db.dispose()


@pytest.fixture
def view(qtbot, demo_db):
    widget = TeamCaseloadView(build_services(demo_db, "k.oconnell"))
    qtbot.addWidget(widget)
    widget.resize(1200, 700)
    widget.show()
    qtbot.waitExposed(widget)
    return widget


def cell(view, row, column, role=Qt.ItemDataRole.DisplayRole):
    return view.model.data(view.model.index(row, column), role)


def row_named(view, name):
    names = [cell(view, r, Column.NAME) for r in range(view.model.rowCount())]
    return names.index(name)


def click_cell(qtbot, view, row, column=Column.NAME, double=False):
    pos = view.table.visualRect(view.model.index(row, column)).center()
    viewport = view.table.viewport()
    qtbot.mouseClick(viewport, Qt.MouseButton.LeftButton, pos=pos)
    if double:
        # A real double-click is press, release, then a double-click event; QTest's
        # mouseDClick alone lacks the first press the item view checks for.
        qtbot.mouseDClick(viewport, Qt.MouseButton.LeftButton, pos=pos)


def test_banner_warns_that_a_matron_is_over_80(view):
    banner = view.banner
    assert banner.objectName() == "overLimitBanner"
    assert banner.isVisible()
    text = banner.text()
    assert "1 community matron is over the sustainable caseload of 80" in text
    assert "Mercy Okafor (84)" in text
    assert text.startswith("Warning:")  # said in words, not only in red


def test_the_matrons_row_says_over_80_in_words_with_the_guidance(view, demo_db):
    row = row_named(view, "Mercy Okafor")
    assert cell(view, row, Column.ROLE) == "Community matron"
    assert cell(view, row, Column.CASELOAD) == "84 — over 80, unsustainable"
    assert cell(view, row, Column.LEVEL_3) == "84"
    tip = cell(view, row, Column.CASELOAD, Qt.ItemDataRole.ToolTipRole)
    assert "Department of Health (2005)" in tip
    assert "50–80" in tip
    assert cell(view, row, Column.CASELOAD, Qt.ItemDataRole.FontRole).bold()
    assert cell(view, row, Column.CASELOAD, Qt.ItemDataRole.DecorationRole) is not None
    # People on her caseload with no agreed care plan, as the caseload service counts them.
    sizes = build_services(demo_db, "k.oconnell").caseload.sizes()
    mercy = next(w for w in sizes if w.username == "m.okafor")
    assert cell(view, row, Column.NO_CARE_PLAN) == str(mercy.no_care_plan)
    assert 0 < mercy.no_care_plan < mercy.total
    # Overdue care plan reviews, as the reminders count them for her.
    overdue = build_services(demo_db, "k.oconnell").reminders.overdue_reviews_by_worker()
    assert cell(view, row, Column.OVERDUE_REVIEWS) == str(overdue["m.okafor"])
    assert overdue["m.okafor"] > 0


def test_only_community_matrons_are_held_to_80(view):
    # Wei Zhang, a pharmacist, has 89: no matron limit applies.
    row = row_named(view, "Wei Zhang")
    assert cell(view, row, Column.CASELOAD) == "89"
    assert cell(view, row, Column.CASELOAD, Qt.ItemDataRole.FontRole) is None
    matron = row_named(view, "Ciara Doyle")
    assert cell(view, matron, Column.CASELOAD) == "68"


def test_double_clicking_a_worker_opens_their_caseload(qtbot, view):
    row = row_named(view, "Mercy Okafor")
    with qtbot.waitSignal(view.workerActivated, timeout=1000) as blocker:
        click_cell(qtbot, view, row, double=True)
    assert blocker.args == ["m.okafor"]


def test_enter_opens_the_current_worker_and_the_button_the_selected_one(qtbot, view):
    assert not view.open_button.isEnabled()
    row = row_named(view, "Tom Brennan")
    click_cell(qtbot, view, row)
    assert view.selected_username() == "t.brennan"
    assert view.open_button.isEnabled()
    view.table.setFocus()
    with qtbot.waitSignal(view.workerActivated, timeout=1000) as blocker:
        qtbot.keyClick(view.table, Qt.Key.Key_Return)
    assert blocker.args == ["t.brennan"]
    with qtbot.waitSignal(view.workerActivated, timeout=1000) as blocker:
        qtbot.mouseClick(view.open_button, Qt.MouseButton.LeftButton)
    assert blocker.args == ["t.brennan"]


def test_clicking_a_header_sorts_by_that_column(qtbot, view):
    header = view.table.horizontalHeader()
    names = [cell(view, r, Column.NAME) for r in range(view.model.rowCount())]
    assert names == sorted(names, key=str.casefold)
    click_cell(qtbot, view, row_named(view, "Mercy Okafor"))

    x = header.sectionViewportPosition(Column.CASELOAD) + header.sectionSize(Column.CASELOAD) // 2
    qtbot.mouseClick(header.viewport(), Qt.MouseButton.LeftButton, pos=QPoint(x, 5))
    qtbot.mouseClick(header.viewport(), Qt.MouseButton.LeftButton, pos=QPoint(x, 5))
    sizes = [int(cell(view, r, Column.CASELOAD).split()[0]) for r in range(view.model.rowCount())]
    assert sorted(sizes) in (sizes, sizes[::-1])
    assert sizes[0] != sizes[-1]
    # The selection follows the worker, not the row number.
    assert view.selected_username() == "m.okafor"


def test_the_model_passes_qt_model_tester(qtmodeltester, view):
    qtmodeltester.check(view.model, force_py=True)


def test_refresh_clears_the_warning_once_the_matron_is_back_within_80(qtbot, tmp_path):
    db = _demo(tmp_path / "refresh.db")
    try:
        services = build_services(db, "k.oconnell")
        widget = TeamCaseloadView(services)
        qtbot.addWidget(widget)
        widget.show()
        qtbot.waitExposed(widget)
        click_cell(qtbot, widget, row_named(widget, "Mercy Okafor"))
        assert widget.banner.isVisible()

        rows = services.caseload.list_caseload(CaseloadFilter(worker="m.okafor"))
        for row in rows[:4]:
            services.caseload.discharge(row.nhs_number, "Stepped down to the practice nurse")
        widget.refresh()

        assert not widget.banner.isVisible()
        assert cell(widget, row_named(widget, "Mercy Okafor"), Column.CASELOAD) == "80"
        assert widget.selected_username() == "m.okafor"
    finally:
        db.dispose()
