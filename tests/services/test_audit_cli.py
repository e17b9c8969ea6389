"""``ltcdesk audit verify`` and ``ltcdesk audit list``, run in-process through
``ltcdesk.cli.main`` against the test database (SQLite, and PostgreSQL when configured).

The database and acting user come from ``ltcdesk.cli._open`` and ``_user``; they are
replaced here by the fixture's database and ``--user``, so these tests exercise parsing,
dispatch, output and exit codes, whatever sign-in those helpers come to require.
"""

from __future__ import annotations

import json
from datetime import datetime

import pytest
from sqlalchemy import select, text

from ltcdesk import cli
from ltcdesk.models import AuditEntry
from ltcdesk.services.audit import AuditFilter, AuditService
from tests.services.audit_seed import NHS_A, seed_log


@pytest.fixture
def logged(team, monkeypatch):
    seed_log(team)
    with team.sessions.begin() as s:
        s.add(AuditEntry(username="matron2", action="odd", entity="patient", summary="=1+1"))
    monkeypatch.setattr(cli, "_open", lambda args: team)
    monkeypatch.setattr(cli, "_user", lambda args: (args.user or "lead").strip().lower())
    return team


def run(capsys, *argv):
    code = cli.main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def test_verify_says_intact_and_exits_0(logged, capsys):
    code, out, err = run(capsys, "audit", "verify")
    check = AuditService(logged.sessions, "lead").verify()
    intact, checkpoint = out.splitlines()
    assert (code, intact, err) == (0, f"Audit log intact: {check.rows_checked} rows checked.", "")
    assert checkpoint.startswith(f"Checkpoint: {check.rows_checked} entries ending ")


def test_verify_reports_tampering_and_exits_1(logged, capsys):
    on = " ON audit_log" if logged.engine.dialect.name == "postgresql" else ""
    with logged.engine.begin() as conn:
        conn.execute(text(f"DROP TRIGGER audit_log_no_update{on}"))
        target = conn.scalar(select(AuditEntry.id).where(AuditEntry.action == "patient.view"))
        conn.execute(text("UPDATE audit_log SET summary = 'x' WHERE id = :i"), {"i": target})
    code, out, err = run(capsys, "--user", "admin", "audit", "verify")
    assert code == 1
    assert out == (
        f"Row {target} does not match its signature: it was edited, or written outside "
        "ltcdesk. The audit log has been altered.\n"
    )
    assert err == ""


def test_verify_refused_for_a_care_navigator_exits_2(logged, capsys):
    code, out, err = run(capsys, "audit", "verify", "--user", "navigator")
    assert code == 2
    assert out == ""
    assert "audit log" in err
    refused = AuditService(logged.sessions, "lead").search(AuditFilter(action="denied"))
    assert [r.username for r in refused] == ["navigator"]


def test_list_table_filtered_by_user(logged, capsys):
    code, out, _ = run(capsys, "audit", "list", "--by", "nurse")
    assert code == 0
    lines = out.splitlines()
    assert lines[0].split() == ["When", "User", "Action", "Record", "Patient", "Summary"]
    assert lines[1].startswith("----")
    assert "nurse" in lines[2]
    assert "patient.view" in lines[2]
    assert "943 476 5919" in lines[2]
    assert "Viewed patient record" in lines[2]
    assert datetime.strptime(lines[2][:16], "%d/%m/%Y %H:%M")
    assert lines[-1] == "1 entry"


def test_list_json_filtered_by_patient(logged, capsys):
    code, out, _ = run(capsys, "audit", "list", "--nhs", "943 476 5919", "--format", "json")
    assert code == 0
    rows = json.loads(out)
    assert [(r["username"], r["action"], r["patient_nhs"]) for r in rows] == [
        ("nurse", "patient.view", NHS_A),
        ("lead", "patient.register", NHS_A),
    ]
    assert rows[0]["at"].endswith("+00:00")


@pytest.mark.parametrize(
    ("first", "last", "found"),
    [
        ("10/01/2026", "10/01/2026", True),
        ("2026-01-10", "2026-01-10", True),
        ("11/01/2026", None, False),
        (None, "09/01/2026", False),
    ],
)
def test_list_by_dates(logged, capsys, first, last, found):
    argv = ["audit", "list", "--by", "matron2", "--format", "json"]
    argv += ["--from", first] if first else []
    argv += ["--to", last] if last else []
    code, out, _ = run(capsys, *argv)
    assert code == 0
    summaries = {r["summary"] for r in json.loads(out)}
    assert ("Entry of 10/01/2026" in summaries) is found


def test_list_by_action_with_a_limit(logged, capsys):
    code, out, _ = run(capsys, "audit", "list", "--action", "staff.create", "--limit", "2")
    assert code == 0
    assert out.splitlines()[-1].startswith("2 entries (the newest; there may be more")
    assert out.count("staff.create") == 2


def test_list_csv_is_formula_safe_and_audited(logged, capsys):
    code, out, _ = run(capsys, "audit", "list", "--action", "odd", "--format", "csv")
    assert code == 0
    assert not out.startswith("\ufeff")  # the byte order mark is for files, not pipes
    lines = out.splitlines()
    assert lines[0] == "Id,When,User,Action,Record,Patient NHS number,Summary"
    assert len(lines) == 2
    assert lines[1].endswith(",matron2,odd,patient,,'=1+1")
    exports = AuditService(logged.sessions, "lead").search(AuditFilter(action="audit.export"))
    assert [(r.username, r.summary) for r in exports] == [
        ("lead", "Exported 1 audit entry as CSV (action odd)")
    ]


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["audit", "list", "--nhs", "123"], "NHS number: '123' must have 10 digits"),
        (["audit", "list", "--from", "32/01/2026"], "--from: '32/01/2026' is not a real date"),
        (["audit", "list", "--from", "02/01/2026", "--to", "01/01/2026"], "date to:"),
        (["audit", "list", "--format", "xml"], "invalid choice"),
        (["audit"], "say what to do"),
        (["audit", "wipe"], "invalid choice"),
    ],
)
def test_bad_input_exits_2_with_one_line(logged, capsys, argv, message):
    code, out, err = run(capsys, *argv)
    assert code == 2
    assert out == ""
    assert message in err


def test_handlers_are_registered():
    from ltcdesk import cli_audit

    assert set(cli_audit.HANDLERS) == {"audit verify", "audit key", "audit list"}


def test_audit_key_names_the_file_and_says_whether_the_database_is_sealed_with_it(
    logged, capsys, tmp_path, monkeypatch
):
    from ltcdesk.audit_keys import KEY_FILE_ENV, audit_key, key_id, key_path

    mine = key_id(audit_key())
    code, out, err = run(capsys, "--user", "admin", "audit", "key")
    assert (code, err) == (0, "")
    assert out.splitlines() == [
        f"This computer's audit key: {key_path()} (fingerprint {mine})",
        "This database is sealed with this key.",
    ]
    code, _out, err = run(capsys, "--user", "navigator", "audit", "key")
    assert code == 2
    assert "A care navigator may not view the audit log." in err
    other = tmp_path / "other.key"
    other.write_text("ab" * 32)
    monkeypatch.setenv(KEY_FILE_ENV, str(other))
    code, out, _err = run(capsys, "--user", "admin", "audit", "key")
    assert code == 1
    assert f"This database is sealed with another key (fingerprint {mine})" in out
