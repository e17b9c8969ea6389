"""Care plans for a whole caseload: one PDF a person with a safe file name, progress,
cancel between files, never a half-written file; and the two CLI commands over a stand-in
CarePlanService."""

from __future__ import annotations

import argparse
import io
import sys
import types
from dataclasses import dataclass
from pathlib import Path

import pypdf
import pytest

from ltcdesk.reports.care_plan_batch import export_plans, family_name, plan_file_name
from tests.unit.careplan_samples import NHS, PRINTED_AT, caseload_plans, sample_plan


def export(plans, folder, **options):
    return export_plans(
        plans, folder, printed_by="Kate O'Connell", printed_at=PRINTED_AT, **options
    )


def leftovers(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.iterdir() if not p.name.endswith(".pdf"))


@pytest.mark.parametrize(
    ("name", "family"),
    [
        ("María O'Kon", "O'Kon"),
        ("Zoë Ní Bhriain", "Ní Bhriain"),
        ("Jan van der Berg", "van der Berg"),
        ("Thị Lan Nguyễn", "Nguyễn"),
        ("Cher", "Cher"),
    ],
)
def test_family_name_keeps_particles(name, family):
    assert family_name(name) == family


def test_file_names_are_family_name_and_nhs_number_in_safe_characters():
    assert plan_file_name(sample_plan()) == f"OKon_{NHS}.pdf"
    assert plan_file_name(sample_plan("Zoë Ní Bhriain")) == f"Ni-Bhriain_{NHS}.pdf"
    assert plan_file_name(sample_plan("Ann ../../etc/passwd")) == f"etc-passwd_{NHS}.pdf"
    assert plan_file_name(sample_plan("李 小龍")) == f"patient_{NHS}.pdf"
    assert plan_file_name(sample_plan(), summary=True, large_print=True) == (
        f"OKon_{NHS}_summary_large-print.pdf"
    )


def test_one_pdf_per_person_with_progress(tmp_path):
    plans = caseload_plans(6)
    calls = []
    folder = tmp_path / "new" / "plans"  # made if missing
    paths = export(plans, folder, progress=lambda done, total: calls.append((done, total)))
    assert calls == [(n, 6) for n in range(7)]
    assert len(paths) == 6
    assert sorted(p.name for p in folder.iterdir()) == sorted(p.name for p in paths)
    assert leftovers(folder) == []
    for plan, path in zip(plans, paths, strict=True):
        assert plan.patient_nhs in path.name
        text = pypdf.PdfReader(path).pages[0].extract_text()
        assert plan.patient_name in text
    assert "Ni-Bhriain" in paths[1].name


def test_the_summary_form_is_one_page_each(tmp_path):
    paths = export(caseload_plans(3), tmp_path, summary=True, large_print=True)
    for path in paths:
        assert path.name.endswith("_summary_large-print.pdf")
        assert len(pypdf.PdfReader(path).pages) == 1


def test_cancel_stops_between_files_and_keeps_those_written(tmp_path):
    done_so_far = []
    paths = export(
        caseload_plans(8),
        tmp_path,
        progress=lambda done, total: done_so_far.append(done),
        cancelled=lambda: len(done_so_far) > 3,  # after the third file
    )
    assert len(paths) == 3
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted(p.name for p in paths)
    for path in paths:
        assert path.read_bytes()[:5] == b"%PDF-"


def test_a_failure_mid_batch_leaves_whole_files_only(tmp_path, monkeypatch):
    from ltcdesk import fileio

    real_fsync, calls = fileio.os.fsync, []

    def failing_fsync(fd):
        calls.append(fd)
        if len(calls) == 5:  # the third file (each file is fsynced, then its folder)
            raise OSError("disk full")
        real_fsync(fd)

    monkeypatch.setattr(fileio.os, "fsync", failing_fsync)
    with pytest.raises(OSError, match="disk full"):
        export(caseload_plans(5), tmp_path)
    names = sorted(p.name for p in tmp_path.iterdir())
    assert len(names) == 2
    assert leftovers(tmp_path) == []
    for name in names:
        assert len(pypdf.PdfReader(tmp_path / name).pages) >= 1


def test_the_same_person_twice_does_not_overwrite(tmp_path):
    paths = export([sample_plan(), sample_plan()], tmp_path)
    assert [p.name for p in paths] == [f"OKon_{NHS}.pdf", f"OKon_{NHS}-2.pdf"]


def test_an_empty_caseload_writes_nothing(tmp_path):
    calls = []
    assert export([], tmp_path, progress=lambda d, t: calls.append((d, t))) == []
    assert calls == [(0, 0)]


# ---------------------------------------------------------------- the CLI commands


@dataclass
class SignedIn:
    username: str = "matron1"
    display_name: str = "Mary Matron"


class FakeCarePlanService:
    """Stands in for ltcdesk.services.careplans.CarePlanService (built in parallel)."""

    plans: dict[str, object] = {}

    def __init__(self, sessions, user):
        self.user = user

    def agreed(self, nhs):
        return self.plans.get("".join(nhs.split()))

    def plans_for_caseload(self, worker):
        assert worker == "matron1"
        return list(self.plans.values())


@pytest.fixture
def cli(monkeypatch):
    from ltcdesk import cli, cli_careplan_export

    module = types.ModuleType("ltcdesk.services.careplans")
    module.CarePlanService = FakeCarePlanService  # type: ignore[attr-defined]
    monkeypatch.setitem(sys.modules, "ltcdesk.services.careplans", module)
    db = types.SimpleNamespace(sessions=None)
    monkeypatch.setattr(cli, "_open", lambda args: db)
    monkeypatch.setattr(cli, "_signed_in", lambda args: SignedIn())
    monkeypatch.setattr(cli, "_resolve_worker", lambda db, user, name: "matron1")
    parser = argparse.ArgumentParser(prog="ltcdesk careplan")
    sub = parser.add_subparsers(dest="careplan_command")
    cli_careplan_export.add_export_parsers(sub, argparse.ArgumentParser(add_help=False))
    handlers = {
        "export": cli_careplan_export.cmd_careplan_export,
        "export-caseload": cli_careplan_export.cmd_careplan_export_caseload,
    }

    def run(*argv: str) -> int:
        args = parser.parse_args(argv)
        return handlers[args.careplan_command](args)

    return run


def test_cli_export_writes_the_agreed_plan(cli, tmp_path, capsys):
    FakeCarePlanService.plans = {NHS: sample_plan()}
    out = tmp_path / "plan.pdf"
    assert cli("export", "943 476 5919", "--out", str(out), "--clinical") == 0
    assert "Saved the care plan of María O'Kon to" in capsys.readouterr().out
    text = " ".join(page.extract_text() for page in pypdf.PdfReader(out).pages)
    assert "clinical copy" in text
    assert "Printed by Mary Matron" in text


def test_cli_export_refuses_a_patient_with_no_agreed_plan(cli, tmp_path, capsys):
    FakeCarePlanService.plans = {}
    out = tmp_path / "plan.pdf"
    assert cli("export", NHS, "--out", str(out)) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1
    assert "943 476 5919 has no agreed care plan" in err
    assert not out.exists()


def test_cli_export_checks_the_output_path_first(cli, tmp_path):
    from ltcdesk.domain.errors import ValidationError

    FakeCarePlanService.plans = {NHS: sample_plan()}
    with pytest.raises(ValidationError, match="does not exist"):
        cli("export", NHS, "--out", str(tmp_path / "missing" / "plan.pdf"))
    with pytest.raises(ValidationError, match="is a folder"):
        cli("export", NHS, "--out", str(tmp_path))


def test_cli_summary_and_clinical_are_exclusive(cli, tmp_path, capsys):
    with pytest.raises(SystemExit):
        cli("export", NHS, "--out", str(tmp_path / "a.pdf"), "--summary", "--clinical")


def test_cli_export_caseload_writes_a_file_each_with_progress(cli, tmp_path, capsys):
    plans = caseload_plans(4)
    FakeCarePlanService.plans = {p.patient_nhs: p for p in plans}
    folder = tmp_path / "plans"
    assert cli("export-caseload", "--worker", "matron1", "--out", str(folder), "--summary") == 0
    captured = capsys.readouterr()
    assert "Exported 4 of 4 care plans" in captured.err
    assert "Saved 4 care plans to" in captured.out
    assert len(list(folder.glob("*_summary.pdf"))) == 4
    first = pypdf.PdfReader(io.BytesIO(next(folder.iterdir()).read_bytes()))
    assert len(first.pages) == 1
