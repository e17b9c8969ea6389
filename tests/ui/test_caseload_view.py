"""The caseload lists driven as a care navigator, matron or team lead would use them."""

from __future__ import annotations

import csv
import io
import shutil
from datetime import date, datetime

import pytest
from PySide6.QtCore import QPoint, Qt
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QDialog, QFileDialog, QMessageBox

from ltcdesk.app import build_services
from ltcdesk.db import open_database
from ltcdesk.domain.listing import haystack
from ltcdesk.services.demo import generate_demo
from ltcdesk.services.listing import CaseloadFilter
from ltcdesk.services.patients import NewPatient
from ltcdesk.ui import tasks
from ltcdesk.ui.models.caseload_table import Column
from ltcdesk.ui.views.caseload_view import CaseloadView

TODAY = date.today()  # the services date transfers today; the demo must not start later
LEFT = Qt.MouseButton.LeftButton
CTRL = Qt.KeyboardModifier.ControlModifier
# (NHS number, family, given, postcode, key worker, level); the last is on no caseload.
PEOPLE = [
    ("9434765919", "O'Kon", "María", "LE4 7AB", "matron1", 3),
    ("4010232137", "Smith", "John", "LE1 1AA", "matron1", 2),
    ("9990000018", "Patel", "Asha", "LE5 2CD", "nurse", 2),
    ("9990000026", "Nguyễn", "Lan", "LE3 9XY", None, None),
]


@pytest.fixture(autouse=True)
def synchronous():
    tasks.set_synchronous(True)
    yield
    tasks.set_synchronous(False)


@pytest.fixture(scope="module")
def demo_file(tmp_path_factory):
    path = tmp_path_factory.mktemp("caseload") / "demo.db"
    db = open_database(path)
    summary = generate_demo(db, patients=300, seed=2, today=TODAY)
    assert "k.oconnell" in summary.demo_usernames
    db.dispose()
    return path


@pytest.fixture
def demo(demo_file, tmp_path):
    """A private copy of the 300-patient demo, as Kate O'Connell (team lead)."""
    path = tmp_path / "demo.db"
    shutil.copy(demo_file, path)
    db = open_database(path)
    yield build_services(db, "k.oconnell")
    db.dispose()


@pytest.fixture
def small(team):
    """Four patients of the conftest team, as its team lead."""
    services = build_services(team, "lead")
    for nhs, family, given, postcode, worker, level in PEOPLE:
        services.patients.register(
            NewPatient(nhs, family, given, "1940-01-01", "C82001", postcode=postcode)
        )
        if worker:
            services.caseload.assign(nhs, worker, level)
    return services


@pytest.fixture
def make_view(qtbot):
    def make(services, mode="team"):
        view = CaseloadView(services, mode)
        qtbot.addWidget(view)
        view.resize(1200, 700)
        view.show()
        qtbot.waitExposed(view)
        return view

    return make


@pytest.fixture
def warnings(monkeypatch):
    """Message boxes are recorded instead of shown."""
    said: list[str] = []
    monkeypatch.setattr(QMessageBox, "warning", lambda parent, title, text, *a: said.append(text))
    return said


def names(view):
    model = view.model
    return [model.index(r, Column.NAME).data() for r in range(model.rowCount())]


def click_row(qtbot, view, row, modifier=Qt.KeyboardModifier.NoModifier):
    rect = view.table.visualRect(view.model.index(row, Column.NAME))
    qtbot.mouseClick(view.table.viewport(), LEFT, modifier, rect.center())


def save_as(monkeypatch, path):
    monkeypatch.setattr(QFileDialog, "getSaveFileName", lambda *a, **k: (str(path), ""))


def test_typing_a_family_name_narrows_the_list_and_the_count(qtbot, make_view, demo):
    view = make_view(demo)
    total = view.model.rowCount()
    assert total == len(demo.caseload.list_caseload()) > 100
    assert view.count_label.text() == f"{total} patients"
    family = view.model.row_at(total // 2).family_name
    expected = [r for r in demo.caseload.list_caseload() if family.lower() in r.family_name.lower()]

    qtbot.keyClicks(view.filter_edit, family.upper())

    assert 0 < view.model.rowCount() == len(expected) < total
    assert names(view) == [f"{r.family_name}, {r.given_name}" for r in expected]
    assert view.count_label.text() == f"{len(expected)} of {total} shown"
    # The clear button (or emptying the box) brings everyone back.
    view.filter_edit.clear()
    assert view.model.rowCount() == total


def test_nhs_number_typed_with_spaces_finds_the_patient(qtbot, make_view, small):
    view = make_view(small)
    qtbot.keyClicks(view.filter_edit, "401 023 2137")
    assert names(view) == ["Smith, John"]
    assert view.model.index(0, Column.NHS_NUMBER).data() == "401 023 2137"
    view.filter_edit.clear()
    qtbot.keyClicks(view.filter_edit, "le47ab")
    assert names(view) == ["O'Kon, María"]


def test_clicking_the_age_header_sorts_by_age(qtbot, make_view, demo):
    view = make_view(demo)
    header = view.table.horizontalHeader()
    age_header = header.sectionViewportPosition(Column.AGE) + header.sectionSize(Column.AGE) // 2

    def ages():
        return [int(view.model.index(r, Column.AGE).data()) for r in range(view.model.rowCount())]

    qtbot.mouseClick(header.viewport(), LEFT, pos=QPoint(age_header, header.height() // 2))
    assert ages() == sorted(ages())
    assert ages()[0] < ages()[-1]
    qtbot.mouseClick(header.viewport(), LEFT, pos=QPoint(age_header, header.height() // 2))
    assert ages() == sorted(ages(), reverse=True)


def test_level_quick_filter_shows_one_level(qtbot, make_view, demo):
    view = make_view(demo)
    total = view.model.rowCount()
    level_3 = len(demo.caseload.list_caseload(CaseloadFilter(level=3)))
    view.level_filter.setCurrentIndex(view.level_filter.findText("Level 3"))
    assert view.model.rowCount() == level_3 < total
    assert {view.model.index(r, Column.LEVEL).data() for r in range(level_3)} == {"3"}
    assert view.count_label.text() == f"{level_3} of {total} shown"
    # Quick filters and the text combine.
    qtbot.keyClicks(view.filter_edit, "zzzz")
    assert view.model.rowCount() == 0
    assert not view.export_button.isEnabled()
    view.level_filter.setCurrentIndex(0)
    view.filter_edit.clear()
    assert view.model.rowCount() == total


def test_bulk_transfer_needs_a_reason_then_moves_both(qtbot, make_view, small, warnings):
    view = make_view(small)
    assert names(view) == ["O'Kon, María", "Patel, Asha", "Smith, John"]
    assert not view.transfer_button.isEnabled()  # nothing selected yet
    click_row(qtbot, view, 0)
    click_row(qtbot, view, 2, CTRL)
    assert view.selected_nhs_numbers() == ["9434765919", "4010232137"]
    assert view.count_label.text() == "3 patients · 2 selected"
    assert view.transfer_button.isEnabled()

    qtbot.mouseClick(view.transfer_button, LEFT)
    dialog = view.findChild(QDialog, "transferDialog")
    assert dialog is not None
    assert dialog.isVisible()
    # Both are matron1's, so matron1 is not offered.
    offered = [dialog.worker.itemData(i) for i in range(dialog.worker.count())]
    assert "matron1" not in offered
    assert "nurse" in offered
    dialog.choose_worker("nurse")
    qtbot.mouseClick(dialog.ok_button, LEFT)  # no reason yet
    assert warnings == ["Give a reason. It is kept in each patient's caseload history."]
    assert dialog.isVisible()
    nurse = CaseloadFilter(worker="nurse")
    assert [r.nhs_number for r in small.caseload.list_caseload(nurse)] == ["9990000018"]

    qtbot.keyClicks(dialog.reason, "Matron on long-term leave")
    with qtbot.waitSignal(view.changed):
        qtbot.mouseClick(dialog.ok_button, LEFT)
    assert not dialog.isVisible()
    moved = {r.nhs_number for r in small.caseload.list_caseload(nurse)}
    assert moved == {"9990000018", "9434765919", "4010232137"}
    assert view.message_label.text() == "2 patients transferred to Nia Nurse."
    # The list was reloaded and the same two people are still selected.
    assert {view.model.index(r, Column.KEY_WORKER).data() for r in range(3)} == {"Nia Nurse"}
    assert view.selected_nhs_numbers() == ["9434765919", "4010232137"]


def test_service_errors_keep_the_dialog_and_what_was_typed(qtbot, make_view, small, warnings):
    view = make_view(small, "patients")
    qtbot.keyClicks(view.filter_edit, "nguy")  # on nobody's caseload
    click_row(qtbot, view, 0)
    dialog = view.open_level_dialog()
    dialog.choose_level(2)
    qtbot.keyClicks(dialog.reason, "Stable for six months")
    qtbot.mouseClick(dialog.ok_button, LEFT)
    assert warnings == ["Patient 1 of 1: 999 000 0026 is not on anyone's caseload."]
    assert dialog.isVisible()
    assert dialog.reason.toPlainText() == "Stable for six months"


def test_change_level_of_the_selection(qtbot, make_view, small, warnings):
    view = make_view(small)
    click_row(qtbot, view, 0)
    qtbot.mouseClick(view.level_button, LEFT)
    dialog = view.findChild(QDialog, "levelDialog")
    dialog.choose_level(2)
    qtbot.keyClicks(dialog.reason, "Stable for six months")
    with qtbot.waitSignal(view.changed):
        qtbot.mouseClick(dialog.ok_button, LEFT)
    assert warnings == []
    assert view.message_label.text() == "1 patient moved to level 2."
    assert view.model.index(0, Column.LEVEL).data() == "2"


def test_export_csv_writes_the_rows_shown_with_accents(
    qtbot, make_view, small, tmp_path, monkeypatch
):
    view = make_view(small, "patients")
    view.table.horizontalHeader().setSectionHidden(Column.FLAGS, True)
    qtbot.keyClicks(view.filter_edit, "n")  # Nguyễn, Smith John, O'Kon María (n in names)
    shown = names(view)
    target = tmp_path / "out" / "list"
    target.parent.mkdir()
    save_as(monkeypatch, target)

    qtbot.mouseClick(view.export_button, LEFT)

    data = (tmp_path / "out" / "list.csv").read_bytes()
    assert data.startswith(b"\xef\xbb\xbf")  # so Excel reads UTF-8
    table = list(csv.reader(io.StringIO(data.decode("utf-8-sig"))))
    assert table[0][:3] == ["Name", "NHS number", "Age"]
    assert "Flags" not in table[0]
    assert [line[0] for line in table[1:]] == shown
    assert "O'Kon, María" in shown
    assert "Nguyễn, Lan" in shown
    assert [p.name for p in (tmp_path / "out").iterdir()] == ["list.csv"]  # no temp left
    assert view.message_label.text() == f"Exported {len(shown)} patients to list.csv."


def test_export_csv_and_opening_the_list_are_one_audit_row_each(
    qtbot, make_view, small, tmp_path, monkeypatch
):
    from sqlalchemy import select

    from ltcdesk.models import AuditEntry

    def audited() -> list[tuple[str, str]]:
        with small.db.sessions() as s:
            return list(
                s.execute(
                    select(AuditEntry.action, AuditEntry.summary)
                    .where(AuditEntry.action.in_(("caseload.list", "caseload.export")))
                    .order_by(AuditEntry.id)
                ).all()
            )

    view = make_view(small, "patients")
    assert audited() == []  # built and loaded, but nobody has looked at it yet
    view.ensure_loaded()  # the person opens the list
    view.invalidate()  # a change elsewhere reloads it: not a new look
    qtbot.keyClicks(view.filter_edit, "n")
    save_as(monkeypatch, tmp_path / "list.csv")
    qtbot.mouseClick(view.export_button, LEFT)
    assert (tmp_path / "list.csv").exists()
    assert audited() == [
        ("caseload.list", "Viewed Patients: 4 patients"),
        ("caseload.export", "Exported Patients – matching a search as CSV: 3 patients"),
    ]


def test_print_list_passes_the_rows_shown_to_the_report(
    qtbot, make_view, small, tmp_path, monkeypatch
):
    import ltcdesk.reports.caseload_list as report

    calls = []

    def fake_render(rows, title, printed_by, printed_at):
        calls.append((rows, title, printed_by, printed_at))
        return b"%PDF-1.4 fake"

    monkeypatch.setattr(report, "render_caseload_pdf", fake_render)
    save_as(monkeypatch, tmp_path / "list.pdf")
    view = make_view(small)
    view.level_filter.setCurrentIndex(view.level_filter.findText("Level 2"))
    qtbot.mouseClick(view.print_button, LEFT)
    ((rows, title, printed_by, printed_at),) = calls
    assert [r.family_name for r in rows] == ["Patel", "Smith"]
    assert title == "Team caseloads – Level 2"
    assert printed_by == "Tessa Lead"
    assert isinstance(printed_at, datetime)
    assert (tmp_path / "list.pdf").read_bytes() == b"%PDF-1.4 fake"


def test_patients_view_lists_everyone_including_those_on_no_caseload(make_view, small):
    team = make_view(small, "team")
    everyone = make_view(small, "patients")
    assert team.model.rowCount() == 3
    assert everyone.model.rowCount() == 4
    assert everyone.title.text() == "Patients"
    row = names(everyone).index("Nguyễn, Lan")
    assert everyone.model.index(row, Column.KEY_WORKER).data() == ""
    assert everyone.model.index(row, Column.LEVEL).data() == ""


def test_my_caseload_is_the_signed_in_users_and_hides_the_key_worker(make_view, small, team):
    view = make_view(build_services(team, "matron1"), "mine")
    assert names(view) == ["O'Kon, María", "Smith, John"]
    assert view.worker_filter.isHidden()
    assert view.table.horizontalHeader().isSectionHidden(Column.KEY_WORKER)
    assert view.print_title() == "Caseload of Mary Matron"


def test_enter_or_double_click_on_a_row_opens_the_patient(qtbot, make_view, small):
    view = make_view(small)
    click_row(qtbot, view, 2)
    with qtbot.waitSignal(view.patientActivated) as opened:
        QTest.keyClick(view.table, Qt.Key.Key_Return)
    assert opened.args == ["4010232137"]
    rect = view.table.visualRect(view.model.index(1, Column.AGE))
    with qtbot.waitSignal(view.patientActivated) as opened:
        # A double click is a click then a second press: the view wants the first one.
        qtbot.mouseClick(view.table.viewport(), LEFT, pos=rect.center())
        qtbot.mouseDClick(view.table.viewport(), LEFT, pos=rect.center())
    assert opened.args == ["9990000018"]
    # Enter in the filter box opens the only match.
    qtbot.keyClicks(view.filter_edit, "o'kon")
    with qtbot.waitSignal(view.patientActivated) as opened:
        QTest.keyClick(view.filter_edit, Qt.Key.Key_Return)
    assert opened.args == ["9434765919"]


def test_worker_drill_down_and_refresh_keep_filter_sort_and_selection(make_view, small, qtbot):
    view = make_view(small)
    view.set_worker_filter("matron1")
    assert view.worker_filter.currentText() == "Mary Matron"
    assert names(view) == ["O'Kon, María", "Smith, John"]
    view.table.sortByColumn(Column.NAME, Qt.SortOrder.DescendingOrder)
    click_row(qtbot, view, 1)
    assert view.selected_nhs_numbers() == ["9434765919"]
    small.caseload.assign("9990000026", "matron1", 1)  # someone else adds a patient
    view.refresh()
    assert names(view) == ["Smith, John", "O'Kon, María", "Nguyễn, Lan"]
    assert view.selected_nhs_numbers() == ["9434765919"]
    view.set_worker_filter(None)
    assert view.model.rowCount() == 4


def test_loading_runs_in_the_background_and_says_so(qtbot, demo):
    tasks.set_synchronous(False)
    view = CaseloadView(demo, "patients")
    qtbot.addWidget(view)
    assert view.count_label.text() == "Loading…"
    qtbot.waitUntil(lambda: not view.loading, timeout=10_000)
    assert view.count_label.text() == "300 patients"
    assert view.practice_filter.count() == 5  # all practices and the demo's four


def test_scrolling_to_the_end_shows_every_patient_in_name_order(qtbot, make_view, demo):
    """Only the rows on screen are fetched; scrolling fetches the rest, page by page."""
    view = make_view(demo, "patients")
    everyone = demo.caseload.list_patients()
    assert view.model.rowCount() == len(everyone) == 300
    view.table.scrollToBottom()
    last = view.table.rowAt(view.table.viewport().height() - 5)
    assert last > 250
    expected = sorted(
        everyone, key=lambda r: haystack(r.family_name, r.given_name, r.nhs_number, r.postcode)
    )
    assert view.model.index(last, Column.NAME).data() == (
        f"{expected[last].family_name}, {expected[last].given_name}"
    )
    assert names(view) == [f"{r.family_name}, {r.given_name}" for r in expected]
    # Sorting on a column whose keys come from the database agrees with the rows.
    view.table.sortByColumn(Column.LTC_COUNT, Qt.SortOrder.DescendingOrder)
    counts = [int(view.model.index(r, Column.LTC_COUNT).data()) for r in range(300)]
    assert counts == sorted(counts, reverse=True)
    assert counts[0] == max(r.ltc_count for r in everyone)


def test_care_plans_of_my_caseload_print_one_pdf_each_and_cancel_keeps_whole_files(
    qtbot, make_view, demo, tmp_path, monkeypatch
):
    from pypdf import PdfReader
    from PySide6.QtWidgets import QProgressDialog

    matron = build_services(demo.db, "m.okafor")
    view = make_view(matron, "mine")
    assert view.plans_button.isEnabled()
    plans = matron.careplans.plans_for_caseload("m.okafor")
    assert len(plans) >= 3
    view.print_plans(tmp_path / "all")
    files = sorted((tmp_path / "all").iterdir())
    assert len(files) == len(plans)
    assert view.message_label.text() == f"Saved {len(plans)} care plans to all."
    first = PdfReader(files[0]).pages[0].extract_text()
    assert "My care and support plan" in first

    asked = iter([False, False, True])  # Cancel pressed while the third is due
    monkeypatch.setattr(QProgressDialog, "wasCanceled", lambda self: next(asked, True))
    view.print_plans(tmp_path / "some")
    assert len(list((tmp_path / "some").iterdir())) == 2
    assert view.message_label.text() == f"Stopped: saved 2 of {len(plans)} care plans to some."

    team = make_view(demo, "team")
    assert not team.plans_button.isEnabled()  # whose caseload? choose a key worker first
    team.set_worker_filter("m.okafor")
    assert team.plans_button.isEnabled()
