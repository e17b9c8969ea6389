"""SQLAlchemy 2.0 typed ORM. Importing this package registers every table on Base.metadata."""

from ltcdesk.models.audit import AuditEntry
from ltcdesk.models.base import Base, utcnow
from ltcdesk.models.caseload import CaseloadAssignment
from ltcdesk.models.patient import Carer, ConditionType, ConsentRecord, Patient, PatientCondition
from ltcdesk.models.staff import Practice, StaffMember, Team

__all__ = [
    "AuditEntry",
    "Base",
    "Carer",
    "CaseloadAssignment",
    "ConditionType",
    "ConsentRecord",
    "Patient",
    "PatientCondition",
    "Practice",
    "StaffMember",
    "Team",
    "utcnow",
]
