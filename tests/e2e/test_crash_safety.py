"""Crash safety: kill -9 a process in the middle of writing, then check what is on disk.

A child process (tests/e2e/crash_child.py, started with subprocess, never forked) works on
a SQLite database of demo data through the services: saving one patient's record over and
over, or moving a batch of patients between key workers and levels. The parent waits
until it has started, lets it run for a random moment and kills it with SIGKILL. Then
``PRAGMA integrity_check`` must say ok and every change must be all or nothing: the record
has every field of one save (and the carers, consents and version that go with it), every
patient of a batch is with the same key worker at the same level, and each batch step
holds either all of the batch or none of it. What the child reported committed must
have survived. Each test kills five times, on the same file, so each run also starts from
a database recovered after a kill.
"""

from __future__ import annotations

import os
import random
import re
import signal
import sqlite3
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from contextlib import closing, contextmanager
from pathlib import Path

import pytest

from ltcdesk.db import open_database
from ltcdesk.services.caseload import CaseloadService
from ltcdesk.services.demo import generate_demo
from ltcdesk.services.patients import PatientService
from tests.e2e.crash_child import record_edits

CHILD = Path(__file__).with_name("crash_child.py")
KILLS = 5
BATCH = 100
WORKER_A, WORKER_B = "h.mistry", "c.doyle"  # demo community matrons
TEAM_LEAD = "k.oconnell"

pytestmark = [pytest.mark.slow, pytest.mark.skipif(os.name != "posix", reason="SIGKILL")]


# ------------------------------------------------------------------ the child


class Child:
    """A running crash_child.py whose stdout lines are collected by a thread (so a full
    pipe never stalls it outside a transaction)."""

    def __init__(self, *args: str) -> None:
        self.proc = subprocess.Popen(
            [sys.executable, str(CHILD), *args],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        self.lines: list[str] = []
        self._started = threading.Event()
        self._reader = threading.Thread(target=self._read, daemon=True)
        self._reader.start()

    def _read(self) -> None:
        assert self.proc.stdout is not None
        for line in self.proc.stdout:
            self.lines.append(line.strip())
            if line.strip() == "started":
                self._started.set()
        self._started.set()  # ended: wake the waiter, which then sees why

    def wait_started(self, timeout: float = 60) -> None:
        if not self._started.wait(timeout) or "started" not in self.lines:
            self.kill()
            pytest.fail(f"the child never started: {self.stderr()}")

    def kill(self) -> None:
        if self.proc.poll() is None:
            os.kill(self.proc.pid, signal.SIGKILL)
        self.proc.wait(timeout=30)
        self._reader.join(timeout=30)

    def stderr(self) -> str:
        assert self.proc.stderr is not None
        if self.proc.poll() is None:
            return ""
        return self.proc.stderr.read()[-3000:]

    def last(self, word: str) -> int:
        """The highest i of the child's "<word> i" lines: committed before the kill."""
        done = [int(line.split()[1]) for line in self.lines if line.startswith(f"{word} ")]
        return max(done, default=0)


def kill_mid_way(child: Child, rng: random.Random, longest: float) -> float:
    child.wait_started()
    delay = rng.uniform(0.0, longest)
    time.sleep(delay)
    running = child.proc.poll() is None
    child.kill()
    assert running, f"the child stopped by itself: {child.stderr()}"
    assert child.proc.returncode == -signal.SIGKILL
    return delay


@contextmanager
def sqlite(path: Path) -> Iterator[sqlite3.Connection]:
    """A plain sqlite3 connection: the checks do not trust the code under test."""
    with closing(sqlite3.connect(path)) as conn:
        yield conn


def assert_sound(path: Path) -> None:
    with sqlite(path) as conn:
        assert conn.execute("PRAGMA integrity_check").fetchall() == [("ok",)]
        assert conn.execute("PRAGMA foreign_key_check").fetchall() == []


@pytest.fixture
def demo_db(tmp_path: Path) -> Path:
    path = tmp_path / "crash.db"
    db = open_database(path)
    try:
        generate_demo(db, patients=300, actor_username="admin")
    finally:
        db.dispose()
    return path


@pytest.fixture
def rng() -> random.Random:
    seed = random.SystemRandom().randrange(2**32)
    print(f"crash test seed {seed}")  # shown when a test fails, to replay its timings
    return random.Random(seed)


# ------------------------------------------------------------------ saving a record

_FAMILY = re.compile(r"Family-(\d+)-(\d+)")


def record_state(path: Path, nhs: str) -> tuple[int, int, dict[str, object]]:
    """(run, save) that the patient's family name says, and everything else to check."""
    with sqlite(path) as conn:
        pid, family, given, address, phone, language, version = conn.execute(
            "SELECT id, family_name, given_name, address, phone, language, version "
            "FROM patients WHERE nhs_number = ?",
            (nhs,),
        ).fetchone()
        match = _FAMILY.fullmatch(family)
        assert match, f"family name {family!r} is from no save"
        run, i = int(match[1]), int(match[2])
        carers = conn.execute(
            "SELECT count(*) FROM carers WHERE patient_id = ? AND name LIKE ?",
            (pid, f"Carer {run}-%"),
        ).fetchone()[0]
        newest_carer = conn.execute(
            "SELECT name FROM carers WHERE patient_id = ? ORDER BY id DESC LIMIT 1", (pid,)
        ).fetchone()[0]
        consents = conn.execute(
            "SELECT count(*) FROM consent_records WHERE patient_id = ? AND note LIKE ?",
            (pid, f"run {run} save %"),
        ).fetchone()[0]
        newest_consent = conn.execute(
            "SELECT status, note FROM consent_records WHERE patient_id = ? "
            "ORDER BY id DESC LIMIT 1",
            (pid,),
        ).fetchone()
        updates = conn.execute(
            "SELECT count(*) FROM audit_log WHERE patient_id = ? AND action = 'patient.update'",
            (pid,),
        ).fetchone()[0]
    seen = {
        "given": given,
        "address": address,
        "phone": phone,
        "language": language,
        "carers": carers,
        "newest carer": newest_carer,
        "consents": consents,
        "newest consent": tuple(newest_consent),
        "version": version,
        "updates": updates,
    }
    return run, i, seen


def expected_record(run: int, i: int, version0: int, updates0: int) -> dict[str, object]:
    """What save ``i`` of run ``run`` leaves, every field of it together."""
    return {
        "given": f"Given-{run}-{i}",
        "address": f"{i} Run {run} Road",
        "phone": f"0116 {run:03d} {i:06d}",
        "language": f"Lang-{run}-{i}",
        "carers": i,
        "newest carer": f"Carer {run}-{i}",
        "consents": i,
        "newest consent": ("given" if i % 2 else "declined", f"run {run} save {i}"),
        "version": version0 + i,
        "updates": updates0 + i,
    }


def test_sigkill_while_saving_a_patient_record(demo_db: Path, rng: random.Random) -> None:
    db = open_database(demo_db)
    with sqlite(demo_db) as conn:
        (nhs,) = conn.execute(
            "SELECT nhs_number FROM patients WHERE date_of_death IS NULL ORDER BY id LIMIT 1"
        ).fetchone()
    # Save 1 of run 0 in this process, so every later state names its run and save.
    PatientService(db.sessions, "m.okafor").save_record(nhs, record_edits(0, 1))
    db.dispose()
    run0, i0, seen0 = record_state(demo_db, nhs)
    starts = {0: (seen0["version"] - 1, seen0["updates"] - 1)}
    final = (run0, i0)
    for run in range(1, KILLS + 1):
        _, _, before = record_state(demo_db, nhs)
        starts[run] = (int(before["version"]), int(before["updates"]))
        child = Child(str(demo_db), "record", str(run), nhs)
        delay = kill_mid_way(child, rng, longest=0.6)
        assert_sound(demo_db)
        got_run, got_i, seen = record_state(demo_db, nhs)
        reported = child.last("saved")
        where = f"run {run}, killed after {delay:.3f} s, {reported} saves reported"
        if got_run == run:
            # The save the child was in when killed is either all there or not at all.
            assert got_i in (reported, reported + 1), where
        else:
            # Killed before its first commit: the record is as the last run left it.
            assert (got_run, got_i, reported) == (*final, 0), where
        assert seen == expected_record(got_run, got_i, *starts[got_run]), where
        final = (got_run, got_i)


# ------------------------------------------------------------------ bulk changes


def batch_state(path: Path, batch: list[str]) -> tuple[set[str], set[int]]:
    """The key workers and levels the batch's patients are at now."""
    marks = ",".join("?" * len(batch))
    with sqlite(path) as conn:
        rows = conn.execute(
            "SELECT p.nhs_number, s.username, a.level FROM caseload_assignments a "
            "JOIN patients p ON p.id = a.patient_id JOIN staff s ON s.id = a.key_worker_id "
            f"WHERE a.end_date IS NULL AND p.nhs_number IN ({marks})",
            batch,
        ).fetchall()
    assert sorted(r[0] for r in rows) == sorted(batch), "a patient lost (or doubled) a caseload"
    return {r[1] for r in rows}, {r[2] for r in rows}


def steps_by_reason(path: Path, run: int) -> dict[str, int]:
    """Per step of this run (its reason): how many assignments it started."""
    with sqlite(path) as conn:
        return dict(
            conn.execute(
                "SELECT start_reason, count(*) FROM caseload_assignments "
                "WHERE start_reason LIKE ? OR start_reason LIKE ? GROUP BY start_reason",
                (f"transfer {run}-%", f"level {run}-%"),
            ).fetchall()
        )


def test_sigkill_during_bulk_transfers_and_level_changes(demo_db: Path, rng: random.Random) -> None:
    db = open_database(demo_db)
    with sqlite(demo_db) as conn:
        batch = [
            nhs
            for (nhs,) in conn.execute(
                "SELECT p.nhs_number FROM caseload_assignments a "
                "JOIN patients p ON p.id = a.patient_id "
                "WHERE a.end_date IS NULL AND p.date_of_death IS NULL ORDER BY p.id LIMIT ?",
                (BATCH,),
            )
        ]
    assert len(batch) == BATCH
    # Bring the batch together: all with worker A, all at level 2.
    caseload = CaseloadService(db.sessions, TEAM_LEAD)
    workers = {nhs: PatientService(db.sessions, TEAM_LEAD).get(nhs).assignment for nhs in batch}
    elsewhere = [
        n for n, a in workers.items() if a is not None and a.key_worker_username != WORKER_A
    ]
    caseload.bulk_transfer(elsewhere, WORKER_A, "Gathered for the crash test")
    caseload.bulk_change_level(batch, 2, "Gathered for the crash test")
    db.dispose()
    assert batch_state(demo_db, batch) == ({WORKER_A}, {2})
    with sqlite(demo_db) as conn:
        audit0 = conn.execute(
            "SELECT count(*) FROM audit_log WHERE action IN "
            "('caseload.transfer', 'caseload.step_up', 'caseload.step_down')"
        ).fetchone()[0]

    steps_total = 0
    for run in range(1, KILLS + 1):
        child = Child(str(demo_db), "bulk", str(run), WORKER_A, WORKER_B, *batch)
        delay = kill_mid_way(child, rng, longest=2.5)
        assert_sound(demo_db)
        where = f"run {run}, killed after {delay:.3f} s, lines {child.lines[-3:]}"
        workers_now, levels_now = batch_state(demo_db, batch)
        assert len(workers_now) == 1, f"the batch is split between {workers_now}: {where}"
        assert len(levels_now) == 1, f"the batch is split between levels {levels_now}: {where}"
        started = steps_by_reason(demo_db, run)
        # Every step is the whole batch or nothing; what was reported is there.
        assert all(n == BATCH for n in started.values()), f"{started}: {where}"
        transfers = child.last("transfer")
        levels = child.last("level")
        done_transfers = sum(1 for r in started if r.startswith("transfer"))
        done_levels = sum(1 for r in started if r.startswith("level"))
        assert done_transfers in (transfers, transfers + 1), where
        assert done_levels in (levels, levels + 1), where
        assert done_transfers - done_levels in (0, 1), where
        steps_total += done_transfers + done_levels
        # The audit rows came and went with their changes.
        with sqlite(demo_db) as conn:
            audit = conn.execute(
                "SELECT count(*) FROM audit_log WHERE action IN "
                "('caseload.transfer', 'caseload.step_up', 'caseload.step_down')"
            ).fetchone()[0]
        assert audit == audit0 + steps_total * BATCH, where

    # And the database is still usable for ordinary work afterwards.
    db = open_database(demo_db)
    try:
        worker = next(iter(batch_state(demo_db, batch)[0]))
        target = WORKER_B if worker == WORKER_A else WORKER_A
        CaseloadService(db.sessions, TEAM_LEAD).bulk_transfer(batch, target, "After the crashes")
    finally:
        db.dispose()
    assert batch_state(demo_db, batch)[0] == {target}


# ------------------------------------------------------------------ generating demo data

DEMO_PATIENTS = 20_000


def demo_counts(path: Path) -> tuple[int, int]:
    with sqlite(path) as conn:
        patients = conn.execute("SELECT count(*) FROM patients").fetchone()[0]
        audit = conn.execute(
            "SELECT count(*) FROM audit_log WHERE action = 'demo.generate'"
        ).fetchone()[0]
    return patients, audit


def wait_for_wal(path: Path, child: Child, timeout: float = 60) -> None:
    """Return once the demo transaction has started spilling pages into the WAL."""
    wal = Path(f"{path}-wal")
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if child.proc.poll() is not None:
            pytest.fail(f"the demo ended before it could be interrupted: {child.stderr()}")
        if wal.exists() and wal.stat().st_size > 64 * 1024:
            return
        time.sleep(0.005)
    child.kill()
    pytest.fail("the demo never started writing")


@pytest.mark.parametrize("delay", [0.0, 0.05, 0.2])
def test_sigkill_during_demo_generation_leaves_all_or_nothing(tmp_path: Path, delay: float):
    path = tmp_path / "crash.db"
    open_database(path).dispose()
    child = Child(str(path), "demo", "1", str(DEMO_PATIENTS))
    child.wait_started()
    wait_for_wal(path, child)
    time.sleep(delay)
    child.kill()
    assert_sound(path)
    patients, audit = demo_counts(path)
    if "done" in child.lines:
        assert (patients, audit) == (DEMO_PATIENTS, 1)
    else:
        assert (patients, audit) in {(0, 0), (DEMO_PATIENTS, 1)}
    if patients == 0:  # the database is still usable: a fresh run completes
        db = open_database(path)
        try:
            generate_demo(db, patients=500, actor_username="admin")
        finally:
            db.dispose()
        assert demo_counts(path) == (500, 1)
