"""``EventService.import_csv`` (issue 13): files as they come from spreadsheets (stray spaces,
any case, byte order marks, UTF-16, Windows-1252), files that are not what they claim
(Shift-JIS, Central European, damaged UTF-8, duplicate columns, 200 MB), and the import
itself: all or nothing, in bulk, one audit row, the admissions' reminders made."""

from __future__ import annotations

import time
from datetime import date, timedelta
from pathlib import Path

import pytest
from sqlalchemy import func, select

from ltcdesk.db import Database
from ltcdesk.domain import nhs_number
from ltcdesk.domain.errors import ValidationError
from ltcdesk.models import AuditEntry, CaseloadAssignment, HospitalEvent, Patient
from ltcdesk.services.caseload import CaseloadService
from ltcdesk.services.demo import generate_demo
from ltcdesk.services.events import EventService, ImportRefused
from ltcdesk.services.patients import NewPatient, PatientService
from ltcdesk.services.reminder_sources import Source
from ltcdesk.services.reminders import ReminderService

TODAY = date(2026, 11, 22)
YESTERDAY = TODAY - timedelta(days=1)
DEMO_LEAD = "k.oconnell"


def nhs_for(n: int) -> str:
    number = nhs_number.complete(f"{470000000 + n * 13:09d}")
    while number is None:
        n += 1000
        number = nhs_number.complete(f"{470000000 + n * 13:09d}")
    return number


class Team:
    """The ``team`` fixture's database, with people registered at its practice."""

    def __init__(self, db: Database) -> None:
        self.db = db
        self.n = 0

    def patient(self, family: str = "Alpha", caseload: bool = False) -> str:
        self.n += 1
        nhs = nhs_for(self.n)
        PatientService(self.db.sessions, "lead", today=lambda: TODAY).register(
            NewPatient(nhs, family, "Ann", "1944-05-06", "C82001")
        )
        if caseload:
            CaseloadService(self.db.sessions, "lead", today=lambda: TODAY).assign(
                nhs, "matron1", 2, "Referred by GP", TODAY - timedelta(days=20)
            )
        return nhs

    def events(self) -> EventService:
        return EventService(self.db.sessions, "lead", today=lambda: TODAY)

    def counts(self) -> tuple[int, int]:
        """(hospital events, audit rows) stored."""
        with self.db.sessions() as s:
            return (
                s.scalar(select(func.count()).select_from(HospitalEvent)) or 0,
                s.scalar(select(func.count()).select_from(AuditEntry)) or 0,
            )

    def stored(self, nhs: str) -> list[tuple[str, date, str, str | None]]:
        return [(e.kind, e.occurred_on, e.hospital, e.reason) for e in self.events().list_for(nhs)]


@pytest.fixture
def world(team: Database) -> Team:
    return Team(team)


def csv_file(tmp_path: Path, text: str, encoding: str = "utf-8", name: str = "events.csv") -> Path:
    path = tmp_path / name
    path.write_bytes(text.encode(encoding))
    return path


def refused(world: Team, path: Path | bytes, match: str) -> ValidationError:
    """The import is refused with ``match`` in the message, and nothing is written."""
    before = world.counts()
    with pytest.raises(ValidationError, match=match) as caught:
        world.events().import_csv(path)
    assert world.counts() == before
    return caught.value


# ------------------------------------------------------------------ headers and encodings


def test_a_header_with_spaces_after_the_commas_any_case_and_a_bom(world, tmp_path):
    """The header that lost every row before (issue 13): "NHS number, Event type, …"."""
    nhs = world.patient(caseload=True)
    other = world.patient("Bravo")
    path = csv_file(
        tmp_path,
        "\ufeffNHS number, Event type, Date, Hospital\r\n"
        f"{nhs}, Admitted, {YESTERDAY:%d/%m/%Y}, Northfield General\r\n"
        f"{nhs_number.format_nhs(other)},A&E,{YESTERDAY:%Y-%m-%d},Northfield General\r\n",
    )
    report = world.events().import_csv(path)
    assert (report.saved, report.patients, report.skipped) == (2, 2, ())
    assert report.encoding == "UTF-8 with BOM"
    assert world.stored(nhs) == [("admission", YESTERDAY, "Northfield General", None)]
    assert world.stored(other) == [("ae", YESTERDAY, "Northfield General", None)]
    # The admission makes the key worker's urgent "plan the discharge" reminder.
    mine = ReminderService(world.db.sessions, "matron1", today=lambda: TODAY).worklist()
    admitted = [r for r in mine if r.source is Source.ADMISSION]
    assert [(r.nhs_number, r.urgent) for r in admitted] == [(nhs, True)]
    # Upper case, underscores and stray spaces inside the names too.
    again = csv_file(
        tmp_path,
        "  NHS_NUMBER ;EVENT TYPE;  date;HOSPITAL  ;Reason\n"
        f"{other};discharge;{TODAY:%d/%m/%Y};Northfield General;Home\n",
        name="upper.csv",
    )
    assert world.events().import_csv(again).saved == 1


def test_excel_unicode_text_utf16_tab_separated(world, tmp_path):
    nhs = world.patient()
    text = (
        "NHS number\tEvent type\tDate\tHospital\tReason\r\n"
        f"{nhs}\tadmission\t{YESTERDAY:%d/%m/%Y}\tHôpital Saint-Éloi\tChute à domicile\r\n"
    )
    path = tmp_path / "unicode.txt"
    path.write_bytes(b"\xff\xfe" + text.encode("utf-16-le"))  # what Excel writes
    report = world.events().import_csv(path)
    assert (report.saved, report.encoding) == (1, "UTF-16")
    assert world.stored(nhs) == [("admission", YESTERDAY, "Hôpital Saint-Éloi", "Chute à domicile")]
    # Big-endian with its byte order mark, too.
    big = tmp_path / "big.txt"
    big.write_bytes(b"\xfe\xff" + text.replace("admission", "discharge").encode("utf-16-be"))
    assert world.events().import_csv(big).saved == 1


def test_a_windows_1252_file_keeps_its_accents(world, tmp_path):
    nhs = world.patient()
    path = csv_file(
        tmp_path,
        "NHS number,Event type,Date,Hospital,Reason\r\n"
        f"{nhs},admission,{YESTERDAY:%d/%m/%Y},Hôpital Bégin,Renée’s fall – £0 “café”\r\n",
        encoding="cp1252",
    )
    report = world.events().import_csv(path)
    assert (report.saved, report.encoding) == (1, "Windows-1252")
    assert world.stored(nhs) == [
        ("admission", YESTERDAY, "Hôpital Bégin", "Renée’s fall – £0 “café”")
    ]


def test_a_shift_jis_file_is_refused_naming_its_line(world, tmp_path):
    nhs = world.patient()
    lines = [
        "NHS number,Event type,Date,Hospital",
        f"{nhs},admission,{YESTERDAY:%d/%m/%Y},Northfield General",
        f"{nhs},discharge,{TODAY:%d/%m/%Y},さとう病院",  # no byte Windows-1252 lacks
    ]
    data = "\r\n".join(lines).encode("cp932")
    assert not set(data) & {0x81, 0x8D, 0x8F, 0x90, 0x9D}
    err = refused(world, _write(tmp_path / "sjis.csv", data), "line 3 looks like Japanese")
    assert "save it from the spreadsheet as 'CSV UTF-8'" in err.message
    # With Japanese punctuation (bytes Windows-1252 does not define) it is said the same way.
    full = "\r\n".join([*lines[:2], f"{nhs},discharge,{TODAY:%d/%m/%Y},東京病院、本院"])
    refused(world, _write(tmp_path / "sjis2.csv", full.encode("cp932")), "line 3 looks like Jap")
    assert world.stored(nhs) == []


def test_central_european_and_cyrillic_files_are_refused(world, tmp_path):
    nhs = world.patient()
    head = f"NHS number,Event type,Date,Hospital\n{nhs},admission,{YESTERDAY:%d/%m/%Y},"
    for text, encoding, seen in [
        (head + "Szpital Wrocław\n", "iso-8859-2", "Wroc³aw"),
        (head + "Szpital Michał\n", "cp1250", "Micha³"),
        (head + "Łódź\n", "iso-8859-2", "£ód¼"),
        (head + "Больница\n", "cp1251", "Áîëüíèöà"),
        (head + "北京\n", "gbk", "±±¾©"),
    ]:
        err = refused(world, _write(tmp_path / "ce.csv", text.encode(encoding)), "line 2 looks")
        assert f"'{seen}'" in err.message
    # A byte Windows-1252 leaves undefined (0x9D) is refused by its line.
    data = (head + "General\n").encode() + f"{nhs},discharge,{TODAY:%d/%m/%Y},X\x9dY\n".encode(
        "latin-1"
    )
    refused(world, _write(tmp_path / "undef.csv", data), r"line 3 is not valid .*0x9D")
    # UTF-8 with one damaged byte is not taken for Windows-1252 ("Ã©").
    damaged = (head + "Hôpital\n").encode() + f"{nhs},discharge,{TODAY},Caf\xe9\n".encode("latin-1")
    refused(world, _write(tmp_path / "damaged.csv", damaged), "line 3 is not valid UTF-8")
    assert world.stored(nhs) == []


def test_duplicate_and_ambiguous_columns_are_refused(world, tmp_path):
    nhs = world.patient()
    row = f"{nhs},admission,{YESTERDAY:%d/%m/%Y},Northfield General,{TODAY:%d/%m/%Y}\n"
    err = refused(
        world,
        csv_file(tmp_path, "NHS number,Event type,Date,Hospital, date \n" + row),
        "has the column 'date' twice",
    )
    assert "(columns C and E)" in err.message
    refused(
        world,
        csv_file(tmp_path, "NHS number,Event type,Date,Hospital,NHS no\n" + row),
        "two columns for the NHS number: 'NHS number' and 'NHS no'",
    )
    refused(world, csv_file(tmp_path, "name,when\nAnn,today\n"), "missing the column")


def test_the_size_is_checked_before_the_file_is_read(world, tmp_path, monkeypatch):
    import pandas as pd

    def no_reading(*args: object, **kwargs: object) -> None:
        raise AssertionError("the file was read")

    monkeypatch.setattr(pd, "read_csv", no_reading)
    monkeypatch.setattr(Path, "read_bytes", no_reading)
    big = tmp_path / "big.csv"
    with big.open("wb") as f:
        f.truncate(200 * 1024 * 1024)  # sparse: no disk used, nothing to read
    started = time.perf_counter()
    refused(world, big, r"file: is 200\.0 MB, larger than the 20 MB allowed")
    assert time.perf_counter() - started < 5
    refused(world, tmp_path / "missing.csv", "does not exist")


def test_a_field_over_131072_characters_names_its_row(world, tmp_path):
    nhs = world.patient()
    path = csv_file(
        tmp_path,
        "NHS number,Event type,Date,Hospital\n"
        f"{nhs},admission,{YESTERDAY:%d/%m/%Y},Northfield General\n"
        f'{nhs},discharge,{TODAY:%d/%m/%Y},"{"x" * 140_000}"\n',
    )
    err = refused(world, path, "Row 3: hospital: is too long")
    assert "140,000 characters; at most 200" in str(err)
    assert "xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx" not in str(err)  # not echoed


def test_binary_and_malformed_files_are_refused_whole(world, tmp_path):
    nhs = world.patient()
    refused(world, b"%PDF-1.7\n%\xe2\xe3\xcf\xd3 binary", "not a CSV text file.*PDF")
    refused(world, b"PK\x03\x04\x14\x00", "Excel workbook")
    refused(world, b"", "is empty")
    refused(world, b"NHS number,Event type,Date,Hospital\n", "no events below the header")
    refused(
        world,
        f"NHS number,Event type,Date,Hospital\n{nhs},admission,{TODAY},A,B\n".encode(),
        "line 2 has 5 fields where the header has 4",
    )
    refused(
        world,
        f'NHS number,Event type,Date,Hospital\n{nhs},admission,{TODAY},"Open\n'.encode(),
        r"row 2 opens a quoted field \(\"\) that is never closed",
    )


# ------------------------------------------------------------------ all or nothing


def test_one_bad_row_means_nothing_is_written_and_every_bad_row_is_named(world, tmp_path):
    good = world.patient()
    stranger = nhs_for(900)  # a valid number no one here has
    text = (
        "NHS number;Event type;Date;Hospital\r\n"
        f"{good};admission;{YESTERDAY:%d/%m/%Y};Northfield General\r\n"  # row 2: good
        f"943 476 5918;discharge;{TODAY:%d/%m/%Y};Northfield General\r\n"  # row 3: check digit
        "\r\n"  # row 4: blank, ignored
        f"{good};holiday;{TODAY:%d/%m/%Y};Northfield General\r\n"  # row 5: type
        f"{good};discharge;31/02/2026;Northfield General\r\n"  # row 6: date
        f"{good};discharge;{TODAY:%d/%m/%Y};\r\n"  # row 7: hospital
        f"{stranger};discharge;{TODAY:%d/%m/%Y};Northfield General\r\n"  # row 8: unknown
        f"{good};ae;{TODAY + timedelta(days=1):%d/%m/%Y};Northfield General\r\n"  # row 9
    )
    err = refused(world, csv_file(tmp_path, text), "Row 3: NHS number")
    assert isinstance(err, ImportRefused)
    assert err.count == 6
    assert str(err).endswith("(and 5 more rows); nothing was imported")
    lines = err.lines()
    assert [line.split(":", 1)[0] for line in lines] == [f"Row {n}" for n in (3, 5, 6, 7, 8, 9)]
    assert lines[0].startswith("Row 3: NHS number: '943 476 5918' is not a valid NHS number")
    assert lines[1].startswith("Row 5: event type: 'holiday' is not admission")
    assert lines[2] == "Row 6: date: '31/02/2026' is not a real date"
    assert lines[3] == "Row 7: hospital: is required"
    assert (
        lines[4] == f"Row 8: NHS number: {nhs_number.format_nhs(stranger)} is not registered here"
    )
    assert lines[5].startswith("Row 9: date:")
    assert lines[5].endswith("is in the future")
    assert world.stored(good) == []


def test_rows_already_recorded_are_skipped_and_listed(world, tmp_path):
    nhs = world.patient()
    text = (
        "NHS number,Event type,Date,Hospital\n"
        f"{nhs},admission,{YESTERDAY:%d/%m/%Y},Northfield General\n"
        f"{nhs},Admitted,{YESTERDAY:%Y-%m-%d},Northfield General\n"  # the same event again
        f"{nhs},discharge,{TODAY:%d/%m/%Y},Northfield General\n"
    )
    first = world.events().import_csv(csv_file(tmp_path, text))
    assert (first.saved, first.lines()) == (
        2,
        ["Row 3: the same as row 2 (same person, type and date)"],
    )
    # The same list again next day: nothing doubled; each row is said to be recorded.
    again = world.events().import_csv(csv_file(tmp_path, text))
    assert again.saved == 0
    assert again.lines() == [
        "Row 2: already recorded (same person, type, date)",
        "Row 3: the same as row 2 (same person, type and date)",
        "Row 4: already recorded (same person, type, date)",
    ]
    assert [k for k, *_ in world.stored(nhs)] == ["discharge", "admission"]


def test_patients_the_team_does_not_care_for_are_refused(world, tmp_path):
    from ltcdesk.services.setup import SetupService

    setup = SetupService(world.db.sessions, "admin")
    setup.add_practice("Y00001", "Faraway Surgery")  # no team of ours cares for it
    far = nhs_for(700)
    PatientService(world.db.sessions, "admin", today=lambda: TODAY).register(
        NewPatient(far, "Faraway", "Fay", "1950-01-01", "Y00001")
    )
    text = f"NHS number,Event type,Date,Hospital\n{far},admission,{YESTERDAY},City General\n"
    refused(
        world,
        csv_file(tmp_path, text),
        f"Row 2: NHS number: {nhs_number.format_nhs(far)} is not cared for by your team",
    )


def test_the_import_writes_one_audit_row(world, tmp_path):
    people = [world.patient(f"Person{n}") for n in range(3)]
    rows = [f"{p},admission,{YESTERDAY:%d/%m/%Y},Northfield General" for p in people]
    rows += [f"{people[0]},discharge,{TODAY:%d/%m/%Y},Northfield General"]
    path = csv_file(tmp_path, "NHS number,Event type,Date,Hospital\n" + "\n".join(rows) + "\n")
    with world.db.sessions() as s:
        last = s.scalar(select(func.max(AuditEntry.id))) or 0
    report = world.events().import_csv(path)
    assert (report.saved, report.patients) == (4, 3)
    with world.db.sessions() as s:
        new = s.execute(
            select(AuditEntry.username, AuditEntry.action, AuditEntry.summary).where(
                AuditEntry.id > last
            )
        ).all()
    assert new == [
        (
            "lead",
            "event.import",
            "Imported 4 hospital events for 3 patients from events.csv (3 admissions, 1 discharge)",
        )
    ]


# ------------------------------------------------------------------ 10,000 rows


@pytest.fixture
def demo(db: Database) -> Database:
    generate_demo(db, patients=400, seed=3, today=TODAY)
    return db


def _ten_thousand(db: Database) -> tuple[list[str], list[str]]:
    """10,000 rows: today's admission for each person on a caseload, then older history
    spread over everyone alive (four months before the demo's own events begin)."""
    with db.sessions() as s:
        on_caseload = s.scalars(
            select(Patient.nhs_number)
            .join(CaseloadAssignment, CaseloadAssignment.patient_id == Patient.id)
            .where(CaseloadAssignment.end_date.is_(None), Patient.date_of_death.is_(None))
            .order_by(Patient.id)
        ).all()
        alive = s.scalars(
            select(Patient.nhs_number).where(Patient.date_of_death.is_(None)).order_by(Patient.id)
        ).all()
    rows = [f"{nhs},admission,{TODAY:%d/%m/%Y},City General,Fall" for nhs in on_caseload]
    kinds = ("admission", "discharge", "A&E")
    n = 0
    while len(rows) < 10_000:
        nhs = alive[n % len(alive)]
        day = TODAY - timedelta(days=150 + n // len(alive))
        rows.append(f"{nhs},{kinds[n % 3]},{day:%d/%m/%Y},City General,")
        n += 1
    return list(on_caseload), ["NHS number,Event type,Date,Hospital,Reason", *rows]


def test_ten_thousand_rows_all_or_nothing_and_the_admission_reminders(demo, tmp_path):
    on_caseload, lines = _ten_thousand(demo)
    events = EventService(demo.sessions, DEMO_LEAD, today=lambda: TODAY)

    def counts() -> tuple[int, int]:
        with demo.sessions() as s:
            return (
                s.scalar(select(func.count()).select_from(HospitalEvent)) or 0,
                s.scalar(select(func.count()).select_from(AuditEntry)) or 0,
            )

    # One bad row near the end: nothing at all is written.
    bad = list(lines)
    bad[9_000] = bad[9_000].replace(bad[9_000].split(",")[2], "31/02/2026")
    path = tmp_path / "bad.csv"
    path.write_text("\n".join(bad) + "\n", encoding="utf-8")
    before = counts()
    with pytest.raises(ImportRefused) as caught:
        events.import_csv(path)
    assert caught.value.lines() == ["Row 9001: date: '31/02/2026' is not a real date"]
    assert counts() == before

    path = tmp_path / "good.csv"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    report = events.import_csv(path)
    assert report.saved + report.duplicates == 10_000
    assert report.saved > 9_900  # only the demo's own admissions today are already there
    events_after, audit_after = counts()
    assert (events_after, audit_after) == (before[0] + report.saved, before[1] + 1)
    # Everyone on a caseload admitted today has the urgent "plan the discharge" reminder.
    team = ReminderService(demo.sessions, DEMO_LEAD, today=lambda: TODAY).worklist(team=True)
    admitted = {r.nhs_number for r in team if r.source is Source.ADMISSION and r.due == TODAY}
    assert admitted == set(on_caseload)


def _write(path: Path, data: bytes) -> Path:
    path.write_bytes(data)
    return path
