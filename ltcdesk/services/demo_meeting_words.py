"""The words of the demo whiteboard meetings: outcomes, decisions and actions per section,
flag and request outcomes, request reasons, items added by hand."""

from __future__ import annotations

from ltcdesk.domain.vocab import Role
from ltcdesk.services.meeting_views import Section

# (outcome, decisions, action or None, who does it: None for the key worker)
Outcome = tuple[str, tuple[str, ...], str | None, Role | None]
OUTCOMES: dict[Section, tuple[Outcome, ...]] = {
    Section.NEW: (
        (
            "Welcomed onto the caseload. {worker} to do the first visit and start a care "
            "plan with them.",
            ("no_change",),
            "First visit: start a personalised care plan",
            None,
        ),
        (
            "Accepted. Wife sounds worn out: offer a carer's assessment at the first visit.",
            ("refer",),
            "Offer a carer's assessment at the first visit",
            None,
        ),
        (
            "Accepted. On eleven medicines: pharmacist to do a structured medication review.",
            ("refer",),
            "Structured medication review",
            Role.PHARMACIST,
        ),
    ),
    Section.REVIEW: (
        (
            "Plan still fits and the goals are going well. {worker} to review it with them "
            "and set the next date.",
            ("review_plan",),
            "Review the care plan with them and agree the next review date",
            None,
        ),
        (
            "Goals largely met and confident to manage. Review the plan and talk about "
            "stepping down.",
            ("review_plan",),
            "Review the plan; talk about stepping down",
            None,
        ),
        (
            "Struggling with the walking goal. Review the plan with the physio's ideas.",
            ("review_plan", "refer"),
            "Joint review of the care plan with the physiotherapist",
            None,
        ),
        (
            "Review visit already booked for next week; nothing for the team.",
            ("no_change",),
            None,
            None,
        ),
    ),
    Section.STEP: (
        (
            "Settling in on the new level. {worker} to update the care plan to match.",
            ("review_plan",),
            "Update the care plan after the change of level",
            None,
        ),
        ("Change of level agreed at the time; no concerns now.", ("no_change",), None, None),
    ),
    Section.MANUAL: (
        (
            "Team view given. {worker} to ring the family and feed back next week.",
            ("no_change",),
            "Ring the family and feed back",
            None,
        ),
        (
            "Agreed a joint visit with social care to look at the package of care.",
            ("refer",),
            "Joint visit with the social worker about the care package",
            Role.SOCIAL_WORKER,
        ),
    ),
}
# Answers to the care navigators' flags (their reasons in demo_conversations.FLAG_REASONS).
FLAG_OUTCOMES: dict[str, Outcome] = {
    "Carer at breaking point; asking for respite": (
        "Carer needs a break now. Social worker to arrange respite and a carer's assessment.",
        ("refer",),
        "Arrange respite and a carer's assessment",
        Role.SOCIAL_WORKER,
    ),
    "Two falls this month and lives alone": (
        "Refer to the falls service; OT to check the home and the pendant alarm.",
        ("refer",),
        "Home safety visit and falls service referral",
        Role.OCCUPATIONAL_THERAPIST,
    ),
    "House very cold and not eating; not coping at home": (
        "Not coping at home. {worker} to visit this week; navigator to help with the Warm "
        "Homes application.",
        ("review_plan",),
        "Visit this week and review the care plan",
        None,
    ),
    "Seems more confused; family worried about safety at night": (
        "Rule out an infection first; GP to review and refer to the memory service if no better.",
        ("refer",),
        "Check for infection and refer to the memory service",
        Role.GP,
    ),
    "Ran out of tablets; could not get through to the surgery": (
        "Prescription sorted the same day. Pharmacist to set up repeat dispensing.",
        ("no_change",),
        "Set up repeat dispensing with the surgery",
        Role.PHARMACIST,
    ),
    "Wants to talk about end of life wishes": (
        "GP to have an advance care planning conversation and record the wishes.",
        ("review_plan",),
        "Advance care planning conversation",
        Role.GP,
    ),
    "Possible financial abuse by a neighbour; safeguarding advice needed": (
        "Safeguarding concern raised with adult social care today.",
        ("safeguarding",),
        "Follow up the safeguarding concern with adult social care and the family",
        Role.SOCIAL_WORKER,
    ),
    "More breathless than usual and not using the rescue pack": (
        "Matron to visit within two days and go through the rescue pack again.",
        ("review_plan",),
        "Visit and go through the rescue pack",
        Role.COMMUNITY_MATRON,
    ),
}
FLAG_OUTCOME: Outcome = (
    "Discussed the navigator's concern. {worker} to ring them this week.",
    ("no_change",),
    "Ring about the navigator's concern",
    None,
)
REQUEST_OUTCOMES: dict[str, Outcome] = {
    "step_up": (
        "Not yet: more visits for two weeks and bring back if no better.",
        ("no_change",),
        "Visit twice a week for two weeks and report back",
        None,
    ),
    "step_down": (
        "Agreed in principle. {worker} to talk it through with them before stepping down.",
        ("review_plan",),
        "Talk through stepping down and the contingency plan",
        None,
    ),
    "discuss": (
        "Team view given: GP to review the medicines, {worker} to visit after.",
        ("refer",),
        "Medicines review after the team discussion",
        Role.GP,
    ),
}
REQUEST_REASONS = {
    "step_up": (
        "More breathless and two calls to 111 this week",
        "Not managing at home since the fall; needs closer support",
    ),
    "step_down": (
        "Stable for three months and confident with the plan",
        "Goals met; happy to see the practice nurse instead",
    ),
    "discuss": (
        "Family asking about a care home",
        "Keeps declining visits; would like the team's advice",
    ),
}
BY_HAND = (
    "GP asked for a team view: frequent calls to the surgery",
    "District nurses worried about a pressure area",
    "Not collecting prescriptions; pharmacy rang",
    "Daughter rang worried about weight loss",
)
