"""Accounts: signing in, the first administrator, and administrators managing sign-ins.

Passwords are hashed with Argon2id (argon2-cffi's defaults, which follow RFC 9106); a hash
made with older parameters is replaced at the next successful sign-in. Which passwords may be
set is ``ltcdesk.domain.passwords``.

Five wrong passwords in a row for a username lock it for a delay that doubles with each
further failure (1, 2, 4 … minutes, at most an hour); a streak is forgotten a day after its
last wrong password. An unknown username is answered exactly as a real one: the same
message, an Argon2 verification (against a decoy hash) taking as long, and the same lock-out.
The count is kept in ``sign_in_attempts`` under an HMAC of the name, and read only after the
transaction's first statement has taken the write lock (on SQLite the whole database's, on
PostgreSQL the row's), so attackers in parallel share five tries instead of getting five
each. Every attempt is audited; a password never is, nor a username that is not an account.
"""

from __future__ import annotations

import functools
import hashlib
import hmac
import secrets
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy import delete, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, sessionmaker

from ltcdesk.domain import validate
from ltcdesk.domain.errors import DomainError, ValidationError
from ltcdesk.domain.passwords import PASSWORD_MAX as PASSWORD_MAX
from ltcdesk.domain.passwords import PASSWORD_MIN as PASSWORD_MIN
from ltcdesk.domain.passwords import check_password as check_password
from ltcdesk.domain.passwords import is_demo_password
from ltcdesk.domain.permissions import Action
from ltcdesk.domain.text import quote_input
from ltcdesk.domain.vocab import Role
from ltcdesk.models import AuditEntry, Setting, SignInAttempt, StaffMember, utcnow
from ltcdesk.models.sign_in import DEMO_DATABASE_KEY, SIGN_IN_NAME_KEY
from ltcdesk.services.base import ServiceBase
from ltcdesk.services.setup import new_staff_member

FAILURES_BEFORE_LOCK = 5
LOCK_CAP = timedelta(minutes=60)
FORGET_AFTER = timedelta(days=1)  # a streak of wrong passwords ends a day after the last
UNKNOWN = "(unknown)"  # the audit log's username for a name that is not an account

_hasher = PasswordHasher()
# Someone who can sign in: an active member of staff with a password.
_CAN_SIGN_IN = (
    select(StaffMember.id)
    .where(StaffMember.active.is_(True), StaffMember.password_hash.is_not(None))
    .limit(1)
)
WRONG = "Wrong username or password."


class SignInError(DomainError):
    """Signing in failed; the message is shown to the user as it is."""


@dataclass(frozen=True)
class SignedIn:
    username: str
    display_name: str
    role: str


@dataclass(frozen=True)
class AccountView:
    username: str
    display_name: str
    role: str
    active: bool
    has_password: bool
    locked_until: datetime | None  # naive UTC; None when not locked now
    last_changed: datetime | None  # when the password was last set (naive UTC)


def hash_password(password: str) -> str:
    return _hasher.hash(password)


def _verify(stored: str, password: str) -> bool:
    try:
        return _hasher.verify(stored, password)
    except (VerificationError, InvalidHashError):
        return False


# Verified against when there is no real hash, so an unknown username takes as long to
# refuse as a wrong password (no telling which usernames exist by timing). Made ahead with
# argon2-cffi's default parameters, so even the first unknown name costs no extra hashing.
_DECOY = (
    "$argon2id$v=19$m=65536,t=3,p=4$vNDBk9mDuK2ZxzCUN+6nkg$"
    "7hJv1ah9pVC1Yv0OjzNQ6GOu9rt4mbXDrxP3JAxbiPg"
)


def _decoy_hash() -> str:
    return _DECOY if not _hasher.check_needs_rehash(_DECOY) else _made_decoy(_hasher)


@functools.cache
def _made_decoy(hasher: PasswordHasher) -> str:
    # Other parameters (a newer argon2-cffi, or the tests' cheap ones): a decoy made once.
    return hasher.hash("not anybody's password")


def lock_delay(failures: int) -> timedelta | None:
    """How long the account locks after ``failures`` wrong passwords in a row."""
    if failures < FAILURES_BEFORE_LOCK:
        return None
    return min(timedelta(minutes=2 ** (failures - FAILURES_BEFORE_LOCK)), LOCK_CAP)


def is_demo_database(s: Session) -> bool:
    """True for a database made by the demo generator (the only place the published demo
    password signs in)."""
    return s.scalar(select(Setting.key).where(Setting.key == DEMO_DATABASE_KEY)) is not None


def _local_hhmm(naive_utc: datetime) -> str:
    return naive_utc.replace(tzinfo=UTC).astimezone().strftime("%H:%M")


def _locked_message(until: datetime) -> str:
    return f"Too many wrong passwords. Try again after {_local_hhmm(until)}."


def _account_name(typed: str) -> str:
    """The username to look up: what was typed if it could be a username, else "" (which
    no account has; still looked up, so it takes as long)."""
    try:
        return validate.username(typed)
    except ValidationError:
        return ""


def _name_key(secret: str, name: str) -> str:
    """What ``sign_in_attempts`` is keyed by: never the typed name itself."""
    typed = name.encode("utf-8", "surrogatepass")
    return hmac.new(secret.encode(), typed, hashlib.sha256).hexdigest()


def _secret(s: Session, *, create: bool) -> str | None:
    """The database's key for ``_name_key`` (written by migration 0012)."""
    found = s.scalar(select(Setting.value).where(Setting.key == SIGN_IN_NAME_KEY))
    if found is not None or not create:
        return found
    try:  # only if someone deleted it: a new key forgets the current streaks, no more
        with s.begin_nested():
            s.add(Setting(key=SIGN_IN_NAME_KEY, value=secrets.token_hex(32), updated_by="ltcdesk"))
    except IntegrityError:  # a parallel sign-in made it first
        pass
    return s.scalar(select(Setting.value).where(Setting.key == SIGN_IN_NAME_KEY))


def _locks(s: Session, usernames: Iterable[str], now: datetime) -> dict[str, datetime]:
    """The accounts among ``usernames`` that are locked now, and until when."""
    secret = _secret(s, create=False)
    if secret is None:
        return {}
    keys = {_name_key(secret, name): name for name in usernames}
    rows = s.execute(
        select(SignInAttempt.name_key, SignInAttempt.locked_until).where(
            SignInAttempt.name_key.in_(keys), SignInAttempt.locked_until > now
        )
    ).all()
    return {keys[key]: until for key, until in rows if until is not None}


def _set_password(s: Session, staff: StaffMember, password: str, now: datetime) -> None:
    """A new password, which also ends any lock-out."""
    staff.password_hash = hash_password(password)
    staff.password_changed_at = now
    secret = _secret(s, create=False)
    if secret is not None:
        key = _name_key(secret, staff.username)
        s.execute(
            delete(SignInAttempt)
            .where(SignInAttempt.name_key == key)
            .execution_options(synchronize_session=False)
        )


def _audit_row(staff: StaffMember | None, action: str, summary: str) -> AuditEntry:
    # Only a real account's username is written: people type their password in the box.
    return AuditEntry(
        staff_id=staff.id if staff else None,
        username=staff.username if staff else UNKNOWN,
        action=action,
        entity="account",
        entity_id=staff.id if staff else None,
        summary=summary,
    )


class AccountService:
    """Signing in and the first administrator: there is no acting user yet."""

    def __init__(
        self, sessions: sessionmaker[Session], *, now: Callable[[], datetime] = utcnow
    ) -> None:
        self._sessions = sessions
        self._now = now

    def needs_first_admin(self) -> bool:
        """True while no active member of staff has a password (nobody can sign in)."""
        with self._sessions.begin() as s:
            return s.scalar(_CAN_SIGN_IN) is None

    def create_first_admin(self, username: str, display_name: str, password: str) -> SignedIn:
        """Make the first administrator, or give an existing staff row (such as the
        password-less 'admin' of an older database) the administrator role and a password."""
        name = validate.username(username)
        shown = validate.required_text(display_name, "display name", max_len=100)
        check_password(name, password, shown)
        with self._sessions.begin() as s:
            if s.scalar(_CAN_SIGN_IN) is not None:
                raise SignInError(
                    "This database already has an administrator. Sign in and add accounts."
                )
            staff = s.scalar(select(StaffMember).where(StaffMember.username == name))
            if staff is None:
                staff = StaffMember(username=name, display_name=shown, role=Role.ADMIN.value)
                s.add(staff)
            staff.display_name, staff.role, staff.active = shown, Role.ADMIN.value, True
            s.flush()
            _set_password(s, staff, password, self._now())
            s.add(_audit_row(staff, "account.first_admin", "Set up the first administrator"))
            return SignedIn(staff.username, staff.display_name, staff.role)

    def sign_in(self, username: str, password: str) -> SignedIn:
        """The member of staff, if the password is right; else SignInError (audited)."""
        name = username.strip().lower() if isinstance(username, str) else ""
        password = password[:PASSWORD_MAX] if isinstance(password, str) else ""
        lookup = _account_name(name)
        by_name = select(StaffMember).where(StaffMember.username == lookup)
        # Argon2 first, outside any transaction and whatever the answer will be (unknown
        # name, no password, locked): every refusal takes as long as a wrong password, and
        # no lock is held while it runs.
        with self._sessions() as s:
            stored = s.scalar(
                select(StaffMember.password_hash).where(StaffMember.username == lookup)
            )
        right = _verify(stored or _decoy_hash(), password) and stored is not None
        rehashed = hash_password(password) if right and _needs_rehash(stored) else None
        now = self._now()
        with self._sessions.begin() as s:
            # The first statement writes: on SQLite it waits for the write lock, so the
            # count read below is what every earlier attempt left (none is lost).
            s.execute(
                delete(SignInAttempt)
                .where(SignInAttempt.last_failed_at < now - FORGET_AFTER)
                .execution_options(synchronize_session=False)
            )
            staff = s.scalar(by_name)
            if staff is not None and staff.password_hash != stored:  # changed meanwhile
                stored, rehashed = staff.password_hash, None
                right = stored is not None and _verify(stored, password)
            secret = _secret(s, create=True)
            assert secret is not None
            key = _name_key(secret, name)
            attempt = s.get(SignInAttempt, key, with_for_update=True)  # PostgreSQL: row lock
            if attempt is not None and attempt.locked_until and now < attempt.locked_until:
                s.add(_audit_row(staff, "sign_in.locked", "Refused: locked after wrong passwords"))
                error: SignInError | None = SignInError(_locked_message(attempt.locked_until))
            elif right:
                assert staff is not None
                error = self._admit(s, staff, attempt, rehashed, password)
            else:
                error = self._count_failure(s, staff, attempt, key, now)
            if error is None:
                assert staff is not None
                return SignedIn(staff.username, staff.display_name, staff.role)
        raise error  # after the commit: the failure and its audit row are kept

    def _admit(
        self,
        s: Session,
        staff: StaffMember,
        attempt: SignInAttempt | None,
        rehashed: str | None,
        password: str,
    ) -> SignInError | None:
        """The right password: signed in, unless the account may not be used."""
        if not staff.active:
            s.add(_audit_row(staff, "sign_in.failed", "Account disabled"))
            return SignInError("This account is disabled. Ask an administrator.")
        if is_demo_password(password) and not is_demo_database(s):
            s.add(_audit_row(staff, "sign_in.failed", "Refused: the published demo password"))
            return SignInError(
                "This account has the published demo password, which signs in only on a demo "
                "database. Ask an administrator to set a new password "
                f"(ltcdesk user reset-password {staff.username})."
            )
        if attempt is not None:
            s.delete(attempt)
        if rehashed is not None:
            staff.password_hash = rehashed
        s.add(_audit_row(staff, "sign_in", "Signed in"))
        return None

    def _count_failure(
        self,
        s: Session,
        staff: StaffMember | None,
        attempt: SignInAttempt | None,
        key: str,
        now: datetime,
    ) -> SignInError:
        """A wrong password (or a name that is no account, or one with no password yet):
        one more in the streak, locking at the fifth."""
        if attempt is None:
            attempt = SignInAttempt(name_key=key, failures=0, last_failed_at=now)
            try:
                with s.begin_nested():
                    s.add(attempt)
            except IntegrityError:  # PostgreSQL: a parallel first try made the row
                attempt = s.get(SignInAttempt, key, with_for_update=True, populate_existing=True)
                assert attempt is not None
                if attempt.locked_until is not None and now < attempt.locked_until:
                    s.add(
                        _audit_row(staff, "sign_in.locked", "Refused: locked after wrong passwords")
                    )
                    return SignInError(_locked_message(attempt.locked_until))
        attempt.failures += 1
        attempt.last_failed_at = now
        delay = lock_delay(attempt.failures)
        if staff is None:
            what = "Unknown username"
        elif staff.password_hash is None:
            what = "No password set"
        else:
            what = "Wrong password"
        summary = f"{what} ({attempt.failures} in a row)"
        if delay is not None:
            attempt.locked_until = now + delay
            summary += f"; locked for {int(delay.total_seconds() // 60)} min"
        s.add(_audit_row(staff, "sign_in.failed", summary))
        if attempt.locked_until is not None and now < attempt.locked_until:
            return SignInError(_locked_message(attempt.locked_until))
        return SignInError(WRONG)


def _needs_rehash(stored: str | None) -> bool:
    return stored is not None and _hasher.check_needs_rehash(stored)


class AccountAdmin(ServiceBase):
    """Administrators managing sign-ins; ``change_own_password`` is for anyone signed in."""

    def __init__(
        self,
        sessions: sessionmaker[Session],
        username: str,
        *,
        now: Callable[[], datetime] = utcnow,
    ) -> None:
        super().__init__(sessions, username)
        self._now = now

    def _view(self, staff: StaffMember, locked_until: datetime | None = None) -> AccountView:
        return AccountView(
            username=staff.username,
            display_name=staff.display_name,
            role=staff.role,
            active=staff.active,
            has_password=staff.password_hash is not None,
            locked_until=locked_until,
            last_changed=staff.password_changed_at,
        )

    def list_users(self) -> list[AccountView]:
        with self._sessions.begin() as s:
            self._actor(s, Action.MANAGE_ACCOUNTS)
            rows = s.scalars(select(StaffMember).order_by(StaffMember.username)).all()
            locks = _locks(s, [r.username for r in rows], self._now())
            return [self._view(r, locks.get(r.username)) for r in rows]

    def add_user(
        self, username: str, display_name: str, role: str, password: str, team: str | None = None
    ) -> AccountView:
        with self._sessions.begin() as s:
            actor = self._actor(s, Action.MANAGE_ACCOUNTS)
            name = validate.username(username)
            if s.scalar(select(StaffMember.id).where(StaffMember.username == name)):
                raise ValidationError("username", f"{quote_input(name)} is taken")
            staff = new_staff_member(s, name, display_name, role, team)
            check_password(name, password, staff.display_name)
            s.add(staff)
            s.flush()
            _set_password(s, staff, password, self._now())
            self._audit(
                s,
                actor,
                "account.create",
                "account",
                entity_id=staff.id,
                summary=f"Added {name} as {staff.role} with a password",
            )
            return self._view(staff)

    def disable(self, username: str) -> None:
        self._set_active(username, False)

    def enable(self, username: str) -> None:
        self._set_active(username, True)

    def _set_active(self, username: str, active: bool) -> None:
        with self._sessions.begin() as s:
            actor = self._actor(s, Action.MANAGE_ACCOUNTS)
            staff = self._staff(s, username, "username")
            if staff.id == actor.id and not active:
                raise ValidationError("username", "you cannot disable your own account")
            staff.active = active
            verb = "Enabled" if active else "Disabled"
            self._audit(
                s,
                actor,
                "account.enable" if active else "account.disable",
                "account",
                entity_id=staff.id,
                summary=f"{verb} {staff.username}",
            )

    def reset_password(self, username: str, password: str) -> None:
        """Set someone's password; also ends a lock-out."""
        with self._sessions.begin() as s:
            actor = self._actor(s, Action.MANAGE_ACCOUNTS)
            staff = self._staff(s, username, "username")
            check_password(staff.username, password, staff.display_name)
            _set_password(s, staff, password, self._now())
            self._audit(
                s,
                actor,
                "account.reset_password",
                "account",
                entity_id=staff.id,
                summary=f"Set a new password for {staff.username}",
            )

    def change_own_password(self, old: str, new: str) -> None:
        with self._sessions.begin() as s:
            actor = self._actor(s)
            staff = s.get(StaffMember, actor.id)
            assert staff is not None
            if staff.password_hash is None or not _verify(staff.password_hash, old or ""):
                raise ValidationError("current password", "is not right")
            if new == old:
                raise ValidationError("password", "must differ from the current one")
            check_password(staff.username, new, staff.display_name)
            _set_password(s, staff, new, self._now())
            self._audit(
                s,
                actor,
                "password.change",
                "account",
                entity_id=staff.id,
                summary="Changed their own password",
            )
