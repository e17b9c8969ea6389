"""The printed assessment summary and ``ltcdesk assessment print / show / history``: built
through AssessmentService, rendered, and read back with pypdf as a reader would check it —
the person's name and spaced NHS number, the summary of needs (and which became a goal or a
team action), domain values in words, a draft clearly marked, "Page X of Y", long notes
running over pages, names with letters beyond ASCII."""

from __future__ import annotations

import io
import json
from dataclasses import replace
from datetime import datetime, timedelta

import pypdf
import pytest

from ltcdesk import cli
from ltcdesk.reports.assessment_summary import render_assessment_summary
from ltcdesk.services.accounts import SignedIn
from ltcdesk.services.assessments import AssessmentService, AssessmentView, DomainEdit
from ltcdesk.services.patients import NewPatient, PatientService
from tests.conftest import TODAY

NHS = "9434765919"
NHS_SHOWN = "943 476 5919"
EARLIER = TODAY - timedelta(days=180)
PRINTED_AT = datetime(2026, 11, 22, 14, 2)
NAME = "María O'Kon"


@pytest.fixture
def world(team):
    PatientService(team.sessions, "lead", today=lambda: TODAY).register(
        NewPatient(NHS, "O'Kon", "María", "1940-03-01", "C82001")
    )
    return team


def svc(db, user: str = "matron1") -> AssessmentService:
    return AssessmentService(db.sessions, user, today=lambda: TODAY)


def confirm_the_rest(s: AssessmentService, a: AssessmentView) -> AssessmentView:
    rest = {
        d.key: replace(d.edit(), confirmed=True)
        for d in a.domains
        if not getattr(d, "confirmed", True)
    }
    return s.save(NHS, a.id, rest, a.lock_version) if rest else a


def assess(db, edits: dict[str, DomainEdit], *, on=EARLIER, complete: bool = True):
    s = svc(db)
    a = s.start(NHS, "face_to_face", on)
    a = s.save(NHS, a.id, edits, a.lock_version)
    if not complete:
        return a
    a = confirm_the_rest(s, a)
    return s.complete(NHS, a.id, a.lock_version)


FIRST = {
    "medicines": DomainEdit(
        {"regular_medicines": 11, "adherence_concerns": "yes", "last_review": "2026-01-10"},
        note="Muddles the evening tablets",
        need_identified=True,
        need_text="Help to manage my tablets",
    ),
    "daily_living": DomainEdit({"barthel_total": 16, "iadl_total": 5}),
    "housing": DomainEdit({"tenure": "social_rented", "warm_enough": False}),
    "social_contact": DomainEdit(
        {"lives_alone": True, "loneliness": "often"},
        need_identified=True,
        need_text="See people more often",
    ),
    "money": DomainEdit(
        {"benefits_check_wanted": True},
        need_identified=True,
        need_text="A benefits check",
    ),
}


def pages(data: bytes) -> list[str]:
    """Each page's text with whitespace runs (and no-break spaces) made single spaces."""
    reader = pypdf.PdfReader(io.BytesIO(data))
    return [" ".join(page.extract_text().split()) for page in reader.pages]


def render(view: AssessmentView, **options) -> bytes:
    return render_assessment_summary(
        view, printed_by="Kate O'Connell", printed_at=PRINTED_AT, **options
    )


def test_the_summary_says_who_when_how_and_the_needs_first(world):
    a = assess(world, FIRST)
    svc(world).need_to_goal(NHS, a.id, "medicines")
    if hasattr(AssessmentService, "need_to_action"):
        svc(world).need_to_action(NHS, a.id, "money", "Care navigator")
    a = svc(world).get(NHS, a.id)
    text = pages(render(a))
    whole = " ".join(text)
    for page in text:  # the header
        assert f"{NAME} NHS number {NHS_SHOWN}" in page
    assert "Single assessment summary" in whole
    assert f"{NAME} · NHS number {NHS_SHOWN}" in whole
    assert f"Date of assessment {EARLIER:%d/%m/%Y}" in whole
    assert "How Face to face" in whole
    assert "Assessor Mary Matron, Community matron" in whole
    assert "Status Complete" in whole
    assert "DRAFT" not in whole
    # The summary of needs comes before the domains, each with where it went.
    needs_at = whole.index("Summary of needs")
    assert needs_at < whole.index("The assessment, area by area")
    needs = whole[needs_at : whole.index("The assessment, area by area")]
    assert "Medicines Help to manage my tablets A goal in the care plan" in needs
    assert "Social contact and loneliness See people more often Not yet in the care plan" in (needs)
    if hasattr(AssessmentService, "need_to_action"):
        assert "Money and benefits A benefits check A team action in the care plan" in needs
    # Values in words.
    for line in (
        "Regular medicines 11",
        "Adherence concerns Yes",
        "Last medicines review 10/01/2026",
        "Polypharmacy (10+ medicines) Yes",
        "Barthel index 16 out of 20",
        "Tenure Social rented",
        "Home warm enough No",
        "Loneliness Often",
        "Note: Muddles the evening tablets",
        "Need identified: Help to manage my tablets (A goal in the care plan)",
    ):
        assert line in whole, line
    # Domains with nothing recorded are named once, compactly.
    assert "Nothing recorded: Conditions and symptoms, Mental health and mood" in whole
    assert "Continence" not in whole.split("Nothing recorded:")[0]
    # The footer.
    assert "Printed by Kate O'Connell on 22/11/2026 at 14:02" in whole
    assert "Confidential: contains patient information" in whole
    assert f"Page {len(text)} of {len(text)}" in text[-1]


def test_a_draft_is_clearly_marked_on_every_page(world):
    a = assess(world, FIRST, complete=False)
    long = "She finds the evenings hard since her daughter moved away. " * 60
    a = svc(world).save(NHS, a.id, {"what_matters": DomainEdit(note=long)}, a.lock_version)
    text = pages(render(a))
    assert len(text) > 1
    assert "DRAFT — not complete. This assessment is still being written" in text[0]
    assert "Status DRAFT — not complete" in text[0]
    for page in text:
        assert f"NHS number {NHS_SHOWN} DRAFT — not complete" in page


def test_a_5000_character_note_runs_over_pages_and_an_unbroken_one_too(world):
    a = assess(world, FIRST)
    words = ("I want to get out into the garden again & sit under the <apple> tree. " * 80)[:5000]
    unbroken = "x" * 5000
    domains = [replace(d, note=words) if d.key == "social_contact" else d for d in a.domains]
    domains = [replace(d, note=unbroken) if d.key == "housing" else d for d in domains]
    text = pages(render(replace(a, domains=domains)))
    assert len(text) >= 3
    whole = " ".join(text)
    # Every sentence printed, "&" and "<" as typed, to the last words.
    assert whole.count("sit under the <apple> tree") == words.count("sit under the <apple> tree")
    assert " ".join(words.split()[-6:]) in whole
    assert sum("garden again" in page for page in text) >= 2  # it ran on to the next page
    whole = whole.replace(" ", "")
    assert whole.count("x" * 50) >= 5000 // 50 - 2
    for n, page in enumerate(text, start=1):
        assert f"Page {n} of {len(text)}" in page


@pytest.mark.parametrize("name", ["Nguyễn Văn Anh", "Łukasz Wójcik", "María O'Kon"])
def test_names_beyond_ascii_print(world, name):
    a = assess(world, FIRST)
    text = " ".join(pages(render(replace(a, patient_name=name))))
    assert f"{name} · NHS number {NHS_SHOWN}" in text


def test_changes_since_the_last_assessment(world):
    first = assess(world, FIRST)
    s = svc(world)
    again = s.start(NHS, "telephone")
    meds = again.domain("medicines")
    again = s.save(
        NHS,
        again.id,
        {"medicines": replace(meds.edit(), fields={**meds.fields, "regular_medicines": 8})},
        again.lock_version,
    )
    again = confirm_the_rest(s, again)
    again = s.complete(NHS, again.id, again.lock_version)
    assert again.id != first.id
    text = " ".join(pages(render(again, differences=s.differences(NHS, again.id))))
    assert "How Telephone" in text
    changes = text[text.index("Changes since the last assessment") :]
    assert "Medicines Regular medicines 11 8" in changes
    none = " ".join(pages(render(again, differences=[])))
    assert "Nothing has changed since the last assessment" in none
    assert "Changes since" not in " ".join(pages(render(again)))


# ---------------------------------------------------------------------------- the CLI


@pytest.fixture
def cli_db(world, monkeypatch):
    monkeypatch.setattr(cli, "_open", lambda args: world)
    monkeypatch.setattr(cli, "_user", lambda args: (args.user or "matron1").strip().lower())
    monkeypatch.setattr(
        cli,
        "_signed_in",
        lambda args: SignedIn("matron1", "Mary Matron", "community_matron"),
    )
    return world


def test_cli_show_json_holds_every_domain(cli_db, capsys):
    assess(cli_db, FIRST)
    code = cli.main(["assessment", "show", NHS_SHOWN, "--format", "json"])
    out, err = capsys.readouterr()
    assert (code, err) == (0, "")
    data = json.loads(out)
    assert (data["nhs_number"], data["patient_name"], data["status"]) == (NHS, NAME, "complete")
    keys = [d["key"] for d in data["domains"]]
    assert keys[:3] == ["conditions", "medicines", "mental_health"]
    assert len(keys) == len(set(keys)) >= 18
    housing = next(d for d in data["domains"] if d["key"] == "housing")
    assert housing["fields"] == {"tenure": "social_rented", "warm_enough": False}
    assert [n["domain"] for n in data["needs"]] == ["medicines", "money", "social_contact"]


def test_cli_print_writes_the_latest_assessment_as_a_pdf(cli_db, capsys, tmp_path):
    first = assess(cli_db, FIRST)
    folder = tmp_path / "out"
    folder.mkdir()
    out = folder / "summary.pdf"
    code = cli.main(["assessment", "print", NHS, "--out", str(out)])
    said, err = capsys.readouterr()
    assert (code, err) == (0, "")
    assert said.strip() == f"Saved the assessment of {NAME} on {EARLIER:%d/%m/%Y} to {out}"
    text = " ".join(pages(out.read_bytes()))
    assert f"{NAME} · NHS number {NHS_SHOWN}" in text
    assert "Printed by Mary Matron" in text
    assert "Changes since" not in text  # nothing came before it
    assert [p.name for p in folder.iterdir()] == ["summary.pdf"]  # no temporary file left
    # A draft is printed by its id, with the changes since the first.
    s = svc(cli_db)
    draft = s.start(NHS, "telephone")
    meds = draft.domain("medicines")
    s.save(
        NHS,
        draft.id,
        {"medicines": replace(meds.edit(), fields={**meds.fields, "regular_medicines": 9})},
        draft.lock_version,
    )
    code = cli.main(["assessment", "print", NHS, "--out", str(out), "--id", str(draft.id)])
    said, _ = capsys.readouterr()
    assert code == 0
    assert "(a draft)" in said
    text = " ".join(pages(out.read_bytes()))
    assert "DRAFT — not complete" in text
    assert "Medicines Regular medicines 11 9" in text
    assert first.id != draft.id


def test_cli_print_and_history_say_clearly_what_is_wrong(cli_db, capsys, tmp_path):
    out = tmp_path / "summary.pdf"

    def run(*argv: str) -> tuple[int, str, str]:
        code = cli.main(list(argv))
        said, err = capsys.readouterr()
        return code, said, err

    code, said, err = run("assessment", "print", NHS, "--out", str(out))
    assert (code, said) == (2, "")
    assert err.strip() == f"ltcdesk: {NHS_SHOWN} has no completed assessment."
    draft = svc(cli_db).start(NHS, "telephone")
    code, _, err = run("assessment", "print", NHS, "--out", str(out))
    assert code == 2
    assert f"print the draft with --id {draft.id}" in err
    code, _, err = run("assessment", "print", "123 456 7890", "--out", str(out))
    assert code == 2
    assert "NHS number" in err
    code, _, err = run("assessment", "print", NHS, "--out", str(out), "--id", "999")
    assert code == 2
    assert "no assessment 999" in err
    code, _, err = run("assessment", "print", NHS, "--out", str(tmp_path / "no" / "x.pdf"))
    assert code == 2
    assert "does not exist" in err
    assert not out.exists()
    code, _, err = run("assessment", "history", "not a number")
    assert code == 2
    assert "NHS number" in err


def test_cli_history_lists_newest_first(cli_db, capsys):
    first = assess(cli_db, FIRST)
    draft = svc(cli_db).start(NHS, "telephone")
    assert cli.main(["assessment", "history", NHS, "--format", "json"]) == 0
    rows = json.loads(capsys.readouterr().out)
    assert [(r["id"], r["status"], r["needs"]) for r in rows] == [
        (draft.id, "draft", 3),
        (first.id, "complete", 3),
    ]
    assert rows[1]["assessed_on"] == EARLIER.isoformat()
    assert cli.main(["assessment", "history", NHS]) == 0
    table = capsys.readouterr().out.splitlines()
    assert table[0].split() == ["Id", "Date", "How", "Assessor", "Status", "Needs"]
    assert f"{EARLIER:%d/%m/%Y}  face to face  Mary Matron" in table[3]
