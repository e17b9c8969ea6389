"""Team-wide settings: declared keys with a type, a default and a range.

A key without a row in ``settings`` has its default, so a new database needs no rows and a
new key needs no migration. Anyone signed in may read a setting; only an administrator may
change one, and every change is audited.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from ltcdesk.domain.errors import ValidationError
from ltcdesk.domain.permissions import Action
from ltcdesk.domain.text import quote_input
from ltcdesk.models import Setting, utcnow
from ltcdesk.services.base import ServiceBase


@dataclass(frozen=True)
class SettingSpec:
    key: str
    kind: type[int]
    default: int
    minimum: int
    maximum: int
    label: str


SETTINGS: dict[str, SettingSpec] = {
    spec.key: spec
    for spec in (
        SettingSpec("idle_lock_minutes", int, 10, 1, 240, "Lock the screen after idle minutes"),
        SettingSpec("backups_kept", int, 14, 1, 365, "Daily backups to keep"),
        SettingSpec(
            "no_plan_after_days", int, 28, 1, 365, "Remind when on a caseload with no plan after"
        ),
        SettingSpec("reassess_after_months", int, 12, 1, 36, "Reassess every (months)"),
    )
}


def _spec(key: str) -> SettingSpec:
    try:
        return SETTINGS[key]
    except (KeyError, TypeError):
        known = ", ".join(SETTINGS)
        raise ValidationError("setting", f"{quote_input(key)} is not a setting ({known})") from None


def _parse(spec: SettingSpec, value: int | str) -> int:
    if isinstance(value, bool):
        raise ValidationError(spec.key, f"{quote_input(value)} is not a whole number")
    try:
        number = int(value.strip() if isinstance(value, str) else value)
    except (TypeError, ValueError, OverflowError):
        raise ValidationError(spec.key, f"{quote_input(value)} is not a whole number") from None
    if not spec.minimum <= number <= spec.maximum:
        raise ValidationError(
            spec.key, f"must be between {spec.minimum} and {spec.maximum}, not {number:,}"
        )
    return number


def read_setting(s: Session, key: str) -> int:
    """A setting's value inside the caller's transaction, or its default."""
    spec = _spec(key)
    stored = s.scalar(select(Setting.value).where(Setting.key == key))
    if stored is None:
        return spec.default
    try:
        return _parse(spec, stored)
    except ValidationError:  # edited outside the app: fall back rather than fail
        return spec.default


class SettingsService(ServiceBase):
    def get(self, key: str) -> int:
        """The setting's value, or its default when none has been saved."""
        _spec(key)
        with self._sessions.begin() as s:
            self._actor(s)
            return read_setting(s, key)

    def set(self, key: str, value: int | str) -> int:
        """Save a setting (administrators only); returns the value saved."""
        spec = _spec(key)
        with self._sessions.begin() as s:
            actor = self._actor(s, Action.MANAGE_SETTINGS)
            number = _parse(spec, value)
            row = s.get(Setting, key)
            before = row.value if row is not None else f"{spec.default} (default)"
            if row is None:
                row = Setting(key=key, value=str(number), updated_by=actor.username)
                s.add(row)
            row.value, row.updated_by, row.updated_at = str(number), actor.username, utcnow()
            self._audit(
                s, actor, "setting.change", "setting", summary=f"{key}: {before} → {number}"
            )
        return number
