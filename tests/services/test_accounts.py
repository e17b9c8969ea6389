"""Accounts: the first administrator, signing in, lock-out, and administrators' changes."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from argon2 import PasswordHasher
from sqlalchemy import select

from ltcdesk.db import Database
from ltcdesk.domain.errors import NotFoundError, PermissionDeniedError, ValidationError
from ltcdesk.models import AuditEntry, SignInAttempt, StaffMember
from ltcdesk.services import accounts
from ltcdesk.services.accounts import (
    AccountAdmin,
    AccountService,
    AccountView,
    SignedIn,
    SignInError,
    check_password,
    lock_delay,
)

PASSWORD = "correct horse battery"
START = datetime(2026, 11, 22, 9, 0)


class Clock:
    def __init__(self) -> None:
        self.now = START

    def __call__(self) -> datetime:
        return self.now

    def advance(self, **kwargs: float) -> None:
        self.now += timedelta(**kwargs)


@pytest.fixture(autouse=True)
def _quick_hashing(monkeypatch: pytest.MonkeyPatch) -> None:
    """Argon2 at cheap settings: the tests check the rules, not the work factor."""
    monkeypatch.setattr(
        accounts, "_hasher", PasswordHasher(time_cost=2, memory_cost=1024, parallelism=1)
    )


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture
def signed(team: Database, clock: Clock) -> Database:
    """The team, with passwords for the admin and the nurse."""
    admin = AccountAdmin(team.sessions, "admin", now=clock)
    AccountService(team.sessions, now=clock).create_first_admin("admin", "Ada Admin", PASSWORD)
    admin.reset_password("nurse", "sunny morning 1")
    return team


def audit(db: Database, action: str) -> list[AuditEntry]:
    with db.sessions() as s:
        return list(s.scalars(select(AuditEntry).where(AuditEntry.action == action)))


def locked_until(db: Database, username: str, now: Clock) -> datetime | None:
    """What an administrator sees in the account list."""
    admin = AccountAdmin(db.sessions, "admin", now=now)
    [view] = [v for v in admin.list_users() if v.username == username]
    return view.locked_until


def staff(db: Database, username: str) -> StaffMember:
    with db.sessions() as s:
        row = s.scalar(select(StaffMember).where(StaffMember.username == username))
        assert row is not None
        return row


def local_hhmm(naive_utc: datetime) -> str:
    return naive_utc.replace(tzinfo=UTC).astimezone().strftime("%H:%M")


# ------------------------------------------------------------------ password rules


@pytest.mark.parametrize(
    ("username", "password", "message"),
    [
        ("nurse", "short", "at least 10 characters"),
        ("nurse", "          ", "may not be only spaces"),
        ("nurse", "", "is required"),
        ("nurse", "nurse", "at least 10"),
        ("nurse", "my-NURSE-password", "must not be or contain the username"),
        ("m.okafor", "M.Okafor2026", "must not be or contain the username"),
        ("nurse", "x" * 201, "at most 200"),
    ],
)
def test_password_rules(username: str, password: str, message: str) -> None:
    with pytest.raises(ValidationError) as caught:
        check_password(username, password)
    assert caught.value.field == "password"
    assert message in caught.value.message


def test_a_good_password_passes() -> None:
    check_password("nurse", "ten chars!")


# ------------------------------------------------------------------ first administrator


def test_first_admin_is_created_once(db: Database) -> None:
    service = AccountService(db.sessions)
    assert service.needs_first_admin()
    admin = service.create_first_admin("Boss", "Bea Boss", PASSWORD)
    assert admin == SignedIn("boss", "Bea Boss", "admin")
    assert not service.needs_first_admin()
    with pytest.raises(SignInError, match="already has an administrator"):
        service.create_first_admin("other", "Other Admin", PASSWORD)
    assert service.sign_in("boss", PASSWORD) == admin
    assert [e.username for e in audit(db, "account.first_admin")] == ["boss"]
    assert staff(db, "boss").password_hash.startswith("$argon2id$")


def test_first_admin_gives_the_placeholder_admin_a_password(team: Database) -> None:
    service = AccountService(team.sessions)
    assert service.needs_first_admin()  # ensure_admin's 'admin' has no password
    service.create_first_admin("admin", "Ada Admin", PASSWORD)
    with team.sessions() as s:
        assert len(s.scalars(select(StaffMember).where(StaffMember.role == "admin")).all()) == 1
    assert service.sign_in("admin", PASSWORD).display_name == "Ada Admin"


def test_first_admin_checks_the_password(db: Database) -> None:
    with pytest.raises(ValidationError):
        AccountService(db.sessions).create_first_admin("boss", "Bea Boss", "boss-password")
    assert AccountService(db.sessions).needs_first_admin()


# ------------------------------------------------------------------ signing in


def test_sign_in_is_audited_without_the_password(signed: Database, clock: Clock) -> None:
    service = AccountService(signed.sessions, now=clock)
    assert service.sign_in(" Nurse ", "sunny morning 1") == SignedIn(
        "nurse", "Nia Nurse", "district_nurse"
    )
    with pytest.raises(SignInError, match=r"^Wrong username or password\.$"):
        service.sign_in("nurse", "sunny morning 2")
    with pytest.raises(SignInError, match=r"^Wrong username or password\.$"):
        service.sign_in("nobody", "sunny morning 1")
    [ok] = audit(signed, "sign_in")
    assert ok.username == "nurse"
    failed = audit(signed, "sign_in.failed")
    # What was typed as the username is written only when it is an account.
    assert [e.username for e in failed] == ["nurse", "(unknown)"]
    assert failed[1].staff_id is None
    assert "nobody" not in failed[1].summary
    for entry in [ok, *failed]:
        assert "morning 1" not in entry.summary
        assert "morning 2" not in entry.summary


def test_lock_out_after_five_failures_with_a_growing_delay(signed: Database, clock: Clock) -> None:
    service = AccountService(signed.sessions, now=clock)
    for _ in range(4):
        with pytest.raises(SignInError, match="Wrong username or password"):
            service.sign_in("nurse", "not my password")
    with pytest.raises(SignInError) as caught:
        service.sign_in("nurse", "not my password")
    until = START + timedelta(minutes=1)
    assert str(caught.value) == f"Too many wrong passwords. Try again after {local_hhmm(until)}."
    # Locked: even the right password is refused, and the refusal is audited.
    clock.advance(seconds=30)
    with pytest.raises(SignInError, match="Too many wrong passwords"):
        service.sign_in("nurse", "sunny morning 1")
    assert len(audit(signed, "sign_in.locked")) == 1
    # The next failure after the lock ends locks for twice as long.
    clock.advance(seconds=31)
    with pytest.raises(SignInError, match="Too many wrong passwords"):
        service.sign_in("nurse", "still not it")
    assert locked_until(signed, "nurse", clock) == clock.now + timedelta(minutes=2)
    clock.advance(minutes=2, seconds=1)
    with pytest.raises(SignInError, match="Too many wrong passwords"):
        service.sign_in("nurse", "still not it")
    assert locked_until(signed, "nurse", clock) == clock.now + timedelta(minutes=4)
    # Success resets the count: four more wrong passwords do not lock.
    clock.advance(minutes=5)
    service.sign_in("nurse", "sunny morning 1")
    for _ in range(4):
        with pytest.raises(SignInError, match="Wrong username or password"):
            service.sign_in("nurse", "not my password")
    assert locked_until(signed, "nurse", clock) is None


def test_a_streak_is_forgotten_a_day_after_the_last_wrong_password(
    signed: Database, clock: Clock
) -> None:
    service = AccountService(signed.sessions, now=clock)
    for _ in range(4):
        with pytest.raises(SignInError, match="Wrong username or password"):
            service.sign_in("nurse", "not my password")
    clock.advance(hours=23)
    with pytest.raises(SignInError, match="Too many wrong passwords"):
        service.sign_in("nurse", "not my password")  # the fifth in a row
    clock.advance(days=1, minutes=2)
    with pytest.raises(SignInError, match="Wrong username or password"):
        service.sign_in("nurse", "not my password")  # the first of a new streak
    with signed.sessions() as s:
        assert len(s.scalars(select(SignInAttempt)).all()) == 1


def test_lock_delay_doubles_and_is_capped() -> None:
    assert [lock_delay(n) for n in (1, 4)] == [None, None]
    minutes = [lock_delay(n) // timedelta(minutes=1) for n in range(5, 13)]  # type: ignore[operator]
    assert minutes == [1, 2, 4, 8, 16, 32, 60, 60]


def test_a_disabled_account_cannot_sign_in(signed: Database, clock: Clock) -> None:
    admin = AccountAdmin(signed.sessions, "admin", now=clock)
    service = AccountService(signed.sessions, now=clock)
    admin.disable("nurse")
    with pytest.raises(SignInError, match=r"^This account is disabled\. Ask an administrator\.$"):
        service.sign_in("nurse", "sunny morning 1")
    # A wrong password does not reveal that the account is disabled.
    with pytest.raises(SignInError, match="Wrong username or password"):
        service.sign_in("nurse", "not my password")
    admin.enable("nurse")
    assert service.sign_in("nurse", "sunny morning 1").username == "nurse"
    assert [e.action for e in audit(signed, "account.disable")] == ["account.disable"]


def test_an_account_with_no_password_answers_as_an_unknown_name(signed: Database) -> None:
    # Saying "no password yet" would tell a stranger that the username exists.
    with pytest.raises(SignInError, match=r"^Wrong username or password\.$"):
        AccountService(signed.sessions).sign_in("matron1", "anything at all")
    [entry] = audit(signed, "sign_in.failed")
    assert (entry.username, entry.summary) == ("matron1", "No password set (1 in a row)")


def test_reset_password_clears_the_lock(signed: Database, clock: Clock) -> None:
    service = AccountService(signed.sessions, now=clock)
    for _ in range(5):
        with pytest.raises(SignInError):
            service.sign_in("nurse", "not my password")
    admin = AccountAdmin(signed.sessions, "admin", now=clock)
    [view] = [v for v in admin.list_users() if v.username == "nurse"]
    assert view.locked_until == START + timedelta(minutes=1)
    admin.reset_password("nurse", "a brand new one")
    assert service.sign_in("nurse", "a brand new one").username == "nurse"
    with pytest.raises(SignInError):
        service.sign_in("nurse", "sunny morning 1")
    assert len(audit(signed, "account.reset_password")) == 2  # the fixture's and this one


def test_an_old_hash_is_upgraded_at_sign_in(signed: Database) -> None:
    weak = PasswordHasher(time_cost=1, memory_cost=512, parallelism=1).hash("sunny morning 1")
    with signed.sessions.begin() as s:
        row = s.scalar(select(StaffMember).where(StaffMember.username == "nurse"))
        assert row is not None
        row.password_hash = weak
    AccountService(signed.sessions).sign_in("nurse", "sunny morning 1")
    upgraded = staff(signed, "nurse").password_hash
    assert upgraded != weak
    assert "m=1024,t=2,p=1" in upgraded


# ------------------------------------------------------------------ administrators


def test_add_user_and_list(signed: Database, clock: Clock) -> None:
    admin = AccountAdmin(signed.sessions, "admin", now=clock)
    view = admin.add_user("R.Patel", "Ravi Patel", "read_only", "read only please", team="North")
    assert view == AccountView("r.patel", "Ravi Patel", "read_only", True, True, None, START)
    assert AccountService(signed.sessions).sign_in("r.patel", "read only please").role == (
        "read_only"
    )
    listed = {v.username: v for v in admin.list_users()}
    assert listed["r.patel"] == view
    assert listed["matron1"].has_password is False
    assert [e.summary for e in audit(signed, "account.create")] == [
        "Added r.patel as read_only with a password"
    ]


@pytest.mark.parametrize(
    ("username", "role", "password", "field"),
    [
        ("nurse", "district_nurse", "long enough pw", "username"),
        ("new.person", "surgeon", "long enough pw", "role"),
        ("new.person", "gp", "new.person-123", "password"),
        ("Not Valid!", "gp", "long enough pw", "username"),
    ],
)
def test_add_user_refuses_bad_input(
    signed: Database, username: str, role: str, password: str, field: str
) -> None:
    admin = AccountAdmin(signed.sessions, "admin")
    before = len(admin.list_users())
    with pytest.raises(ValidationError) as caught:
        admin.add_user(username, "New Person", role, password)
    assert caught.value.field == field
    assert len(admin.list_users()) == before


def test_only_an_admin_manages_accounts(signed: Database) -> None:
    lead = AccountAdmin(signed.sessions, "lead")
    for call in (
        lead.list_users,
        lambda: lead.add_user("x.y", "X Y", "gp", "long enough pw"),
        lambda: lead.disable("nurse"),
        lambda: lead.reset_password("nurse", "long enough pw"),
    ):
        with pytest.raises(PermissionDeniedError, match="may not manage user accounts"):
            call()
    assert len(audit(signed, "denied")) == 4
    assert AccountService(signed.sessions).sign_in("nurse", "sunny morning 1")


def test_admin_cannot_disable_themselves_or_a_stranger(signed: Database) -> None:
    admin = AccountAdmin(signed.sessions, "admin")
    with pytest.raises(ValidationError, match="your own account"):
        admin.disable("admin")
    with pytest.raises(NotFoundError):
        admin.disable("nobody")


def test_change_own_password(signed: Database) -> None:
    nurse = AccountAdmin(signed.sessions, "nurse")
    with pytest.raises(ValidationError) as caught:
        nurse.change_own_password("wrong old one", "another password")
    assert caught.value.field == "current password"
    with pytest.raises(ValidationError, match="differ"):
        nurse.change_own_password("sunny morning 1", "sunny morning 1")
    with pytest.raises(ValidationError, match="at least 10"):
        nurse.change_own_password("sunny morning 1", "short")
    nurse.change_own_password("sunny morning 1", "another password")
    service = AccountService(signed.sessions)
    assert service.sign_in("nurse", "another password").username == "nurse"
    with pytest.raises(SignInError):
        service.sign_in("nurse", "sunny morning 1")
    assert [e.username for e in audit(signed, "password.change")] == ["nurse"]
