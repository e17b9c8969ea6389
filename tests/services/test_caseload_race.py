"""Two people changing the same patient's caseload at the same moment.

On PostgreSQL the second waits for the first (the patient row is locked) and then sees its
change; SQLite cannot lock a row, so the second may have read the caseload before the first
saved. Either way the second is told plainly that someone else changed it and nothing of
theirs is saved: never a raw "UNIQUE constraint failed" (the CLI's "unexpected error").
"""

from __future__ import annotations

import itertools
import threading
from collections.abc import Callable
from typing import Any

import pytest
from sqlalchemy import select
from sqlalchemy.orm import joinedload

from ltcdesk.domain.errors import ConflictError, DomainError
from ltcdesk.models import CaseloadAssignment, Patient
from ltcdesk.services.caseload import RACED, CaseloadService
from ltcdesk.services.patients import NewPatient, PatientService
from tests.conftest import TODAY

NHS = "9434765919"
NEW = "4010232137"  # registered, on no caseload yet


def caseload(db: Any, user: str = "lead") -> CaseloadService:
    return CaseloadService(db.sessions, user, today=lambda: TODAY)


@pytest.fixture
def on_caseload(team: Any) -> Any:
    patients = PatientService(team.sessions, "lead", today=lambda: TODAY)
    patients.register(NewPatient(NHS, "Smith", "John", "1940-01-01", "C82001"))
    patients.register(NewPatient(NEW, "Patel", "Asha", "1944-03-08", "C82001"))
    caseload(team).assign(NHS, "matron1", 2, "Frequent falls")
    return team


def rows(db: Any, nhs: str = NHS) -> list[CaseloadAssignment]:
    with db.sessions() as s:
        return list(
            s.scalars(
                select(CaseloadAssignment)
                .join(Patient, Patient.id == CaseloadAssignment.patient_id)
                .where(Patient.nhs_number == nhs)
                .options(joinedload(CaseloadAssignment.key_worker))
                .order_by(CaseloadAssignment.id)
            ).all()
        )


def race(
    db: Any, first: Callable[[CaseloadService], Any], second: Callable[[CaseloadService], Any]
) -> tuple[list[Any], list[BaseException]]:
    """``second`` reads the open assignment, then ``first`` runs (to its end on SQLite; on
    PostgreSQL it waits for the lock ``second`` holds), then ``second`` writes."""
    done: list[Any] = []
    errors: list[BaseException] = []
    first_finished = threading.Event()

    def run_first() -> None:
        try:
            done.append(first(caseload(db, "lead")))
        except BaseException as exc:
            errors.append(exc)
        finally:
            first_finished.set()

    slow = caseload(db, "lead")
    read_open = slow._open
    started: list[threading.Thread] = []

    def read_then_let_first_run(s: Any, patient_id: int) -> Any:
        current = read_open(s, patient_id)
        if not started:
            t = threading.Thread(target=run_first)
            started.append(t)
            t.start()
            # SQLite: the first finishes. PostgreSQL: it waits for our lock; go on.
            first_finished.wait(timeout=30 if db.sqlite_path is not None else 0.3)
        return current

    slow._open = read_then_let_first_run  # type: ignore[method-assign]
    try:
        done.append(second(slow))
    except BaseException as exc:
        errors.append(exc)
    for t in started:
        t.join(timeout=30)
    return done, errors


CHANGES: dict[str, Callable[[CaseloadService], Any]] = {
    "transfer": lambda cl: cl.transfer(NHS, "matron2", "Moved house"),
    "step up": lambda cl: cl.change_level(NHS, 3, "Admitted twice"),
    "step down": lambda cl: cl.change_level(NHS, 1, "Stable for three months"),
    "discharge": lambda cl: cl.discharge(NHS, "Goals met"),
}


@pytest.mark.parametrize("first", sorted(CHANGES))
@pytest.mark.parametrize("second", sorted(CHANGES))
def test_racing_changes_end_in_one_change_and_a_plain_message(
    on_caseload: Any, first: str, second: str
) -> None:
    done, errors = race(on_caseload, CHANGES[first], CHANGES[second])
    assert len(done) + len(errors) == 2
    for exc in errors:
        # A domain error (exit 2 with its message), never the database's own words.
        assert isinstance(exc, DomainError), repr(exc)
        assert "UNIQUE" not in str(exc)
        assert "constraint" not in str(exc)
    history = rows(on_caseload)
    open_rows = [r for r in history if r.end_date is None]
    assert len(open_rows) <= 1
    # Each ended row was ended by exactly one change, and the next row starts from it.
    ended = [r for r in history if r.end_date is not None]
    assert len(ended) == len(history) - len(open_rows)
    for before, after in itertools.pairwise(history):
        assert before.end_change == after.start_change


def test_two_people_accepting_the_same_patient_at_once(on_caseload: Any) -> None:
    done, errors = race(
        on_caseload,
        lambda cl: cl.assign(NEW, "matron1", 2, "Referred by the GP"),
        lambda cl: cl.assign(NEW, "nurse", 1, "Referred by the ward"),
    )
    assert len(done) == 1
    assert len(errors) == 1
    assert isinstance(errors[0], ConflictError)
    # SQLite: the second had read "on no caseload" before the first saved; PostgreSQL: it
    # waited and then saw the first's assignment.
    assert "at the same moment" in str(errors[0]) or "use transfer" in str(errors[0])
    assert [r.key_worker.username for r in rows(on_caseload, NEW) if r.end_date is None] == [
        done[0].key_worker_username
    ]


def test_a_second_change_that_read_before_the_first_saved_is_refused_by_name(
    on_caseload: Any,
) -> None:
    _, errors = race(on_caseload, CHANGES["transfer"], CHANGES["discharge"])
    if on_caseload.sqlite_path is None:  # PostgreSQL: the transfer waited, then found none
        assert [type(e) for e in errors] == [ConflictError]
        assert "not on anyone's caseload" in str(errors[0])
        return
    assert [type(e) for e in errors] == [ConflictError]
    assert str(errors[0]) == RACED
    history = rows(on_caseload)
    assert [(r.key_worker.username, r.end_change) for r in history] == [
        ("matron1", "transfer"),
        ("matron2", None),
    ]
