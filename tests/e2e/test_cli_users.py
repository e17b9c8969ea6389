"""``ltcdesk user …`` and signing in, through real processes as an administrator uses them.

The environment of every test signs in as ``admin`` (tests/e2e/conftest.py); tests that
need someone else or no sign-in at all say so in ``env``.
"""

from __future__ import annotations

import fcntl
import json
import os
import pty
import select
import subprocess
import sys
import termios
import time
from pathlib import Path

import pytest

from ltcdesk.services.demo_team import DEMO_PASSWORD
from tests.e2e.conftest import ADMIN_PASSWORD

NURSE_PASSWORD = "sunny morning 1"


def ltcdesk(path: Path, *argv: str, **env: str | None) -> subprocess.CompletedProcess[str]:
    """Run ``ltcdesk --db path argv`` with the environment changed by ``env`` (None unsets)."""
    environ = dict(os.environ)
    for name, value in env.items():
        if value is None:
            environ.pop(name, None)
        else:
            environ[name] = value
    return subprocess.run(
        [sys.executable, "-m", "ltcdesk", "--db", str(path), *argv],
        capture_output=True, text=True, timeout=60, env=environ, stdin=subprocess.DEVNULL,
    )  # fmt: skip


def refused(result: subprocess.CompletedProcess[str], message: str) -> None:
    assert result.returncode == 2, result.stderr
    assert result.stderr.count("\n") == 1, result.stderr
    assert message in result.stderr


def as_nurse(
    path: Path, *argv: str, password: str = NURSE_PASSWORD
) -> subprocess.CompletedProcess[str]:
    return ltcdesk(path, *argv, LTCDESK_USER="nurse", LTCDESK_PASSWORD=password)


@pytest.fixture
def dbfile(tmp_path: Path) -> Path:
    path = tmp_path / "users.db"
    assert ltcdesk(path, "init").returncode == 0
    added = ltcdesk(
        path, "user", "add", "Nurse", "--name", "Nia Nurse", "--role", "district_nurse",
        "--team", "Northfield", LTCDESK_NEW_PASSWORD=NURSE_PASSWORD,
    )  # fmt: skip
    assert added.returncode == 0, added.stderr
    assert added.stdout.strip() == "Added Nia Nurse (nurse) as District nurse"
    return path


def test_a_new_database_needs_the_first_administrator(tmp_path: Path) -> None:
    path = tmp_path / "new.db"
    result = ltcdesk(path, "init", LTCDESK_NEW_PASSWORD=None)
    assert result.returncode == 0
    assert "ltcdesk user add --admin" in result.stdout
    refused(ltcdesk(path, "caseload"), "Create the first administrator: ltcdesk user add --admin")
    refused(
        ltcdesk(path, "user", "add", "--admin", "boss", LTCDESK_NEW_PASSWORD="short"),
        "password: must have at least 10 characters",
    )
    made = ltcdesk(path, "user", "add", "--admin", "Boss", "--name", "Bea Boss")
    assert made.returncode == 0, made.stderr
    assert "Created the first administrator: boss (Bea Boss)" in made.stdout
    # Only once: a second administrator needs an administrator signed in.
    refused(
        ltcdesk(path, "user", "add", "--admin", "other", "--name", "Oth Er"),
        "Wrong username or password.",  # LTCDESK_USER is admin, who does not exist here
    )
    second = ltcdesk(
        path, "user", "add", "--admin", "other", "--name", "Oth Er",
        LTCDESK_USER="boss", LTCDESK_NEW_PASSWORD="second key 12",
    )  # fmt: skip
    assert second.returncode == 0, second.stderr
    listed = json.loads(
        ltcdesk(path, "user", "list", "--format", "json", LTCDESK_USER="boss").stdout
    )
    assert [(u["username"], u["role"], u["has_password"]) for u in listed] == [
        ("boss", "admin", True),
        ("other", "admin", True),
    ]


def test_init_creates_the_first_administrator(tmp_path: Path) -> None:
    result = ltcdesk(tmp_path / "x.db", "init", "--admin", "j.bloggs", "--name", "Jo Bloggs")
    assert result.returncode == 0, result.stderr
    assert "Created the first administrator: j.bloggs (Jo Bloggs)" in result.stdout
    again = ltcdesk(tmp_path / "x.db", "init", "--admin", "someone")
    assert again.returncode == 0
    assert "Created" not in again.stdout
    signed = ltcdesk(tmp_path / "x.db", "practice", "list", LTCDESK_USER="j.bloggs")
    assert signed.returncode == 0, signed.stderr


def test_a_password_is_never_an_argument(dbfile: Path) -> None:
    secret = "secret-value-99"
    for argv in (
        ["user", "add", "x.y", "--name", "X Y", "--role", "gp", "--password", secret],
        ["user", "add", "x.y", "--name", "X Y", "--role", "gp", f"--password={secret}"],
        ["user", "reset-password", "nurse", secret],
        ["caseload", "--password", secret],
    ):
        result = ltcdesk(dbfile, *argv)
        refused(result, "never")
        assert secret not in result.stderr + result.stdout
    refused(
        ltcdesk(dbfile, "user", "add", "x.y", "--name", "X Y", "--role", "gp",
                LTCDESK_NEW_PASSWORD=None),
        "LTCDESK_NEW_PASSWORD",
    )  # fmt: skip
    users = json.loads(ltcdesk(dbfile, "user", "list", "--format", "json").stdout)
    assert "x.y" not in [u["username"] for u in users]


def test_sign_in_needs_a_user_and_a_password(dbfile: Path) -> None:
    refused(ltcdesk(dbfile, "caseload", LTCDESK_PASSWORD=None), "LTCDESK_PASSWORD")
    refused(ltcdesk(dbfile, "caseload", LTCDESK_USER=None), "--user USERNAME or LTCDESK_USER")
    refused(ltcdesk(dbfile, "caseload", LTCDESK_PASSWORD="not the one"), "Wrong username")
    nurse = ltcdesk(dbfile, "--user", "nurse", "caseload", LTCDESK_PASSWORD=NURSE_PASSWORD)
    assert nurse.returncode == 0, nurse.stderr


def test_disable_enable_and_permissions(dbfile: Path) -> None:
    assert as_nurse(dbfile, "practice", "list").returncode == 0
    refused(as_nurse(dbfile, "user", "list"), "may not manage user accounts")
    refused(as_nurse(dbfile, "user", "disable", "admin"), "may not manage user accounts")
    result = ltcdesk(dbfile, "user", "disable", "nurse")
    assert result.returncode == 0, result.stderr
    refused(as_nurse(dbfile, "practice", "list"), "This account is disabled. Ask an administrator.")
    refused(ltcdesk(dbfile, "user", "disable", "admin"), "cannot disable your own account")
    assert ltcdesk(dbfile, "user", "enable", "nurse").returncode == 0
    assert as_nurse(dbfile, "practice", "list").returncode == 0


def test_lock_out_and_reset_password(dbfile: Path) -> None:
    for _ in range(4):
        refused(as_nurse(dbfile, "practice", "list", password="wrong guess"), "Wrong username")
    fifth = as_nurse(dbfile, "practice", "list", password="wrong guess")
    refused(fifth, "Too many wrong passwords. Try again after")
    refused(as_nurse(dbfile, "practice", "list"), "Too many wrong passwords")
    [nurse] = [
        u for u in json.loads(ltcdesk(dbfile, "user", "list", "--format", "json").stdout)
        if u["username"] == "nurse"
    ]  # fmt: skip
    assert nurse["locked_until"] is not None
    table = ltcdesk(dbfile, "user", "list").stdout
    assert table.splitlines()[0].split()[:3] == ["Username", "Name", "Role"]
    reset = ltcdesk(
        dbfile, "user", "reset-password", "nurse", LTCDESK_NEW_PASSWORD="fresh start 22"
    )
    assert reset.returncode == 0, reset.stderr
    assert "lock-out is cleared" in reset.stdout
    assert as_nurse(dbfile, "practice", "list", password="fresh start 22").returncode == 0
    refused(as_nurse(dbfile, "practice", "list"), "Wrong username or password.")


def test_a_name_that_is_no_account_is_not_written_down(dbfile: Path) -> None:
    # People type their password in the username box: it must not reach `audit list`.
    typed = "Sunny-Morning-77"
    for _ in range(6):
        result = ltcdesk(dbfile, "practice", "list", LTCDESK_USER=typed, LTCDESK_PASSWORD="x")
        assert result.returncode == 2
    assert "Too many wrong passwords" in result.stderr  # locked, as a real name would be
    listed = ltcdesk(dbfile, "audit", "list", "--format", "csv")
    assert listed.returncode == 0, listed.stderr
    assert typed.lower() not in listed.stdout.lower()
    assert listed.stdout.count("(unknown)") == 6


def test_weak_new_passwords_are_refused_saying_why(dbfile: Path) -> None:
    for password, reason in [
        ("password12", "is one of the most common passwords"),
        ("nia nurse 2026", "must not be or contain the username"),
        ("nia's own choice", "must not contain the person's name or username ('nia')"),
        (DEMO_PASSWORD, "must not be the published demo password"),
    ]:
        refused(
            ltcdesk(dbfile, "user", "reset-password", "nurse", LTCDESK_NEW_PASSWORD=password),
            f"password: {reason}",
        )
    assert as_nurse(dbfile, "practice", "list").returncode == 0  # still the old password


def test_change_own_password(dbfile: Path) -> None:
    result = ltcdesk(
        dbfile, "user", "change-password",
        LTCDESK_USER="nurse", LTCDESK_PASSWORD=NURSE_PASSWORD, LTCDESK_NEW_PASSWORD="my new one 3",
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    assert as_nurse(dbfile, "practice", "list", password="my new one 3").returncode == 0


def test_demo_accounts_share_the_printed_password(tmp_path: Path) -> None:
    path = tmp_path / "demo.db"
    assert ltcdesk(path, "init").returncode == 0
    demo = ltcdesk(path, "demo", "--patients", "50")
    assert demo.returncode == 0, demo.stderr
    assert f"password: {DEMO_PASSWORD}" in demo.stdout
    assert "k.oconnell" in demo.stdout
    lead = ltcdesk(path, "workers", LTCDESK_USER="k.oconnell", LTCDESK_PASSWORD=DEMO_PASSWORD)
    assert lead.returncode == 0, lead.stderr
    navigator = ltcdesk(path, "caseload", LTCDESK_USER="p.lakhani", LTCDESK_PASSWORD=DEMO_PASSWORD)
    assert navigator.returncode == 0, navigator.stderr


# ------------------------------------------------------------------ at a terminal


class Terminal:
    """``ltcdesk`` with a pseudo-terminal as its controlling terminal and stdin."""

    def __init__(self, path: Path, *argv: str, **env: str | None) -> None:
        environ = {k: v for k, v in os.environ.items() if k not in env}
        environ.update({k: v for k, v in env.items() if v is not None})
        self.master, slave = pty.openpty()

        def controlling_terminal() -> None:
            os.setsid()
            fcntl.ioctl(0, termios.TIOCSCTTY, 0)

        self.proc = subprocess.Popen(
            [sys.executable, "-m", "ltcdesk", "--db", str(path), *argv],
            stdin=slave, stdout=subprocess.PIPE, stderr=slave, env=environ, text=True,
            preexec_fn=controlling_terminal,
        )  # fmt: skip
        os.close(slave)
        self.screen = ""

    def answer(self, prompt: str, text: str, timeout: float = 30) -> None:
        """Wait for ``prompt`` (typing before it would be flushed by getpass), then type."""
        deadline = time.monotonic() + timeout
        while prompt not in self.screen:
            assert time.monotonic() < deadline, f"no prompt {prompt!r}: {self.screen!r}"
            ready, _, _ = select.select([self.master], [], [], 0.1)
            if ready:
                self.screen += os.read(self.master, 1024).decode(errors="replace")
        self.screen = self.screen.split(prompt, 1)[1]
        os.write(self.master, text.encode() + b"\n")

    def finish(self) -> tuple[int, str]:
        out, _ = self.proc.communicate(timeout=60)
        os.close(self.master)
        return self.proc.returncode, out


def test_prompts_at_a_terminal(dbfile: Path) -> None:
    # Signing in: the password is asked for, and not echoed.
    term = Terminal(dbfile, "practice", "list", "--format", "json", LTCDESK_PASSWORD=None)
    term.answer("Password for admin: ", ADMIN_PASSWORD)
    code, out = term.finish()
    assert code == 0
    assert json.loads(out) == []
    # A new password is asked for twice; entries that differ change nothing.
    env = {"LTCDESK_NEW_PASSWORD": None}
    term = Terminal(dbfile, "user", "reset-password", "nurse", **env)
    term.answer("New password for nurse: ", "first try 123")
    term.answer("Type it again: ", "first try 124")
    assert term.finish()[0] == 2
    term = Terminal(dbfile, "user", "reset-password", "nurse", **env)
    term.answer("New password for nurse: ", "typed twice 1")
    term.answer("Type it again: ", "typed twice 1")
    assert term.finish()[0] == 0
    assert as_nurse(dbfile, "practice", "list", password="typed twice 1").returncode == 0
