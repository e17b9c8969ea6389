"""Demo patients: who they are, where they live, their conditions and their carers.

The hot pass of the demo generator (one iteration per patient, 100,000 in seconds), so
it trades a little elegance for local variables and few calls. Names and streets come
from ``resources/demo/``; telephone numbers are in Ofcom's ranges reserved for drama.
"""

from __future__ import annotations

import bisect
import json
import random
from dataclasses import dataclass
from datetime import date, timedelta
from functools import lru_cache
from typing import Any

from ltcdesk.domain.vocab import ContactMethod, Sex
from ltcdesk.services.demo_clinical import ENDINGS, ONSET, draw_conditions
from ltcdesk.services.demo_rows import (
    CARER_T,
    CONDITION_T,
    PATIENT_T,
    RESOURCES,
    DemoRows,
    Person,
    cumulative,
    days_before,
)
from ltcdesk.services.demo_team import PRACTICES

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
P_DEATH = (0.0005, 0.0005, 0.002, 0.0045, 0.011)
P_CARER = (0.06, 0.06, 0.10, 0.18, 0.32)
# Preferred contact (phone, home visit, letter, email, text), cumulative, by age.
CONTACT_OLDER = (0.55, 0.68, 0.85, 0.90, 1.0)
CONTACT_YOUNGER = (0.40, 0.43, 0.50, 0.70, 1.0)
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


class PeoplePass(DemoRows):
    """Patients with their conditions and carers, after the team pass has run."""

    def __init__(self, rng: random.Random, today: date, actor: str) -> None:
        super().__init__(rng, today, actor)
        self.groups = _load_names()
        self.group_cum = cumulative([g.weight for g in self.groups])

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
        band_cum = cumulative([w for _, _, w in AGE_BANDS])
        groups, group_cum = self.groups, self.group_cum
        practice_ids = self.practice_ids
        practice_cum = cumulative([share for _, _, share in PRACTICES])
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

            codes = draw_conditions(self.rng, band, female, lives_alone)
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
                    diagnosed = days_before(ref, r(), 30, years_back * 365, earliest)
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
            person = Person(
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

    def _carers(self, p: Person, group: _Group, female: bool, family: str) -> None:
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
                        days_before(p.ref, r(), 7, 730, p.adult_from) if offered else None
                    ),
                }
            )
