"""Killing the process during a bulk write leaves a sound database with all or none of it."""

from __future__ import annotations

import os
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest

from ltcdesk.db import integrity_problem

PATIENTS = 20_000


def counts(path: Path) -> tuple[int, int]:
    with sqlite3.connect(path) as conn:
        patients = conn.execute("SELECT count(*) FROM patients").fetchone()[0]
        audit = conn.execute(
            "SELECT count(*) FROM audit_log WHERE action = 'demo.generate'").fetchone()[0]
    return patients, audit


def start_demo(path: Path) -> subprocess.Popen[bytes]:
    return subprocess.Popen(
        [sys.executable, "-m", "ltcdesk", "--db", str(path), "demo", "--patients", str(PATIENTS)],
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )


def wait_for_writing(path: Path, proc: subprocess.Popen[bytes], timeout: float = 60) -> None:
    """Return once the demo transaction has started spilling pages into the WAL."""
    wal = Path(f"{path}-wal")
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            pytest.fail("the demo finished before it could be interrupted")
        if wal.exists() and wal.stat().st_size > 64 * 1024:
            return
        time.sleep(0.005)
    pytest.fail("the demo never started writing")


@pytest.mark.slow
@pytest.mark.parametrize("delay", [0.0, 0.05, 0.2])
def test_sigkill_during_demo_generation_leaves_all_or_nothing(tmp_path, delay):
    path = tmp_path / "crash.db"
    subprocess.run([sys.executable, "-m", "ltcdesk", "--db", str(path), "init"], check=True,
                   capture_output=True)
    proc = start_demo(path)
    wait_for_writing(path, proc)
    time.sleep(delay)
    finished = proc.poll() is not None
    os.kill(proc.pid, signal.SIGKILL)
    proc.wait()
    assert integrity_problem(path) is None
    patients, audit = counts(path)
    if finished:
        assert (patients, audit) == (PATIENTS, 1)
    else:
        assert (patients, audit) in {(0, 0), (PATIENTS, 1)}
    # The database is still usable: a fresh run completes.
    if patients == 0:
        subprocess.run([sys.executable, "-m", "ltcdesk", "--db", str(path), "demo",
                        "--patients", "500"], check=True, capture_output=True, timeout=120)
        assert counts(path) == (500, 1)
