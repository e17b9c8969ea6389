"""The printed whiteboard meeting agenda and minutes, the action list CSV and the
``ltcdesk meeting`` commands: meetings built through the real services, rendered, and read
back with pypdf as a reader would check them — above all that an initials-only copy holds
no patient's given or family name anywhere, a name typed inside a reason included."""

from __future__ import annotations

import csv
import io
import json
import re
import unicodedata
from datetime import date, datetime, timedelta

import pypdf
import pytest

from ltcdesk import cli
from ltcdesk.domain import nhs_number
from ltcdesk.domain.nhs_number import format_nhs
from ltcdesk.reports.meeting_agenda import (
    DRAFT_AGENDA,
    DRAFT_MINUTES,
    Redactor,
    minutes_csv,
    render_agenda,
    render_minutes,
)
from ltcdesk.services.accounts import SignedIn
from ltcdesk.services.careplan_views import CarePlanEdits, GoalEdits
from ltcdesk.services.careplans import CarePlanService
from ltcdesk.services.caseload import CaseloadService
from ltcdesk.services.conversations import ConversationInput, ConversationService, TopicNote
from ltcdesk.services.meetings import MeetingService
from ltcdesk.services.patients import NewPatient, PatientService
from tests.conftest import TODAY

MEETING_DAY = TODAY + timedelta(days=2)
PRINTED_AT = datetime(2026, 11, 23, 16, 5)
PLACE = "Room 2, Northfield Health Centre"
# (given, family): every part must vanish from an initials-only copy.
PEOPLE = {
    "new": ("Siobhán", "Ó Súilleabháin"),
    "review": ("Wilfred", "Pemberton-Smythe"),
    "flag": ("Chidinma", "Okonkwo"),
    "hand": ("Zyta", "Kowalczyk"),
}
NAME_PARTS = ("Siobhán", "Súilleabháin", "Wilfred", "Pemberton", "Smythe", "Chidinma",
              "Okonkwo", "Zyta", "Kowalczyk")  # fmt: skip


def nhs_for(n: int) -> str:
    number = nhs_number.complete(f"{500000000 + n * 7:09d}")
    while number is None:
        n += 1000
        number = nhs_number.complete(f"{500000000 + n * 7:09d}")
    return number


def svc(db, user: str = "lead", today: date = TODAY) -> MeetingService:
    return MeetingService(db.sessions, user, today=lambda: today)


class World:
    def __init__(self, db) -> None:
        self.db = db
        self.n = 0
        self.nhs: dict[str, str] = {}

    def patient(self, key: str) -> str:
        self.n += 1
        nhs = nhs_for(self.n)
        given, family = PEOPLE[key]
        PatientService(self.db.sessions, "lead", today=lambda: TODAY).register(
            NewPatient(nhs, family, given, "1944-05-06", "C82001")
        )
        self.nhs[key] = nhs
        return nhs

    def on_caseload(self, nhs: str, worker: str = "matron1", level: int = 2, ago: int = 60) -> None:
        CaseloadService(self.db.sessions, "lead", today=lambda: TODAY).assign(
            nhs, worker, level, "Referred by GP", TODAY - timedelta(days=ago)
        )

    def review_due(self, nhs: str) -> None:
        plans = CarePlanService(self.db.sessions, "matron1", today=lambda: TODAY)
        draft = plans.start(nhs)
        edits = CarePlanEdits(
            goals=[GoalEdits(description="Walk to the shop", importance=8, confidence=4)],
            review_date=TODAY + timedelta(days=1),
        )
        plans.save_draft(nhs, edits, draft.lock_version)
        plans.agree(nhs, "the person")

    def flag(self, nhs: str, reason: str) -> None:
        ConversationService(self.db.sessions, "navigator", today=lambda: TODAY).record(
            nhs,
            ConversationInput(
                held_on=TODAY - timedelta(days=3),
                mode="phone",
                topics=(TopicNote("safe_at_home"),),
                flag_to_team=True,
                flag_reason=reason,
            ),
        )


@pytest.fixture
def world(team):
    """Four patients, one per source, with names inside a flag reason and a manual reason."""
    w = World(team)
    new = w.patient("new")
    w.on_caseload(new, ago=3, level=3)
    review = w.patient("review")
    w.on_caseload(review, worker="matron2")
    w.review_due(review)
    flagged = w.patient("flag")
    w.on_caseload(flagged)
    w.flag(flagged, "Chidinma's daughter rang: fell twice; lives next to Mr Pemberton-Smythe")
    w.patient("hand")
    return w


def agenda_meeting(w: World, *, lock: bool = True, on: date = MEETING_DAY) -> int:
    s = svc(w.db)
    m = s.create(on, "09:30", PLACE, "lead", attendees=["matron1", "nurse", "navigator"]).id
    s.build_agenda(m)
    s.add_item(m, w.nhs["hand"], "Family asked about zyta's carer (KOWALCZYK)", minutes=10)
    if lock:
        s.set_attendance(m, "navigator", "apologies")
        s.lock_agenda(m)
    return m


def held_meeting(w: World) -> int:
    """The agenda's meeting run: two items discussed, two actions, then closed."""
    m = agenda_meeting(w)
    s = svc(w.db)
    s.set_attendance(m, "matron1", "present")
    s.set_attendance(m, "lead", "present")
    view = s.start(m)
    items = {i.nhs_number: i for i in view.agenda}
    s.record_outcome(
        m,
        items[w.nhs["flag"]].id,
        "Chidinma Okonkwo to be seen at the falls clinic",
        ["refer", "review_plan"],
    )
    s.record_outcome(m, items[w.nhs["new"]].id, "Settling in well", ["no_change"])
    s.add_action(
        m,
        w.nhs["flag"],
        "Refer Chidinma to the falls clinic",
        "matron1",
        MEETING_DAY + timedelta(7),
    )
    s.add_action(
        m,
        w.nhs["review"],
        '=HYPERLINK("x") ring Wilfred\'s son',
        "nurse",
        MEETING_DAY + timedelta(3),
    )
    s.close(m, "Quorate. Okonkwo family to be invited next time.")
    return m


def pages(data: bytes) -> list[str]:
    reader = pypdf.PdfReader(io.BytesIO(data))
    return [unicodedata.normalize("NFC", p.extract_text() or "") for p in reader.pages]


def flat(data: bytes) -> str:
    return re.sub(r"\s+", " ", " ".join(pages(data)))


def agenda_pdf(w: World, m: int, **kw) -> bytes:
    view = svc(w.db).get(m)
    return render_agenda(view, printed_by="Tessa Lead", printed_at=PRINTED_AT, **kw)


def minutes_pdf(w: World, m: int, **kw) -> bytes:
    view = svc(w.db).get(m)
    return render_minutes(view, printed_by="Tessa Lead", printed_at=PRINTED_AT, **kw)


def in_order(text: str, *parts: str) -> bool:
    at = [text.find(p) for p in parts]
    return -1 not in at and at == sorted(at)


# ---------------------------------------------------------------------------- agenda


def test_the_agenda_shows_the_meeting_and_items_in_order_with_slots(world):
    m = agenda_meeting(world)
    text = flat(agenda_pdf(world, m))
    assert text.startswith("Whiteboard meeting agenda Team Northfield")
    assert "Whiteboard meeting agenda — Northfield, Tuesday 24/11/2026" in text  # page header
    for expected in (
        "Date Tuesday 24/11/2026",
        "Time 09:30–10:30 (60 minutes)",
        f"Place {PLACE}",
        "Chair Tessa Lead",
        "Attendees Tessa Lead, Mary Matron, Nia Nurse",
        "Apologies Nadia Navigator",
        "Agenda locked",
        "4 items, 30 minutes",
        "Time Patient Reasons Notes",
        "Printed by Tessa Lead on 23/11/2026 at 16:05",
        "CONFIDENTIAL",
        "Page 1 of 1",
    ):
        assert expected in text, expected
    assert DRAFT_AGENDA not in text
    # Sections, then patients with their slots, in agenda order.
    assert in_order(
        text,
        "New referrals",
        "09:30 10 min #1 Siobhán Ó Súilleabháin",
        "Care plans due",
        "09:40 5 min #2 Wilfred Pemberton-Smythe",
        "Flags from care navigators",
        "09:45 5 min #3 Chidinma Okonkwo",
        "Added by hand",
        "09:50 10 min #4 Zyta Kowalczyk",
    )
    assert f"NHS {format_nhs(world.nhs['review'])} Level 2 · Martin Matron" in text
    assert "Level 3 · Mary Matron" in text
    assert "Care plan review overdue (was due 23/11/2026)" in text
    assert "Chidinma's daughter rang: fell twice" in text
    assert "Family asked about zyta's carer" in text


def test_an_unlocked_agenda_is_marked_draft_on_every_page(world):
    m = agenda_meeting(world, lock=False)
    text = pages(agenda_pdf(world, m))
    assert all(DRAFT_AGENDA in page for page in text)
    assert "Agenda locked" not in text[0]


def test_sixty_items_run_over_numbered_pages_with_the_header_repeated(team):
    w = World(team)
    s = svc(team)
    m = s.create(MEETING_DAY, "09:00", "Teams", "lead", virtual=True, minutes=300).id
    for n in range(60):
        w.n += 1
        nhs = nhs_for(w.n)
        PatientService(team.sessions, "lead", today=lambda: TODAY).register(
            NewPatient(nhs, f"Family{n:02d}", "Given", "1950-01-01", "C82001")
        )
        s.add_item(m, nhs, f"Reason {n}")
    data = agenda_pdf(w, m)
    text = pages(data)
    assert len(text) > 3
    assert all(f"Page {n} of {len(text)}" in page for n, page in enumerate(text, start=1))
    assert all("Time Patient Reasons Notes" in re.sub(r"\s+", " ", page) for page in text)
    joined = re.sub(r"\s+", " ", " ".join(text))
    assert "Place Virtual: Teams" in joined
    assert "60 items, 300 minutes" in joined
    assert in_order(joined, "Family00", "Family30", "Family59")
    assert "13:55 5 min #60 Given Family59" in joined


def test_the_initials_only_agenda_holds_no_patient_names(world):
    m = agenda_meeting(world)
    text = flat(agenda_pdf(world, m, initials_only=True))
    for part in NAME_PARTS:
        assert part.casefold() not in text.casefold(), part
    for key in PEOPLE:
        assert format_nhs(world.nhs[key]) in text
    assert in_order(text, "#1 S.Ó.", "#2 W.P.", "#3 C.O.", "#4 Z.K.")
    # Names inside the reasons become initials; staff names stay.
    assert "C.O. daughter rang" not in text  # the possessive goes with the name
    assert "C.O.'s daughter rang: fell twice; lives next to Mr W.P." in text
    assert "Family asked about Z.K.'s carer (Z.K.)" in text
    assert "Flagged by Nadia Navigator" in text
    assert "Level 2" not in text  # the key worker and level are left off
    assert "initials only" in text


# ---------------------------------------------------------------------------- minutes


def test_the_minutes_show_outcomes_decisions_and_actions(world):
    m = held_meeting(world)
    text = flat(minutes_pdf(world, m))
    assert text.startswith("Whiteboard meeting minutes Team Northfield")
    assert "Whiteboard meeting minutes — Northfield, Tuesday 24/11/2026" in text
    for expected in (
        "Chair Tessa Lead",
        "Present Tessa Lead, Mary Matron",
        "Apologies Nadia Navigator",
        "Invited Nia Nurse",
        "Meeting notes Quorate. Okonkwo family to be invited next time.",
        "Discussed (2)",
        "Chidinma Okonkwo to be seen at the falls clinic",
        "Refer on Review the care plan",
        "Settling in well",
        "No change",
        "Not discussed (2)",
        "Actions agreed (2)",
        "Patient Action Owner Due Status",
        "Refer Chidinma to the falls clinic Mary Matron 01/12/2026 Open",
        "Nia Nurse 27/11/2026 Open",
        "Page 1 of",
    ):
        assert expected in text, expected
    assert DRAFT_MINUTES not in text
    assert in_order(text, "Not discussed (2)", "Wilfred Pemberton", "Zyta Kowalczyk")


def test_minutes_before_closing_are_a_draft(world):
    m = agenda_meeting(world)
    svc(world.db).start(m)
    text = flat(minutes_pdf(world, m))
    assert DRAFT_MINUTES in text
    assert "No item has an outcome recorded." in text
    assert "No actions were recorded." in text


def test_the_initials_only_minutes_hold_no_patient_names(world):
    m = held_meeting(world)
    text = flat(minutes_pdf(world, m, initials_only=True))
    for part in NAME_PARTS:
        assert part.casefold() not in text.casefold(), part
    assert "C.O. to be seen at the falls clinic" in text
    assert "Refer C.O. to the falls clinic" in text
    assert "Quorate. C.O. family" in text
    assert format_nhs(world.nhs["flag"]) in text
    assert "Mary Matron" in text  # staff stay


def test_the_action_list_csv_is_excel_safe_and_can_be_initials_only(world):
    m = held_meeting(world)
    view = svc(world.db).get(m)
    data = minutes_csv(view)
    assert data.startswith("\ufeff")
    rows = list(csv.reader(io.StringIO(data.removeprefix("\ufeff"))))
    assert rows[0][:7] == ["Meeting date", "Patient", "NHS number", "Action", "Owner", "Due",
                           "Status"]  # fmt: skip
    assert rows[1][:7] == [
        "24/11/2026",
        "Chidinma Okonkwo",
        format_nhs(world.nhs["flag"]),
        "Refer Chidinma to the falls clinic",
        "Mary Matron",
        "01/12/2026",
        "Open",
    ]
    assert rows[2][3] == "'=HYPERLINK(\"x\") ring Wilfred's son"  # not run as a formula
    short = minutes_csv(view, initials_only=True)
    assert not any(part.casefold() in short.casefold() for part in NAME_PARTS)
    rows = list(csv.reader(io.StringIO(short.removeprefix("\ufeff"))))
    assert [r[1] for r in rows[1:]] == ["C.O.", "W.P."]
    assert rows[2][3] == "'=HYPERLINK(\"x\") ring W.P.'s son"


def test_the_redactor_keeps_other_words_staff_and_shared_names_apart():
    people = [
        ("1", "Ann Smith", "A.S."),
        ("2", "Bob Smith", "B.S."),
        ("3", "May Li", "M.L."),
        ("4", "Alan Shaw", "A.S."),  # the same initials as Ann Smith
        ("5", "Ravi Mistry", "R.M."),
    ]
    r = Redactor(people, active=True, keep=["Hetal Mistry", "Ann Smith", ""])
    assert r.text("Ann Smith's annual review", "1") == "A.S.'s annual review"
    assert r.text("Smith visited; ANN called", "1") == "A.S. visited; A.S. called"
    # Bob's text: "Smith" is his; in a third patient's text it could be either, so hidden.
    assert r.text("Mr Smith and Ann", "2") == "Mr B.S. and A.S."
    assert r.text("Mr Smith", "3") == "Mr [name]"
    assert r.text("Mr Smith", None) == "Mr [name]"
    assert r.text("Alan’s plan", "4") == "A.S.’s plan"
    assert r.text("Dr Smithson") == "Dr Smithson"
    # Staff names stay whole, but a patient's own full name is never kept.
    assert r.text("New to Hetal Mistry's caseload; Mistry family", "5") == (
        "New to Hetal Mistry's caseload; R.M. family"
    )
    assert r.text("Ann Smith", "3") == "A.S."
    off = Redactor(people, active=False)
    assert off.text("Ann Smith") == "Ann Smith"
    assert off.patient("Ann Smith", "A.S.") == "Ann Smith"


# ---------------------------------------------------------------------------- the CLI


@pytest.fixture
def cli_db(world, monkeypatch):
    monkeypatch.setattr(cli, "_open", lambda args: world.db)
    monkeypatch.setattr(cli, "_user", lambda args: (args.user or "lead").strip().lower())
    monkeypatch.setattr(cli, "_signed_in", lambda args: SignedIn("lead", "Tessa Lead", "team_lead"))
    return world


def run(capsys, *argv: str) -> tuple[int, str, str]:
    code = cli.main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def test_cli_lists_meetings_as_json_and_table(cli_db, capsys):
    first = agenda_meeting(cli_db)
    later = svc(cli_db.db).create(MEETING_DAY + timedelta(days=7), "14:00", "Teams", "lead",
                                  virtual=True).id  # fmt: skip
    code, out, err = run(capsys, "meeting", "list", "--format", "json")
    assert (code, err) == (0, "")
    rows = json.loads(out)
    assert [
        (r["id"], r["held_on"], r["starts_at"], r["items"], r["agenda_locked"]) for r in rows
    ] == [
        (first, "2026-11-24", "09:30", 4, True),
        (later, "2026-12-01", "14:00", 0, False),
    ]
    assert rows[1]["virtual"] is True
    assert rows[0]["chair_name"] == "Tessa Lead"
    code, out, _ = run(capsys, "meeting", "list", "--from", "25/11/2026")
    assert code == 0
    assert "01/12/2026" in out
    assert "Virtual: Teams" in out
    assert "24/11/2026" not in out
    code, out, err = run(capsys, "meeting", "list", "--to", "2026-11-31")
    assert (code, out) == (2, "")
    assert len(err.strip().splitlines()) == 1
    assert "--to" in err


def test_cli_prints_the_next_meeting_or_one_by_id(cli_db, capsys, tmp_path):
    today = date.today()  # the CLI's "next" counts from the real today
    s = svc(cli_db.db, today=today)
    soon = s.create(today + timedelta(days=1), "09:30", PLACE, "lead").id
    s.add_item(soon, cli_db.nhs["hand"], "Check the carer's plan")
    s.create(today + timedelta(days=8), "09:30", PLACE, "lead")
    folder = tmp_path / "out"
    folder.mkdir()
    out = folder / "agenda.pdf"
    code, said, err = run(capsys, "meeting", "agenda", "--next", "--out", str(out))
    assert (code, err) == (0, "")
    assert f"meeting {soon}" in said
    assert "(draft: not yet locked)" in said
    text = flat(out.read_bytes())
    assert "Zyta Kowalczyk" in text
    assert DRAFT_AGENDA in text
    assert [p.name for p in folder.iterdir()] == ["agenda.pdf"]  # no temporary file left
    code, _, _ = run(
        capsys, "meeting", "agenda", "--id", str(soon), "--out", str(out), "--initials-only"
    )
    assert code == 0
    text = flat(out.read_bytes())
    assert "Z.K." in text
    assert "Kowalczyk" not in text


def test_cli_saves_minutes_as_pdf_or_csv(cli_db, capsys, tmp_path):
    m = held_meeting(cli_db)
    code, said, err = run(capsys, "meeting", "minutes", "--id", str(m), "--out",
                          str(tmp_path / "m.pdf"))  # fmt: skip
    assert (code, err) == (0, "")
    assert "Refer on" in flat((tmp_path / "m.pdf").read_bytes())
    code, said, _ = run(capsys, "meeting", "minutes", "--id", str(m), "--out",
                        str(tmp_path / "a.CSV"), "--initials-only")  # fmt: skip
    assert code == 0
    assert "the 2 actions" in said
    raw = (tmp_path / "a.CSV").read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf")
    assert "C.O." in raw.decode("utf-8-sig")
    assert b"Okonkwo" not in raw


@pytest.mark.parametrize(
    ("argv", "said"),
    [
        (["meeting", "agenda", "--id", "999", "--out", "{tmp}/a.pdf"], "No meeting 999."),
        (["meeting", "agenda", "--next", "--out", "{tmp}/a.pdf"], "no meeting from today"),
        (["meeting", "agenda", "--id", "x", "--out", "{tmp}/a.pdf"], "--id: 'x' is not an id"),
        (["meeting", "agenda", "--out", "{tmp}/a.pdf"], "one of the arguments"),
        (["meeting", "agenda", "--id", "1", "--next", "--out", "{tmp}/a.pdf"], "not allowed"),
        (["meeting", "agenda", "--id", "1", "--out", "{tmp}/a.txt"], "not a PDF file name"),
        (["meeting", "minutes", "--id", "1", "--out", "{tmp}/a.xlsx"], "not a PDF or CSV"),
        (["meeting", "minutes", "--id", "1", "--out", "{tmp}/no/a.pdf"], "does not exist"),
        (["meeting"], "{list,agenda,minutes}"),
    ],
)
def test_cli_errors_exit_2_with_one_line(cli_db, capsys, tmp_path, argv, said):
    folder = tmp_path / "out"
    folder.mkdir()
    code, out, err = run(capsys, *(a.format(tmp=folder) for a in argv))
    assert (code, out) == (2, "")
    assert len(err.strip().splitlines()) == 1
    assert said in err
    assert list(folder.iterdir()) == []


def test_cli_builds_the_agenda_before_printing_when_asked(cli_db, capsys, tmp_path):
    today = date.today()  # the CLI's services count from the real today
    meeting = svc(cli_db.db, today=today).create(today + timedelta(days=1), "09:30", PLACE, "lead")
    out = tmp_path / "agenda.pdf"
    code, said, err = run(capsys, "meeting", "agenda", "--id", str(meeting.id), "--out", str(out))
    assert (code, err) == (0, "")
    assert "(0 items)" in said
    assert "The agenda is empty: build it in ltcdesk, or add --build." in said
    code, said, err = run(
        capsys, "meeting", "agenda", "--id", str(meeting.id), "--out", str(out), "--build"
    )
    assert (code, err) == (0, "")
    assert "(0 items)" not in said
    # The flagged patient is proposed and printed; the agenda stays a draft.
    assert "Chidinma Okonkwo" in flat(out.read_bytes())
    assert svc(cli_db.db, today=today).get(meeting.id).agenda
    assert "(draft: not yet locked)" in said
