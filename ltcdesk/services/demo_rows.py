"""What the demo generator's passes share: the tables, the rows built so far, id allocation.

The generator (``ltcdesk.services.demo``) is one object assembled from a pass per module
(team, people, caseloads); each pass is a mixin over ``DemoRows`` so the state they hand on
to each other is declared once, here. Rows are plain dicts written later with executemany.
"""

from __future__ import annotations

import random
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path
from typing import Any

from sqlalchemy import Connection, Table, func, insert, select

from ltcdesk.db import sync_id_sequences
from ltcdesk.domain.vocab import Role
from ltcdesk.models import (
    AuditEntry,
    Base,
    CarePlan,
    Carer,
    CaseloadAssignment,
    ConsentRecord,
    GoalScore,
    GoalStep,
    Patient,
    PatientCondition,
    PlanAgendaItem,
    PlanContingency,
    PlanContribution,
    PlanCopy,
    PlanGoal,
    Practice,
    StaffMember,
    Team,
    utcnow,
)


def _table(model: type[Base]) -> Table:
    table = model.__table__
    assert isinstance(table, Table)
    return table


PRACTICE_T, TEAM_T, STAFF_T = _table(Practice), _table(Team), _table(StaffMember)
PATIENT_T, CONDITION_T, CARER_T = _table(Patient), _table(PatientCondition), _table(Carer)
CONSENT_T, ASSIGNMENT_T = _table(ConsentRecord), _table(CaseloadAssignment)
AUDIT_T = _table(AuditEntry)
CAREPLAN_T, PLAN_AGENDA_T, PLAN_GOAL_T = _table(CarePlan), _table(PlanAgendaItem), _table(PlanGoal)
PLAN_STEP_T, PLAN_SCORE_T = _table(GoalStep), _table(GoalScore)
PLAN_CONTRIBUTION_T, PLAN_CONTINGENCY_T = _table(PlanContribution), _table(PlanContingency)
PLAN_COPY_T = _table(PlanCopy)
CAREPLAN_TABLES = (
    CAREPLAN_T,
    PLAN_AGENDA_T,
    PLAN_GOAL_T,
    PLAN_STEP_T,
    PLAN_SCORE_T,
    PLAN_CONTRIBUTION_T,
    PLAN_CONTINGENCY_T,
    PLAN_COPY_T,
)
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
    *CAREPLAN_TABLES,
)

RESOURCES = Path(__file__).resolve().parents[2] / "resources" / "demo"


@dataclass(slots=True)
class Person:
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


def cumulative(weights: Sequence[float]) -> list[float]:
    total, out = 0.0, []
    for weight in weights:
        total += weight
        out.append(total)
    return out


def days_before(ref: date, u: float, low: int, high: int, floor: date) -> date:
    """``low``..``high`` days before ``ref`` (``u`` uniform in [0, 1)), not before ``floor``."""
    days = low + int(u * (high - low + 1)) if high > low else low
    return max(ref - timedelta(days=days), min(floor, ref))


class DemoRows:
    """Every row in memory as plain dicts with ids allocated up front, and the passes' state.

    Every random draw goes through the one ``rng`` in a fixed order, which is what makes a
    seed reproduce the same database: a pass must not draw more, fewer or in another order.
    """

    # Laid out by the team pass (TeamPass.plan) before people and caseloads are generated.
    matrons: list[int]
    team_lead: int
    consent_takers: list[int]
    level2_roles: tuple[Role, ...]
    level1_roles: tuple[Role, ...]
    level1_cum: list[float]

    def __init__(self, rng: random.Random, today: date, actor: str) -> None:
        self.rng = rng
        self.today = today
        self.actor = actor
        self.now = utcnow()
        self.actor_id = 0
        self.rows: dict[Table, list[dict[str, Any]]] = {t: [] for t in WRITE_ORDER}
        self.next_id: dict[Table, int] = {}
        self.practice_ids: list[int] = []
        # team_practices rows (no id column, so not in WRITE_ORDER): the team's practices.
        self.team_links: list[dict[str, int]] = []
        self.staff_by_role: dict[Role, list[int]] = {}
        self.people: list[Person] = []
        self.key_worker: dict[int, int] = {}
        self.on_caseload = 0

    @property
    def row_count(self) -> int:
        return sum(len(rows) for rows in self.rows.values())

    def _new_id(self, table: Table) -> int:
        self.next_id[table] += 1
        return self.next_id[table]

    def _choice(self, items: Sequence[Any]) -> Any:
        return items[int(self.rng.random() * len(items))]


CHUNK = 20_000  # rows per bulk insert when streaming rows (RowSink)


def table_of(model: type[Base]) -> Table:
    table = model.__table__
    assert isinstance(table, Table)
    return table


def _max_id(conn: Connection, table: Table) -> int:
    return int(conn.execute(select(func.coalesce(func.max(table.c.id), 0))).scalar_one())


class RowSink:
    """Rows written in chunks as they are generated, each chunk parents first.

    Ids are allocated up front from the tables' current maxima, so a child can name its
    parent before either is written.
    """

    def __init__(self, conn: Connection, tables: Sequence[Table], chunk: int = CHUNK) -> None:
        self.conn, self.tables, self.chunk = conn, tuple(tables), chunk
        self.pending: dict[Table, list[dict[str, Any]]] = {t: [] for t in self.tables}
        self.written: dict[Table, int] = dict.fromkeys(self.tables, 0)
        self.last_id: dict[Table, int] = {t: _max_id(conn, t) for t in self.tables}
        self._count = 0

    def new_id(self, table: Table) -> int:
        self.last_id[table] += 1
        return self.last_id[table]

    def add(self, table: Table, row: dict[str, Any]) -> None:
        self.pending[table].append(row)
        self._count += 1

    def maybe_flush(self) -> None:
        """Write what is pending once a chunk has built up (call between parents)."""
        if self._count >= self.chunk:
            self.flush()

    def flush(self) -> None:
        for table in self.tables:
            rows = self.pending[table]
            if rows:
                self.conn.execute(insert(table), rows)
                self.written[table] += len(rows)
                rows.clear()
        self._count = 0

    def close(self) -> None:
        self.flush()
        sync_id_sequences(self.conn, [t for t in self.tables if self.written[t]])
