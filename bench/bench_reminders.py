"""Worklist figures (medians): computing the reminders for the whole team and for one worker.

    .venv/bin/python bench/bench_reminders.py [--patients 7500] [--repeat 7] [--db FILE]
                                              [--profile] [--save DIR]

Builds the demo database once (or uses --db; the demo puts ~40% of its patients on
caseloads, so 7,500 gives ~3,000), adds some hospital admissions and discharges and an
absence (so the hospital source and the cover for an absent worker are exercised), then
times ``ReminderService.worklist(team=True)`` as the team lead and ``worklist()`` as one
matron, as the GUI and CLI call them. Targets (issue 8): a team of 3,000 patients under
300 ms; 100,000 patients (``--patients 100000``) under 3 s.

``--profile`` prints where the team worklist's time goes (cProfile, top functions by
cumulative time). ``--save DIR`` writes the matron's day list (daylist.pdf) and her
calendar (reminders.ics) to look at.
"""

from __future__ import annotations

import argparse
import cProfile
import io
import pstats
import statistics
import tempfile
import time
from collections.abc import Callable
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import TypeVar

from sqlalchemy import select

from ltcdesk.db import Database, is_empty, open_database
from ltcdesk.models import CaseloadAssignment, Patient
from ltcdesk.services.demo import generate_demo
from ltcdesk.services.events import EventService
from ltcdesk.services.reminders import Group, Reminder, ReminderService

LEAD = "k.oconnell"  # the demo team lead
MATRON = "m.okafor"
AWAY = "c.doyle"  # absent this week: her reminders go to the team lead
EVENTS = 60  # patients on caseloads given a hospital event
T = TypeVar("T")


def timed(fn: Callable[[], T]) -> tuple[float, T]:
    start = time.perf_counter()
    result = fn()
    return time.perf_counter() - start, result


def verdict(ms: float, target: float) -> str:
    met = "met" if ms < target else "MISSED"
    return f"median {ms:,.0f} ms (target < {target:,.0f} ms: {met})"


def add_events_and_absence(db: Database, today: date) -> None:
    """Admissions (half still in hospital) and recent discharges, and one worker away."""
    with db.sessions() as s:
        rows = s.execute(
            select(Patient.nhs_number, CaseloadAssignment.start_date)
            .join(CaseloadAssignment, CaseloadAssignment.patient_id == Patient.id)
            .where(CaseloadAssignment.end_date.is_(None), Patient.date_of_death.is_(None))
            .order_by(Patient.id)
            .limit(EVENTS)
        ).all()
    events = EventService(db.sessions, LEAD, today=lambda: today)
    lines = ["NHS number,Event type,Date,Hospital,Expected discharge"]
    for n, (nhs, start) in enumerate(rows):
        admitted = max(today - timedelta(days=3 + n % 20), start)
        if n % 2:
            lines.append(f"{nhs},admission,{admitted:%d/%m/%Y},City General,")
        else:
            home = admitted + timedelta(days=2)
            lines.append(f"{nhs},admission,{admitted:%d/%m/%Y},City General,{home:%d/%m/%Y}")
            lines.append(f"{nhs},discharge,{min(home, today):%d/%m/%Y},City General,")
    report = events.import_csv("\n".join(lines).encode())
    ReminderService(db.sessions, LEAD, today=lambda: today).add_absence(
        AWAY, today - timedelta(days=1), today + timedelta(days=4), "Annual leave"
    )
    print(f"added {report.saved} hospital events ({report.duplicates} already there), 1 absence")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--patients", type=int, default=7500)
    parser.add_argument("--repeat", type=int, default=7)
    parser.add_argument("--db", type=Path)
    parser.add_argument("--profile", action="store_true")
    parser.add_argument("--save", type=Path, metavar="DIR")
    args = parser.parse_args()
    path = args.db or Path(tempfile.mkdtemp(prefix="ltcdesk-bench-")) / "bench.db"
    db = open_database(path)
    today = date.today()
    if is_empty(db):
        seconds, _ = timed(lambda: generate_demo(db, patients=args.patients, seed=1))
        print(f"demo generation ({args.patients:,} patients): {seconds:.1f} s (database {path})")
        add_events_and_absence(db, today)
    with db.sessions() as s:
        patients = s.scalar(select(Patient.id).order_by(Patient.id.desc()).limit(1)) or 0
        on_caseload = len(
            s.scalars(
                select(CaseloadAssignment.id).where(CaseloadAssignment.end_date.is_(None))
            ).all()
        )
    print(f"patients: {patients:,}; on the team's caseloads: {on_caseload:,}")
    target = 300.0 if patients <= 10_000 else 3000.0

    lead = ReminderService(db.sessions, LEAD, today=lambda: today)
    matron = ReminderService(db.sessions, MATRON, today=lambda: today)
    team_runs, own_runs = [], []
    team: list[Reminder] = []
    own: list[Reminder] = []
    for _ in range(args.repeat):
        seconds, team = timed(lambda: lead.worklist(team=True))
        team_runs.append(seconds * 1000)
        seconds, own = timed(lambda: matron.worklist())
        own_runs.append(seconds * 1000)
    groups = {g.value: sum(r.group(today) is g for r in team) for g in Group}
    covered = sum(r.covering_for is not None for r in team)
    print(f"team reminders: {len(team):,} {groups}; covering for an absent worker: {covered}")
    print(f"one matron's reminders ({MATRON}): {len(own):,}")
    print(f"worklist(team=True):  {verdict(statistics.median(team_runs), target)}")
    print(f"worklist() one worker: {verdict(statistics.median(own_runs), target)}")

    if args.profile:
        profiler = cProfile.Profile()
        profiler.enable()
        lead.worklist(team=True)
        profiler.disable()
        out = io.StringIO()
        pstats.Stats(profiler, stream=out).sort_stats("cumulative").print_stats(30)
        print(out.getvalue())

    if args.save is not None:
        save(own, args.save, today)
    db.dispose()


def save(reminders: list[Reminder], folder: Path, today: date) -> None:
    from ltcdesk.cli_reminders import calendar_ics
    from ltcdesk.reports.day_list import render_day_list

    folder.mkdir(parents=True, exist_ok=True)
    seconds, pdf = timed(
        lambda: render_day_list(
            reminders,
            worker_name="Mercy Okafor",
            day=today,
            printed_by="Mercy Okafor",
            printed_at=datetime.now(),
        )
    )
    (folder / "daylist.pdf").write_bytes(pdf)
    (folder / "reminders.ics").write_bytes(
        calendar_ics(reminders, today=today, calendar_name="ltcdesk: Mercy Okafor")
    )
    print(f"day list PDF: {seconds * 1000:.0f} ms; saved daylist.pdf and reminders.ics to {folder}")


if __name__ == "__main__":
    main()
