"""Demo whiteboard meetings: the team's Tuesday and Friday meeting over the last four weeks.

The last pass of the demo generator, after the conversations (it reads their flags back).
The team lead chairs a twice-weekly meeting (``MeetingSchedule``); the meetings of the last
four weeks are closed, each with its attendees (one or two sent apologies), an agenda of
8 to 15 people found as the agenda builder finds them (new to a caseload, care plan reviews
due, navigators' flags, steps and step requests, actions still open, and a few added by
hand), in its sections and in the builder's words, with outcomes in plain words, decisions
and actions. Actions fall to the key worker (or to whoever the decision names), due one to
three weeks on; most are done, some still open, so they come back on later agendas. The
last meeting ran out of time for its last item. The next two meetings are planned, with no
agenda yet (the chair builds it live), and two requests to discuss someone wait for them.

Every flag to the team is handled at the first meeting after it was raised: the flags of
the last four weeks by the meetings here (``flag_handled_at`` set when the meeting closed),
older ones at the meetings before (at the same hour), and those since the last meeting not
yet. This overrides the conversation pass's own guess, which drew the same numbers.

The meetings are the same size whatever the population, so this pass costs next to nothing.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from typing import Any

from sqlalchemy import Connection, bindparam, select, update

from ltcdesk.domain.vocab import AssignmentChange, Role
from ltcdesk.models import (
    Meeting,
    MeetingAction,
    MeetingAttendee,
    MeetingItem,
    MeetingRequest,
    MeetingSchedule,
)
from ltcdesk.services.demo_conversations import CONVERSATION_T
from ltcdesk.services.demo_meeting_words import (
    BY_HAND,
    FLAG_OUTCOME,
    FLAG_OUTCOMES,
    OUTCOMES,
    REQUEST_OUTCOMES,
    REQUEST_REASONS,
)
from ltcdesk.services.demo_rows import (
    ASSIGNMENT_T,
    CAREPLAN_T,
    STAFF_T,
    DemoRows,
    RowSink,
    table_of,
)
from ltcdesk.services.meeting_views import SECTION_ORDER, Section

SCHEDULE_T, MEETING_T = table_of(MeetingSchedule), table_of(Meeting)
ATTENDEE_T, ITEM_T = table_of(MeetingAttendee), table_of(MeetingItem)
ACTION_T, REQUEST_T = table_of(MeetingAction), table_of(MeetingRequest)
MEETING_TABLES = (SCHEDULE_T, MEETING_T, ATTENDEE_T, ITEM_T, ACTION_T, REQUEST_T)

WEEKDAYS = (2, 5)  # ISO: Tuesday and Friday
STARTS_AT = time(9, 30)
MINUTES = 60
PLACE = "Whiteboard room, Northfield Health Centre"
HISTORY_DAYS = 28  # closed meetings over the last four weeks
PLANNED = 2  # meetings ahead, no agenda yet
ITEMS = (8, 15)
LOCKED_BEFORE = 1  # days: the chair locks the agenda the afternoon before
REVIEW_AHEAD = 7  # as the agenda builder: reviews due within the week
DUE_DAYS = (7, 21)
P_STALLED = 0.08  # an action still open long after it was due
P_REQUEST = 0.4  # a step or discussion request waiting for a past meeting
P_ACTION = {
    Section.NEW: 0.7,
    Section.REVIEW: 0.5,
    Section.FLAG: 0.9,
    Section.STEP: 0.6,
    Section.ACTION: 0.0,
    Section.MANUAL: 0.5,
}
STEP_KINDS = {"step_up": "Step up", "step_down": "Step down"}

NOT_REACHED = "Ran out of time: the last item goes to the next meeting."
_NONE: tuple[None, tuple[str, ...], None] = (None, (), None)  # an item not reached


def _d(value: date) -> str:
    return f"{value:%d/%m/%Y}"


def meeting_days(today: date) -> tuple[list[date], list[date]]:
    """(the closed meetings of the last four weeks, the next ones from today), oldest first."""
    start = today - timedelta(days=HISTORY_DAYS)
    past = [
        start + timedelta(days=n)
        for n in range(HISTORY_DAYS)
        if (start + timedelta(days=n)).isoweekday() in WEEKDAYS
    ]
    ahead: list[date] = []
    day = today
    while len(ahead) < PLANNED:
        if day.isoweekday() in WEEKDAYS:
            ahead.append(day)
        day += timedelta(days=1)
    return past, ahead


def _meeting_after(day: date) -> date:
    """The first meeting whose agenda could include a flag raised on ``day``: the agenda
    is locked the afternoon before, so the meeting after next day or later."""
    day += timedelta(days=LOCKED_BEFORE + 1)
    while day.isoweekday() not in WEEKDAYS:
        day += timedelta(days=1)
    return day


@dataclass(slots=True)
class _Found:
    section: Section
    reason: str
    source: str  # "flag:12", "action:7", "request:3" or ""
    key: date
    ref: Any = None  # the flag, action, request or plan it came from


@dataclass(slots=True)
class _Action:
    row: dict[str, Any]
    held_on: date
    owner_name: str


@dataclass
class _State:
    """What the meetings so far have done, for the next one to build on."""

    reviewed: set[tuple[int, int]] = field(default_factory=set)  # (patient, plan version)
    flags_handled: dict[int, datetime] = field(default_factory=dict)
    actions: list[_Action] = field(default_factory=list)


class MeetingPass(DemoRows):
    """The team's whiteboard meetings, after the conversations are written."""

    meetings_made = 0

    def meetings(self, conn: Connection) -> None:
        staff = {row["id"]: row for row in self.rows[STAFF_T]}
        chair = self.team_lead
        team_id = staff[chair]["team_id"]
        members = [sid for sid, row in staff.items() if row["team_id"] == team_id]
        past, ahead = meeting_days(self.today)
        sink = RowSink(conn, MEETING_TABLES)
        self._mt_names = {sid: row["display_name"] for sid, row in staff.items()}
        self._mt_by_role = {role: ids for role, ids in self.staff_by_role.items() if ids}
        self._mt_prepare(conn, past[0] if past else self.today)
        created = datetime.combine((past or ahead)[0] - timedelta(days=7), time(16, 0))
        schedule_id = sink.new_id(SCHEDULE_T)
        sink.add(
            SCHEDULE_T,
            {
                "id": schedule_id,
                "team_id": team_id,
                "weekdays": ",".join(str(d) for d in WEEKDAYS),
                "starts_at": STARTS_AT,
                "minutes": MINUTES,
                "place": PLACE,
                "virtual": False,
                "chair_id": chair,
                "first_date": (past or ahead)[0],
                "created_at": created,
                "created_by_id": chair,
            },
        )
        state = _State()
        previous = past[0] - timedelta(days=3 if past[0].isoweekday() == 5 else 4) if past else None
        for n, on in enumerate(past):
            assert previous is not None
            base = {"team_id": team_id, "schedule_id": schedule_id, "created_at": created}
            self._mt_past(sink, state, base, members, on, previous, n == len(past) - 1)
            previous = on
        for on in ahead:
            meeting_id = self._mt_meeting_row(sink, team_id, schedule_id, on, created, "planned")
            for sid in members:
                self._mt_attendee(sink, meeting_id, sid, "invited")
        if ahead:
            self._mt_open_requests(sink, past[-1] if past else self.today)
        sink.close()
        self._mt_handle_flags(conn, state)
        self.meetings_made = sink.written[MEETING_T]

    # ------------------------------------------------------------------ what there is

    def _mt_prepare(self, conn: Connection, first: date) -> None:
        """What the agenda sources draw on, read once: recent caseload starts and steps,
        plan versions whose review falls in the window, the flags to the team."""
        self._mt_first = first
        self._mt_died = {p.pid: p.ref for p in self.people if p.dead}
        changes = (
            AssignmentChange.ACCEPTED.value,
            AssignmentChange.STEP_UP.value,
            AssignmentChange.STEP_DOWN.value,
        )
        since = first - timedelta(days=7)
        self._mt_current: dict[int, dict[str, Any]] = {}
        starts = []
        for a in self.rows[ASSIGNMENT_T]:
            if a["end_date"] is None:
                self._mt_current[a["patient_id"]] = a
            if a["start_date"] >= since and a["start_change"] in changes:
                starts.append(a)
        self._mt_starts = sorted(starts, key=lambda a: (a["start_date"], a["id"]))
        versions: dict[int, list[dict[str, Any]]] = defaultdict(list)
        for plan in self.rows[CAREPLAN_T]:
            versions[plan["patient_id"]].append(plan)
        last = self.today + timedelta(days=REVIEW_AHEAD)
        reviews = []
        for pid, plans in versions.items():
            agreed = [p for p in sorted(plans, key=lambda p: p["version"]) if p["agreed_on"]]
            for k, plan in enumerate(agreed):
                after = agreed[k + 1]["agreed_on"] if k + 1 < len(agreed) else None
                if plan["review_date"] <= last and (after is None or after > first):
                    reviews.append((plan["review_date"], pid, plan["version"], plan, after))
        reviews.sort(key=lambda t: t[:3])
        self._mt_reviews = reviews
        self._mt_reagreed = {(pid, v): after for _, pid, v, _, after in reviews}
        c = CONVERSATION_T.c
        self._mt_flags = list(
            conn.execute(
                select(c.id, c.patient_id, c.held_on, c.flag_reason, c.recorded_by_id)
                .where(c.flag_to_team.is_(True))
                .order_by(c.held_on, c.id)
            )
        )
        self._mt_flag_reason = {row[0]: row[3] or "" for row in self._mt_flags}
        self._mt_caseload = sorted(self._mt_current)

    def _mt_open_at(self, pid: int, on: date) -> dict[str, Any] | None:
        a = self._mt_current.get(pid)
        if a is None or a["start_date"] > on:
            return None
        return a

    # ------------------------------------------------------------------ one meeting

    def _mt_past(
        self,
        sink: RowSink,
        state: _State,
        base: dict[str, Any],
        members: list[int],
        on: date,
        previous: date,
        last: bool,
    ) -> None:
        r = self.rng.random
        meeting_id = self._mt_meeting_row(
            sink, base["team_id"], base["schedule_id"], on, base["created_at"], "closed"
        )
        chair = self.team_lead
        others = [sid for sid in members if sid != chair]
        away = {self._choice(others) for _ in range(1 + (r() < 0.4))} if others else set()
        present = [sid for sid in members if sid not in away]
        for sid in members:
            self._mt_attendee(sink, meeting_id, sid, "apologies" if sid in away else "present")
        found = self._mt_sources(sink, state, meeting_id, on, previous)
        chosen = self._mt_choose(found, on, present)
        items = sorted(
            chosen.items(),
            key=lambda kv: (SECTION_ORDER[kv[1][0].section], kv[1][0].key, kv[0]),
        )
        clock = datetime.combine(on, STARTS_AT)
        not_reached = 1 if last and len(items) >= ITEMS[0] else 0
        handled_at = datetime.combine(on, STARTS_AT) + timedelta(minutes=MINUTES)
        for position, (pid, reasons) in enumerate(items, 1):
            section = reasons[0].section
            minutes = 10 if section == Section.NEW else 5
            item_id = sink.new_id(ITEM_T)
            by_hand = (
                reasons[0].ref if section == Section.MANUAL and not reasons[0].source else None
            )
            discussed = position <= len(items) - not_reached
            outcome, decisions, action = self._mt_outcome(pid, reasons, on) if discussed else _NONE
            sink.add(
                ITEM_T,
                {
                    "id": item_id,
                    "meeting_id": meeting_id,
                    "patient_id": pid,
                    "position": position,
                    "section": section.value,
                    "reasons": "\n".join(f.reason for f in reasons),
                    "sources": " ".join(f.source for f in reasons if f.source),
                    "minutes": minutes,
                    "removed": False,
                    "outcome": outcome,
                    "decisions": ",".join(decisions) or None,
                    "discussed_at": clock if discussed else None,
                    "added_by_id": by_hand,
                },
            )
            clock += timedelta(minutes=minutes)
            if not discussed:
                continue
            for f in reasons:
                if f.source.startswith("flag:"):
                    state.flags_handled[f.ref] = handled_at
                elif f.source.startswith("request:"):
                    f.ref["handled_meeting_id"] = meeting_id
                elif f.section == Section.REVIEW:
                    state.reviewed.add(f.ref)
            if action is not None and r() < P_ACTION[section]:
                what, owner = action
                self._mt_action(sink, state, meeting_id, item_id, pid, what, owner, on, reasons)
        if last and not_reached:
            self._mt_notes(sink, meeting_id, NOT_REACHED)

    def _mt_sources(
        self, sink: RowSink, state: _State, meeting_id: int, on: date, previous: date
    ) -> dict[int, list[_Found]]:
        """Everything the agenda builder would have found for the meeting on ``on``."""
        r = self.rng.random
        found: dict[int, list[_Found]] = defaultdict(list)
        alive = self._mt_alive
        for a in self._mt_starts:
            start = a["start_date"]
            if start > on:
                break
            pid = a["patient_id"]
            if start <= previous or (a["end_date"] is not None and a["end_date"] <= on):
                continue
            if not alive(pid, on):
                continue
            worker, level = self._mt_names[a["key_worker_id"]], a["level"]
            if a["start_change"] == AssignmentChange.ACCEPTED.value:
                reason = f"New to {worker}'s caseload (level {level}) on {_d(start)}"
                found[pid].append(_Found(Section.NEW, reason, "", start))
            else:
                verb = "Stepped up" if a["start_change"] == "step_up" else "Stepped down"
                reason = f"{verb} to level {level} ({worker}) on {_d(start)}"
                found[pid].append(_Found(Section.STEP, reason, "", start))
        ahead = on + timedelta(days=REVIEW_AHEAD)
        for due, pid, version, plan, after in self._mt_reviews:
            if due > ahead:
                break
            if (pid, version) in state.reviewed or plan["agreed_on"] > on:
                continue
            if (after is not None and after <= on) or not alive(pid, on):
                continue
            if self._mt_open_at(pid, on) is None:
                continue
            if due < on:
                reason = f"Care plan review overdue (was due {_d(due)})"
            else:
                reason = f"Care plan review due {_d(due)}"
            found[pid].append(_Found(Section.REVIEW, reason, "", due, (pid, version)))
        for cid, pid, held, why, by in self._mt_flags:
            if _meeting_after(held) > on:
                break
            if cid in state.flags_handled or _meeting_after(held) < self._mt_first:
                continue  # handled already, here or at a meeting before these
            reason = f"Flagged by {self._mt_names[by]} on {_d(held)}: {why or 'no reason given'}"
            found[pid].append(_Found(Section.FLAG, reason, f"flag:{cid}", held, cid))
        if r() < P_REQUEST:
            self._mt_request(sink, found, on, previous)
        for act in state.actions:
            row = act.row
            if act.held_on >= on or (row["done_on"] is not None and row["done_on"] < on):
                continue
            late = " — overdue" if row["due_on"] < on else ""
            reason = (
                f"Open action from {_d(act.held_on)}: {row['what']} ({act.owner_name}, "
                f"due {_d(row['due_on'])}{late})"
            )
            found[row["patient_id"]].append(
                _Found(Section.ACTION, reason, f"action:{row['id']}", row["due_on"], act)
            )
        for reasons in found.values():
            reasons.sort(key=lambda f: (SECTION_ORDER[f.section], f.key))
        return found

    def _mt_alive(self, pid: int, on: date) -> bool:
        died = self._mt_died.get(pid)
        return died is None or died > on

    def _mt_choose(
        self, found: dict[int, list[_Found]], on: date, present: list[int]
    ) -> dict[int, list[_Found]]:
        """Flags, requests and open actions always; then people new to a caseload, plans
        due and steps in turn up to 8-15 items; then a few added by hand if short."""
        target = self.rng.randint(*ITEMS)
        chosen = {pid: f for pid, f in found.items() if any(x.source for x in f)}
        pools: dict[Section, list[int]] = defaultdict(list)
        for pid, f in found.items():
            if pid not in chosen:
                pools[f[0].section].append(pid)
        queues = [pools[s] for s in (Section.NEW, Section.REVIEW, Section.STEP) if pools[s]]
        while len(chosen) < target and any(queues):
            for queue in queues:
                if queue and len(chosen) < target:
                    pid = queue.pop(0)
                    chosen[pid] = found[pid]
        clinicians = [sid for sid in present if sid != self.team_lead] or present
        tries = 0
        while len(chosen) < target and self._mt_caseload and tries < 50:
            tries += 1
            pid = self._choice(self._mt_caseload)
            if pid in chosen or self._mt_open_at(pid, on) is None or not self._mt_alive(pid, on):
                continue
            by = self._choice(clinicians)
            chosen[pid] = [_Found(Section.MANUAL, self._choice(BY_HAND), "", on, by)]
        return chosen

    # ------------------------------------------------------------------ outcomes, actions

    def _mt_outcome(
        self, pid: int, reasons: list[_Found], on: date
    ) -> tuple[str, tuple[str, ...], tuple[str, Role | None] | None]:
        first = reasons[0]
        a = self._mt_open_at(pid, on)
        worker = self._mt_names[a["key_worker_id"]] if a else "The navigator"
        if first.section == Section.ACTION:
            act: _Action = first.ref
            done = act.row["done_on"]
            if done is not None and done <= on + timedelta(days=1):
                text = f"{act.owner_name} reported it done."
            elif act.row["due_on"] < on:
                text = f"Overdue: {act.owner_name} to chase it this week."
            else:
                text = f"In hand; {act.owner_name} to report back by {_d(act.row['due_on'])}."
            return text, ("no_change",), None
        if first.section == Section.FLAG:
            outcome = FLAG_OUTCOMES.get(self._mt_flag_reason[first.ref], FLAG_OUTCOME)
        elif first.source.startswith("request:"):
            outcome = REQUEST_OUTCOMES[first.ref["kind"]]
        else:
            outcome = self._choice(OUTCOMES[first.section])
        text, decisions, what, role = outcome
        action = (what, role) if what is not None else None
        return text.format(worker=worker), decisions, action

    def _mt_owner(self, pid: int, role: Role | None, on: date) -> int:
        a = self._mt_open_at(pid, on)
        if a is not None:
            worker = int(a["key_worker_id"])
            if role is None or self._mt_role(worker) == role:
                return worker
        if role is not None and self._mt_by_role.get(role):
            return int(self._choice(self._mt_by_role[role]))
        return int(a["key_worker_id"]) if a is not None else self.team_lead

    def _mt_role(self, staff_id: int) -> Role | None:
        for role, ids in self._mt_by_role.items():
            if staff_id in ids:
                return role
        return None

    def _mt_action(
        self,
        sink: RowSink,
        state: _State,
        meeting_id: int,
        item_id: int,
        pid: int,
        what: str,
        role: Role | None,
        on: date,
        reasons: list[_Found],
    ) -> None:
        """Due one to three weeks on. Most are done within days, a few around the due date
        and some stall; a review is done when the plan is next agreed; a death cancels."""
        r = self.rng.random
        owner = self._mt_owner(pid, role, on)
        due = on + timedelta(days=DUE_DAYS[0] + int(r() * (DUE_DAYS[1] - DUE_DAYS[0] + 1)))
        status, done_on, note = "open", None, None
        died = self._mt_died.get(pid)
        reagreed = next(
            (self._mt_reagreed.get(f.ref) for f in reasons if f.section == Section.REVIEW), None
        )
        if died is not None and died <= self.today:
            status, done_on, note = "cancelled", max(died, on), f"Died on {_d(died)}"
        elif reagreed is not None and on < reagreed <= self.today:
            status, done_on, note = "done", reagreed, "Care plan reviewed and agreed"
        elif r() >= P_STALLED:
            # Mostly within days, now and then not until around the due date.
            took = 1 + int(r() ** 3 * ((due - on).days + 3))
            if on + timedelta(days=took) <= self.today:
                status, done_on = "done", on + timedelta(days=took)
        row = {
            "id": sink.new_id(ACTION_T),
            "meeting_id": meeting_id,
            "item_id": item_id,
            "patient_id": pid,
            "what": what,
            "owner_id": owner,
            "due_on": due,
            "status": status,
            "done_on": done_on,
            "done_by_id": owner if done_on is not None else None,
            "note": note,
            "created_at": datetime.combine(on, STARTS_AT) + timedelta(minutes=MINUTES),
            "created_by_id": self.team_lead,
        }
        sink.add(ACTION_T, row)
        state.actions.append(_Action(row, on, self._mt_names[owner]))

    # ------------------------------------------------------------------ requests

    def _mt_request(
        self, sink: RowSink, found: dict[int, list[_Found]], on: date, previous: date
    ) -> None:
        """A step or discussion request made since the last meeting, for this one."""
        row = self._mt_new_request(sink, previous, on)
        if row is not None:
            pid, kind = row["patient_id"], row["kind"]
            who = self._mt_names[row["requested_by_id"]]
            if kind in STEP_KINDS:
                text = f"{STEP_KINDS[kind]} requested by {who} on {_d(row['requested_on'])}"
                found[pid].append(
                    _Found(
                        Section.STEP, f"{text}: {row['reason']}", f"request:{row['id']}", on, row
                    )
                )
            else:
                text = f"Discussion requested by {who} on {_d(row['requested_on'])}"
                found[pid].append(
                    _Found(
                        Section.MANUAL, f"{text}: {row['reason']}", f"request:{row['id']}", on, row
                    )
                )

    def _mt_new_request(
        self, sink: RowSink, after: date, on: date, kind: str | None = None
    ) -> dict[str, Any] | None:
        """A request made after ``after`` and by ``on`` for someone on a caseload then (and
        alive now): step up from levels 1 and 2, step down from 3, or to discuss."""
        r = self.rng.random
        found = None
        for _ in range(40 if self._mt_caseload else 0):
            a = self._mt_open_at(self._choice(self._mt_caseload), after)
            if a is None or not self._mt_alive(a["patient_id"], self.today):
                continue
            if kind is None or kind == "discuss" or (kind == "step_up") == (a["level"] < 3):
                found = a
                break
        if found is None:
            return None
        a, pid, level = found, found["patient_id"], found["level"]
        if kind is None:
            kind = "discuss" if r() < 0.3 or level == 1 else "step_up"
        if kind == "step_up" and level == 3:
            kind = "step_down"
        navigators = self._mt_by_role.get(Role.CARE_NAVIGATOR, [])
        by = self._choice(navigators) if navigators and r() < 0.3 else a["key_worker_id"]
        gap = max(1, (on - after).days)
        asked = after + timedelta(days=1 + int(r() * gap)) if gap > 1 else on
        asked = min(asked, on)
        row = {
            "id": sink.new_id(REQUEST_T),
            "patient_id": pid,
            "kind": kind,
            "reason": self._choice(REQUEST_REASONS[kind]),
            "requested_on": asked,
            "requested_by_id": by,
            "handled_meeting_id": None,
            "created_at": datetime.combine(asked, time(14, 0)),
        }
        sink.add(REQUEST_T, row)
        return row

    def _mt_open_requests(self, sink: RowSink, last: date) -> None:
        """A step up and a discussion requested since the last meeting, for the next."""
        for kind in ("step_up", "discuss"):
            self._mt_new_request(sink, last, max(last, self.today), kind)

    # ------------------------------------------------------------------ rows

    def _mt_meeting_row(
        self,
        sink: RowSink,
        team_id: int,
        schedule_id: int,
        on: date,
        created: datetime,
        status: str,
    ) -> int:
        meeting_id = sink.new_id(MEETING_T)
        closed = status == "closed"
        sink.add(
            MEETING_T,
            {
                "id": meeting_id,
                "team_id": team_id,
                "schedule_id": schedule_id,
                "held_on": on,
                "starts_at": STARTS_AT,
                "minutes": MINUTES,
                "place": PLACE,
                "virtual": False,
                "chair_id": self.team_lead,
                "status": status,
                "agenda_locked_at": (
                    datetime.combine(on - timedelta(days=LOCKED_BEFORE), time(16, 0))
                    if closed
                    else None
                ),
                "agenda_locked_by_id": self.team_lead if closed else None,
                "notes": None,
                "created_at": created,
                "created_by_id": self.team_lead,
                "updated_at": (
                    datetime.combine(on, STARTS_AT) + timedelta(minutes=MINUTES)
                    if closed
                    else created
                ),
                "updated_by_id": self.team_lead,
                "lock_version": 20 if closed else 1,
            },
        )
        return meeting_id

    @staticmethod
    def _mt_notes(sink: RowSink, meeting_id: int, notes: str) -> None:
        for row in sink.pending[MEETING_T]:
            if row["id"] == meeting_id:
                row["notes"] = notes

    @staticmethod
    def _mt_attendee(sink: RowSink, meeting_id: int, staff_id: int, attendance: str) -> None:
        sink.add(
            ATTENDEE_T,
            {
                "id": sink.new_id(ATTENDEE_T),
                "meeting_id": meeting_id,
                "staff_id": staff_id,
                "attendance": attendance,
            },
        )

    def _mt_handle_flags(self, conn: Connection, state: _State) -> None:
        """Each flag handled at the first meeting after it was raised (see the module's
        docstring); flags since the last closed meeting wait for the next."""
        c = CONVERSATION_T.c
        changes: list[dict[str, Any]] = []
        for cid, _pid, held, _why, _by in self._mt_flags:
            handled = state.flags_handled.get(cid)
            meeting = _meeting_after(held)
            if handled is None and meeting < self._mt_first:
                handled = datetime.combine(meeting, STARTS_AT) + timedelta(minutes=MINUTES)
            changes.append({"cid": cid, "handled": handled})
        if changes:
            conn.execute(
                update(CONVERSATION_T)
                .where(c.id == bindparam("cid"))
                .values(flag_handled_at=bindparam("handled")),
                changes,
            )
