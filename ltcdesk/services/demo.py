"""Demo data: a believable, entirely fictional neighbourhood team and its population.

``generate_demo`` fills an empty database with four practices, one integrated locality team
of fourteen staff and a population of people with long term conditions: conditions with
age-dependent prevalence and the usual clusters, carers, consent, caseloads on the three
levels with their step up / step down / transfer history, and a few deaths. The result is
deterministic for a given ``(seed, today)``. Everything is written in one transaction with
bulk Core inserts (executemany, ids allocated up front), so 100,000 patients take seconds
and an interrupted run leaves nothing behind.

Names and streets come from ``resources/demo/``. NHS numbers are in the 999 test range and
telephone numbers in Ofcom's ranges reserved for drama, so nothing can reach a real person.

Each pass has its module: ``demo_team``, ``demo_people`` (with ``demo_clinical``),
``demo_caseload`` and ``demo_careplans``, over the shared state in ``demo_rows``; then
``demo_assessments`` and ``demo_conversations``, which stream their rows to the database in
chunks after the others are written (18 domain rows per assessment), and last
``demo_meetings``: the team's whiteboard meetings of the last four weeks and the next two,
which marks the navigators' flags it discussed as handled. The tables are re-exported here
for the tests that read what was generated.
"""

from __future__ import annotations

import gc
import logging
import random
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date

from sqlalchemy import Connection, insert, select
from sqlalchemy.exc import IntegrityError

from ltcdesk.db import Database, sync_id_sequences
from ltcdesk.domain import validate
from ltcdesk.domain.errors import ConflictError, ValidationError
from ltcdesk.domain.nhs_number import complete
from ltcdesk.domain.permissions import Action
from ltcdesk.domain.text import quote_input
from ltcdesk.models import StaffMember, team_practices
from ltcdesk.models.audit import append_rows
from ltcdesk.services.base import ServiceBase
from ltcdesk.services.demo_assessments import ASSESSMENT_TABLES as ASSESSMENT_TABLES
from ltcdesk.services.demo_assessments import AssessmentPass
from ltcdesk.services.demo_careplans import CarePlanPass
from ltcdesk.services.demo_caseload import CaseloadPass
from ltcdesk.services.demo_conversations import CONVERSATION_TABLES as CONVERSATION_TABLES
from ltcdesk.services.demo_conversations import ConversationPass
from ltcdesk.services.demo_events import EventPass
from ltcdesk.services.demo_meetings import MEETING_TABLES as MEETING_TABLES
from ltcdesk.services.demo_meetings import MeetingPass
from ltcdesk.services.demo_people import PeoplePass
from ltcdesk.services.demo_rows import ASSIGNMENT_T as ASSIGNMENT_T
from ltcdesk.services.demo_rows import CAREPLAN_T, CARER_T, CONDITION_T, PATIENT_T, WRITE_ORDER
from ltcdesk.services.demo_rows import CAREPLAN_TABLES as CAREPLAN_TABLES
from ltcdesk.services.demo_rows import CONSENT_T as CONSENT_T
from ltcdesk.services.demo_rows import PLAN_CONTINGENCY_T as PLAN_CONTINGENCY_T
from ltcdesk.services.demo_rows import PLAN_GOAL_T as PLAN_GOAL_T
from ltcdesk.services.demo_rows import PLAN_SCORE_T as PLAN_SCORE_T
from ltcdesk.services.demo_rows import RESOURCES as RESOURCES
from ltcdesk.services.demo_rows import STAFF_T as STAFF_T
from ltcdesk.services.demo_team import DEMO_USERNAMES, PRACTICES, STAFF, TeamPass

log = logging.getLogger(__name__)

MAX_PATIENTS = 1_000_000
CHUNK = 20_000  # rows per executemany


@dataclass(frozen=True)
class DemoSummary:
    """What was generated. ``staff`` counts the demo team, not the acting user."""

    practices: int
    staff: int
    patients: int
    on_caseload: int
    carers: int
    conditions: int
    care_plans: int  # patients with a care plan (of any status)
    seconds: float
    demo_usernames: tuple[str, ...]
    assessments: int = 0  # completed and draft
    conversations: int = 0  # care navigators' conversations
    meetings: int = 0  # whiteboard meetings, closed and planned
    hospital_events: int = 0


def generate_demo(
    db: Database,
    *,
    patients: int = 2000,
    seed: int = 1,
    today: date | None = None,
    actor_username: str = "admin",
) -> DemoSummary:
    """Fill an empty database with a demo team and ``patients`` people, in one transaction.

    Raises ConflictError when the database already has patients (or the demo usernames are
    taken) and ValidationError for a bad ``patients`` or username. The acting user is
    created as an administrator when no staff member has that username; an existing one
    needs Action.GENERATE_DEMO (PermissionDeniedError, audited, otherwise). Every account
    it creates signs in with ``demo_team.DEMO_PASSWORD``.
    """
    started = time.perf_counter()
    if isinstance(patients, bool) or not isinstance(patients, int):
        raise ValidationError("patients", f"{quote_input(patients)} must be a whole number")
    if not 1 <= patients <= MAX_PATIENTS:
        raise ValidationError(
            "patients", f"must be between 1 and {MAX_PATIENTS:,}, not {patients:,}"
        )
    actor = validate.username(actor_username, "acting user")
    _DemoPermission(db.sessions, actor).check()
    rng = random.Random(seed)
    nhs_numbers = _nhs_numbers(rng, patients)

    gen = _Generator(rng, today or date.today(), actor)
    try:
        with _gc_paused(), db.engine.begin() as conn:
            gen.run(conn, nhs_numbers, seed)
    except IntegrityError as exc:  # another writer got in between the check and the insert
        raise ConflictError(
            "The database changed while demo data was being generated (is someone else "
            "using it?). Nothing was added."
        ) from exc
    seconds = time.perf_counter() - started
    log.info("demo data: %d patients, %d rows in %.1f s", patients, gen.row_count, seconds)
    return DemoSummary(
        practices=len(PRACTICES),
        staff=len(STAFF),
        patients=patients,
        on_caseload=gen.on_caseload,
        carers=len(gen.rows[CARER_T]),
        conditions=len(gen.rows[CONDITION_T]),
        care_plans=len({row["patient_id"] for row in gen.rows[CAREPLAN_T]}),
        seconds=seconds,
        demo_usernames=DEMO_USERNAMES,
        assessments=gen.assessments_made,
        conversations=gen.conversations_made,
        meetings=gen.meetings_made,
        hospital_events=gen.events_made,
    )


class _DemoPermission(ServiceBase):
    def check(self) -> None:
        """An existing acting user must be allowed to load demo data (refusals audited)."""
        with self._sessions.begin() as s:
            known = s.scalar(select(StaffMember.id).where(StaffMember.username == self._username))
            if known is not None:
                self._actor(s, Action.GENERATE_DEMO)


@contextmanager
def _gc_paused() -> Iterator[None]:
    """Pause the cyclic garbage collector while a million long-lived dicts are built.

    Nothing generated here forms a cycle, yet each full collection would rescan them all:
    about 10% of a 100,000-patient run. Reference counting still frees memory meanwhile.
    """
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()


def _nhs_numbers(rng: random.Random, count: int) -> list[str]:
    """``count`` distinct valid NHS numbers drawn at random from the 999 test range.

    One nine-digit stem in eleven has no valid check digit, so the range holds about
    909,000 numbers; asking for more is refused.
    """
    space = 1_000_000
    sample = min(space, count + count // 8 + 200)
    while True:
        found: list[str] = []
        for stem in rng.sample(range(space), sample):
            number = complete(f"999{stem:06d}")
            if number is not None:
                found.append(number)
                if len(found) == count:
                    # In order, so the unique index is appended to rather than reshuffled:
                    # about 0.5 s less at 100,000 patients on SQLite's default page cache.
                    return sorted(found)
        if sample == space:
            raise ValidationError(
                "patients", f"at most {len(found):,} demo patients fit in the NHS test range"
            )
        sample = space


class _Generator(
    TeamPass,
    PeoplePass,
    CaseloadPass,
    CarePlanPass,
    AssessmentPass,
    ConversationPass,
    MeetingPass,
    EventPass,
):
    """Builds every row in memory, pass by pass in a fixed order, then writes them all."""

    def run(self, conn: Connection, nhs_numbers: list[str], seed: int) -> None:
        """Everything, on one connection inside the caller's transaction."""
        if conn.execute(select(PATIENT_T.c.id).limit(1)).first() is not None:
            raise ConflictError(
                "This database already has patients; demo data can only be added to an "
                "empty database. Create a new database for the demo."
            )
        self.plan(conn)
        self.people_rows(nhs_numbers)
        self.caseloads()
        self.consents()
        self.care_plans()
        self.write(conn)
        self.assessments(conn)
        self.conversations(conn)
        self.meetings(conn)
        self.events_made = self.hospital_events(conn)
        append_rows(
            conn,
            [
                {
                    "at": self.now,
                    "staff_id": self.actor_id,
                    "username": self.actor,
                    "action": "demo.generate",
                    "entity": "database",
                    "entity_id": None,
                    "patient_id": None,
                    "summary": (
                        f"Generated demo data: {len(nhs_numbers):,} patients, {len(STAFF)} "
                        f"staff, {len(PRACTICES)} practices (seed {seed})"
                    ),
                }
            ],
        )

    def write(self, conn: Connection) -> None:
        """executemany in chunks, parents before children."""
        for table in WRITE_ORDER:
            rows = self.rows[table]
            for start in range(0, len(rows), CHUNK):
                conn.execute(insert(table), rows[start : start + CHUNK])
        if self.team_links:
            conn.execute(insert(team_practices), self.team_links)
        sync_id_sequences(conn, [t for t in WRITE_ORDER if self.rows[t]])
