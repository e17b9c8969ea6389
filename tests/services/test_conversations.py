"""Care navigator conversations and navigators' lists through ConversationService (SQLite,
and PostgreSQL when configured): recording with a flag and a re-scored goal in one
transaction, validation, open flags, the navigator list, admin-only topics, audit rows and
the ``conversation list`` / ``navigator list`` handlers."""

from __future__ import annotations

import argparse
import json
from datetime import timedelta

import pytest
from sqlalchemy import func, select

import ltcdesk.models.conversation  # noqa: F401  (registers the tables)
from ltcdesk import cli
from ltcdesk.cli_conversation import cmd_conversation_list, cmd_navigator_list
from ltcdesk.domain.errors import ConflictError, PermissionDeniedError, ValidationError
from ltcdesk.models import AuditEntry, GoalScore
from ltcdesk.models.conversation import Conversation
from ltcdesk.services.careplan_views import CarePlanEdits, GoalEdits
from ltcdesk.services.careplans import CarePlanService
from ltcdesk.services.conversations import (
    ConversationInput,
    ConversationService,
    FollowUp,
    Signpost,
    TopicNote,
)
from ltcdesk.services.patients import NewPatient, PatientService
from tests.conftest import TODAY

NHS = "9434765919"
OTHER = "4010232137"


@pytest.fixture
def world(team):
    patients = PatientService(team.sessions, "lead", today=lambda: TODAY)
    patients.register(NewPatient(NHS, "O'Kon", "María", "1940-03-01", "C82001"))
    patients.register(NewPatient(OTHER, "Smith", "John", "1938-07-12", "C82001"))
    plans = CarePlanService(team.sessions, "matron1", today=lambda: TODAY)
    draft = plans.start(NHS)
    edits = CarePlanEdits(
        goals=(GoalEdits("Walk to the corner shop on my own", 8, 5),),
        review_date=TODAY + timedelta(days=90),
    )
    plans.save_draft(NHS, edits, draft.lock_version)
    plans.agree(NHS, "María O'Kon")
    return team


def svc(db, user="navigator"):
    return ConversationService(db.sessions, user, today=lambda: TODAY)


def goal_id(db):
    plan = CarePlanService(db.sessions, "matron1", today=lambda: TODAY).agreed(NHS)
    assert plan is not None
    return plan.goals[0].id


def entry(**kw):
    base = dict(
        held_on=TODAY,
        mode="phone",
        topics=(TopicNote("keeping_warm", "Heating is on a timer now"),),
        what_matters="Getting to my granddaughter's wedding in June.",
    )
    base.update(kw)
    return ConversationInput(**base)


def audit(db, action):
    with db.sessions() as s:
        return [
            tuple(r)
            for r in s.execute(
                select(AuditEntry.username, AuditEntry.summary)
                .where(AuditEntry.action == action)
                .order_by(AuditEntry.id)
            )
        ]


def test_seeded_topics(world):
    codes = [t.code for t in svc(world).topics()]
    assert len(codes) == 10
    assert codes[0] == "keeping_warm"
    assert "carer_support" in codes


def test_navigator_records_a_flag_and_a_rescored_goal(world):
    gid = goal_id(world)
    conv = svc(world).record(
        NHS,
        entry(
            with_carer=True,
            topics=(TopicNote("keeping_warm", "Heating on a timer"), TopicNote("money_worries")),
            signposting=(Signpost("Age UK benefits check"),),
            follow_ups=(FollowUp("Ring about the benefits check", TODAY + timedelta(days=7)),),
            flag_to_team=True,
            flag_reason="More breathless on the phone than last week",
            rescored=((gid, 9, 7, "Feeling more confident since the walks"),),
        ),
    )
    assert conv.flag_to_team
    assert conv.recorded_by == "Nadia Navigator"
    assert [t.code for t in conv.topics] == ["keeping_warm", "money_worries"]
    assert conv.signposting == (("Age UK benefits check", TODAY),)
    plan = CarePlanService(world.sessions, "matron1", today=lambda: TODAY).agreed(NHS)
    assert plan is not None
    g = plan.goals[0]
    assert (g.importance, g.confidence, g.comment) == (
        9,
        7,
        "Feeling more confident since the walks",
    )
    assert [(p.importance, p.confidence) for p in g.scores][-1] == (9, 7)
    [(who, summary)] = audit(world, "conversation.record")
    assert who == "navigator"
    assert summary == (
        "Recorded phone conversation: 2 topics, 1 follow-ups, 1 goals re-scored, flagged to team"
    )
    assert "wedding" not in summary
    assert "breathless" not in summary
    assert [u for u, _ in audit(world, "careplan.follow_up")] == ["navigator"]
    flags = svc(world, "lead").flags_open()
    assert [(f.nhs_number, f.held_on, f.reason, f.recorded_by) for f in flags] == [
        (NHS, TODAY, "More breathless on the phone than last week", "Nadia Navigator")
    ]
    assert flags[0].patient_name == "María O'Kon"


def test_a_bad_rescore_rolls_back_the_conversation(world):
    with world.sessions() as s:
        before = s.scalar(select(func.count()).select_from(GoalScore))
    with pytest.raises(ValidationError):
        svc(world).record(NHS, entry(rescored=((goal_id(world), 11, 5, None),)))
    with world.sessions() as s:
        assert s.scalar(select(func.count()).select_from(Conversation)) == 0
        assert s.scalar(select(func.count()).select_from(GoalScore)) == before


@pytest.mark.parametrize(
    ("kw", "field"),
    [
        ({"held_on": TODAY + timedelta(days=1)}, "date"),
        ({"mode": "letter"}, "mode"),
        ({"topics": (), "what_matters": "  "}, "topics"),
        ({"topics": (TopicNote("astrology"),)}, "topic"),
        ({"flag_to_team": True}, "flag reason"),
        ({"follow_ups": (FollowUp("Ring back", TODAY - timedelta(days=1)),)}, "follow-up due date"),
        ({"what_matters": "x" * 4001}, "what matters to me"),
        ({"flag_to_team": True, "flag_reason": "y" * 501}, "flag reason"),
        ({"with_patient": False, "with_carer": False}, "who took part"),
    ],
)
def test_validation(world, kw, field):
    with pytest.raises(ValidationError) as err:
        svc(world).record(NHS, entry(**kw))
    assert err.value.field == field
    with world.sessions() as s:
        assert s.scalar(select(func.count()).select_from(Conversation)) == 0


def test_read_only_cannot_record(world):
    from ltcdesk.services.setup import SetupService

    SetupService(world.sessions, "admin").add_staff("reader", "Rita Reader", "read_only")
    with pytest.raises(PermissionDeniedError):
        svc(world, "reader").record(NHS, entry())
    assert audit(world, "denied") == [("reader", "Refused: carer.edit")]


def test_list_for_newest_first_and_handled_flags_leave_the_agenda(world):
    s = svc(world)
    s.record(NHS, entry(held_on=TODAY - timedelta(days=10), flag_to_team=True, flag_reason="A"))
    s.record(NHS, entry(mode="visit"))
    assert [c.held_on for c in s.list_for(NHS)] == [TODAY, TODAY - timedelta(days=10)]
    assert len(s.flags_open()) == 1
    with world.sessions.begin() as ses:
        for c in ses.scalars(select(Conversation)):
            c.flag_handled_at = c.created_at
    assert s.flags_open() == []


def test_navigator_list_last_contact_and_due_calls(world):
    lead = svc(world, "lead")
    lead.assign_navigator(NHS, "navigator")
    lead.assign_navigator(OTHER, "navigator")
    with pytest.raises(ConflictError):
        lead.assign_navigator(NHS, "navigator")
    with pytest.raises(ValidationError):
        lead.assign_navigator(NHS, "nurse")  # not a care navigator
    with pytest.raises(PermissionDeniedError):
        svc(world).assign_navigator(NHS, "navigator")  # navigators do not assign
    nav = svc(world)
    nav.record(NHS, entry(held_on=TODAY - timedelta(days=3)))
    nav.record(
        OTHER,
        entry(
            held_on=TODAY - timedelta(days=2),
            follow_ups=(FollowUp("Check the bus pass arrived", TODAY, "navigator"),),
        ),
    )
    rows = {r.nhs_number: r for r in nav.my_list()}
    assert rows[NHS].last_contact == TODAY - timedelta(days=3)
    assert not rows[NHS].due_a_call
    assert rows[OTHER].next_follow_up == TODAY
    assert rows[OTHER].due_a_call
    assert [r.patient_name for r in nav.my_list()] == ["María O'Kon", "John Smith"]
    old = ConversationService(world.sessions, "navigator", today=lambda: TODAY + timedelta(28))
    assert old.my_list("navigator")[0].due_a_call  # no contact in 28 days
    assert [u for u, _ in audit(world, "navigator.assign")] == ["lead", "lead"]


def test_topics_editable_by_admin_only(world):
    with pytest.raises(PermissionDeniedError):
        svc(world, "navigator").add_topic("pets", "Pets")
    with pytest.raises(PermissionDeniedError):
        svc(world, "lead").deactivate_topic("transport")
    admin = svc(world, "admin")
    admin.add_topic("pets", "Looking after my pets")
    admin.deactivate_topic("transport")
    codes = [t.code for t in svc(world).topics()]
    assert "pets" in codes
    assert "transport" not in codes
    with pytest.raises(ValidationError):
        svc(world).record(NHS, entry(topics=(TopicNote("transport"),)))
    assert [a for a, _ in audit(world, "topic.add")] == ["admin"]


def test_cli_handlers(world, monkeypatch, capsys):
    monkeypatch.setattr(cli, "_open", lambda args: world)
    monkeypatch.setattr(cli, "_user", lambda args: args.user)
    svc(world, "lead").assign_navigator(NHS, "navigator")
    svc(world).record(NHS, entry(flag_to_team=True, flag_reason="Falls"))
    ns = argparse.Namespace(user="navigator", nhs=NHS, format="json")
    assert cmd_conversation_list(ns) == 0
    [row] = json.loads(capsys.readouterr().out)
    assert row["mode"] == "phone"
    assert row["held_on"] == TODAY.isoformat()
    assert row["flag_reason"] == "Falls"
    assert (
        cmd_navigator_list(argparse.Namespace(user="lead", navigator="navigator", format="json"))
        == 0
    )
    [nrow] = json.loads(capsys.readouterr().out)
    assert nrow["nhs_number"] == NHS
    assert nrow["last_contact"] == TODAY.isoformat()
    assert (
        cmd_navigator_list(argparse.Namespace(user="navigator", navigator=None, format="text")) == 0
    )
    out = capsys.readouterr().out
    assert "943 476 5919" in out
    assert "María O'Kon" in out
