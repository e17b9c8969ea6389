"""Who may do what. Services call ``require`` (through ``ServiceBase._actor``); the UI may
also ask ``allowed`` to grey out controls, but the services are where the rule is enforced.

The matrix, as the README documents it:

* **Clinical roles** (community matron, district nurse, GP, social worker, therapists,
  pharmacist, mental health worker) edit records: demographics, long term conditions,
  carers, consent, caseloads (accept, step up/down, transfer, discharge) and deaths;
  care plans: edit them, record follow-ups, and agree, review or close them.
* **Team lead**: everything the clinical roles do, plus managing the team's staff,
  backups, demo data and reading the audit log.
* **Care navigator**: registers patients and edits what they hear in conversation:
  demographics, carers and consent; works on care plans with the person (goals, scores,
  follow-ups, drafts, starting a review). Reads conditions and caseloads, changes neither.
  Does not agree or close a plan: the agreement is recorded by a named professional.
  Records assessments (EDIT_ASSESSMENT_SOCIAL) but edits only their non-clinical domains;
  the clinical domains need EDIT_ASSESSMENT (clinical roles and team lead).
  Asks for a patient to be discussed at the whiteboard meeting (REQUEST_DISCUSSION) but
  does not run meetings (RUN_MEETINGS: clinical roles and team lead; only the chair or a
  team lead edits and locks an agenda).
* **Administrator**: accounts, settings, the audit log, staff and practices, backups; also
  the non-clinical parts of a record a records clerk keeps: registering patients, editing
  their details, recording a death notified to the practice. No clinical editing:
  not conditions, not caseloads, and not carers or consent, which come from a conversation
  with the patient that a care professional or navigator has had; nor care plans.
* **Read-only**: views records and lists; everything else is refused.

Need to know, on top of the matrix (ltcdesk.services.base.reach): everyone sees and
changes the records of the patients their own team cares for — registered with a practice
the team is linked to, or on the caseload of a key worker in the team — and anyone else's
only after breaking the glass (a reason, audited, for 8 hours). Staff with no team see
nobody's record without breaking the glass. Administrators keep the patient register
(``keeps_register``): they register patients at any practice, find anyone, read and correct
the record's details (demographics, practice, conditions, carers, consent, a death) and
see the Patients and caseload lists whole; the clinical content — care plans, assessments,
conversations, hospital events, meetings, reminders and the timeline — is bound by need to
know for them as for everyone.
"""

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
    EDIT_CARE_PLAN = "careplan.edit"
    AGREE_CARE_PLAN = "careplan.agree"
    EDIT_ASSESSMENT = "assessment.edit"
    EDIT_ASSESSMENT_SOCIAL = "assessment.edit_social"
    RUN_MEETINGS = "meeting.run"
    REQUEST_DISCUSSION = "meeting.request"
    RECORD_EVENT = "event.record"

    @property
    def description(self) -> str:
        """What the action is, completing "may not …"."""
        return _DESCRIPTIONS[self]


CLINICAL = CLINICAL_ROLES
EVERYONE = frozenset(Role)
_TEAM = CLINICAL | {Role.TEAM_LEAD}
_LEADS = frozenset({Role.ADMIN, Role.TEAM_LEAD})

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
    Action.MANAGE_STAFF: _LEADS,
    Action.GENERATE_DEMO: _LEADS,
    Action.BACKUP: _LEADS,
    Action.MANAGE_ACCOUNTS: frozenset({Role.ADMIN}),
    Action.MANAGE_SETTINGS: frozenset({Role.ADMIN}),
    Action.VIEW_AUDIT: _LEADS,
    Action.EDIT_CARE_PLAN: _TEAM | {Role.CARE_NAVIGATOR},
    Action.AGREE_CARE_PLAN: _TEAM,
    Action.EDIT_ASSESSMENT: _TEAM,
    Action.EDIT_ASSESSMENT_SOCIAL: _TEAM | {Role.CARE_NAVIGATOR},
    Action.RUN_MEETINGS: _TEAM,
    Action.REQUEST_DISCUSSION: _TEAM | {Role.CARE_NAVIGATOR},
    Action.RECORD_EVENT: _TEAM | {Role.CARE_NAVIGATOR, Role.ADMIN},
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
    Action.MANAGE_STAFF: "manage staff and practices",
    Action.GENERATE_DEMO: "load demo data",
    Action.BACKUP: "back up or restore the database",
    Action.MANAGE_ACCOUNTS: "manage user accounts",
    Action.MANAGE_SETTINGS: "change settings",
    Action.VIEW_AUDIT: "view the audit log",
    Action.EDIT_CARE_PLAN: "edit care plans",
    Action.AGREE_CARE_PLAN: "agree or close care plans",
    Action.EDIT_ASSESSMENT: "edit the clinical domains of an assessment",
    Action.EDIT_ASSESSMENT_SOCIAL: "record assessments",
    Action.RUN_MEETINGS: "run whiteboard meetings",
    Action.REQUEST_DISCUSSION: "ask for a patient to be discussed at a meeting",
    Action.RECORD_EVENT: "record or import hospital events",
}


# Who keeps the patient register for every practice (see the module's docstring).
REGISTER_KEEPERS = frozenset({Role.ADMIN})


def keeps_register(role: str) -> bool:
    """Whether ``role`` sees the patient register whole, unbound by need to know."""
    try:
        return Role(role) in REGISTER_KEEPERS
    except ValueError:
        return False


def allowed(role: str, action: Action) -> bool:
    try:
        return Role(role) in MATRIX[action]
    except ValueError:
        return False


def role_noun(role: str) -> str:
    """The role as it reads in a sentence, with its article: "an administrator", "a GP"."""
    try:
        known = Role(role)
    except ValueError:
        return f"the role '{role}'"
    if known is Role.READ_ONLY:
        return "a read-only user"
    noun = known.label if known is Role.GP else known.label.lower()
    # "a GP" (gee-pee): only a written vowel that is sounded as one takes "an".
    article = "an" if noun[0] in "aeiou" else "a"
    return f"{article} {noun}"


def denial_message(role: str, action: Action) -> str:
    who = role_noun(role)
    return f"{who[0].upper()}{who[1:]} may not {action.description}."


def require(role: str, action: Action) -> None:
    if not allowed(role, action):
        raise PermissionDeniedError(denial_message(role, action))
