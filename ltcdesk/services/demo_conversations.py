"""Demo care navigator lists and conversations.

A pass of the demo generator run after the assessments. Each care navigator has some forty
to sixty people on their own list (fewer in a small demo), drawn from people on a caseload
with a leaning to levels 1 and 2, people who live alone and people with frailty, low mood
or dementia. Most have had a few guided conversations over the last six months (a visit,
a phone call, a video call or a group session) about topics from the seeded list, with
what matters in their own words, signposting, follow-ups (some done, some overdue) and now
and then a flag to the team, most of them already handled at a whiteboard meeting. Some
have never been contacted, so a navigator's list shows people due a call.

The lists are the same size whatever the population, so this pass costs next to nothing
even at 100,000 patients.
"""

from __future__ import annotations

import bisect
from datetime import date, datetime, time, timedelta
from typing import Any

from sqlalchemy import Connection, select

from ltcdesk.domain.vocab import Role
from ltcdesk.models import (
    Conversation,
    ConversationFollowUp,
    ConversationSignpost,
    ConversationTopic,
    ConversationTopicNote,
    NavigatorAssignment,
)
from ltcdesk.services.demo_rows import (
    ASSIGNMENT_T,
    CARER_T,
    PATIENT_T,
    STAFF_T,
    DemoRows,
    RowSink,
    cumulative,
    table_of,
)

NAV_ASSIGNMENT_T, CONVERSATION_T = table_of(NavigatorAssignment), table_of(Conversation)
TOPIC_NOTE_T, SIGNPOST_T = table_of(ConversationTopicNote), table_of(ConversationSignpost)
FOLLOW_UP_T, TOPIC_T = table_of(ConversationFollowUp), table_of(ConversationTopic)
CONVERSATION_TABLES = (NAV_ASSIGNMENT_T, CONVERSATION_T, TOPIC_NOTE_T, SIGNPOST_T, FOLLOW_UP_T)

LIST_SIZE = (40, 60)  # people per navigator
LIST_SHARE = 0.5  # at most this share of the people on a caseload, in a small demo
PREVIOUS_NAVIGATOR = 0.08  # on the other navigator's list before
NEVER_CONTACTED = 0.12
MAX_CONVERSATIONS = 5
RECENT_CONTACT = 0.65  # last contacted within the last month
WINDOW_DAYS = 182  # conversations over the last six months
MODES_CUM = cumulative((35, 45, 8, 12))
MODES = ("visit", "phone", "video", "group")
P_FLAG = 0.08
P_FLAG_HANDLED = 0.75  # of flags older than the last whiteboard meeting
MEETING_EVERY = 10  # days: recent flags wait for the next meeting

TOPIC_NOTES: dict[str, tuple[str, ...]] = {
    "keeping_warm": (
        "Heating on only in the evenings to save money",
        "Prepayment meter ran out last week",
        "Talked about keeping one room warm and hot drinks through the day",
    ),
    "safe_at_home": (
        "Rugs in the hall; agreed to move them",
        "No key safe, so carers cannot get in if there is a fall",
        "Smoke alarm not working",
    ),
    "keeping_active": (
        "Walks to the post box most days",
        "Keen on the chair-based exercise class",
        "Has stopped going out since the fall",
    ),
    "eating_well": (
        "Lives on toast and tea since the bereavement",
        "Daughter batch-cooks on Sundays",
        "Finds cooking tiring; interested in meals on wheels",
    ),
    "loneliness": (
        "Sees nobody from one week to the next apart from the carers",
        "Misses the bowls club",
        "Would like a regular phone call",
    ),
    "money_worries": (
        "Letter from the council about arrears",
        "Not claiming Pension Credit",
        "Worried about the cost of running the oxygen concentrator",
    ),
    "care_plan": (
        "Went through the care plan together; happy with the goals",
        "Unsure who to ring when breathless; went through the contingency plan",
        "Wants to add getting to church as a goal",
    ),
    "transport": (
        "Cannot manage the bus with the frame",
        "Missed two hospital appointments for want of a lift",
        "Interested in community transport",
    ),
    "community_groups": (
        "Used to go to the lunch club at the church hall",
        "Interested in the Men in Sheds group",
        "Would like to try the memory café",
    ),
    "carer_support": (
        "Wife is tired; not had a night off in months",
        "Daughter juggling work and caring",
        "Carer has not had a carer's assessment",
    ),
}
GENERIC_NOTES = ("Talked this through", "Will pick this up next time")
SIGNPOSTS: dict[str, tuple[str, ...]] = {
    "keeping_warm": ("Warm Homes scheme", "Priority Services Register (energy supplier)"),
    "safe_at_home": ("Fire service safe and well visit", "Telecare pendant alarm"),
    "keeping_active": ("Strength and balance class", "Walking group"),
    "eating_well": ("Meals on wheels", "Foodbank"),
    "loneliness": ("Age UK befriending", "Lunch club at the church hall"),
    "money_worries": ("Citizens Advice", "Age UK benefits check", "Pension Credit helpline"),
    "care_plan": (),
    "transport": ("Community transport (Dial-a-Ride)", "Hospital patient transport"),
    "community_groups": ("Men in Sheds", "Memory café", "Age UK day centre"),
    "carer_support": ("Carers' Centre", "Carer's assessment (adult social care)"),
}
FOLLOW_UPS: dict[str, tuple[str, ...]] = {
    "keeping_warm": ("Check the Warm Homes application has gone in",),
    "safe_at_home": ("Ring to check the safe and well visit happened",),
    "keeping_active": ("Ring to see how the first class went",),
    "eating_well": ("Check meals on wheels have started",),
    "loneliness": ("Ring to see if the befriender has been in touch",),
    "money_worries": (
        "Help fill in the Attendance Allowance form",
        "Ring after the Citizens Advice appointment",
    ),
    "care_plan": ("Go through the care plan goals again",),
    "transport": ("Book community transport for the clinic appointment",),
    "community_groups": ("Go with them to the lunch club the first time",),
    "carer_support": ("Check the carer's assessment has been booked",),
}
WHAT_MATTERS = (
    "I just want to stay in my own home.",
    "I want to be able to get to my granddaughter's wedding.",
    "Having someone to talk to now and again.",
    "Not being a nuisance to my family.",
    "Getting back to church on a Sunday.",
    "Keeping warm without worrying about the bills.",
    "Being able to get to the shops on my own.",
    "Knowing there is someone I can ring.",
    "Looking after my husband as long as I can.",
    "Getting out in the garden when the weather picks up.",
)
FLAG_REASONS = (
    "Carer at breaking point; asking for respite",
    "Two falls this month and lives alone",
    "House very cold and not eating; not coping at home",
    "Seems more confused; family worried about safety at night",
    "Ran out of tablets; could not get through to the surgery",
    "Wants to talk about end of life wishes",
    "Possible financial abuse by a neighbour; safeguarding advice needed",
    "More breathless than usual and not using the rescue pack",
)
FAMILY = ("{their} daughter", "{their} son", "{their} niece", "a neighbour")
OTHER_HELPERS = ("Age UK", "Citizens Advice", "Carers' Centre")


class ConversationPass(DemoRows):
    """Navigators' lists and their conversations, after the assessments."""

    conversations_made = 0

    def conversations(self, conn: Connection) -> None:
        navigators = self.staff_by_role.get(Role.CARE_NAVIGATOR) or []
        topics = [
            code
            for (code,) in conn.execute(
                select(TOPIC_T.c.code).where(TOPIC_T.c.active.is_(True)).order_by(TOPIC_T.c.id)
            )
        ]
        sink = RowSink(conn, CONVERSATION_TABLES)
        chosen = self._nav_people(len(navigators)) if topics else []
        names = {row["id"]: row["display_name"] for row in self.rows[STAFF_T]}
        sexes = {row["id"]: row["sex"] for row in self.rows[PATIENT_T]}
        carers = {row["patient_id"] for row in self.rows[CARER_T]}
        people = {p.pid: p for p in self.people}
        start = 0
        for nav in navigators:
            size = min(self.rng.randint(*LIST_SIZE), len(chosen) - start)
            for a in chosen[start : start + size]:
                pid = a["patient_id"]
                person = people[pid]
                others = [n for n in navigators if n != nav]
                since = self._nav_assign(sink, pid, a, nav, others)
                weights = self._nav_topic_weights(
                    topics, person.lives_alone, pid in carers, person.codes
                )
                context = _Person(pid, sexes[pid] == "female", pid in carers, weights)
                self._nav_conversations(sink, context, since, nav, others, topics, names)
            start += size
        sink.close()
        self.conversations_made = sink.written[CONVERSATION_T]

    def _nav_people(self, navigators: int) -> list[dict[str, Any]]:
        """Open caseload assignments of the people navigators work with, in a random
        order weighted to levels 1 and 2, living alone, frailty, low mood and dementia
        (a weighted sample without replacement: each key is u ** (1 / weight))."""
        r = self.rng.random
        lives_alone = {p.pid: (p.lives_alone, p.codes) for p in self.people}
        opened = [a for a in self.rows[ASSIGNMENT_T] if a["end_date"] is None]
        keyed = []
        for a in opened:
            alone, codes = lives_alone[a["patient_id"]]
            weight = (0, 3, 2, 1)[a["level"]] + 2 * alone
            weight += bool(codes & {"FRAIL", "DEP", "DEM"})
            keyed.append((r() ** (1 / weight), a["id"], a))
        keyed.sort(key=lambda k: (-k[0], k[1]))
        wanted = min(navigators * LIST_SIZE[1], int(len(opened) * LIST_SHARE))
        return [a for _, _, a in keyed[:wanted]]

    @staticmethod
    def _nav_topic_weights(
        topics: list[str], alone: bool, has_carer: bool, codes: frozenset[str]
    ) -> list[float]:
        extra = {
            "loneliness": 3 * alone,
            "carer_support": 3 * has_carer,
            "safe_at_home": 2 * ("FRAIL" in codes or "DEM" in codes),
            "keeping_active": 1 * ("COPD" in codes or "OA" in codes),
        }
        return cumulative([1.0 + extra.get(code, 0) for code in topics])

    def _nav_assign(
        self, sink: RowSink, pid: int, a: dict[str, Any], nav: int, others: list[int]
    ) -> date:
        """The open navigator assignment (after an earlier one with another navigator for
        a few); returns when the person joined this navigator's list."""
        r = self.rng.random
        since = max(a["start_date"], self.today - timedelta(days=14 + int(r() * 380)))
        by = self.team_lead if r() < 0.7 else a["key_worker_id"]
        if others and r() < PREVIOUS_NAVIGATOR:
            before = since - timedelta(days=60 + int(r() * 300))
            self._nav_assignment(sink, pid, self._choice(others), before, since, by)
        self._nav_assignment(sink, pid, nav, since, None, by)
        return since

    def _nav_assignment(
        self, sink: RowSink, pid: int, nav: int, start: date, end: date | None, by: int
    ) -> None:
        sink.add(
            NAV_ASSIGNMENT_T,
            {
                "id": sink.new_id(NAV_ASSIGNMENT_T),
                "patient_id": pid,
                "navigator_id": nav,
                "start_date": start,
                "end_date": end,
                "assigned_by_id": by,
                "created_at": datetime.combine(start, time(11, 30)),
            },
        )

    def _nav_conversations(
        self,
        sink: RowSink,
        who: _Person,
        since: date,
        nav: int,
        others: list[int],
        topics: list[str],
        names: dict[int, str],
    ) -> None:
        """Up to five conversations, the latest mostly within the last few weeks (a
        navigator rings round their list), each earlier one three to eight weeks before,
        none before the person joined the list or more than six months ago."""
        r = self.rng.random
        if r() < NEVER_CONTACTED:
            return
        first = max(since, self.today - timedelta(days=WINDOW_DAYS))
        back = int(r() * 30) if r() < RECENT_CONTACT else 30 + int(r() * 120)
        held = [max(first, self.today - timedelta(days=back))]
        wanted = 1 + int(r() * MAX_CONVERSATIONS)
        while len(held) < wanted:
            earlier = held[-1] - timedelta(days=21 + int(r() * 35))
            if earlier < first:
                break
            held.append(earlier)
        held.reverse()
        for i, on in enumerate(held):
            after = held[i + 1] if i + 1 < len(held) else None
            self._nav_conversation(sink, who, on, after, nav, others, topics, names)

    def _nav_conversation(
        self,
        sink: RowSink,
        who: _Person,
        held_on: date,
        after: date | None,
        nav: int,
        others: list[int],
        topics: list[str],
        names: dict[int, str],
    ) -> None:
        r = self.rng.random
        mode = MODES[bisect.bisect(MODES_CUM, r() * MODES_CUM[-1])]
        with_carer = who.has_carer and mode != "group" and r() < 0.35
        with_patient = not with_carer or r() < 0.85
        recorder = self._choice(others) if others and r() < 0.1 else nav
        flagged = r() < P_FLAG
        handled = None
        if flagged and (self.today - held_on).days > MEETING_EVERY and r() < P_FLAG_HANDLED:
            meeting = held_on + timedelta(days=1 + int(r() * MEETING_EVERY))
            handled = datetime.combine(meeting, time(13, 0))
        cid = sink.new_id(CONVERSATION_T)
        sink.add(
            CONVERSATION_T,
            {
                "id": cid,
                "patient_id": who.pid,
                "held_on": held_on,
                "mode": mode,
                "with_patient": with_patient,
                "with_carer": with_carer,
                "what_matters": self._choice(WHAT_MATTERS) if r() < 0.6 else None,
                "flag_to_team": flagged,
                "flag_reason": self._choice(FLAG_REASONS) if flagged else None,
                "flag_handled_at": handled,
                "recorded_by_id": recorder,
                "created_at": datetime.combine(held_on, time(10 + cid % 6, cid * 7 % 60)),
            },
        )
        picked: list[str] = []
        for _ in range(1 + int(r() * 3)):
            code = topics[bisect.bisect(who.weights, r() * who.weights[-1])]
            if code not in picked:
                picked.append(code)
        follow_ups = 0
        for code in picked:
            sink.add(
                TOPIC_NOTE_T,
                {
                    "id": sink.new_id(TOPIC_NOTE_T),
                    "conversation_id": cid,
                    "topic_code": code,
                    "note": self._choice(TOPIC_NOTES.get(code, GENERIC_NOTES))
                    if r() < 0.85
                    else None,
                },
            )
            services = SIGNPOSTS.get(code, ())
            if services and r() < 0.45:
                sink.add(
                    SIGNPOST_T,
                    {
                        "id": sink.new_id(SIGNPOST_T),
                        "conversation_id": cid,
                        "service": self._choice(services),
                        "given_on": held_on,
                    },
                )
            tasks = FOLLOW_UPS.get(code, ())
            if tasks and follow_ups < 2 and r() < 0.45:
                follow_ups += 1
                self._nav_follow_up(
                    sink, cid, who, (held_on, after), self._choice(tasks), recorder, names
                )

    def _nav_follow_up(
        self,
        sink: RowSink,
        cid: int,
        who: _Person,
        when: tuple[date, date | None],
        what: str,
        recorder: int,
        names: dict[int, str],
    ) -> None:
        """Due a week to a month on. Most of those now due are done; those from before
        the latest conversation nearly all, so only the latest leave some overdue."""
        r = self.rng.random
        held_on, after = when
        due = held_on + timedelta(days=7 + int(r() * 22))
        x = r()
        staff_id: int | None = recorder if x < 0.7 else None
        if staff_id is not None:
            by = names.get(staff_id)
        elif x < 0.85:
            by = self._choice(FAMILY).format(their="her" if who.female else "his")
        else:
            by = self._choice(OTHER_HELPERS)
        done = None
        p_done = 0.95 if after is not None else 0.75 if due <= self.today else 0.15
        if r() < p_done:
            latest = min(due + timedelta(days=5), after or self.today, self.today)
            span = (latest - held_on).days
            done = held_on + timedelta(days=1 + int(r() * span)) if span >= 1 else None
        sink.add(
            FOLLOW_UP_T,
            {
                "id": sink.new_id(FOLLOW_UP_T),
                "conversation_id": cid,
                "what": what,
                "due_on": due,
                "by_whom": by,
                "by_staff_id": staff_id,
                "done_on": done,
            },
        )


class _Person:
    __slots__ = ("female", "has_carer", "pid", "weights")

    def __init__(self, pid: int, female: bool, has_carer: bool, weights: list[float]) -> None:
        self.pid, self.female, self.has_carer, self.weights = pid, female, has_carer, weights
