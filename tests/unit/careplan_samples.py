"""Realistic care plans built directly as views (no database), for the report tests and
the benchmark: a person with an accented name and an apostrophe, three goals with score
trends, contingency in green, amber and red, preventive basics and three versions."""

from __future__ import annotations

from dataclasses import replace
from datetime import date, datetime

from ltcdesk.domain.nhs_number import complete
from ltcdesk.services.careplan_views import (
    ActionStep,
    CarePlanView,
    ContingencyRow,
    Contribution,
    CopyHolder,
    GoalView,
    PlanVersionSummary,
    Preventive,
    ScorePoint,
)

NHS = "9434765919"  # "943 476 5919"
PRINTED_AT = datetime(2026, 11, 22, 14, 2)
MATRON = "Mary Matron"

LONG_WORDS = (
    "I want to be able to get out into the garden again & sit under the apple tree my late "
    "husband planted, to feed the birds <every> morning and to potter about with my pots "
    "without having to stop for breath every few steps. "
)


def long_text(chars: int) -> str:
    """Ordinary words (with "&" and "<…>" in them) to about ``chars`` characters."""
    text = LONG_WORDS * (chars // len(LONG_WORDS) + 1)
    return text[:chars].rstrip() + "."


def nhs_numbers(start: int = 943476000):
    """Valid NHS numbers after ``start`` (nine digits), in order."""
    n = start
    while True:
        n += 1
        number = complete(f"{n:09d}")
        if number is not None:
            yield number


def make_goal(position: int, description: str, importance: int, confidence: int, **changes):
    goal = GoalView(
        id=position,
        position=position,
        description=description,
        importance=importance,
        confidence=confidence,
        quick_win=position == 1,
        barriers="My breathing when it is cold, and I worry about falling on the kerb.",
        move_up="Doing it with my daughter Ana the first few times.",
        steps=(
            ActionStep("Walk to the end of the road and back", "After breakfast", "Every day"),
            ActionStep("Use my blue inhaler before I go out", "Before I leave", "Each time"),
        ),
        follow_up_who=MATRON,
        follow_up_when=date(2026, 12, 1),
        follow_up_how="phone",
        status="active",
        comment="I managed it twice last week when it was dry.",
        scores=(
            ScorePoint(
                date(2026, 5, 4),
                max(importance - 2, 0),
                max(confidence - 3, 0),
                "active",
                None,
                MATRON,
            ),
            ScorePoint(
                date(2026, 8, 10),
                importance,
                max(confidence - 1, 0),
                "active",
                "Getting there slowly.",
                MATRON,
            ),
            ScorePoint(
                date(2026, 11, 3),
                importance,
                confidence,
                "active",
                "I managed it twice last week.",
                "Nia Nurse",
            ),
        ),
    )
    return replace(goal, **changes)


GOALS = (
    ("I want to walk to the corner shop on my own to get my paper.", 8, 5),
    ("Sleep through the night without waking up breathless.", 9, 4),
    ("Go back to the lunch club at St Mark's & see my friends.", 6, 8),
)


def sample_plan(
    name: str = "María O'Kon", nhs: str = NHS, *, goals: int = 3, **changes
) -> CarePlanView:
    goal_views = tuple(make_goal(n, *GOALS[(n - 1) % len(GOALS)]) for n in range(1, goals + 1))
    plan = CarePlanView(
        id=30,
        version=3,
        status="agreed",
        patient_nhs=nhs,
        patient_name=name,
        date_of_birth=date(1941, 3, 12),
        about_me="I live on my own since Jim died. I was a school cook for thirty years and "
        "I love my garden. My daughter Ana lives nearby and helps with shopping.",
        what_matters="Staying in my own home, seeing my grandchildren on Sundays, and not "
        "ending up in hospital again like last winter.",
        agenda=("My breathing at night", "Getting out of the house", "My tablets"),
        goals=goal_views,
        contributions=(
            Contribution(True, "Me", "Take my inhalers as the nurse showed me."),
            Contribution(True, "Me", "Ring the matron if my ankles swell."),
            Contribution(
                False,
                "Mary Matron, community matron",
                "Check my breathing and inhalers at home each month.",
            ),
            Contribution(False, "Age UK Leicester", "Befriending phone call every Tuesday."),
            Contribution(False, "Castle Street Surgery pharmacist", "Review my tablets."),
        ),
        contingency=(
            ContingencyRow(
                "green",
                "I can walk to the kitchen and talk without stopping.",
                "Keep taking my inhalers and walk a little every day.",
                None,
                None,
            ),
            ContingencyRow(
                "amber",
                "More breathless than usual, coughing up green phlegm, ankles swelling.",
                "Start my rescue pack and ring the matron.",
                "Mary Matron 0116 496 0123",
                "NHS 111",
            ),
            ContingencyRow(
                "red",
                "Too breathless to speak, chest pain, lips turning blue.",
                "Call 999 straight away.",
                "999",
                "999",
            ),
        ),
        preventive=Preventive(
            flu_vaccine=date(2026, 10, 12),
            pneumococcal_vaccine=None,
            medicines_review=date(2027, 1, 14),  # booked: after the printing date
            falls_risk_assessed=date(2026, 6, 2),
        ),
        review_date=date(2027, 2, 3),
        reviewer=MATRON,
        copies=(
            CopyHolder(name, "patient", date(2026, 11, 3)),
            CopyHolder("Ana O'Kon (daughter)", "carer", date(2026, 11, 4)),
            CopyHolder("Dr Priya Patel, Castle Street Surgery", "gp", None),
        ),
        created_at=datetime(2026, 11, 1, 10, 15),
        created_by=MATRON,
        agreed_on=date(2026, 11, 3),
        agreed_by=MATRON,
        agreed_with=f"{name} and her daughter Ana",
        closed_on=None,
        lock_version=4,
        history=(
            PlanVersionSummary(
                10,
                1,
                "superseded",
                datetime(2026, 5, 4, 9, 30),
                "Nia Nurse",
                date(2026, 5, 4),
                "Nia Nurse",
                date(2026, 8, 10),
            ),
            PlanVersionSummary(
                20,
                2,
                "superseded",
                datetime(2026, 8, 10, 11, 0),
                MATRON,
                date(2026, 8, 12),
                MATRON,
                date(2026, 11, 3),
            ),
            PlanVersionSummary(
                30,
                3,
                "agreed",
                datetime(2026, 11, 1, 10, 15),
                MATRON,
                date(2026, 11, 3),
                MATRON,
                date(2027, 2, 3),
            ),
        ),
    )
    return replace(plan, **changes)


def caseload_plans(count: int) -> list[CarePlanView]:
    """``count`` plans for different people, as a caseload export sees them."""
    families = ("O'Kon", "Ní Bhriain", "Nguyễn", "Smith & Jones", "Wiśniewski", "Okafor")
    givens = ("María", "Zoë", "Thị Lan", "Ann", "Łukasz", "Chidi")
    numbers = nhs_numbers()
    return [
        sample_plan(f"{givens[n % 6]} {families[n % 6]}", next(numbers), goals=1 + n % 4)
        for n in range(count)
    ]
