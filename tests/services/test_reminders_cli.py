"""``ltcdesk reminders``, ``events`` and ``absence`` and the printed day list: a small team
built through the real services (dated from the real today, as the CLI counts from it),
then exported as a calendar (which must parse with icalendar, keep its UIDs from one export
to the next and hold no patient's name), JSON and CSV (respecting --within and --overdue),
printed as a day list, and a messy CSV list of hospital events imported."""

from __future__ import annotations

import csv
import io
import json
import re
import unicodedata
from datetime import date, datetime, timedelta

import pypdf
import pytest
from icalendar import Calendar

from ltcdesk import cli
from ltcdesk.cli_reminders import initials, without_name
from ltcdesk.domain import nhs_number
from ltcdesk.domain.nhs_number import format_nhs
from ltcdesk.reports.day_list import render_day_list
from ltcdesk.services.accounts import SignedIn
from ltcdesk.services.careplan_views import CarePlanEdits, GoalEdits
from ltcdesk.services.careplans import CarePlanService
from ltcdesk.services.caseload import CaseloadService
from ltcdesk.services.conversations import (
    ConversationInput,
    ConversationService,
    FollowUp,
    TopicNote,
)
from ltcdesk.services.events import EventService
from ltcdesk.services.patients import NewPatient, PatientService
from ltcdesk.services.reminders import ReminderService

TODAY = date.today()  # the CLI's worklist counts from the real today
PRINTED_AT = datetime(2026, 11, 23, 16, 5)
PEOPLE = {
    "new": ("Siobhán", "Ó Súilleabháin"),
    "plan": ("Wilfred", "Pemberton-Smythe"),
    "ward": ("Chidinma", "Okonkwo"),
    "other": ("Zyta", "Kowalczyk"),
}
NAME_PARTS = ("Siobhán", "Súilleabháin", "Wilfred", "Pemberton", "Smythe", "Chidinma",
              "Okonkwo", "Zyta", "Kowalczyk")  # fmt: skip
STAFF = {
    "lead": SignedIn("lead", "Tessa Lead", "team_lead"),
    "matron1": SignedIn("matron1", "Mary Matron", "community_matron"),
}


def nhs_for(n: int) -> str:
    number = nhs_number.complete(f"{610000000 + n * 13:09d}")
    while number is None:
        n += 1000
        number = nhs_number.complete(f"{610000000 + n * 13:09d}")
    return number


class World:
    def __init__(self, db) -> None:
        self.db = db
        self.nhs: dict[str, str] = {}

    def patient(self, key: str) -> str:
        nhs = nhs_for(len(self.nhs) + 1)
        given, family = PEOPLE[key]
        PatientService(self.db.sessions, "lead").register(
            NewPatient(nhs, family, given, "1941-03-02", "C82001")
        )
        self.nhs[key] = nhs
        return nhs

    def caseload(self, nhs: str, worker: str = "matron1", ago: int = 10) -> None:
        CaseloadService(self.db.sessions, "lead").assign(
            nhs, worker, 2, "Referred by GP", TODAY - timedelta(days=ago)
        )

    def consent(self, nhs: str) -> None:
        PatientService(self.db.sessions, "matron1").record_consent(
            nhs, "given", TODAY - timedelta(days=5), None
        )


@pytest.fixture
def world(team):
    """Overdue (consent, plan, assessment), an urgent admission, a plan review, a goal
    follow-up naming the person, a formula-like call, and someone on another caseload."""
    w = World(team)
    new = w.patient("new")
    w.caseload(new, ago=40)
    plan = w.patient("plan")
    w.caseload(plan)
    w.consent(plan)
    plans = CarePlanService(team.sessions, "matron1", today=lambda: TODAY - timedelta(days=3))
    draft = plans.start(plan)
    goal = GoalEdits(
        description="Walk to the shop with Wilfred's daughter",
        importance=8,
        confidence=5,
        follow_up_who="Mary",
        follow_up_when=TODAY + timedelta(days=1),
        follow_up_how="phone",
    )
    plans.save_draft(
        plan,
        CarePlanEdits(goals=[goal], review_date=TODAY + timedelta(days=20)),
        draft.lock_version,
    )
    plans.agree(plan, "the person")
    ConversationService(team.sessions, "navigator").record(
        plan,
        ConversationInput(
            held_on=TODAY - timedelta(days=1),
            mode="phone",
            topics=(TopicNote("loneliness"),),
            follow_ups=(
                FollowUp("=1+1 ring Mr Pemberton-Smythe", TODAY + timedelta(days=2), "matron1"),
            ),
        ),
    )
    ward = w.patient("ward")
    w.caseload(ward, ago=100)
    w.consent(ward)
    EventService(team.sessions, "lead").record(
        ward, "admission", TODAY - timedelta(days=2), "City General"
    )
    other = w.patient("other")
    w.caseload(other, worker="nurse")
    return w


@pytest.fixture
def cli_db(world, monkeypatch):
    def user(args) -> str:
        return (args.user or "matron1").strip().lower()

    monkeypatch.setattr(cli, "_open", lambda args: world.db)
    monkeypatch.setattr(cli, "_user", user)
    monkeypatch.setattr(cli, "_signed_in", lambda args: STAFF[user(args)])
    return world


def run(capsys, *argv: str) -> tuple[int, str, str]:
    code = cli.main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def as_json(capsys, *argv: str) -> list[dict]:
    code, out, err = run(capsys, *argv, "--format", "json")
    assert (code, err) == (0, "")
    return json.loads(out)


def pdf_text(data: bytes) -> str:
    reader = pypdf.PdfReader(io.BytesIO(data))
    text = " ".join(unicodedata.normalize("NFC", p.extract_text() or "") for p in reader.pages)
    return re.sub(r"\s+", " ", text)


def events_of(data: bytes) -> list:
    cal = Calendar.from_ical(data)
    return list(cal.walk("VEVENT"))


# ---------------------------------------------------------------------------- calendar


def test_the_calendar_parses_with_one_event_per_reminder_and_no_names(cli_db, capsys, tmp_path):
    mine = as_json(capsys, "reminders")
    assert len(mine) >= 6
    first, second = tmp_path / "a.ics", tmp_path / "b.ics"
    code, said, err = run(capsys, "reminders", "--format", "ics", "--out", str(first))
    assert (code, err) == (0, "")
    assert str(first) in said
    run(capsys, "reminders", "--out", str(second))  # the format from the file's extension
    raw = first.read_bytes()
    cal = Calendar.from_ical(raw)
    assert str(cal["PRODID"]) == "-//ltcdesk//EN"
    assert str(cal["VERSION"]) == "2.0"
    events = events_of(raw)
    assert len(events) == len(mine)
    uids = [str(e["UID"]) for e in events]
    assert len(set(uids)) == len(uids)
    # Exported again: the same UIDs, so a calendar updates its events rather than doubling.
    assert [str(e["UID"]) for e in events_of(second.read_bytes())] == uids
    by_uid = {str(e["UID"]): e for e in events}
    for r in mine:
        e = by_uid[f"{r['key'].replace(':', '-')}@ltcdesk"]
        start = e.decoded("DTSTART")
        assert start == date.fromisoformat(r["due"])
        assert type(start) is date  # an all-day event
        assert e.decoded("DTEND") == start + timedelta(days=1)
        assert e.get("DTSTAMP") is not None
        assert str(e["SUMMARY"]).endswith(f"{r['what']}: {initials(r['patient_name'])}")
        assert format_nhs(r["nhs_number"]) in str(e["DESCRIPTION"])
        assert e["CATEGORIES"].cats == [r["group"]]
    urgent = [e for e in events if str(e["SUMMARY"]).startswith("URGENT ")]
    assert [str(e["SUMMARY"]) for e in urgent] == ["URGENT In hospital: plan the discharge: C.O."]
    # No patient's name anywhere: not in summaries, descriptions, nor the raw file.
    text = unicodedata.normalize("NFC", raw.decode("utf-8").replace("\r\n ", ""))
    for part in NAME_PARTS:
        assert part.casefold() not in text.casefold(), part
    descriptions = " ".join(str(e["DESCRIPTION"]) for e in events)
    assert "Walk to the shop with W.P.'s daughter" in descriptions
    assert "ring Mr W.P." in descriptions


def test_initials_and_name_removal():
    assert initials("María O'Kon") == "M.O."
    assert initials("Siobhán Ó Súilleabháin") == "S.S."
    assert without_name("Call WILFRED’s son; Pemberton-Smythe family", "Wilfred Pemberton-Smythe") \
        == "Call W.P.’s son; W.P. family"  # fmt: skip
    assert without_name("Annual review", "Ann Lee") == "Annual review"


def test_the_team_calendar_to_stdout(cli_db, capsys):
    code, out, err = run(capsys, "reminders", "--team", "--format", "ics")
    assert (code, err) == (0, "")
    team = events_of(out.encode("utf-8"))
    assert len(team) == len(as_json(capsys, "reminders", "--team"))
    assert any(str(e["SUMMARY"]).endswith(": Z.K.") for e in team)  # the nurse's person


# ---------------------------------------------------------------------------- json and csv


def test_json_and_csv_respect_within_and_overdue(cli_db, capsys, tmp_path):
    everything = as_json(capsys, "reminders")
    dues = {date.fromisoformat(r["due"]) for r in everything}
    assert min(dues) < TODAY < max(dues)
    overdue = as_json(capsys, "reminders", "--overdue")
    assert overdue
    assert all(date.fromisoformat(r["due"]) < TODAY for r in overdue)
    assert {r["group"] for r in overdue} == {"Overdue"}
    assert len(overdue) == sum(date.fromisoformat(r["due"]) < TODAY for r in everything)
    soon = as_json(capsys, "reminders", "--within", "2")
    assert all(date.fromisoformat(r["due"]) <= TODAY + timedelta(days=2) for r in soon)
    assert len(soon) == sum(
        date.fromisoformat(r["due"]) <= TODAY + timedelta(2) for r in everything
    )
    assert len(soon) < len(everything)
    assert everything[0]["urgent"] is True  # urgent first
    assert {r["owner_username"] for r in everything} == {"matron1"}

    out = tmp_path / "work.csv"
    code, _, err = run(capsys, "reminders", "--within", "2", "--format", "csv", "--out", str(out))
    assert (code, err) == (0, "")
    raw = out.read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf")
    rows = list(csv.DictReader(io.StringIO(raw.decode("utf-8-sig"))))
    assert [r["Reminder key"] for r in rows] == [r["key"] for r in soon]
    call = next(r for r in rows if r["What"] == "Navigator follow-up call")
    assert call["Why"].startswith("'=1+1")  # formula-guarded
    assert call["NHS number"] == format_nhs(cli_db.nhs["plan"])
    code, text, _ = run(capsys, "reminders", "--format", "csv", "--overdue")
    assert code == 0
    assert not text.startswith("\ufeff")
    assert len(list(csv.DictReader(io.StringIO(text)))) == len(overdue)


def test_the_table_and_another_workers_list(cli_db, capsys):
    code, out, err = run(capsys, "reminders")
    assert (code, err) == (0, "")
    assert "Chidinma Okonkwo" in out
    assert "URGENT" in out
    nurse = as_json(capsys, "reminders", "--worker", "nurse")
    assert {r["patient_name"] for r in nurse} == {"Zyta Kowalczyk"}
    code, out, _ = run(capsys, "reminders", "--team")
    assert code == 0
    assert "Nia Nurse" in out
    assert "Mary Matron" in out


# ---------------------------------------------------------------------------- day list


def test_the_day_list_shows_the_worker_day_overdue_and_nhs_numbers(world):
    reminders = ReminderService(world.db.sessions, "matron1").worklist()
    pdf = render_day_list(
        reminders,
        worker_name="Mary Matron",
        day=TODAY,
        printed_by="Tessa Lead",
        printed_at=PRINTED_AT,
    )
    text = pdf_text(pdf)
    assert "Day list" in text
    assert "Mary Matron" in text
    assert f"{TODAY:%d/%m/%Y}" in text
    assert "OVERDUE" in text
    assert "Page 1 of 1" in text
    assert "Printed by Tessa Lead on 23/11/2026 at 16:05" in text
    assert "CONFIDENTIAL" in text.upper()
    for key in ("new", "ward"):
        assert format_nhs(world.nhs[key]) in text
    # The urgent admission first; nothing due later than the day is listed.
    assert text.index("Chidinma Okonkwo") < text.index("Siobhán Ó Súilleabháin")
    assert "Care plan review" not in text
    assert "Goal follow-up" not in text
    # Tomorrow's list has the goal follow-up as due, and today's work as overdue.
    tomorrow = pdf_text(
        render_day_list(
            reminders,
            worker_name="Mary Matron",
            day=TODAY + timedelta(days=1),
            printed_by="Tessa Lead",
            printed_at=PRINTED_AT,
        )
    )
    assert "Goal follow-up" in tomorrow
    empty = pdf_text(
        render_day_list(
            [], worker_name="Mary Matron", day=TODAY, printed_by="X", printed_at=PRINTED_AT
        )
    )
    assert "Nothing is due on this day" in empty


def test_the_cli_prints_the_day_list(cli_db, capsys, tmp_path):
    folder = tmp_path / "out"
    folder.mkdir()
    out = folder / "day.pdf"
    code, said, err = run(capsys, "reminders", "--format", "pdf", "--out", str(out))
    assert (code, err) == (0, "")
    assert f"the day list for {TODAY:%d/%m/%Y}" in said
    text = pdf_text(out.read_bytes())
    assert "Mary Matron" in text
    assert format_nhs(cli_db.nhs["ward"]) in text
    assert [p.name for p in folder.iterdir()] == ["day.pdf"]  # no temporary file left
    later = TODAY + timedelta(days=1)
    code, _, _ = run(capsys, "reminders", "--worker", "nurse", "--out", str(out),
                     "--day", f"{later:%d/%m/%Y}")  # fmt: skip
    assert code == 0
    text = pdf_text(out.read_bytes())
    assert "Nia Nurse" in text
    assert f"{later:%d/%m/%Y}" in text


# ---------------------------------------------------------------------------- events


MESSY = (
    "\ufeffNHS number;Event type;Date;Hospital;Reason\r\n"
    "{other};Admitted;{d1};City General;Fall\r\n"  # row 2: good
    "123 456 7890;admission;{d1};City General;\r\n"  # row 3: bad NHS number
    "{other};discharge;31/02/2026;City General;\r\n"  # row 4: bad date
    "\r\n"  # row 5: blank
    "{ward_iso};discharge;{d2};City General;Home\r\n"  # row 6: good
    "{other};admission;{d1};City General;Fall\r\n"  # row 7: duplicate of row 2
)


def test_a_messy_csv_import_names_the_bad_rows_and_saves_nothing_until_corrected(
    cli_db, capsys, tmp_path
):
    path = tmp_path / "events.csv"
    text = MESSY.format(
        other=format_nhs(cli_db.nhs["other"]),
        ward_iso=cli_db.nhs["ward"],
        d1=f"{TODAY - timedelta(days=3):%d/%m/%Y}",
        d2=f"{TODAY - timedelta(days=1):%Y-%m-%d}",
    )
    path.write_bytes(text.encode("utf-8"))
    code, out, err = run(capsys, "events", "import", str(path))
    assert (code, out) == (2, "")
    lines = err.strip().splitlines()
    assert lines[0] == "ltcdesk: nothing was imported from events.csv: 2 rows need correcting:"
    assert lines[1].startswith("Row 3: NHS number:")
    assert lines[2].startswith("Row 4: date:")
    assert len(lines) == 3
    assert as_json(capsys, "events", "list", cli_db.nhs["other"]) == []
    # Corrected (the two bad rows taken out): saved, and the repeated row skipped.
    rows = text.split("\r\n")
    path.write_bytes("\r\n".join(rows[:2] + rows[4:]).encode("utf-8"))
    code, out, err = run(capsys, "events", "import", str(path))
    assert (code, err) == (0, "")
    assert out.strip().splitlines() == [
        "Saved 2 events for 2 patients (read as UTF-8 with BOM); 1 row already recorded, "
        "skipped:",
        "Row 5: the same as row 2 (same person, type and date)",
    ]
    other = as_json(capsys, "events", "list", cli_db.nhs["other"])
    assert [(e["kind"], e["reason"], e["source"]) for e in other] == [
        ("admission", "Fall", "import")
    ]
    ward = as_json(capsys, "events", "list", format_nhs(cli_db.nhs["ward"]))
    assert [e["kind"] for e in ward] == ["discharge", "admission"]
    # Discharged: the urgent admission reminder is replaced by a follow-up.
    whats = {r["what"] for r in as_json(capsys, "reminders")}
    assert "Follow up after discharge" in whats
    assert "In hospital: plan the discharge" not in whats


def test_a_pdf_renamed_csv_is_refused_whole(cli_db, capsys, tmp_path):
    path = tmp_path / "events.csv"
    path.write_bytes(b"%PDF-1.7\n%\xe2\xe3\xcf\xd3 binary\n")
    code, out, err = run(capsys, "events", "import", str(path))
    assert (code, out) == (2, "")
    assert len(err.strip().splitlines()) == 1
    assert "file: is not a CSV" in err
    code, out, err = run(capsys, "events", "import", str(tmp_path / "missing.csv"))
    assert (code, out) == (2, "")
    assert "does not exist" in err


def test_a_huge_field_and_a_200_mb_file_are_one_line_and_exit_2(cli_db, capsys, tmp_path):
    """Issue 13: a field over 131,072 characters was exit 1 ("unexpected error")."""
    path = tmp_path / "events.csv"
    nhs = cli_db.nhs["other"]
    path.write_text(
        f'NHS number,Event type,Date,Hospital\n{nhs},admission,{TODAY},"{"x" * 140_000}"\n',
        encoding="utf-8",
    )
    code, out, err = run(capsys, "events", "import", str(path))
    assert (code, out) == (2, "")
    assert err.splitlines() == [
        "ltcdesk: nothing was imported from events.csv: 1 row needs correcting:",
        "Row 2: hospital: is too long (140,000 characters; at most 200)",
    ]
    with path.open("wb") as f:
        f.truncate(200 * 1024 * 1024)
    code, out, err = run(capsys, "events", "import", str(path))
    assert (code, out) == (2, "")
    assert err.splitlines() == [
        "ltcdesk: file: is 200.0 MB, larger than the 20 MB allowed; split the list into "
        "smaller files"
    ]


def test_events_add_and_list(cli_db, capsys):
    nhs = cli_db.nhs["other"]
    day = TODAY - timedelta(days=1)
    code, out, err = run(capsys, "events", "add", format_nhs(nhs), "--type", "admission",
                         "--date", f"{day:%d/%m/%Y}", "--hospital", "St Mary's",
                         "--expected-discharge", f"{TODAY + timedelta(3):%Y-%m-%d}")  # fmt: skip
    assert (code, err) == (0, "")
    assert f"Recorded admission on {day:%d/%m/%Y} at St Mary's" in out
    code, out, _ = run(capsys, "events", "list", nhs)
    assert code == 0
    assert "St Mary's" in out
    assert "Admission" in out
    code, out, err = run(capsys, "events", "add", nhs, "--type", "discharge",
                         "--date", "2026-02-31", "--hospital", "X")  # fmt: skip
    assert (code, out) == (2, "")
    assert err.startswith("ltcdesk: date:")


# ---------------------------------------------------------------------------- absences


def test_absence_add_and_list_hands_reminders_to_the_team_lead(cli_db, capsys):
    first, last = TODAY - timedelta(days=1), TODAY + timedelta(days=3)
    code, out, err = run(capsys, "absence", "add", "matron1", "--user", "lead",
                         "--from", f"{first:%d/%m/%Y}", "--to", f"{last:%Y-%m-%d}",
                         "--reason", "Annual leave")  # fmt: skip
    assert (code, err) == (0, "")
    assert "Mary Matron (matron1)" in out
    rows = as_json(capsys, "absence", "list")
    assert [(a["username"], a["first_day"], a["last_day"], a["reason"]) for a in rows] == [
        ("matron1", first.isoformat(), last.isoformat(), "Annual leave")
    ]
    code, out, _ = run(capsys, "absence", "list", "--current")
    assert code == 0
    assert "Annual leave" in out
    covering = as_json(capsys, "reminders", "--user", "lead")
    assert covering
    assert {r["covering_for"] for r in covering} == {"Mary Matron"}
    # Only team leads record absences; a bad date names its field.
    code, out, err = run(capsys, "absence", "add", "nurse", "--from", f"{TODAY}", "--to",
                         f"{TODAY}")  # fmt: skip
    assert (code, out) == (2, "")
    code, out, err = run(capsys, "absence", "add", "nurse", "--user", "lead",
                         "--from", "2026-13-01", "--to", f"{TODAY}")  # fmt: skip
    assert (code, out) == (2, "")
    assert "first day" in err
    code, out, err = run(capsys, "absence", "end", str(rows[0]["id"]), "--user", "lead")
    assert code == 0
    assert as_json(capsys, "absence", "list", "--current") == []


# ---------------------------------------------------------------------------- errors


@pytest.mark.parametrize(
    ("argv", "said"),
    [
        (["reminders", "--format", "pdf"], "--out"),
        (["reminders", "--out", "{tmp}/x.txt"], "--out"),
        (["reminders", "--format", "ics", "--out", "{tmp}/x.csv"], "--out"),
        (["reminders", "--out", "{tmp}/no/x.ics"], "does not exist"),
        (["reminders", "--format", "table", "--out", "{tmp}/x.csv"], "--out"),
        (["reminders", "--within", "-1"], "--within"),
        (["reminders", "--within", "soon"], "--within: 'soon' is not a number of days"),
        (["reminders", "--worker", "nobody"], "worker"),
        (["reminders", "--worker", "nurse", "--team"], "not allowed"),
        (["reminders", "--team", "--out", "{tmp}/x.pdf"], "--team"),
        (["reminders", "--out", "{tmp}/x.pdf", "--day", "31/02/2026"], "--day"),
        (["reminders", "--format", "json", "--day", "2026-11-20"], "--day"),
        (["events", "list", "943 476 5918"], "NHS"),
        (["events"], "{import,list,add}"),
        (["absence"], "{add,list,end}"),
    ],
)
def test_errors_exit_2_with_one_line(cli_db, capsys, tmp_path, argv, said):
    folder = tmp_path / "out"
    folder.mkdir()
    code, out, err = run(capsys, *(a.format(tmp=folder) for a in argv))
    assert (code, out) == (2, "")
    assert len(err.strip().splitlines()) == 1
    assert said in err
    assert list(folder.iterdir()) == []
