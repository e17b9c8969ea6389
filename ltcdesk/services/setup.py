"""Setting up a database: the first administrator, practices, teams and staff."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import delete, func, insert, select
from sqlalchemy.orm import Session, sessionmaker

from ltcdesk.domain import validate
from ltcdesk.domain.errors import ConflictError, NotFoundError, PermissionDeniedError
from ltcdesk.domain.permissions import Action
from ltcdesk.domain.text import quote_input
from ltcdesk.domain.vocab import Role
from ltcdesk.models import AuditEntry, Patient, Practice, StaffMember, Team, team_practices
from ltcdesk.services.base import Actor, ServiceBase


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


@dataclass(frozen=True)
class TeamView:
    """A team and the practices whose registered patients it cares for (need to know)."""

    name: str
    practices: tuple[str, ...]  # practice codes
    staff: int


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
    def add_practice(self, code: str, name: str, team: str | None = None) -> PracticeView:
        """A new practice; with ``team``, that team cares for its patients (see
        ``link_practice``)."""
        with self._sessions.begin() as s:
            actor = self._actor(s, Action.MANAGE_STAFF)
            normalised = validate.practice_code(code, "practice code")
            team_row = self._team(s, actor, team, create=True) if team and team.strip() else None
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
            if team_row is not None:
                self._link(s, actor, team_row, practice)
            return PracticeView(practice.code, practice.name, 0)

    # ------------------------------------------------------------ teams and their practices

    def link_practice(self, team: str, code: str) -> TeamView:
        """The team cares for the patients registered with this practice: its staff see
        and change their records (need to know). An administrator links any team; a team
        lead their own."""
        with self._sessions.begin() as s:
            actor = self._actor(s, Action.MANAGE_STAFF)
            team_row = self._team(s, actor, team, create=True)
            practice = self._practice(s, code)
            if practice.id in self._linked(s, team_row.id):
                raise ConflictError(f"{team_row.name} already cares for practice {practice.code}.")
            self._link(s, actor, team_row, practice)
            return self._team_view(s, team_row)

    def unlink_practice(self, team: str, code: str) -> TeamView:
        """The team no longer cares for this practice's patients (those on its staff's
        caseloads stay within its sight)."""
        with self._sessions.begin() as s:
            actor = self._actor(s, Action.MANAGE_STAFF)
            team_row = self._team(s, actor, team)
            practice = self._practice(s, code)
            tp = team_practices
            gone = s.execute(
                delete(tp).where(tp.c.team_id == team_row.id, tp.c.practice_id == practice.id)
            )
            if not gone.rowcount:  # type: ignore[attr-defined]
                raise NotFoundError(f"{team_row.name} does not care for practice {practice.code}.")
            self._audit(
                s,
                actor,
                "team.unlink_practice",
                "team",
                entity_id=team_row.id,
                summary=f"{team_row.name} no longer cares for practice {practice.code}",
            )
            return self._team_view(s, team_row)

    def teams(self) -> list[TeamView]:
        """Every team with the practices it cares for, by name."""
        with self._sessions.begin() as s:
            self._actor(s)
            return [
                self._team_view(s, t) for t in s.scalars(select(Team).order_by(Team.name)).all()
            ]

    def _team(self, s: Session, actor: Actor, name: str | None, *, create: bool = False) -> Team:
        """The team named, which the acting user may manage; with ``create``, an
        administrator's new team is made (as adding staff to it would)."""
        team_name = validate.required_text(name, "team")
        row = s.scalar(select(Team).where(Team.name == team_name))
        if row is None and create and actor.role == Role.ADMIN.value:
            row = Team(name=team_name)
            s.add(row)
            s.flush()
        if row is None:
            raise NotFoundError(f"team: no team called {quote_input(team_name)}.")
        if actor.role != Role.ADMIN.value and row.id != actor.team_id:
            raise PermissionDeniedError(
                f"A team lead manages the practices of their own team only, not {row.name}."
            )
        return row

    @staticmethod
    def _practice(s: Session, code: str) -> Practice:
        normalised = validate.practice_code(code, "practice code")
        practice = s.scalar(select(Practice).where(Practice.code == normalised))
        if practice is None:
            raise NotFoundError(f"practice: no practice with code {quote_input(normalised)}.")
        return practice

    @staticmethod
    def _linked(s: Session, team_id: int) -> set[int]:
        tp = team_practices
        return set(s.scalars(select(tp.c.practice_id).where(tp.c.team_id == team_id)))

    def _link(self, s: Session, actor: Actor, team: Team, practice: Practice) -> None:
        s.execute(insert(team_practices).values(team_id=team.id, practice_id=practice.id))
        self._audit(
            s,
            actor,
            "team.link_practice",
            "team",
            entity_id=team.id,
            summary=f"{team.name} cares for practice {practice.code}",
        )

    @staticmethod
    def _team_view(s: Session, team: Team) -> TeamView:
        tp = team_practices
        codes = s.scalars(
            select(Practice.code)
            .join(tp, tp.c.practice_id == Practice.id)
            .where(tp.c.team_id == team.id)
            .order_by(Practice.code)
        ).all()
        staff = s.scalar(
            select(func.count()).select_from(StaffMember).where(StaffMember.team_id == team.id)
        )
        return TeamView(team.name, tuple(codes), staff or 0)

    def add_staff(
        self, username: str, display_name: str, role: str, team: str | None = None
    ) -> StaffView:
        with self._sessions.begin() as s:
            actor = self._actor(s, Action.MANAGE_STAFF)
            name = validate.username(username)
            if s.scalar(select(StaffMember.id).where(StaffMember.username == name)):
                raise ConflictError(f"The username {quote_input(name)} is taken.")
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

    def set_team(self, username: str, team: str | None) -> StaffView:
        """Move a member of staff into ``team`` (None or blank: no team). Their team decides
        whose records they see (need to know). An administrator moves anyone anywhere; a
        team lead moves people into their own team, or a member of it out."""
        with self._sessions.begin() as s:
            actor = self._actor(s, Action.MANAGE_STAFF)
            member = self._staff(s, validate.username(username), "member of staff")
            target = self._team(s, actor, team, create=True) if team and team.strip() else None
            if (
                target is None
                and actor.role != Role.ADMIN.value
                and member.team_id != actor.team_id
            ):
                raise PermissionDeniedError("A team lead moves the members of their own team only.")
            before = member.team.name if member.team else "no team"
            member.team = target
            after = target.name if target else "no team"
            self._audit(
                s,
                actor,
                "staff.team",
                "staff",
                entity_id=member.id,
                summary=f"Moved {member.username} from {before} to {after}",
            )
            return StaffView(
                member.username,
                member.display_name,
                member.role,
                target.name if target else None,
                member.active,
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
