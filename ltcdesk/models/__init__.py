"""SQLAlchemy 2.0 typed ORM. Importing this package registers every table on Base.metadata."""

from ltcdesk.models.audit import AuditChain, AuditEntry
from ltcdesk.models.base import Base, utcnow
from ltcdesk.models.caseload import CaseloadAssignment
from ltcdesk.models.patient import Carer, ConditionType, ConsentRecord, Patient, PatientCondition
from ltcdesk.models.staff import Practice, Setting, StaffMember, Team

__all__ = [
    "AuditChain",
    "AuditEntry",
    "Base",
    "Carer",
    "CaseloadAssignment",
    "ConditionType",
    "ConsentRecord",
    "Patient",
    "PatientCondition",
    "Practice",
    "Setting",
    "StaffMember",
    "Team",
    "utcnow",
]
