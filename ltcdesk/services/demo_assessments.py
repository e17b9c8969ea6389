"""Demo single assessments: holistic assessments for most people on a caseload.

A pass of the demo generator run after the caseloads and care plans have been written.
Most people with a key worker have had one to three completed assessments over the past
two years, face to face or by telephone, by their key worker (sometimes the team lead):
the first soon after they joined the caseload, each later one pre-filled from the one
before with a few domains changed, as the service's ``start`` does. Values follow the
person: Barthel skewed to dependent on case management, medicines counts rising with the
number of conditions (so some are polypharmacy), falls and fear of falling with frailty.
A few needs per assessment are identified in a few words. A couple of people have a new
assessment in progress (a draft, partly confirmed).

Each assessment is 18 domain rows, so they are streamed to the database in chunks
(``RowSink``) rather than held in memory until the end, and each key worker has assessed
at most ``PER_WORKER`` people: in a 100,000-patient benchmark that is some 2,200
assessments (40,000 domain rows), not one for each of the 37,000 people on a caseload.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from json.encoder import encode_basestring_ascii
from typing import Any

from sqlalchemy import Connection

from ltcdesk.domain import assessment_domains as ad
from ltcdesk.models import Assessment, AssessmentDomain
from ltcdesk.services.demo_assessment_words import FAITH, IADL_WORDS, NOTES, WHAT_MATTERS
from ltcdesk.services.demo_rows import (
    ASSIGNMENT_T,
    CARER_T,
    PATIENT_T,
    STAFF_T,
    DemoRows,
    Person,
    RowSink,
    table_of,
)

ASSESSMENT_T, ASSESSMENT_DOMAIN_T = table_of(Assessment), table_of(AssessmentDomain)
ASSESSMENT_TABLES = (ASSESSMENT_T, ASSESSMENT_DOMAIN_T)

# Share of people on each level with at least one completed assessment.
ASSESS_SHARE = {3: 0.95, 2: 0.85, 1: 0.55}
# Chance of 1, 2 (cumulative) then 3 assessments, by level.
COUNT_CUM = {3: (0.30, 0.70), 2: (0.50, 0.85), 1: (0.70, 0.95)}
FACE_TO_FACE = {3: 0.85, 2: 0.70, 1: 0.50}
WINDOW_DAYS = 730  # assessments over the past two years
GAP_DAYS = (120, 300)  # between one assessment and the next
BY_TEAM_LEAD = 0.2
NOTE_SHARE = 0.22  # per domain
# Chance of 0, 1, 2, 3 (cumulative) then 4 needs identified.
NEEDS_CUM = (0.15, 0.45, 0.75, 0.90)
# People assessed per key worker, at most: about what one practitioner gets through in two
# years alongside their visits. It binds only in demos larger than a real team's population
# (from some 3,000 patients), which keeps the 100,000-patient benchmark quick: caseloads
# are taken level 3 first, then 2, then 1, as the caseload pass lists them.
PER_WORKER = 150
DRAFTS = 2  # people with an assessment in progress (a few more in very large demos)

DOMAIN_KEYS = tuple(d.key for d in ad.DOMAINS)


@dataclass(slots=True)
class _Ctx:
    """What the values of one person's assessment follow."""

    level: int
    age: int
    codes: frozenset[str]
    lives_alone: bool
    has_carer: bool
    language: str | None
    interpreter: bool
    dependency: float  # 0 (independent) to 1 (fully dependent); drifts up over time
    on: date


class AssessmentPass(DemoRows):
    """Completed (and a couple of draft) assessments for people with a key worker."""

    assessments_made = 0

    def assessments(self, conn: Connection) -> None:
        r = self.rng.random
        sink = RowSink(conn, ASSESSMENT_TABLES)
        self._as_confirmed = "confirmed" in ASSESSMENT_DOMAIN_T.c
        self._as_roles = {row["id"]: row["role"] for row in self.rows[STAFF_T]}
        people = {p.pid: p for p in self.people}
        patients = {row["id"]: row for row in self.rows[PATIENT_T]}
        carers = {row["patient_id"] for row in self.rows[CARER_T]}
        opened = [a for a in self.rows[ASSIGNMENT_T] if a["end_date"] is None]
        level3 = [a["patient_id"] for a in opened if a["level"] == 3]
        pool = level3 or [a["patient_id"] for a in opened]
        drafts = DRAFTS + min(4, len(opened) // 5000)
        draft_for = set(self.rng.sample(pool, min(drafts, len(pool))))
        assessed: dict[int, int] = {}  # people assessed, by key worker
        for a in opened:
            pid, level, worker = a["patient_id"], a["level"], a["key_worker_id"]
            if pid not in draft_for and assessed.get(worker, 0) >= PER_WORKER:
                continue
            if pid not in draft_for and r() >= ASSESS_SHARE[level]:
                continue
            assessed[worker] = assessed.get(worker, 0) + 1
            person, row = people[pid], patients[pid]
            ctx = _Ctx(
                level=level,
                age=person.age,
                codes=person.codes,
                lives_alone=person.lives_alone,
                has_carer=pid in carers,
                language=row["language"],
                interpreter=bool(row["interpreter_needed"]),
                dependency=self._as_dependency(level, person),
                on=self.today,
            )
            self._as_person(sink, pid, a, ctx, pid in draft_for)
            sink.maybe_flush()
        sink.close()
        self.assessments_made = sink.written[ASSESSMENT_T]

    def _as_dependency(self, level: int, p: Person) -> float:
        r = self.rng.random
        base = {3: 0.55, 2: 0.3, 1: 0.12}[level] + 0.15 * ("FRAIL" in p.codes)
        base += 0.1 * ("DEM" in p.codes) + 0.1 * ("STIA" in p.codes) + (p.age - 75) / 200
        return min(0.97, max(0.0, base + (r() - 0.5) * 0.4))

    def _as_dates(self, start: date, level: int) -> list[date]:
        """The completed assessments' dates: the first soon after joining the caseload
        (or within the window), each later one a few months on, none in the last days."""
        r = self.rng.random
        x = r()
        low, mid = COUNT_CUM[level]
        target = 1 if x < low else 2 if x < mid else 3
        floor = self.today - timedelta(days=WINDOW_DAYS)
        latest = self.today - timedelta(days=3)
        if start >= floor:
            first = start + timedelta(days=int(r() * 30))
        else:
            first = floor + timedelta(days=int(r() * 200))
        first = min(first, latest)
        dates = [first]
        while len(dates) < target:
            nxt = dates[-1] + timedelta(days=GAP_DAYS[0] + int(r() * (GAP_DAYS[1] - GAP_DAYS[0])))
            if nxt > latest:
                break
            dates.append(nxt)
        return dates

    def _as_person(
        self, sink: RowSink, pid: int, a: dict[str, Any], ctx: _Ctx, draft: bool
    ) -> None:
        r = self.rng.random
        worker = a["key_worker_id"]
        dates = self._as_dates(a["start_date"], ctx.level)
        previous: dict[str, tuple[str, str | None, bool, str | None]] = {}
        for i, on in enumerate(dates):
            ctx.on = on
            if i:
                ctx.dependency = min(0.97, max(0.0, ctx.dependency + r() * 0.15 - 0.04))
            content = self._as_content(ctx, previous)
            self._as_write(sink, pid, on, worker, ctx.level, "complete", content, len(DOMAIN_KEYS))
            previous = content
        if draft:
            on = max(dates[-1], self.today - timedelta(days=int(r() * 5)))
            ctx.on = on
            content = self._as_content(ctx, previous, changes=2)
            confirmed = int(r() * len(DOMAIN_KEYS))
            self._as_write(sink, pid, on, worker, ctx.level, "draft", content, confirmed)

    def _as_write(
        self,
        sink: RowSink,
        pid: int,
        on: date,
        worker: int,
        level: int,
        status: str,
        content: dict[str, tuple[str, str | None, bool, str | None]],
        confirmed: int,
    ) -> None:
        """One assessment and its 18 domains; the first ``confirmed`` domains confirmed."""
        r = self.rng.random
        assessor = self.team_lead if r() < BY_TEAM_LEAD else worker
        aid = sink.new_id(ASSESSMENT_T)
        at = datetime.combine(on, time(9 + aid % 8, aid * 13 % 60))
        sink.add(
            ASSESSMENT_T,
            {
                "id": aid,
                "patient_id": pid,
                "assessed_on": on,
                "mode": "face_to_face" if r() < FACE_TO_FACE[level] else "telephone",
                "assessor_id": assessor,
                "assessor_role": self._as_roles[assessor],
                "status": status,
                "created_at": at,
                "created_by_id": assessor,
                "updated_at": at,
                "updated_by_id": assessor,
                "lock_version": 1,
            },
        )
        for n, key in enumerate(DOMAIN_KEYS):
            fields_json, note, need, need_text = content[key]
            row = {
                "id": sink.new_id(ASSESSMENT_DOMAIN_T),
                "assessment_id": aid,
                "domain": key,
                "fields_json": fields_json,
                "note": note,
                "need_identified": need,
                "need_text": need_text,
            }
            if self._as_confirmed:
                row["confirmed"] = n < confirmed
            sink.add(ASSESSMENT_DOMAIN_T, row)

    def _as_content(
        self,
        ctx: _Ctx,
        previous: dict[str, tuple[str, str | None, bool, str | None]],
        changes: int | None = None,
    ) -> dict[str, tuple[str, str | None, bool, str | None]]:
        """Every domain's (fields as JSON, note, need?, need): new for a first assessment;
        pre-filled from ``previous`` with a few domains re-assessed for a later one."""
        r = self.rng.random
        if previous:
            count = changes if changes is not None else 2 + int(r() * 4)
            redo = {self._choice(_CHANGEABLE) for _ in range(count)}
        else:
            redo = set(DOMAIN_KEYS)
        fields: dict[str, dict[str, object]] = {}
        out: dict[str, tuple[str, str | None, bool, str | None]] = {}
        for key in DOMAIN_KEYS:
            if key in redo:
                values = _GENERATORS[key](self, ctx)
                fields[key] = values
                notes = NOTES[key]
                note = self._choice(notes) if notes and r() < NOTE_SHARE else None
                out[key] = (_dumps(values), note, False, None)
            else:
                out[key] = previous[key]
        # Needs: kept from last time unless re-assessed (then some are met), plus new ones
        # from what the re-assessed domains show, up to four in all.
        x = r()
        wanted = next((n for n, c in enumerate(NEEDS_CUM) if x < c), len(NEEDS_CUM))
        kept = [k for k, v in out.items() if v[2]]
        candidates = [(k, t) for k, values in fields.items() for t in _needs(k, values, ctx)]
        self.rng.shuffle(candidates)
        for key, text in candidates:
            if len(kept) >= wanted:
                break
            if key not in kept:
                fields_json, note, _, _ = out[key]
                out[key] = (fields_json, note, True, text)
                kept.append(key)
        return out

    # ------------------------------------------------------------------ domain values

    def _as_yes(self, p: float) -> bool:
        return self.rng.random() < p

    def _as_int(self, low: int, high: int) -> int:
        return low + int(self.rng.random() * (high - low + 1))

    def _dom_conditions(self, c: _Ctx) -> dict[str, object]:
        burden = min(10, max(0, round(2 + 7 * c.dependency + self.rng.gauss(0, 1.3))))
        admissions = self._as_int(0, 4) if c.level == 3 else int(self._as_yes(0.15))
        return {
            "symptom_burden": burden,
            "unplanned_admissions_12m": admissions,
            "end_of_life": "PC" in c.codes or (c.level == 3 and self._as_yes(0.04)),
        }

    def _dom_medicines(self, c: _Ctx) -> dict[str, object]:
        count = 2 + 2 * len(c.codes) + c.level + self._as_int(-2, 3)
        review = c.on - timedelta(days=self._as_int(10, 420))
        return {
            "regular_medicines": min(18, max(2, count)),
            "adherence_concerns": self._as_yes(0.12 + 0.3 * ("DEM" in c.codes)),
            "last_review": review.isoformat(),
        }

    def _dom_mental_health(self, c: _Ctx) -> dict[str, object]:
        low = "DEP" in c.codes or self._as_yes(0.15)
        return {
            "phq2": self._as_int(2, 5) if low else self._as_int(0, 2),
            "low_mood": low,
            "anxiety": self._as_yes(0.45 if low else 0.15),
        }

    def _dom_memory(self, c: _Ctx) -> dict[str, object]:
        dementia = "DEM" in c.codes
        concerns = dementia or self._as_yes(0.05 + max(0, c.age - 75) / 80)
        return {
            "memory_concerns": concerns,
            "dementia_diagnosis": dementia,
            "six_cit": self._as_int(10, 24) if dementia else self._as_int(0, 9 if concerns else 4),
        }

    def _dom_daily_living(self, c: _Ctx) -> dict[str, object]:
        barthel = round(ad.BARTHEL_MAX * (1 - c.dependency) + self.rng.gauss(0, 1.5))
        barthel = min(ad.BARTHEL_MAX, max(0, barthel))
        iadl = min(len(ad.IADL_ITEMS), max(0, round(barthel * 0.4 + self.rng.gauss(0, 1))))
        values: dict[str, object] = {"barthel_total": barthel, "iadl_total": iadl}
        missing = len(ad.IADL_ITEMS) - iadl
        if missing:
            help_with = self.rng.sample(ad.IADL_ITEMS, missing)
            words = [IADL_WORDS[k] for k in ad.IADL_ITEMS if k in help_with][:4]
            values["iadl_help_with"] = ", ".join(words).capitalize()
        return values

    def _dom_mobility_falls(self, c: _Ctx) -> dict[str, object]:
        falls = max(0, round(self.rng.gauss(4 * c.dependency - 1, 1.2)))
        aid = (
            "wheelchair"
            if c.dependency > 0.85
            else "frame"
            if c.dependency > 0.55
            else "stick"
            if c.dependency > 0.3
            else "none"
        )
        return {
            "falls_last_12_months": falls,
            "fear_of_falling": self._as_yes(0.7 if falls else 0.2),
            "walking_aid": aid,
        }

    def _dom_nutrition(self, c: _Ctx) -> dict[str, object]:
        loss = self._as_yes(0.08 + 0.2 * c.dependency)
        must = min(6, (2 if loss else 0) + int(self._as_yes(0.15)) + int(c.dependency > 0.8))
        return {
            "must_score": must,
            "weight_loss": loss,
            "swallowing_problems": self._as_yes(
                0.03 + 0.15 * ("STIA" in c.codes or "DEM" in c.codes)
            ),
        }

    def _dom_continence(self, c: _Ctx) -> dict[str, object]:
        bladder = self._as_yes(0.15 + 0.4 * c.dependency)
        return {
            "bladder_problems": bladder,
            "bowel_problems": self._as_yes(0.05 + 0.2 * c.dependency),
            "uses_pads": bladder and self._as_yes(0.6),
        }

    def _dom_skin(self, c: _Ctx) -> dict[str, object]:
        risk = "high" if c.dependency > 0.75 else "medium" if c.dependency > 0.45 else "low"
        return {
            "pressure_damage": risk == "high" and self._as_yes(0.15),
            "wounds": self._as_yes(0.04 + 0.12 * c.dependency),
            "pressure_risk": risk,
        }

    def _dom_sensory(self, c: _Ctx) -> dict[str, object]:
        hearing = self._as_yes(0.1 + max(0, c.age - 60) / 70)
        return {
            "sight_problems": self._as_yes(0.08 + max(0, c.age - 65) / 90),
            "hearing_problems": hearing,
            "hearing_aids": hearing and self._as_yes(0.6),
        }

    def _dom_housing(self, c: _Ctx) -> dict[str, object]:
        x = self.rng.random()
        tenure = (
            "owner"
            if x < 0.6
            else "social_rented"
            if x < 0.85
            else "private_rented"
            if x < 0.95
            else "other"
        )
        return {
            "tenure": tenure,
            "home_hazards": self._as_yes(0.1 + 0.3 * c.dependency),
            "warm_enough": self._as_yes(0.85),
            "smoke_alarm": self._as_yes(0.9),
        }

    def _dom_money(self, c: _Ctx) -> dict[str, object]:
        worries = self._as_yes(0.22)
        return {
            "money_worries": worries,
            "benefits_check_wanted": worries and self._as_yes(0.6),
            "attendance_allowance": c.dependency > 0.4 and self._as_yes(0.55),
        }

    def _dom_social_contact(self, c: _Ctx) -> dict[str, object]:
        x = self.rng.random() + 0.25 * c.lives_alone
        return {
            "lives_alone": c.lives_alone,
            "loneliness": "often" if x > 0.9 else "sometimes" if x > 0.5 else "never",
            "contacts_per_week": self._as_int(0, 6) if c.lives_alone else self._as_int(3, 20),
        }

    def _dom_carers(self, c: _Ctx) -> dict[str, object]:
        values: dict[str, object] = {"has_carer": c.has_carer}
        if c.has_carer:
            values["carer_strain"] = min(
                10, max(0, round(3 + 6 * c.dependency + self.rng.gauss(0, 1.5)))
            )
            values["carer_assessment_offered"] = self._as_yes(0.6)
        return values

    def _dom_work(self, c: _Ctx) -> dict[str, object]:
        if c.age >= 66:
            status = "volunteering" if self._as_yes(0.04) else "retired"
        else:
            x = self.rng.random()
            status = "employed" if x < 0.35 else "unable_to_work" if x < 0.8 else "unemployed"
        return {"status": status, "wants_support": status != "retired" and self._as_yes(0.2)}

    def _dom_spiritual(self, c: _Ctx) -> dict[str, object]:
        return {
            "faith_or_culture": self._choice(FAITH),
            "language": c.language or "English",
            "interpreter_needed": c.interpreter,
        }

    def _dom_what_matters(self, c: _Ctx) -> dict[str, object]:
        return {"in_my_words": self._choice(WHAT_MATTERS)}

    def _dom_risks(self, c: _Ctx) -> dict[str, object]:
        level = "high" if c.dependency > 0.75 else "medium" if c.dependency > 0.4 else "low"
        return {
            "safeguarding_concern": self._as_yes(0.015),
            "self_neglect": c.lives_alone and self._as_yes(0.03),
            "risk_level": level,
        }


_GENERATORS: dict[str, Callable[[AssessmentPass, _Ctx], dict[str, object]]] = {
    key: getattr(AssessmentPass, f"_dom_{key}") for key in DOMAIN_KEYS
}
# What a later assessment re-assesses (faith, language and work rarely change).
_CHANGEABLE = tuple(k for k in DOMAIN_KEYS if k not in ("spiritual", "work"))


def _dumps(values: dict[str, object]) -> str:
    """``json.dumps(values, sort_keys=True)`` for flat values, as the service stores
    them, five times quicker (it is called for every domain re-assessed)."""
    parts = []
    for key in sorted(values):
        v = values[key]
        text = (
            ("true" if v else "false")
            if isinstance(v, bool)
            else str(v)
            if isinstance(v, int)
            else encode_basestring_ascii(str(v))
        )
        parts.append(f'"{key}": {text}')
    return "{" + ", ".join(parts) + "}"


def _needs(key: str, v: dict[str, object], c: _Ctx) -> tuple[str, ...]:
    """Needs a re-assessed domain's values suggest, worded as an assessor would."""

    def num(name: str) -> int:
        value = v.get(name, 0)
        return value if isinstance(value, int) else 0

    match key:
        case "conditions" if num("symptom_burden") >= 6:
            if "COPD" in c.codes:
                return ("Breathless on small exertion; unsure when to start the rescue pack",)
            if "HF" in c.codes:
                return ("Ankles swelling again; not weighing daily",)
            return ("Pain stops them sleeping; wants it reviewed",)
        case "medicines" if num("regular_medicines") >= ad.POLYPHARMACY_AT:
            return (
                "Too many tablets; would like a structured medicines review",
                "Muddled about which tablets to take when; needs a dosette box",
            )
        case "medicines" if v.get("adherence_concerns"):
            return ("Often forgets the evening tablets",)
        case "mental_health" if v.get("low_mood"):
            return ("Low mood since coming out of hospital", "Feels low and tearful most days")
        case "memory" if v.get("memory_concerns") and not v.get("dementia_diagnosis"):
            return ("Family worried about memory; not yet assessed",)
        case "daily_living" if num("barthel_total") <= 14:
            return (
                "Struggles with stairs to the bathroom",
                "Needs help washing and dressing in the mornings",
                "Cannot get in and out of the bath",
            )
        case "mobility_falls" if num("falls_last_12_months") >= 2:
            return ("Two falls in the kitchen since the summer", "Needs a second stair rail")
        case "mobility_falls" if v.get("fear_of_falling"):
            return ("Frightened of falling when going out",)
        case "nutrition" if v.get("weight_loss"):
            return ("Not eating properly; lost weight since the spring",)
        case "continence" if v.get("bladder_problems"):
            return ("Up several times a night to pass water; needs a continence assessment",)
        case "skin" if v.get("pressure_damage") or v.get("wounds"):
            return ("Sore heels; needs a pressure-relieving mattress", "Leg ulcer slow to heal")
        case "sensory" if v.get("hearing_problems"):
            return ("Hearing aid not working; needs an audiology appointment",)
        case "sensory" if v.get("sight_problems"):
            return ("Struggles to read letters; would like large print",)
        case "housing" if not v.get("warm_enough"):
            return ("House is cold; the boiler keeps failing",)
        case "housing" if v.get("home_hazards"):
            return ("Loose stair carpet and poor lighting on the landing",)
        case "housing" if not v.get("smoke_alarm"):
            return ("No working smoke alarm",)
        case "money" if v.get("money_worries"):
            return (
                "Worried about heating bills",
                "Not claiming Attendance Allowance; wants a benefits check",
                "Behind with the council tax",
            )
        case "social_contact" if v.get("loneliness") == "often":
            return ("Feels lonely most days; would like company", "Has not been out for weeks")
        case "carers" if num("carer_strain") >= 7:
            return ("Main carer exhausted; needs a carer's assessment",)
        case "spiritual" if v.get("interpreter_needed"):
            return (f"Needs a {v.get('language')} interpreter for appointments",)
        case "risks" if v.get("self_neglect"):
            return ("Self-neglect concerns: house untidy and the fridge empty",)
    return ()
