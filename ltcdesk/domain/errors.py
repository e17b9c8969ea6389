"""Errors the services raise; the CLI maps them to exit code 2, the UI to a message."""

from __future__ import annotations

from datetime import UTC, datetime


class DomainError(Exception):
    """Something the user asked for cannot be done; the message says why, in plain English."""


class ValidationError(DomainError):
    """Bad input. ``field`` names the field (or CSV row) at fault."""

    def __init__(self, field: str, message: str) -> None:
        super().__init__(f"{field}: {message}")
        self.field = field
        self.message = message


class NotFoundError(DomainError):
    """The thing named does not exist (an NHS number, a username, a practice code...)."""


class PermissionDeniedError(DomainError):
    """The acting user may not do this."""


class StaleRecordError(DomainError):
    """Someone else saved the record after it was read; the caller keeps the user's edits."""

    def __init__(self, what: str, changed_by: str | None, changed_at: datetime | None) -> None:
        # Stored as naive UTC; people read local (UK) time, an hour apart in summer.
        local = changed_at.replace(tzinfo=UTC).astimezone() if changed_at else None
        when = local.strftime("%d/%m/%Y at %H:%M") if local else "an unknown time"
        who = changed_by or "another user"
        super().__init__(
            f"{what} was changed by {who} on {when} after you opened it. "
            "Review the changes and save again."
        )
        self.changed_by = changed_by
        self.changed_at = changed_at


class ConflictError(DomainError):
    """The request contradicts what is stored (e.g. NHS number already registered)."""


class NeedToKnowError(PermissionDeniedError):
    """The patient is not cared for by the acting user's team; the user may break the glass
    (give a reason) for time-limited access. ``nhs`` is the patient's NHS number (digits)."""

    def __init__(self, nhs: str, formatted: str, *, where: str = "") -> None:
        super().__init__(
            (f"{where}: " if where else "")
            + f"{formatted} is not cared for by your team. To see this record, break the "
            "glass: give a reason (it is recorded in the audit log and your access ends "
            "after 8 hours)."
        )
        self.nhs = nhs
        self.formatted = formatted
