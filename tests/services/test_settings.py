"""Team-wide settings: defaults, ranges, who may change them, and the audit trail."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from ltcdesk.db import Database
from ltcdesk.domain.errors import PermissionDeniedError, ValidationError
from ltcdesk.models import AuditEntry, Setting
from ltcdesk.services.settings import SETTINGS, SettingsService


def test_defaults_without_rows(team: Database) -> None:
    nurse = SettingsService(team.sessions, "nurse")
    assert nurse.get("idle_lock_minutes") == 10
    assert nurse.get("backups_kept") == 14
    assert nurse.get("no_plan_after_days") == 28
    assert nurse.get("reassess_after_months") == 12
    assert {k: s.default for k, s in SETTINGS.items()} == {
        "idle_lock_minutes": 10,
        "backups_kept": 14,
        "no_plan_after_days": 28,
        "reassess_after_months": 12,
    }


def test_admin_sets_and_everyone_reads(team: Database) -> None:
    admin = SettingsService(team.sessions, "admin")
    assert admin.set("idle_lock_minutes", 5) == 5
    assert admin.set("backups_kept", " 30 ") == 30
    assert admin.set("idle_lock_minutes", "240") == 240
    nurse = SettingsService(team.sessions, "nurse")
    assert (nurse.get("idle_lock_minutes"), nurse.get("backups_kept")) == (240, 30)
    with team.sessions() as s:
        summaries = s.scalars(
            select(AuditEntry.summary)
            .where(AuditEntry.action == "setting.change")
            .order_by(AuditEntry.id)
        ).all()
        row = s.get(Setting, "idle_lock_minutes")
        assert row is not None
        assert row.updated_by == "admin"
    assert summaries == [
        "idle_lock_minutes: 10 (default) → 5",
        "backups_kept: 14 (default) → 30",
        "idle_lock_minutes: 5 → 240",
    ]


@pytest.mark.parametrize(
    ("key", "value", "message"),
    [
        ("idle_lock_minutes", 0, "between 1 and 240"),
        ("idle_lock_minutes", 241, "between 1 and 240"),
        ("backups_kept", 366, "between 1 and 365"),
        ("backups_kept", -1, "between 1 and 365"),
        ("backups_kept", "ten", "not a whole number"),
        ("backups_kept", "1.5", "not a whole number"),
        ("backups_kept", True, "not a whole number"),
        ("backups_kept", 10**30, "between 1 and 365"),
    ],
)
def test_out_of_range_is_refused(team: Database, key: str, value: object, message: str) -> None:
    admin = SettingsService(team.sessions, "admin")
    with pytest.raises(ValidationError) as caught:
        admin.set(key, value)  # type: ignore[arg-type]
    assert caught.value.field == key
    assert message in caught.value.message
    assert admin.get(key) == SETTINGS[key].default
    with team.sessions() as s:
        assert s.scalar(select(Setting).where(Setting.key == key)) is None


def test_unknown_key(team: Database) -> None:
    admin = SettingsService(team.sessions, "admin")
    with pytest.raises(ValidationError, match="not a setting"):
        admin.get("colour")
    with pytest.raises(ValidationError, match="not a setting"):
        admin.set("colour", 3)


def test_only_an_admin_changes_settings(team: Database) -> None:
    lead = SettingsService(team.sessions, "lead")
    with pytest.raises(PermissionDeniedError, match="may not change settings"):
        lead.set("idle_lock_minutes", 30)
    assert lead.get("idle_lock_minutes") == 10
    with team.sessions() as s:
        denied = s.scalars(select(AuditEntry.summary).where(AuditEntry.action == "denied")).all()
    assert denied == ["Refused: settings.manage"]


def test_a_value_edited_outside_the_app_falls_back_to_the_default(team: Database) -> None:
    with team.sessions.begin() as s:
        s.add(Setting(key="backups_kept", value="lots", updated_by="someone"))
    assert SettingsService(team.sessions, "nurse").get("backups_kept") == 14


def test_strangers_cannot_read(team: Database) -> None:
    with pytest.raises(PermissionDeniedError):
        SettingsService(team.sessions, "nobody").get("backups_kept")
