"""Demo care plans: personalised care and support plans for people on the caseloads.

The last pass of the demo generator. Most people on case management (level 3) and many on
level 2 have a plan, a few on level 1. Goals are in the person's own words, chosen to fit
their conditions, with scores that drift up (or not) over follow-ups; some plans have been
reviewed once or twice, so earlier versions are superseded and each goal's trend runs
across versions; a few have a review in progress (a draft). One person with an accented
name has a very long goal, to test how screens and printouts cope.
"""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from ltcdesk.domain.vocab import Role
from ltcdesk.services.demo_rows import (
    ASSIGNMENT_T,
    CAREPLAN_T,
    PATIENT_T,
    PLAN_AGENDA_T,
    PLAN_CONTINGENCY_T,
    PLAN_CONTRIBUTION_T,
    PLAN_COPY_T,
    PLAN_GOAL_T,
    PLAN_SCORE_T,
    PLAN_STEP_T,
    STAFF_T,
    DemoRows,
)

# Share of people with a plan, by level of care.
PLAN_SHARE = {3: 0.85, 2: 0.40, 1: 0.04}
# Days from agreement to the review date, by level: case management about every six
# months, the others every six months to a year.
REVIEW_DAYS = {3: (150, 200), 2: (180, 365), 1: (270, 365)}
# The next version is agreed around the review date: up to two weeks early, a month late.
REVIEWED_EARLY, REVIEWED_LATE = 14, 30
MAX_VERSIONS = 3
P_REVIEW_IN_PROGRESS = 0.05  # its agreed version due between a month ago and a fortnight on
P_OVERDUE = 0.04  # besides those in review: overdue by days to (a few) three months
OVERDUE_MAX = 100

# (goal in the person's words, its action steps as (what, when, how often)); by condition,
# then for anyone.
Step = tuple[str, str | None, str | None]
GOALS: dict[str, tuple[tuple[str, tuple[Step, ...]], ...]] = {
    "COPD": (
        (
            "Sleep through without getting breathless",
            (
                ("Use my inhaler the way the nurse showed me", "before bed", "every night"),
                ("Prop myself up on two pillows", "at bedtime", None),
            ),
        ),
        (
            "Get to the bus stop without stopping for breath",
            (
                ("Practise the breathing exercises from the rehab class", "mornings", "daily"),
                ("Walk to the end of the road and back", "after lunch", "three times a week"),
            ),
        ),
    ),
    "HF": (
        (
            "Keep my ankles from swelling so my shoes fit",
            (
                ("Weigh myself and write it down", "first thing", "every morning"),
                ("Keep my legs up in the afternoon", "after lunch", "daily"),
            ),
        ),
        (
            "Stay out of hospital this winter",
            (("Ring the matron if my weight goes up 2 kg in three days", None, "when needed"),),
        ),
    ),
    "DM": (
        (
            "Get my sugars steady so I stop feeling shaky",
            (
                ("Check my sugar before meals", "before breakfast and tea", "daily"),
                ("Swap the biscuits for a piece of fruit", "mid-afternoon", "most days"),
            ),
        ),
    ),
    "OA": (
        (
            "Get back to my allotment",
            (
                ("Do the knee exercises from the physio", "after breakfast", "daily"),
                ("Ask my grandson to come with me the first time", "Saturday", "once"),
            ),
        ),
        (
            "Manage the stairs so I can sleep upstairs again",
            (("Practise the stairs with the physio", "Tuesdays", "weekly"),),
        ),
    ),
    "FRAIL": (
        (
            "Walk to the corner shop on my own",
            (
                ("Walk to the gate and back with my frame", "after breakfast", "daily"),
                ("Wear my pendant alarm when I go out", None, "always"),
            ),
        ),
        (
            "Not be frightened of falling in the house",
            (
                ("Move the rugs and get the hall light fixed", "this week", "once"),
                ("Do the strength and balance exercises", "mornings", "three times a week"),
            ),
        ),
    ),
    "DEP": (
        (
            "Get out of the house and see people",
            (
                ("Go to the lunch club at the church hall", "Wednesdays", "weekly"),
                ("Ring my sister", "Sunday evenings", "weekly"),
            ),
        ),
    ),
    "DEM": (
        (
            "Keep doing my own shopping",
            (("Write a list with my daughter before I go", "Friday mornings", "weekly"),),
        ),
    ),
    "STIA": (
        (
            "Make a cup of tea on my own again",
            (("Practise in the kitchen with the OT", "Thursdays", "weekly"),),
        ),
    ),
    "CKD": (
        (
            "Understand my tablets so I take them right",
            (("Use the dosette box the pharmacist filled", "morning and night", "daily"),),
        ),
    ),
}
ANYONE: tuple[tuple[str, tuple[Step, ...]], ...] = (
    (
        "Feel less tired in the afternoons",
        (
            (
                "Have a rest after lunch instead of sleeping in the chair all afternoon",
                None,
                "daily",
            ),
        ),
    ),
    (
        "Go to my granddaughter's wedding in the summer",
        (("Build up walking a little more each week", "mornings", "daily"),),
    ),
    (
        "Sort out my money worries",
        (("See the Citizens Advice worker with the navigator", "next Tuesday", "once"),),
    ),
    ("Have a bath again", (("Ask the OT about a bath lift", None, "once"),)),
    ("Get to church on Sundays", (("Book the community transport", "Fridays", "weekly"),)),
)
LONG_GOAL = (
    "Be well enough by the spring to travel back home to see my sister and the rest of the "
    "family, which means being able to manage the airport and the flight, sitting for a long "
    "time, carrying my own tablets and inhalers in my hand luggage, knowing what to do if I "
    "get breathless while I am away, having a letter from the doctor about my medicines in "
    "English as well, and having travel insurance that covers my heart and my chest, "
    "because the last time I went I was frightened the whole time and spent the last week "
    "indoors; I want this time to be different, to sit in the square in the evening with my "
    "sister like we did when we were young, and to come home tired but happy rather than "
    "ill, and I know I need to get stronger first, so I want to keep up the walking and the "
    "exercises every day between now and then and not let the winter stop me"
)
BARRIERS = (
    "Worried about falling when no one is in",
    "Get too tired halfway through",
    "My knees are bad in the cold",
    "Don't like to bother anyone",
    "Forget when I'm feeling low",
)
MOVE_UP = (
    "Someone to come with me the first time",
    "Knowing who to ring if it goes wrong",
    "A written reminder on the fridge",
    "Doing a bit less but every day",
)
COMMENTS = (
    "Getting there slowly",
    "Managed it twice this week",
    "Had a bad chest so couldn't do much",
    "My daughter comes with me now",
    "Much better than last time",
    "Still nervous but doing it",
    None,
)
FOLLOW_HOW = ("phone", "visit", "clinic", "navigator_call")
CONTINGENCY: dict[str, tuple[tuple[str, str, str, str | None, str | None], ...]] = {
    "COPD": (
        (
            "green",
            "Breathing as usual, can do my normal things",
            "Carry on with my inhalers and walking",
            None,
            None,
        ),
        (
            "amber",
            "More breathless than usual, phlegm changes colour",
            "Start my rescue pack and ring the matron",
            "Community matron 0116 496 0123",
            "NHS 111",
        ),
        (
            "red",
            "So breathless I cannot speak a sentence, lips going blue",
            "Ring 999",
            None,
            "999",
        ),
    ),
    "HF": (
        ("green", "Weight steady, ankles as usual", "Carry on with my tablets", None, None),
        (
            "amber",
            "Weight up 2 kg in three days, more swollen, breathless lying flat",
            "Ring the heart failure nurse today",
            "Heart failure nurse 0116 496 0456",
            "NHS 111",
        ),
        ("red", "Chest pain or breathless at rest", "Ring 999", None, "999"),
    ),
}
GENERAL_CONTINGENCY: tuple[tuple[str, str, str, str | None, str | None], ...] = (
    ("green", "Feeling my usual self", "Keep to my plan", None, None),
    (
        "amber",
        "Not eating, more confused or unsteady than usual, a fall without injury",
        "Ring my key worker or the surgery",
        "Key worker 0116 496 0789",
        "District nurses 0116 496 0999 or NHS 111",
    ),
    (
        "red",
        "A fall and cannot get up, chest pain, sudden weakness on one side",
        "Press my pendant alarm or ring 999",
        None,
        "999",
    ),
)
ABOUT_ME = (
    "I worked on the buses for thirty years. I live with my wife and our dog.",
    "I have lived on this street since 1968. My family are nearby and pop in most days.",
    "I was a school cook. I live on my own since my husband died and like my independence.",
    "I came to Leicester in 1972. I love cooking for my grandchildren.",
    "I used to play bowls for the county. My son lives with me.",
)
WHAT_MATTERS = (
    "Staying in my own home.",
    "Seeing my grandchildren and not being a burden.",
    "Being able to get out to the shops and to church.",
    "Not going back into hospital.",
    "Keeping my garden nice.",
)
AGENDA = (
    "Breathlessness at night",
    "Getting out of the house",
    "Too many tablets",
    "Worried about my wife coping",
    "Money",
    "Falls",
    "Feeling low",
)


class CarePlanPass(DemoRows):
    """Care plans for a share of the people on a caseload, after the caseload pass."""

    def care_plans(self) -> None:
        r = self.rng.random
        names = {row["id"]: row["display_name"] for row in self.rows[STAFF_T]}
        navigators = self.staff_by_role.get(Role.CARE_NAVIGATOR) or [self.team_lead]
        codes = {p.pid: p.codes for p in self.people}
        opened = [a for a in self.rows[ASSIGNMENT_T] if a["end_date"] is None]
        long_goal_for = self._long_goal_patient({a["patient_id"] for a in opened})
        for a in opened:
            pid = a["patient_id"]
            if pid != long_goal_for and r() >= PLAN_SHARE[a["level"]]:
                continue
            self._plan(pid, a, codes.get(pid, frozenset()), names, navigators, pid == long_goal_for)

    def _long_goal_patient(self, on_caseload: set[int]) -> int | None:
        """Someone on a caseload with an accented given name (and, best, an apostrophe in
        the family name, as "María O'Kon"), for the very long goal."""
        best = None
        for row in self.rows[PATIENT_T]:
            if row["id"] not in on_caseload or row["given_name"].isascii():
                continue
            if "'" in row["family_name"]:
                return int(row["id"])
            best = best or int(row["id"])
        return best

    def _goal_pool(self, codes: frozenset[str]) -> list[tuple[str, tuple[Step, ...]]]:
        pool = [g for code in sorted(codes) for g in GOALS.get(code, ())]
        return pool + list(ANYONE)

    def _plan(
        self,
        pid: int,
        assignment: dict[str, Any],
        codes: frozenset[str],
        names: dict[int, str],
        navigators: list[int],
        long_goal: bool,
    ) -> None:
        r = self.rng.random
        worker = assignment["key_worker_id"]
        earliest = assignment["start_date"] + timedelta(days=7)
        agreed_dates, review_dates, in_review = self._plan_dates(assignment["level"], earliest)
        pool = self._goal_pool(codes)
        count = 1 + int(r() * 3)
        picks: list[tuple[str, tuple[Step, ...]]] = []
        for _ in range(count):
            choice = pool[int(r() * len(pool))]
            if choice not in picks:
                picks.append(choice)
        if long_goal:
            picks[0] = (LONG_GOAL, picks[0][1])
        # Each goal's lineage: key, scores now, status.
        lineage = [
            {
                "key": f"demo{pid:012d}{n:03d}",
                "importance": 6 + int(r() * 5),
                "confidence": 2 + int(r() * 6),
                "status": "active",
                "comment": None,
                "barriers": self._choice(BARRIERS) if r() < 0.7 else None,
                "move_up": self._choice(MOVE_UP) if r() < 0.6 else None,
                "how": self._choice(FOLLOW_HOW),
                "who": names.get(worker, "My key worker"),
            }
            for n in range(len(picks))
        ]
        versions = len(agreed_dates) + (1 if in_review else 0)
        about, matters = self._choice(ABOUT_ME), self._choice(WHAT_MATTERS)
        agenda = [self._choice(AGENDA) for _ in range(1 + int(r() * 2))]
        contingency = next(
            (CONTINGENCY[c] for c in ("COPD", "HF") if c in codes), GENERAL_CONTINGENCY
        )
        flu = self.today - timedelta(days=20 + int(r() * 60)) if r() < 0.75 else None
        pneumo = self.today - timedelta(days=200 + int(r() * 1500)) if r() < 0.6 else None
        meds = self.today - timedelta(days=int(r() * 300)) if r() < 0.7 else None
        falls = self.today - timedelta(days=int(r() * 400)) if r() < 0.5 else None
        for v in range(1, versions + 1):
            draft = v > len(agreed_dates)
            on = self.today if draft else agreed_dates[v - 1]
            last = v == versions
            status = (
                "draft"
                if draft
                else ("agreed" if last or (in_review and v == versions - 1) else "superseded")
            )
            review_on = None if draft else review_dates[v - 1]
            plan_id = self._new_id(CAREPLAN_T)
            self.rows[CAREPLAN_T].append(
                {
                    "id": plan_id,
                    "patient_id": pid,
                    "version": v,
                    "status": status,
                    "about_me": about,
                    "what_matters": matters,
                    "review_date": review_on,
                    "reviewer_id": worker,
                    "agreed_on": None if draft else on,
                    "agreed_by_id": None if draft else worker,
                    "agreed_with": None
                    if draft
                    else "the person"
                    if r() < 0.6
                    else "the person and their family",
                    "closed_on": None,
                    "closed_reason": None,
                    "flu_vaccine": flu,
                    "pneumococcal_vaccine": pneumo,
                    "medicines_review": meds,
                    "falls_risk_assessed": falls,
                    "created_at": self.now,
                    "created_by_id": worker,
                    "updated_at": self.now,
                    "updated_by_id": worker,
                    "lock_version": 1,
                }
            )
            self._parts(plan_id, agenda, contingency, names.get(worker, "My key worker"))
            # The version's end: the next agreement, or today.
            until = agreed_dates[v] if v < len(agreed_dates) else self.today
            for n, (goal, steps) in enumerate(picks):
                self._goal(
                    plan_id, n, goal, steps, lineage[n], on, until, worker, navigators, draft
                )

    def _plan_dates(self, level: int, earliest: date) -> tuple[list[date], list[date], bool]:
        """(agreement dates, their review dates, a review in progress) of one plan.

        A team that keeps up has the latest agreement somewhere within one review interval,
        so its review date falls anywhere in the months ahead: only a few are overdue (and
        most of those are being reviewed now, as a draft). Earlier versions go back a review
        interval at a time, each re-agreed around its review date, not before the caseload.
        """
        r = self.rng.random
        low, high = REVIEW_DAYS[level]
        interval = low + int(r() * (high - low + 1))
        in_review = r() < P_REVIEW_IN_PROGRESS
        if in_review:
            since = interval + 30 - int(r() * 45)  # due from a month ago to a fortnight on
        elif r() < P_OVERDUE:
            since = interval + 1 + int(r() ** 2 * OVERDUE_MAX)
        else:
            since = int(r() * interval)
        last = max(earliest, self.today - timedelta(days=since))
        if last >= self.today:
            last = self.today - timedelta(days=1)
        agreed_dates, review_dates = [last], [last + timedelta(days=interval)]
        target = 1 if (x := r()) < 0.55 else 2 if x < 0.85 else MAX_VERSIONS
        while len(agreed_dates) < target:
            interval = low + int(r() * (high - low + 1))
            late = int(r() * (REVIEWED_EARLY + REVIEWED_LATE + 1)) - REVIEWED_EARLY
            earlier = agreed_dates[0] - timedelta(days=interval + late)
            if earlier < earliest:
                break
            agreed_dates.insert(0, earlier)
            review_dates.insert(0, earlier + timedelta(days=interval))
        return agreed_dates, review_dates, in_review

    def _parts(
        self,
        plan_id: int,
        agenda: list[str],
        contingency: tuple[tuple[str, str, str, str | None, str | None], ...],
        worker_name: str,
    ) -> None:
        for i, text in enumerate(dict.fromkeys(agenda), 1):
            self.rows[PLAN_AGENDA_T].append(
                {"id": self._new_id(PLAN_AGENDA_T), "plan_id": plan_id, "position": i, "text": text}
            )
        for i, (by_person, who, what) in enumerate(
            (
                (True, "Me", "Keep to my exercises and take my tablets as set out"),
                (False, worker_name, "Visit or ring as agreed and check how the plan is going"),
                (False, "Care navigator", "Help me find groups and transport nearby"),
            ),
            1,
        ):
            self.rows[PLAN_CONTRIBUTION_T].append(
                {
                    "id": self._new_id(PLAN_CONTRIBUTION_T),
                    "plan_id": plan_id,
                    "position": i,
                    "by_person": by_person,
                    "who": who,
                    "what": what,
                }
            )
        for i, (level, signs, action, in_hours, out_of_hours) in enumerate(contingency, 1):
            self.rows[PLAN_CONTINGENCY_T].append(
                {
                    "id": self._new_id(PLAN_CONTINGENCY_T),
                    "plan_id": plan_id,
                    "position": i,
                    "level": level,
                    "signs": signs,
                    "action": action,
                    "call_in_hours": in_hours,
                    "call_out_of_hours": out_of_hours,
                }
            )
        for i, (who, role) in enumerate((("Me", "patient"), ("My GP practice", "gp")), 1):
            self.rows[PLAN_COPY_T].append(
                {
                    "id": self._new_id(PLAN_COPY_T),
                    "plan_id": plan_id,
                    "position": i,
                    "who": who,
                    "role": role,
                    "shared_on": None,
                }
            )

    def _goal(
        self,
        plan_id: int,
        n: int,
        description: str,
        steps: tuple[Step, ...],
        line: dict[str, Any],
        start: date,
        until: date,
        worker: int,
        navigators: list[int],
        draft: bool,
    ) -> None:
        """One version of a goal: its scores when the version was agreed, then follow-ups
        every few weeks up to the next version (or today), each a point on the trend."""
        r = self.rng.random
        goal_id = self._new_id(PLAN_GOAL_T)
        scores = self.rows[PLAN_SCORE_T]
        # A review in progress is re-scored when it is discussed, not before.
        points = [] if draft else [(start, worker)]
        day = start + timedelta(days=21 + int(r() * 21))
        while day < until and len(points) < 4 and not draft:
            points.append((day, worker if r() < 0.7 else self._choice(navigators)))
            day += timedelta(days=28 + int(r() * 28))
        for k, (on, by) in enumerate(points):
            if k:  # a follow-up: confidence mostly rises; sometimes the goal is met
                line["confidence"] = min(10, max(0, line["confidence"] + int(r() * 4) - 1))
                line["comment"] = self._choice(COMMENTS)
                if line["status"] == "achieved":
                    pass  # an achieved goal stays achieved
                elif line["confidence"] >= 9 and r() < 0.5:
                    line["status"] = "achieved"
                elif r() < 0.2:
                    line["status"] = "partly_achieved"
            scores.append(
                {
                    "id": self._new_id(PLAN_SCORE_T),
                    "goal_id": goal_id,
                    "recorded_on": on,
                    "importance": line["importance"],
                    "confidence": line["confidence"],
                    "status": line["status"],
                    "comment": line["comment"],
                    "recorded_by_id": by,
                    "created_at": self.now,
                }
            )
        follow_up = (points[-1][0] if points else start) + timedelta(days=14 + int(r() * 28))
        self.rows[PLAN_GOAL_T].append(
            {
                "id": goal_id,
                "plan_id": plan_id,
                "goal_key": line["key"],
                "position": n + 1,
                "description": description,
                "importance": line["importance"],
                "confidence": line["confidence"],
                "quick_win": n == 0 and r() < 0.5,
                "barriers": line["barriers"] if line["confidence"] < 7 else None,
                "move_up": line["move_up"] if line["confidence"] < 7 else None,
                "follow_up_who": line["who"],
                "follow_up_when": follow_up,
                "follow_up_how": line["how"],
                "status": line["status"],
                "comment": line["comment"],
            }
        )
        for i, (what, when, how_often) in enumerate(steps, 1):
            self.rows[PLAN_STEP_T].append(
                {
                    "id": self._new_id(PLAN_STEP_T),
                    "goal_id": goal_id,
                    "position": i,
                    "what": what,
                    "timing": when,
                    "how_often": how_often,
                }
            )
