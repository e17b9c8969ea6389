"""The demo team: four practices and an integrated locality team of fourteen staff.

The first pass of the demo generator: it reads what the database already holds (ids in use,
practices and a team set up by hand) so the generated rows fit around it.
"""

from __future__ import annotations

import functools

from sqlalchemy import Connection, Table, func, insert, select

from ltcdesk.domain.errors import ConflictError
from ltcdesk.domain.passwords import DEMO_PASSWORD as DEMO_PASSWORD
from ltcdesk.domain.vocab import Role
from ltcdesk.models import team_practices
from ltcdesk.models.sign_in import DEMO_DATABASE_KEY
from ltcdesk.models.staff import Setting
from ltcdesk.services.accounts import hash_password
from ltcdesk.services.demo_rows import (
    PRACTICE_T,
    STAFF_T,
    TEAM_T,
    WRITE_ORDER,
    DemoRows,
    cumulative,
)

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
# Every demo account signs in with DEMO_PASSWORD (printed by ``ltcdesk demo``, given in the
# README), and only on a database carrying the demo marker that ``mark_demo`` writes.
SETTING_T: Table = Setting.__table__  # type: ignore[assignment]


@functools.cache
def demo_password_hash() -> str:
    """One Argon2 hash of DEMO_PASSWORD shared by every demo account (and every demo
    database this process makes). A hash embeds its own random salt, so sharing one makes
    the accounts' hashes identical: acceptable for demo data whose password is published
    anyway, never for real accounts. Hashing once keeps the generator quick."""
    return hash_password(DEMO_PASSWORD)


def mark_demo(conn: Connection, actor: str) -> None:
    """Mark the database as a demo, in the generator's transaction: only there does the
    published demo password sign in."""
    marked = conn.execute(
        select(SETTING_T.c.key).where(SETTING_T.c.key == DEMO_DATABASE_KEY)
    ).first()
    if marked is None:
        conn.execute(
            insert(SETTING_T).values(key=DEMO_DATABASE_KEY, value="yes", updated_by=actor[:40])
        )


def _max_id(conn: Connection, table: Table) -> int:
    return int(conn.execute(select(func.coalesce(func.max(table.c.id), 0))).scalar_one())


class TeamPass(DemoRows):
    """Practices, the team and its staff, and who can hold which level of caseload."""

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
        # The team cares for its practices' patients (need to know), so its staff see them.
        tp = team_practices
        linked = set(
            conn.execute(select(tp.c.practice_id).where(tp.c.team_id == team_id)).scalars()
        )
        self.team_links = [
            {"team_id": team_id, "practice_id": pid}
            for pid in self.practice_ids
            if pid not in linked
        ]

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
        self.level1_cum = cumulative((45, 10, 12, 10, 8, 5, 5, 5))
        mark_demo(conn, self.actor)

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
                "password_hash": demo_password_hash(),
                "password_changed_at": self.now,
                "failed_sign_ins": 0,
                "locked_until": None,
            }
        )
        return staff_id
