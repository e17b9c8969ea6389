"""Who may do what. Services call ``require``; the UI may also ask ``allowed`` to grey out
controls, but the services are where the rule is enforced."""

from __future__ import annotations

from enum import StrEnum

from ltcdesk.domain.errors import PermissionDeniedError
from ltcdesk.domain.vocab import CLINICAL_ROLES, Role


class Action(StrEnum):
    VIEW_PATIENT = "patient.view"
    REGISTER_PATIENT = "patient.register"
    EDIT_DEMOGRAPHICS = "patient.edit"
    EDIT_CONDITIONS = "condition.edit"
    EDIT_CARERS = "carer.edit"
    RECORD_CONSENT = "consent.record"
    RECORD_DEATH = "patient.record_death"
    MANAGE_CASELOAD = "caseload.manage"
    TRANSFER_CASELOAD = "caseload.transfer"
    MANAGE_STAFF = "staff.manage"
    GENERATE_DEMO = "demo.generate"
    BACKUP = "database.backup"
    MANAGE_ACCOUNTS = "account.manage"
    MANAGE_SETTINGS = "settings.manage"
    VIEW_AUDIT = "audit.view"


CLINICAL = CLINICAL_ROLES
EVERYONE = frozenset(Role)
_TEAM = CLINICAL | {Role.TEAM_LEAD}

MATRIX: dict[Action, frozenset[Role]] = {
    Action.VIEW_PATIENT: EVERYONE,
    Action.REGISTER_PATIENT: _TEAM | {Role.CARE_NAVIGATOR, Role.ADMIN},
    Action.EDIT_DEMOGRAPHICS: _TEAM | {Role.CARE_NAVIGATOR, Role.ADMIN},
    Action.EDIT_CARERS: _TEAM | {Role.CARE_NAVIGATOR},
    Action.RECORD_CONSENT: _TEAM | {Role.CARE_NAVIGATOR},
    Action.EDIT_CONDITIONS: _TEAM,
    Action.RECORD_DEATH: _TEAM | {Role.ADMIN},
    Action.MANAGE_CASELOAD: _TEAM,
    Action.TRANSFER_CASELOAD: _TEAM,
    Action.MANAGE_STAFF: frozenset({Role.ADMIN, Role.TEAM_LEAD}),
    Action.GENERATE_DEMO: frozenset({Role.ADMIN, Role.TEAM_LEAD}),
    Action.BACKUP: frozenset({Role.ADMIN, Role.TEAM_LEAD}),
    Action.MANAGE_ACCOUNTS: frozenset({Role.ADMIN}),
    Action.MANAGE_SETTINGS: frozenset({Role.ADMIN}),
    Action.VIEW_AUDIT: frozenset({Role.ADMIN, Role.TEAM_LEAD}),
}

_DESCRIPTIONS = {
    Action.VIEW_PATIENT: "view patient records",
    Action.REGISTER_PATIENT: "register patients",
    Action.EDIT_DEMOGRAPHICS: "edit patient details",
    Action.EDIT_CARERS: "edit carers",
    Action.RECORD_CONSENT: "record consent",
    Action.EDIT_CONDITIONS: "edit long term conditions",
    Action.RECORD_DEATH: "record a death",
    Action.MANAGE_CASELOAD: "change caseloads",
    Action.TRANSFER_CASELOAD: "transfer patients between key workers",
    Action.MANAGE_STAFF: "manage staff",
    Action.GENERATE_DEMO: "load demo data",
    Action.BACKUP: "back up or restore the database",
    Action.MANAGE_ACCOUNTS: "manage user accounts",
    Action.MANAGE_SETTINGS: "change settings",
    Action.VIEW_AUDIT: "view the audit log",
}


def allowed(role: str, action: Action) -> bool:
    try:
        return Role(role) in MATRIX[action]
    except ValueError:
        return False


def require(role: str, action: Action) -> None:
    if not allowed(role, action):
        label = Role(role).label if role in Role.__members__.values() else role
        raise PermissionDeniedError(f"A {label.lower()} may not {_DESCRIPTIONS[action]}.")
