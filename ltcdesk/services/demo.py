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
"""

from __future__ import annotations

import bisect
import gc
import json
import logging
import random
import time
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date, timedelta
from functools import lru_cache
from pathlib import Path
from typing import Any

from sqlalchemy import Connection, Table, func, insert, select
from sqlalchemy.exc import IntegrityError

from ltcdesk.db import Database, sync_id_sequences
from ltcdesk.domain import validate
from ltcdesk.domain.errors import ConflictError, ValidationError
from ltcdesk.domain.nhs_number import complete
from ltcdesk.domain.vocab import AssignmentChange, ConsentStatus, ContactMethod, Role, Sex
from ltcdesk.models import (
    AuditEntry,
    Base,
    Carer,
    CaseloadAssignment,
    ConsentRecord,
    Patient,
    PatientCondition,
    Practice,
    StaffMember,
    Team,
    utcnow,
)

log = logging.getLogger(__name__)


def _table(model: type[Base]) -> Table:
    table = model.__table__
    assert isinstance(table, Table)
    return table


PRACTICE_T, TEAM_T, STAFF_T = _table(Practice), _table(Team), _table(StaffMember)
PATIENT_T, CONDITION_T, CARER_T = _table(Patient), _table(PatientCondition), _table(Carer)
CONSENT_T, ASSIGNMENT_T = _table(ConsentRecord), _table(CaseloadAssignment)
AUDIT_T = _table(AuditEntry)
# Parents before children: the order rows are written in.
WRITE_ORDER = (
    PRACTICE_T,
    TEAM_T,
    STAFF_T,
    PATIENT_T,
    CONDITION_T,
    CARER_T,
    CONSENT_T,
    ASSIGNMENT_T,
)

RESOURCES = Path(__file__).resolve().parents[2] / "resources" / "demo"
MAX_PATIENTS = 1_000_000
CHUNK = 20_000  # rows per executemany

TEAM_NAME = "Northfield Integrated Locality Team"
# (code, name, share of the population): list sizes are deliberately uneven.
PRACTICES: tuple[tuple[str, str, float], ...] = (
    ("C82044", "Castle Street Surgery", 0.36),
    ("C82017", "Belgrave Health Centre", 0.28),
    ("C82093", "Rushey Mead Medical Practice", 0.22),
    ("C82651", "Thurmaston Lane Surgery", 0.14),
)
# The first matron is the one whose caseload is deliberately over the limit of 80.
STAFF: tuple[tuple[str, str, Role], ...] = (
    ("m.okafor", "Mercy Okafor", Role.COMMUNITY_MATRON),
    ("h.mistry", "Hetal Mistry", Role.COMMUNITY_MATRON),
    ("c.doyle", "Ciara Doyle", Role.COMMUNITY_MATRON),
    ("t.brennan", "Tom Brennan", Role.DISTRICT_NURSE),
    ("a.kowalska", "Agnieszka Kowalska", Role.DISTRICT_NURSE),
    ("r.chauhan", "Dr Rakesh Chauhan", Role.GP),
    ("l.campbell", "Lorraine Campbell", Role.SOCIAL_WORKER),
    ("f.hussain", "Farah Hussain", Role.OCCUPATIONAL_THERAPIST),
    ("d.mensah", "Daniel Mensah", Role.PHYSIOTHERAPIST),
    ("w.zhang", "Wei Zhang", Role.PHARMACIST),
    ("z.fletcher", "Zoë Fletcher", Role.MENTAL_HEALTH_WORKER),
    ("p.lakhani", "Priya Lakhani", Role.CARE_NAVIGATOR),
    ("g.evans", "Gareth Evans", Role.CARE_NAVIGATOR),
    ("k.oconnell", "Kate O'Connell", Role.TEAM_LEAD),
)
DEMO_USERNAMES = tuple(username for username, _, _ in STAFF)

# Level 3: matron caseloads of fixed size whatever the population (a realistic team has
# three matrons, whatever the size of the demo). One is over the limit of 80 when there
# are at least OVERLOAD_FROM patients; smaller demos scale all three down proportionally.
OVERLOADED_MATRON = (84, 90)
MATRON = (60, 75)
OVERLOAD_FROM = 1500
LEVEL3_CAP = 0.16  # never more than this share of the living on level 3
LEVEL2_SHARE = 0.12
LEVEL1_SHARE = 0.25
HISTORY_SHARE = 0.20

# Age bands of an LTC population, (from, to, weight): median around 70.
AGE_BANDS = (
    (18, 45, 8),
    (45, 55, 10),
    (55, 65, 17),
    (65, 75, 25),
    (75, 85, 25),
    (85, 95, 13),
    (95, 104, 2),
)
# By age band (<45, 45-64, 65-74, 75-84, 85+), before the multipliers for combinations.
P_FEMALE = (0.5, 0.5, 0.53, 0.58, 0.68)
P_ALONE = (0.15, 0.15, 0.22, 0.36, 0.36)  # halved for close-knit (multigenerational) groups
P_HYP = (0.08, 0.30, 0.50, 0.60, 0.62)
P_DM = (0.04, 0.14, 0.20, 0.21, 0.18)
P_CKD = (0.01, 0.03, 0.08, 0.16, 0.26)
P_CHD = (0.005, 0.05, 0.11, 0.16, 0.19)
P_AF = (0.002, 0.02, 0.07, 0.13, 0.18)
P_HF = (0.001, 0.006, 0.02, 0.04, 0.07)
P_STIA = (0.003, 0.02, 0.05, 0.08, 0.11)
P_COPD = (0.005, 0.04, 0.09, 0.11, 0.10)
P_AST = (0.14, 0.09, 0.07, 0.06, 0.05)
P_OA = (0.03, 0.12, 0.20, 0.27, 0.32)
P_OST = (0.002, 0.03, 0.08, 0.15, 0.25)
P_RA = (0.006, 0.012, 0.015, 0.015, 0.015)
P_CAN = (0.01, 0.04, 0.08, 0.10, 0.11)
P_DEM = (0.0, 0.002, 0.02, 0.08, 0.24)
P_DEP = (0.16, 0.13, 0.10, 0.09, 0.09)
P_SMI = (0.025, 0.015, 0.01, 0.007, 0.005)
P_EP = (0.012, 0.009, 0.007, 0.007, 0.006)
P_LD = (0.02, 0.006, 0.003, 0.001, 0.0)
P_FRAIL = (0.0, 0.008, 0.04, 0.12, 0.32)
P_PC = (0.0, 0.002, 0.004, 0.008, 0.02)
P_DEATH = (0.0005, 0.0005, 0.002, 0.0045, 0.011)
P_CARER = (0.06, 0.06, 0.10, 0.18, 0.32)
# People on an LTC list with no register entry mostly have one of the common ones.
FIRST_CONDITION = ("HYP", "HYP", "AST", "DEP", "DM", "OA")
MAX_CONDITIONS = 7
# (earliest age at diagnosis, at most this many years ago) for diagnosed_on.
ONSET = {
    "DM": (25, 25),
    "HYP": (30, 30),
    "COPD": (40, 20),
    "AST": (5, 50),
    "HF": (40, 12),
    "CHD": (35, 25),
    "AF": (40, 15),
    "STIA": (40, 15),
    "CKD": (40, 15),
    "DEM": (60, 8),
    "DEP": (16, 30),
    "SMI": (18, 40),
    "CAN": (30, 15),
    "OA": (40, 25),
    "RA": (25, 30),
    "EP": (2, 60),
    "OST": (50, 15),
    "LD": (2, 90),
    "FRAIL": (65, 6),
    "PC": (18, 2),
}
# Conditions sometimes ended: share ended, reason.
ENDINGS = {
    "DEP": (0.12, "Resolved; no longer on treatment"),
    "CAN": (0.15, "In remission; discharged from oncology follow-up"),
    "AST": (0.04, "Resolved; no symptoms or treatment for over a year"),
    "HYP": (0.01, "Coded in error: home blood pressure readings normal"),
}
# Preferred contact (phone, home visit, letter, email, text), cumulative, by age.
CONTACT_OLDER = (0.55, 0.68, 0.85, 0.90, 1.0)
CONTACT_YOUNGER = (0.40, 0.43, 0.50, 0.70, 1.0)

ACCEPT_REASONS_L3 = (
    "Identified by case finding (top 3% of practice); accepted at whiteboard meeting",
    "Referred by GP after a second emergency admission",
    "Referred by district nurse: increasing needs at home",
    "Castlefields criteria met at case-finding review",
    "Referred by social care after carer breakdown",
)
ACCEPT_REASONS = (
    "Referred by GP after hospital discharge",
    "New diagnosis: referred for education and self-management support",
    "Annual review identified uncontrolled symptoms",
    "Self-referral via care navigator",
    "Referred by respiratory team after COPD exacerbation",
    "Referred by practice nurse: medicines review needed",
    None,
)
STEP_UP_REASONS_L3 = (
    "Admitted twice in 3 months — stepped up to case management",
    "Two falls in two months — stepped up to case management",
    "Heart failure exacerbation needing close monitoring",
    "Carer no longer able to cope; needs a co-ordinated package",
    "Rising risk score (climber) confirmed at whiteboard meeting",
)
STEP_UP_REASONS = (
    "New diagnosis of heart failure — stepped up to disease management",
    "HbA1c rising despite treatment — stepped up to diabetes pathway",
    "Third COPD exacerbation this winter",
    "Low mood affecting self-management — referred to mental health worker",
)
STEP_DOWN_REASONS = (
    "Stable for 3 months after exacerbation — stepped down",
    "Goals achieved and confident to self-manage — stepped down",
    "Symptoms controlled; reviews can be done by the practice",
    "Family now providing support; case management no longer needed",
)
TRANSFER_REASONS = (
    "Caseloads rebalanced at whiteboard meeting",
    "Moved within the locality — transferred to the worker covering that practice",
    "Key worker on long-term leave — caseload redistributed",
    "Needs now mainly social — transferred to care manager",
)
DEATH_REASONS = (
    "Died at home, the preferred place of death",
    "Died in hospital",
    "Died in hospice",
    "Died in care home",
)
DECLINED_NOTES = (
    "Does not want information shared with social care",
    "Prefers to discuss with family first",
    None,
)
CARER_FEMALE = frozenset(
    {"wife", "mother", "sister", "daughter", "daughter-in-law", "granddaughter"}
)
CARER_SAME_SURNAME = frozenset({"wife", "husband", "son", "mother", "father", "brother"})
CARER_SAME_GENERATION = frozenset(
    {"wife", "husband", "partner", "sister", "brother", "neighbour", "friend"}
)
CARER_AWAY = ("daughter", "son", "neighbour", "friend", "daughter-in-law", "granddaughter")
CARER_AWAY_CUM = (40, 65, 80, 92, 97, 100)


@dataclass(frozen=True)
class DemoSummary:
    """What was generated. ``staff`` counts the demo team, not the acting user."""

    practices: int
    staff: int
    patients: int
    on_caseload: int
    carers: int
    conditions: int
    seconds: float
    demo_usernames: tuple[str, ...]


@dataclass(frozen=True)
class _Group:
    """Names of one heritage group (resources/demo/names.json)."""

    weight: float
    female: tuple[str, ...]
    male: tuple[str, ...]
    female_young: tuple[str, ...]
    male_young: tuple[str, ...]
    family: tuple[str, ...]
    languages: tuple[tuple[str, float], ...]
    close_knit: bool

    def given(self, female: bool, young: bool) -> tuple[str, ...]:
        if female:
            return self.female_young if young else self.female
        return self.male_young if young else self.male


@dataclass(slots=True)
class _Person:
    """What the caseload and consent passes need to know about a generated patient."""

    pid: int
    age: int
    band: int
    score: float
    ref: date  # today, or the date of death
    dead: bool
    lives_alone: bool
    codes: frozenset[str]
    adult_from: date


@lru_cache(maxsize=1)
def _load_names() -> tuple[_Group, ...]:
    data = json.loads((RESOURCES / "names.json").read_text(encoding="utf-8"))
    return tuple(
        _Group(
            weight=float(g["weight"]),
            female=tuple(g["female"]),
            male=tuple(g["male"]),
            female_young=tuple(g.get("female_young") or g["female"]),
            male_young=tuple(g.get("male_young") or g["male"]),
            family=tuple(g["family"]),
            languages=tuple((lang, float(share)) for lang, share in g["languages"]),
            close_knit=bool(g.get("close_knit", False)),
        )
        for g in data["groups"].values()
    )


@lru_cache(maxsize=1)
def _load_locality() -> dict[str, Any]:
    data: dict[str, Any] = json.loads((RESOURCES / "locality.json").read_text(encoding="utf-8"))
    return data


def _cumulative(weights: Sequence[float]) -> list[float]:
    total, out = 0.0, []
    for weight in weights:
        total += weight
        out.append(total)
    return out


def _days_before(ref: date, u: float, low: int, high: int, floor: date) -> date:
    """``low``..``high`` days before ``ref`` (``u`` uniform in [0, 1)), not before ``floor``."""
    days = low + int(u * (high - low + 1)) if high > low else low
    return max(ref - timedelta(days=days), min(floor, ref))


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
    created as an administrator when no staff member has that username.
    """
    started = time.perf_counter()
    if isinstance(patients, bool) or not isinstance(patients, int):
        raise ValidationError("patients", f"'{patients}' must be a whole number")
    if not 1 <= patients <= MAX_PATIENTS:
        raise ValidationError(
            "patients", f"must be between 1 and {MAX_PATIENTS:,}, not {patients:,}"
        )
    actor = validate.username(actor_username, "acting user")
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
        seconds=seconds,
        demo_usernames=DEMO_USERNAMES,
    )


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


def _max_id(conn: Connection, table: Table) -> int:
    return int(conn.execute(select(func.coalesce(func.max(table.c.id), 0))).scalar_one())


class _Generator:
    """Builds every row in memory as plain dicts with ids allocated up front, then writes."""

    def __init__(self, rng: random.Random, today: date, actor: str) -> None:
        self.rng = rng
        self.today = today
        self.actor = actor
        self.now = utcnow()
        self.actor_id = 0
        self.groups = _load_names()
        self.group_cum = _cumulative([g.weight for g in self.groups])
        self.rows: dict[Table, list[dict[str, Any]]] = {t: [] for t in WRITE_ORDER}
        self.next_id: dict[Table, int] = {}
        self.practice_ids: list[int] = []
        self.staff_by_role: dict[Role, list[int]] = {}
        self.people: list[_Person] = []
        self.key_worker: dict[int, int] = {}
        self.on_caseload = 0

    @property
    def row_count(self) -> int:
        return sum(len(rows) for rows in self.rows.values())

    def _new_id(self, table: Table) -> int:
        self.next_id[table] += 1
        return self.next_id[table]

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
        self.write(conn)
        conn.execute(
            insert(AUDIT_T),
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

    # ------------------------------------------------------------------ team

    def plan(self, conn: Connection) -> None:
        """Read what exists (ids, names in use) and lay out practices, team and staff."""
        for table in WRITE_ORDER:
            self.next_id[table] = _max_id(conn, table)
        existing = dict(
            conn.execute(
                select(STAFF_T.c.username, STAFF_T.c.id).where(
                    STAFF_T.c.username.in_([*DEMO_USERNAMES, self.actor])
                )
            ).all()
        )
        taken = sorted(set(existing) & set(DEMO_USERNAMES))
        if taken:
            raise ConflictError(
                f"The demo team's usernames are already in use ({', '.join(taken)}). "
                "Create a new database for the demo."
            )
        # Practices and the team are reused when they already exist (set up by hand).
        known = dict(
            conn.execute(
                select(PRACTICE_T.c.code, PRACTICE_T.c.id).where(
                    PRACTICE_T.c.code.in_([code for code, _, _ in PRACTICES])
                )
            ).all()
        )
        for code, name, _ in PRACTICES:
            if code not in known:
                known[code] = self._new_id(PRACTICE_T)
                self.rows[PRACTICE_T].append({"id": known[code], "code": code, "name": name})
            self.practice_ids.append(known[code])
        team_id = conn.execute(select(TEAM_T.c.id).where(TEAM_T.c.name == TEAM_NAME)).scalar()
        if team_id is None:
            team_id = self._new_id(TEAM_T)
            self.rows[TEAM_T].append({"id": team_id, "name": TEAM_NAME})

        for username, display, role in STAFF:
            staff_id = self._add_staff(username, display, role, team_id)
            self.staff_by_role.setdefault(role, []).append(staff_id)
            if username == self.actor:
                self.actor_id = staff_id
        if self.actor in existing:
            self.actor_id = existing[self.actor]
        elif not self.actor_id:
            self.actor_id = self._add_staff(self.actor, "Administrator", Role.ADMIN, None)

        by_role = self.staff_by_role
        self.matrons = by_role[Role.COMMUNITY_MATRON]
        self.team_lead = by_role[Role.TEAM_LEAD][0]
        # Who records consent for people not on a caseload (navigators see many people).
        self.consent_takers = [
            *self.matrons,
            *by_role[Role.DISTRICT_NURSE],
            *by_role[Role.GP],
            *by_role[Role.CARE_NAVIGATOR],
            *by_role[Role.CARE_NAVIGATOR],
            *by_role[Role.SOCIAL_WORKER],
        ]
        self.level2_roles = (
            Role.DISTRICT_NURSE,
            Role.PHARMACIST,
            Role.MENTAL_HEALTH_WORKER,
            Role.PHYSIOTHERAPIST,
            Role.OCCUPATIONAL_THERAPIST,
            Role.SOCIAL_WORKER,
        )
        self.level1_roles = (
            Role.GP,
            Role.TEAM_LEAD,
            Role.SOCIAL_WORKER,
            Role.DISTRICT_NURSE,
            Role.PHARMACIST,
            Role.PHYSIOTHERAPIST,
            Role.OCCUPATIONAL_THERAPIST,
            Role.MENTAL_HEALTH_WORKER,
        )
        self.level1_cum = _cumulative((45, 10, 12, 10, 8, 5, 5, 5))

    def _add_staff(self, username: str, display: str, role: Role, team_id: int | None) -> int:
        staff_id = self._new_id(STAFF_T)
        self.rows[STAFF_T].append(
            {
                "id": staff_id,
                "username": username,
                "display_name": display,
                "role": role.value,
                "team_id": team_id,
                "active": True,
                "created_at": self.now,
            }
        )
        return staff_id

    # ------------------------------------------------------------------ people

    def _postcodes(self, streets: int) -> list[list[str]]:
        """Three distinct postcodes per street, in one sector of the locality's district."""
        loc = _load_locality()
        letters, sectors, r = loc["unit_letters"], loc["sectors"], self.rng.random
        used: set[str] = set()
        pools = []
        for _ in range(streets):
            pool: list[str] = []
            sector = f"{loc['outward']} {sectors[int(r() * len(sectors))]}"  # one per street
            while len(pool) < 3:
                code = (
                    f"{sector}{letters[int(r() * len(letters))]}{letters[int(r() * len(letters))]}"
                )
                if code not in used:
                    used.add(code)
                    pool.append(code)
            pools.append(pool)
        return pools

    def people_rows(self, nhs_numbers: list[str]) -> None:
        """Patients with their conditions and carers. The hot loop: keep it lean."""
        r = self.rng.random
        today, now, actor_id = self.today, self.now, self.actor_id
        loc = _load_locality()
        streets, flats, town = loc["streets"], loc["blocks_of_flats"], loc["town"]
        postcodes = self._postcodes(len(streets))
        band_cum = _cumulative([w for _, _, w in AGE_BANDS])
        groups, group_cum = self.groups, self.group_cum
        practice_ids = self.practice_ids
        practice_cum = _cumulative([share for _, _, share in PRACTICES])
        contacts = [c.value for c in ContactMethod]
        home_visit = ContactMethod.HOME_VISIT.value
        female_v, male_v = Sex.FEMALE.value, Sex.MALE.value
        patient_rows = self.rows[PATIENT_T]
        condition_rows = self.rows[CONDITION_T]
        pid = self.next_id[PATIENT_T]
        condition_id = self.next_id[CONDITION_T]

        for number in nhs_numbers:
            pid += 1
            lo, hi, _ = AGE_BANDS[bisect.bisect(band_cum, r() * band_cum[-1])]
            age_years = lo + r() * (hi - lo)
            age = int(age_years)
            dob = today - timedelta(days=int(age_years * 365.2425) + 1)
            band = 0 if age < 45 else 1 if age < 65 else 2 if age < 75 else 3 if age < 85 else 4
            x = r()
            if x < 0.003:  # a few recorded as unknown or other
                sex, female = (Sex.UNKNOWN.value if x < 0.002 else Sex.OTHER.value), r() < 0.5
            else:
                female = x < P_FEMALE[band]
                sex = female_v if female else male_v
            group = groups[bisect.bisect(group_cum, r() * group_cum[-1])]
            given_pool = group.given(female, age < 58)
            given = given_pool[int(r() * len(given_pool))]
            if r() < 0.05:  # mixed families
                surnames = groups[bisect.bisect(group_cum, r() * group_cum[-1])].family
            else:
                surnames = group.family
            family = surnames[int(r() * len(surnames))]

            street_no = int(r() * len(streets))
            street, area = streets[street_no]
            if r() < 0.08:
                flat_block = flats[int(r() * len(flats))]
                address = f"Flat {1 + int(r() * 40)}, {flat_block}, {street}, {area}, {town}"
                postcode = postcodes[street_no][0]
            else:
                address = f"{1 + int(r() * 240)} {street}, {area}, {town}"
                postcode = postcodes[street_no][int(r() * 3)]
            x = r()
            if x < 0.08:
                phone = None
            elif x < (0.65 if age >= 70 else 0.2):
                phone = f"0116 496 0{int(r() * 1000):03d}"
            else:
                phone = f"07700 900{int(r() * 1000):03d}"
            alone = P_ALONE[band]
            lives_alone = r() < (alone / 2 if group.close_knit else alone)
            x = r()
            if age >= 85 and x < 0.25:
                contact: str | None = home_visit
            elif x < 0.08:
                contact = None
            else:
                contact = contacts[
                    bisect.bisect(CONTACT_OLDER if age >= 60 else CONTACT_YOUNGER, r())
                ]
            language = None
            for lang, share in group.languages:
                if r() < (share if age >= 65 else share / 4):
                    language = lang
                    break

            codes = self._conditions(band, female, lives_alone)
            p_death = P_DEATH[band]
            if "PC" in codes:
                p_death *= 5
            if "FRAIL" in codes:
                p_death *= 1.6
            if "HF" in codes:
                p_death *= 1.5
            dead = r() < p_death
            ref = today - timedelta(days=1 + int(r() * 365)) if dead else today
            active = len(codes)
            for code in codes:
                onset, years_back = ONSET[code]
                if code == "LD":
                    diagnosed = min(dob + timedelta(days=700 + int(r() * 2950)), ref)
                else:
                    earliest = dob + timedelta(days=int(onset * 365.25))
                    diagnosed = _days_before(ref, r(), 30, years_back * 365, earliest)
                ended_on = ended_reason = None
                ending = ENDINGS.get(code)
                if ending is not None and r() < ending[0]:
                    span = (ref - diagnosed).days
                    if span > 400:
                        ended_on = diagnosed + timedelta(days=180 + int(r() * (span - 179)))
                        ended_reason = ending[1]
                        active -= 1
                condition_id += 1
                condition_rows.append(
                    {
                        "id": condition_id,
                        "patient_id": pid,
                        "condition_code": code,
                        "diagnosed_on": diagnosed,
                        "ended_on": ended_on,
                        "ended_reason": ended_reason,
                    }
                )
            score = (
                active
                + max(0, age - 60) / 8
                + 2.5 * ("FRAIL" in codes)
                + 3 * ("PC" in codes)
                + 1.5 * ("HF" in codes)
                + ("COPD" in codes)
                + ("DEM" in codes)
                + 2 * r()
            )
            person = _Person(
                pid,
                age,
                band,
                score,
                ref,
                dead,
                lives_alone,
                frozenset(codes),
                dob + timedelta(days=6575),
            )
            self.people.append(person)
            if r() < (
                P_CARER[band]
                + 0.35 * ("DEM" in codes)
                + 0.2 * ("FRAIL" in codes)
                + 0.25 * ("PC" in codes)
                + 0.3 * ("LD" in codes)
            ):
                self._carers(person, group, female, family)
            patient_rows.append(
                {
                    "id": pid,
                    "nhs_number": number,
                    "family_name": family,
                    "given_name": given,
                    "date_of_birth": dob,
                    "sex": sex,
                    "address": address,
                    "postcode": postcode,
                    "phone": phone,
                    "practice_id": practice_ids[
                        bisect.bisect(practice_cum, r() * practice_cum[-1])
                    ],
                    "date_of_death": ref if dead else None,
                    "lives_alone": lives_alone,
                    "preferred_contact": contact,
                    "interpreter_needed": language is not None,
                    "language": language,
                    "created_at": now,
                    "updated_at": now,
                    "updated_by_id": actor_id,
                    "version": 1,
                }
            )
        self.next_id[PATIENT_T] = pid
        self.next_id[CONDITION_T] = condition_id

    def _conditions(self, b: int, female: bool, lives_alone: bool) -> list[str]:
        """Register codes with age-dependent prevalence and the usual clusters.

        Hypertension is commonest; diabetes raises CKD and CHD; AF and CHD raise heart
        failure; AF raises stroke; dementia comes late; depression rises with the number
        of conditions and living alone; frailty and palliative care come in the oldest.
        """
        r = self.rng.random
        codes = []
        hyp = r() < P_HYP[b]
        if hyp:
            codes.append("HYP")
        dm = r() < P_DM[b] * (1.4 if hyp else 1.0)
        if dm:
            codes.append("DM")
        if r() < P_CKD[b] * (2.2 if dm else 1.0) * (1.5 if hyp else 1.0):
            codes.append("CKD")
        chd = r() < P_CHD[b] * (1.5 if dm else 1.0) * (1.3 if hyp else 1.0) * (
            0.75 if female else 1.3
        )
        if chd:
            codes.append("CHD")
        af = r() < P_AF[b] * (1.3 if hyp else 1.0)
        if af:
            codes.append("AF")
        hf = r() < P_HF[b] * (3.0 if chd else 1.0) * (3.0 if af else 1.0)
        if hf:
            codes.append("HF")
        stia = r() < P_STIA[b] * (2.0 if af else 1.0) * (1.3 if hyp else 1.0)
        if stia:
            codes.append("STIA")
        copd = r() < P_COPD[b]
        if copd:
            codes.append("COPD")
        if r() < P_AST[b] * (0.5 if copd else 1.0):
            codes.append("AST")
        if r() < P_OA[b] * (1.2 if female else 0.85):
            codes.append("OA")
        if r() < P_OST[b] * (1.0 if female else 0.3):
            codes.append("OST")
        if r() < P_RA[b] * (1.5 if female else 0.6):
            codes.append("RA")
        can = r() < P_CAN[b]
        if can:
            codes.append("CAN")
        dem = r() < P_DEM[b] * (1.6 if stia else 1.0)
        if dem:
            codes.append("DEM")
        if r() < P_SMI[b]:
            codes.append("SMI")
        if r() < P_EP[b]:
            codes.append("EP")
        if r() < P_LD[b]:
            codes.append("LD")
        n = len(codes)
        if r() < P_DEP[b] + 0.03 * n + 0.08 * lives_alone + 0.1 * dem:
            codes.append("DEP")
        frail = b >= 1 and r() < P_FRAIL[b] + 0.025 * n * (b >= 3) + 0.25 * dem
        if frail:
            codes.append("FRAIL")
        if b >= 1 and r() < (
            P_PC[b] + 0.08 * can + 0.03 * hf + 0.04 * (dem and b >= 4) + 0.03 * frail
        ):
            codes.append("PC")
        if not codes and r() < 0.7:
            codes.append(FIRST_CONDITION[int(r() * len(FIRST_CONDITION))])
        if len(codes) > MAX_CONDITIONS:
            keep = set(self.rng.sample(codes, MAX_CONDITIONS))
            codes = [c for c in codes if c in keep]
        return codes

    def _carers(self, p: _Person, group: _Group, female: bool, family: str) -> None:
        """One carer (sometimes two): spouse or child at home, else family or neighbours."""
        r = self.rng.random
        for n in range(2 if r() < 0.15 else 1):
            lives_with = False
            if "LD" in p.codes and p.age < 60:
                relation = ("mother", "mother", "father", "sister", "brother")[int(r() * 5)]
                lives_with = n == 0 and r() < 0.8
            elif n == 0 and not p.lives_alone and p.age >= 40 and r() < 0.75:
                relation = "partner" if r() < 0.06 else ("husband" if female else "wife")
                lives_with = True
            elif n == 0 and not p.lives_alone:
                relation = "daughter" if r() < 0.6 else "son"
                lives_with = True
            else:
                relation = CARER_AWAY[bisect.bisect(CARER_AWAY_CUM, r() * 100)]
            carer_female = relation in CARER_FEMALE or (
                relation in ("neighbour", "friend", "partner") and r() < 0.6
            )
            if relation in ("neighbour", "friend"):
                g = self.groups[bisect.bisect(self.group_cum, r() * self.group_cum[-1])]
                surname = g.family[int(r() * len(g.family))]
            else:
                g = group
                keep = relation in CARER_SAME_SURNAME or r() < 0.5
                surname = family if keep else g.family[int(r() * len(g.family))]
            if relation in ("mother", "father"):
                young = False
            elif relation in CARER_SAME_GENERATION:
                young = p.age < 58
            else:
                young = p.age < 95
            pool = g.given(carer_female, young)
            x = r()
            phone = (
                None
                if x < 0.05
                else f"07700 900{int(r() * 1000):03d}"
                if x < 0.85
                else f"0116 496 0{int(r() * 1000):03d}"
            )
            offered = r() < 0.55
            self.rows[CARER_T].append(
                {
                    "id": self._new_id(CARER_T),
                    "patient_id": p.pid,
                    "name": f"{pool[int(r() * len(pool))]} {surname}",
                    "relationship_to_patient": relation,
                    "phone": phone,
                    "lives_with_patient": lives_with,
                    "offered_support": offered,
                    "support_offered_on": (
                        _days_before(p.ref, r(), 7, 730, p.adult_from) if offered else None
                    ),
                }
            )

    # ------------------------------------------------------------------ caseloads

    def _matron_targets(self, population: int, living: int) -> list[int]:
        randint = self.rng.randint
        overloaded, calm = randint(*OVERLOADED_MATRON), randint(*MATRON)
        targets = [overloaded if population >= OVERLOAD_FROM else calm]
        targets += [randint(*MATRON), randint(*MATRON)]
        cap, total = int(living * LEVEL3_CAP), sum(targets)
        if total > cap:
            targets = [t * cap // total for t in targets]
        return targets

    def _pick_staff(self, role: Role) -> int:
        staff = self.staff_by_role[role]
        return staff[int(self.rng.random() * len(staff))]

    def _level2_worker(self, p: _Person) -> int:
        """Disease-specific care: the profession whose pathway fits the conditions."""
        c = p.codes
        weights = (
            3 + 3 * ("FRAIL" in c) + 2 * ("PC" in c) + (p.age >= 80) + ("DM" in c),
            1 + 2 * (len(c) >= 4) + ("HF" in c) + ("DM" in c),
            0.3 + 4 * ("DEP" in c or "SMI" in c) + 1.5 * ("DEM" in c),
            0.5 + 2 * ("COPD" in c) + 1.5 * ("OA" in c) + 1.5 * ("STIA" in c),
            0.5 + 2 * ("FRAIL" in c) + 1.5 * ("STIA" in c) + ("DEM" in c),
            0.5 + 2 * ("DEM" in c) + 1.5 * p.lives_alone + ("LD" in c),
        )
        cum = _cumulative(weights)
        return self._pick_staff(self.level2_roles[bisect.bisect(cum, self.rng.random() * cum[-1])])

    def _worker(self, level: int, p: _Person) -> int:
        if level == 3:
            return self._pick_staff(Role.COMMUNITY_MATRON)
        if level == 2:
            return self._level2_worker(p)
        cum = self.level1_cum
        return self._pick_staff(self.level1_roles[bisect.bisect(cum, self.rng.random() * cum[-1])])

    def caseloads(self) -> None:
        """Level 3 for the most complex, then levels 2 and 1; the rest are on no caseload."""
        rng = self.rng
        living = sorted((p for p in self.people if not p.dead), key=lambda p: -p.score)
        targets = self._matron_targets(len(self.people), len(living))
        level3 = living[: sum(targets)]
        rest = living[len(level3) :]
        # Levels 2 and 1 follow complexity loosely, not strictly.
        order = sorted(range(len(rest)), key=lambda i: -(rest[i].score + rng.gauss(0, 1.5)))
        n2 = round(len(living) * LEVEL2_SHARE)
        n1 = round(len(living) * LEVEL1_SHARE)

        shuffled = level3[:]
        rng.shuffle(shuffled)  # each matron gets a mix
        start = 0
        for matron, size in zip(self.matrons, targets, strict=True):
            for p in shuffled[start : start + size]:
                self._assign(p, 3, matron)
            start += size
        for i in order[:n2]:
            self._assign(rest[i], 2, self._level2_worker(rest[i]))
        for i in order[n2 : n2 + n1]:
            self._assign(rest[i], 1, self._worker(1, rest[i]))
        self.on_caseload = len(self.key_worker)

        # Many who died were on a caseload; their last assignment ended with the death.
        threshold = level3[-1].score if level3 else float("inf")
        for p in self.people:
            if p.dead and rng.random() < (0.8 if p.score >= threshold else 0.5):
                level = 3 if p.score >= threshold else (1, 2, 2)[int(rng.random() * 3)]
                self._assign(p, level, self._worker(level, p), died=True)

    def _assign(self, p: _Person, level: int, worker: int, *, died: bool = False) -> None:
        """The current assignment, after an earlier ended one for some (the history)."""
        r = self.rng.random
        start = _days_before(p.ref, r(), 14, 900, p.adult_from)
        start_change = AssignmentChange.ACCEPTED.value
        start_reason = self._choice(ACCEPT_REASONS_L3 if level == 3 else ACCEPT_REASONS)
        if r() < HISTORY_SHARE:
            prior_level, change, reason = self._history_kind(level)
            prior_worker = self._worker(prior_level, p)
            if change == AssignmentChange.TRANSFER.value:
                roles = (
                    (Role.COMMUNITY_MATRON,)
                    if level == 3
                    else self.level2_roles
                    if level == 2
                    else self.level1_roles
                )
                others = [s for role in roles for s in self.staff_by_role[role] if s != worker]
                prior_worker = self._choice(others)
            prior_start = _days_before(start, r(), 60, 1000, p.adult_from)
            prior_reason = self._choice(ACCEPT_REASONS_L3 if prior_level == 3 else ACCEPT_REASONS)
            self._assignment_row(
                p.pid,
                prior_level,
                prior_worker,
                prior_start,
                AssignmentChange.ACCEPTED.value,
                prior_reason,
                start,
                change,
                reason,
            )
            start_change, start_reason = change, reason
        if died:
            self._assignment_row(
                p.pid,
                level,
                worker,
                start,
                start_change,
                start_reason,
                p.ref,
                AssignmentChange.DEATH.value,
                self._choice(DEATH_REASONS),
            )
        else:
            self.key_worker[p.pid] = worker
            self._assignment_row(
                p.pid, level, worker, start, start_change, start_reason, None, None, None
            )

    def _choice(self, items: Sequence[Any]) -> Any:
        return items[int(self.rng.random() * len(items))]

    def _history_kind(self, level: int) -> tuple[int, str, str]:
        """(earlier level, how it ended, why) for someone now at ``level``."""
        x = self.rng.random()
        up = AssignmentChange.STEP_UP.value
        down = AssignmentChange.STEP_DOWN.value
        transfer = AssignmentChange.TRANSFER.value
        if level == 3:
            if x < 0.7:
                return (2 if x < 0.5 else 1), up, self._choice(STEP_UP_REASONS_L3)
            return 3, transfer, self._choice(TRANSFER_REASONS[:3])
        if level == 2:
            if x < 0.4:
                return 3, down, self._choice(STEP_DOWN_REASONS)
            if x < 0.8:
                return 1, up, self._choice(STEP_UP_REASONS)
            return 2, transfer, self._choice(TRANSFER_REASONS)
        if x < 0.7:
            return 2, down, self._choice(STEP_DOWN_REASONS)
        return 1, transfer, self._choice(TRANSFER_REASONS)

    def _assignment_row(
        self,
        patient_id: int,
        level: int,
        worker: int,
        start: date,
        start_change: str,
        start_reason: str | None,
        end: date | None,
        end_change: str | None,
        end_reason: str | None,
    ) -> None:
        self.rows[ASSIGNMENT_T].append(
            {
                "id": self._new_id(ASSIGNMENT_T),
                "patient_id": patient_id,
                "key_worker_id": worker,
                "level": level,
                "start_date": start,
                "start_change": start_change,
                "start_reason": start_reason,
                "end_date": end,
                "end_change": end_change,
                "end_reason": end_reason,
                "created_by_id": self.team_lead if self.rng.random() < 0.6 else worker,
                "created_at": self.now,
            }
        )

    # ------------------------------------------------------------------ consent

    def consents(self) -> None:
        """~85% given, ~5% declined, ~5% not asked, the rest with no record yet."""
        r = self.rng.random
        table = CONSENT_T
        rows = self.rows[table]
        given = ConsentStatus.GIVEN.value
        declined = ConsentStatus.DECLINED.value
        not_asked = ConsentStatus.NOT_ASKED.value
        takers = self.consent_takers
        for p in self.people:
            x = r()
            if x >= 0.95:
                continue
            status = given if x < 0.85 else declined if x < 0.90 else not_asked
            by = self.key_worker.get(p.pid) or takers[int(r() * len(takers))]
            recorded = _days_before(p.ref, r(), 7, 1400, p.adult_from)
            if status == given and r() < 0.03 and (recorded - p.adult_from).days > 400:
                # Declined at first, agreed later: the newest record is the current one.
                rows.append(
                    {
                        "id": self._new_id(table),
                        "patient_id": p.pid,
                        "status": declined,
                        "recorded_on": recorded - timedelta(days=60 + int(r() * 340)),
                        "recorded_by_id": takers[int(r() * len(takers))],
                        "note": self._choice(DECLINED_NOTES),
                    }
                )
            rows.append(
                {
                    "id": self._new_id(table),
                    "patient_id": p.pid,
                    "status": status,
                    "recorded_on": recorded,
                    "recorded_by_id": by,
                    "note": self._choice(DECLINED_NOTES) if status == declined else None,
                }
            )

    # ------------------------------------------------------------------ writing

    def write(self, conn: Connection) -> None:
        """executemany in chunks, parents before children."""
        for table in WRITE_ORDER:
            rows = self.rows[table]
            for start in range(0, len(rows), CHUNK):
                conn.execute(insert(table), rows[start : start + CHUNK])
        sync_id_sequences(conn, [t for t in WRITE_ORDER if self.rows[t]])
