"""The process tests/e2e/test_crash_safety.py kills: it saves through the services in a loop.

    python crash_child.py DATABASE record RUN NHS
    python crash_child.py DATABASE bulk RUN WORKER_A WORKER_B NHS [NHS ...]
    python crash_child.py DATABASE demo RUN PATIENTS

``record`` saves one patient's record again and again, each save changing several
demographic fields, adding a carer and recording consent, all marked "run RUN, save i".
``bulk`` moves a batch of patients between two key workers and between levels 2 and 3,
each step marked with its reason. ``demo`` generates demo data (one transaction) and
prints ``done`` when it has committed. After each commit it prints ``saved i`` (or ``transfer
i`` / ``level i``), and ``started`` before the first, so the parent knows what must have
survived the kill. ``record`` and ``bulk`` run until killed.
"""

from __future__ import annotations

import sys
from pathlib import Path

# Run as a script: make the project importable however the interpreter was installed.
sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

from ltcdesk.db import open_database
from ltcdesk.services.caseload import CaseloadService
from ltcdesk.services.patients import (
    NewCarer,
    NewConsent,
    PatientChanges,
    PatientService,
    RecordEdits,
)

TEAM_LEAD = "k.oconnell"  # the demo's team lead
MATRON = "m.okafor"  # a demo community matron


def record_edits(run: int, i: int) -> RecordEdits:
    """Everything one save changes; every value names its run and save."""
    return RecordEdits(
        changes=PatientChanges(
            family_name=f"Family-{run}-{i}",
            given_name=f"Given-{run}-{i}",
            address=f"{i} Run {run} Road",
            phone=f"0116 {run:03d} {i:06d}",
            language=f"Lang-{run}-{i}",
        ),
        add_carers=(NewCarer(f"Carer {run}-{i}", "friend"),),
        consent=NewConsent("given" if i % 2 else "declined", note=f"run {run} save {i}"),
    )


def say(line: str) -> None:
    sys.stdout.write(line + "\n")
    sys.stdout.flush()


def save_records(database: str, run: int, nhs: str) -> None:
    db = open_database(database, migrate=False)
    patients = PatientService(db.sessions, MATRON)
    say("started")
    i = 0
    while True:
        i += 1
        patients.save_record(nhs, record_edits(run, i))
        say(f"saved {i}")


def bulk_changes(database: str, run: int, worker_a: str, worker_b: str, batch: list[str]) -> None:
    db = open_database(database, migrate=False)
    caseload = CaseloadService(db.sessions, TEAM_LEAD)
    current = PatientService(db.sessions, TEAM_LEAD).get(batch[0]).assignment
    assert current is not None
    to_b = current.key_worker_username == worker_a
    level = current.level
    say("started")
    i = 0
    while True:
        i += 1
        caseload.bulk_transfer(batch, worker_b if to_b else worker_a, f"transfer {run}-{i}")
        to_b = not to_b
        say(f"transfer {i}")
        level = 5 - level  # 2 <-> 3
        caseload.bulk_change_level(batch, level, f"level {run}-{i}")
        say(f"level {i}")


def demo(database: str, patients: int) -> None:
    from ltcdesk.services.demo import generate_demo

    db = open_database(database, migrate=False)
    say("started")
    generate_demo(db, patients=patients, actor_username="admin")
    say("done")


def main(argv: list[str]) -> None:
    database, mode, run = argv[0], argv[1], int(argv[2])
    if mode == "record":
        save_records(database, run, argv[3])
    elif mode == "bulk":
        bulk_changes(database, run, argv[3], argv[4], argv[5:])
    elif mode == "demo":
        demo(database, int(argv[3]))
    else:
        raise SystemExit(f"unknown mode {mode!r}")


if __name__ == "__main__":
    main(sys.argv[1:])
