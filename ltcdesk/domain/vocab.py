"""Controlled vocabularies: roles, levels of care, sexes, consent, conditions.

Each is a StrEnum whose value is what the database stores and the CLI accepts; ``label``
is the plain-English text the UI and reports show.
"""

from __future__ import annotations

from enum import StrEnum


class Role(StrEnum):
    COMMUNITY_MATRON = "community_matron"
    DISTRICT_NURSE = "district_nurse"
    GP = "gp"
    SOCIAL_WORKER = "social_worker"
    OCCUPATIONAL_THERAPIST = "occupational_therapist"
    PHYSIOTHERAPIST = "physiotherapist"
    PHARMACIST = "pharmacist"
    MENTAL_HEALTH_WORKER = "mental_health_worker"
    CARE_NAVIGATOR = "care_navigator"
    TEAM_LEAD = "team_lead"
    ADMIN = "admin"
    READ_ONLY = "read_only"

    @property
    def label(self) -> str:
        return _ROLE_LABELS[self]


_ROLE_LABELS = {
    Role.COMMUNITY_MATRON: "Community matron",
    Role.DISTRICT_NURSE: "District nurse",
    Role.GP: "GP",
    Role.SOCIAL_WORKER: "Social worker / care manager",
    Role.OCCUPATIONAL_THERAPIST: "Occupational therapist",
    Role.PHYSIOTHERAPIST: "Physiotherapist",
    Role.PHARMACIST: "Pharmacist",
    Role.MENTAL_HEALTH_WORKER: "Mental health worker",
    Role.CARE_NAVIGATOR: "Care navigator",
    Role.TEAM_LEAD: "Team lead",
    Role.ADMIN: "Administrator",
    Role.READ_ONLY: "Read-only",
}

# Professionals who edit clinical records.
CLINICAL_ROLES = frozenset(
    {
        Role.COMMUNITY_MATRON,
        Role.DISTRICT_NURSE,
        Role.GP,
        Role.SOCIAL_WORKER,
        Role.OCCUPATIONAL_THERAPIST,
        Role.PHYSIOTHERAPIST,
        Role.PHARMACIST,
        Role.MENTAL_HEALTH_WORKER,
    }
)
# Roles that can hold a caseload as key worker (a named professional co-ordinating care).
KEY_WORKER_ROLES = CLINICAL_ROLES | {Role.TEAM_LEAD}

# DH 2005: a community matron's caseload of 50-80; above 80 is unsustainable.
MATRON_CASELOAD_LIMIT = 80


# Kaiser pyramid: 1 supported self care, 2 disease-specific care management, 3 case management.
LEVEL_LABELS = {
    1: "Level 1 – supported self care",
    2: "Level 2 – disease-specific care management",
    3: "Level 3 – case management",
}
LEVELS = (1, 2, 3)


class Sex(StrEnum):
    FEMALE = "female"
    MALE = "male"
    OTHER = "other"
    UNKNOWN = "unknown"

    @property
    def label(self) -> str:
        return self.value.capitalize()


class ConsentStatus(StrEnum):
    GIVEN = "given"
    DECLINED = "declined"
    NOT_ASKED = "not_asked"

    @property
    def label(self) -> str:
        return {"given": "Given", "declined": "Declined", "not_asked": "Not asked"}[self.value]


class ContactMethod(StrEnum):
    PHONE = "phone"
    HOME_VISIT = "home_visit"
    LETTER = "letter"
    EMAIL = "email"
    TEXT = "text"

    @property
    def label(self) -> str:
        return {
            "phone": "Telephone",
            "home_visit": "Home visit",
            "letter": "Letter",
            "email": "Email",
            "text": "Text message",
        }[self.value]


class AssignmentChange(StrEnum):
    """Why a caseload assignment began or ended: the history of steps and transfers."""

    ACCEPTED = "accepted"
    STEP_UP = "step_up"
    STEP_DOWN = "step_down"
    TRANSFER = "transfer"
    DISCHARGE = "discharge"
    DEATH = "death"

    @property
    def label(self) -> str:
        return {
            "accepted": "Accepted onto caseload",
            "step_up": "Stepped up",
            "step_down": "Stepped down",
            "transfer": "Transferred",
            "discharge": "Discharged from caseload",
            "death": "Died",
        }[self.value]


# QOF-style registers: (code, name). The codes are stable identifiers used by imports.
CONDITIONS: tuple[tuple[str, str], ...] = (
    ("DM", "Diabetes"),
    ("HYP", "Hypertension"),
    ("COPD", "COPD"),
    ("AST", "Asthma"),
    ("HF", "Heart failure"),
    ("CHD", "Coronary heart disease"),
    ("AF", "Atrial fibrillation"),
    ("STIA", "Stroke / TIA"),
    ("CKD", "Chronic kidney disease"),
    ("DEM", "Dementia"),
    ("DEP", "Depression"),
    ("SMI", "Serious mental illness"),
    ("CAN", "Cancer"),
    ("OA", "Osteoarthritis"),
    ("RA", "Rheumatoid arthritis"),
    ("EP", "Epilepsy"),
    ("OST", "Osteoporosis"),
    ("LD", "Learning disability"),
    ("FRAIL", "Frailty"),
    ("PC", "Palliative care"),
)
CONDITION_NAMES = dict(CONDITIONS)
