"""The command line at its limits (issue 13): numbers out of range, file names too long, a
full disk, hostile text in messages, formulas in CSV and filters that could match no one.
Each is exit 2 with one line on stderr, and nothing is written."""

from __future__ import annotations

import csv
import errno
import io
import logging
import sqlite3
from contextlib import closing
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import event

from ltcdesk import cli_output
from ltcdesk.cli import main
from ltcdesk.db import open_database
from ltcdesk.services.caseload import CaseloadService

NHS = "9434765919"
FORMULA = '=HYPERLINK("http://x","y")'
HUGE = "99999999999999999999"  # above 2**63


def run(capsys: Any, *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def one_line(err: str) -> str:
    assert err.endswith("\n")
    assert err.count("\n") == 1, err
    assert err.isprintable() or err[:-1].isprintable()
    return err


@pytest.fixture
def dbfile(tmp_path: Path, capsys: Any) -> str:
    """A team: a practice, a matron, and a patient called =HYPERLINK(...) on her caseload,
    admitted to hospital yesterday (so there is a reminder to plan the discharge)."""
    path = str(tmp_path / "limits.db")
    steps = [
        ["init"],
        ["practice", "add", "C82001", "Castle Street Surgery", "--team", "Northfield"],
        ["team", "move", "admin", "--to", "Northfield"],  # the team's records clerk
        ["staff", "add", "lead", "--name", "Tessa Lead", "--role", "team_lead", "--team",
         "Northfield"],
        ["staff", "add", "matron1", "--name", "Mary Matron", "--role", "community_matron",
         "--team", "Northfield"],
        ["patient", "add", "--nhs", NHS, "--family", FORMULA, "--given", "@John", "--dob",
         "1940-01-01", "--practice", "C82001"],
    ]  # fmt: skip
    for argv in steps:
        code, _, err = run(capsys, "--db", path, *argv)
        assert code == 0, err
    db = open_database(path)
    try:
        CaseloadService(db.sessions, "lead").assign(NHS, "matron1", 2, "-falls at home")
    finally:
        db.dispose()
    yesterday = f"{date.today() - timedelta(days=1):%Y-%m-%d}"
    code, _, err = run(capsys, "--db", path, "events", "add", NHS, "--type", "admission",
                       "--date", yesterday, "--hospital", "+Royal Infirmary")  # fmt: skip
    assert code == 0, err
    return path


def audit_rows(path: str) -> int:
    with closing(sqlite3.connect(path)) as conn:
        return int(conn.execute("SELECT count(*) FROM audit_log").fetchone()[0])


# ------------------------------------------------------------------ numbers out of range


@pytest.mark.parametrize(
    ("argv", "option"),
    [
        (["meeting", "agenda", "--id", HUGE, "--out", "{tmp}/a.pdf"], "--id"),
        (["meeting", "minutes", "--id", HUGE, "--out", "{tmp}/m.csv"], "--id"),
        (["meeting", "minutes", "--id", "0", "--out", "{tmp}/m.csv"], "--id"),
        (["meeting", "minutes", "--id", "-5", "--out", "{tmp}/m.csv"], "--id"),
        (["meeting", "minutes", "--id", "１２", "--out", "{tmp}/m.csv"], "--id"),
        (["assessment", "print", NHS, "--out", "{tmp}/a.pdf", "--id", HUGE], "--id"),
        (["absence", "end", HUGE], "ID"),
        (["reminders", "--within", "99999999999"], "--within"),
        (["reminders", "--within", "-1"], "--within"),
        (["demo", "--patients", HUGE], "--patients"),
        (["demo", "--seed", HUGE], "--seed"),
        (["audit", "list", "--limit", HUGE], "--limit"),
    ],
)
def test_a_number_out_of_range_is_exit_2_naming_the_option(dbfile, capsys, tmp_path, argv, option):
    before = audit_rows(dbfile)
    argv = [a.replace("{tmp}", str(tmp_path)) for a in argv]
    code, out, err = run(capsys, "--db", dbfile, *argv)
    assert (code, out) == (2, "")
    assert f"argument {option}" in one_line(err)
    assert list(tmp_path.glob("*.pdf")) + list(tmp_path.glob("*.csv")) == []
    assert audit_rows(dbfile) == before  # refused before anything was opened


def test_the_largest_id_either_database_holds_is_simply_not_found(dbfile, capsys, tmp_path):
    out_file = str(tmp_path / "m.csv")
    code, out, err = run(capsys, "--db", dbfile, "meeting", "minutes", "--id",
                         str(cli_output.ID_MAX), "--out", out_file)  # fmt: skip
    assert (code, out) == (2, "")
    assert "meeting" in one_line(err).lower()
    assert not Path(out_file).exists()


# ------------------------------------------------------------------ file names


LONG_NAME = "x" * 300


@pytest.mark.parametrize(
    "argv",
    [
        ["reminders", "--worker", "matron1", "--out", "{tmp}/" + LONG_NAME + ".csv"],
        ["reminders", "--worker", "matron1", "--out", "{tmp}/" + LONG_NAME + ".pdf"],
        ["meeting", "agenda", "--next", "--out", "{tmp}/" + LONG_NAME + ".pdf"],
        ["meeting", "minutes", "--id", "1", "--out", "{tmp}/" + LONG_NAME + ".csv"],
        ["assessment", "print", NHS, "--out", "{tmp}/" + LONG_NAME + ".pdf"],
        ["careplan", "export", NHS, "--out", "{tmp}/" + LONG_NAME + ".pdf"],
        ["reminders", "--worker", "matron1", "--out", "{tmp}/" + "é" * 130 + ".csv"],  # bytes
    ],
)
def test_an_output_name_too_long_for_the_disk_is_exit_2_before_any_work(
    dbfile, capsys, tmp_path, argv
):
    before = audit_rows(dbfile)
    argv = [a.replace("{tmp}", str(tmp_path)) for a in argv]
    code, out, err = run(capsys, "--db", dbfile, *argv)
    assert (code, out) == (2, "")
    said = one_line(err)
    assert "--out: the file name" in said
    assert "is too long" in said
    assert len(said) < 200  # the name is quoted shortened
    assert all(p.name.startswith("limits.db") for p in tmp_path.iterdir())  # nothing else
    assert audit_rows(dbfile) == before


def test_a_folder_name_too_long_is_exit_2_before_any_work(dbfile, capsys, tmp_path):
    code, out, err = run(capsys, "--db", dbfile, "careplan", "export-caseload", "--worker",
                         "matron1", "--out", str(tmp_path / LONG_NAME))  # fmt: skip
    assert (code, out) == (2, "")
    assert "--out: the folder name" in one_line(err)
    assert "is too long" in err
    code, out, err = run(capsys, "--db", dbfile, "reminders", "--worker", "matron1", "--out",
                         str(tmp_path / LONG_NAME / "r.csv"))  # fmt: skip
    assert (code, out) == (2, "")
    assert "--out: the folder name" in one_line(err)


def test_any_other_name_too_long_is_one_line_not_unexpected(dbfile, capsys, tmp_path):
    # backup writes through its own code; the command line's last net still says it plainly.
    code, out, err = run(capsys, "--db", dbfile, "backup", "--out",
                         str(tmp_path / (LONG_NAME + ".db")))  # fmt: skip
    assert (code, out) == (2, "")
    assert "too long" in one_line(err)
    assert "unexpected" not in err


def test_a_name_that_just_fits_is_written(dbfile, capsys, tmp_path):
    longest = 255 - len("..xxxxxxxx.tmp") - len(".csv")
    out_file = tmp_path / ("r" * longest + ".csv")
    code, _, err = run(capsys, "--db", dbfile, "reminders", "--worker", "matron1", "--out",
                       str(out_file))  # fmt: skip
    assert code == 0, err
    assert out_file.read_bytes().startswith(b"\xef\xbb\xbf")


# ------------------------------------------------------------------ a full disk


@pytest.fixture
def full_disk(monkeypatch: pytest.MonkeyPatch) -> None:
    """The disk is full: SQLite cannot write (SQLITE_FULL) and neither can the log."""
    import ltcdesk.db

    real = ltcdesk.db.make_engine

    def engine_on_a_full_disk(url: Any) -> Any:
        engine = real(url)

        @event.listens_for(engine, "before_cursor_execute")
        def no_room(conn, cursor, statement, *_args):  # type: ignore[no-untyped-def]
            if statement.lstrip().upper().startswith(("INSERT", "UPDATE", "DELETE")):
                raise sqlite3.OperationalError("database or disk is full")

        return engine

    monkeypatch.setattr(ltcdesk.db, "make_engine", engine_on_a_full_disk)

    class FullDiskLog(logging.Handler):
        def emit(self, record: logging.LogRecord) -> None:
            try:
                raise OSError(errno.ENOSPC, "No space left on device")
            except OSError:
                self.handleError(record)

    handler = FullDiskLog()
    logging.getLogger().addHandler(handler)
    monkeypatch.setattr(logging, "raiseExceptions", True)  # Python's default
    yield
    logging.getLogger().removeHandler(handler)


def test_on_a_full_disk_a_look_at_a_record_says_so_in_one_line(dbfile, capsys, full_disk):
    # Every look at a record is audited; with no room for the audit entry, the record is
    # not shown (an unaudited read would be worse), and the reason is one plain line.
    code, out, err = run(capsys, "--db", dbfile, "patient", "show", NHS)
    assert (code, out) == (2, "")
    assert one_line(err) == f"ltcdesk: {cli_output.DISK_FULL}\n"
    assert "Traceback" not in err
    assert "Logging error" not in err


def test_on_a_full_disk_a_change_says_so_and_nothing_is_saved(dbfile, capsys, full_disk):
    code, out, err = run(capsys, "--db", dbfile, "practice", "add", "C82002", "Riverside")
    assert (code, out) == (2, "")
    assert one_line(err) == f"ltcdesk: {cli_output.DISK_FULL}\n"


def test_a_file_that_cannot_be_written_for_lack_of_space_is_one_line(
    dbfile, capsys, tmp_path, monkeypatch
):
    import ltcdesk.fileio

    def no_space(path: Any, data: bytes) -> Path:
        raise OSError(errno.ENOSPC, "No space left on device", str(path))

    monkeypatch.setattr(ltcdesk.fileio, "write_atomically", no_space)
    out_file = tmp_path / "r.csv"
    code, out, err = run(capsys, "--db", dbfile, "reminders", "--worker", "matron1", "--out",
                         str(out_file))  # fmt: skip
    assert (code, out) == (2, "")
    assert one_line(err).startswith(f"ltcdesk: {cli_output.DISK_FULL} ('r.csv' was not written)")
    assert not out_file.exists()


def test_a_full_disk_is_told_from_other_errors():
    full = cli_output.disk_full
    assert full(OSError(errno.ENOSPC, "No space left on device"))
    assert full(sqlite3.OperationalError("database or disk is full"))

    class DiskFull(Exception):  # psycopg.errors.DiskFull, SQLSTATE 53100
        sqlstate = "53100"

    wrapped = RuntimeError("(psycopg.errors.DiskFull) could not extend file")
    wrapped.orig = DiskFull()  # type: ignore[attr-defined]
    assert full(wrapped)
    assert not full(sqlite3.OperationalError("database is locked"))
    assert not full(OSError(errno.EACCES, "Permission denied"))
    assert not full(sqlite3.OperationalError("disk I/O error"), [Path("/")])  # room enough


def test_a_disk_io_error_on_a_folder_with_no_room_is_a_full_disk(monkeypatch, tmp_path):
    import shutil

    monkeypatch.setattr(shutil, "disk_usage", lambda _p: shutil._ntuple_diskusage(10**9, 10**9, 0))  # type: ignore[attr-defined]
    assert cli_output.disk_full(sqlite3.OperationalError("disk I/O error"), [tmp_path])


# ------------------------------------------------------------------ hostile text in messages


@pytest.mark.parametrize(
    "argv",
    [
        ["patient", "show", "\x1b[2J\x1b]0;owned\x07943 476 5919"],
        ["patient", "show", "\u202e9195674349"],
        ["patient", "show", "9" * 100_000],
        ["caseload", "--worker", "\x1b[31mnobody\u202e" + "z" * 100_000],
        ["caseload", "--practice", "\x1b[2J" + "C" * 100_000],
        ["caseload", "--condition", "\u202eCOPD"],
        ["meeting", "list", "--from", "\x1b[2J" + "1" * 100_000],
        ["reminders", "--within", "\x1b[2J7"],
        ["caseload", "--level", "\x1b[2J"],
    ],
)
def test_messages_quote_input_escaped_and_short(dbfile, capsys, argv):
    code, out, err = run(capsys, "--db", dbfile, *argv)
    assert (code, out) == (2, "")
    said = one_line(err)
    assert "\x1b" not in said
    assert "\u202e" not in said
    assert len(said) < 700


# ------------------------------------------------------------------ formulas in CSV


def test_caseload_csv_writes_a_formula_like_name_as_text(dbfile, capsys):
    code, out, err = run(capsys, "--db", dbfile, "caseload", "--format", "csv")
    assert code == 0, err
    rows = list(csv.DictReader(io.StringIO(out)))
    assert rows[0]["family_name"] == "'" + FORMULA
    assert rows[0]["given_name"] == "'@John"
    assert rows[0]["nhs_number"] == "943 476 5919"


def test_reminders_csv_writes_a_formula_like_name_as_text(dbfile, capsys, tmp_path):
    code, out, err = run(capsys, "--db", dbfile, "reminders", "--worker", "matron1",
                         "--format", "csv")  # fmt: skip
    assert code == 0, err
    rows = list(csv.DictReader(io.StringIO(out)))
    assert rows
    # The name as a list shows it, "@John =HYPERLINK(...)": written as text.
    assert {r["Patient"] for r in rows} == {f"'@John {FORMULA}"}
    assert all(not v.startswith(("=", "+", "-", "@")) for r in rows for v in r.values())
    saved = tmp_path / "r.csv"
    assert run(capsys, "--db", dbfile, "reminders", "--worker", "matron1", "--out",
               str(saved))[0] == 0  # fmt: skip
    table = list(csv.reader(io.StringIO(saved.read_text("utf-8-sig"))))
    assert all(not v.startswith(("=", "+", "-", "@")) for r in table for v in r)


# ------------------------------------------------------------------ filters


@pytest.mark.parametrize(
    ("argv", "said"),
    [
        (["caseload", "--condition", "XYZ"], "--condition: 'XYZ' is not a long term condition"),
        (["caseload", "--condition", "copd!"], "--condition: 'copd!'"),
        (["caseload", "--practice", "Z99999"], "--practice: no practice with code Z99999"),
        (["caseload", "--practice", "nonsense"], "--practice: 'nonsense' is not a practice code"),
        (["caseload", "--worker", "nobody"], "worker: no member of staff called 'nobody'"),
        (["meeting", "list", "--from", "2026-12-01", "--to", "2026-11-01"],
         "--from: 01/12/2026 is after --to 01/11/2026"),
        (["reminders", "--within", "-3"], "argument --within"),
    ],
)  # fmt: skip
def test_a_filter_that_could_match_no_one_is_exit_2_naming_the_option(dbfile, capsys, argv, said):
    code, out, err = run(capsys, "--db", dbfile, *argv)
    assert (code, out) == (2, "")
    assert said in one_line(err)


def test_known_filters_still_list(dbfile, capsys):
    for argv in (
        ["caseload", "--condition", "copd", "--format", "json"],
        ["caseload", "--practice", "c82001", "--format", "json"],
        ["meeting", "list", "--from", "2026-11-01", "--to", "2026-11-01"],
    ):
        code, _, err = run(capsys, "--db", dbfile, *argv)
        assert (code, err) == (0, "")
