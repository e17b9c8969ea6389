"""Signing in as an attacker would try it: in parallel, with names that are no account,
against locked accounts, with weak passwords and with the published demo password."""

from __future__ import annotations

import contextlib
import statistics
import threading
import time
from collections.abc import Callable
from datetime import timedelta
from functools import partial
from pathlib import Path
from typing import Literal

import pytest
from argon2 import PasswordHasher
from sqlalchemy import select, update

from ltcdesk.db import Database
from ltcdesk.domain.errors import ValidationError
from ltcdesk.models import AuditEntry, SignInAttempt, StaffMember, utcnow
from ltcdesk.services import accounts
from ltcdesk.services.accounts import (
    WRONG,
    AccountAdmin,
    AccountService,
    SignInError,
    check_password,
    hash_password,
)
from ltcdesk.services.demo import generate_demo
from ltcdesk.services.demo_team import DEMO_PASSWORD
from tests.services.test_accounts import START, Clock

NURSE_PASSWORD = "sunny morning 1"


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture
def signed(team: Database, clock: Clock) -> Database:
    """The team, with passwords for the admin and the nurse."""
    AccountService(team.sessions, now=clock).create_first_admin(
        "admin", "Ada Admin", "correct horse battery"
    )
    AccountAdmin(team.sessions, "admin", now=clock).reset_password("nurse", NURSE_PASSWORD)
    return team


def audit_rows(db: Database) -> list[AuditEntry]:
    with db.sessions() as s:
        return list(s.scalars(select(AuditEntry).order_by(AuditEntry.id)))


def refusal(call: Callable[[], object]) -> str:
    with pytest.raises(SignInError) as caught:
        call()
    return str(caught.value)


# ------------------------------------------------------------------ attackers in parallel


def test_four_parallel_attackers_get_five_tries_between_them(signed: Database) -> None:
    """Each attacker has its own connection (one service call, one session, per try) and
    the real Argon2 cost, so their tries overlap as they would on a shared database."""
    barrier = threading.Barrier(4)
    answers: list[str] = []
    errors: list[BaseException] = []

    def attacker(n: int) -> None:
        service = AccountService(signed.sessions)
        barrier.wait()
        for attempt in range(5):
            try:
                service.sign_in("nurse", f"guess {n} {attempt} nope")
            except SignInError as err:
                answers.append(str(err))
            except BaseException as err:  # pragma: no cover - reported below
                errors.append(err)

    threads = [threading.Thread(target=attacker, args=(n,)) for n in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert not errors
    assert len(answers) == 20
    # Four plain refusals, then the fifth locks; every other try is refused unchecked.
    assert answers.count(WRONG) == 4
    assert sum(a.startswith("Too many wrong passwords") for a in answers) == 16
    rows = audit_rows(signed)
    counted = [r.summary for r in rows if r.action == "sign_in.failed"]
    assert sorted(counted) == [f"Wrong password ({n} in a row)" for n in range(1, 5)] + [
        "Wrong password (5 in a row); locked for 1 min"
    ]
    assert len([r for r in rows if r.action == "sign_in.locked"]) == 15
    # Locked: the right password does not get in either.
    assert refusal(lambda: AccountService(signed.sessions).sign_in("nurse", NURSE_PASSWORD))
    with signed.sessions() as s:
        assert s.scalars(select(SignInAttempt.failures)).all() == [5]


def test_parallel_attackers_on_an_unknown_name_also_share_five_tries(db: Database) -> None:
    barrier = threading.Barrier(4)
    answers: list[str] = []

    def attacker() -> None:
        service = AccountService(db.sessions)
        barrier.wait()
        for _ in range(3):
            try:
                service.sign_in("no.such.person", "not the password")
            except SignInError as err:
                answers.append(str(err))

    threads = [threading.Thread(target=attacker) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert answers.count(WRONG) == 4
    assert sum(a.startswith("Too many wrong passwords") for a in answers) == 8
    with db.sessions() as s:
        assert s.scalars(select(SignInAttempt.failures)).all() == [5]


# ------------------------------------------------------------------ unknown names


def test_an_unknown_name_answers_and_locks_as_a_real_one(signed: Database, clock: Clock) -> None:
    service = AccountService(signed.sessions, now=clock)

    def answers() -> set[str]:
        """What the real and the unknown name are told for one more wrong password."""
        return {
            refusal(lambda: service.sign_in("nurse", "wrong guess 1")),
            refusal(lambda: service.sign_in("no.such.person", "wrong guess 1")),
        }

    for _ in range(4):
        assert answers() == {WRONG}
    [fifth] = answers()  # one answer for both names: nothing tells them apart
    assert fifth.startswith("Too many wrong passwords. Try again after ")
    clock.advance(seconds=30)
    assert answers() == {fifth}
    clock.advance(seconds=31)
    [sixth] = answers()  # the lock ended; the next wrong password locks for 2 minutes
    clock.advance(minutes=1, seconds=30)
    assert answers() == {sixth}
    # Typed differently, an unknown name is still the same name (as a username would be).
    assert refusal(lambda: service.sign_in("  NO.Such.Person ", "x")).startswith("Too many")


def test_a_password_less_account_answers_as_an_unknown_name(signed: Database) -> None:
    service = AccountService(signed.sessions)
    assert refusal(lambda: service.sign_in("matron1", "some guess 12")) == WRONG
    assert refusal(lambda: service.sign_in("matron9", "some guess 12")) == WRONG


def _argon2_calls(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The hashes Argon2 verifies against from now on (at the same cheap settings)."""
    calls: list[str] = []

    class Counting(PasswordHasher):
        def verify(self, hash: str | bytes, password: str | bytes) -> Literal[True]:
            calls.append(str(hash))
            return super().verify(hash, password)

    monkeypatch.setattr(accounts, "_hasher", Counting(time_cost=2, memory_cost=1024, parallelism=1))
    return calls


def test_every_refusal_runs_one_argon2_verification(
    signed: Database, clock: Clock, monkeypatch: pytest.MonkeyPatch
) -> None:
    calls = _argon2_calls(monkeypatch)
    service = AccountService(signed.sessions, now=clock)
    for name in ("nurse", "no.such.person", "matron1", "x" * 300, "bad\x00name"):
        before = len(calls)
        refusal(partial(service.sign_in, name, "wrong guess 1"))
        assert len(calls) == before + 1, name
    for _ in range(4):
        refusal(lambda: service.sign_in("nurse", "wrong guess 1"))
    before = len(calls)
    assert refusal(lambda: service.sign_in("nurse", NURSE_PASSWORD)).startswith("Too many")
    assert len(calls) == before + 1  # a locked account is checked all the same


def _median_seconds(call: Callable[[], object], times: int = 5) -> float:
    spent = []
    for _ in range(times):
        started = time.perf_counter()
        with contextlib.suppress(SignInError):
            call()
        spent.append(time.perf_counter() - started)
    return statistics.median(spent)


def test_unknown_locked_and_wrong_take_about_as_long(signed: Database) -> None:
    """With the real Argon2 cost (the account's hash and the decoy are made with it)."""
    service = AccountService(signed.sessions)
    AccountAdmin(signed.sessions, "admin").reset_password("lead", "follow the river 42")
    for _ in range(5):
        refusal(lambda: service.sign_in("lead", "wrong guess 1"))  # now locked
    wrong = _median_seconds(lambda: service.sign_in("nurse", "wrong guess 1"))
    unknown = _median_seconds(lambda: service.sign_in("no.such.person", "wrong guess 1"))
    locked = _median_seconds(lambda: service.sign_in("lead", "wrong guess 1"))
    # Before, a locked account answered in 3 ms against 180 ms; now each runs Argon2.
    for other in (unknown, locked):
        assert wrong / 3 < other < wrong * 3, (wrong, unknown, locked)


# ------------------------------------------------------------------ the audit log


def test_an_unknown_typed_name_is_never_stored(signed: Database, clock: Clock) -> None:
    typed = ["Tr0ub4dor&3-horse", "my secret phrase 77", "Nurse2-typo-q", "x" * 300]
    service = AccountService(signed.sessions, now=clock)
    for name in typed:
        for _ in range(6):  # far enough to lock
            refusal(partial(service.sign_in, name, "wrong guess 1"))
    rows = audit_rows(signed)
    failed = [r for r in rows if r.action.startswith("sign_in")]
    assert len(failed) == 24
    assert {r.username for r in failed} == {"(unknown)"}
    assert {r.staff_id for r in failed} == {None}
    for row in rows:
        for text in typed:
            assert text.lower() not in f"{row.username} {row.summary}".lower()
    with signed.sessions() as s:
        keys = s.scalars(select(SignInAttempt.name_key)).all()
    assert len(keys) == 4
    assert all(len(k) == 64 and all(c in "0123456789abcdef" for c in k) for k in keys)
    if signed.sqlite_path is not None:  # nor anywhere in the database's files
        signed.dispose()
        stored = b"".join(
            p.read_bytes() for p in Path(signed.sqlite_path).parent.glob("test.db*")
        ).lower()
        for text in typed[:3]:
            assert text.lower().encode() not in stored


def test_real_accounts_are_still_audited(signed: Database, clock: Clock) -> None:
    service = AccountService(signed.sessions, now=clock)
    service.sign_in("nurse", NURSE_PASSWORD)
    refusal(lambda: service.sign_in("Nurse", "wrong guess 1"))
    rows = [r for r in audit_rows(signed) if r.action.startswith("sign_in")]
    assert [(r.username, r.action, r.summary) for r in rows] == [
        ("nurse", "sign_in", "Signed in"),
        ("nurse", "sign_in.failed", "Wrong password (1 in a row)"),
    ]


# ------------------------------------------------------------------ which passwords


@pytest.mark.parametrize(
    ("password", "reason"),
    [
        ("aaaaaaaaaa", "repeats characters"),
        ("password12", "one of the most common passwords"),
        ("1234567890", "one of the most common passwords"),
        (" " * 10, "may not be only spaces"),
        ("x", "at least 10 characters"),
        ("Ravindra Patel", "must not contain the person's name or username ('ravindra patel')"),
        ("patel-family-9", "must not contain the person's name or username ('patel')"),
        ("R.Patel.2026", "must not be or contain the username"),
        (DEMO_PASSWORD, "must not be the published demo password"),
        ("qwertyuiop", "one of the most common passwords"),
        ("Summer2024!", "one of the most common passwords"),
        ("abcdefghijk", "is a sequence"),
        ("ltcdesk2026!", "too easy to guess"),
    ],
)
def test_weak_passwords_are_refused_saying_why(password: str, reason: str) -> None:
    with pytest.raises(ValidationError) as caught:
        check_password("r.patel", password, "Ravindra Patel")
    assert caught.value.field == "password"
    assert reason in caught.value.message


@pytest.mark.parametrize(
    "password", ["correct horse battery", "blue kettle window", "Tr0ub4dor&3", "ten chars!"]
)
def test_a_phrase_or_an_uncommon_password_passes(password: str) -> None:
    check_password("r.patel", password, "Ravindra Patel")


def test_every_way_of_setting_a_password_checks_it(signed: Database, clock: Clock) -> None:
    admin = AccountAdmin(signed.sessions, "admin", now=clock)
    with pytest.raises(ValidationError, match="most common passwords"):
        admin.add_user("r.patel", "Ravindra Patel", "gp", "password12")
    with pytest.raises(ValidationError, match="contain the username"):
        admin.reset_password("nurse", "Nia Nurse 2026")
    with pytest.raises(ValidationError, match="person's name or username \\('nia'\\)"):
        admin.reset_password("nurse", "nia loves the sea 5")
    with pytest.raises(ValidationError, match="demo password"):
        admin.reset_password("nurse", DEMO_PASSWORD)
    with pytest.raises(ValidationError, match="repeats characters"):
        AccountAdmin(signed.sessions, "nurse").change_own_password(NURSE_PASSWORD, "z" * 12)
    with pytest.raises(ValidationError, match="person's name"):
        AccountService(signed.sessions).create_first_admin("boss", "Beatrix Boss", "beatrix!!!1")
    # Nothing was changed: the nurse's password is the one set by the fixture.
    assert AccountService(signed.sessions, now=clock).sign_in("nurse", NURSE_PASSWORD)
    assert "r.patel" not in {v.username for v in admin.list_users()}


# ------------------------------------------------------------------ the demo password


def _give_demo_password(db: Database, username: str) -> None:
    """As if the account had been copied from a demo database."""
    with db.sessions.begin() as s:
        s.execute(
            update(StaffMember)
            .where(StaffMember.username == username)
            .values(password_hash=hash_password(DEMO_PASSWORD))
        )


def test_the_demo_password_is_refused_on_a_real_database(signed: Database) -> None:
    _give_demo_password(signed, "nurse")
    said = refusal(lambda: AccountService(signed.sessions).sign_in("nurse", DEMO_PASSWORD))
    assert "published demo password" in said
    assert "ltcdesk user reset-password nurse" in said
    [row] = [r for r in audit_rows(signed) if r.action == "sign_in.failed"]
    assert (row.username, row.summary) == ("nurse", "Refused: the published demo password")
    AccountAdmin(signed.sessions, "admin").reset_password("nurse", "a fresh start 9")
    assert AccountService(signed.sessions).sign_in("nurse", "a fresh start 9")


def test_the_demo_password_signs_in_on_a_demo_database(db: Database) -> None:
    generate_demo(db, patients=3, seed=1, today=START.date())
    signed = AccountService(db.sessions).sign_in("k.oconnell", DEMO_PASSWORD)
    assert signed.username == "k.oconnell"


@pytest.fixture(autouse=True)
def _quick_hashing_except_timing(
    request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Cheap Argon2 where the rules are tested; the real cost where time is measured."""
    if request.node.name.startswith(("test_unknown_locked_and_wrong", "test_four_parallel")):
        return
    monkeypatch.setattr(
        accounts, "_hasher", PasswordHasher(time_cost=2, memory_cost=1024, parallelism=1)
    )


# ------------------------------------------------------------------ migration 0012


def test_migration_0012_keeps_a_demo_a_demo_and_a_lock_a_lock(db: Database) -> None:
    """A database from before 0012: the demo generator had run (its audit row says so) and
    an account was locked; after the upgrade the demo password still signs in there, and the
    lock still holds (carried over from the old staff columns)."""
    from alembic import command

    from ltcdesk.db import alembic_config

    generate_demo(db, patients=3, seed=1, today=START.date())
    cfg = alembic_config(db.engine)
    command.downgrade(cfg, "0011")
    later = utcnow() + timedelta(minutes=30)  # stored as naive UTC
    with db.engine.begin() as conn:
        conn.execute(
            update(StaffMember.__table__)  # type: ignore[arg-type]
            .where(StaffMember.__table__.c.username == "m.okafor")
            .values(failed_sign_ins=5, locked_until=later)
        )
    command.upgrade(cfg, "head")
    db.engine.dispose()
    service = AccountService(db.sessions)
    assert service.sign_in("k.oconnell", DEMO_PASSWORD).username == "k.oconnell"
    assert refusal(lambda: service.sign_in("m.okafor", DEMO_PASSWORD)).startswith("Too many")
