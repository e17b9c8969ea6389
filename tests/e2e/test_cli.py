"""The command line as a team lead or a script uses it: exit codes, messages, formats."""

from __future__ import annotations

import csv
import io
import json
import sqlite3
import subprocess
import sys
from contextlib import closing
from pathlib import Path

import pytest

from ltcdesk.cli import main

ADD = [
    "patient",
    "add",
    "--nhs",
    "943 476 5919",
    "--family",
    "O'Kon",
    "--given",
    "María",
    "--dob",
    "1938-04-12",
    "--practice",
    "C82001",
    "--postcode",
    "le4 7ab",
]


def run(capsys, *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


@pytest.fixture
def dbfile(tmp_path, capsys) -> str:
    path = str(tmp_path / "cli.db")
    code, out, _ = run(capsys, "--db", path, "init")  # the first admin (tests/e2e/conftest.py)
    assert code == 0
    assert "Created the first administrator: admin" in out
    assert run(capsys, "--db", path, "practice", "add", "C82001", "Castle Street Surgery")[0] == 0
    return path


def patient_count(path: str) -> int:
    with closing(sqlite3.connect(path)) as conn:
        return conn.execute("SELECT count(*) FROM patients").fetchone()[0]


def test_add_then_show_as_json(dbfile, capsys):
    code, out, _ = run(capsys, "--db", dbfile, *ADD)
    assert code == 0
    assert "Registered María O'Kon, NHS number 943 476 5919" in out
    code, out, _ = run(capsys, "--db", dbfile, "patient", "show", "9434765919", "--format", "json")
    record = json.loads(out)
    assert record["nhs_number"] == "9434765919"
    assert record["family_name"] == "O'Kon"
    assert record["date_of_birth"] == "1938-04-12"
    assert record["postcode"] == "LE4 7AB"
    assert record["practice_code"] == "C82001"
    assert record["assignment"] is None


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (("--nhs", "943 476 5918"), "NHS number: '943 476 5918' is not a valid NHS number"),
        (("--dob", "2031-01-01"), "date of birth: 01/01/2031 is in the future"),
        (("--dob", "31/02/1950"), "date of birth: '31/02/1950' is not a real date"),
        (("--practice", "Z99999"), "practice: no practice with code 'Z99999'"),
    ],
)
def test_bad_input_exits_2_with_one_line_and_writes_nothing(dbfile, capsys, change, message):
    argv = list(ADD)
    flag, value = change
    argv[argv.index(flag) + 1] = value
    code, out, err = run(capsys, "--db", dbfile, *argv)
    assert code == 2
    assert out == ""
    assert err.strip().count("\n") == 0
    assert message in err
    assert patient_count(dbfile) == 0


def test_usage_errors_exit_2(capsys, tmp_path):
    code, _, err = run(capsys, "--db", str(tmp_path / "x.db"), "caseload", "--level", "7")
    assert code == 2
    assert "invalid choice" in err


def test_options_may_follow_the_command(dbfile, capsys):
    code, out, _ = run(capsys, "practice", "list", "--db", dbfile, "--format", "json")
    assert code == 0
    assert json.loads(out) == [{"code": "C82001", "name": "Castle Street Surgery", "patients": 0}]


def test_caseload_formats_and_worker_filter(tmp_path, capsys):
    path = str(tmp_path / "demo.db")
    assert run(capsys, "--db", path, "init")[0] == 0
    assert run(capsys, "--db", path, "demo", "--patients", "600", "--seed", "3")[0] == 0
    code, out, _ = run(capsys, "--db", path, "caseload", "--format", "json")
    rows = json.loads(out)
    assert code == 0
    assert len(rows) > 100
    first = rows[0]
    for key in (
        "nhs_number",
        "family_name",
        "given_name",
        "date_of_birth",
        "age",
        "practice_code",
        "key_worker_name",
        "key_worker_username",
        "level",
        "conditions",
        "ltc_count",
        "lives_alone",
        "has_carer",
        "consent",
    ):
        assert key in first
    matron = next(r["key_worker_username"] for r in rows if r["level"] == 3)
    code, out, _ = run(capsys, "--db", path, "caseload", "--worker", matron, "--format", "csv")
    table = list(csv.DictReader(io.StringIO(out)))
    assert table
    assert {r["level"] for r in table} <= {"1", "2", "3"}
    assert all(len(r["nhs_number"].replace(" ", "")) == 10 for r in table)
    code, out, _ = run(capsys, "--db", path, "workers", "--format", "json")
    assert any(w["role"] == "community_matron" for w in json.loads(out))


def test_backup_and_restore_round_trip(dbfile, capsys, tmp_path):
    run(capsys, "--db", dbfile, *ADD)
    backup = tmp_path / "backups" / "copy.db"
    code, out, _ = run(capsys, "--db", dbfile, "backup", "--out", str(backup))
    assert code == 0
    assert "integrity ok" in out
    # closing(): a connection left open would make the restore (rightly) refuse.
    with closing(sqlite3.connect(dbfile)) as conn, conn:
        conn.execute("DELETE FROM patients")
    assert patient_count(dbfile) == 0
    code, out, _ = run(capsys, "--db", dbfile, "restore", str(backup))
    assert code == 0
    assert "the replaced file is kept at" in out
    assert patient_count(dbfile) == 1
    kept = [p for p in Path(dbfile).parent.iterdir() if "before-restore" in p.name]
    assert len(kept) == 1


def test_restore_refuses_a_file_that_is_not_a_database(dbfile, capsys, tmp_path):
    run(capsys, "--db", dbfile, *ADD)
    fake = tmp_path / "fake.db"
    fake.write_text("name,nhs\nSmith,123\n")
    code, _, err = run(capsys, "--db", dbfile, "restore", str(fake))
    assert code == 2
    assert "not an ltcdesk (SQLite) backup" in err
    assert patient_count(dbfile) == 1


def test_opening_a_file_that_is_not_a_database_exits_2(tmp_path, capsys):
    bogus = tmp_path / "notes.txt"
    bogus.write_text("hello")
    code, _, err = run(capsys, "--db", str(bogus), "caseload")
    assert code == 2
    assert "is not an ltcdesk (SQLite) database" in err
    assert bogus.read_text() == "hello"


def test_the_installed_command_runs_in_a_real_process(dbfile):
    result = subprocess.run(
        [sys.executable, "-m", "ltcdesk", "--db", dbfile, "patient", "show", "9990000018"],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 2
    assert result.stderr.strip() == "ltcdesk: No patient with NHS number 999 000 0018."


def test_a_closed_pipe_ends_quietly(dbfile):
    run_add = subprocess.run(
        [sys.executable, "-m", "ltcdesk", "--db", dbfile, *ADD], capture_output=True, timeout=60
    )
    assert run_add.returncode == 0
    proc = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "ltcdesk",
            "--db",
            dbfile,
            "patient",
            "show",
            "9434765919",
            "--format",
            "json",
        ],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )
    assert proc.stdout is not None
    assert proc.stdout.read(1) == b"{"
    proc.stdout.close()
    _, err = proc.communicate(timeout=60)
    assert proc.returncode == 0
    assert b"unexpected error" not in err
