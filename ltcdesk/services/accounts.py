"""Accounts: signing in, the first administrator, and administrators managing sign-ins.

Passwords are hashed with Argon2id (argon2-cffi's defaults, which follow RFC 9106); a hash
made with older parameters is replaced at the next successful sign-in. Five wrong passwords
in a row lock an account for a delay that doubles with each further failure (1, 2, 4 …
minutes, at most an hour). Every attempt is audited; a password never is.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from ltcdesk.domain import validate
from ltcdesk.domain.errors import DomainError, ValidationError
from ltcdesk.domain.permissions import Action
from ltcdesk.domain.vocab import Role
from ltcdesk.models import AuditEntry, StaffMember, utcnow
from ltcdesk.services.base import ServiceBase
from ltcdesk.services.setup import new_staff_member

PASSWORD_MIN = 10
PASSWORD_MAX = 200  # longer is no safer and would let a sign-in attempt cost more
FAILURES_BEFORE_LOCK = 5
LOCK_CAP = timedelta(minutes=60)

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


def check_password(username: str, password: str) -> None:
    """Refuse a password that is too short, blank or contains the username."""
    if not isinstance(password, str) or not password.strip():
        raise ValidationError("password", "is required (and may not be only spaces)")
    if len(password) < PASSWORD_MIN:
        raise ValidationError("password", f"must have at least {PASSWORD_MIN} characters")
    if len(password) > PASSWORD_MAX:
        raise ValidationError("password", f"may have at most {PASSWORD_MAX} characters")
    name = (username or "").strip().lower()
    if name and name in password.lower():
        raise ValidationError("password", "must not be or contain the username")


def hash_password(password: str) -> str:
    return _hasher.hash(password)


def _verify(stored: str, password: str) -> bool:
    try:
        return _hasher.verify(stored, password)
    except (VerificationError, InvalidHashError):
        return False


@functools.cache
def _decoy_hash() -> str:
    # Verified against when there is no real hash, so an unknown username takes as long
    # to refuse as a wrong password (no telling which usernames exist by timing).
    return _hasher.hash("not anybody's password")


def lock_delay(failures: int) -> timedelta | None:
    """How long the account locks after ``failures`` wrong passwords in a row."""
    if failures < FAILURES_BEFORE_LOCK:
        return None
    return min(timedelta(minutes=2 ** (failures - FAILURES_BEFORE_LOCK)), LOCK_CAP)


def _local_hhmm(naive_utc: datetime) -> str:
    return naive_utc.replace(tzinfo=UTC).astimezone().strftime("%H:%M")


def _locked_message(until: datetime) -> str:
    return f"Too many wrong passwords. Try again after {_local_hhmm(until)}."


def _set_password(staff: StaffMember, password: str, now: datetime) -> None:
    staff.password_hash = hash_password(password)
    staff.password_changed_at = now
    staff.failed_sign_ins = 0
    staff.locked_until = None


def _audit_row(staff: StaffMember | None, username: str, action: str, summary: str) -> AuditEntry:
    return AuditEntry(
        staff_id=staff.id if staff else None,
        username=username[:40],
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
        check_password(name, password)
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
            _set_password(staff, password, self._now())
            s.flush()
            s.add(_audit_row(staff, name, "account.first_admin", "Set up the first administrator"))
            return SignedIn(staff.username, staff.display_name, staff.role)

    def sign_in(self, username: str, password: str) -> SignedIn:
        """The member of staff, if the password is right; else SignInError (audited)."""
        name = (username or "").strip().lower()
        password = password if isinstance(password, str) else ""
        now = self._now()
        with self._sessions.begin() as s:
            staff = s.scalar(
                select(StaffMember).where(StaffMember.username == name[:40]).with_for_update()
            )
            error: SignInError | None
            if staff is not None and staff.locked_until is not None and now < staff.locked_until:
                s.add(_audit_row(staff, name, "sign_in.locked", "Refused: account locked"))
                error = SignInError(_locked_message(staff.locked_until))
            else:
                error = self._check(s, staff, name, password, now)
            if error is None:
                assert staff is not None
                return SignedIn(staff.username, staff.display_name, staff.role)
        raise error  # after the commit: the failure and its audit row are kept

    def _check(
        self, s: Session, staff: StaffMember | None, name: str, password: str, now: datetime
    ) -> SignInError | None:
        stored = staff.password_hash if staff is not None else None
        right = _verify(stored or _decoy_hash(), password[:PASSWORD_MAX]) and stored is not None
        if staff is None:
            shown = name if name and len(name) <= 40 and name.isprintable() else "(unknown)"
            s.add(_audit_row(None, shown, "sign_in.failed", "Unknown username"))
            return SignInError(WRONG)
        if stored is None:
            s.add(_audit_row(staff, name, "sign_in.failed", "No password set"))
            return SignInError(
                "This account has no password yet. Ask an administrator to set one "
                f"(ltcdesk user reset-password {staff.username})."
            )
        if not right:
            staff.failed_sign_ins = (staff.failed_sign_ins or 0) + 1
            delay = lock_delay(staff.failed_sign_ins)
            summary = f"Wrong password ({staff.failed_sign_ins} in a row)"
            if delay is None:
                s.add(_audit_row(staff, name, "sign_in.failed", summary))
                return SignInError(WRONG)
            staff.locked_until = until = now + delay
            summary += f"; locked for {int(delay.total_seconds() // 60)} min"
            s.add(_audit_row(staff, name, "sign_in.failed", summary))
            return SignInError(_locked_message(until))
        if not staff.active:
            s.add(_audit_row(staff, name, "sign_in.failed", "Account disabled"))
            return SignInError("This account is disabled. Ask an administrator.")
        if _hasher.check_needs_rehash(stored):
            staff.password_hash = hash_password(password)
        staff.failed_sign_ins = 0
        staff.locked_until = None
        s.add(_audit_row(staff, name, "sign_in", "Signed in"))
        return None


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

    def _view(self, staff: StaffMember) -> AccountView:
        locked = staff.locked_until
        return AccountView(
            username=staff.username,
            display_name=staff.display_name,
            role=staff.role,
            active=staff.active,
            has_password=staff.password_hash is not None,
            locked_until=locked if locked is not None and locked > self._now() else None,
            last_changed=staff.password_changed_at,
        )

    def list_users(self) -> list[AccountView]:
        with self._sessions.begin() as s:
            self._actor(s, Action.MANAGE_ACCOUNTS)
            rows = s.scalars(select(StaffMember).order_by(StaffMember.username)).all()
            return [self._view(r) for r in rows]

    def add_user(
        self, username: str, display_name: str, role: str, password: str, team: str | None = None
    ) -> AccountView:
        with self._sessions.begin() as s:
            actor = self._actor(s, Action.MANAGE_ACCOUNTS)
            name = validate.username(username)
            if s.scalar(select(StaffMember.id).where(StaffMember.username == name)):
                raise ValidationError("username", f"'{name}' is taken")
            staff = new_staff_member(s, name, display_name, role, team)
            check_password(name, password)
            _set_password(staff, password, self._now())
            s.add(staff)
            s.flush()
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
            check_password(staff.username, password)
            _set_password(staff, password, self._now())
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
            check_password(staff.username, new)
            if new == old:
                raise ValidationError("password", "must differ from the current one")
            _set_password(staff, new, self._now())
            self._audit(
                s,
                actor,
                "password.change",
                "account",
                entity_id=staff.id,
                summary="Changed their own password",
            )
