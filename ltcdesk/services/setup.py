"""Setting up a database: the first administrator, practices, teams and staff."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import func, select
from sqlalchemy.orm import Session, sessionmaker

from ltcdesk.domain import validate
from ltcdesk.domain.errors import ConflictError
from ltcdesk.domain.permissions import Action
from ltcdesk.domain.vocab import Role
from ltcdesk.models import AuditEntry, Patient, Practice, StaffMember, Team
from ltcdesk.services.base import ServiceBase


@dataclass(frozen=True)
class StaffView:
    username: str
    display_name: str
    role: str
    team: str | None
    active: bool


@dataclass(frozen=True)
class PracticeView:
    code: str
    name: str
    patients: int


def ensure_admin(
    sessions: sessionmaker[Session], username: str = "admin", display_name: str = "Administrator"
) -> bool:
    """Create an administrator's staff row when there is no staff at all. True if one was made.

    The row has no password, so nobody can sign in as it until the first administrator is
    set up (``AccountService.create_first_admin``, ``ltcdesk user add --admin``), which
    gives this row its password. Used by scripts and tests that act through the services
    without signing in (through ``build_main_window``); the command line never calls it,
    and in ``run_gui`` it finds the first administrator already there and does nothing.
    """
    name = validate.username(username)
    with sessions.begin() as s:
        if s.scalar(select(func.count()).select_from(StaffMember)):
            return False
        admin = StaffMember(username=name, display_name=display_name, role=Role.ADMIN.value)
        s.add(admin)
        s.flush()
        s.add(
            AuditEntry(
                staff_id=admin.id,
                username=admin.username,
                action="staff.create",
                entity="staff",
                entity_id=admin.id,
                summary="Created the first administrator (no password yet)",
            )
        )
        return True


def new_staff_member(
    s: Session, username: str, display_name: str, role: str, team: str | None
) -> StaffMember:
    """A validated staff row (not yet added), in ``team`` (created when new). The caller
    has checked that ``username`` (already validated) is free."""
    team_row = None
    if team and team.strip():
        team_name = validate.required_text(team, "team")
        team_row = s.scalar(select(Team).where(Team.name == team_name))
        if team_row is None:
            team_row = Team(name=team_name)
            s.add(team_row)
    return StaffMember(
        username=username,
        display_name=validate.required_text(display_name, "display name", max_len=100),
        role=validate.choice(role, Role, "role").value,
        team=team_row,
    )


class SetupService(ServiceBase):
    def add_practice(self, code: str, name: str) -> PracticeView:
        with self._sessions.begin() as s:
            actor = self._actor(s, Action.MANAGE_STAFF)
            normalised = validate.practice_code(code, "practice code")
            if s.scalar(select(Practice.id).where(Practice.code == normalised)):
                raise ConflictError(f"Practice {normalised} already exists.")
            practice = Practice(code=normalised, name=validate.required_text(name, "practice name"))
            s.add(practice)
            s.flush()
            self._audit(
                s,
                actor,
                "practice.create",
                "practice",
                entity_id=practice.id,
                summary=f"Added practice {normalised}",
            )
            return PracticeView(practice.code, practice.name, 0)

    def add_staff(
        self, username: str, display_name: str, role: str, team: str | None = None
    ) -> StaffView:
        with self._sessions.begin() as s:
            actor = self._actor(s, Action.MANAGE_STAFF)
            name = validate.username(username)
            if s.scalar(select(StaffMember.id).where(StaffMember.username == name)):
                raise ConflictError(f"The username '{name}' is taken.")
            member = new_staff_member(s, name, display_name, role, team)
            s.add(member)
            s.flush()
            self._audit(
                s,
                actor,
                "staff.create",
                "staff",
                entity_id=member.id,
                summary=f"Added {name} as {member.role}",
            )
            return StaffView(
                member.username,
                member.display_name,
                member.role,
                member.team.name if member.team else None,
                True,
            )

    def staff(self) -> list[StaffView]:
        with self._sessions.begin() as s:
            self._actor(s)
            rows = s.scalars(select(StaffMember).order_by(StaffMember.display_name)).all()
            return [
                StaffView(
                    r.username, r.display_name, r.role, r.team.name if r.team else None, r.active
                )
                for r in rows
            ]

    def practices(self) -> list[PracticeView]:
        with self._sessions.begin() as s:
            self._actor(s)
            per_practice = select(Patient.practice_id, func.count()).group_by(Patient.practice_id)
            counts: dict[int, int] = {pid: n for pid, n in s.execute(per_practice)}
            rows = s.scalars(select(Practice).order_by(Practice.name)).all()
            return [PracticeView(r.code, r.name, counts.get(r.id, 0)) for r in rows]
