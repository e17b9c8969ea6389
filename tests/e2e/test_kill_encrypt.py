"""No plaintext copy survives a killed ``ltcdesk encrypt``, ``decrypt`` or ``rekey``.

Each run copies a small demo database into a folder of its own and starts ``python
tests/e2e/kill_child.py`` (``ltcdesk`` with a trap, see there), which SIGKILLs itself at
one step of the conversion: as the new copy is begun, part-way through writing it, once it
is written, once the old file has its second name, once the new file has the real name,
and once the second name has gone. A last run sets no trap and is killed by this test at a
random moment. Then the next start (``ltcdesk practice list``, in this process) must tidy
up, and:

* the folder holds the database (and its -wal/-shm) and nothing else; no file anywhere
  in it, or in the data folder, opens as a plain SQLite database unless the real database
  is itself plain because the conversion never finished (or was a decrypt that did);
* the real database opens with the right key (old or new; plain) and passes
  ``integrity_check``, and the patients, carers, conditions, caseloads and care plans are as before;
* if a plaintext copy was lying there, the next start said it removed it.

``LTCDESK_KILL_LOOPS=20`` repeats every kill point 20 times, the part-way kills at random
moments inside the step (default 1: each point once, about a minute).
"""

from __future__ import annotations

import hashlib
import os
import random
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from ltcdesk import paths
from ltcdesk.db import open_database
from ltcdesk.encryption import encrypt_sqlite
from ltcdesk.services.demo import generate_demo
from ltcdesk.sqlite_files import connect, file_kind, integrity_verdict, sidecars

CHILD = Path(__file__).with_name("kill_child.py")
KEY = "correct horse battery staple"
NEW_KEY = "a different passphrase entirely"
LOOPS = int(os.environ.get("LTCDESK_KILL_LOOPS", "1"))
CLINICAL = ("patients", "carers", "patient_conditions", "caseload_assignments", "care_plans")
MAGIC = b"SQLite format 3\x00"

# (step, delay): where the child kills itself. None: a random delay in [0, 0.4) s.
POINTS: list[tuple[str, float | None]] = [
    ("_export", 0),  # the new copy is an empty file
    ("_export", None),  # part-way through writing it
    ("_verify#1", 0),  # written, not yet checked
    ("_keep_aside:after", 0),  # the old file has a second name; not yet swapped
    ("_swap:after", 0),  # the new file has the real name; the old one is still beside it
    ("_discard:after", 0),  # the second name has gone; the lock is still there
]

pytestmark = [pytest.mark.slow, pytest.mark.skipif(os.name != "posix", reason="SIGKILL")]


@pytest.fixture
def templates(tmp_path: Path) -> dict[str, Path]:
    """A plain and an encrypted copy of one small demo database."""
    folder = tmp_path / "templates"
    folder.mkdir()
    plain = folder / "plain.db"
    db = open_database(plain)
    generate_demo(db, patients=40, seed=3)
    db.dispose()
    encrypted = folder / "encrypted.db"
    shutil.copyfile(plain, encrypted)
    encrypt_sqlite(encrypted, KEY)
    return {"plain": plain, "encrypted": encrypted}


def _digest(path: Path, key: str | None) -> str:
    conn = connect(path, key, readonly=True)
    try:
        h = hashlib.sha256()
        for table in CLINICAL:
            for row in sorted(repr(r) for r in conn.execute(f"SELECT * FROM {table}")):
                h.update(row.encode())
        return h.hexdigest()
    finally:
        conn.close()


def _opening_key(path: Path, candidates: tuple[str | None, ...]) -> str | None:
    """Which of ``candidates`` opens the real database (None: it is plain)."""
    kind = file_kind(path)
    if kind == "plain":
        assert None in candidates, f"{path} is plain, which it should not be now"
        return None
    assert kind == "encrypted"
    for key in candidates:
        if key is None:
            continue
        try:
            connect(path, key, readonly=True).close()
        except Exception:
            continue
        return key
    pytest.fail(f"{path} opens with none of the passphrases it may have")


def _plain_files(folder: Path) -> list[Path]:
    found = []
    for path in folder.rglob("*"):
        if path.is_file() and not path.is_symlink():
            with path.open("rb") as fh:
                if fh.read(len(MAGIC)) == MAGIC:
                    found.append(path)
    return found


def _run_child(db: Path, action: str, step: str, delay: float | None) -> int:
    """Run ``ltcdesk ACTION`` with the trap; returns its exit status (-9: killed)."""
    env = {
        **os.environ,
        "LTCDESK_DB_PASSPHRASE": KEY,
        "LTCDESK_NEW_DB_PASSPHRASE": NEW_KEY if action == "rekey" else KEY,
    }
    if action == "encrypt":
        env.pop("LTCDESK_DB_PASSPHRASE")
    if step == "none":
        proc = subprocess.Popen(
            [sys.executable, str(CHILD), "none", "0", "--db", str(db), action],
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
        )
        # Start-up (imports, sign-in) takes most of a run: aim anywhere from there on.
        time.sleep(random.uniform(0.5, 3.0))
        proc.send_signal(signal.SIGKILL)
        proc.communicate(timeout=120)
        return proc.returncode
    when = random.uniform(0, 0.4) if delay is None else delay
    done = subprocess.run(
        [sys.executable, str(CHILD), step, str(when), "--db", str(db), action],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode in (0, -signal.SIGKILL), done.stderr
    return done.returncode


def _cases() -> list[tuple[str, str, float | None]]:
    cases = [(a, s, d) for _ in range(LOOPS) for a in ("encrypt", "decrypt") for s, d in POINTS]
    cases += [("rekey", s, d) for _ in range(LOOPS) for s, d in POINTS]
    cases += [(a, "none", None) for _ in range(LOOPS) for a in ("encrypt", "decrypt", "rekey")]
    return cases


def test_no_plaintext_copy_survives_a_killed_conversion(templates, tmp_path, monkeypatch, capsys):
    from ltcdesk.cli import main
    from ltcdesk.services.demo_team import DEMO_PASSWORD

    monkeypatch.setenv("LTCDESK_PASSWORD", DEMO_PASSWORD)  # the demo's admin
    expected = _digest(templates["plain"], None)
    killed = 0
    said_removed = 0
    for n, (action, step, delay) in enumerate(_cases()):
        folder = tmp_path / f"run{n}"
        folder.mkdir()
        db = folder / "team.db"
        shutil.copyfile(templates["plain" if action == "encrypt" else "encrypted"], db)
        status = _run_child(db, action, step, delay)
        if step != "none" and delay == 0:
            assert status == -signal.SIGKILL, f"{action} at {step}: the trap never sprang"
        killed += status == -signal.SIGKILL
        where = f"{action} killed at {step} (run {n})"

        others = [p for p in _plain_files(folder) if p != db and p not in sidecars(db)]
        candidates: tuple[str | None, ...] = {
            "encrypt": (None, KEY),
            "decrypt": (KEY, None),
            "rekey": (KEY, NEW_KEY),
        }[action]
        key = _opening_key(db, candidates)

        # The next start: any command that opens the database.
        if key is None:
            monkeypatch.delenv("LTCDESK_DB_PASSPHRASE", raising=False)
        else:
            monkeypatch.setenv("LTCDESK_DB_PASSPHRASE", key)
        capsys.readouterr()
        assert main(["--db", str(db), "practice", "list"]) == 0, where
        err = capsys.readouterr().err
        if others:
            assert "removed" in err, f"{where}: not told: {err!r}"
            assert "UNENCRYPTED" in err or "second name" in err, f"{where}: not told: {err!r}"
            said_removed += 1

        left = sorted(p.name for p in folder.iterdir())
        allowed = {db.name, *(p.name for p in sidecars(db))}
        assert set(left) <= allowed, f"{where}: left {left}"
        plain = _plain_files(folder) + _plain_files(paths.data_dir())
        if key is None:
            plain = [p for p in plain if p != db and p not in sidecars(db)]
        assert plain == [], f"{where}: plaintext copies remain: {plain}"
        if key is not None:
            assert MAGIC not in db.read_bytes()[:16]

        conn = connect(db, key, readonly=True)
        try:
            assert integrity_verdict(conn, encrypted=key is not None) is None, where
        finally:
            conn.close()
        assert _digest(db, key) == expected, f"{where}: the records changed"
        shutil.rmtree(folder)
    print(f"\n{len(_cases())} conversions run, {killed} killed, {said_removed} told a copy went")
    assert said_removed > 0  # some kill points leave a plaintext copy: the tidy-up is exercised
