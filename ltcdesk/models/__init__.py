"""SQLAlchemy 2.0 typed ORM. Importing this package registers every table on Base.metadata."""

from ltcdesk.models.assessment import Assessment, AssessmentDomain, AssessmentNeedGoal
from ltcdesk.models.audit import AuditChain, AuditCheckpointRow, AuditEntry, AuditSeal
from ltcdesk.models.base import Base, utcnow
from ltcdesk.models.careplan import (
    CarePlan,
    GoalScore,
    GoalStep,
    PlanAgendaItem,
    PlanContingency,
    PlanContribution,
    PlanCopy,
    PlanGoal,
)
from ltcdesk.models.caseload import CaseloadAssignment
from ltcdesk.models.conversation import (
    Conversation,
    ConversationFollowUp,
    ConversationSignpost,
    ConversationTopic,
    ConversationTopicNote,
    NavigatorAssignment,
)
from ltcdesk.models.meeting import (
    Meeting,
    MeetingAction,
    MeetingAttendee,
    MeetingItem,
    MeetingRequest,
    MeetingSchedule,
)
from ltcdesk.models.patient import Carer, ConditionType, ConsentRecord, Patient, PatientCondition
from ltcdesk.models.reminder import HospitalEvent, ReminderState, StaffAbsence
from ltcdesk.models.sign_in import SignInAttempt
from ltcdesk.models.staff import (
    BreakGlass,
    Practice,
    Setting,
    StaffMember,
    Team,
    team_practices,
)

__all__ = [
    "Assessment",
    "AssessmentDomain",
    "AssessmentNeedGoal",
    "AuditChain",
    "AuditCheckpointRow",
    "AuditEntry",
    "AuditSeal",
    "Base",
    "BreakGlass",
    "CarePlan",
    "Carer",
    "CaseloadAssignment",
    "ConditionType",
    "ConsentRecord",
    "Conversation",
    "ConversationFollowUp",
    "ConversationSignpost",
    "ConversationTopic",
    "ConversationTopicNote",
    "GoalScore",
    "GoalStep",
    "HospitalEvent",
    "Meeting",
    "MeetingAction",
    "MeetingAttendee",
    "MeetingItem",
    "MeetingRequest",
    "MeetingSchedule",
    "NavigatorAssignment",
    "Patient",
    "PatientCondition",
    "PlanAgendaItem",
    "PlanContingency",
    "PlanContribution",
    "PlanCopy",
    "PlanGoal",
    "Practice",
    "ReminderState",
    "Setting",
    "SignInAttempt",
    "StaffAbsence",
    "StaffMember",
    "Team",
    "team_practices",
    "utcnow",
]
