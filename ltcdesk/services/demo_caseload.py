"""Demo caseloads and consent: who is on which level, with whom, and since when.

The last passes of the demo generator, over the people already generated: the most
complex go to the three matrons (one deliberately over the limit), others to levels 2
and 1, some with an earlier assignment (step up, step down, transfer) as history.
"""

from __future__ import annotations

import bisect
from datetime import date, timedelta

from ltcdesk.domain.vocab import AssignmentChange, ConsentStatus, Role
from ltcdesk.services.demo_rows import (
    ASSIGNMENT_T,
    CONSENT_T,
    DemoRows,
    Person,
    cumulative,
    days_before,
)

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

# Reasons as a team would word them in the record, picked at random.
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


class CaseloadPass(DemoRows):
    """Caseload assignments and consent records, after the people pass has run."""

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

    def _level2_worker(self, p: Person) -> int:
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
        cum = cumulative(weights)
        return self._pick_staff(self.level2_roles[bisect.bisect(cum, self.rng.random() * cum[-1])])

    def _worker(self, level: int, p: Person) -> int:
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

    def _assign(self, p: Person, level: int, worker: int, *, died: bool = False) -> None:
        """The current assignment, after an earlier ended one for some (the history)."""
        r = self.rng.random
        start = days_before(p.ref, r(), 14, 900, p.adult_from)
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
            prior_start = days_before(start, r(), 60, 1000, p.adult_from)
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
            recorded = days_before(p.ref, r(), 7, 1400, p.adult_from)
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
